"""Generalised cost of every virtual link for one commodity, component by component.

The time model (:mod:`serai.freight.timemodel`) and the tariff model
(:mod:`serai.freight.tariffs`) turn each virtual link into additive terms of named
parameters (:mod:`serai.freight.params`); :func:`link_costs` evaluates them into
arrays. Generalised cost = money + hours x the commodity's value of time (+ an
optional carbon price x a per-link emissions array, the hook for
:mod:`serai.emissions`). Every component is kept, and so is the share of each link's
hours and money that rests on measured, calibrated and estimated parameters.
"""

from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from serai.errors import InputError
from serai.freight.commodities import Commodity, commodity
from serai.freight.elements import link_elements
from serai.freight.params import (
    COMPONENTS,
    TIME,
    ParamSet,
    TermBuilder,
    Terms,
    network_params,
)
from serai.freight.roadtime import CREWS
from serai.freight.virtual import RoutingGraph

__all__ = ["LinkCosts", "link_costs", "model_terms"]

_TERMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def model_terms(rg: RoutingGraph, c: Commodity, params: ParamSet, crew: str = "single") -> Terms:
    """Time and money terms of every virtual link of ``rg`` for a commodity (cached).

    The terms depend on the parameter ids, not their values: one set of terms serves any
    parameter vector of the same tables (the calibration evaluates many).
    """
    from serai.freight.tariffs import add_money_terms
    from serai.freight.timemodel import add_time_terms

    if crew not in CREWS:
        raise InputError(f"crew must be one of {', '.join(CREWS)}, not '{crew}'", field="crew")
    key = (c.handling, crew, hash(tuple(params.ids)))
    per = _TERMS.setdefault(rg, {})
    if key not in per:
        el = link_elements(rg)
        tb = TermBuilder(params, el.n)
        add_time_terms(tb, el, params, c.handling, crew)
        add_money_terms(tb, el, params, c.handling)
        per[key] = tb.build()
    return per[key]


