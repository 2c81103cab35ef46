"""Stochastic user equilibrium: path-based logit choice with congestion on capacity units.

Shippers do not all take the single cheapest route: the share of path ``p`` of
an origin-destination pair (OD) is a (path-size) logit of its generalised cost,

``P(p) = exp(-theta_od (c_p + a_p) + ln PS_p) / sum_q exp(-theta_od (c_q + a_q) + ln PS_q)``

with ``a_p`` an alternative-specific constant (cost units, choice only),
``PS_p`` the path-size factor (Ben-Akiva and Bierlaire 1999; overlapping routes
share their weight) and ``theta_od`` the dispersion: ``theta`` per unit of cost
(``scale="absolute"``) or per unit of the OD's least free-flow cost
(``scale="relative"``, so one number serves classes measured in USD per TEU and
USD per tonne). Costs rise with use on congestible **units** (a link, a set of
parallel links such as the berths of one port, or the links of a rail section):
each unit has a load ``v_u`` (sum over classes of class flow times the class's
use of the unit), a volume-delay function from :mod:`serai.assignment.vdf`, and
adds ``weight_k * share * (t_u(v_u) - t0_u)`` to the cost of every class-``k``
path crossing it.

Paths are generated as columns (least cost at the current costs, optionally
seeded with given routes), flows move towards the logit loading with a step
from a line search on Fisk's (1980) objective, and the convergence log is the
one of :func:`serai.assignment.assign`. The relative gap is

``(sum_p f_p (c_p + (ln(f_p / q) - b_p) / theta) - sum_od q_od S_od) / sum_p f_p c_p``

with ``S_od = -(1/theta) ln sum_p exp(-theta c_p + b_p)`` the expected least
cost (``b_p = ln PS_p - theta a_p``): zero exactly at the logit equilibrium, and
equal to the user-equilibrium gap (TSTT - SPTT) / TSTT as ``theta`` grows.

The problem, configuration and result classes live in :mod:`serai.assignment.choice`,
the path store and route generators in :mod:`serai.assignment.columns`; every name
that was importable from this module still is.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from serai.assignment.choice import (
    ChoiceProblem,
    Generator,
    LogitConfig,
    LogitResult,
    Progress,
    Units,
)
from serai.assignment.columns import (
    _Paths,
    penalty_routes,
    routes_from_tree,
    shortest_path_generator,
)
from serai.assignment.columns import _trace_many as _trace_many
from serai.assignment.columns import _trace_many_py as _trace_many_py
from serai.assignment.config import TrafficClass
from serai.assignment.engine import _Log
from serai.assignment.vdf import VolumeDelay, vdf_by_name
from serai.errors import InputError
from serai.network.compile import Graph, compile_network
from serai.network.core import Network

__all__ = [
    "ChoiceProblem",
    "LogitConfig",
    "LogitResult",
    "Units",
    "logit_assign",
    "logit_equilibrium",
    "penalty_routes",
    "plain_problem",
    "routes_from_tree",
    "shortest_path_generator",
]


# ----------------------------------------------------------------------------- algorithm
def _segments(values: np.ndarray, order: np.ndarray, starts: np.ndarray, op) -> np.ndarray:
    return op.reduceat(values[order], starts) if len(starts) else np.zeros(0)


def logit_equilibrium(
    p: ChoiceProblem,
    config: LogitConfig | None = None,
    *,
    generate: Generator | None = None,
    initial_paths: Iterable[tuple[int, np.ndarray]] = (),
    progress: Progress | None = None,
) -> LogitResult:
    """Logit (stochastic) user equilibrium of a :class:`ChoiceProblem`.

    Parameters
    ----------
    p
        The problem (costs, demand, congestible units).
    config
        Dispersion, path-size correction, stopping rules.
    generate
        Column generator: called with the (K, m) edge costs of the current
        iterate (constants included), yields ``(od, edges)`` routes; default:
        :func:`shortest_path_generator`. If it has a ``complete`` attribute (same
        signature: a wider, dearer search, e.g. the least-cost route of every
        corridor), that is called when the gap is met, and the iteration goes on
        while it adds routes: the choice sets are then complete for both searches
        at the equilibrium costs.
    initial_paths
        Routes to start from (e.g. one per corridor), ``(od, edges)``.
    progress
        Called with each convergence-log row.

    Returns
    -------
    LogitResult
    """
    cfg = config if config is not None else LogitConfig()
    gen = generate if generate is not None else shortest_path_generator(p)
    log = _Log(progress)
    paths = _Paths(p)
    u = p.units
    for od, e in initial_paths:
        paths.add(int(od), e, cfg.max_paths)
    excess = np.zeros(u.n) if u is not None else None

    def choice_costs(ex):
        c = p.edge_costs_at(ex)
        return c if p.edge_constant is None else c + p.edge_constant

    for od, e in gen(choice_costs(excess)):
        paths.add(int(od), e, cfg.max_paths)
    paths.build(np.zeros(0))
    has_path = np.zeros(p.n_od, bool)
    has_path[paths.p_od] = True
    q = p.od_volume
    # dispersion per OD
    base = np.full(p.n_od, np.inf)
    if len(paths.edges):
        np.minimum.at(base, paths.p_od, paths.fixed)
    if cfg.scale == "relative":
        theta_od = np.where(
            np.isfinite(base) & (base > 0), cfg.theta / np.where(base > 0, base, 1), cfg.theta
        )
    else:
        theta_od = np.full(p.n_od, cfg.theta)

    def costs_of(f):
        if u is None:
            return paths.fixed.copy(), None, None
        v = paths.load.T @ f
        ex = u.excess(v)
        c = paths.fixed + p.weight[paths.p_class] * (paths.share @ ex)
        return c, v, ex

    def ps_terms():
        ps = paths.path_size(None) if cfg.path_size else np.ones(len(paths.edges))
        th = theta_od[paths.p_od]
        return ps, np.log(ps) - th * paths.const, th

    def loading(c, b, th):
        util = -th * c + b
        util = np.where(np.isfinite(util), util, -np.inf)
        mx = _segments(util, paths.order, paths.starts, np.maximum)
        mx_p = np.empty(len(c))
        mx_p[paths.order] = np.repeat(mx, np.diff(np.r_[paths.starts, len(c)]))
        ex = np.exp(util - mx_p)
        den = _segments(ex, paths.order, paths.starts, np.add)
        den_p = np.empty(len(c))
        den_p[paths.order] = np.repeat(den, np.diff(np.r_[paths.starts, len(c)]))
        y = q[paths.p_od] * ex / den_p
        sod = np.zeros(p.n_od)
        with np.errstate(divide="ignore"):
            sod[paths.group_od] = -(mx + np.log(den)) / theta_od[paths.group_od]
        return y, sod

    def measures(f, c, b, th, sod, v):
        pos = f > 0
        ent = np.zeros(len(f))
        ent[pos] = f[pos] * (np.log(f[pos] / q[paths.p_od[pos]]) - b[pos]) / th[pos]
        tstt = float(np.sum(f * c))
        total = tstt + float(ent.sum())
        sptt = float(np.sum(q[has_path] * sod[has_path]))
        gap = (total - sptt) / tstt if tstt > 0 else 0.0
        fisk = float(np.sum(f * paths.fixed)) + float(ent.sum())
        if u is not None and v is not None:
            fisk += _weighted_integral(p, paths, f, u, v)
        return max(gap, 0.0), tstt, sptt, fisk

    ps, b, th = ps_terms()
    c, v, ex = costs_of(paths.flow)
    f, _ = loading(c, b, th)
    it = 0
    converged = False
    while True:
        it += 1
        c, v, ex = costs_of(f)
        g0 = time.perf_counter()
        gen_now = it > 1 and it % cfg.generate_every == 0
        grew = False
        if gen_now:
            grew = _grow(paths, gen(choice_costs(ex)), cfg.max_paths, f)
            if grew:
                f = paths.flow
                has_path[paths.p_od] = True
                ps, b, th = ps_terms()
                c, v, ex = costs_of(f)
        y, sod = loading(c, b, th)
        gap, tstt, sptt, fisk = measures(f, c, b, th, sod, v)
        log.add(it, gap, tstt, sptt, fisk, time.perf_counter() - g0)
        if gap <= cfg.gap and not grew:
            # stop only when the route sets are complete at the current costs: for the
            # generator, and for its wider search (``generate.complete``) if it has one
            grew = not gen_now and _grow(paths, gen(choice_costs(ex)), cfg.max_paths, f)
            wider = getattr(gen, "complete", None)
            if not grew and wider is not None:
                grew = _grow(paths, wider(choice_costs(ex)), cfg.max_paths, f)
            if not grew:
                converged = True
                break
            f = paths.flow
            has_path[paths.p_od] = True
            ps, b, th = ps_terms()
            continue
        if it >= cfg.max_iter or (cfg.time_limit is not None and log.elapsed >= cfg.time_limit):
            break
        d = _direction(p, paths, f, y, c, b, th, q, v)
        lam = _line_search(p, paths, f, d, b, th, q)
        f = np.maximum(f + lam * d, 0.0)
    return _logit_result(p, paths, f, log, converged, has_path, theta_od, ps, b)


def _grow(paths: _Paths, found, max_paths: int, f: np.ndarray) -> bool:
    """Add new routes; rebuild the arrays (new routes start at zero flow). True if any."""
    added = 0
    for od, e in found:
        added += paths.add(int(od), e, max_paths)
    if added:
        paths.build(f)
    return bool(added)


def _weighted_integral(p: ChoiceProblem, paths: _Paths, f, u: Units, v) -> float:
    # Fisk's congestion term, exact when one class loads each unit; weighted by the mean class weight
    wt = p.weight[paths.p_class]
    share_load = paths.load.T @ (f * wt)
    mean_w = np.where(v > 0, share_load / np.where(v > 0, v, 1), 0.0)
    return float(np.sum(mean_w * (u.vdf.integral(v, u.t0, u.cap, u.params) - u.t0 * v)))


#: a route whose logit loading exceeds this multiple of its flow sends its OD pair towards
#: the logit loading (see _direction)
_FAR = 10.0


def _direction(p, paths, f, y, c, b, th, q, v) -> np.ndarray:
    """Projected-Newton direction per OD pair (flow to the path of least Fisk gradient).

    ``g_p = c_p + (ln(f_p / q) - b_p) / theta`` is the gradient of Fisk's objective;
    each path sends ``(g_p - g_best) / (h_p + h_best)`` of flow to the best path of
    its OD pair, ``h`` the own-path curvature (congestion plus ``1 / (theta f_p)``).
    OD pairs with a route at zero flow (new columns) or far below its logit loading move
    towards the logit loading.
    """
    u = p.units
    P = len(f)
    pos = f > 0
    h = np.zeros(P)
    if u is not None:
        dt = u.vdf.derivative(v, u.t0, u.cap, u.params)
        h = p.weight[paths.p_class] * (paths.curv @ dt)
    # the entropy term adds 1 / (theta f_p) to the curvature; it is kept as its inverse
    # a_p = theta f_p (finite for every flow, 0 at zero flow), see the shift below
    a = th * f
    with np.errstate(divide="ignore"):
        gr = c + (np.log(np.where(pos, f, 1.0) / q[paths.p_od]) - b) / th
    gr = np.where(pos, gr, -np.inf)
    order, starts = paths.order, paths.starts
    sizes = np.diff(np.r_[starts, P])
    gmin = np.minimum.reduceat(gr[order], starts)
    # an OD pair with a route far below its logit loading (a new column at zero flow, or a
    # route a capped Newton shift drove towards zero: Newton grows a flow f only by about
    # theta f (g_p - g_b) per step, so a route at 1e-300 of its share would take a hundred
    # iterations) moves towards the logit loading instead, a descent direction of Fisk's
    # objective too
    far = ~pos | (y > _FAR * f)
    any_zero = np.maximum.reduceat(far[order].astype(np.int64), starts) > 0
    # best path of each OD (first minimiser in the sorted order)
    gmin_p = np.repeat(gmin, sizes)
    is_min = gr[order] <= gmin_p
    first = np.zeros(len(order), bool)
    idx = np.flatnonzero(is_min)
    grp = np.repeat(np.arange(len(starts)), sizes)
    _, fi = np.unique(grp[idx], return_index=True)
    first[idx[fi]] = True
    best = order[first]  # one per group, in group order
    # Newton shift (g_p - g_b) / (h_p + 1/a_p + h_b + 1/a_b) written without dividing by a
    # flow: a_p a_b (g_p - g_b) / (a_p a_b (h_p + h_b) + a_p + a_b). A path whose flow is
    # denormal (a logit share of exp(-700)) gives a 0 shift, not an overflow.
    hb = np.repeat(h[best], sizes)
    ab = np.repeat(a[best], sizes)
    go = gr[order]
    fo = f[order]
    ao = a[order]
    with np.errstate(invalid="ignore", under="ignore"):
        aa = ao * ab
        den = aa * (h[order] + hb) + ao + ab
        step = np.where(den > 0, aa * (go - gmin_p) / np.where(den > 0, den, 1.0), 0.0)
        shift = np.where(first, 0.0, np.minimum(fo, step))
    shift = np.where(np.isfinite(shift), np.maximum(shift, 0.0), 0.0)
    d_sorted = -shift
    tot = np.add.reduceat(shift, starts)
    d_sorted[first] += tot
    d = np.empty(P)
    d[order] = d_sorted
    if any_zero.any():
        zero_p = np.repeat(any_zero, sizes)
        d_sorted2 = (y - f)[order]
        d_sorted = np.where(zero_p, d_sorted2, d_sorted)
        d[order] = d_sorted
    return d


def _line_search(p, paths, f, d, b, th, q) -> float:
    """Step in [0, 1] where the directional derivative of Fisk's objective is zero."""
    u = p.units
    od_q = q[paths.p_od]
    if u is not None:
        dv = paths.load.T @ d
        v0 = paths.load.T @ f
        wcls = p.weight[paths.p_class]

    def deriv(lam: float) -> float:
        x = f + lam * d
        c = paths.fixed
        if u is not None:
            ex = u.excess(v0 + lam * dv)
            c = c + wcls * (paths.share @ ex)
        xs = np.maximum(x, 1e-300)
        return float(np.sum(d * (c + (np.log(xs / od_q) - b) / th)))

    if deriv(1.0) <= 0.0:
        return 1.0
    lo, hi = 0.0, 1.0
    if deriv(1e-12) >= 0.0:
        return 0.0
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        if deriv(mid) < 0.0:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-10:
            break
    return 0.5 * (lo + hi)


