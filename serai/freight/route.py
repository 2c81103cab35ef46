"""Route queries: least time, cost or generalised cost under constraints; alternatives; Pareto set.

Constraints never change the graph: each becomes a boolean mask over the
virtual links, and masked links get an infinite cost in a new cost array.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property, partial
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from serai.errors import InputError, NoPathError
from serai.freight import access
from serai.freight.commodities import Commodity, commodity
from serai.freight.corridors import corridor_label
from serai.freight.cost import LinkCosts, link_costs
from serai.freight.params import TIME
from serai.freight.places import PlaceIndex
from serai.freight.routecost import LEG_EXTRA, leg_columns, route_components, route_totals
from serai.freight.virtual import RoutingGraph
from serai.paths import _kernels as k
from serai.paths.workspace import tree_scratch

__all__ = ["Constraints", "NoRouteError", "Route", "Router"]

OBJECTIVES = ("time", "cost", "generalised", "emissions")


@cache
def passage_countries() -> dict[str, frozenset[str]]:
    """Sea passage -> countries whose waters it runs through (``data/passages.csv``)."""
    from importlib import resources

    with resources.files("serai.freight.data").joinpath("passages.csv").open("rb") as fh:
        t = pd.read_csv(fh)
    return {
        str(r.passage): frozenset(str(r.countries).split(";")) for r in t.itertuples(index=False)
    }


class NoRouteError(NoPathError):
    """No route satisfies the request; ``cause`` names the constraint that cut it."""

    def __init__(self, message: str, cause: str = "") -> None:
        super().__init__(message)
        self.cause = cause


def _fs(values: Iterable[Any] | None, upper: bool = False, lower: bool = False) -> frozenset:
    if values is None:
        return frozenset()
    if isinstance(values, (str, int)):
        values = [values]
    out = []
    for v in values:
        s = v.strip() if isinstance(v, str) else v
        if isinstance(s, str):
            s = s.upper() if upper else s.lower() if lower else s
        out.append(s)
    return frozenset(out)


def _ids(values: Iterable[Any] | None, field: str) -> frozenset[int]:
    from serai._checks import check_count

    if values is None:
        return frozenset()
    if isinstance(values, (str, int, float)):
        values = [values]
    return frozenset(check_count(v, field, low=-(2**62), high=2**62) for v in values)


@dataclass(frozen=True)
class Constraints:
    """What a route may not use or must visit.

    Attributes
    ----------
    avoid_countries
        ISO2 codes: no virtual link touching these countries.
    avoid_passages
        Sea passages (``suez``, ``bosporus``, ``babalmandab``, ``cape``, ``volga_don``, ...).
    avoid_nodes, avoid_links
        Physical node and link ids.
    avoid_services
        Scheduled services (ferry, ro-ro, feeder lines) by ``service_id``; both
        directions of a two-way service are avoided.
    modes
        Allowed modes of movement (``rail``, ``road``, ``sea``, ``ferry``); None = all.
    via
        Places (names or node ids) to visit in order.
    """

    avoid_countries: frozenset[str] = frozenset()
    avoid_passages: frozenset[str] = frozenset()
    avoid_nodes: frozenset[int] = frozenset()
    avoid_links: frozenset[int] = frozenset()
    modes: frozenset[str] | None = None
    via: tuple[Any, ...] = ()
    avoid_services: frozenset[str] = frozenset()

    @classmethod
    def make(
        cls,
        *,
        avoid_countries: Iterable[str] | None = None,
        avoid_passages: Iterable[str] | None = None,
        avoid_nodes: Iterable[int] | None = None,
        avoid_links: Iterable[int] | None = None,
        modes: Iterable[str] | None = None,
        via: Sequence[Any] | None = None,
        avoid_services: Iterable[str] | None = None,
    ) -> Constraints:
        """Build from plain lists (normalises case)."""
        return cls(
            _fs(avoid_countries, upper=True),
            _fs(avoid_passages, lower=True),
            _ids(avoid_nodes, "avoid_nodes"),
            _ids(avoid_links, "avoid_links"),
            None if modes is None else _fs(modes, lower=True),
            tuple(via or ()) if not isinstance(via, (str, int)) else (via,),
            _fs(avoid_services),
        )

    def parts(self) -> list[tuple[str, Constraints]]:
        """Each single restriction, described, with the constraints that remain without it."""
        out = []
        for c in sorted(self.avoid_countries):
            out.append(
                (
                    f"country {c} is avoided",
                    replace(self, avoid_countries=self.avoid_countries - {c}),
                )
            )
        for p in sorted(self.avoid_passages):
            out.append(
                (f"passage {p} is avoided", replace(self, avoid_passages=self.avoid_passages - {p}))
            )
        for n in sorted(self.avoid_nodes):
            out.append((f"node {n} is avoided", replace(self, avoid_nodes=self.avoid_nodes - {n})))
        for n in sorted(self.avoid_links):
            out.append((f"link {n} is avoided", replace(self, avoid_links=self.avoid_links - {n})))
        for s in sorted(self.avoid_services):
            out.append(
                (
                    f"service {s} is avoided",
                    replace(self, avoid_services=self.avoid_services - {s}),
                )
            )
        if self.modes is not None:
            out.append(
                (
                    f"only modes {', '.join(sorted(self.modes))} are allowed",
                    replace(self, modes=None),
                )
            )
        for i, v in enumerate(self.via):
            out.append(
                (f"via point {v} is required", replace(self, via=self.via[:i] + self.via[i + 1 :]))
            )
        return out

    @property
    def empty(self) -> bool:
        return not (
            self.avoid_countries
            or self.avoid_passages
            or self.avoid_nodes
            or self.avoid_links
            or self.avoid_services
            or self.modes is not None
            or self.via
        )


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
        """GeoJSON FeatureCollection: one LineString per movement leg, one Point per event."""
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
                geom = {"type": "LineString", "coordinates": coords}
            elif r.kind == "move":
                nodes = r.node_path
                coords = xy.reindex(nodes).dropna().to_numpy().tolist()
                geom = {"type": "LineString", "coordinates": coords}
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


class Router:
    """Route queries over one routing graph, with cached per-commodity costs.

    One Router may serve many threads at once: searches use per-thread scratch
    arrays, the graph and cost arrays are read-only, and the caches fill under a
    lock. It pickles (for a process pool) without its scratch and lock.

    Examples
    --------
    >>> import pandas as pd
    >>> from serai.network import Network
    >>> from serai.freight import Router, build_routing_graph
    >>> nodes = pd.DataFrame({"node_id": [1, 2, 3], "name": ["A", "B", "C"],
    ...     "x": [0.0, 1.0, 2.0], "y": [0.0, 0.0, 0.0], "country": ["KZ"] * 3})
    >>> links = pd.DataFrame({"link_id": [1, 2, 3, 4], "from_node": [1, 2, 2, 3],
    ...     "to_node": [2, 1, 3, 2], "mode": "rail", "length": [400.0, 400.0, 200.0, 200.0]})
    >>> r = Router(build_routing_graph(Network.from_tables(nodes=nodes, links=links)))
    >>> route = r.route("A", "C", "container", objective="time")
    >>> route.km, route.totals["hours"], route.corridor
    (600.0, 15.0, 'Other land route')
    """

    def __init__(
        self, rg: RoutingGraph, places: PlaceIndex | None = None, *, params: Any = None
    ) -> None:
        self.rg = rg
        self.params = (
            params  # model parameters (None: the network's, freight.params.network_params)
        )
        g = rg.graph
        if places is None:
            pts = rg.network.tables.get("points")
            if pts is not None and "point_id" in pts.columns and len(rg.point_place):
                pts = pts.loc[pts["point_id"].astype(str).isin(rg.point_place.index)]
            else:
                pts = None
            places = PlaceIndex.from_nodes(
                rg.network.nodes, candidates=rg.place_of.index.to_numpy(), points=pts
            )
        self.places = places
        from serai.freight.access import MAX_ACCESS_KM, AccessModel
        from serai.freight.gazetteer import load_gazetteer
        from serai.freight.resolver import PlaceResolver

        self.labels = node_labels(rg.network.nodes, places, gazetteer=load_gazetteer())

        pts_all = rg.network.tables.get("points")
        self.resolver = PlaceResolver(
            places,
            rg.network.nodes,
            pts_all if pts_all is not None and {"point_id", "lat", "lon"} <= set(pts_all) else None,
        )
        self.access = AccessModel(rg)
        self.resolver.reach = partial(_reachable, self.access, MAX_ACCESS_KM)  # picklable
        self._costs: dict[tuple[str, float, str], LinkCosts] = {}
        self._emissions: dict[str, np.ndarray | InputError] = {}
        self._objectives: dict[tuple[str, float, str, str], np.ndarray] = {}
        links = rg.network.links
        self._link_names = (
            pd.Series(links["name"].to_numpy(), index=links["link_id"].to_numpy())
            if "name" in links.columns
            else None
        )
        if self._link_names is not None:
            ln = self._link_names[~self._link_names.index.duplicated()].sort_index()
            self._link_names = (ln.index.to_numpy(np.int64), ln.to_numpy(object))
        self._cols = {
            c: rg.vlinks[c].to_numpy()
            for c in (
                "kind",
                "event",
                "layer",
                "country",
                "from_node",
                "to_node",
                "link_id",
                "passage",
                "service_id",
                "mode",
                "from_country",
                "to_country",
                "km",
            )
        }
        v = rg.vlinks
        # per edge (graph order) crosswalks used by masks
        rows = g.link_rows
        self._e_kind = v["kind"].to_numpy()[rows]
        self._e_mode = v["mode"].to_numpy()[rows]
        codes, uniq = pd.factorize(pd.concat([v["country"], v["from_country"], v["to_country"]]))
        n = len(v)
        self._countries = np.asarray(uniq)
        self._e_c = np.vstack([codes[:n][rows], codes[n : 2 * n][rows], codes[2 * n :][rows]])
        self._e_passage = v["passage"].to_numpy()[rows]
        pc, self._passages = pd.factorize(v["passage"].to_numpy()[rows])
        mc, self._modes = pd.factorize(v["mode"].to_numpy()[rows])
        self._e_passage_code, self._e_mode_code = pc, mc
        self._e_is_move = self._e_kind == "move"
        self._e_from = v["from_node"].to_numpy()[rows]
        self._e_to = v["to_node"].to_numpy()[rows]
        self._e_link = v["link_id"].to_numpy()[rows]
        # service id per edge, both directions of a two-way service under one id
        self._e_service = v["service_id"].str.removesuffix("~r").to_numpy()[rows]
        # search scratch: one set per thread (a Router may be shared by threads)
        self._scratch = tree_scratch(g.n_nodes, g.n_edges)
        self._lock = threading.RLock()  # guards the cost caches
        self._located: dict[tuple, Any] = {}  # located names (a Place is immutable)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        del state["_lock"]
        state.pop("_located", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()
        self._located = {}

    def with_params(self, params: Any) -> Router:
        """A router over the same graph with other model parameters.

        Shares the place index, labels and emissions (which do not depend on the
        parameters); costs are recomputed. Used by the calibration.
        """
        import copy

        r = copy.copy(self)
        r.params = params
        r._costs = {}
        r._objectives = {}
        r._lock = threading.RLock()
        return r

    def __repr__(self) -> str:
        from serai.reprs import router_repr

        return router_repr(self)

    def _repr_html_(self) -> str:
        from serai.reprs import router_html

        return router_html(self)

    # ------------------------------------------------------------------ costs and masks
    def emissions(self, name: str | Commodity) -> np.ndarray | None:
        """kg CO2e (WTW) per unit on every virtual link (cached; None if the factors cannot serve).

        See :func:`serai.emissions.routes.vlink_emissions`.
        """
        c = commodity(name)
        if c.commodity not in self._emissions:
            from serai.emissions.routes import vlink_emissions

            with self._lock:
                if c.commodity not in self._emissions:
                    try:
                        e = vlink_emissions(self.rg, c)
                        e.setflags(write=False)
                        self._emissions[c.commodity] = e
                    except InputError as err:
                        self._emissions[c.commodity] = err
        e = self._emissions[c.commodity]
        return None if isinstance(e, InputError) else e

    def _emissions_error(self, commodity_name: str) -> InputError:
        """A fresh copy of the cached error (one exception object is never raised twice)."""
        return copy.copy(self._emissions[commodity_name])  # type: ignore[return-value]

    def costs(
        self, name: str | Commodity, carbon_price_usd_per_t: float = 0.0, crew: str = "single"
    ) -> LinkCosts:
        """Per-link costs of a commodity, a carbon price (USD/t CO2e) times WTW included.

        ``crew``: ``single`` or ``double`` truck crew under the driving-time rules.
        """
        c = commodity(name)
        price = float(carbon_price_usd_per_t)
        key = (c.commodity, price, crew)
        if key not in self._costs:
            e = self.emissions(c)
            if e is None and price != 0:
                raise self._emissions_error(c.commodity)
            with self._lock:
                if key not in self._costs:
                    self._costs[key] = link_costs(
                        self.rg,
                        c,
                        carbon_price_usd_per_t=price,
                        emissions_kg_per_unit=e,
                        crew=crew,
                        params=self.params,
                    )
        return self._costs[key]

    def place_country(self, place: Any) -> str:
        """Country of a located place (:meth:`locate`) or of a node id / named point."""
        country = getattr(place, "country", "") or ""
        target = getattr(place, "target", place)
        if country or target is None:
            return country
        if isinstance(target, str):
            nid = int(self.rg.vnodes["node_id"].iat[int(self.rg.point_place.loc[target])])
        else:
            nid = int(target)
        return self._node_country().get(nid, "")

    def _node_country(self) -> dict[int, str]:
        if self.__dict__.get("_node_country_map") is None:
            nodes = self.rg.network.nodes
            cc = nodes["country"].fillna("").astype(str) if "country" in nodes else ""
            self._node_country_map = dict(
                zip(nodes["node_id"].astype(np.int64).tolist(), list(cc), strict=False)
            )
        return self._node_country_map

    def costs_from(
        self, place: Any, name: str | Commodity, carbon_price_usd_per_t: float = 0.0,
        crew: str = "single",
    ) -> LinkCosts:  # fmt: skip
        """The costs of routes from ``place``: no import premium when it lies in the zone."""
        from serai.freight.tariffs import starts_in_import_zone

        lc = self.costs(name, carbon_price_usd_per_t, crew)
        if starts_in_import_zone(self.place_country(place)):
            return lc.without_market
        return lc

    def edge_objective(self, lc: LinkCosts, objective: str) -> np.ndarray:
        """Objective per graph edge (cached per commodity, carbon price and objective)."""
        if objective in ("emissions", "co2e") and lc.kg_co2e is None:
            raise self._emissions_error(lc.commodity.commodity)
        key = (lc.commodity.commodity, lc.carbon_price_usd_per_t, lc.crew, lc.variant, objective)
        if key not in self._objectives:
            with self._lock:
                if key not in self._objectives:
                    a = np.ascontiguousarray(lc.objective(objective)[self.rg.graph.link_rows])
                    a.setflags(write=False)
                    self._objectives[key] = a
        return self._objectives[key]

    def mask(self, cons: Constraints) -> np.ndarray:
        """Per-edge True where the constraints allow the link (lookups on integer codes)."""
        ok = np.ones(self.rg.graph.n_edges, dtype=bool)
        if cons.avoid_countries:
            bad = np.isin(np.asarray(self._countries, dtype=object), list(cons.avoid_countries))
            if bad.any():
                ok &= ~bad[self._e_c].any(axis=0)
        passages = set(cons.avoid_passages)
        if cons.avoid_countries:
            # straits and canals in (or between) an avoided country count as that country
            table = passage_countries()
            passages |= {p for p, cs in table.items() if cs & cons.avoid_countries}
        if passages:
            bad = np.isin(np.asarray(self._passages, dtype=object), list(passages))
            if bad.any():
                ok &= ~bad[self._e_passage_code]
        if cons.avoid_nodes:
            nodes = list(cons.avoid_nodes)
            ok &= ~(np.isin(self._e_from, nodes) | np.isin(self._e_to, nodes))
        if cons.avoid_links:
            ok &= ~np.isin(self._e_link, list(cons.avoid_links))
        if cons.avoid_services:
            ok &= ~np.isin(self._e_service, list(cons.avoid_services))
        if cons.modes is not None:
            allowed = np.isin(np.asarray(self._modes, dtype=object), list(cons.modes))
            ok &= ~(self._e_is_move & ~allowed[self._e_mode_code])
        return ok

    # ------------------------------------------------------------------ search
    def _tree(
        self, cost: np.ndarray, source: int, target: int = -1
    ) -> tuple[np.ndarray, np.ndarray]:
        g = self.rg.graph
        dist, pred, order, hk, hv = self._scratch.get()
        k.dijkstra(g.indptr, g.heads, cost, source, target, g.passable, dist, pred, order, hk, hv)
        return dist, pred

    def _edges(self, pred: np.ndarray, s: int, t: int) -> np.ndarray:
        return k.trace(pred, self.rg.graph.tails, s, t)

    def _search(
        self, cost: np.ndarray, o_place: int, d_place: int, via_places: Sequence[int]
    ) -> np.ndarray | None:
        """Least-cost edge sequence from place to place through via places (None if none)."""
        if not via_places:
            dist, pred = self._tree(cost, o_place, d_place)
            if not np.isfinite(dist[d_place]):
                return None
            return self._edges(pred, o_place, d_place)
        # dynamic programme over the layer nodes of each via point
        rg = self.rg
        starts: dict[int, tuple[float, list[np.ndarray]]] = {o_place: (0.0, [])}
        stops = [self._layer_vnodes(p) for p in via_places] + [np.array([d_place])]
        for targets in stops:
            best: dict[int, tuple[float, list[np.ndarray]]] = {}
            for s, (c0, path) in starts.items():
                dist, pred = self._tree(cost, s)
                for t in targets:
                    t = int(t)
                    if np.isfinite(dist[t]) and (t not in best or c0 + dist[t] < best[t][0]):
                        best[t] = (c0 + float(dist[t]), [*path, self._edges(pred, s, t)])
            if not best:
                return None
            starts = best
        _, parts = starts[int(d_place)]
        del rg
        return np.concatenate(parts) if parts else np.empty(0, np.int64)

    def _layer_vnodes(self, place_vnode: int) -> np.ndarray:
        g = self.rg.graph
        out = g.heads[g.indptr[place_vnode] : g.indptr[place_vnode + 1]]
        return np.asarray(out, np.int64)

    # ------------------------------------------------------------------ public API
    def locate(self, place: Any, country: str | None = None) -> Any:
        """The :class:`~serai.freight.resolver.Place` a name, alias, LOCODE, "lat,lon" or id names.

        Names resolve over the network's own places and the gazetteer (any script, old names,
        common spellings); an ambiguous name picks the place on the network, else the largest,
        and the Place lists the others (``"Suzhou, Anhui"`` or ``country`` choose another).
        A place with ``target=None`` is off the network: routes reach it by a road leg.

        Examples
        --------
        >>> from serai.data import load_network
        >>> from serai.freight import Router, build_routing_graph
        >>> router = Router(build_routing_graph(load_network()))
        >>> p = router.locate("Алматы")
        >>> p.name, p.country, p.on_network
        ('Almaty', 'KZ', True)
        """
        key = (place, country) if isinstance(place, str) else None
        memo = self.__dict__.get("_located")
        if key is not None and memo is not None:
            hit = memo.get(key)
            if hit is not None:
                return hit
        p = self.resolver.locate(place, country=country)
        if p.target is not None and not self._in_graph(p.target):
            from dataclasses import replace as _replace

            p = _replace(p, target=None)  # not usable in this year: reached by road
        if key is not None and memo is not None:
            if len(memo) >= _MAX_LOCATED:
                memo.clear()
            memo[key] = p
        return p

    def _in_graph(self, target: Any) -> bool:
        if isinstance(target, str):
            return target in self.rg.point_place.index
        return int(target) in self.rg.place_of.index

    def resolve(self, place: Any) -> int | str:
        """Node id (int) or named point (str) of a place (name, alias, LOCODE, "lat,lon" or id)."""
        if not isinstance(place, (int, np.integer, tuple)) and not _is_coord(place):
            p = self.locate(place)
            if p.target is None:
                near, km = self.places.snap(p.lat, p.lon)
                raise InputError(
                    f"{p.label} is not a place on the network (routes reach it by a first/last-"
                    f"mile road leg, but a via point must be on the network); the nearest "
                    f"network place is {access.network_name(self, near)} ({km:,.0f} km)",
                    field="place",
                )
            return p.target
        target = self.places.resolve(place)
        ok = (
            target in self.rg.point_place.index
            if isinstance(target, str)
            else int(target) in self.rg.place_of.index
        )
        if not ok:
            raise InputError(
                f"place '{place}' ({target}) is not on the routing graph", field="place"
            )
        return target

    def route(
        self,
        origin: Any,
        destination: Any,
        commodity_name: str | Commodity = "container_feu",
        *,
        objective: str = "generalised",
        constraints: Constraints | None = None,
        carbon_price_usd_per_t: float = 0.0,
        crew: str = "single",
        **kw: Any,
    ) -> Route:
        """Best route under the constraints (keyword shortcuts build :class:`Constraints`).

        ``objective`` is ``time``, ``cost``, ``generalised`` or ``emissions`` (least WTW
        kg CO2e); ``carbon_price_usd_per_t`` adds price x WTW to the generalised cost
        (shown as ``totals["usd_carbon"]``); ``crew`` is the truck crew (``single`` or
        ``double``) under the driving-time rules.

        Raises
        ------
        InputError
            Unknown place (with suggestions), commodity or objective.
        NoRouteError
            No route; the message names the constraint that cut it.
        """
        from serai.freight.checks import check_query

        cons = constraints if constraints is not None else Constraints.make(**kw)
        check_query(self, cons, objective=objective, carbon_price=carbon_price_usd_per_t)
        op, dp = self.locate(origin), self.locate(destination)
        lc = self.costs_from(op, commodity_name, carbon_price_usd_per_t, crew)
        if op.target is not None and op.target == dp.target:
            raise InputError("origin and destination are the same place", field="destination")
        via = [self.rg.place(self.resolve(v)) for v in cons.via]
        base = self.edge_objective(lc, objective)
        cost = base if cons.empty else np.where(self.mask(cons), base, np.inf)
        return self._route_places(op, dp, lc, objective, cons, cost, via)

    def _route_places(
        self, op: Any, dp: Any, lc: LinkCosts, objective: str, cons: Constraints,
        cost: np.ndarray, via: list[int],
    ) -> Route:  # fmt: skip
        """Best route between two located places (first/last-mile legs when off the network)."""
        starts = access.endpoints(self, op, "first", lc, cons)
        ends = access.endpoints(self, dp, "last", lc, cons)
        best = access.best_pair(self, cost, starts, ends, via, objective)
        o = op.target if op.target is not None else starts[0][0].node_id
        d = dp.target if dp.target is not None else ends[0][0].node_id
        if best is None:
            raise self._diagnose(o, d, lc, objective, cons, ends=(starts, ends, op, dp))
        edges, first, last = best
        o = op.target if first is None else first.node_id
        d = dp.target if last is None else last.node_id
        r = self._make_route(edges, o, d, lc, objective, cons)
        return access.splice(r, first, last, op, dp)

    def _diagnose(
        self, o: Any, d: Any, lc: LinkCosts, objective: str, cons: Constraints,
        ends: Any = None,
    ) -> NoRouteError:  # fmt: skip
        on, dn = self.places.name(o) or str(o), self.places.name(d) or str(d)
        base = self.edge_objective(lc, objective)
        if ends is not None:  # located places, possibly off the network
            starts, stops, op, dp = ends
            on, dn = op.label, dp.label
            po, pd_ = starts[0][1], stops[0][1]
        else:
            po, pd_ = self.rg.place(o), self.rg.place(d)

        def reachable(c: Constraints) -> bool:
            via = [self.rg.place(self.resolve(v)) for v in c.via]
            return self._search(np.where(self.mask(c), base, np.inf), po, pd_, via) is not None

        culprits = [(desc, rest) for desc, rest in cons.parts() if reachable(rest)]
        avoided = [d.removesuffix(" is avoided") for d, _ in culprits if d.endswith(" is avoided")]
        other = [d for d, _ in culprits if not d.endswith(" is avoided")]
        if avoided and not other:
            what = avoided[0] if len(avoided) == 1 else "one of " + ", ".join(avoided)
            which = "which is" if len(avoided) == 1 else "all"
            return NoRouteError(
                f"no route from {on} to {dn}: every route needs {what}, {which} avoided",
                culprits[0][0],
            )
        if culprits:
            descs = "; ".join(d for d, _ in culprits)
            return NoRouteError(
                f"no route from {on} to {dn}: dropping any one of these would give one: {descs}",
                culprits[0][0],
            )
        if not cons.empty and reachable(Constraints()):
            return NoRouteError(
                f"no route from {on} to {dn}: the constraints together cut every route "
                "(no single one does)",
                "combination",
            )
        # the commodity's own rules?
        any_cost = np.where(np.isfinite(lc.hours), 1.0, 1.0)[self.rg.graph.link_rows]
        if self._search(np.where(self.mask(cons), any_cost, np.inf), po, pd_, []) is not None:
            c = lc.commodity
            return NoRouteError(
                f"no route from {on} to {dn} for {c.commodity}: only by modes, services or transfer "
                f"points it may not use (modes {';'.join(c.modes)}, services {';'.join(c.service_modes)}"
                + (f", transfers at {';'.join(c.transfer_kinds)}" if c.transfer_kinds else "")
                + ")",
                "commodity",
            )
        return NoRouteError(
            f"no route from {on} to {dn}: they are not connected in the network"
            f" (year {self.rg.year})",
            "network",
        )

    def alternatives(
        self,
        origin: Any,
        destination: Any,
        commodity_name: str | Commodity = "container_feu",
        *,
        k: int = 3,
        objective: str = "generalised",
        penalty: float = 1.0,
        max_overlap: float = 0.6,
        max_iter: int | None = None,
        distinct_corridors: bool = False,
        constraints: Constraints | None = None,
        carbon_price_usd_per_t: float = 0.0,
        crew: str = "single",
        **kw: Any,
    ) -> list[Route]:
        """Up to ``k`` distinct routes by the penalty method.

        After each search the movement links of the route found get their cost
        multiplied by ``1 + penalty``; a new route is kept when at most
        ``max_overlap`` of its km is shared with any route already kept. Routes
        are reported at their true (unpenalised) cost, best first. With
        ``distinct_corridors`` a route is also dropped when its corridor label is
        already taken.
        """
        from serai.freight.checks import MAX_ALTERNATIVES, check_count, check_number

        k = check_count(k, "k", 1, MAX_ALTERNATIVES)
        penalty = check_number(penalty, "penalty", strict=True, high=1e6)
        max_overlap = check_number(max_overlap, "max_overlap", high=1.0)
        if max_iter is not None:
            max_iter = check_count(max_iter, "max_iter", 1, 100 * MAX_ALTERNATIVES)
        cons = constraints if constraints is not None else Constraints.make(**kw)
        first = self.route(
            origin,
            destination,
            commodity_name,
            objective=objective,
            constraints=cons,
            carbon_price_usd_per_t=carbon_price_usd_per_t,
            crew=crew,
        )
        lc = self.costs_from(self.locate(origin), commodity_name, carbon_price_usd_per_t, crew)
        o, d = first.origin, first.destination
        po, pd_ = access.end_vnodes(self, first)
        via = [self.rg.place(self.resolve(v)) for v in cons.via]
        base = np.where(self.mask(cons), self.edge_objective(lc, objective), np.inf)
        km_e = self.rg.graph.edge_values(self.rg.vlinks["km"].to_numpy(float))
        move_e = self._e_kind == "move"
        routes = [first]
        used = [self._edges_of(first)]
        factor = np.ones_like(base)
        for e in used[0]:
            factor[e] *= 1 + penalty
        for _ in range(max_iter or (12 * k if distinct_corridors else 4 * k)):
            if len(routes) >= k:
                break
            edges = self._search(base * factor, po, pd_, via)
            if edges is None:
                break
            es = np.asarray(edges)
            mv = es[move_e[es]]
            tot = km_e[mv].sum()
            ok = True
            for u in used:
                shared = km_e[np.intersect1d(mv, u)].sum()
                if tot > 0 and shared / tot > max_overlap:
                    ok = False
                    break
            factor[mv] *= 1 + penalty
            if ok:
                r = access.like(self._make_route(es, o, d, lc, objective, cons), first)
                if distinct_corridors and r.corridor in {x.corridor for x in routes}:
                    continue
                routes.append(r)
                used.append(mv)
        key = {"time": "hours", "cost": "usd", "emissions": "co2e_kg", "co2e": "co2e_kg"}.get(
            objective, "gc_usd"
        )
        return sorted(routes, key=lambda r: r.totals[key])

    def _edges_of(self, r: Route) -> np.ndarray:
        g = self.rg.graph
        pos = np.empty(len(g.link_rows), np.int64)
        pos[g.link_rows] = np.arange(len(g.link_rows))
        e = pos[r.vlink_rows]
        return e[self._e_kind[e] == "move"]

    def pareto(
        self,
        origin: Any,
        destination: Any,
        commodity_name: str | Commodity = "container_feu",
        *,
        constraints: Constraints | None = None,
        max_routes: int = 12,
        method: str = "labels",
        max_labels: int = 2_000_000,
        crew: str = "single",
        **kw: Any,
    ) -> list[Route]:
        """Pareto-optimal routes for (time, money), fastest first.

        ``method="labels"`` (default): bi-objective label setting (Martins'
        algorithm, numba) finds every Pareto-optimal route, supported or not;
        when more than ``max_labels`` labels would be needed, or with via points,
        it falls back to ``"nise"``. At most ``max_routes`` routes are returned
        (evenly spread over the frontier when there are more).

        ``method="nise"``: supported points only, as follows.

        Non-inferior set estimation (NISE, Cohon 1978): start from the fastest and
        the cheapest route; between two neighbours, minimise the weighted sum
        whose weights are normal to the segment joining them; keep the new route
        if it lies strictly below the segment, and recurse. This finds every
        route on the convex hull of the time-cost frontier (not routes in its
        concave gaps).
        """
        from serai.freight.checks import check_count, check_query

        max_routes = check_count(max_routes, "max_routes", 1, 1000)
        max_labels = check_count(max_labels, "max_labels", 1, 10**9)
        cons = constraints if constraints is not None else Constraints.make(**kw)
        check_query(self, cons)
        op, dp = self.locate(origin), self.locate(destination)
        lc = self.costs_from(op, commodity_name, 0.0, crew)
        # off the network: the first/last-mile legs of the best generalised route, held fixed
        ref = self.route(op, dp, commodity_name, constraints=cons, crew=crew)
        o, d = ref.origin, ref.destination
        po, pd_ = access.end_vnodes(self, ref)
        via = [self.rg.place(self.resolve(v)) for v in cons.via]
        mask = self.mask(cons)
        h = np.ascontiguousarray(lc.hours[self.rg.graph.link_rows])
        u = np.ascontiguousarray(lc.usd[self.rg.graph.link_rows])
        allowed = lc.allowed[self.rg.graph.link_rows] & mask

        def solve(wh: float, wu: float) -> tuple[float, float, np.ndarray] | None:
            c = np.where(allowed, wh * h + wu * u, np.inf)
            e = self._search(c, po, pd_, via)
            if e is None:
                return None
            return float(h[e].sum()), float(u[e].sum()), e

        if method not in ("labels", "nise"):
            raise InputError(
                f"unknown Pareto method '{method}'; use labels or nise", field="method"
            )
        if method == "labels" and not via:
            from serai.freight._pareto import pareto_labels, trace_labels

            g = self.rg.graph
            w1 = np.where(allowed, h, np.inf)
            w2 = np.where(allowed, u, np.inf)
            used, tl, c1, _c2, pred, edge = pareto_labels(
                g.indptr, g.heads, w1, w2, po, pd_, g.passable, int(max_labels)
            )
            if used >= 0:
                if not len(tl):
                    raise self._diagnose(o, d, lc, "time", cons)
                order = np.argsort(c1[tl], kind="stable")
                tl = tl[order]
                if len(tl) > max_routes:
                    tl = tl[np.unique(np.linspace(0, len(tl) - 1, max_routes).round().astype(int))]
                return [
                    access.like(
                        self._make_route(trace_labels(int(t), pred, edge), o, d, lc, "pareto",
                                         cons), ref)
                    for t in tl
                ]  # fmt: skip
        a = solve(1.0, 1e-6)
        if a is None:
            raise self._diagnose(o, d, lc, "time", cons)
        b = solve(1e-6, 1.0)
        pts = {(round(a[0], 6), round(a[1], 6)): a}
        if b is not None:
            pts[(round(b[0], 6), round(b[1], 6))] = b
        stack = [(a, b)] if b is not None else []
        while stack and len(pts) < max_routes:
            p, q = stack.pop()
            wh, wu = p[1] - q[1], q[0] - p[0]  # normal to the segment p-q
            if wh <= 0 or wu <= 0:
                continue
            r = solve(wh, wu)
            if r is None:
                continue
            if wh * r[0] + wu * r[1] < wh * p[0] + wu * p[1] - 1e-9 * (
                abs(wh * p[0]) + abs(wu * p[1])
            ):
                key = (round(r[0], 6), round(r[1], 6))
                if key not in pts:
                    pts[key] = r
                    stack += [(p, r), (r, q)]
        routes = [
            access.like(self._make_route(e, o, d, lc, "pareto", cons), ref)
            for _, _, e in pts.values()
        ]
        return sorted(routes, key=lambda r: r.totals["hours"])

    # ------------------------------------------------------------------ read back
    def _line_names(self, rows: np.ndarray) -> set[str]:
        """Names of the physical links used (for named lines such as ``cku``)."""
        if self._link_names is None:
            return set()
        ids = self._cols["link_id"][rows]
        ids = np.unique(ids[ids >= 0])
        keys, names = self._link_names
        pos = np.clip(np.searchsorted(keys, ids), 0, max(len(keys) - 1, 0))
        hit = keys[pos] == ids if len(keys) else np.zeros(len(ids), bool)
        return {str(x) for x in names[pos[hit]] if isinstance(x, str) and x}

    def _make_route(
        self, edges: np.ndarray, o: Any, d: Any, lc: LinkCosts, objective: str, cons: Constraints
    ) -> Route:
        rows = self.rg.graph.link_rows[np.asarray(edges, np.int64)]
        em = lc.kg_co2e
        rc = route_components(lc, rows, self._cols["kind"][rows], self._cols["mode"][rows])
        cols = _legs(self._cols, rows, rc, self.labels, em)
        c = lc.commodity
        move = cols["kind"] == "move"
        lkm, lmode = np.asarray(cols["km"], float), cols["mode"]
        lcountry, lsvc = cols["country"], cols["service_id"]
        km = float(lkm[move].sum())
        sea_km = float(lkm[move & (lmode == "sea")].sum())
        totals = {
            "km": km,
            **route_totals(*rc, c.vot_usd_per_unit_h, float(lc.carbon_usd[rows].sum())),
            "co2e_kg": float(em[rows].sum()) if em is not None else float("nan"),
        }
        countries = tuple(dict.fromkeys(x for x in lcountry[move] if x))
        passages = tuple(dict.fromkeys(p for p in self._cols["passage"][rows] if p))
        services = tuple(dict.fromkeys(x for x in lsvc[move] if x))
        ferry_pairs = _water_crossings(cols)
        lines = self._line_names(rows)
        label = corridor_label(countries, passages, ferry_pairs, sea_km / km if km else 0.0, lines)
        return Route(
            origin=o,
            destination=d,
            origin_name=self.places.name(o) or str(o),
            destination_name=self.places.name(d) or str(d),
            commodity=c.commodity,
            unit=c.unit,
            objective=objective,
            vlink_rows=rows,
            leg_data=MappingProxyType(cols),
            totals=MappingProxyType(totals),
            corridor=label,
            countries=countries,
            passages=passages,
            services=services,
            constraints=cons,
            routing_graph=self.rg if em is not None else None,
            pricing=(self.rg, c, lc.crew, lc.params),
        )


def _is_coord(place: Any) -> bool:
    from serai.freight.places import _COORD

    return isinstance(place, str) and bool(_COORD.match(place))


def _reachable(access: Any, max_km: float, lat: float, lon: float) -> bool:
    """Whether a first/last-mile leg from (lat, lon) reaches the network."""
    return access.nearest_km(lat, lon) <= max_km


def _water_crossings(legs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(country before, country after) of every stretch of sea or ferry legs."""
    out = []
    before = ""
    inside = False
    for kind, mode, c in zip(legs["kind"], legs["mode"], legs["country"], strict=True):
        if kind == "move" and mode in ("sea", "ferry"):
            inside = True
            continue
        if inside and c:
            out.append((before, c))
        inside = False
        before = c or before
    return out