@dataclass(frozen=True, eq=False)
class LinkCosts:
    """Per-virtual-link costs (arrays aligned with ``RoutingGraph.vlinks`` rows).

    ``comps`` holds the time components (:data:`~serai.freight.params.TIME`, hours) and
    money components (:data:`~serai.freight.params.MONEY`, USD per unit), one row each;
    they are also attributes (``hours_motion``, ..., ``usd_tariff``, ...).
    ``hours_by_basis`` and ``usd_by_basis`` split each link's hours and money by
    provenance (:data:`~serai.freight.params.BASES`: measured, calibrated, estimate).
    ``allowed`` is False where the commodity may not use the link (mode, service kind
    or transfer point not allowed, or no tariff); ``gc`` is then ``inf``.
    """

    commodity: Commodity
    comps: np.ndarray
    hours_by_basis: np.ndarray
    usd_by_basis: np.ndarray
    carbon_usd: np.ndarray
    allowed: np.ndarray
    kg_co2e: np.ndarray | None = None
    carbon_price_usd_per_t: float = 0.0
    crew: str = "single"
    params: ParamSet | None = None
    variant: str = ""  # "", "no_market" (not from China) or "export_kz" (from Kazakhstan)
    export_km: np.ndarray | None = None  # km of rail line haul (containers), else 0
    export_rate: np.ndarray | None = None  # its export rate (tariffs.export_rate_ids)
    through_rate: np.ndarray | None = None  # its through rate (rail.rate.<zone>)

    def component(self, name: str) -> np.ndarray:
        """One component by name (``motion``, ``rest``, ..., ``tariff``, ``hub``, ...)."""
        try:
            return self.comps[COMPONENTS.index(name)]
        except ValueError:
            raise InputError(
                f"unknown cost component '{name}'; use {', '.join(COMPONENTS)}"
            ) from None

    # time
    hours_motion = property(lambda self: self.comps[0])
    hours_rest = property(lambda self: self.comps[1])
    hours_dwell = property(lambda self: self.comps[2])
    hours_border_out = property(lambda self: self.comps[3])
    hours_border_in = property(lambda self: self.comps[4])
    hours_schedule = property(lambda self: self.comps[5])
    hours_queue = property(lambda self: self.comps[6])
    # money
    usd_tariff = property(lambda self: self.comps[7])
    usd_hub = property(lambda self: self.comps[8])
    usd_border = property(lambda self: self.comps[9])
    usd_market = property(lambda self: self.comps[10])

    @cached_property
    def without_market(self) -> LinkCosts:
        """These costs without the import-market premium (routes not starting in China).

        The premium (:data:`~serai.freight.tariffs.CENTRAL_ASIA_ZONES`) is for deliveries
        into Kazakhstan and Central Asia from China (the lane it was measured on,
        :func:`~serai.freight.tariffs.pays_no_import_premium`); domestic and export routes
        and routes from any other country pay none.
        """
        from dataclasses import replace

        k = COMPONENTS.index("market")
        comps = np.array(self.comps)
        market = comps[k].copy()
        comps[k] = 0.0
        ub = np.array(self.usd_by_basis)
        if self.params is not None and "market.import.CA" in self.params:
            from serai.freight.params import BASES

            ub[BASES.index(self.params.basis_of("market.import.CA"))] -= market
        for a in (comps, ub):
            a.setflags(write=False)
        return replace(self, comps=comps, usd_by_basis=ub, variant="no_market")

    @cached_property
    def export_kz(self) -> LinkCosts:
        """These costs for a route starting in Kazakhstan: a domestic or export haul.

        No import premium (:attr:`without_market`), and the rail line haul of a producer's
        containerised consignment (a commodity priced per t,
        :func:`~serai.freight.tariffs.pays_consignment_rate`) pays, times the commodity's
        tonnes per unit, CAREC's consignment cost per t-km on every railway
        (:func:`~serai.freight.tariffs.export_rate_ids`): ``rail.rate.KZ.export`` (TFI3,
        Kazakhstan) on Kazakh rail, the CAREC rail average elsewhere
        (``rail.rate.export.CAREC``; ``rail.rate.export.OTHER``, EST, outside CAREC),
        instead of ``rail.rate.<zone>``, the through rates fitted to China - Europe transit
        quotes. The same as :attr:`without_market` when there is no such rate.
        """
        from dataclasses import replace

        base = self.without_market
        p, km, ids = self.params, self.export_km, self.export_rate
        if p is None or km is None or ids is None or not km.any():
            return base
        from serai.freight.params import BASES

        c = self.commodity
        scale = float(c.tonnes_per_unit) * (p.value("dg7.factor") if c.dg_class == "7" else 1.0)
        k = COMPONENTS.index("tariff")
        comps = np.array(base.comps)
        ub = np.array(base.usd_by_basis)
        old = comps[k].copy()
        for rid in np.unique(ids[km > 0]):
            if rid not in p:
                continue  # no such rate: the through rate stays
            rows = (km > 0) & self.allowed & (ids == rid)
            new = km[rows] * p.value(rid) * scale
            comps[k, rows] = new
            ub[BASES.index(p.basis_of(rid)), rows] += new
            for tid in np.unique(self.through_rate[rows]):
                r = rows & (self.through_rate == tid)
                ub[BASES.index(p.basis_of(tid)), r] -= old[r]
        for a in (comps, ub):
            a.setflags(write=False)
        return replace(base, comps=comps, usd_by_basis=ub, variant="export_kz")

    @cached_property
    def hours_border(self) -> np.ndarray:
        return self.hours_border_out + self.hours_border_in

    @cached_property
    def hours_hub(self) -> np.ndarray:
        """Hours at hubs: dwell (handling, gauge changes, port calls) and borders."""
        return self.hours_dwell + self.hours_border

    @cached_property
    def hours_wait(self) -> np.ndarray:
        """Hours waiting: for a scheduled departure and in queues."""
        return self.hours_schedule + self.hours_queue

    @cached_property
    def usd(self) -> np.ndarray:
        return self.comps[len(TIME) :].sum(axis=0)

    @cached_property
    def hours(self) -> np.ndarray:
        return self.comps[: len(TIME)].sum(axis=0)

    @cached_property
    def gc(self) -> np.ndarray:
        """Generalised cost in USD per unit (inf where not allowed)."""
        g = self.usd + self.carbon_usd + self.hours * self.commodity.vot_usd_per_unit_h
        return np.where(self.allowed, g, np.inf)

    def objective(self, name: str) -> np.ndarray:
        """Per-link objective: ``time`` (h), ``cost`` (USD), ``generalised`` (USD) or ``emissions``.

        ``emissions`` is kg CO2e (WTW) per unit; it needs ``kg_co2e``.
        """
        if name == "time":
            # a tiny money term breaks ties between equally fast routes
            v = self.hours + 1e-6 * self.usd
        elif name == "cost":
            v = self.usd + 1e-6 * self.hours
        elif name in ("generalised", "generalized", "gc"):
            v = self.gc
        elif name in ("emissions", "co2e"):
            if self.kg_co2e is None:
                raise InputError(
                    "objective 'emissions' needs the per-link emissions (kg_co2e)",
                    field="objective",
                )
            # a tiny time term breaks ties between equally clean routes
            v = self.kg_co2e + 1e-6 * self.hours
        else:
            raise InputError(
                f"unknown objective '{name}'; use time, cost, generalised or emissions",
                field="objective",
            )
        return np.where(self.allowed, v, np.inf)


