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
# A bush b is stored compactly: ``bed[b, :nbed[b]]`` are its edges grouped by tail in
# topological order, ``bfc[b, q]`` the bush flow on edge ``bed[b, q]`` (slot q), and
# ``topo[b, :ntopo[b]]`` its nodes in topological order. ``inb[b, e]`` flags membership
# by edge. Label predecessors (Lp, Up) are slots, not edges.


@njit(cache=True, nogil=True)
def _build(origin, indptr, heads, inb_b, indeg, topo_b, bed_b, bfc_b, ne_old, scratch):
    """Rebuild the topological order and the slot list after a membership change,
    carrying the slot flows over. Returns (number of nodes, number of edges)."""
    for q in range(ne_old):
        scratch[bed_b[q]] = bfc_b[q]
    indeg[:] = 0
    for e in range(len(heads)):  # branch-free: membership is a 0/1 byte
        indeg[heads[e]] += inb_b[e]
    topo_b[0] = origin
    head = 0
    tail = 1
    ne = 0
    while head < tail:
        u = topo_b[head]
        head += 1
        for e in range(indptr[u], indptr[u + 1]):
            f = inb_b[e]
            bed_b[ne] = e
            bfc_b[ne] = scratch[e]  # 0 for edges outside the old bush
            scratch[e] = 0.0
            ne += f
            v = heads[e]
            indeg[v] -= f
            if f and indeg[v] == 0:
                topo_b[tail] = v
                tail += 1
    return tail, ne


@njit(cache=True, nogil=True)
def bush_init(
    indptr, heads, tails, passable, bclass, borig, dptr, dnode, dvol, cost, inb, bfc, topo,
    ntopo, bed, nbed, x, od_cost,
):  # fmt: skip
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
    indeg = np.empty(n, np.int64)
    acc = np.zeros(n)
    scratch = np.zeros(len(heads))
    x[:, :] = 0.0
    for b in range(len(borig)):
        k = bclass[b]
        s = borig[b]
        count = sp_tree(indptr, heads, cost[k], s, passable, dist, pred, order, hk, hn, where)
        inb[b, :] = 0
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
                scratch[e] += a
                x[k, e] += a
                acc[tails[e]] += a
                acc[v] = 0.0
        acc[s] = 0.0
        # scratch holds the flows by edge; _build moves them into slots (ne_old = 0)
        ntopo[b], nbed[b] = _build(s, indptr, heads, inb[b], indeg, topo[b], bed[b], bfc[b], 0,
                                   scratch)  # fmt: skip


@njit(cache=True, nogil=True)
def _labels(origin, ntopo, topo_b, ne, bed_b, heads, tails, bfc_b, t, fix_k, w, L, U, Ua, Lp, Up,
            pos):  # fmt: skip
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
            Lp[v] = q
        ac = Ua[u] + c
        if ac > Ua[v]:
            Ua[v] = ac
        if bfc_b[q] > 0.0:
            uc = U[u] + c
            if uc > U[v]:
                U[v] = uc
                Up[v] = q


@njit(cache=True, nogil=True)
def _shift(
    k, ntopo, topo_b, bed_b, tails, bfc_b, x, v, t, dt, fix_k, w, pce, code, t0, cap, p0, p1,
    L, U, Lp, Up, pos,
):  # fmt: skip
    """Newton flow shifts from the longest used to the shortest segment, nodes in
    reverse topological order (labels from :func:`_labels`). Returns the largest U - L."""
    worst = 0.0
    for i in range(ntopo - 1, 0, -1):
        j = topo_b[i]
        uq = Up[j]
        lq = Lp[j]
        if uq < 0 or uq == lq:
            continue
        g0 = U[j] - L[j]
        if g0 > worst:
            worst = g0
        if g0 <= 0.0:
            continue
        a = tails[bed_b[lq]]
        c = tails[bed_b[uq]]
        while a != c:
            if pos[a] > pos[c]:
                a = tails[bed_b[Lp[a]]]
            else:
                c = tails[bed_b[Up[c]]]
        mnode = a
        cl = 0.0
        cu = 0.0
        der = 0.0
        maxf = INF
        node = j
        while node != mnode:
            e = bed_b[Lp[node]]
            cl += w * t[e] + fix_k[e]
            der += dt[e]
            node = tails[e]
        node = j
        while node != mnode:
            q = Up[node]
            e = bed_b[q]
            cu += w * t[e] + fix_k[e]
            der += dt[e]
            if bfc_b[q] < maxf:
                maxf = bfc_b[q]
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
            q = Lp[node]
            e = bed_b[q]
            bfc_b[q] += d
            x[k, e] += d
            v[e] += pce * d
            t[e], dt[e] = vdf_eval(code, v[e], t0[e], cap[e], p0[e], p1[e])
            node = tails[e]
        node = j
        while node != mnode:
            q = Up[node]
            e = bed_b[q]
            nb = bfc_b[q] - d
            if nb < 0.0 or (d == maxf and nb < 1e-12 * d):
                nb = 0.0
            moved = bfc_b[q] - nb
            x[k, e] -= moved
            v[e] -= pce * moved
            if v[e] < 0.0:
                v[e] = 0.0
            bfc_b[q] = nb
            t[e], dt[e] = vdf_eval(code, v[e], t0[e], cap[e], p0[e], p1[e])
            node = tails[e]
    return worst


