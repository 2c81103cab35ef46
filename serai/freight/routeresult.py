"""One route found by the :class:`~serai.freight.Router`: legs, hub events, totals, exports.

A :class:`Route` is immutable; its legs table is built on first access from the
columns :func:`serai.freight.legs.make_route` gathered, and it exports to JSON-ready
dicts, GeoJSON and GeoDataFrames, its ISO 14083 footprint and its time distribution.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from serai.errors import InputError
from serai.freight.constraints import Constraints
from serai.freight.routecost import LEG_EXTRA

__all__ = ["Route"]

_LEG_COLUMNS = [
    "seq",
    "kind",
    "mode",
    "layer",
    "service_id",
    "from_node",
    "to_node",
    "from_name",
    "to_name",
    "country",
    "from_country",
    "to_country",
    "passage",
    "km",
    "hours",
    "wait_h",
    "usd",
    "co2e_kg",
    "event",
    "link_ids",
    "node_path",
    *LEG_EXTRA,
]


@dataclass(frozen=True, eq=False)
class Route:
    """One route: its legs and hub events, totals and corridor label.

    ``legs`` has one row per movement leg (consecutive links of one mode in one
    country) or hub event (transfer, gauge change, port, boarding, border), with
    columns seq, kind, mode, layer, service_id, from_node, to_node, from_name,
    to_name, country, from_country, to_country, km, hours, usd, co2e_kg, event, link_ids
    (``co2e_kg``: well-to-wheel kg CO2e per unit, NaN when the factor tables cannot serve
    the network).

    ``totals["co2e_kg"]`` is the WTW total; :attr:`footprint` is the full ISO 14083
    account (TCEs and HOCs with WTT, TTW and WTW) of one unit of the commodity.
    """

    origin: int | str
    destination: int | str
    origin_name: str
    destination_name: str
    commodity: str
    unit: str
    objective: str
    vlink_rows: np.ndarray
    leg_data: Mapping[str, Any]
    totals: Mapping[str, float]
    corridor: str
    countries: tuple[str, ...]
    passages: tuple[str, ...]
    services: tuple[str, ...]
    constraints: Constraints = field(default_factory=Constraints)
    routing_graph: Any = field(default=None, repr=False, compare=False)
    # the places asked for (serai.freight.resolver.Place) and first/last-mile legs
    origin_place: Any = field(default=None, repr=False, compare=False)
    destination_place: Any = field(default=None, repr=False, compare=False)
    access: tuple[Any, ...] = field(default=(), repr=False, compare=False)
    # what the route was priced with: (routing graph, Commodity, crew, ParamSet); read by
    # serai.reliability to give each element its distribution around the model's mean
    pricing: tuple[Any, ...] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def footprint(self) -> Any:
        """ISO 14083 footprint (:class:`serai.emissions.ChainFootprint`) of one unit.

        Computed on first access by :func:`serai.emissions.routes.route_footprint`.
        """
        if self.routing_graph is None:
            raise InputError("this route carries no routing graph; use route_footprint(route, rg)")
        from serai.emissions.routes import route_footprint

        return route_footprint(self, self.routing_graph)

    def emissions_dict(self) -> dict[str, Any]:
        """JSON-ready emissions: totals (WTW, WTT, TTW kg CO2e) and one row per TCE/HOC."""
        fp = self.footprint
        el = fp.elements
        cols = ["element_id", "element", "mode", "factor_id", "from_name", "to_name", "country",
                "distance_km", "tonne_km", "ttw_kg", "wtt_kg", "wtw_kg", "intensity_g_per_tkm",
                "estimate"]  # fmt: skip
        el = el[[c for c in cols if c in el.columns]]
        el = el.astype(object).where(el.notna(), None)
        t = fp.totals
        return {
            "co2e_kg": round(float(t["wtw_kg"]), 4),
            "wtt_kg": round(float(t["wtt_kg"]), 4),
            "ttw_kg": round(float(t["ttw_kg"]), 4),
            "tonne_km": round(float(t["tonne_km"]), 4),
            "intensity_g_per_tkm": round(float(t["intensity_g_per_tkm"]), 4),
            "estimate_share_wtw": round(float(t["estimate_share_wtw"]), 4),
            "basis": "ISO 14083 well-to-wheel, per unit of the commodity",
            "notes": list(fp.notes),
            "elements": el.to_dict(orient="records"),
        }

    @property
    def co2e_kg(self) -> float:
        """Well-to-wheel kg CO2e per unit (sum over the legs)."""
        return self.totals["co2e_kg"]

    @property
    def days(self) -> float:
        return self.totals["days"]

    def reliability(
        self, month: int | None = None, deadline_days: float | None = None, **kw: Any
    ) -> Any:
        """Distribution of the door-to-door time: P10, P50, P90, P95, mean, sd, on-time share.

        Monte Carlo of the route's elements around the time model's means
        (:func:`serai.reliability.route_reliability`; keywords ``draws``, ``seed``,
        ``flows``, ``tables``); ``month`` is the month of departure (1..12; None: any
        day of the year).
        """
        from serai.reliability.routes import route_reliability

        return route_reliability(self, month=month, deadline_days=deadline_days, **kw)

    @property
    def km(self) -> float:
        return self.totals["km"]

    @property
    def usd(self) -> float:
        return self.totals["usd"]

    @cached_property
    def legs(self) -> pd.DataFrame:
        """The legs table (built on first access from ``leg_data``)."""
        if not len(self.leg_data.get("seq", ())):
            return pd.DataFrame(columns=_LEG_COLUMNS)
        return pd.DataFrame({c: self.leg_data[c] for c in _LEG_COLUMNS})

    def physical_links(self) -> np.ndarray:
        """Physical link ids used, in order."""
        return np.concatenate(
            [np.asarray(x, np.int64) for x in self.legs["link_ids"]] or [np.empty(0, np.int64)]
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: totals, corridor, legs."""
        legs = self.legs.drop(columns=["link_ids"]).copy()
        legs = legs.astype(object).where(legs.notna(), None)
        return {
            "from": self.origin_name,
            "to": self.destination_name,
            "origin_node": self.origin,
            "destination_node": self.destination,
            "commodity": self.commodity,
            "unit": self.unit,
            "objective": self.objective,
            "corridor": self.corridor,
            **{k: round(float(v), 4) for k, v in self.totals.items()},
            **self._emission_totals(),
            "countries": list(self.countries),
            "passages": list(self.passages),
            "services": list(self.services),
            "legs": legs.to_dict(orient="records"),
            **({"emissions": self.emissions_dict()} if self.routing_graph is not None else {}),
            **self._places_dict(),
        }

    def _places_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.origin_place is not None:
            out["origin_place"] = self.origin_place.to_dict()
        if self.destination_place is not None:
            out["destination_place"] = self.destination_place.to_dict()
        if self.access:
            out["access"] = [leg.to_dict() for leg in self.access]
        return out

    def _emission_totals(self) -> dict[str, float]:
        if self.routing_graph is None:
            return {}
        t = self.footprint.totals
        return {"wtt_kg": round(float(t["wtt_kg"]), 4), "ttw_kg": round(float(t["ttw_kg"]), 4)}

    def __repr__(self) -> str:
        from serai.reprs import route_repr

        return route_repr(self)

    def _repr_html_(self) -> str:
        from serai.reprs import route_html

        return route_html(self)

    def to_geodataframe(self, network: Any = None) -> Any:
        """Legs and hub events as a GeoDataFrame (EPSG:4326) on the real link shapes.

        Needs GeoPandas (``pip install 'serai[gis]'``); ``network`` defaults to the
        routing graph's network.
        """
        from serai.freight.shapes import route_geodataframe

        net = network if network is not None else getattr(self.routing_graph, "network", None)
        if net is None:
            raise InputError("pass the network: this route carries no routing graph")
        return route_geodataframe(self, net)

    def to_geojson(self, network_nodes: pd.DataFrame) -> dict[str, Any]:
        """GeoJSON FeatureCollection: one LineString per movement leg (node to node), one
        Point per event. A leg crossing the antimeridian is a MultiLineString cut at ±180°
        (RFC 7946, section 3.1.9: every longitude in [-180, 180])."""
        from serai.network.geo import cut_geojson_line

        xy = network_nodes.set_index("node_id")[["x", "y"]]
        feats = []
        for r in self.legs.itertuples(index=False):
            props = {
                k: (None if isinstance(v, float) and v != v else v)
                for k, v in r._asdict().items()
                if k != "link_ids"
            }
            if r.kind == "move" and (r.from_node < 0 or r.to_node < 0):  # first/last mile
                pl = self.origin_place if r.from_node < 0 else self.destination_place
                end = xy.reindex([max(r.from_node, r.to_node)]).to_numpy()[0].tolist()
                coords = [[pl.lon, pl.lat], end] if r.from_node < 0 else [end, [pl.lon, pl.lat]]
                geom = cut_geojson_line({"type": "LineString", "coordinates": coords})
            elif r.kind == "move":
                nodes = r.node_path
                coords = xy.reindex(nodes).dropna().to_numpy().tolist()
                geom = cut_geojson_line({"type": "LineString", "coordinates": coords})
            else:
                p = xy.reindex([r.from_node]).to_numpy()[0].tolist()
                geom = {"type": "Point", "coordinates": p}
            props.pop("node_path", None)
            feats.append({"type": "Feature", "geometry": geom, "properties": props})
        return {
            "type": "FeatureCollection",
            "features": feats,
            "properties": {k: v for k, v in self.to_dict().items() if k != "legs"},
        }
