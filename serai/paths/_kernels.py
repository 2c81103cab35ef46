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


@njit(cache=True, nogil=True)
def landmarks(indptr, heads, tails, cost, n, k, start):
    """ALT landmarks by farthest selection; distances from (``lf``) and to (``lb``) each.

    Distances ignore ``passable`` (every node may be passed through): they bound the
    constrained distances from below all the same.
    """
    allpass = np.ones(n, np.bool_)
    rindptr, rheads, rcost = reverse_graph(indptr, heads, tails, cost, n)
    m = len(heads)
    dist = np.empty(n)
    pred = np.empty(n, np.int64)
    order = np.empty(n, np.int32)
    hk = np.empty(m + 1)
    hv = np.empty(m + 1, np.int32)
    lf = np.empty((k, n))
    lb = np.empty((k, n))
    chosen = np.empty(k, np.int64)
    mind = np.full(n, INF)
    dijkstra(indptr, heads, cost, start, -1, allpass, dist, pred, order, hk, hv)
    for i in range(k):
        # the reached node farthest from the landmarks so far (from the start at first)
        src = dist if i == 0 else mind
        best, far = -1.0, start
        for v in range(n):
            if src[v] < INF and src[v] > best:
                best, far = src[v], v
        chosen[i] = far
        dijkstra(indptr, heads, cost, far, -1, allpass, lf[i], pred, order, hk, hv)
        dijkstra(rindptr, rheads, rcost, far, -1, allpass, lb[i], pred, order, hk, hv)
        for v in range(n):
            if lf[i, v] < mind[v]:
                mind[v] = lf[i, v]
    return chosen, lf, lb


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
def astar_alt(indptr, heads, cost, source, target, passable, lf, lb, dist, pred, hk, hv, h, closed):
    """A* to one target with the ALT (landmark) lower bound. Returns nodes settled."""
    dist[:] = INF
    pred[:] = -1
    h[:] = -1.0
    closed[:] = False
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
                    h[v] = _alt_bound(v, target, lf, lb)
                if h[v] == INF:
                    continue
                dist[v] = nd
                pred[v] = e
                size = _push(hk, hv, size, nd + h[v], v)
    return count


@njit(cache=True, nogil=True)
def trace_nodes(pred, tails, heads, source, target):
    """Edges and nodes (internal indices) of the path source -> target, in order."""
    edges = trace(pred, tails, source, target)
    nodes = np.empty(len(edges) + 1, np.int64)
    nodes[0] = source
    for i in range(len(edges)):
        nodes[i + 1] = heads[edges[i]]
    return edges, nodes


@njit(cache=True, nogil=True)
def _pick_landmarks(s, t, lf, lb, n_active):
    """The ``n_active`` landmarks whose bound d(s, t) is largest (the most useful ones)."""
    k = lf.shape[1]
    score = np.empty(k)
    for i in range(k):
        b = 0.0
        tl, vl = lb[t, i], lb[s, i]
        if tl < INF and vl < INF and vl - tl > b:
            b = vl - tl
        lt, lv = lf[t, i], lf[s, i]
        if lt < INF and lv < INF and lt - lv > b:
            b = lt - lv
        score[i] = b
    order = np.argsort(-score, kind="mergesort")
    return order[: min(n_active, k)].astype(np.int64)


