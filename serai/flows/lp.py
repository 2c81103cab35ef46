"""Minimum-cost multicommodity flow with hard capacities, by column generation (HiGHS).

The master problem over route columns (one variable per route of a class and OD
pair, plus one unmet-demand variable per OD pair at a penalty cost):

``min sum_p c_p f_p + sum_od M_od u_od``
``s.t. sum_{p in od} f_p + u_od = q_od`` (dual ``sigma_od``)
``     sum_p use_{k(p),j} n_pj f_p <= cap_j`` for every capacity unit ``j`` (dual ``pi_j <= 0``)

is solved with HiGHS (``highspy``); new routes come from least-cost searches on
``c_e + sum_j use_kj n_ej (-pi_j)`` (shortest-path pricing, one tree per class
and origin) and enter while their reduced cost is negative. At the end no route
of the whole graph prices out, so the master optimum is the optimum of the full
path (equivalently arc) formulation. ``-pi_j`` is the shadow price of capacity
``j``: the fall in total cost per unit of extra capacity (USD per unit per year
when flows are per year). The arc-based formulation (:func:`arc_min_cost_flow`)
is the independent check used by the tests and the benchmark.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from serai.assignment.logit import ChoiceProblem
from serai.errors import InputError, OptionalDependencyError

__all__ = ["LPConfig", "LPResult", "arc_min_cost_flow", "min_cost_flow"]


@dataclass(frozen=True)
class LPConfig:
    """Settings of the capacity LP.

    Parameters
    ----------
    unmet_factor
        Penalty of one unit of unmet demand, as a multiple of the OD pair's least
        cost at zero load (used when ``unmet_cost`` is not given).
    unmet_cost
        Penalty per unit of unmet demand for every class (overrides the factor).
    tol
        Reduced-cost tolerance, relative to the OD pair's least cost.
    max_rounds, time_limit
        Limits of the column generation.
    """

    unmet_factor: float = 5.0
    unmet_cost: float | None = None
    tol: float = 1e-9
    max_rounds: int = 500
    time_limit: float | None = None

    def __post_init__(self) -> None:
        if not (np.isfinite(self.unmet_factor) and self.unmet_factor > 1.0):
            raise InputError("unmet_factor must be a number > 1", field="unmet_factor")
        if self.unmet_cost is not None and not (self.unmet_cost > 0):
            raise InputError("unmet_cost must be > 0", field="unmet_cost")


@dataclass(frozen=True, eq=False)
class LPResult:
    """Optimal flows, unmet demand and capacity prices.

    Attributes
    ----------
    objective
        Total cost (routes plus unmet-demand penalties).
    paths : DataFrame
        ``path``, ``class``, ``od``, ``origin``, ``destination``, ``flow``, ``cost``.
    path_edges : list of ndarray
        Graph edges of each route (rows of ``paths``).
    class_flows : ndarray (K, m)
        Flow of each class on each graph edge.
    units : DataFrame
        ``unit``, ``load``, ``capacity``, ``voc``, ``dual`` (USD per unit of
        capacity; >= 0), ``binding``.
    unmet : DataFrame
        ``class``, ``od``, ``origin``, ``destination``, ``demand``, ``unmet``,
        ``penalty``, ``dual`` (marginal cost of one more unit of demand).
    log : DataFrame
        ``round``, ``columns``, ``added``, ``objective``, ``min_reduced_cost``,
        ``elapsed_s``.
    optimal
        True when no route prices out (the LP optimum over all routes).
    """

    objective: float
    paths: pd.DataFrame
    path_edges: list[np.ndarray] = field(repr=False)
    class_flows: np.ndarray = field(repr=False)
    units: pd.DataFrame = field(repr=False)
    unmet: pd.DataFrame = field(repr=False)
    log: pd.DataFrame = field(repr=False)
    optimal: bool = False


_BANNER_LOCK = threading.Lock()
_banner_done = False


def _highs():
    try:
        import highspy
    except ImportError:  # pragma: no cover - highspy is a dependency
        raise OptionalDependencyError("highspy", "flows") from None
    h = _quiet_highs(highspy)
    h.setOptionValue("output_flag", False)
    return highspy, h


def _quiet_highs(highspy):
    """``highspy.Highs()`` without the banner HiGHS prints on the first one of a process.

    HiGHS 1.16 writes 'Running HiGHS ...' to the C-level stdout in its constructor, before
    any option can be set (highspy's ``Highs()`` takes none). File descriptor 1 is pointed
    at the null device around that first construction only (a process-wide switch, so it is
    made once, under a lock, and C's buffers are flushed before it is undone).
    """
    global _banner_done
    with _BANNER_LOCK:
        if _banner_done:
            return highspy.Highs()
        _banner_done = True
        import ctypes
        import os
        import sys

        try:
            sys.stdout.flush()
        except (AttributeError, OSError, ValueError):  # pragma: no cover - odd stdout
            pass
        try:
            saved = os.dup(1)
        except OSError:  # pragma: no cover - no fd 1: nothing to print to
            return highspy.Highs()
        libc = ctypes.CDLL(None)
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.close(null)
            h = highspy.Highs()
            libc.fflush(None)
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        return h


def _unit_counts(p: ChoiceProblem) -> sparse.csr_matrix | None:
    if p.units is None:
        return None
    eu = p.units.edge_unit.tocsr()
    return sparse.csr_matrix((np.ones(eu.nnz), eu.indices, eu.indptr), shape=eu.shape)


def _unmet_penalty(cfg: LPConfig, base: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """Cost per unit of unmet demand of each OD pair: ``unmet_cost``, else ``unmet_factor``
    times its least cost (an unreachable or free pair: times the largest least cost)."""
    if cfg.unmet_cost is not None:
        return np.full(len(base), float(cfg.unmet_cost))
    penalty = np.where(reach & (base > 0), cfg.unmet_factor * base, 1.0)
    if reach.any():
        penalty = np.where(
            reach & (base > 0), penalty, cfg.unmet_factor * max(base[reach].max(), 1.0)
        )
    return penalty


def _least_costs(p: ChoiceProblem, costs: np.ndarray, groups) -> tuple[np.ndarray, list]:
    """Least cost and route of every OD pair at ``costs`` (K, m)."""
    dist = np.full(p.n_od, np.inf)
    routes: list = [None] * p.n_od
    for (k, o), ods in groups.items():
        d, found = p.least_routes(k, o, ods, costs[k])
        for i, di, e in zip(ods, d, found, strict=True):
            if e is not None:
                dist[i] = di
                routes[i] = e
    return dist, routes


def min_cost_flow(
    p: ChoiceProblem,
    config: LPConfig | None = None,
    *,
    initial_paths=(),
) -> LPResult:
    """Least-cost flows under hard capacities, with unmet demand and shadow prices.

    Parameters
    ----------
    p
        The problem: per-class edge costs (``edge_cost``, inf = barred), OD demand
        and capacity units (``units.cap``, ``units.use``; the pattern of
        ``units.edge_unit`` says which edges load which unit; delay functions are
        not used here).
    config
        Unmet-demand penalty and limits.
    initial_paths
        Extra starting routes ``(od, edges)``.

    Returns
    -------
    LPResult

    Examples
    --------
    Two parallel links of cost 1 and 3, the cheap one with capacity 60, 100 units
    of demand: 60 go the cheap way, 40 the dear way, and one more unit of
    capacity saves 3 - 1 = 2.

    >>> import numpy as np, pandas as pd
    >>> from serai.network import Network
    >>> from serai.assignment.logit import plain_problem
    >>> from serai.assignment import TrafficClass
    >>> net = Network.from_tables(links=pd.DataFrame({"link_id": [1, 2],
    ...     "from_node": [1, 1], "to_node": [2, 2], "free_flow_time": [1.0, 3.0],
    ...     "capacity": [60.0, 1e9]}))
    >>> from serai.network import compile_network
    >>> trips = pd.DataFrame({"origin": [1], "destination": [2], "volume": [100.0]})
    >>> p = plain_problem(compile_network(net), [TrafficClass("all", trips)])
    >>> r = min_cost_flow(p)
    >>> r.objective, float(r.units["dual"].iloc[0])  # the second link has room: no price
    (180.0, 2.0)
    """
    cfg = config if config is not None else LPConfig()
    highspy, h = _highs()
    t_start = time.perf_counter()
    g = p.graph
    K, N = p.K, p.n_od
    counts = _unit_counts(p)
    U = 0 if p.units is None else p.units.n
    cap = np.zeros(0) if p.units is None else np.asarray(p.units.cap, float)
    use = np.zeros((K, 0)) if p.units is None else np.asarray(p.units.use, float)
    if U and (np.any(~(cap >= 0)) or np.any(use < 0)):
        raise InputError("capacities and class use of capacity must be >= 0", field="capacity")
    groups = p.origin_groups()
    base, first = _least_costs(p, p.edge_cost, groups)
    q = np.asarray(p.od_volume, float)
    reach = np.isfinite(base)
    penalty = _unmet_penalty(cfg, base, reach)
    inf = highspy.kHighsInf
    # rows: N demand equalities, then U capacity rows (finite capacity only matter)
    h.addRows(N, q, q, 0, np.zeros(N, np.int32), np.zeros(0, np.int32), np.zeros(0))
    if U:
        h.addRows(U, np.full(U, -inf), np.where(np.isfinite(cap), cap, inf), 0,
                  np.zeros(U, np.int32), np.zeros(0, np.int32), np.zeros(0))  # fmt: skip
    # unmet columns
    h.addCols(N, penalty, np.zeros(N), np.full(N, inf), N, np.arange(N, dtype=np.int32),
              np.arange(N, dtype=np.int32), np.ones(N))  # fmt: skip
    p_edges: list[np.ndarray] = []
    p_od: list[int] = []
    p_cost: list[float] = []
    keys: list[set[bytes]] = [set() for _ in range(N)]

    def add(cols: list[tuple[int, np.ndarray]]) -> int:
        starts, idx, vals, costs = [], [], [], []
        nnz = 0
        for od, e in cols:
            e = np.asarray(e, np.int64)
            key = e.tobytes()
            if key in keys[od]:
                continue
            keys[od].add(key)
            k = int(p.od_class[od])
            c = float(p.edge_cost[k][e].sum())
            if not np.isfinite(c):
                continue
            rows = [od]
            vv = [1.0]
            if U:
                sub = counts[e]
                n_j = np.asarray(sub.sum(axis=0)).ravel()
                j = np.flatnonzero(n_j)
                rows += (N + j).tolist()
                vv += (n_j[j] * use[k, j]).tolist()
            starts.append(nnz)
            idx += rows
            vals += vv
            nnz += len(rows)
            costs.append(c)
            p_edges.append(e)
            p_od.append(od)
            p_cost.append(c)
        if costs:
            h.addCols(len(costs), np.array(costs), np.zeros(len(costs)),
                      np.full(len(costs), inf), nnz, np.array(starts, np.int32),
                      np.array(idx, np.int32), np.array(vals, float))  # fmt: skip
        return len(costs)

    add([(i, r) for i, r in enumerate(first) if r is not None])
    add([(int(od), e) for od, e in initial_paths])
    log_rows = []
    optimal = False
    rnd = 0
    while True:
        rnd += 1
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise InputError(
                f"the capacity LP could not be solved: {h.modelStatusToString(status)}"
            )
        sol = h.getSolution()
        duals = np.asarray(sol.row_dual)
        sigma = duals[:N]
        pi = duals[N:] if U else np.zeros(0)
        # pricing: edge costs plus the capacity prices of the units each edge loads
        if U:
            price = -np.minimum(pi, 0.0)  # >= 0
            extra = (counts @ (use * price[None, :]).T).T  # (K, m)
            costs = p.edge_cost + extra
        else:
            costs = p.edge_cost
        dist, routes = _least_costs(p, costs, groups)
        rc = dist - sigma
        scale_ = np.where(np.isfinite(base) & (base > 0), base, 1.0)
        neg = np.flatnonzero(np.isfinite(rc) & (rc < -cfg.tol * scale_))
        added = add([(int(i), routes[i]) for i in neg]) if len(neg) else 0
        obj = float(h.getInfo().objective_function_value)
        min_rc = (
            float(np.min(rc[np.isfinite(rc)] / scale_[np.isfinite(rc)]))
            if np.isfinite(rc).any()
            else 0.0
        )
        log_rows.append(
            {"round": rnd, "columns": len(p_edges), "added": added, "objective": obj,
             "min_reduced_cost": min_rc, "elapsed_s": time.perf_counter() - t_start}
        )  # fmt: skip
        if added == 0:
            optimal = True
            break
        if rnd >= cfg.max_rounds or (
            cfg.time_limit is not None and time.perf_counter() - t_start > cfg.time_limit
        ):
            h.run()
            sol = h.getSolution()
            duals = np.asarray(sol.row_dual)
            sigma, pi = duals[:N], (duals[N:] if U else np.zeros(0))
            break
    x = np.asarray(sol.col_value)
    unmet = x[:N]
    f = x[N:]
    P = len(p_edges)
    p_od_a = np.asarray(p_od, np.int64)
    flows = np.zeros((K, g.n_edges))
    if P:
        lens = np.array([len(e) for e in p_edges])
        cat = np.concatenate(p_edges)
        rows = np.repeat(np.arange(P), lens)
        np.add.at(flows, (p.od_class[p_od_a][rows], cat), f[rows])
    if U:
        load = _unit_load(counts, use, flows)
        units = pd.DataFrame(
            {
                "unit": list(p.units.names) if p.units.names else np.arange(U),
                "load": load,
                "capacity": cap,
                "voc": np.where(cap > 0, load / np.where(cap > 0, cap, 1), np.inf),
                "dual": -np.minimum(pi, 0.0),
            }
        )
        units["binding"] = units["dual"] > 1e-9
    else:
        units = pd.DataFrame(
            {"unit": [], "load": [], "capacity": [], "voc": [], "dual": [], "binding": []}
        )
    names = np.asarray(p.names, dtype=object)
    paths = pd.DataFrame(
        {
            "path": np.arange(P),
            "class": names[p.od_class[p_od_a]] if P else [],
            "od": p_od_a,
            "origin": g.node_ids[p.od_origin[p_od_a]] if P else [],
            "destination": g.node_ids[p.od_destination[p_od_a]] if P else [],
            "flow": f,
            "cost": np.asarray(p_cost),
        }
    )
    unmet_df = pd.DataFrame(
        {
            "class": names[p.od_class],
            "od": np.arange(N),
            "origin": g.node_ids[p.od_origin],
            "destination": g.node_ids[p.od_destination],
            "demand": q,
            "unmet": unmet,
            "penalty": penalty,
            "dual": sigma,
        }
    )
    return LPResult(
        objective=float(h.getInfo().objective_function_value),
        paths=paths,
        path_edges=p_edges,
        class_flows=flows,
        units=units,
        unmet=unmet_df,
        log=pd.DataFrame(log_rows),
        optimal=optimal,
    )


def _unit_load(counts: sparse.csr_matrix, use: np.ndarray, flows: np.ndarray) -> np.ndarray:
    """Load of each unit: sum over classes of use times the class flow on its edges."""
    per_class = counts.T @ flows.T  # (U, K)
    return np.asarray((per_class * use.T).sum(axis=1)).ravel()


def arc_min_cost_flow(p: ChoiceProblem, config: LPConfig | None = None) -> dict:
    """The same LP in node-arc form (one commodity per OD pair and class), for checks.

    Returns a dict with ``objective``, ``class_flows`` (K, m), ``unmet`` (N,) and
    ``duals`` (capacity prices, >= 0). Routes may not pass through non-passable
    nodes (places), as in the path formulation. Penalties are computed as in
    :func:`min_cost_flow`.
    """
    cfg = config if config is not None else LPConfig()
    highspy, h = _highs()
    g = p.graph
    K, N, m, n = p.K, p.n_od, g.n_edges, g.n_nodes
    groups = p.origin_groups()
    base, _ = _least_costs(p, p.edge_cost, groups)
    reach = np.isfinite(base)
    penalty = _unmet_penalty(cfg, base, reach)
    counts = _unit_counts(p)
    U = 0 if p.units is None else p.units.n
    use = np.zeros((K, 0)) if p.units is None else p.units.use
    cap = np.zeros(0) if p.units is None else p.units.cap
    inf = highspy.kHighsInf
    # one commodity per OD pair: an unmet-demand arc o -> d cannot be chained into
    # another pair's route, as in the path formulation
    comms = [((int(p.od_class[i]), int(p.od_origin[i])), [i]) for i in range(N)]
    C = len(comms)
    # rows: C * n node balances, then U capacity rows
    rhs = np.zeros(C * n)
    for c, ((_k, o), ods) in enumerate(comms):
        for i in ods:
            rhs[c * n + o] += p.od_volume[i]
            rhs[c * n + p.od_destination[i]] -= p.od_volume[i]
    h.addRows(C * n, rhs, rhs, 0, np.zeros(C * n, np.int32), np.zeros(0, np.int32), np.zeros(0))
    if U:
        h.addRows(U, np.full(U, -inf), cap, 0, np.zeros(U, np.int32), np.zeros(0, np.int32),
                  np.zeros(0))  # fmt: skip
    tails, heads = np.asarray(g.tails, np.int64), np.asarray(g.heads, np.int64)
    cc = counts.tocsr() if U else None
    col_meta = []
    for c, ((k, o), ods) in enumerate(comms):
        ok = np.isfinite(p.edge_cost[k]) & (np.asarray(g.passable)[tails] | (tails == o))
        es = np.flatnonzero(ok)
        starts, idx, vals = [], [], []
        nnz = 0
        for e in es:
            r = [c * n + tails[e], c * n + heads[e]]
            v = [1.0, -1.0]
            if U:
                lo, hi = cc.indptr[e], cc.indptr[e + 1]
                j = cc.indices[lo:hi]
                r += (C * n + j).tolist()
                v += (cc.data[lo:hi] * use[k, j]).tolist()
            starts.append(nnz)
            idx += r
            vals += v
            nnz += len(r)
        h.addCols(len(es), p.edge_cost[k][es], np.zeros(len(es)), np.full(len(es), inf), nnz,
                  np.array(starts, np.int32), np.array(idx, np.int32), np.array(vals))  # fmt: skip
        col_meta.append((k, es))
        # unmet: a direct origin -> destination column at the penalty
        for i in ods:
            d = int(p.od_destination[i])
            h.addCols(1, np.array([penalty[i]]), np.zeros(1), np.full(1, inf), 2,
                      np.array([0], np.int32), np.array([c * n + o, c * n + d], np.int32),
                      np.array([1.0, -1.0]))  # fmt: skip
            col_meta.append((-1, i))
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise InputError(f"the arc LP could not be solved: {h.modelStatusToString(status)}")
    sol = h.getSolution()
    x = np.asarray(sol.col_value)
    flows = np.zeros((K, m))
    unmet = np.zeros(N)
    pos = 0
    for k, es in col_meta:
        if k >= 0:
            flows[k, es] += x[pos : pos + len(es)]
            pos += len(es)
        else:
            unmet[es] = x[pos]
            pos += 1
    duals = -np.minimum(np.asarray(sol.row_dual)[C * n :], 0.0) if U else np.zeros(0)
    return {
        "objective": float(h.getInfo().objective_function_value),
        "class_flows": flows,
        "unmet": unmet,
        "duals": duals,
    }
