"""numba kernels for label-setting shortest paths on a CSR graph.

4-ary heap with lazy deletion. A node that is not ``passable`` may be settled
(as an origin or a destination) but its out-edges are only scanned when it is
the source. All kernels are compiled once and cached on disk (``cache=True``).
"""

from __future__ import annotations

import numpy as np

from serai._jit import njit

INF = np.inf


@njit(cache=True, nogil=True, inline="always")
def _push(hk, hv, size, key, val):
    """Insert into a 4-ary min-heap (keys ``hk``, values ``hv``); returns the new size.

    A 4-ary heap is shallower than a binary one and its children share a cache line;
    entries move by "hole" shifting (one write per level instead of a swap).
    """
    i = size
    while i > 0:
        p = (i - 1) >> 2
        if hk[p] <= key:
            break
        hk[i] = hk[p]
        hv[i] = hv[p]
        i = p
    hk[i] = key
    hv[i] = val
    return size + 1


@njit(cache=True, nogil=True, inline="always")
def _pop(hk, hv, size):
    """Remove the minimum of a 4-ary min-heap; returns (key, value, new size)."""
    key0 = hk[0]
    val0 = hv[0]
    size -= 1
    key = hk[size]
    val = hv[size]
    i = 0
    while True:
        c = 4 * i + 1
        if c >= size:
            break
        best = c
        bk = hk[c]
        end = min(c + 4, size)
        for j in range(c + 1, end):
            if hk[j] < bk:
                bk = hk[j]
                best = j
        if key <= bk:
            break
        hk[i] = bk
        hv[i] = hv[best]
        i = best
    hk[i] = key
    hv[i] = val
    return key0, val0, size


@njit(cache=True, nogil=True)
def search(
    indptr, heads, cost, source, target, is_dest, n_dest, passable, dist, pred, order, hk, hv
):
    """Label-setting Dijkstra with a lazy-deletion 4-ary heap.

    Stops when ``target`` (>= 0) is settled, or once ``n_dest`` (> 0) nodes marked in
    ``is_dest`` are settled; otherwise builds the whole tree. ``hk``/``hv`` need room
    for ``len(heads) + 1`` entries. ``order`` receives the settled nodes in order.
    Returns the number of nodes settled.
    """
    dist[:] = INF
    pred[:] = -1
    dist[source] = 0.0
    size = _push(hk, hv, 0, 0.0, source)
    count = 0
    left = n_dest
    while size > 0:
        d, u, size = _pop(hk, hv, size)
        if d > dist[u]:
            continue
        order[count] = u
        count += 1
        if u == target:
            break
        if left > 0 and is_dest[u]:
            left -= 1
            if left == 0:
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


_NO_DEST = np.zeros(0, dtype=np.bool_)


@njit(cache=True, nogil=True)
def dijkstra(indptr, heads, cost, source, target, passable, dist, pred, order, hk, hv):
    """One-to-all (target < 0) or one-to-one with early exit. Returns nodes settled."""
    return search(
        indptr, heads, cost, source, target, _NO_DEST, 0, passable, dist, pred, order, hk, hv
    )


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
    return astar_search(indptr, heads, cost, source, target, passable, px, py, geographic,
                        factor, _NO_LANDMARKS, _NO_LANDMARKS, dist, pred, hk, hv, h,
                        closed)  # fmt: skip


_NO_LANDMARKS = np.zeros((0, 0))
_NO_XY = np.zeros(0)


@njit(cache=True, nogil=True)
def astar_search(
    indptr, heads, cost, source, target, passable, px, py, geographic, factor, lf, lb,
    dist, pred, hk, hv, h, closed,
):  # fmt: skip
    """The A* loop of :func:`astar` and :func:`~serai.paths._alt.astar_alt`: one target,
    lazy-deletion 4-ary heap, each node's bound computed once when first reached.

    The bound is the landmarks' (ALT, :func:`_alt_bound`) when ``lf``
    has columns, else ``factor`` x the distance to the target (``px``, ``py``). A node
    whose bound is infinite cannot reach the target and is not queued. Returns nodes
    settled.
    """
    alt = lf.shape[1] > 0
    dist[:] = INF
    pred[:] = -1
    h[:] = -1.0
    closed[:] = False
    tx, ty = 0.0, 0.0
    if not alt:
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
                if h[v] < 0.0:
                    if alt:
                        h[v] = _alt_bound(v, target, lf, lb)
                    else:
                        h[v] = factor * _distance(px[v], py[v], tx, ty, geographic)
                if h[v] == INF:
                    continue
                dist[v] = nd
                pred[v] = e
                size = _push(hk, hv, size, nd + h[v], v)
    return count