def _logit_result(p, paths, f, log, converged, has_path, theta_od, ps, b) -> LogitResult:
    g = p.graph
    u = p.units
    P = len(paths.edges)
    K, m = p.K, g.n_edges
    x = np.zeros((K, m))
    if P:
        contrib = f[paths.rows]
        np.add.at(x, (paths.p_class[paths.rows], paths.cat), contrib)
    if u is not None:
        v = paths.load.T @ f if P else np.zeros(u.n)
        ex = u.excess(v)
        c = paths.fixed + p.weight[paths.p_class] * (paths.share @ ex) if P else np.zeros(0)
        delay = u.edge_unit @ ex
        units = pd.DataFrame(
            {
                "unit": list(u.names) if u.names else np.arange(u.n),
                "load": v,
                "capacity": u.cap,
                "voc": v / u.cap,
                "delay": ex,
                "time": u.t0 + ex,
            }
        )
    else:
        c = paths.fixed.copy() if P else np.zeros(0)
        delay = np.zeros(m)
        units = pd.DataFrame({"unit": [], "load": [], "capacity": [], "voc": [], "delay": []})
    links = pd.DataFrame(
        {
            "link_id": g.link_ids,
            "from_node": g.node_ids[g.tails],
            "to_node": g.node_ids[g.heads],
            "flow": x.sum(axis=0),
            "delay": delay,
        }
    )
    for k, name in enumerate(p.names):
        links[f"flow_{name}"] = x[k]
    q = p.od_volume
    paths_df = pd.DataFrame(
        {
            "path": np.arange(P),
            "class": np.asarray(p.names, dtype=object)[paths.p_class] if P else [],
            "od": paths.p_od if P else [],
            "origin": g.node_ids[p.od_origin[paths.p_od]] if P else [],
            "destination": g.node_ids[p.od_destination[paths.p_od]] if P else [],
            "flow": f,
            "cost": c,
            "share": f / q[paths.p_od] if P else [],
            "constant": paths.const if P else [],
            "path_size": ps,
            "n_edges": np.diff(paths.ptr) if P else [],
        }
    )
    miss = np.flatnonzero(~has_path & (q > 0))
    disconnected = pd.DataFrame(
        {
            "class": np.asarray(p.names, dtype=object)[p.od_class[miss]],
            "origin": g.node_ids[p.od_origin[miss]],
            "destination": g.node_ids[p.od_destination[miss]],
            "volume": q[miss],
        }
    )
    del theta_od, b
    return LogitResult(
        links=links,
        units=units,
        paths=paths_df,
        path_edges=list(paths.edges),
        class_flows=x,
        convergence=log.frame(),
        disconnected=disconnected,
        converged=converged,
    )