def link_costs(
    rg: RoutingGraph,
    commodity_name: str | Commodity,
    *,
    carbon_price_usd_per_t: float = 0.0,
    emissions_kg_per_unit: np.ndarray | None = None,
    crew: str = "single",
    params: ParamSet | None = None,
) -> LinkCosts:
    """Cost components of every virtual link for a commodity.

    Parameters
    ----------
    rg
        Routing graph.
    commodity_name
        Commodity key or :class:`Commodity`.
    carbon_price_usd_per_t
        Price of CO2e in USD per tonne, applied to ``emissions_kg_per_unit``.
    emissions_kg_per_unit
        Optional kg CO2e per unit of the commodity on each virtual link (rows of
        ``rg.vlinks``); without it the carbon term is zero.
    crew
        Truck crew under the driving-time rules: ``single`` or ``double``.
    params
        Model parameters (default: those of the network, :func:`~serai.freight.params.network_params`:
        the shipped, calibrated ones with a scenario's overrides).

    Examples
    --------
    >>> import pandas as pd
    >>> from serai.network import Network
    >>> from serai.freight import build_routing_graph, link_costs
    >>> from serai.freight.params import model_params
    >>> nodes = pd.DataFrame({"node_id": [1, 2], "x": [70.0, 74.0], "y": [45.0, 45.0],
    ...     "country": ["KZ", "KZ"]})
    >>> links = pd.DataFrame({"link_id": [1], "from_node": [1], "to_node": [2],
    ...     "mode": ["rail"], "length": [579.0]})
    >>> rg = build_routing_graph(Network.from_tables(nodes=nodes, links=links))
    >>> lc = link_costs(rg, "container")
    >>> move = (rg.vlinks["kind"] == "move").to_numpy()
    >>> float(lc.hours_motion[move][0])   # 579 km at the CAREC Kazakh speed of 57.9 km/h
    10.0
    >>> p = model_params()
    >>> bool(lc.usd_tariff[move][0] == 579.0 * p.value("rail.rate.KZ"))
    True
    """
    from serai.freight.tariffs import money_scale, pays_consignment_rate

    c = commodity(commodity_name)
    p = params if params is not None else network_params(rg.network)
    v = rg.vlinks
    n = len(v)
    terms = model_terms(rg, c, p, crew)
    comps, prov = terms.evaluate(p.values, p.basis_codes())
    scale = money_scale(c, p.values, p)
    comps[len(TIME) :] *= scale
    hours_by_basis = prov[0]
    usd_by_basis = prov[1] * scale

    kind = v["kind"].to_numpy()
    mode = v["mode"].to_numpy()
    event = v["event"].to_numpy()
    move = kind == "move"
    # ---- what the commodity may use
    allowed = np.ones(n, dtype=bool)
    layer_mode = link_elements(rg).layer_mode
    allowed &= ~(move & ~np.isin(mode, list(c.modes)))
    is_svc = v["service_id"].to_numpy() != ""
    allowed &= ~(is_svc & ~np.isin(v["service_mode"].to_numpy(), list(c.service_modes)))
    allowed &= ~((kind == "access") & ~np.isin(layer_mode, list(c.modes)))
    # nor a transfer into or out of a layer of another mode (class 7 crossed a break of gauge
    # at Khorgos through the road layer: rail:1435 > road > rail:1520, 0 km by road)
    ends = pd.Series(v["layer"].astype(str).to_numpy(), dtype=object).str.partition(">")
    ends = ends[[0, 2]].set_axis([0, 1], axis=1)
    end_modes = [ends[k].str.partition(":")[0].to_numpy(object) for k in (0, 1)]
    other = np.zeros(n, dtype=bool)
    for m in end_modes:
        other |= (m != "") & ~np.isin(m, list(c.modes))
    allowed &= ~((kind == "transfer") & other)
    hub = np.isin(kind, ["transfer", "gauge", "port"]) | (
        np.isin(kind, ["board", "alight"]) & np.isin(event, ["transfer", "port"])
    )
    # a transshipment between two rail gauges at a terminal is a gauge change too
    a, b = ends[0].to_numpy(object), ends[1].to_numpy(object)
    gauge = (kind == "gauge") | ((end_modes[0] == "rail") & (end_modes[1] == "rail") & (a != b))
    if c.transfer_kinds:
        point_kind = transfer_point_kinds(rg.network.nodes, v["node_id"].to_numpy(np.int64))
        point_kind = np.where(gauge, "gauge_change", point_kind)
        point_kind = np.where((kind == "port") | (event == "port"), "port", point_kind)
        allowed &= ~(hub & ~np.isin(point_kind, list(c.transfer_kinds)))
    if c.gauge_breaks:
        # only at the breaks of gauge listed for the commodity (class 7: licensed sites)
        site = gauge_break_ids(rg.network, v["node_id"].to_numpy(np.int64))
        allowed &= ~(gauge & ~np.isin(site, list(c.gauge_breaks)))
    refused = ports_refusing(rg.network, c.handling)
    if len(refused):
        # no transfer at a port that does not handle this cargo, nor a start or end there
        # (access/egress with a port call) (data/port_handling.csv: the Sea of Azov ports
        # take no containers); a transfer port <> rail or road sits on the land node
        # (``node_id``): the port is one of its ends
        at = np.isin(v["node_id"].to_numpy(np.int64), refused)
        at |= np.isin(v["from_node"].to_numpy(np.int64), refused) & ~move
        at |= np.isin(v["to_node"].to_numpy(np.int64), refused) & ~move
        allowed &= ~(at & (hub | (event == "port")))
    if c.handling == "container":
        # no unscheduled container shipping on the Caspian: boxes cross on the ferries and
        # the Aktau - Baku feeders of the services table (facts §3.2)
        el = link_elements(rg)
        allowed &= ~(move & (mode == "sea") & ~is_svc & (el.region == "caspian"))
    allowed &= np.isfinite(comps).all(axis=0)

    price = float(carbon_price_usd_per_t)
    if not np.isfinite(price) or price < 0:
        raise InputError(
            f"carbon price must be a finite number >= 0 (USD per t CO2e), got {price}",
            field="carbon_price_usd_per_t",
        )
    carbon = np.zeros(n)
    kg = None
    if emissions_kg_per_unit is not None:
        e = np.asarray(emissions_kg_per_unit, dtype=float)
        if e.shape != (n,):
            raise InputError(f"emissions_kg_per_unit needs one value per virtual link ({n})")
        carbon = e / 1000.0 * price
        kg = e

    def clean(a: np.ndarray) -> np.ndarray:
        a = np.where(allowed, np.nan_to_num(a, nan=0.0), 0.0)
        a.setflags(write=False)
        return a

    export_km = export_rate = through_rate = None
    if pays_consignment_rate(c) and "rail.rate.KZ.export" in p:
        # the rows a route from Kazakhstan pays at an export rate (LinkCosts.export_kz): the
        # rail line haul, priced at rail.rate.<zone> by tariffs._container
        from serai.freight.tariffs import _zone_param, export_rate_ids

        el = link_elements(rg)
        rail = move & ~is_svc & (mode == "rail")
        export_km = np.where(rail, el.km, 0.0).astype(float)
        export_rate = np.full(len(rail), "", dtype=object)
        through_rate = np.full(len(rail), "", dtype=object)
        export_rate[rail] = export_rate_ids(el.country[rail])
        through_rate[rail] = _zone_param(p, "rail.rate", el.zone[rail], "rail.rate.OTHER")
        for a in (export_km, export_rate, through_rate):
            a.setflags(write=False)
    allowed.setflags(write=False)
    return LinkCosts(
        c,
        clean(comps),
        clean(hours_by_basis),
        clean(usd_by_basis),
        clean(carbon),
        allowed,
        None if kg is None else clean(kg),
        price,
        crew,
        p,
        export_km=export_km,
        export_rate=export_rate,
        through_rate=through_rate,
    )


