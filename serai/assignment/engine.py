"""Static user-equilibrium assignment: one entry point, one function per method.

:func:`assign` compiles the problem (link arrays, per-class costs, demand in CSR
form), calls the method's function and returns an :class:`AssignmentResult`.
Link-based methods (MSA, Frank-Wolfe, conjugate and bi-conjugate Frank-Wolfe)
iterate on class link flows with all-or-nothing directions; Algorithm B keeps
one acyclic bush per (class, origin) and converges to very small gaps.

The relative gap is the standard one, (TSTT - SPTT) / TSTT, with TSTT the total
generalised cost at the current flows and SPTT the demand-weighted least costs
at those same costs. The objective reported is the Beckmann function
``sum_a integral_0^v_a t_a + sum_k sum_a fixed_ka x_ka`` (a true potential when
every class has time weight 1 and PCE 1).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from serai.assignment import _kernels as kn
from serai.assignment.config import AssignmentConfig, TrafficClass, is_frame
from serai.assignment.dispatch import SMALL_BUDGET_S as SMALL_BUDGET_S
from serai.assignment.dispatch import SMALL_WORK as SMALL_WORK
from serai.assignment.dispatch import _run as _run
from serai.assignment.result import AssignmentResult as AssignmentResult
from serai.assignment.result import _disconnected as _disconnected
from serai.assignment.result import _Log as _Log
from serai.assignment.result import _result as _result
from serai.assignment.vdf import VolumeDelay, vdf_by_name
from serai.errors import InputError
from serai.network.compile import Graph, compile_network

if TYPE_CHECKING:
    import pandas as pd

    from serai.network.core import Network

# moved out, still importable from here: the result and its log (serai.assignment.result),
# the interpreted/compiled dispatch of small problems (serai.assignment.dispatch)
__all__ = [
    "AssignmentResult",
    "algorithm_b",
    "all_or_nothing",
    "assign",
    "biconjugate_frank_wolfe",
    "conjugate_frank_wolfe",
    "frank_wolfe",
    "msa",
]

Progress = Callable[[dict], None]

#: Algorithm B keeps per (class, origin) bush arrays over all links; refuse beyond this.
_BUSH_MEMORY_LIMIT = 8e9


# ----------------------------------------------------------------------------- problem
@dataclass(frozen=True, eq=False)
class _Problem:
    graph: Graph
    vdf: VolumeDelay
    t0: np.ndarray
    cap: np.ndarray
    params: tuple[np.ndarray, ...]
    names: tuple[str, ...]
    w: np.ndarray  # (K,) time weight
    pce: np.ndarray  # (K,)
    fix: np.ndarray  # (K, m) fixed cost, inf where barred
    fix0: np.ndarray  # (K, m) fixed cost, 0 where barred
    # demand, concatenated over classes; one "block" per (class, origin)
    bclass: np.ndarray
    borig: np.ndarray
    dptr: np.ndarray
    dnode: np.ndarray
    dvol: np.ndarray
    cls_blocks: tuple[tuple[int, int], ...]  # block range per class
    intrazonal: float

    @property
    def K(self) -> int:
        return len(self.w)

    @property
    def m(self) -> int:
        return self.graph.n_edges

    def times(self, v: np.ndarray) -> np.ndarray:
        return self.vdf.time(v, self.t0, self.cap, self.params)

    def derivative(self, v: np.ndarray) -> np.ndarray:
        return self.vdf.derivative(v, self.t0, self.cap, self.params)

    def total(self, x: np.ndarray) -> np.ndarray:
        return self.pce @ x

    def class_costs(self, t: np.ndarray) -> np.ndarray:
        return self.w[:, None] * t[None, :] + self.fix

    def aon(self, costs: np.ndarray, load: bool) -> tuple[np.ndarray, float, np.ndarray]:
        """All-or-nothing flows (K, m), SPTT and least cost per OD entry."""
        g = self.graph
        y = np.zeros((self.K, self.m))
        od = np.empty(len(self.dnode))
        sptt = 0.0
        for k, (b0, b1) in enumerate(self.cls_blocks):
            if b1 == b0:
                continue
            lo = self.dptr[b0]
            optr = self.dptr[b0 : b1 + 1] - lo
            sptt += kn.aon(
                g.indptr, g.heads, g.tails, costs[k], g.passable, self.borig[b0:b1], optr,
                self.dnode[lo : self.dptr[b1]], self.dvol[lo : self.dptr[b1]], load, y[k],
                od[lo : self.dptr[b1]],
            )  # fmt: skip
        return y, sptt, od

    def measures(self, x: np.ndarray, t: np.ndarray, sptt: float) -> tuple[float, float, float]:
        """(relative gap, TSTT, Beckmann objective) at class flows ``x``."""
        tstt = float(np.sum(x * (self.w[:, None] * t[None, :] + self.fix0)))
        v = self.total(x)
        beck = float(np.sum(self.vdf.integral(v, self.t0, self.cap, self.params)))
        beck += float(np.sum(x * self.fix0))
        gap = (tstt - sptt) / tstt if tstt > 0 else 0.0
        return gap, tstt, beck


def _edge_column(g: Graph, name: str, default: float | None, what: str) -> np.ndarray:
    if name in g.costs:
        arr = np.array(g.costs[name], dtype=np.float64)
        if default is not None:
            arr = np.where(np.isnan(arr), default, arr)
        return arr
    if default is None:
        raise InputError(f"assignment needs the link column '{name}' ({what})", field=name)
    return np.full(g.n_edges, float(default))


def _edge_array(g: Graph, spec: str | np.ndarray, what: str) -> np.ndarray:
    if isinstance(spec, str):
        return _edge_column(g, spec, None, what)
    arr = np.asarray(spec)
    if arr.shape != (g.n_edges,):
        raise InputError(f"{what} needs one value per graph edge ({g.n_edges}), got {arr.shape}")
    return arr


def _demand_columns(demand: pd.DataFrame | Mapping, cls: str) -> tuple[np.ndarray, ...]:
    """origin, destination, volume (float64, non-numbers NaN) and the volumes as given."""
    names = demand.columns if is_frame(demand) else demand.keys()
    for col in ("origin", "destination", "volume"):
        if col not in names:
            raise InputError(f"demand of class '{cls}' has no column '{col}'", field=col)
    if not is_frame(demand):  # columns as arrays: numbers as they are, anything else via pandas
        try:
            o, d, vol = (np.asarray(demand[c]) for c in ("origin", "destination", "volume"))
        except (ValueError, TypeError):
            o = d = vol = np.zeros(0)[None]
        if not (o.ndim == d.ndim == vol.ndim == 1 and len(o) == len(d) == len(vol)):
            raise InputError(
                f"demand of class '{cls}': origin, destination and volume must be columns "
                "(one-dimensional, of equal length)",
                field="demand",
            )
        if vol.dtype.kind in "iuf":
            return o, d, vol.astype(np.float64), vol
        import pandas as pd

        demand = pd.DataFrame({"origin": o, "destination": d, "volume": vol})
    import pandas as pd

    vol = pd.to_numeric(demand["volume"], errors="coerce").to_numpy(dtype=np.float64)
    return (demand["origin"].to_numpy(), demand["destination"].to_numpy(), vol,
            demand["volume"].to_numpy())  # fmt: skip


def _demand_arrays(g: Graph, demand: pd.DataFrame | Mapping, cls: str) -> tuple[np.ndarray, ...]:
    o, d, vol, given = _demand_columns(demand, cls)
    bad = np.flatnonzero(~np.isfinite(vol) | (vol < 0))
    if len(bad):
        raise InputError(
            f"demand of class '{cls}': volume must be a finite number >= 0, got {given[bad[0]]!r}",
            row=int(bad[0]),
            field="volume",
        )
    o = g.node_index(o)
    d = g.node_index(d)
    keep = vol > 0
    intra = float(vol[keep & (o == d)].sum())
    keep &= o != d
    o, d, vol = o[keep], d[keep], vol[keep]
    # aggregate duplicates, sort by origin then destination
    key = o.astype(np.int64) * g.n_nodes + d
    uniq, inv = np.unique(key, return_inverse=True)
    vols = np.bincount(inv, weights=vol, minlength=len(uniq))
    uo, ud = uniq // g.n_nodes, uniq % g.n_nodes
    origins, starts = np.unique(uo, return_index=True)
    return origins, starts, ud, vols, intra


def _problem(graph: Graph, classes: Sequence[TrafficClass], config: AssignmentConfig) -> _Problem:
    vdf = vdf_by_name(config.vdf)
    g = graph
    t0 = _edge_column(g, "free_flow_time", None, "free-flow time")
    if np.any(~np.isfinite(t0)) or np.any(t0 < 0):
        bad = int(np.flatnonzero(~(np.isfinite(t0) & (t0 >= 0)))[0])
        raise InputError(
            f"free_flow_time must be finite and >= 0 (link {int(g.link_ids[bad])})",
            field="free_flow_time",
        )
    cap = _edge_column(g, "capacity", None, "capacity")
    params = tuple(
        _edge_column(g, c, d, "volume-delay parameter")
        for c, d in zip(vdf.columns, vdf.defaults, strict=True)
    )
    check = getattr(vdf, "check", None)
    if check is not None:
        check(t0, cap, params, link_ids=g.link_ids)
    if not classes:
        raise InputError("no traffic class given")
    names = tuple(c.name for c in classes)
    if len(set(names)) != len(names):
        raise InputError(f"traffic class names must be unique: {names}")
    K, m = len(classes), g.n_edges
    fix = np.zeros((K, m))
    w = np.array([c.time_weight for c in classes], dtype=np.float64)
    pce = np.array([c.pce for c in classes], dtype=np.float64)
    if np.any(w < 0) or np.any(pce <= 0):
        raise InputError("class time_weight must be >= 0 and pce > 0")
    blocks: list[tuple[int, int]] = []
    bclass, borig, starts_all, dnode, dvol = [], [], [], [], []
    intra = 0.0
    nblocks = 0
    offset = 0
    for k, c in enumerate(classes):
        if c.length_weight:
            fix[k] += c.length_weight * np.nan_to_num(_edge_column(g, "length", None, "length"))
        if c.toll_weight:
            fix[k] += c.toll_weight * np.nan_to_num(_edge_column(g, "toll", 0.0, "toll"))
        if c.fixed_cost is not None:
            fix[k] += np.nan_to_num(_edge_array(g, c.fixed_cost, "fixed_cost"))
        if np.any(fix[k] < 0):
            raise InputError(f"class '{c.name}': the fixed generalised cost is negative somewhere")
        if c.allowed is not None:
            allowed = _edge_array(g, c.allowed, "allowed").astype(bool)
            fix[k][~allowed] = np.inf
        origins, starts, ud, vols, intra_k = _demand_arrays(g, c.demand, c.name)
        intra += intra_k
        blocks.append((nblocks, nblocks + len(origins)))
        nblocks += len(origins)
        bclass.append(np.full(len(origins), k, dtype=np.int64))
        borig.append(origins.astype(np.int64))
        starts_all.append(starts + offset)
        dnode.append(ud.astype(np.int64))
        dvol.append(vols)
        offset += len(ud)
    dptr = np.append(np.concatenate(starts_all), offset).astype(np.int64)
    return _Problem(
        graph=g,
        vdf=vdf,
        t0=t0,
        cap=cap,
        params=params,
        names=names,
        w=w,
        pce=pce,
        fix=fix,
        fix0=np.where(np.isinf(fix), 0.0, fix),
        bclass=np.concatenate(bclass),
        borig=np.concatenate(borig),
        dptr=dptr,
        dnode=np.concatenate(dnode),
        dvol=np.concatenate(dvol),
        cls_blocks=tuple(blocks),
        intrazonal=intra,
    )


# ----------------------------------------------------------------------------- methods
def _stop(cfg: AssignmentConfig, gap: float, it: int, log: _Log) -> tuple[bool, bool]:
    """(stop, converged)."""
    if gap <= cfg.gap:
        return True, True
    if it >= cfg.max_iter:
        return True, False
    if cfg.time_limit is not None and log.elapsed >= cfg.time_limit:
        return True, False
    return False, False


def all_or_nothing(p: _Problem, cfg: AssignmentConfig, progress: Progress | None = None):
    """All demand on the free-flow least-cost paths (one iteration)."""
    log = _Log(progress)
    t = p.times(np.zeros(p.m))
    x, _, od = p.aon(p.class_costs(t), True)
    t = p.times(p.total(x))
    g0 = time.perf_counter()
    _, sptt, _ = p.aon(p.class_costs(t), False)
    gap, tstt, beck = p.measures(x, t, sptt)
    log.add(1, gap, tstt, sptt, beck, time.perf_counter() - g0)
    return _result(p, x, log, "aon", gap <= cfg.gap, od)


def _line_search(p: _Problem, x: np.ndarray, d: np.ndarray) -> float:
    """Step in [0, 1] zeroing the directional derivative of the objective along ``d``."""
    v = p.total(x)
    dv = p.total(d)
    wd = p.w @ d  # time-weighted direction
    const = float(np.sum(p.fix0 * d))

    def deriv(lam: float) -> float:
        return float(p.times(v + lam * dv) @ wd) + const

    if deriv(1.0) <= 0.0:
        return 1.0
    if deriv(0.0) >= 0.0:
        return 0.0
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if deriv(mid) < 0.0:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return 0.5 * (lo + hi)


def _linear_method(
    p: _Problem, cfg: AssignmentConfig, method: str, progress: Progress | None
) -> AssignmentResult:
    log = _Log(progress)
    t = p.times(np.zeros(p.m))
    x, _, od = p.aon(p.class_costs(t), True)
    s_prev = s_prev2 = None  # previous search directions (target points)
    tau_prev = 1.0
    next_fw = True
    it = 0
    converged = False
    delta = 1e-6  # keeps the conjugate weight away from 1
    while True:
        it += 1
        v = p.total(x)
        t = p.times(v)
        y, sptt, _ = p.aon(p.class_costs(t), True)
        gap, tstt, beck = p.measures(x, t, sptt)
        log.add(it, gap, tstt, sptt, beck, 0.0)
        stop, converged = _stop(cfg, gap, it, log)
        if stop:
            break
        if method == "msa":
            lam = 1.0 / (it + 1)
            x = x + lam * (y - x)
            np.maximum(x, 0.0, out=x)
            continue
        s = y
        if method in ("cfw", "bfw") and not next_fw and s_prev is not None:
            h = p.derivative(v)
            dprev = p.total(s_prev - x)
            if method == "cfw" or s_prev2 is None:
                num = float(np.sum(h * dprev * p.total(y - x)))
                den = float(np.sum(h * dprev * p.total(y - s_prev)))
                alpha = num / den if den != 0.0 else 0.0
                alpha = min(max(alpha, 0.0), 1.0 - delta)
                s = alpha * s_prev + (1.0 - alpha) * y
            else:
                xx = p.total(tau_prev * s_prev + (1.0 - tau_prev) * s_prev2 - x)
                yy = p.total(y - x)
                zz = dprev
                ww = p.total(s_prev2 - s_prev)
                mu_den = float(np.sum(h * xx * ww))
                mu = 0.0 if mu_den == 0.0 else max(0.0, -float(np.sum(h * xx * yy)) / mu_den)
                nu_den = float(np.sum(h * zz * zz))
                nu = 0.0
                if nu_den != 0.0:
                    nu = -float(np.sum(h * zz * yy)) / nu_den + mu * tau_prev / (1.0 - tau_prev)
                    nu = max(0.0, nu)
                b0 = 1.0 / (1.0 + nu + mu)
                s = b0 * y + nu * b0 * s_prev + mu * b0 * s_prev2
        d = s - x
        lam = _line_search(p, x, d)
        if lam <= 0.0 and s is not y:  # conjugate direction failed: plain FW step
            s = y
            d = s - x
            lam = _line_search(p, x, d)
        x = x + lam * d
        np.maximum(x, 0.0, out=x)  # a convex combination of flows >= 0, up to rounding
        s_prev2, s_prev = s_prev, s
        tau_prev = lam
        # a full step replaces the solution: restart the conjugate sequence
        next_fw = lam >= 1.0 - 1e-12
        if next_fw:
            s_prev2 = None
    return _result(p, x, log, method, converged, od)


def msa(p: _Problem, cfg: AssignmentConfig, progress: Progress | None = None):
    """Method of successive averages: step 1 / (k + 1) towards all-or-nothing."""
    return _linear_method(p, cfg, "msa", progress)


def frank_wolfe(p: _Problem, cfg: AssignmentConfig, progress: Progress | None = None):
    """Frank-Wolfe with an exact line search on the objective."""
    return _linear_method(p, cfg, "fw", progress)


def conjugate_frank_wolfe(p: _Problem, cfg: AssignmentConfig, progress: Progress | None = None):
    """Conjugate Frank-Wolfe (Mitradjieva and Lindberg 2013)."""
    return _linear_method(p, cfg, "cfw", progress)


def biconjugate_frank_wolfe(p: _Problem, cfg: AssignmentConfig, progress: Progress | None = None):
    """Bi-conjugate Frank-Wolfe (Mitradjieva and Lindberg 2013)."""
    return _linear_method(p, cfg, "bfw", progress)


def algorithm_b(p: _Problem, cfg: AssignmentConfig, progress: Progress | None = None):
    """Algorithm B (Dial 2006): bush-based, Newton flow shifts, exact link-time updates."""
    code = int(p.vdf.code)
    kern = kn
    if code not in (0, 1):
        scalar = getattr(p.vdf, "scalar", None)
        if scalar is None:
            raise InputError(
                f"algorithm 'b' needs a built-in volume-delay function (bpr, conical) or one "
                f"with a numba 'scalar' function; '{p.vdf.name}' has none: use a link-based "
                "algorithm (msa, fw, cfw, bfw)"
            )
        kern = kn.specialise(scalar)
    g = p.graph
    log = _Log(progress)
    n, m, B = g.n_nodes, p.m, len(p.borig)
    p0 = p.params[0]
    p1 = p.params[1] if len(p.params) > 1 else np.zeros(m)
    # sparse bushes: a row of n node indices each, plus 12 bytes per bush edge; a bush
    # holds at least its tree (n - 1 edges), typically up to 1.5x that
    need = B * n * (4 + 12 * 2)
    if need > _BUSH_MEMORY_LIMIT:
        raise InputError(
            f"algorithm 'b' would need about {need / 1e9:.1f} GB for {B} bushes over {n} "
            "nodes; use algorithm 'bfw' (memory per link, not per bush)"
        )
    # node indices in the orders: 2 bytes each while they fit (a bush is close to a tree,
    # so its order row is a good part of its memory)
    topo = np.zeros((B, n), dtype=np.uint16 if n <= np.iinfo(np.uint16).max else np.int32)
    ntopo = np.zeros(B, dtype=np.int64)
    nbed = np.zeros(B, dtype=np.int64)
    bgap = np.full(B, np.inf)
    x = np.zeros((p.K, m))
    od = np.empty(len(p.dnode))
    t = np.empty(m)
    dt = np.empty(m)
    kern.vdf_all(code, np.zeros(m), p.t0, p.cap, p0, p1, t, dt)
    costs = p.class_costs(t)
    bed, bfc = kn.bush_init(
        g.indptr, g.heads, g.tails, g.passable, p.bclass, p.borig, p.dptr, p.dnode, p.dvol,
        costs, topo, ntopo, nbed, x, od,
    )  # fmt: skip
    v = p.total(x)
    kern.vdf_all(code, v, p.t0, p.cap, p0, p1, t, dt)
    it = 0
    converged = False
    while True:
        it += 1
        for sweep in range(1 + cfg.inner_sweeps):
            kern.bush_sweep(
                g.indptr, g.heads, g.tails, g.passable, p.bclass, p.borig, bfc, topo, ntopo,
                bed, nbed, bgap, x, v, t, dt, p.fix, p.w, p.pce, code, p.t0, p.cap, p0, p1,
                sweep == 0,
            )  # fmt: skip
        # class flows and totals exactly from the bushes (shifts update them incrementally)
        kn.bush_class_flows(p.bclass, bed, bfc, nbed, x)
        v = p.total(x)
        kern.vdf_all(code, v, p.t0, p.cap, p0, p1, t, dt)
        g0 = time.perf_counter()
        _, sptt, _ = p.aon(p.class_costs(t), False)
        gap, tstt, beck = p.measures(x, t, sptt)
        log.add(it, gap, tstt, sptt, beck, time.perf_counter() - g0)
        stop, converged = _stop(cfg, gap, it, log)
        if stop:
            break
    return _result(p, x, log, "b", converged, od, kn.bush_bytes(topo, bed, bfc))


_METHODS = {
    "aon": all_or_nothing,
    "msa": msa,
    "fw": frank_wolfe,
    "cfw": conjugate_frank_wolfe,
    "bfw": biconjugate_frank_wolfe,
    "b": algorithm_b,
}


def assign(
    network: Network | Graph,
    demand: pd.DataFrame | Mapping | TrafficClass | Sequence[TrafficClass],
    config: AssignmentConfig | None = None,
    *,
    progress: Progress | None = None,
) -> AssignmentResult:
    """Static user-equilibrium traffic assignment.

    Parameters
    ----------
    network
        A :class:`~serai.network.Network` (compiled with its ``passable`` nodes) or
        a compiled :class:`~serai.network.compile.Graph`. Links need
        ``free_flow_time`` and ``capacity``, plus the VDF's parameter columns
        (defaults apply when absent).
    demand
        One table with ``origin``, ``destination``, ``volume`` (a DataFrame, or a
        mapping of those column names to arrays; a single class using
        ``config.length_weight`` and ``config.toll_weight``), or one or more
        :class:`TrafficClass`.
    config
        Algorithm, stopping rule and VDF (defaults: Algorithm B, gap 1e-4, BPR).
    progress
        Called after every iteration with that iteration's log row (a dict).

    Returns
    -------
    AssignmentResult

    Examples
    --------
    Two parallel roads from 1 to 2; at equilibrium both take the same time.

    >>> import pandas as pd
    >>> from serai.network import Network
    >>> net = Network.from_tables(links=pd.DataFrame({
    ...     "link_id": [1, 2, 3], "from_node": [1, 3, 1], "to_node": [3, 2, 2],
    ...     "free_flow_time": [5.0, 5.0, 12.0], "capacity": [100.0, 100.0, 200.0],
    ...     "alpha": [0.15, 0.15, 0.15], "beta": [4.0, 4.0, 4.0]}))
    >>> trips = pd.DataFrame({"origin": [1], "destination": [2], "volume": [300.0]})
    >>> r = assign(net, trips, AssignmentConfig(algorithm="b", gap=1e-10))
    >>> r.converged
    True
    >>> t = r.links.set_index("link_id")["time"]
    >>> bool(abs(t[1] + t[2] - t[3]) < 1e-6)
    True
    """
    cfg = config if config is not None else AssignmentConfig()
    if isinstance(network, Graph):
        graph = network
    else:  # one gate: what `serai network validate --for assignment` refuses, assign refuses
        from serai.network.validate import validate

        validate(network, purpose="assignment", raise_on_error=True)
        graph = compile_network(network, check=False)
    if is_frame(demand) or isinstance(demand, Mapping):
        classes: Sequence[TrafficClass] = [
            TrafficClass(
                "all",
                demand,
                length_weight=cfg.length_weight,
                toll_weight=cfg.toll_weight,
            )
        ]
    elif isinstance(demand, TrafficClass):
        classes = [demand]
    else:
        classes = list(demand) if isinstance(demand, list | tuple) else []
        if not classes or not all(isinstance(c, TrafficClass) for c in classes):
            raise InputError(
                "demand must be a table (origin, destination, volume) or TrafficClass objects",
                field="demand",
            )
    p = _problem(graph, classes, cfg)
    if not len(p.dvol) or not np.any(p.dvol > 0):  # Algorithm B would spin on no bush
        raise InputError(
            "the demand has no trips to assign (empty, all volumes zero or all intrazonal)",
            field="demand",
        )
    return _run(_METHODS[cfg.algorithm], p, cfg, progress)
