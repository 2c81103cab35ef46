"""numba kernels for label-setting shortest paths on a CSR graph.

Binary heap with lazy deletion. A node that is not ``passable`` may be settled
(as an origin or a destination) but its out-edges are only scanned when it is
the source. All kernels are compiled once and cached on disk (``cache=True``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

INF = np.inf


@njit(cache=True, nogil=True, inline="always")
def _push(hk, hv, size, key, val):
    i = size
    hk[i] = key
    hv[i] = val
    while i > 0:
        p = (i - 1) >> 1
        if hk[p] <= hk[i]:
            break
        hk[p], hk[i] = hk[i], hk[p]
        hv[p], hv[i] = hv[i], hv[p]
        i = p
    return size + 1


@njit(cache=True, nogil=True, inline="always")
def _pop(hk, hv, size):
    key = hk[0]
    val = hv[0]
    size -= 1
    hk[0] = hk[size]
    hv[0] = hv[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        c = left
        right = left + 1
        if right < size and hk[right] < hk[left]:
            c = right
        if hk[i] <= hk[c]:
            break
        hk[c], hk[i] = hk[i], hk[c]
        hv[c], hv[i] = hv[i], hv[c]
        i = c
    return key, val, size


@njit(cache=True, nogil=True)
def dijkstra(indptr, heads, cost, source, target, passable, dist, pred, order, hk, hv):
    """One-to-all (target < 0) or one-to-one with early exit. Returns nodes settled."""
    dist[:] = INF
    pred[:] = -1
    dist[source] = 0.0
    size = _push(hk, hv, 0, 0.0, source)
    count = 0
    while size > 0:
        d, u, size = _pop(hk, hv, size)
        if d > dist[u]:
            continue
        order[count] = u
        count += 1
        if u == target:
            break
        if u != source and not passable[u]:
            continue
        for e in range(indptr[u], indptr[u + 1]):
            v = heads[e]
            nd = d + cost[e]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = e
                size = _push(hk, hv, size, nd, v)
    return count


@njit(cache=True, nogil=True)
def astar(
    indptr,
    heads,
    cost,
    source,
    target,
    passable,
    px,
    py,
    geographic,
    factor,
    dist,
    pred,
    hk,
    hv,
    h,
    closed,
):
    """A* to one target with a distance lower bound ``factor * d(v, target)``.

    ``d`` is the great-circle distance in km (geographic) or the Euclidean one.
    The bound is consistent (triangle inequality) when ``factor`` is at most the
    smallest cost per unit distance of any edge. Returns nodes settled.
    """
    dist[:] = INF
    pred[:] = -1
    h[:] = -1.0
    closed[:] = False
    tx, ty = px[target], py[target]
    dist[source] = 0.0
    size = _push(hk, hv, 0, 0.0, source)
    count = 0
    while size > 0:
        _, u, size = _pop(hk, hv, size)
        if closed[u]:
            continue
        closed[u] = True
        count += 1
        if u == target:
            break
        if u != source and not passable[u]:
            continue
        du = dist[u]
        for e in range(indptr[u], indptr[u + 1]):
            v = heads[e]
            if closed[v]:
                continue
            nd = du + cost[e]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = e
                if h[v] < 0.0:
                    h[v] = factor * _distance(px[v], py[v], tx, ty, geographic)
                size = _push(hk, hv, size, nd + h[v], v)
    return count


@njit(cache=True, nogil=True)
def _distance(x1, y1, x2, y2, geographic):
    if geographic:
        la1 = np.radians(y1)
        la2 = np.radians(y2)
        dla = la2 - la1
        dlo = np.radians(x2 - x1)
        a = np.sin(dla / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin(dlo / 2) ** 2
        return 2.0 * 6371.0088 * np.arcsin(min(1.0, np.sqrt(a)))
    return np.sqrt((x2 - x1) ** 2 + (y2 - y1) ** 2)


@njit(cache=True, nogil=True)
def edge_distances(tails, heads, px, py, geographic):
    """Straight-line length of every edge (for the A* bound)."""
    out = np.empty(len(heads))
    for e in range(len(heads)):
        out[e] = _distance(px[tails[e]], py[tails[e]], px[heads[e]], py[heads[e]], geographic)
    return out


@njit(cache=True, nogil=True)
def skim(indptr, heads, tails, cost, fields, origins, dests, passable, out):
    """Many-to-many: ``out[0]`` least cost, ``out[1 + k]`` field k summed along that path."""
    n = len(indptr) - 1
    m = len(heads)
    nf = fields.shape[0]
    dist = np.empty(n)
    pred = np.empty(n, np.int64)
    order = np.empty(n, np.int64)
    hk = np.empty(m + 1)
    hv = np.empty(m + 1, np.int64)
    acc = np.empty((nf, n))
    for i in range(len(origins)):
        s = origins[i]
        count = dijkstra(indptr, heads, cost, s, -1, passable, dist, pred, order, hk, hv)
        for f in range(nf):
            acc[f, s] = 0.0
        for j in range(1, count):
            v = order[j]
            e = pred[v]
            u = tails[e]
            for f in range(nf):
                acc[f, v] = acc[f, u] + fields[f, e]
        for j in range(len(dests)):
            t = dests[j]
            dt = dist[t]
            out[0, i, j] = dt
            for f in range(nf):
                out[1 + f, i, j] = acc[f, t] if dt < INF else np.nan
    return out


@njit(cache=True, nogil=True)
def trace(pred, tails, source, target):
    """Edges of the path source -> target (in order), from a predecessor-edge array."""
    count = 0
    v = target
    while v != source:
        e = pred[v]
        if e < 0:
            return np.empty(0, np.int64)
        count += 1
        v = tails[e]
    out = np.empty(count, np.int64)
    v = target
    for k in range(count - 1, -1, -1):
        e = pred[v]
        out[k] = e
        v = tails[e]
    return out