@njit(cache=True, nogil=True)
def ends_search(
    indptr, heads, cost, passable, src, src_off, dst, dst_off, settle_all, lf, lb, n_active,
    dist, pred, hk, hv, h, closed,
):  # fmt: skip
    """A* from several sources to several targets, with the ALT (landmark) lower bound.

    Every source ``src[i]`` starts at cost ``src_off[i]`` (a first-mile leg); a source that
    is not ``passable`` is left only from its own start (as in :func:`search`). With
    ``settle_all`` the search runs until every target is settled (``dist`` then holds the
    least cost from the nearest source to each, offsets included; ``dst_off`` is not used)
    and returns -1; otherwise it stops at the cheapest ``dist[t] + dst_off[j]`` over the
    targets (a last-mile leg after the target) and returns that ``j`` (-1: none reached).

    ``lf[v, i]``/``lb[v, i]`` are the distances from/to landmark i (:func:`landmarks`) on a
    cost array that is nowhere above ``cost``; ``n_active`` of them (the best for the first
    source and target) make the bound. With no landmarks (``lf.shape[1] == 0``) this is
    Dijkstra from the sources. Ties: the first target settled wins (deterministic).
    ``pred[v]`` is -1 at the sources: trace a path back with :func:`trace_root`.
    """
    nt = len(dst)
    dist[:] = INF
    pred[:] = -1
    h[:] = -1.0
    closed[:] = False
    act = np.empty(0, np.int64)
    if lf.shape[1] > 0 and len(src) > 0 and nt > 0:
        act = _pick_landmarks(src[0], dst[0], lf, lb, n_active)
    na = len(act)
    tlb = np.empty((nt, na))
    tlf = np.empty((nt, na))
    off = np.zeros(nt)
    for j in range(nt):
        if not settle_all:
            off[j] = dst_off[j]
        for a in range(na):
            tlb[j, a] = lb[dst[j], act[a]]
            tlf[j, a] = lf[dst[j], act[a]]
    size = 0
    for i in range(len(src)):
        s = src[i]
        if src_off[i] < dist[s]:
            dist[s] = src_off[i]
            hs = _ends_bound(s, lf, lb, act, tlb, tlf, off)
            h[s] = hs
            if hs < INF:
                size = _push(hk, hv, size, src_off[i] + hs, s)
    best = INF
    best_j = -1
    left = nt
    while size > 0:
        key, u, size = _pop(hk, hv, size)
        if closed[u]:
            continue
        if not settle_all and key >= best:
            break
        closed[u] = True
        du = dist[u]
        for j in range(nt):
            if dst[j] == u:
                if settle_all:
                    left -= 1
                elif du + dst_off[j] < best:
                    best = du + dst_off[j]
                    best_j = j
        if settle_all and left <= 0:
            break
        if not passable[u] and pred[u] >= 0:
            continue
        for e in range(indptr[u], indptr[u + 1]):
            v = heads[e]
            if closed[v]:
                continue
            nd = du + cost[e]
            if nd < dist[v]:
                if h[v] < 0.0:
                    h[v] = _ends_bound(v, lf, lb, act, tlb, tlf, off)
                if h[v] == INF:
                    continue
                dist[v] = nd
                pred[v] = e
                size = _push(hk, hv, size, nd + h[v], v)
    return best_j


@njit(cache=True, nogil=True, inline="always")
def _ends_bound(v, lf, lb, act, tlb, tlf, off):
    """min over targets j of (ALT bound of d(v, t_j) + off[j]); INF if v reaches none."""
    best = INF
    for j in range(tlb.shape[0]):
        hj = 0.0
        dead = False
        for a in range(len(act)):
            i = act[a]
            tl = tlb[j, a]
            if tl < INF:
                vl = lb[v, i]
                if vl == INF:
                    dead = True  # v cannot reach L but t_j can: v cannot reach t_j
                    break
                if vl - tl > hj:
                    hj = vl - tl
            lt = tlf[j, a]
            lv = lf[v, i]
            if lt < INF and lv < INF and lt - lv > hj:
                hj = lt - lv
        if not dead and hj + off[j] < best:
            best = hj + off[j]
    return best


@njit(cache=True, nogil=True)
def trace_root(pred, tails, target):
    """Edges of the path to ``target`` from the source it was reached from, and that source."""
    count = 0
    v = target
    while pred[v] >= 0:
        count += 1
        v = tails[pred[v]]
    root = v
    out = np.empty(count, np.int64)
    v = target
    for k in range(count - 1, -1, -1):
        e = pred[v]
        out[k] = e
        v = tails[e]
    return out, root