def node_labels(
    nodes: pd.DataFrame, places: PlaceIndex, within_km: float = 150.0, gazetteer: Any = None
) -> pd.Series:
    """A label for every node: its name, else "near <closest named place>", else lat,lon.

    With a ``gazetteer`` (:class:`~serai.freight.gazetteer.Gazetteer`), an unnamed node within
    40 km of a populated place is "near <that place>" first.
    """
    ids = nodes["node_id"].to_numpy(np.int64)
    name = (
        nodes["name"].fillna("").astype(str).to_numpy(object)
        if "name" in nodes
        else np.full(len(ids), "", object)
    )
    out = name.copy()
    missing = out == ""
    x = pd.to_numeric(
        nodes.get("x", pd.Series(np.nan, index=nodes.index)), errors="coerce"
    ).to_numpy(float)
    y = pd.to_numeric(
        nodes.get("y", pd.Series(np.nan, index=nodes.index)), errors="coerce"
    ).to_numpy(float)
    if gazetteer is not None and missing.any():
        from serai.freight.gazetteer import chord_km
        from serai.freight.places import _unit

        ok = missing & np.isfinite(x) & np.isfinite(y)
        chord, i = gazetteer.tree.query(_unit(y[ok], x[ok]), k=8)
        good = (chord_km(chord) <= 40.0) & (gazetteer.population[i] > 0)
        first = np.argmax(good, axis=1)  # nearest populated place (ports have no population)
        pick = i[np.arange(len(i)), first]
        has = good[np.arange(len(i)), first]
        pname = gazetteer.places["name"].to_numpy(object)[pick].astype(str)
        out[ok] = np.where(has, np.char.add("near ", pname), "").astype(object)
        missing = out == ""
    named = np.array([bool(places.name(t)) for t in places.targets], dtype=bool)
    if missing.any() and named.any():
        from scipy.spatial import cKDTree

        from serai.freight.places import EARTH_KM, _unit

        tree = cKDTree(places.xyz[named])
        tnames = np.array([places.name(t) for t in places.targets[named]], dtype=object)
        ok = missing & np.isfinite(x) & np.isfinite(y)
        chord, i = tree.query(_unit(y[ok], x[ok]))
        km = 2 * EARTH_KM * np.arcsin(np.minimum(1.0, chord / 2))
        lab = np.where(km <= within_km, "near " + tnames[i].astype(str), "")
        out[ok] = lab
    still = (out == "") & np.isfinite(x) & np.isfinite(y)
    out[still] = [f"{b:.2f},{a:.2f}" for a, b in zip(x[still], y[still], strict=True)]
    return pd.Series(out, index=ids).sort_index()


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