@njit(cache=True, nogil=True)
def _improve(origin, ntopo, topo_b, ne, bed_b, indptr, heads, tails, passable, inb_b, bfc_b, t,
             fix_k, w, Ua, Lp):  # fmt: skip
    """Drop unused edges off the shortest-path tree; add edges with Ua_i + c < Ua_j.

    ``Ua`` (longest paths over the remaining bush edges) satisfies Ua_a <= Ua_b on
    every bush edge, and every added edge has Ua_i < Ua_j, so the bush stays acyclic.
    Returns the number of edges dropped or added.
    """
    changed = 0
    for q in range(ne):
        e = bed_b[q]
        if bfc_b[q] <= 0.0 and Lp[heads[e]] != q:
            inb_b[e] = 0
            changed += 1
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
    for i in range(ntopo):
        u = topo_b[i]
        if u != origin and not passable[u]:
            continue
        uu = Ua[u]
        for e in range(indptr[u], indptr[u + 1]):  # branch-free test
            v = heads[e]
            new = (inb_b[e] == 0) & (v != origin) & (uu + w * t[e] + fix_k[e] < Ua[v])
            inb_b[e] |= new
            changed += new
    return changed


@njit(cache=True, nogil=True)
def bush_sweep(
    indptr, heads, tails, passable, bclass, borig, inb, bfc, topo, ntopo, bed, nbed, bgap,
    x, v, t, dt, fix, w, pce, code, t0, cap, p0, p1, improve,
):  # fmt: skip
    """One sweep over all bushes: a shift pass on each, then (``improve``) drop unused
    edges, add shortcuts and rebuild its order. ``bgap[b]`` receives the largest
    U - L of bush b before its shifts. Returns the largest over all bushes.
    """
    n = len(indptr) - 1
    L = np.empty(n)
    U = np.empty(n)
    Ua = np.empty(n)
    Lp = np.empty(n, np.int64)
    Up = np.empty(n, np.int64)
    pos = np.empty(n, np.int64)
    indeg = np.empty(n, np.int64)
    scratch = np.zeros(len(heads))
    worst = 0.0
    for b in range(len(borig)):
        k = bclass[b]
        s = borig[b]
        wk = w[k]
        bed_b = bed[b]
        bfc_b = bfc[b]
        topo_b = topo[b]
        _labels(s, ntopo[b], topo_b, nbed[b], bed_b, heads, tails, bfc_b, t, fix[k], wk,
                L, U, Ua, Lp, Up, pos)  # fmt: skip
        wb = _shift(k, ntopo[b], topo_b, bed_b, tails, bfc_b, x, v, t, dt, fix[k], wk, pce[k],
                    code, t0, cap, p0, p1, L, U, Lp, Up, pos)  # fmt: skip
        bgap[b] = wb
        if wb > worst:
            worst = wb
        if improve:
            changed = _improve(s, ntopo[b], topo_b, nbed[b], bed_b, indptr, heads, tails,
                               passable, inb[b], bfc_b, t, fix[k], wk, Ua, Lp)  # fmt: skip
            if changed:
                ntopo[b], nbed[b] = _build(s, indptr, heads, inb[b], indeg, topo_b, bed_b, bfc_b,
                                           nbed[b], scratch)  # fmt: skip
    return worst


def specialise(scalar):
    """The Algorithm B kernels for a user VDF given as a numba function.

    ``scalar(v, t0, cap, p0, p1) -> (time, d time / d flow)`` must be ``@njit``-compiled.
    Returns an object with ``vdf_all`` and ``bush_sweep`` calling it in place of the
    built-in VDFs. These are compiled on first use in each process (not cached on disk).
    """
    import types

    def rebind(func, **names):
        py = func.py_func
        env = dict(py.__globals__)
        env.update(names)
        f = types.FunctionType(py.__code__, env, py.__name__, py.__defaults__, py.__closure__)
        return njit(nogil=True)(f)

    @njit(nogil=True, inline="always")
    def user_eval(code, v, t0, cap, p0, p1):
        return scalar(v, t0, cap, p0, p1)

    shift = rebind(_shift, vdf_eval=user_eval)
    return types.SimpleNamespace(
        vdf_all=rebind(vdf_all, vdf_eval=user_eval),
        bush_sweep=rebind(bush_sweep, _shift=shift),
    )