# node kinds of the network that are terminals where a box may join or leave a train
TERMINAL_KINDS = ("terminal", "rail_terminal", "dry_port", "station", "ferry_terminal")


def transfer_point_kinds(nodes: pd.DataFrame, node_ids: np.ndarray) -> np.ndarray:
    """What kind of transfer point each node is, in the words of ``transfer_kinds``.

    ``port`` for a port node; ``terminal`` for a terminal, station or ferry terminal and for
    the rail node of a named place (``point_id``: the network puts a city's freight station
    there); else the node's own kind (``junction``, ...). A hub link adds ``gauge_change``
    at a break of gauge and ``port`` at a port event (:func:`link_costs`). Before, the kinds
    were compared with the node kinds alone, which name no terminal or gauge change: a
    commodity limited to ``port;terminal;gauge_change`` (class 7) could change gauge nowhere.

    Examples
    --------
    >>> nodes = pd.DataFrame({"node_id": [1, 2, 3], "kind": ["junction", "station", "junction"],
    ...                       "point_id": ["", "", "almaty"]})
    >>> transfer_point_kinds(nodes, np.array([1, 2, 3, 4])).tolist()
    ['junction', 'terminal', 'terminal', '']
    """
    if "kind" not in nodes.columns:
        kinds = pd.Series("node", index=nodes["node_id"].to_numpy(np.int64), dtype=object)
    else:
        kinds = pd.Series(
            nodes["kind"].fillna("").astype(str).to_numpy(object),
            index=nodes["node_id"].to_numpy(np.int64),
        )
    if "point_id" in nodes.columns:
        named = nodes["point_id"].fillna("").astype(str).to_numpy() != ""
        kinds = kinds.where(~named | (kinds == "port"), "terminal")
    kinds = kinds.where(~kinds.isin(TERMINAL_KINDS), "terminal")
    kinds = kinds[~kinds.index.duplicated()]
    return kinds.reindex(np.asarray(node_ids, dtype=np.int64)).fillna("").to_numpy(object)