@njit(cache=True, nogil=True, inline="always")
def _alt_bound(v, t, lf, lb):
    """max over landmarks L of d(v,L) - d(t,L) and d(L,t) - d(L,v); consistent, >= 0.

    ``lf[v, i]`` = d(L_i, v), ``lb[v, i]`` = d(v, L_i): one row per node, so the bound of
    a node reads two short contiguous rows.
    """
    h = 0.0
    for i in range(lf.shape[1]):
        tl = lb[t, i]
        if tl < INF:
            vl = lb[v, i]
            if vl == INF:
                return INF  # v cannot reach L but t can: v cannot reach t
            if vl - tl > h:
                h = vl - tl
        lt = lf[t, i]
        lv = lf[v, i]
        if lt < INF and lv < INF and lt - lv > h:
            h = lt - lv
    return h


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
    """Many-to-many: ``out[0]`` least cost, ``out[1 + k]`` field k summed along that path.

    Each tree stops as soon as every destination is settled.
    """
    n = len(indptr) - 1
    m = len(heads)
    nf = fields.shape[0]
    dist = np.empty(n)
    pred = np.empty(n, np.int64)
    order = np.empty(n, np.int32)
    hk = np.empty(m + 1)
    hv = np.empty(m + 1, np.int32)
    is_dest = np.zeros(n, np.bool_)
    n_dest = 0
    for j in range(len(dests)):
        if not is_dest[dests[j]]:
            is_dest[dests[j]] = True
            n_dest += 1
    acc = np.empty((nf, n))
    for i in range(len(origins)):
        s = origins[i]
        count = search(
            indptr, heads, cost, s, -1, is_dest, n_dest, passable, dist, pred, order, hk, hv
        )
        if nf > 0:
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


@njit(cache=True, nogil=True)
def reverse_csr(indptr, heads, n):
    """Backward star: in-edges of node ``v`` are ``redge[rindptr[v]:rindptr[v + 1]]``."""
    m = len(heads)
    rindptr = np.zeros(n + 1, np.int64)
    for e in range(m):
        rindptr[heads[e] + 1] += 1
    for v in range(n):
        rindptr[v + 1] += rindptr[v]
    fill = rindptr[:-1].copy()
    redge = np.empty(m, np.int64)
    for u in range(n):
        for e in range(indptr[u], indptr[u + 1]):
            v = heads[e]
            redge[fill[v]] = e
            fill[v] += 1
    return rindptr, redge


@njit(cache=True, nogil=True)
def bidijkstra(
    indptr,
    heads,
    tails,
    rindptr,
    redge,
    cost,
    source,
    target,
    passable,
    df,
    db,
    pf,
    sb,
    hkf,
    hvf,
    hkb,
    hvb,
):
    """Bidirectional Dijkstra from ``source`` to ``target``.

    The forward search does not leave non-passable nodes (other than the source); the
    backward search does not enter them from behind (other than the source), so both
    searches see the same graph in which such nodes have no out-edges. Stops when the
    two smallest heap keys add up to at least the best path found. ``pf`` holds forward
    predecessor edges, ``sb`` backward successor edges. Returns (cost, meeting node,
    nodes settled); the meeting node is -1 when there is no path.
    """
    df[:] = INF
    db[:] = INF
    pf[:] = -1
    sb[:] = -1
    df[source] = 0.0
    db[target] = 0.0
    best = INF
    meet = -1
    if source == target:
        return 0.0, source, 1
    nf = _push(hkf, hvf, 0, 0.0, source)
    nb = _push(hkb, hvb, 0, 0.0, target)
    settled = 0
    while nf > 0 and nb > 0:
        if hkf[0] + hkb[0] >= best:
            break
        if hkf[0] <= hkb[0]:
            d, u, nf = _pop(hkf, hvf, nf)
            if d > df[u]:
                continue
            settled += 1
            if u != source and not passable[u]:
                continue
            for e in range(indptr[u], indptr[u + 1]):
                v = heads[e]
                nd = d + cost[e]
                if nd < df[v]:
                    df[v] = nd
                    pf[v] = e
                    nf = _push(hkf, hvf, nf, nd, v)
                    if nd + db[v] < best:
                        best = nd + db[v]
                        meet = v
        else:
            d, w, nb = _pop(hkb, hvb, nb)
            if d > db[w]:
                continue
            settled += 1
            for k in range(rindptr[w], rindptr[w + 1]):
                e = redge[k]
                v = tails[e]
                if v != source and not passable[v]:
                    continue
                nd = d + cost[e]
                if nd < db[v]:
                    db[v] = nd
                    sb[v] = e
                    nb = _push(hkb, hvb, nb, nd, v)
                    if nd + df[v] < best:
                        best = nd + df[v]
                        meet = v
    return best, meet, settled


@njit(cache=True, nogil=True)
def trace_bidirectional(pf, sb, tails, heads, source, target, meet):
    """Edges source -> meet (forward predecessors) then meet -> target (backward successors)."""
    first = trace(pf, tails, source, meet)
    count = 0
    v = meet
    while v != target:
        e = sb[v]
        count += 1
        v = heads[e]
    out = np.empty(len(first) + count, np.int64)
    out[: len(first)] = first
    k = len(first)
    v = meet
    while v != target:
        e = sb[v]
        out[k] = e
        k += 1
        v = heads[e]
    return out


@njit(cache=True, nogil=True)
def reverse_graph(indptr, heads, tails, cost, n):
    """The reversed graph in CSR form: (indptr, heads, cost) with every edge turned round."""
    rindptr, redge = reverse_csr(indptr, heads, n)
    m = len(heads)
    rheads = np.empty(m, np.int32)
    rcost = np.empty(m)
    for k in range(m):
        e = redge[k]
        rheads[k] = tails[e]
        rcost[k] = cost[e]
    return rindptr, rheads, rcost


# goal-directed kernels live in _alt (re-exported: callers use this module's names)
from serai.paths._alt import (  # noqa: E402, F401
    _ends_bound,
    _pick_landmarks,
    astar_alt,
    ends_search,
    landmarks,
    trace_nodes,
    trace_root,
)