# ----------------------------------------------------------------------------- plain networks
def logit_assign(
    network: Network | Graph,
    demand: pd.DataFrame | TrafficClass | Sequence[TrafficClass],
    config: LogitConfig | None = None,
    *,
    vdf: str | VolumeDelay = "bpr",
    progress: Progress | None = None,
) -> LogitResult:
    """Logit (stochastic) user equilibrium on a plain network, link by link.

    Links with a finite positive ``capacity`` are congestible (``vdf`` over
    ``free_flow_time``); the others keep their free-flow time. The choice set
    starts with :func:`penalty_routes` and grows by least-cost routes as
    congestion changes the costs. Classes are
    :class:`~serai.assignment.TrafficClass` (time weight, PCE, fixed costs,
    barred links), as for :func:`~serai.assignment.assign`.

    Examples
    --------
    Three routes of cost 10, 11 and 12, theta 1 per unit of cost, no path-size
    correction (disjoint routes): shares ``exp(-c) / sum exp(-c)``.

    >>> import numpy as np, pandas as pd
    >>> from serai.network import Network
    >>> net = Network.from_tables(links=pd.DataFrame({
    ...     "link_id": [1, 2, 3], "from_node": [1, 1, 1], "to_node": [2, 2, 2],
    ...     "free_flow_time": [10.0, 11.0, 12.0]}))
    >>> trips = pd.DataFrame({"origin": [1], "destination": [2], "volume": [100.0]})
    >>> r = logit_assign(net, trips, LogitConfig(theta=1.0, scale="absolute", gap=1e-10))
    >>> w = np.exp(-np.array([10.0, 11.0, 12.0]))
    >>> bool(np.allclose(r.links["flow"], 100 * w / w.sum()))
    True
    """
    cfg = config if config is not None else LogitConfig()
    graph = network if isinstance(network, Graph) else compile_network(network)
    if isinstance(demand, pd.DataFrame):
        classes: Sequence[TrafficClass] = [TrafficClass("all", demand)]
    elif isinstance(demand, TrafficClass):
        classes = [demand]
    else:
        classes = list(demand)
    p = plain_problem(graph, classes, vdf)
    return logit_equilibrium(p, cfg, initial_paths=penalty_routes(p, cfg), progress=progress)


