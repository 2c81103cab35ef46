"""Route queries: least time, cost or generalised cost under constraints; alternatives; Pareto set.

Constraints never change the graph: each becomes a boolean mask over the
virtual links, and masked links get an infinite cost in a new cost array.

The :class:`Router` lives here; its parts live beside it:

* :mod:`serai.freight.constraints` -- :class:`Constraints`, :class:`NoRouteError`
  and the diagnosis of which restriction cut every route;
* :mod:`serai.freight.routeresult` -- the :class:`Route` a query returns;
* :mod:`serai.freight.search` -- the search: landmark A* from all starts to all ends;
* :mod:`serai.freight.legs` -- reading a route back from graph edges (legs, events);
* :mod:`serai.freight.labels` -- a readable label for every node;
* :mod:`serai.freight.alternatives` -- alternatives and the time-cost Pareto set.

Every name that was importable from this module still is.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from serai.errors import InputError
from serai.freight import alternatives as _alternatives
from serai.freight import closedpairs as _closedpairs
from serai.freight import ends as _ends
from serai.freight import locate as _locating
from serai.freight import search as _searching
from serai.freight.checks import check_query
from serai.freight.commodities import Commodity, commodity
from serai.freight.constraints import (
    Constraints,
    NoRouteError,
    diagnose,
    passage_countries,
)
from serai.freight.constraints import _fs as _fs
from serai.freight.constraints import _ids as _ids
from serai.freight.cost import LinkCosts, link_costs
from serai.freight.legs import _label_arrays as _label_arrays
from serai.freight.legs import _label_of as _label_of
from serai.freight.legs import _legs as _legs
from serai.freight.legs import _water_crossings as _water_crossings
from serai.freight.legs import line_names, make_route, node_labels
from serai.freight.locate import _is_coord as _is_coord
from serai.freight.locate import _reachable as _reachable
from serai.freight.locate import at_end
from serai.freight.places import PlaceIndex
from serai.freight.routeresult import _LEG_COLUMNS as _LEG_COLUMNS
from serai.freight.routeresult import Route
from serai.freight.tariffs import costs_variant
from serai.freight.virtual import RoutingGraph
from serai.paths import _kernels as k
from serai.paths.workspace import PerThread, tree_scratch

__all__ = ["Constraints", "NoRouteError", "Route", "Router"]

OBJECTIVES = ("time", "cost", "generalised", "emissions")


_MASK_LOCK = threading.Lock()


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
    >>> route.km, round(route.totals["hours"], 1), route.corridor  # moving + terminals
    (600.0, 64.0, 'Other land route')
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
        self._alt_scratch = PerThread(partial(_searching._alt_arrays, g.n_nodes))
        self._lock = threading.RLock()  # guards the cost caches
        self._landmarks: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._located: dict[tuple, Any] = {}  # located names (a Place is immutable)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        del state["_lock"]
        state.pop("_located", None)
        state.pop("_checked", None)  # constraints checked by this process (serai.freight.checks)
        state.pop("_masks", None)
        state.pop("_searches", None)
        state.pop("_mask_work", None)
        state.pop("_masked", None)
        state.pop("_endpoints", None)
        state.pop("_place_names", None)
        state.pop("_row_line_names", None)
        state.pop("_row_named", None)
        state.pop("_choosing", None)  # masked landmarks being chosen by a thread of this process
        for name in ("_retry", "_shared_choices", "_marks_digests"):  # (search.py: per process)
            state.pop(name, None)
        state.pop("landmarks_in_background", None)  # a setting of the process that uses it
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()
        self._located = {}
        marks = self.__dict__.get("_landmarks", {})
        for key, (basis, lf, lb) in list(marks.items()):  # pickled apart: side by side again
            marks[key] = (basis, *_searching.paired(lf, lb))

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
        r._landmarks = {}
        r._landmark_basis = {}
        r._searches = {}
        r._mask_work = {}
        r._masked = {}
        r._endpoints = {}
        for name in ("_choosing", "_retry", "_shared_choices"):  # (search.py: per router)
            r.__dict__.pop(name, None)
        r._row_tables = {}
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
        """The costs of routes from ``place``: the import premium only from China, the
        Kazakh export rail rate from Kazakhstan (tariffs)."""
        lc = self.costs(name, carbon_price_usd_per_t, crew)
        return costs_variant(lc, self.place_country(place))

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
        """Per-edge True where the constraints allow the link (read-only; the last 32 kept)."""
        key = _mask_key(cons)
        memo = self.__dict__.get("_masks")
        if memo is None:
            memo = self.__dict__.setdefault("_masks", {})
        hit = memo.get(key)
        if hit is None:
            hit = self._mask(cons)
            hit.setflags(write=False)
            with _MASK_LOCK:  # the memo may be shared by copies (with_params)
                if len(memo) >= 32:
                    memo.pop(next(iter(memo)))
                memo[key] = hit
        return hit

    masked_costs = 32  # masked objective arrays kept (~8 bytes per edge each)

    def masked_cost(self, lc: LinkCosts, objective: str, cons: Constraints) -> np.ndarray:
        """The objective per edge, infinite where ``cons`` forbids the link (read-only; the
        last :attr:`masked_costs` kept: a route question with constraints saves a pass over
        every edge)."""
        base = self.edge_objective(lc, objective)
        key = (_searching._objective_key(lc, objective), _mask_key(cons))
        memo = self.__dict__.get("_masked")
        if memo is None:
            memo = self.__dict__.setdefault("_masked", {})
        hit = memo.get(key)
        if hit is None or hit[0] is not base:
            hit = (base, np.where(self.mask(cons), base, np.inf))
            hit[1].setflags(write=False)
            with _MASK_LOCK:
                if len(memo) >= self.masked_costs:
                    memo.pop(next(iter(memo)), None)
                memo[key] = hit
        return hit[1]

    def _mask(self, cons: Constraints) -> np.ndarray:
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
    n_landmarks = 16  # ALT landmarks per objective cost array (0: plain Dijkstra)
    n_active = 16  # of which the best for each query make its bound (all: fastest here)
    landmarks_after = 2  # searches of a cost array by Dijkstra before landmarks are chosen
    n_masked_landmarks = 16  # per mask (avoided countries, ...), once they pay off
    masked_landmarks_work = 8  # x nodes settled by a mask's searches: about their cost
    masked_landmark_sets = 12  # masks whose landmarks are kept (~10 MB each)

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
        self,
        cost: np.ndarray,
        o_place: int,
        d_place: int,
        via_places: Sequence[int],
        bound: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> np.ndarray | None:
        """Least-cost edge sequence from place to place through via places (None if none).

        ``bound``: :meth:`landmarks` of a cost array nowhere above ``cost`` (A* search);
        None: Dijkstra.
        """
        found = self._path(cost, [(o_place, 0.0)], [(d_place, 0.0)], via_places, bound)
        return None if found is None else found[0]

    def _layer_vnodes(self, place_vnode: int) -> np.ndarray:
        """Layer nodes where a route passes a via place (:func:`~serai.freight.ends.via_vnodes`:
        a port city without a land layer is also passed on land)."""
        return _ends.via_vnodes(self, place_vnode)

    # ------------------------------------------------------------------ public API
    locate = _locating.locate
    locate_end = _locating.locate_end
    _in_graph = _locating.in_graph
    resolve = _locating.resolve
    via_places = _locating.via_places

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
        cons = constraints if constraints is not None else Constraints.make(**kw)
        check_query(self, cons, objective=objective, carbon_price=carbon_price_usd_per_t)
        op, dp = self.locate_end(origin, "origin"), self.locate_end(destination, "destination")
        lc = self.costs_from(op, commodity_name, carbon_price_usd_per_t, crew)
        if op.target is not None and op.target == dp.target:
            raise InputError("origin and destination are the same place", field="destination")
        via = self.via_places(cons.via, op, dp)
        base = self.edge_objective(lc, objective)
        cost = base if cons.empty else self.masked_cost(lc, objective, cons)
        # masking only raises costs: the landmarks of the objective's costs bound them (or
        # better those of the masked costs, once they pay off)
        bound = self._bound(lc, objective, cons)
        r = self._route_places(op, dp, lc, objective, cons, cost, via, bound)
        pairs = _closedpairs.router_pairs(self)
        if pairs and _closedpairs.broken(pairs, _closedpairs.route_countries(r)) is not None:
            # a closed pair of countries (no freight between them by any way): search again
            def search(c: Constraints) -> Route:
                cost = self.masked_cost(lc, objective, c)
                return self._route_places(
                    op, dp, lc, objective, c, cost, via, self._bound(lc, objective, c)
                )

            ends = (self.place_country(op), self.place_country(dp))
            r = _closedpairs.comply(r, search, cons, pairs, ends, objective, (op.label, dp.label))
        return r

    def _route_places(
        self, op: Any, dp: Any, lc: LinkCosts, objective: str, cons: Constraints,
        cost: np.ndarray, via: list[int], bound: Any = None,
    ) -> Route:  # fmt: skip
        """Best route between two located places (first/last-mile legs when off the network).

        ``bound``: :meth:`landmarks` of costs nowhere above ``cost`` (None: Dijkstra).
        """
        try:
            starts = _ends.endpoints(self, op, "first", lc, cons)
        except InputError as exc:
            raise at_end(exc, "origin") from None
        try:
            ends = _ends.endpoints(self, dp, "last", lc, cons)
        except InputError as exc:
            raise at_end(exc, "destination") from None
        best = _ends.best_pair(self, cost, starts, ends, via, objective, bound)
        o = op.target if op.target is not None else starts[0][0].node_id
        d = dp.target if dp.target is not None else ends[0][0].node_id
        if best is None:
            raise self._diagnose(o, d, lc, objective, cons, ends=(starts, ends, op, dp))
        edges, first, last = best
        o = op.target if first is None else first.node_id
        d = dp.target if last is None else last.node_id
        r = self._make_route(edges, o, d, lc, objective, cons)
        return _ends.splice(r, first, last, op, dp)

    landmarks = _searching.landmarks
    masked_landmarks = _searching.masked_landmarks
    _bound = _searching.bound
    _path = _searching.path
    _path_pairs = _searching.path_pairs
    _diagnose = diagnose
    alternatives = _alternatives.alternatives
    _edges_of = _alternatives.edges_of
    pareto = _alternatives.pareto

    # ------------------------------------------------------------------ read back
    _line_names = line_names
    _make_route = make_route


def _mask_key(cons: Constraints) -> tuple:
    """Every field of the constraints that :meth:`Router.mask` reads."""
    return (cons.avoid_countries, cons.avoid_passages, cons.avoid_nodes, cons.avoid_links,
            cons.avoid_services, cons.modes)  # fmt: skip