@functools.cache
def _port_handling() -> pd.DataFrame:
    from importlib import resources

    with resources.files("serai.freight.data").joinpath("port_handling.csv").open("rb") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def ports_refusing(network, handling: str) -> np.ndarray:
    """Port nodes (int64 ids) that do not handle cargo of class ``handling``.

    A port listed in ``data/port_handling.csv`` (by UN/LOCODE, the ``unlocode`` column of
    the network's nodes) handles only the classes of its ``handling`` column (the Sea of
    Azov ports: ``bulk;liquid_bulk``, no containers, an estimate stated there); a port not
    listed handles every class.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> nodes = pd.DataFrame({"node_id": [1, 2], "unlocode": ["RUTAG", "RONVR"]})
    >>> ports_refusing(SimpleNamespace(nodes=nodes), "container").tolist()
    [1]
    >>> ports_refusing(SimpleNamespace(nodes=nodes), "bulk").tolist()
    []
    """
    nodes = network.nodes
    if "unlocode" not in nodes.columns:
        return np.empty(0, np.int64)
    t = _port_handling()
    no = t.loc[[handling not in h.split(";") for h in t["handling"]], "unlocode"]
    hit = nodes["unlocode"].fillna("").astype(str).isin(set(no)).to_numpy()
    return nodes["node_id"].to_numpy(np.int64)[hit]


def gauge_break_ids(network, node_ids: np.ndarray) -> np.ndarray:
    """The break of gauge (``gauge_breaks.gauge_break_id``) at each node, '' where none.

    Read from the network's ``gauge_breaks`` table (node_id, gauge_break_id); a network
    without it names no break, so a commodity limited to listed breaks
    (``Commodity.gauge_breaks``) changes gauge nowhere on it.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> gb = pd.DataFrame({"node_id": [7, 8], "gauge_break_id": ["dostyk_alashankou", None]})
    >>> gauge_break_ids(SimpleNamespace(tables={"gauge_breaks": gb}), np.array([7, 8, 9])).tolist()
    ['dostyk_alashankou', '', '']
    """
    ids = np.asarray(node_ids, dtype=np.int64)
    gb = getattr(network, "tables", {}).get("gauge_breaks")
    if gb is None or "gauge_break_id" not in gb.columns or not len(gb):
        return np.full(len(ids), "", dtype=object)
    m = pd.Series(
        gb["gauge_break_id"].fillna("").astype(str).to_numpy(object),
        index=gb["node_id"].to_numpy(np.int64),
    )
    m = m[~m.index.duplicated()]
    return m.reindex(ids).fillna("").to_numpy(object)