def plain_problem(
    graph: Graph, classes: Sequence[TrafficClass], vdf: str | VolumeDelay = "bpr"
) -> ChoiceProblem:
    """A :class:`ChoiceProblem` from a compiled graph and traffic classes (link-based units)."""
    from serai.assignment.engine import _demand_arrays, _edge_array, _edge_column

    g = graph
    if not classes:
        raise InputError("no traffic class given")
    names = tuple(c.name for c in classes)
    if len(set(names)) != len(names):
        raise InputError(f"traffic class names must be unique: {names}")
    t0 = _edge_column(g, "free_flow_time", None, "free-flow time")
    if np.any(~np.isfinite(t0)) or np.any(t0 < 0):
        raise InputError("free_flow_time must be finite and >= 0", field="free_flow_time")
    cap = g.costs.get("capacity")
    K, m = len(classes), g.n_edges
    w = np.array([c.time_weight for c in classes], dtype=np.float64)
    pce = np.array([c.pce for c in classes], dtype=np.float64)
    if np.any(w < 0) or np.any(pce <= 0):
        raise InputError("class time_weight must be >= 0 and pce > 0")
    cost = np.zeros((K, m))
    oc, oo, od_, ov = [], [], [], []
    for k, c in enumerate(classes):
        cost[k] = w[k] * t0
        if c.length_weight:
            cost[k] += c.length_weight * np.nan_to_num(_edge_column(g, "length", None, "length"))
        if c.toll_weight:
            cost[k] += c.toll_weight * np.nan_to_num(_edge_column(g, "toll", 0.0, "toll"))
        if c.fixed_cost is not None:
            cost[k] += np.nan_to_num(_edge_array(g, c.fixed_cost, "fixed_cost"))
        if np.any(cost[k] < 0):
            raise InputError(f"class '{c.name}': the generalised cost is negative somewhere")
        if c.allowed is not None:
            cost[k][~_edge_array(g, c.allowed, "allowed").astype(bool)] = np.inf
        origins, starts, ud, vols, _ = _demand_arrays(g, c.demand, c.name)
        counts = np.diff(np.r_[starts, len(ud)])
        oc.append(np.full(len(ud), k))
        oo.append(np.repeat(origins, counts))
        od_.append(ud)
        ov.append(vols)
    units = None
    if cap is not None:
        cap = np.asarray(cap, float)
        cong = np.flatnonzero(np.isfinite(cap) & (cap > 0))
        if len(cong):
            f = vdf_by_name(vdf)
            params = tuple(
                _edge_column(g, col, dflt, "volume-delay parameter")[cong]
                for col, dflt in zip(f.columns, f.defaults, strict=True)
            )
            eu = sparse.csr_matrix(
                (np.ones(len(cong)), (cong, np.arange(len(cong)))), shape=(m, len(cong))
            )
            units = Units(
                t0=t0[cong],
                cap=cap[cong],
                params=params,
                edge_unit=eu,
                use=np.repeat(pce[:, None], len(cong), axis=1),
                vdf=f,
                names=tuple(str(i) for i in g.link_ids[cong]),
            )
    return ChoiceProblem(
        graph=g,
        names=names,
        edge_cost=cost,
        weight=w,
        od_class=np.concatenate(oc).astype(np.int64),
        od_origin=np.concatenate(oo).astype(np.int64),
        od_destination=np.concatenate(od_).astype(np.int64),
        od_volume=np.concatenate(ov).astype(np.float64),
        units=units,
    )