_MAX_LOCATED = 4096  # names remembered per Router
_LABEL_ARRAYS: dict[int, tuple[pd.Series, np.ndarray, np.ndarray]] = {}


def _label_arrays(labels: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(ids, labels) of a labels Series as numpy arrays, converted once per Series (a str
    Series of 18,000 labels takes milliseconds to convert: once per route was the cost)."""
    hit = _LABEL_ARRAYS.get(id(labels))
    if hit is None or hit[0] is not labels:
        hit = (labels, labels.index.to_numpy(), labels.to_numpy())
        if len(_LABEL_ARRAYS) >= 16:
            _LABEL_ARRAYS.clear()
        _LABEL_ARRAYS[id(labels)] = hit
    return hit[1], hit[2]


def _label_of(labels: pd.Series, ids: np.ndarray) -> np.ndarray:
    """Labels of node ids (labels indexed by sorted node id)."""
    idx, all_labels = _label_arrays(labels)
    pos = np.clip(np.searchsorted(idx, ids), 0, len(idx) - 1)
    vals = all_labels[pos]
    return np.where(idx[pos] == ids, vals, "")


def _legs(
    cols: Mapping[str, np.ndarray],
    rows: np.ndarray,
    rc: tuple[np.ndarray, np.ndarray, np.ndarray],
    labels: pd.Series,
    kg_co2e: np.ndarray | None = None,
) -> dict[str, Any]:
    """Group the virtual links of a route into movement legs and hub events (numpy, no groupby).

    ``rc`` is :func:`~serai.freight.routecost.route_components` of the rows.
    """
    comps, hb, ub = rc
    kind = cols["kind"][rows].copy()
    hours = comps[: len(TIME)].sum(axis=0)
    usd = comps[len(TIME) :].sum(axis=0)
    event = cols["event"][rows]
    ends = (kind == "access") | (kind == "egress")
    co2 = kg_co2e[rows] if kg_co2e is not None else np.full(len(rows), np.nan)
    free = (hours == 0) & (usd == 0) & ~(co2 > 0)
    kind[ends] = np.where(event[ends] != "", event[ends], "transfer")
    # events with neither time nor money (alighting a rail ferry) carry no information
    keep = ~((ends | (kind == "alight")) & free)
    r = rows[keep]
    kind, hours, usd, event, co2 = kind[keep], hours[keep], usd[keep], event[keep], co2[keep]
    comps, hb, ub = comps[:, keep], hb[:, keep], ub[:, keep]
    if not len(r):
        empty = {c: np.empty(0, dtype=object) for c in _LEG_COLUMNS}
        empty["km"] = np.empty(0)
        return empty
    layer, country = cols["layer"][r], cols["country"][r]
    is_move = kind == "move"
    same = np.r_[False, (layer[1:] == layer[:-1]) & (country[1:] == country[:-1])]
    brk = ~(is_move & np.r_[False, is_move[:-1]] & same)
    start = np.flatnonzero(brk)
    last = np.r_[start[1:], len(r)] - 1
    fn, tn = cols["from_node"][r], cols["to_node"][r]
    lid, psg = cols["link_id"][r], cols["passage"][r]
    svc = np.char.replace(cols["service_id"][r[start]].astype(str), "~r", "")
    mode = cols["mode"][r[start]].copy()
    k0 = kind[start]
    mv = k0 == "move"
    mode[mv & (svc != "")] = "ferry"
    fc, tc = cols["from_country"][r[start]], cols["to_country"][r[last]]
    ev0 = event[start]
    ev_txt = np.where(
        mv,
        "",
        np.where(
            k0 == "border",
            np.char.add(
                np.char.add(
                    np.char.add(np.char.add("border ", fc.astype(str)), ">"), tc.astype(str)
                ),
                np.char.add(np.char.add(" (", ev0.astype(str)), ")"),
            ),
            np.where(
                (ev0 != "") & (ev0 != k0),
                np.char.add(np.char.add(k0.astype(str), ":"), ev0.astype(str)),
                k0,
            ),
        ),
    )
    link_ids, node_path, passages = [], [], []
    for a, b in zip(start, last + 1, strict=True):
        ids = lid[a:b]
        link_ids.append(ids[ids >= 0].tolist())
        node_path.append(list(dict.fromkeys(np.column_stack([fn[a:b], tn[a:b]]).ravel().tolist())))
        passages.append(";".join(dict.fromkeys(x for x in psg[a:b] if x)))
    from_node, to_node = fn[start], tn[last]
    data = {
        "seq": np.arange(len(start)),
        "kind": k0,
        "mode": mode,
        "layer": layer[start],
        "service_id": svc,
        "from_node": from_node,
        "to_node": to_node,
        "from_name": _label_of(labels, np.asarray(from_node, np.int64)),
        "to_name": _label_of(labels, np.asarray(to_node, np.int64)),
        "country": country[start],
        "from_country": fc,
        "to_country": tc,
        "passage": passages,
        "km": np.add.reduceat(cols["km"][r], start),
        "hours": np.add.reduceat(hours, start),
        "wait_h": np.add.reduceat(
            comps[TIME.index("schedule")] + comps[TIME.index("queue")], start
        ),
        "usd": np.add.reduceat(usd, start),
        "co2e_kg": np.add.reduceat(co2, start),
        "event": ev_txt,
        "link_ids": link_ids,
        "node_path": node_path,
        **leg_columns(comps, hb, ub, start),
    }
    return data
