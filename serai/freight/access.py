"""First and last mile: a road leg between a place off the network and the network.

A place that is not a node or named point of the loaded network (a city of the gazetteer, a
coordinate) reaches the network by truck. The leg runs to the nearest **road** node (the
truck drives on over the network; every later mode change is a hub link of the routing graph)
or to the nearest **rail** node (the load is transferred to rail there, at the commodity's
road–rail ``transfer`` hours and USD and the ``rail_terminal_transshipment`` emissions: an
estimate that a freight station lies near that node). Both are tried; the search keeps the
cheaper whole route under the objective asked for.

Nodes in the place's own country are preferred; when the nearest one in the country is
farther than ``MAX_ACCESS_KM`` (or the country has none), a node across the border may serve,
with a road border crossing on the leg (none inside the EU, ``border_union`` inside the EAEU).

The leg's km is the great-circle distance times ``DETOUR_FACTOR`` (an estimate, 1.3; on the
OSM main-road graph the ratio of road to great-circle km is 1.25 at the median, quartiles
1.14–1.46, for 400 pairs 10–300 km apart: ``benchmarks/freight/detour_factor.py``);
its hours and USD come from the time and tariff models (:mod:`serai.freight.accesscost`:
driving at ``road.speed``, rests under the driving-time rules for the route's crew, the road
rate; road border sides per country and direction; a transfer to rail waits for the block
train), its emissions from the road transport operation category of the country (ISO 14083,
the same factor tables as the network's road links). The legs appear in the route's legs table (``event``
``first mile`` / ``last mile``), its totals, its JSON and its emissions footprint.

A leg never runs straight over the sea (sampled every 4 km on the land grid, one 0.05° cell of
tolerance: a strait with a bridge is land, the English Channel is not). Farther than
``MAX_ACCESS_KM`` from every usable node, the place is an error that names the nearest place
on the network.

How a route uses these legs (start and end candidates, splicing) is in
:mod:`serai.freight.ends`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from serai.errors import InputError
from serai.freight.gazetteer import _unit, chord_km
from serai.freight.nearest import NearestIndex
from serai.freight.resolver import Place

__all__ = ["DETOUR_FACTOR", "DETOUR_SOURCE", "MAX_ACCESS_KM", "AccessLeg", "AccessModel"]

DETOUR_FACTOR = 1.3
DETOUR_SOURCE = (
    "estimate: road km = great-circle km x 1.3 (researcher estimate); checked against the "
    "OSM main-road graph of tools/data/raw (400 node pairs 10-300 km apart in the corridor: "
    "median ratio 1.25, quartiles 1.14-1.46; benchmarks/freight/detour_factor.py)"
)
MAX_ACCESS_KM = 300.0  # great-circle km: farther than this a place is off the network


@dataclass(frozen=True)
class AccessLeg:
    """A first- or last-mile road leg (and the hub events at its network end)."""

    side: str  # "first" | "last"
    place: Place
    vnode: int  # layer vnode of the routing graph where the leg meets the network
    node_id: int
    node_name: str
    node_country: str
    layer: str  # "road" or a rail layer
    node_lat: float
    node_lon: float
    gc_km: float
    km: float
    hours_motion: float
    usd_tariff: float
    co2e_kg_road: float
    # (event, hours, usd, kg CO2e, HOC id, components) at the network node: border, transfer
    events: tuple[tuple[str, float, float, float, str, dict], ...] = field(default=())
    vot_usd_per_h: float = 0.0
    carbon_price_usd_per_t: float = 0.0
    hours_rest: float = 0.0  # truck drivers' breaks and rests (driving-time rules)
    hours_by_basis: tuple[float, float, float] = (0.0, 0.0, 0.0)  # measured, calibrated, est.
    usd_by_basis: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def hours_hub(self) -> float:
        return float(sum(e[1] for e in self.events))

    @property
    def usd_hub(self) -> float:
        return float(sum(e[2] for e in self.events))

    @property
    def hours(self) -> float:
        return self.hours_motion + self.hours_rest + self.hours_hub

    def component(self, name: str) -> float:
        """Sum of a time or money component over the leg's events (``hours_dwell``, ...)."""
        return float(sum(e[5].get(name, 0.0) for e in self.events))

    @property
    def usd(self) -> float:
        return self.usd_tariff + self.usd_hub

    @property
    def co2e_kg(self) -> float:
        return self.co2e_kg_road + float(sum(e[3] for e in self.events))

    @property
    def carbon_usd(self) -> float:
        co2 = self.co2e_kg
        return co2 / 1000.0 * self.carbon_price_usd_per_t if co2 == co2 else 0.0

    @property
    def gc_usd(self) -> float:
        return self.usd + self.carbon_usd + self.hours * self.vot_usd_per_h

    def objective(self, name: str) -> float:
        """The leg's value under a route objective (as :meth:`LinkCosts.objective`), made
        once per leg and objective (a leg is frozen; remembered legs serve many searches)."""
        memo = self.__dict__.get("_objectives")
        if memo is None:
            memo = {}
            object.__setattr__(self, "_objectives", memo)  # not a field: eq, hash ignore it
        got = memo.get(name)
        if got is None:
            got = memo[name] = self._objective(name)
        return got

    def _objective(self, name: str) -> float:
        if name == "time":
            return self.hours + 1e-6 * self.usd
        if name == "cost":
            return self.usd + 1e-6 * self.hours
        if name in ("emissions", "co2e"):
            return (self.co2e_kg if self.co2e_kg == self.co2e_kg else 0.0) + 1e-6 * self.hours
        return self.gc_usd

    def rows(self) -> list[dict[str, Any]]:
        """Rows of the route's legs table, in travel order."""
        pl = self.place
        move = {
            "kind": "move",
            "mode": "road",
            "layer": "road",
            "service_id": "",
            "from_node": -1 if self.side == "first" else self.node_id,
            "to_node": self.node_id if self.side == "first" else -1,
            "from_name": pl.label if self.side == "first" else self.node_name,
            "to_name": self.node_name if self.side == "first" else pl.label,
            "country": pl.country,
            "from_country": pl.country if self.side == "first" else self.node_country,
            "to_country": self.node_country if self.side == "first" else pl.country,
            "passage": "",
            "km": self.km,
            "hours": self.hours_motion + self.hours_rest,
            "wait_h": 0.0,
            "usd": self.usd_tariff,
            "co2e_kg": self.co2e_kg_road,
            "event": f"{self.side} mile by truck (est.)",
            "link_ids": [],
            "node_path": [],
            **_zero_components(),
            "hours_motion": self.hours_motion,
            "hours_rest": self.hours_rest,
            "usd_tariff": self.usd_tariff,
            "time_basis": "estimate",
            "money_basis": "estimate",
            "share_hours_estimate": 1.0,
            "share_usd_estimate": 1.0,
        }
        hubs = []
        for ev, h, u, kg, _hoc, comps in self.events:
            hubs.append(
                {
                    **move,
                    **_zero_components(),
                    **comps,
                    "kind": "border" if ev.startswith("border") else "transfer",
                    "mode": "transfer",
                    "layer": self.layer if ev == "transfer" else "road",
                    "from_node": self.node_id,
                    "to_node": self.node_id,
                    "from_name": self.node_name,
                    "to_name": self.node_name,
                    "country": self.node_country,
                    "from_country": pl.country if self.side == "first" else self.node_country,
                    "to_country": self.node_country if self.side == "first" else pl.country,
                    "km": 0.0,
                    "hours": h,
                    "usd": u,
                    "co2e_kg": kg,
                    "event": (
                        f"border {pl.country}>{self.node_country} ({ev})"
                        if ev.startswith("border") and self.side == "first"
                        else f"border {self.node_country}>{pl.country} ({ev})"
                        if ev.startswith("border")
                        else f"transfer road>{self.layer.split(':')[0]}"
                        if self.side == "first"
                        else f"transfer {self.layer.split(':')[0]}>road"
                    ),
                }
            )
        return [move, *hubs] if self.side == "first" else [*hubs[::-1], move]

    def emission_rows(self) -> list[dict[str, Any]]:
        """Elements of the ISO 14083 chain (a road TCE and the hub HOCs), in travel order."""
        pl = self.place
        tce = {
            "element": "tce",
            "mode": "road",
            "toc": "",
            "hoc": "",
            "from_name": pl.label if self.side == "first" else self.node_name,
            "to_name": self.node_name if self.side == "first" else pl.label,
            "km": self.km,
            "country": pl.country,
            "electrified_share": math.nan,
        }
        hocs = [
            {**tce, "element": "hoc", "mode": "transfer", "hoc": hoc, "from_name": self.node_name,
             "to_name": "", "km": 0.0, "country": self.node_country}
            for _ev, _h, _u, _kg, hoc, _c in self.events
        ]  # fmt: skip
        return [tce, *hocs] if self.side == "first" else [*hocs[::-1], tce]

    def to_dict(self) -> dict[str, Any]:
        return {
            "side": self.side,
            "place": self.place.label,
            "node_id": self.node_id,
            "node": self.node_name,
            "layer": self.layer,
            "great_circle_km": round(self.gc_km, 3),
            "km": round(self.km, 3),
            "detour_factor": DETOUR_FACTOR,
            "hours": round(self.hours, 4),
            "usd": round(self.usd, 4),
            "co2e_kg": None if self.co2e_kg != self.co2e_kg else round(self.co2e_kg, 4),
            "events": [e[0] for e in self.events],
            "source": DETOUR_SOURCE,
        }


