"""numba kernels for chains: many-to-many least-cost trees and element removal.

Both reuse the label-setting search of :mod:`serai.paths._kernels` (4-ary heap,
early exit once every target is settled) with their own scratch arrays, so they are
safe to call from several threads at once.
"""

from __future__ import annotations

import numpy as np

from serai._jit import njit
from serai.paths._kernels import search


@njit(cache=True, nogil=True)
def _scratch(n, m):
    return (
        np.empty(n),
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(m + 1),
        np.empty(m + 1, np.int64),
    )


@njit(cache=True, nogil=True)
def many_to_many(indptr, heads, tails, cost, passable, sources, targets, aux):
    """Least cost from every source to every target, and ``aux`` summed along each path.

    Parameters
    ----------
    cost : float64[m]
        Edge costs (``inf`` = not usable).
    sources, targets : int64 arrays of node indices.
    aux : float64[k, m]
        Other quantities per edge (hours, USD, kg CO2e, ...) summed along the least-cost
        path of each pair.

    Returns
    -------
    dist : float64[len(sources), len(targets)]
    sums : float64[k, len(sources), len(targets)]  (NaN where unreachable)
    """
    n = len(indptr) - 1
    m = len(heads)
    dist, pred, order, hk, hv = _scratch(n, m)
    is_dest = np.zeros(n, np.bool_)
    n_dest = 0
    for t in targets:
        if not is_dest[t]:
            is_dest[t] = True
            n_dest += 1
    ns, nt, k = len(sources), len(targets), aux.shape[0]
    out = np.full((ns, nt), np.inf)
    sums = np.full((k, ns, nt), np.nan)
    for i in range(ns):
        s = sources[i]
        search(indptr, heads, cost, s, -1, is_dest, n_dest, passable, dist, pred, order, hk, hv)
        for j in range(nt):
            t = targets[j]
            d = dist[t]
            out[i, j] = d
            if d < np.inf:
                for q in range(k):
                    sums[q, i, j] = 0.0
                v = t
                while v != s:
                    e = pred[v]
                    for q in range(k):
                        sums[q, i, j] += aux[q, e]
                    v = tails[e]
    return out, sums


@njit(cache=True, nogil=True)
def removal_costs(indptr, heads, tails, cost, passable, sources, targets, elem_ptr, elem_edges):
    """Least cost source -> target with each element removed in turn.

    Element ``e`` is the edge set ``elem_edges[elem_ptr[e]:elem_ptr[e + 1]]``. Only the
    sources whose least-cost tree reaches a target through one of those edges are
    searched again (the others keep their costs: removing edges off a shortest path
    cannot change it).

    Returns
    -------
    base : float64[len(sources), len(targets)]
    removed : float64[n_elements, len(sources), len(targets)]
    """
    n = len(indptr) - 1
    m = len(heads)
    dist, pred, order, hk, hv = _scratch(n, m)
    is_dest = np.zeros(n, np.bool_)
    n_dest = 0
    for t in targets:
        if not is_dest[t]:
            is_dest[t] = True
            n_dest += 1
    ns, nt = len(sources), len(targets)
    ne = len(elem_ptr) - 1
    base = np.full((ns, nt), np.inf)
    used = np.zeros((ns, m), np.bool_)
    for i in range(ns):
        s = sources[i]
        search(indptr, heads, cost, s, -1, is_dest, n_dest, passable, dist, pred, order, hk, hv)
        for j in range(nt):
            t = targets[j]
            base[i, j] = dist[t]
            if dist[t] < np.inf:
                v = t
                while v != s:
                    e = pred[v]
                    used[i, e] = True
                    v = tails[e]
    out = np.empty((ne, ns, nt))
    work = cost.copy()
    for q in range(ne):
        a, b = elem_ptr[q], elem_ptr[q + 1]
        for p in range(a, b):
            work[elem_edges[p]] = np.inf
        for i in range(ns):
            hit = False
            for p in range(a, b):
                if used[i, elem_edges[p]]:
                    hit = True
                    break
            if not hit:
                for j in range(nt):
                    out[q, i, j] = base[i, j]
                continue
            s = sources[i]
            search(indptr, heads, work, s, -1, is_dest, n_dest, passable, dist, pred, order, hk, hv)
            for j in range(nt):
                out[q, i, j] = dist[targets[j]]
        for p in range(a, b):
            work[elem_edges[p]] = cost[elem_edges[p]]
    return base, out
