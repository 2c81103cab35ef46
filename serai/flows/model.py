"""Corridor flows on the freight routing graph: one model, two methods.

:func:`build_model` turns a network, a demand and a configuration into a
:class:`~serai.assignment.logit.ChoiceProblem` on the routing graph (transfers
as links; one class per commodity group, costed by its freight commodity in the cost
variant of each OD pair's origin, the router's tariff rule: :mod:`serai.flows.costclasses`), with
the capacities of the year as congestible units, and a first choice set of
routes in distinct corridors (one least-cost search per corridor restriction:
none, Russia avoided, Russia and Iran avoided, Russia and Azerbaijan avoided,
Kazakhstan–Mongolia–Russia avoided (sea), land only, no road, land without Russia,
land without Russia and Iran, land without Kazakhstan).

:func:`run_flows` solves it with

* ``method="equilibrium"``: logit route and mode choice with congestion at the
  capacity units (:func:`serai.assignment.logit.logit_equilibrium`), or
* ``method="lp"``: the least-cost flows under hard capacities with unmet demand
  and the dual price of every binding capacity
  (:func:`serai.flows.lp.min_cost_flow`),

and returns a :class:`FlowResult` of tables keyed by the network's ids.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
from scipy import sparse

from serai.assignment.logit import (
    ChoiceProblem,
    LogitConfig,
    Units,
    logit_equilibrium,
    shortest_path_generator,
)
from serai.assignment.vdf import BPR
from serai.demand import Demand, groups, zones
from serai.errors import InputError
from serai.flows.capacity import CapacityUnits, ClassSpec, resolve_capacities
from serai.flows.costclasses import cost_classes
from serai.freight import Constraints, Router, build_routing_graph, commodity, link_costs
from serai.network.core import Network

__all__ = [
    "CorridorGenerator",
    "FlowConfig",
    "FlowModel",
    "build_model",
    "choice_parameters",
    "class_table",
    "constants_for",
    "corridor_routes",
    "solve",
]

METHODS = ("equilibrium", "lp")
#: sea passages that are inland waterways (closed to the flows; see docs/flows.md)
INLAND_PASSAGES = ("volga_don",)
# corridor restrictions that seed the choice set (label, avoid countries, modes)
SEEDS: tuple[tuple[str, tuple[str, ...], tuple[str, ...] | None], ...] = (
    ("any", (), None),
    ("no_ru", ("RU",), None),
    ("no_ru_ir", ("RU", "IR"), None),
    ("no_ru_az", ("RU", "AZ"), None),
    ("sea", ("KZ", "MN", "RU"), None),
    ("land", (), ("rail", "road", "ferry")),
    # the Middle Corridor and the Southern route: without these two, every Russia-free seed
    # allows sea, sea wins, and the Middle Corridor never enters the choice set of a
    # China-Europe pair (column generation only adds least-cost routes)
    ("land_no_ru", ("RU",), ("rail", "road", "ferry")),
    ("land_no_ru_ir", ("RU", "IR"), ("rail", "road", "ferry")),
    ("no_road", (), ("rail", "sea", "ferry")),
    # China -> Russia/Europe by land without Kazakhstan: via Zabaikalsk–Manzhouli or Mongolia
    # (Erenhot); without it these enter a China–Europe choice set only as the least-cost route
    ("land_no_kz", ("KZ",), ("rail", "road", "ferry")),
)


@cache
def choice_parameters() -> pd.DataFrame:
    """Calibrated choice parameters (``serai/flows/data/choice.csv``) with their observations."""
    with resources.files("serai.flows.data").joinpath("choice.csv").open("rb") as fh:
        return pd.read_csv(fh, keep_default_na=False, na_values=[""])


def _param(name: str, default: float) -> float:
    t = choice_parameters()
    row = t.loc[t["parameter"] == name]
    return float(row["value"].iloc[0]) if len(row) else default


@dataclass(frozen=True)
class FlowConfig:
    """How to compute corridor flows.

    Parameters
    ----------
    year
        Network year (links, services and capacities open that year).
    method
        ``"equilibrium"`` (logit choice with congestion) or ``"lp"`` (hard capacities,
        duals).
    theta
        Logit dispersion per unit of an OD pair's least cost (default: calibrated).
    asc_rail
        Choice constant of a rail border crossing for containerised classes, USD per TEU
        (default: calibrated).
    asc_road
        Choice constant of a road border crossing, USD per tonne (default: calibrated).
    asc_ru_uranium
        Choice constant of a uranium route entering Russia, USD per t U3O8 (default:
        calibrated): the sanctions, permit and insurance risk that made Kazatomprom ship
        westbound uranium via the Trans-Caspian route instead of St Petersburg (facts 5.1).
    gap, max_iter, time_limit
        Stopping rules of the equilibrium.
    max_paths
        Routes per OD pair and class.
    corridors
        Keep the corridor choice sets complete at the equilibrium costs: the least-cost
        route of every corridor restriction (``SEEDS``) is searched again at congested
        costs whenever the gap is met, and the equilibrium goes on while that adds routes
        (:class:`CorridorGenerator`). ``False``: corridors at free-flow costs only (the
        seeds), then least-cost routes at the current costs (column generation).
    unmet_factor
        LP penalty of unmet demand, times the OD pair's least cost.
    capacities
        Capacity table (default: the shipped one); ``congestion=False`` ignores it.
    delay_scale
        Multiplies every delay function (calibration).
    """

    year: int = 2024
    method: str = "equilibrium"
    theta: float | None = None
    asc_rail: float | None = None
    asc_road: float | None = None
    asc_ru_uranium: float | None = None
    gap: float = 1e-4
    max_iter: int = 300
    time_limit: float | None = None
    max_paths: int = 10
    corridors: bool = True
    unmet_factor: float = 5.0
    capacities: pd.DataFrame | None = field(default=None, compare=False)
    congestion: bool = True
    delay_scale: float = 1.0

    def __post_init__(self) -> None:
        from serai._checks import check_count, check_number

        if not isinstance(self.method, str) or self.method not in METHODS:
            raise InputError(
                f"unknown method '{self.method}'; use equilibrium or lp", field="method"
            )
        from serai.data.years import check_year

        # 1800..2200 here; the years the network covers when it is loaded for the flows
        check_year(self.year, None)
        if self.theta is not None:
            check_number(self.theta, "theta", low=0.0, strict=True, high=1e6)
        for name in ("asc_rail", "asc_road", "asc_ru_uranium"):
            v = getattr(self, name)
            if v is not None:
                check_number(v, name, low=0.0, high=1e9, label=f"{name} (USD)")
        check_number(self.gap, "gap", low=0.0, strict=True, high=1.0)
        check_count(self.max_iter, "max_iter", 1, 1_000_000)
        check_count(self.max_paths, "max_paths", 1, 1000)
        check_number(self.unmet_factor, "unmet_factor", low=0.0, strict=True, high=1e6)
        check_number(self.delay_scale, "delay_scale", low=0.0, high=1e6)
        if self.time_limit is not None:
            check_number(self.time_limit, "time_limit", low=0.0, strict=True)

    @property
    def theta_value(self) -> float:
        return float(self.theta) if self.theta is not None else _param("theta", 8.0)

    @property
    def asc_road_value(self) -> float:
        return (
            float(self.asc_road) if self.asc_road is not None else _param("asc_road_usd_per_t", 0.0)
        )

    @property
    def asc_ru_uranium_value(self) -> float:
        if self.asc_ru_uranium is not None:
            return float(self.asc_ru_uranium)
        return _param("asc_ru_uranium_usd_per_t", 0.0)

    @property
    def asc_rail_value(self) -> float:
        if self.asc_rail is not None:
            return float(self.asc_rail)
        return _param("asc_rail_border_usd_per_teu", 0.0)


@dataclass(frozen=True, eq=False)
class FlowModel:
    """A built model: routing graph, classes, capacities, the choice problem and the seed routes."""

    rg: object
    router: Router
    config: FlowConfig
    specs: tuple[ClassSpec, ...]
    commodities: tuple[object, ...]
    costs: tuple[object, ...]
    capacity: CapacityUnits
    problem: ChoiceProblem
    od: pd.DataFrame
    disconnected: pd.DataFrame
    zone_places: pd.DataFrame
    seeds: list = field(repr=False, default_factory=list)
    timings: dict = field(default_factory=dict)
    masks: tuple = field(repr=False, default=())


def _group_commodity(gname: str):
    g = groups().loc[gname]
    c = commodity(str(g["freight_commodity"]))
    if c.commodity != str(g["freight_commodity"]) or pd.notna(g.get("value_usd_per_t", np.nan)):
        value = g.get("value_usd_per_t", np.nan)
        if pd.notna(value):
            rate = c.vot_usd_per_unit_h / c.value_usd_per_unit if c.value_usd_per_unit else 0.0
            c = replace(
                c, commodity=gname, name=str(g["name"]), value_usd_per_unit=float(value),
                vot_usd_per_unit_h=float(value) * rate,
            )  # fmt: skip
    return c


def _spec(gname: str, c) -> ClassSpec:
    g = groups().loc[gname]
    cont = c.handling == "container"
    teu = 2.0 * c.base_per_unit if cont else 0.0
    return ClassSpec(gname, float(g["tonnes_per_unit"]), teu, cont)


def zone_places(router: Router) -> pd.DataFrame:
    """Place vnode of every demand zone (by place name, else by coordinates)."""
    rg = router.rg
    rows = []
    for zid, z in zones().iterrows():
        target, how, why = None, "", ""
        for how_, query in (("name", z["place"]), ("coordinates", f"{z['lat']},{z['lon']}")):
            try:
                target = router.resolve(query)
                how = how_
                break
            except InputError as e:
                why = str(e)
        vnode = rg.place(target) if target is not None else -1
        reason = (
            "" if target is not None else f"zone {zid} ({z['place']}) is not on the network: {why}"
        )
        rows.append({"zone": zid, "place": z["place"], "target": target, "vnode": vnode,
                     "resolved_by": how, "reason": reason})  # fmt: skip
    return pd.DataFrame(rows).set_index("zone")


def build_model(
    network: Network,
    demand: Demand,
    config: FlowConfig | None = None,
    *,
    router: Router | None = None,
) -> FlowModel:
    """The flow model of a network, a demand and a configuration (see the module docstring).

    ``router`` may give a router already built on ``network`` (e.g. from the disk cache).
    """
    cfg = config if config is not None else FlowConfig()
    t0 = time.perf_counter()
    tm: dict[str, float] = {}
    ny = network.meta.get("year")
    if ny is not None and int(ny) != int(cfg.year):
        raise InputError(
            f"the network was loaded for {ny} but the flows are asked for {cfg.year}; load it "
            f"with serai.data.load_network({cfg.year})",
            field="year",
        )
    if router is not None and router.rg.network is not network:
        raise InputError("the router was built on another network", field="router")
    if router is None:
        rg = (
            build_routing_graph(network)
            if ny is not None
            else build_routing_graph(network, year=int(cfg.year))
        )
        router = Router(rg)
    rg = router.rg
    tm["routing_graph_s"] = time.perf_counter() - t0
    g = rg.graph
    rows = np.asarray(g.link_rows)
    t = demand.table
    groups_ = tuple(sorted(t["group"].unique()))
    base = tuple(link_costs(rg, _group_commodity(n)) for n in groups_)
    tm["costs_s"] = time.perf_counter() - t0 - tm["routing_graph_s"]
    # demand -> OD pairs on place vnodes
    zp = zone_places(router)
    od = t.groupby(["group", "origin", "destination"], as_index=False)["volume"].sum()
    od = od.loc[(od["volume"] > 0) & (od["origin"] != od["destination"])].reset_index(drop=True)
    ov = zp["vnode"].reindex(od["origin"]).to_numpy()
    dv = zp["vnode"].reindex(od["destination"]).to_numpy()
    ok = (ov >= 0) & (dv >= 0)
    miss = od.loc[~ok].copy()
    miss["reason"] = [
        zp.loc[o, "reason"] or zp.loc[d, "reason"]
        for o, d in zip(miss["origin"], miss["destination"], strict=True)
    ]
    od = od.loc[ok].reset_index(drop=True)
    # closed country pairs: no route visits both countries of one (the router's rule)
    from serai.flows.closed import pair_rule

    rule = pair_rule(router, zp, od["origin"], od["destination"])
    if rule is not None:
        od, miss, rule = _refuse_closed(od, miss, rule, router, zp)
    # one class per group and cost variant of the origin: the router's tariff rule
    # (tariffs.costs_variant, as Router.costs_from; serai/flows/costclasses.py)
    country = {z: router.place_country(zp.loc[z, "target"]) for z in set(od["origin"])}
    classes, od["class"] = cost_classes(
        groups_, base, od["group"].to_numpy(), od["origin"].map(country).to_numpy(), rows
    )
    names = tuple(c.name for c in classes)
    lcs = tuple(c.costs for c in classes)
    comms = tuple(lc.commodity for lc in lcs)
    specs = tuple(_spec(c.group, lc.commodity) for c, lc in zip(classes, lcs, strict=True))
    edge_cost = np.vstack([np.asarray(lc.gc)[rows] for lc in lcs])
    weight = np.array([c.vot_usd_per_unit_h for c in comms])
    # inland waterways are closed to the flows until they are their own mode with vessel limits
    # (river-sea ships of ~5,000 t, closed in winter; EST, see docs/flows.md)
    passage = rg.vlinks["passage"].to_numpy()[rows]
    edge_cost[:, np.isin(passage, INLAND_PASSAGES)] = np.inf
    # capacities
    hours = np.asarray(
        base[groups_.index("containers")].hours if "containers" in groups_ else base[0].hours
    )
    cap_table = cfg.capacities
    if cap_table is None:  # a scenario's capacities travel with its network
        cap_table = network.tables.get("capacities")
    if not cfg.congestion:
        cap_table = pd.DataFrame(
            columns=[
                "capacity_id",
                "element",
                "kind",
                "applies",
                "value",
                "unit",
                "classes",
                "direction",
            ]
        )
    cu = resolve_capacities(rg, list(specs), int(cfg.year), table=cap_table, t0_hours=hours)
    units = None
    if len(cu.cap):
        edge_unit = sparse.csr_matrix(cu.vlink_unit[rows])
        units = Units(
            t0=cu.t0, cap=cu.cap, params=(cu.alpha * cfg.delay_scale, cu.beta),
            edge_unit=edge_unit, use=cu.use, vdf=BPR(),
            names=tuple(f"{a}|{d}" for a, d in zip(cu.units["capacity_id"], cu.units["direction"], strict=True)),
        )  # fmt: skip
    tm["capacities_s"] = time.perf_counter() - t0 - sum(tm.values())
    oi = g.node_index(zp["vnode"].reindex(od["origin"]).to_numpy(np.int64))
    di = g.node_index(zp["vnode"].reindex(od["destination"]).to_numpy(np.int64))
    p = ChoiceProblem(
        graph=g, names=names, edge_cost=edge_cost, weight=weight,
        od_class=od["class"].to_numpy(np.int64), od_origin=oi, od_destination=di,
        od_volume=od["volume"].to_numpy(float), units=units,
        edge_constant=None, search=rule,
    )  # fmt: skip
    p = replace(p, edge_constant=_constants(rg, specs, cfg))
    masks = corridor_masks(router)
    seeds = _seed_routes(p, router, cfg, masks=masks)
    tm["seed_routes_s"] = time.perf_counter() - t0 - sum(tm.values())
    return FlowModel(rg, router, cfg, specs, comms, lcs, cu, p, od, miss, zp, seeds, tm, masks)


def _refuse_closed(od: pd.DataFrame, miss: pd.DataFrame, rule, router: Router, zp: pd.DataFrame):
    """OD pairs whose two ends lie in one closed pair move to the disconnected demand with
    the pair as their reason (no freight between the two countries by any way)."""
    from serai.flows.closed import pair_rule

    refused = [rule.refused(i) for i in range(len(od))]
    bad = np.array([p is not None for p in refused], bool)
    if not bad.any():
        return od, miss, rule
    extra = od.loc[bad].copy()
    extra["reason"] = [p.describe() for p in refused if p is not None]
    miss = pd.concat([miss, extra], ignore_index=True)
    od = od.loc[~bad].reset_index(drop=True)
    return od, miss, pair_rule(router, zp, od["origin"], od["destination"])


def _constants(rg, specs, cfg: FlowConfig) -> np.ndarray | None:
    """Choice constants per class and edge (cost units, >= 0): a rail border crossing for
    containerised classes (USD per TEU), a road border crossing (USD per t) and, for uranium,
    a border crossing into Russia (USD per t); None when all are zero."""
    asc_rail, asc_road, asc_ru = cfg.asc_rail_value, cfg.asc_road_value, cfg.asc_ru_uranium_value
    if not asc_rail and not asc_road and not asc_ru:
        return None
    vl = rg.vlinks
    rows = np.asarray(rg.graph.link_rows)
    kind = vl["kind"].to_numpy()[rows]
    event = vl["event"].to_numpy()[rows]
    border = kind == "border"
    road_border = border & (event == "border_road")
    rail_border = border & ~road_border
    into_ru = border & (vl["to_country"].astype(str).to_numpy()[rows] == "RU")
    into_ru &= vl["from_country"].astype(str).to_numpy()[rows] != "RU"
    const = np.zeros((len(specs), len(rows)))
    for k, sp in enumerate(specs):
        if sp.containerised and asc_rail:
            const[k] += np.where(rail_border, asc_rail * sp.teu_per_unit, 0.0)
        if asc_road:
            const[k] += np.where(road_border, asc_road * sp.tonnes_per_unit, 0.0)
        if asc_ru and sp.name == "uranium":
            const[k] += np.where(into_ru, asc_ru * sp.tonnes_per_unit, 0.0)
    return const


def constants_for(model: FlowModel, cfg: FlowConfig) -> np.ndarray | None:
    """The choice constants of a built model under another configuration (calibration)."""
    return _constants(model.rg, model.specs, cfg)


def corridor_masks(router: Router) -> tuple[np.ndarray, ...]:
    """Per-edge masks of the corridor restrictions of ``SEEDS`` (True where allowed)."""
    return tuple(router.mask(Constraints.make(avoid_countries=a, modes=mo)) for _, a, mo in SEEDS)


def corridor_routes(
    p: ChoiceProblem,
    masks: tuple[np.ndarray, ...],
    costs: np.ndarray,
    theta: float,
    *,
    cutoff: float = 25.0,
) -> list[tuple[int, np.ndarray]]:
    """Least-cost route of every OD pair under each corridor mask at ``costs`` (K, m).

    One search per class, origin and mask; a route is kept when its cost is within
    ``cutoff / theta`` (relative) of the OD pair's best corridor route: beyond that its logit
    weight is below ``exp(-cutoff)`` times the best route's.
    """
    out = []
    for (k, o), ods in p.origin_groups().items():
        found: list[list[np.ndarray]] = [[] for _ in ods]
        for mask in masks:
            cost = np.where(mask, costs[k], np.inf)
            for j, e in enumerate(p.least_routes(k, o, ods, cost)[1]):
                if e is not None and len(e):
                    found[j].append(e)
        for j, i in enumerate(ods):
            if not found[j]:
                continue
            c = [float(costs[k][e].sum()) for e in found[j]]
            best = min(c)
            for e, ce in zip(found[j], c, strict=True):
                if ce <= best * (1.0 + cutoff / theta):
                    out.append((i, e))
    return out


def _seed_routes(
    p: ChoiceProblem, router: Router, cfg: FlowConfig, *, masks: tuple | None = None
) -> list:
    """Least-cost routes under each corridor restriction at free-flow costs (constants
    included), kept within 25 / theta of the best."""
    base_cost = p.edge_cost if p.edge_constant is None else p.edge_cost + p.edge_constant
    masks = masks if masks else corridor_masks(router)
    return corridor_routes(p, masks, base_cost, cfg.theta_value)


class CorridorGenerator:
    """Column generator of the equilibrium: the least-cost route of every OD pair at each
    call (:func:`~serai.assignment.logit.shortest_path_generator`) and, through
    :meth:`complete`, the least-cost route of every corridor restriction at the current
    (congested) costs. :func:`~serai.assignment.logit.logit_equilibrium` calls
    :meth:`complete` when the gap is met and goes on while it adds routes, so each OD pair's
    choice set holds the best route of every corridor at the equilibrium costs, not only at
    free-flow costs (the seeds): a corridor whose free-flow best route runs through an
    element that jams gets its detour.

    A corridor route is added when its logit weight is at least ``share`` times the OD pair's
    best route's (default: the equilibrium's gap, ``exp(-cutoff)`` with ``cutoff = ln(1 /
    share)``): a route that would carry less than that share of its OD pair's demand does
    not move the equilibrium beyond its tolerance. At most ``rounds`` searches add routes;
    the last search then finds the choice sets complete or the rounds are spent (recorded in
    ``searches``). ``searches`` records each corridor search (call, routes found, new routes,
    seconds); one generator per solve.
    """

    def __init__(
        self, p: ChoiceProblem, masks: tuple, theta: float, *, share: float = 1e-4,
        rounds: int = 4,
    ) -> None:  # fmt: skip
        self.p, self.masks, self.theta, self.rounds = p, masks, theta, rounds
        self.cutoff = float(np.log(1.0 / share))
        self._least = shortest_path_generator(p)
        self.calls = 0
        self.searches: list[dict] = []
        self._seen: set[tuple[int, bytes]] = set()

    def __call__(self, costs: np.ndarray):
        self.calls += 1
        for i, e in self._least(costs):
            self._seen.add((i, e.tobytes()))
            yield i, e

    def known(self, routes) -> None:
        """Routes already in the choice sets (the seeds): not counted as new."""
        self._seen.update((int(i), np.asarray(e, np.int64).tobytes()) for i, e in routes)

    def complete(self, costs: np.ndarray) -> list:
        if sum(1 for s in self.searches if s["new"]) >= self.rounds:
            return []
        t = time.perf_counter()
        out = corridor_routes(self.p, self.masks, costs, self.theta, cutoff=self.cutoff)
        new = [(i, e) for i, e in out if (i, e.tobytes()) not in self._seen]
        self._seen.update((i, e.tobytes()) for i, e in out)
        self.searches.append({"call": self.calls, "routes": len(out), "new": len(new),
                              "seconds": round(time.perf_counter() - t, 3)})  # fmt: skip
        return new


def solve(model: FlowModel, *, progress=None):
    """Run the configured method on a built model; returns the raw algorithm result."""
    cfg = model.config
    p = model.problem
    if cfg.method == "lp":
        from serai.flows.lp import LPConfig, min_cost_flow

        return min_cost_flow(p, LPConfig(unmet_factor=cfg.unmet_factor, time_limit=cfg.time_limit),
                             initial_paths=model.seeds)  # fmt: skip
    lcfg = LogitConfig(
        theta=cfg.theta_value, scale="relative", path_size=True, gap=cfg.gap,
        max_iter=cfg.max_iter, time_limit=cfg.time_limit, max_paths=cfg.max_paths,
    )  # fmt: skip
    if cfg.corridors:
        masks = model.masks or corridor_masks(model.router)
        gen = CorridorGenerator(p, masks, cfg.theta_value, share=cfg.gap)
        gen.known(model.seeds)
    else:
        gen = shortest_path_generator(p)
    return logit_equilibrium(p, lcfg, generate=gen, initial_paths=model.seeds, progress=progress)


def class_table(model: FlowModel) -> pd.DataFrame:
    """The classes of the model: class, group, cost variant of its origins, unit, commodity,
    tonnes and TEU per unit, VOT."""
    rows = []
    for name, sp, lc in zip(model.problem.names, model.specs, model.costs, strict=True):
        c = lc.commodity
        rows.append({"class": name, "group": sp.name, "variant": lc.variant,
                     "unit": groups().loc[sp.name, "unit"], "commodity": c.commodity,
                     "tonnes_per_unit": sp.tonnes_per_unit, "teu_per_unit": sp.teu_per_unit,
                     "containerised": sp.containerised, "vot_usd_per_unit_h": c.vot_usd_per_unit_h})  # fmt: skip
    return pd.DataFrame(rows)


def _mapping(x: Mapping | None) -> dict:
    return dict(x) if x else {}