class AccessModel:
    """Road and rail layer nodes of a routing graph, indexed for first/last-mile legs.

    Immutable after construction; safe to share between threads.
    """

    def __init__(self, rg: Any) -> None:
        from serai.freight.cost import transfer_point_kinds
        from serai.freight.gazetteer import load_gazetteer

        self.gazetteer = load_gazetteer()
        v = rg.vnodes
        lay = v.loc[v["role"] == "layer"]
        layer = lay["layer"].astype(str).to_numpy()
        nodes = rg.network.nodes
        country = (
            nodes.set_index("node_id")["country"].fillna("").astype(str)
            if "country" in nodes
            else None
        )
        self.groups: dict[str, dict[str, Any]] = {}
        for group, m in (
            ("road", layer == "road"),
            ("rail", lay["layer"].astype(str).str.startswith("rail").to_numpy()),
        ):
            sub = lay.loc[m]
            ok = np.isfinite(sub["x"].to_numpy(float)) & np.isfinite(sub["y"].to_numpy(float))
            sub = sub.loc[ok]
            if not len(sub):
                continue
            nid = sub["node_id"].to_numpy(np.int64)
            lat, lon = sub["y"].to_numpy(float), sub["x"].to_numpy(float)
            self.groups[group] = {
                "vnode": sub["vnode_id"].to_numpy(np.int64),
                "node": nid,
                "layer": sub["layer"].astype(str).to_numpy(object),
                "lat": lat,
                "lon": lon,
                "country": (
                    country.reindex(nid).fillna("").to_numpy(object)
                    if country is not None
                    else np.full(len(nid), "", object)
                ),
                # transfer-point kind (port, terminal, ...) for commodities' transfer_kinds
                "kind": transfer_point_kinds(nodes, nid),
                "tree": NearestIndex(_unit(lat, lon)),
            }

    def nearest_km(self, lat: float, lon: float) -> float:
        """Great-circle km to the nearest road or rail node (inf if none)."""
        best = math.inf
        for g in self.groups.values():
            chord, _ = g["tree"].query(_unit(np.array([lat]), np.array([lon]))[0])
            best = min(best, float(chord_km(chord)))
        return best

    def legs(
        self,
        place: Place,
        side: str,
        commodity: Any,
        *,
        constraints: Any,
        labels: Any,
        emissions: Any,
        carbon_price_usd_per_t: float = 0.0,
        max_km: float = MAX_ACCESS_KM,
        params: Any = None,
        crew: str = "single",
    ) -> list[AccessLeg]:
        """Candidate legs between ``place`` and the network (at most one road, one rail).

        ``emissions``: a callable (mode, country) -> kg CO2e per unit-km and hoc -> kg per
        unit, or None (no factor tables: CO2e is NaN).
        """
        from serai.freight.accesscost import rail_transfer, road_border, road_haul

        c = commodity
        if "road" not in c.first_mile:
            raise InputError(
                f"{place.label} is not on the network and {c.commodity} may not take a "
                "first/last-mile truck (commodities.csv, column first_mile), so nothing can "
                "reach it; give a place on the network (a city, port or station by name)",
                field="place",
            )
        cons = constraints
        if place.country and place.country in cons.avoid_countries:
            raise InputError(
                f"{place.label} is in {place.country}, which is avoided", field="place"
            )
        q = _unit(np.array([place.lat]), np.array([place.lon]))[0]
        out: list[AccessLeg] = []
        for group, g in self.groups.items():
            if cons.modes is not None and group not in cons.modes:
                continue
            if group not in c.modes:
                continue
            k = min(64, len(g["vnode"]))
            chord, idx = g["tree"].query(q, k=k)
            idx, km = np.atleast_1d(idx), chord_km(np.atleast_1d(chord))
            keep = km <= max_km
            if cons.avoid_countries:
                keep &= ~np.isin(g["country"][idx], list(cons.avoid_countries))
            if cons.avoid_nodes:
                keep &= ~np.isin(g["node"][idx], list(cons.avoid_nodes))
            if group == "rail" and c.transfer_kinds:
                keep &= np.isin(g["kind"][idx], list(c.transfer_kinds))
            idx, km = idx[keep], km[keep]
            # same country first, then across a border; never a straight line over the sea
            same = g["country"][idx] == place.country if place.country else np.ones(len(idx), bool)
            order = np.r_[np.flatnonzero(same), np.flatnonzero(~same)][:16]
            j = next(
                (
                    int(j)
                    for j in order
                    if not self.gazetteer.crosses_sea(
                        place.lat, place.lon, g["lat"][idx[j]], g["lon"][idx[j]]
                    )
                ),
                None,
            )
            if j is None:
                continue
            i = int(idx[j])
            gc = float(km[j])
            road_km = gc * DETOUR_FACTOR
            nc = str(g["country"][i])
            events = []
            haul = road_haul(road_km, c, params, crew)
            hb, ub = haul["hours_by_basis"].copy(), haul["usd_by_basis"].copy()
            if place.country and nc and nc != place.country:
                a, b = (place.country, nc) if side == "first" else (nc, place.country)
                bd = road_border(a, b, c, params)
                if bd is not None:
                    h = bd["hours_border_out"] + bd["hours_border_in"]
                    comps = {
                        k: bd[k] for k in ("hours_border_out", "hours_border_in", "usd_border")
                    }
                    events.append(
                        (bd["event"], h, bd["usd_border"], _kg(emissions, "border_crossing"),
                         "border_crossing", comps)
                    )  # fmt: skip
                    hb, ub = hb + bd["hours_by_basis"], ub + bd["usd_by_basis"]
            if group == "rail":
                tr = rail_transfer(side, c, params)
                events.append(
                    ("transfer", tr["hours_dwell"], tr["usd_hub"],
                     _kg(emissions, "rail_terminal_transshipment"), "rail_terminal_transshipment",
                     {"hours_dwell": tr["hours_dwell"], "usd_hub": tr["usd_hub"]})
                )  # fmt: skip
                hb, ub = hb + tr["hours_by_basis"], ub + tr["usd_by_basis"]
            per_km = emissions("road", place.country or nc) if emissions else math.nan
            node = int(g["node"][i])
            out.append(
                AccessLeg(
                    side=side,
                    place=place,
                    vnode=int(g["vnode"][i]),
                    node_id=node,
                    node_name=_node_label(labels, node) or f"node {node}",
                    node_country=nc,
                    layer=str(g["layer"][i]),
                    node_lat=float(g["lat"][i]),
                    node_lon=float(g["lon"][i]),
                    gc_km=gc,
                    km=road_km,
                    hours_motion=haul["hours_motion"],
                    usd_tariff=haul["usd_tariff"],
                    hours_rest=haul["hours_rest"],
                    hours_by_basis=tuple(float(x) for x in hb),
                    usd_by_basis=tuple(float(x) for x in ub),
                    co2e_kg_road=per_km * road_km,
                    events=tuple(events),
                    vot_usd_per_h=float(c.vot_usd_per_unit_h),
                    carbon_price_usd_per_t=float(carbon_price_usd_per_t),
                )
            )
        return out


