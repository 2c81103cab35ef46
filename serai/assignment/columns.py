"""Choice sets of the logit equilibrium: the growing path store and route generators.

:class:`_Paths` holds the routes (columns) found so far with their incidence,
fixed costs, unit loads and path-size factors; :func:`shortest_path_generator`
yields the least-cost route of every OD pair at given costs and
:func:`penalty_routes` an initial set of distinct routes (link-penalty method).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy import sparse

from serai.assignment.choice import ChoiceProblem, Generator, LogitConfig

__all__ = ["penalty_routes", "routes_from_tree", "shortest_path_generator"]


class _Paths:
    """Growing path set, grouped by OD pair once per growth."""

    def __init__(self, p: ChoiceProblem) -> None:
        self.p = p
        self.edges: list[np.ndarray] = []
        self.od: list[int] = []
        self.keys: list[set[bytes]] = [set() for _ in range(p.n_od)]
        self.count = np.zeros(p.n_od, np.int64)
        self.flow = np.zeros(0)

    def add(self, od: int, edges: np.ndarray, max_paths: int) -> bool:
        key = np.asarray(edges, np.int64).tobytes()
        if key in self.keys[od] or self.count[od] >= max_paths:
            return False
        self.keys[od].add(key)
        self.count[od] += 1
        self.edges.append(np.asarray(edges, np.int64))
        self.od.append(od)
        return True

    def build(self, flow: np.ndarray) -> None:
        """Arrays for the current set (``flow`` for paths so far, zero for new ones)."""
        p = self.p
        P = len(self.edges)
        self.flow = np.concatenate([flow, np.zeros(P - len(flow))])
        self.p_od = np.asarray(self.od, np.int64)
        self.p_class = p.od_class[self.p_od]
        lens = np.array([len(e) for e in self.edges], np.int64)
        self.ptr = np.concatenate([[0], np.cumsum(lens)])
        self.cat = np.concatenate(self.edges) if P else np.zeros(0, np.int64)
        rows = np.repeat(np.arange(P), lens)
        self.rows = rows
        ones = np.ones(len(self.cat))
        self.inc = sparse.csr_matrix((ones, (rows, self.cat)), shape=(P, p.graph.n_edges))
        kc = p.edge_cost[self.p_class[rows], self.cat]
        self.fixed = np.bincount(rows, weights=kc, minlength=P)
        if p.edge_constant is not None:
            ac = p.edge_constant[self.p_class[rows], self.cat]
            self.const = np.bincount(rows, weights=ac, minlength=P)
        else:
            self.const = np.zeros(P)
        u = p.units
        if u is not None:
            share = self.inc @ u.edge_unit  # (P, U) delay shares
            self.share = sparse.csr_matrix(share)
            cnt = (self.inc @ (u.edge_unit != 0).astype(np.float64)).tocsr()
            cnt = cnt.tocoo()
            w = cnt.data * u.use[self.p_class[cnt.row], cnt.col]
            self.load = sparse.csr_matrix((w, (cnt.row, cnt.col)), shape=(P, u.n))
            # d c_p / d f_p (own-path curvature) = sum_u weight share use count t'_u
            self.curv = sparse.csr_matrix(self.share.multiply(self.load))
        # group by OD: order and starts
        self.order = np.argsort(self.p_od, kind="stable")
        so = self.p_od[self.order]
        self.starts = np.flatnonzero(np.r_[True, so[1:] != so[:-1]]) if P else np.zeros(0, int)
        self.group_od = so[self.starts] if P else np.zeros(0, int)

    def path_size(self, length: np.ndarray | None) -> np.ndarray:
        p = self.p
        P = len(self.edges)
        if P == 0:
            return np.zeros(0)
        src = p.path_length if p.path_length is not None else p.edge_cost
        lens = length if length is not None else src[self.p_class[self.rows], self.cat]
        lens = np.where(np.isfinite(lens) & (lens > 0), lens, 0.0)
        tot = np.bincount(self.rows, weights=lens, minlength=P)
        key = self.p_od[self.rows] * np.int64(p.graph.n_edges) + self.cat
        _, inv, cnt = np.unique(key, return_inverse=True, return_counts=True)
        contrib = np.where(tot[self.rows] > 0, lens / np.where(tot > 0, tot, 1)[self.rows], 0.0)
        ps = np.bincount(self.rows, weights=contrib / cnt[inv], minlength=P)
        # a path of zero length (all free edges): share the weight equally
        nz = tot <= 0
        if nz.any():
            key_e = np.bincount(self.rows, weights=1.0 / cnt[inv], minlength=P)
            lens_p = np.diff(self.ptr)
            ps[nz] = np.where(lens_p[nz] > 0, key_e[nz] / np.maximum(lens_p[nz], 1), 1.0)
        return np.clip(ps, 1e-12, 1.0)


def routes_from_tree(tree, targets: np.ndarray) -> list[np.ndarray | None]:
    """Edge sequences of a one-to-all tree to many internal target indices (None: unreached)."""
    g = tree.graph
    s = int(g.node_index(tree.origin)[0])
    targets = np.asarray(targets, np.int64)
    ptr, cat = _trace_many(tree.pred, np.asarray(g.tails, np.int64), s, targets)
    out: list[np.ndarray | None] = []
    for i, t in enumerate(targets):
        if not np.isfinite(tree.dist[t]) or (ptr[i + 1] == ptr[i] and t != s):
            out.append(None)
        else:
            out.append(cat[ptr[i] : ptr[i + 1]])
    return out


def _trace_many_py(pred, tails, source, targets):
    ptr = np.zeros(len(targets) + 1, np.int64)
    parts = []
    for i, t in enumerate(targets):
        seq = []
        v = t
        while v != source:
            e = pred[v]
            if e < 0:
                seq = []
                break
            seq.append(e)
            v = tails[e]
        parts.append(seq[::-1])
        ptr[i + 1] = ptr[i] + len(seq)
    cat = np.array([e for s in parts for e in s], np.int64)
    return ptr, cat


def _trace_many(pred, tails, source, targets):
    return _trace_kernel()(pred, tails, source, targets)


_TRACE = []


def _trace_kernel():
    if not _TRACE:
        try:
            from numba import njit

            @njit(cache=True, nogil=True)
            def kern(pred, tails, source, targets):  # pragma: no cover - compiled
                n = len(targets)
                ptr = np.zeros(n + 1, np.int64)
                for i in range(n):
                    c = 0
                    v = targets[i]
                    while v != source:
                        e = pred[v]
                        if e < 0:
                            c = 0
                            break
                        c += 1
                        v = tails[e]
                    ptr[i + 1] = ptr[i] + c
                cat = np.empty(ptr[n], np.int64)
                for i in range(n):
                    c = ptr[i + 1] - ptr[i]
                    v = targets[i]
                    for j in range(c - 1, -1, -1):
                        e = pred[v]
                        cat[ptr[i] + j] = e
                        v = tails[e]
                return ptr, cat

            _TRACE.append(kern)
        except ImportError:  # pragma: no cover
            _TRACE.append(_trace_many_py)
    return _TRACE[0]


def shortest_path_generator(p: ChoiceProblem) -> Generator:
    """Least-cost route of every OD pair at the given costs (one tree per class and origin,
    :meth:`~serai.assignment.choice.ChoiceProblem.least_routes`)."""
    groups = p.origin_groups()

    def generate(costs: np.ndarray) -> Iterable[tuple[int, np.ndarray]]:
        for (k, o), ods in groups.items():
            _, routes = p.least_routes(k, o, ods, costs[k])
            for i, e in zip(ods, routes, strict=True):
                if e is not None:
                    yield i, e

    return generate


def penalty_routes(
    p: ChoiceProblem, config: LogitConfig, *, factor: float = 1.5, cutoff: float = 25.0
) -> list[tuple[int, np.ndarray]]:
    """An initial choice set: up to ``max_paths`` distinct routes per OD pair.

    Link-penalty method: after each round the edges of the routes found from an
    origin cost ``factor`` times more, and the search is repeated. A route is kept
    when its true cost is within ``cutoff / theta_od`` of the best (beyond that its
    logit weight is below ``exp(-cutoff)``).
    """
    g = p.graph
    cost0 = p.edge_cost if p.edge_constant is None else p.edge_cost + p.edge_constant
    groups = p.origin_groups()
    out: list[tuple[int, np.ndarray]] = []
    for (k, o), ods in groups.items():
        pen = np.ones(g.n_edges)
        best = np.full(len(ods), np.inf)
        seen: list[set[bytes]] = [set() for _ in ods]
        for r in range(config.max_paths):
            _, found = p.least_routes(k, o, ods, cost0[k] * pen)
            used = np.zeros(g.n_edges, bool)
            new = 0
            for j, i in enumerate(ods):
                e = found[j]
                if e is None:
                    continue
                used[e] = True
                c = float(cost0[k][e].sum())
                if r == 0:
                    best[j] = c
                th = (
                    config.theta / best[j]
                    if config.scale == "relative" and best[j] > 0
                    else (config.theta)
                )
                key = e.tobytes()
                if key in seen[j] or c - best[j] > cutoff / th:
                    continue
                seen[j].add(key)
                out.append((i, e))
                new += 1
            if not used.any() or (r > 0 and new == 0):
                break
            pen[used] *= factor
    return out
