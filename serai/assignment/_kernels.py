"""numba kernels for traffic assignment.

- shortest-path trees (binary-heap Dijkstra) that never expand a node that is not
  ``passable`` (other than the tree's root) and never use an edge of infinite cost
  (a class barred from a link has an infinite fixed cost there);
- all-or-nothing loading of a demand table given in CSR form by origin;
- Algorithm B (Dial 2006): one acyclic bush per (class, origin), flows shifted
  between the longest used and the shortest path segments of each bush with a
  Newton step, link times updated after every shift.

Built-in volume-delay functions are evaluated by code (0 BPR, 1 conical). All
kernels are compiled once and cached on disk (``cache=True``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

INF = np.inf


# --------------------------------------------------------------------------- VDFs
@njit(cache=True, nogil=True, inline="always")
def vdf_eval(code, v, t0, cap, p0, p1):
    """(time, d time / d flow) of one link for a built-in VDF."""
    if code == 0:  # BPR
        if p1 == 0.0:
            return t0 * (1.0 + p0), 0.0
        x = v / cap
        if x <= 0.0:
            if p1 > 1.0:
                return t0, 0.0
            if p1 == 1.0:
                return t0, t0 * p0 / cap
            return t0, 1e300
        xb1 = x ** (p1 - 1.0)
        return t0 * (1.0 + p0 * xb1 * x), t0 * p0 * p1 * xb1 / cap
    # conical
    a = p0
    b = (2.0 * a - 1.0) / (2.0 * a - 2.0)
    y = 1.0 - v / cap
    r = np.sqrt(a * a * y * y + b * b)
    return t0 * (2.0 + r - a * y - b), t0 / cap * (a - a * a * y / r)


@njit(cache=True, nogil=True)
def vdf_all(code, v, t0, cap, p0, p1, t, dt):
    for e in range(len(v)):
        t[e], dt[e] = vdf_eval(code, v[e], t0[e], cap[e], p0[e], p1[e])


# --------------------------------------------------------------------------- Dijkstra
@njit(cache=True, nogil=True)
def sp_tree(indptr, heads, cost, source, passable, dist, pred, order, hk, hn, where):
    """One-to-all Dijkstra with an indexed binary heap (decrease-key).

    ``hk``/``hn`` hold the heap keys and nodes (size n), ``where[v]`` the heap slot of
    ``v`` (-1 never reached, -2 settled). Returns the number of settled nodes, in
    settling order in ``order``.
    """
    n = len(indptr) - 1
    for i in range(n):
        dist[i] = INF
        pred[i] = -1
        where[i] = -1
    dist[source] = 0.0
    size = 1
    hk[0] = 0.0
    hn[0] = source
    where[source] = 0
    count = 0
    while size > 0:
        u = hn[0]
        d = hk[0]
        size -= 1
        if size > 0:
            key = hk[size]
            node = hn[size]
            i = 0
            while True:
                c = 2 * i + 1
                if c >= size:
                    break
                r = c + 1
                if r < size and hk[r] < hk[c]:
                    c = r
                if hk[c] >= key:
                    break
                hk[i] = hk[c]
                hn[i] = hn[c]
                where[hn[i]] = i
                i = c
            hk[i] = key
            hn[i] = node
            where[node] = i
        where[u] = -2
        order[count] = u
        count += 1
        if u != source and not passable[u]:
            continue
        for e in range(indptr[u], indptr[u + 1]):
            v = heads[e]
            nd = d + cost[e]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = e
                i = where[v]
                if i == -1:
                    i = size
                    size += 1
                while i > 0:
                    q = (i - 1) >> 1
                    if hk[q] <= nd:
                        break
                    hk[i] = hk[q]
                    hn[i] = hn[q]
                    where[hn[i]] = i
                    i = q
                hk[i] = nd
                hn[i] = v
                where[v] = i
    return count


@njit(cache=True, nogil=True)
def aon(indptr, heads, tails, cost, passable, origins, optr, dests, vols, load, flow, od_cost):
    """All-or-nothing: shortest-path trees from every origin.

    ``dests[optr[i]:optr[i+1]]`` and ``vols`` are the demand of ``origins[i]``.
    Writes the least cost of every OD entry into ``od_cost`` (inf: unreachable)
    and, when ``load``, the loaded link flows into ``flow``. Returns SPTT (the
    demand-weighted least costs of reachable pairs).
    """
    n = len(indptr) - 1
    dist = np.empty(n)
    pred = np.empty(n, np.int64)
    order = np.empty(n, np.int64)
    hk = np.empty(n)
    hn = np.empty(n, np.int64)
    where = np.empty(n, np.int64)
    acc = np.zeros(n)
    if load:
        flow[:] = 0.0
    sptt = 0.0
    for i in range(len(origins)):
        s = origins[i]
        count = sp_tree(indptr, heads, cost, s, passable, dist, pred, order, hk, hn, where)
        for k in range(optr[i], optr[i + 1]):
            d = dests[k]
            od_cost[k] = dist[d]
            if dist[d] < INF:
                sptt += vols[k] * dist[d]
                acc[d] += vols[k]
        if load:
            for j in range(count - 1, 0, -1):
                v = order[j]
                a = acc[v]
                if a != 0.0:
                    e = pred[v]
                    flow[e] += a
                    acc[tails[e]] += a
                    acc[v] = 0.0
        acc[s] = 0.0
        if not load:
            for j in range(count):
                acc[order[j]] = 0.0
    return sptt


# --------------------------------------------------------------------------- Algorithm B
@njit(cache=True, nogil=True)
def bush_init(
    indptr,
    heads,
    tails,
    passable,
    bclass,
    borig,
    dptr,
    dnode,
    dvol,
    cost,
    inb,
    bf,
    x,
    od_cost,
):
    """Initial bushes: the shortest-path tree of each origin at ``cost[class]``, loaded AON.

    Adds each bush's flow to the class flows ``x`` (zeroed first).
    """
    n = len(indptr) - 1
    dist = np.empty(n)
    pred = np.empty(n, np.int64)
    order = np.empty(n, np.int64)
    hk = np.empty(n)
    hn = np.empty(n, np.int64)
    where = np.empty(n, np.int64)
    acc = np.zeros(n)
    x[:, :] = 0.0
    for b in range(len(borig)):
        k = bclass[b]
        s = borig[b]
        count = sp_tree(indptr, heads, cost[k], s, passable, dist, pred, order, hk, hn, where)
        inb[b, :] = 0
        bf[b, :] = 0.0
        for j in range(1, count):
            inb[b, pred[order[j]]] = 1
        for q in range(dptr[b], dptr[b + 1]):
            d = dnode[q]
            od_cost[q] = dist[d]
            if dist[d] < INF:
                acc[d] += dvol[q]
        for j in range(count - 1, 0, -1):
            v = order[j]
            a = acc[v]
            if a != 0.0:
                e = pred[v]
                bf[b, e] += a
                x[k, e] += a
                acc[tails[e]] += a
                acc[v] = 0.0
        acc[s] = 0.0


@njit(cache=True, nogil=True)
def _build(origin, indptr, heads, inb_b, indeg, topo_b, bed_b):
    """Topological node order (Kahn) and the bush edges grouped by tail in that order.

    Returns (number of nodes, number of edges).
    """
    indeg[:] = 0
    for e in range(len(heads)):
        if inb_b[e]:
            indeg[heads[e]] += 1
    topo_b[0] = origin
    head = 0
    tail = 1
    ne = 0
    while head < tail:
        u = topo_b[head]
        head += 1
        for e in range(indptr[u], indptr[u + 1]):
            if inb_b[e]:
                bed_b[ne] = e
                ne += 1
                v = heads[e]
                indeg[v] -= 1
                if indeg[v] == 0:
                    topo_b[tail] = v
                    tail += 1
    return tail, ne


@njit(cache=True, nogil=True)
def _labels(
    origin, ntopo, topo_b, ne, bed_b, heads, tails, bf_b, t, fix_k, w, L, U, Ua, Lp, Up, pos
):
    """Shortest (L), longest used (U) and longest (Ua) path labels in the bush."""
    for i in range(ntopo):
        u = topo_b[i]
        L[u] = INF
        U[u] = -INF
        Ua[u] = -INF
        Lp[u] = -1
        Up[u] = -1
        pos[u] = i
    L[origin] = 0.0
    U[origin] = 0.0
    Ua[origin] = 0.0
    for q in range(ne):
        e = bed_b[q]
        u = tails[e]
        v = heads[e]
        c = w * t[e] + fix_k[e]
        lc = L[u] + c
        if lc < L[v]:
            L[v] = lc
            Lp[v] = e
        ac = Ua[u] + c
        if ac > Ua[v]:
            Ua[v] = ac
        if bf_b[e] > 0.0:
            uc = U[u] + c
            if uc > U[v]:
                U[v] = uc
                Up[v] = e


@njit(cache=True, nogil=True)
def _shift(
    origin, k, ntopo, topo_b, tails, bf_b, x, v, t, dt, fix_k, w, pce, code, t0, cap, p0, p1,
    L, U, Lp, Up, pos, tol,
):  # fmt: skip
    """Newton flow shifts from the longest used to the shortest segment, nodes in
    reverse topological order (labels from :func:`_labels`). Returns the largest U - L."""
    worst = 0.0
    for i in range(ntopo - 1, 0, -1):
        j = topo_b[i]
        ue = Up[j]
        le = Lp[j]
        if ue < 0 or ue == le:
            continue
        g0 = U[j] - L[j]
        if g0 > worst:
            worst = g0
        if g0 <= tol:
            continue
        a = tails[le]
        c = tails[ue]
        while a != c:
            if pos[a] > pos[c]:
                a = tails[Lp[a]]
            else:
                c = tails[Up[c]]
        mnode = a
        cl = 0.0
        cu = 0.0
        der = 0.0
        maxf = INF
        node = j
        while node != mnode:
            e = Lp[node]
            cl += w * t[e] + fix_k[e]
            der += dt[e]
            node = tails[e]
        node = j
        while node != mnode:
            e = Up[node]
            cu += w * t[e] + fix_k[e]
            der += dt[e]
            if bf_b[e] < maxf:
                maxf = bf_b[e]
            node = tails[e]
        g = cu - cl
        if g <= 0.0 or maxf <= 0.0:
            continue
        der *= w * pce
        if der > 0.0:
            d = g / der
            if d > maxf:
                d = maxf
        else:
            d = maxf
        node = j
        while node != mnode:
            e = Lp[node]
            bf_b[e] += d
            x[k, e] += d
            v[e] += pce * d
            t[e], dt[e] = vdf_eval(code, v[e], t0[e], cap[e], p0[e], p1[e])
            node = tails[e]
        node = j
        while node != mnode:
            e = Up[node]
            nb = bf_b[e] - d
            if nb < 0.0 or (d == maxf and nb < 1e-12 * d):
                nb = 0.0
            moved = bf_b[e] - nb
            x[k, e] -= moved
            v[e] -= pce * moved
            if v[e] < 0.0:
                v[e] = 0.0
            bf_b[e] = nb
            t[e], dt[e] = vdf_eval(code, v[e], t0[e], cap[e], p0[e], p1[e])
            node = tails[e]
    return worst


@njit(cache=True, nogil=True)
def _improve(origin, ntopo, topo_b, ne, bed_b, indptr, heads, tails, passable, inb_b, bf_b, t,
             fix_k, w, Ua, Lp):  # fmt: skip
    """Drop unused edges off the shortest-path tree; add edges with Ua_i + c < Ua_j.

    ``Ua`` (longest paths over all bush edges) satisfies Ua_a <= Ua_b on every bush
    edge, and every added edge has Ua_i < Ua_j, so the bush stays acyclic.
    Returns the number of edges added.
    """
    for q in range(ne):
        e = bed_b[q]
        if bf_b[e] <= 0.0 and Lp[heads[e]] != e:
            inb_b[e] = 0
    # longest paths over the remaining edges, at current costs
    for i in range(ntopo):
        Ua[topo_b[i]] = -INF
    Ua[origin] = 0.0
    for q in range(ne):
        e = bed_b[q]
        if inb_b[e]:
            ac = Ua[tails[e]] + w * t[e] + fix_k[e]
            if ac > Ua[heads[e]]:
                Ua[heads[e]] = ac
    added = 0
    for i in range(ntopo):
        u = topo_b[i]
        if u != origin and not passable[u]:
            continue
        uu = Ua[u]
        for e in range(indptr[u], indptr[u + 1]):
            if inb_b[e]:
                continue
            f = fix_k[e]
            if f == INF:
                continue
            v = heads[e]
            if v == origin:
                continue
            if uu + w * t[e] + f < Ua[v]:
                inb_b[e] = 1
                added += 1
    return added


@njit(cache=True, nogil=True)
def bush_sweep(
    indptr, heads, tails, passable, bclass, borig, inb, bf, topo, ntopo, bed, nbed, bgap,
    x, v, t, dt, fix, w, pce, code, t0, cap, p0, p1, improve, skip_below,
):  # fmt: skip
    """One sweep over all bushes: a shift pass on each, then (``improve``) drop unused
    edges and add shortcuts. Bushes whose last largest U - L (``bgap``) is below
    ``skip_below`` are left alone unless ``improve``. Returns the largest U - L seen.
    """
    n = len(indptr) - 1
    L = np.empty(n)
    U = np.empty(n)
    Ua = np.empty(n)
    Lp = np.empty(n, np.int64)
    Up = np.empty(n, np.int64)
    pos = np.empty(n, np.int64)
    indeg = np.empty(n, np.int64)
    worst = 0.0
    for b in range(len(borig)):
        if not improve and bgap[b] < skip_below:
            continue
        k = bclass[b]
        s = borig[b]
        wk = w[k]
        inb_b = inb[b]
        bf_b = bf[b]
        topo_b = topo[b]
        bed_b = bed[b]
        if ntopo[b] == 0:
            ntopo[b], nbed[b] = _build(s, indptr, heads, inb_b, indeg, topo_b, bed_b)
        _labels(s, ntopo[b], topo_b, nbed[b], bed_b, heads, tails, bf_b, t, fix[k], wk,
                L, U, Ua, Lp, Up, pos)  # fmt: skip
        wb = _shift(s, k, ntopo[b], topo_b, tails, bf_b, x, v, t, dt, fix[k], wk, pce[k], code,
                    t0, cap, p0, p1, L, U, Lp, Up, pos, 0.0)  # fmt: skip
        bgap[b] = wb
        if wb > worst:
            worst = wb
        if improve:
            _improve(s, ntopo[b], topo_b, nbed[b], bed_b, indptr, heads, tails, passable, inb_b,
                     bf_b, t, fix[k], wk, Ua, Lp)  # fmt: skip
            ntopo[b], nbed[b] = _build(s, indptr, heads, inb_b, indeg, topo_b, bed_b)
    return worst