def _node_label(labels: Any, node: int) -> str:
    """``str(labels.get(node, ""))`` of a labels Series indexed by sorted node id, without
    pandas' scalar lookup (a tenth of a millisecond per leg)."""
    import pandas as pd

    if not (isinstance(labels, pd.Series) and labels.index.is_unique
            and labels.index.is_monotonic_increasing):  # fmt: skip
        return str(labels.get(node, ""))
    from serai.freight.legs import _label_arrays

    ids, values = _label_arrays(labels)
    i = int(np.searchsorted(ids, node))
    return str(values[i]) if i < len(ids) and ids[i] == node else ""


def _kg(emissions: Any, hoc: str) -> float:
    return emissions(hoc) if emissions else math.nan


_RATES: dict[str, Any] = {}


def emission_rates(commodity: Any) -> Any:
    """:func:`_emission_rates`, one per commodity per process (factor tables are static)."""
    key = commodity.commodity
    if key not in _RATES:
        _RATES[key] = _emission_rates(commodity)
    return _RATES[key]


def _emission_rates(commodity: Any) -> Any:
    """Callable for :meth:`AccessModel.legs`: kg CO2e per unit-km by road, kg per unit at a HOC.

    Uses the packaged factor tables (ISO 14083 road TOC of the country; world fallback for a
    country without its own row, as the network's links do). None if they cannot serve.
    """
    from serai.emissions.factors import load_factors
    from serai.emissions.intensity import hub_factors, leg_factors
    from serai.emissions.routes import _per_unit

    factors = load_factors()
    tonnes, teu = _per_unit(commodity)
    if teu is None:
        teu = tonnes / factors.load_t_per_teu
    cache: dict[Any, float] = {}

    def rate(key: str, country: str | None = None) -> float:
        k = (key, country)
        if k not in cache:
            try:
                if country is not None:
                    lf = leg_factors(["road"], [""], [country], [math.nan], factors,
                                     unknown_country="fallback")  # fmt: skip
                    g = float(lf["ttw_factor"].iat[0] + lf["wtt_factor"].iat[0])
                    unit = lf["activity_unit"].iat[0]
                    cache[k] = (g * teu if unit == "TEUkm" else g * tonnes) / 1000.0
                else:
                    hf = hub_factors([key], factors)
                    kg = float(hf["ttw_factor"].iat[0] + hf["wtt_factor"].iat[0])
                    cache[k] = kg * teu if hf["activity_unit"].iat[0] == "TEU" else kg * tonnes
            except InputError:
                cache[k] = math.nan
        return cache[k]

    return rate


def _zero_components() -> dict[str, Any]:
    from serai.freight.routecost import LEG_EXTRA

    return {k: ("" if k.endswith("_basis") else 0.0) for k in LEG_EXTRA}


# moved to serai.freight.ends (routes with first/last-mile legs); still reachable here
_MOVED = frozenset({"best_pair", "end_vnodes", "endpoints", "like", "network_name", "splice"})


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        from serai.freight import ends

        return getattr(ends, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
