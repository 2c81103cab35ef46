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

import functools

import numpy as np

from serai._jit import njit, typed_list
from serai.paths._kernels import search as _search

List = typed_list(__name__)  # numba.typed.List when compiled, list when interpreted
INF = np.inf
_NO_DEST = np.zeros(0, dtype=np.bool_)
_TINY_VC = 1e-9  # volume/capacity at which a power < 1 BPR derivative is taken for zero flow


# --------------------------------------------------------------------------- VDFs
@njit(cache=True, nogil=True, inline="always")
def vdf_eval(code, v, t0, cap, p0, p1):
    """(time, d time / d flow) of one link for a built-in VDF."""
    if code == 0:  # BPR
        if p1 == 0.0:  # constant time (x ** 0 = 1, also at x = 0)
            return t0 * (1.0 + p0), 0.0
        if p0 == 0.0:
            return t0, 0.0
        x = v / cap
        if x <= 0.0:  # exactly zero (flows are clamped at 0; never a power of a negative)
            if p1 > 1.0:
                return t0, 0.0
            if p1 == 1.0:
                return t0, t0 * p0 / cap
            # power < 1: the derivative is infinite at 0; take it at a tiny flow so that
            # a Newton step can still move flow onto the link
            x = _TINY_VC
            xb1 = x ** (p1 - 1.0)
            return t0, t0 * p0 * p1 * xb1 / cap
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
# One label-setting kernel for the whole project: serai.paths._kernels.search (4-ary heap
# with lazy deletion). numba's disk cache does not notice changes in functions of other
# files: after editing serai/paths/_kernels.py, delete serai/assignment/__pycache__.


@njit(cache=True, nogil=True)
def sp_tree(indptr, heads, cost, source, passable, dist, pred, order, hk, hv):
    """One-to-all shortest-path tree; returns the number of settled nodes (in ``order``).

    ``hk``/``hv`` need room for ``len(heads) + 1`` heap entries.
    """
    return _search(indptr, heads, cost, source, -1, _NO_DEST, 0, passable, dist, pred, order,
                   hk, hv)  # fmt: skip


@njit(cache=True, nogil=True)
def aon(indptr, heads, tails, cost, passable, origins, optr, dests, vols, load, flow, od_cost):
    """All-or-nothing: shortest-path trees from every origin.

    ``dests[optr[i]:optr[i+1]]`` and ``vols`` are the demand of ``origins[i]``.
    Writes the least cost of every OD entry into ``od_cost`` (inf: unreachable)
    and, when ``load``, the loaded link flows into ``flow``. Returns SPTT (the
    demand-weighted least costs of reachable pairs). Each tree stops once the
    origin's destinations are all settled.
    """
    n = len(indptr) - 1
    m = len(heads)
    dist = np.empty(n)
    pred = np.empty(n, np.int64)
    order = np.empty(n, np.int64)
    hk = np.empty(m + 1)
    hv = np.empty(m + 1, np.int64)
    is_dest = np.zeros(n, np.bool_)
    acc = np.zeros(n)
    if load:
        flow[:] = 0.0
    sptt = 0.0
    for i in range(len(origins)):
        s = origins[i]
        nd = 0
        for k in range(optr[i], optr[i + 1]):
            d = dests[k]
            if not is_dest[d]:
                is_dest[d] = True
                nd += 1
        count = _search(indptr, heads, cost, s, -1, is_dest, nd, passable, dist, pred, order,
                        hk, hv)  # fmt: skip
        for k in range(optr[i], optr[i + 1]):
            d = dests[k]
            is_dest[d] = False
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
            for k in range(optr[i], optr[i + 1]):
                acc[dests[k]] = 0.0
    return sptt


# --------------------------------------------------------------------------- Algorithm B
# Bushes are stored sparsely. Bush b: ``topo[b, :ntopo[b]]`` its nodes in topological
# order (one row of n per bush, uint16 when n < 65536, else int32); ``bed[b][:nbed[b]]`` its edges grouped by tail in
# topological order and ``bfc[b][q]`` the bush flow on edge ``bed[b][q]`` (slot q): one
# int32 and one float64 per bush edge, in arrays of a numba typed List that grow when the
# bush does. Membership by edge is only needed while a bush is updated: ``mark`` (one
# byte per edge, shared by all bushes of a sweep) holds it then and is all zero between
# updates. Label predecessors (Lp, Up) are slots, not edges.


@njit(cache=True, nogil=True)
def _build(origin, indptr, heads, mark, indeg, topo_b, ntopo_old, bed_b, bfc_b, ne_old, scratch):
    """Rebuild the topological order and the slot list after a membership change.

    Membership is ``mark`` (over the out-edges of the ``ntopo_old`` nodes of
    ``topo_b``), which is cleared on the way. Slot flows are carried over by edge
    (``scratch``, all zero on entry and on exit). Returns (number of nodes, number of
    edges, edge array, flow array); the arrays are new when the bush outgrew its own.
    """
    for q in range(ne_old):
        scratch[bed_b[q]] = bfc_b[q]
    for i in range(ntopo_old):
        indeg[topo_b[i]] = 0
    ne_new = 0
    for i in range(ntopo_old):
        u = topo_b[i]
        for e in range(indptr[u], indptr[u + 1]):  # branch-free: membership is a 0/1 byte
            f = mark[e]
            indeg[heads[e]] += f
            ne_new += f
    if ne_new + 1 > len(bed_b):  # +1: the loop below writes one slot past the last edge
        # exact for a new bush (ne_old = 0), a little slack when a bush grows
        size = ne_new + 1 if ne_old == 0 else ne_new + ne_new // 16 + 4
        bed_b = np.empty(size, np.int32)
        bfc_b = np.empty(size)
    topo_b[0] = origin
    head = 0
    tail = 1
    ne = 0
    while head < tail:
        u = topo_b[head]
        head += 1
        for e in range(indptr[u], indptr[u + 1]):
            f = mark[e]
            mark[e] = 0
            bed_b[ne] = e
            bfc_b[ne] = scratch[e]  # 0 for edges outside the old bush
            scratch[e] = 0.0
            ne += f
            v = heads[e]
            indeg[v] -= f
            if f and indeg[v] == 0:
                topo_b[tail] = v
                tail += 1
    return tail, ne, bed_b, bfc_b


@njit(cache=True, nogil=True)
def bush_init(
    indptr, heads, tails, passable, bclass, borig, dptr, dnode, dvol, cost, topo, ntopo, nbed,
    x, od_cost,
):  # fmt: skip
    """Initial bushes: the shortest-path tree of each origin at ``cost[class]``, loaded AON.

    Fills ``topo``, ``ntopo`` and ``nbed``, adds each bush's flow to the class flows ``x``
    (zeroed first) and returns the typed lists of per-bush edge and flow arrays.
    """
    n = len(indptr) - 1
    dist = np.empty(n)
    pred = np.empty(n, np.int64)
    order = np.empty(n, np.int64)
    hk = np.empty(len(heads) + 1)
    hv = np.empty(len(heads) + 1, np.int64)
    indeg = np.empty(n, np.int64)
    acc = np.zeros(n)
    scratch = np.zeros(len(heads))
    mark = np.zeros(len(heads), np.uint8)
    bed = List()
    bfc = List()
    x[:, :] = 0.0
    for b in range(len(borig)):
        k = bclass[b]
        s = borig[b]
        count = sp_tree(indptr, heads, cost[k], s, passable, dist, pred, order, hk, hv)
        topo_b = topo[b]
        for j in range(count):
            topo_b[j] = order[j]
        for j in range(1, count):
            mark[pred[order[j]]] = 1
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
        nt, ne, be, bf = _build(s, indptr, heads, mark, indeg, topo_b, count,
                                np.empty(0, np.int32), np.empty(0), 0, scratch)  # fmt: skip
        ntopo[b] = nt
        nbed[b] = ne
        bed.append(be)
        bfc.append(bf)
    return bed, bfc


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
            xe = x[k, e] - moved
            x[k, e] = xe if xe > 0.0 else 0.0  # rounding never leaves a negative class flow
            ve = v[e] - pce * moved
            v[e] = ve if ve > 0.0 else 0.0
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
    ``inb_b`` (all zero on entry) receives the new membership by edge. Returns the
    number of edges dropped or added.
    """
    changed = 0
    for q in range(ne):
        e = bed_b[q]
        if bfc_b[q] <= 0.0 and Lp[heads[e]] != q:
            changed += 1
        else:
            inb_b[e] = 1
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
    indptr, heads, tails, passable, bclass, borig, bfc, topo, ntopo, bed, nbed, bgap,
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
    mark = np.zeros(len(heads), np.uint8)
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
                               passable, mark, bfc_b, t, fix[k], wk, Ua, Lp)  # fmt: skip
            if changed:
                nt, ne, be, bf = _build(s, indptr, heads, mark, indeg, topo_b, ntopo[b], bed_b,
                                        bfc_b, nbed[b], scratch)  # fmt: skip
                ntopo[b] = nt
                nbed[b] = ne
                if len(be) != len(bed_b):
                    bed[b] = be
                    bfc[b] = bf
            else:
                for q in range(nbed[b]):  # leave the shared membership bytes all zero
                    mark[bed_b[q]] = 0
    return worst


@njit(cache=True, nogil=True)
def bush_class_flows(bclass, bed, bfc, nbed, x):
    """Class flows ``x`` (K, m) recomputed exactly as the sum of the bush flows (all >= 0).

    The shifts update ``x`` incrementally; this removes the rounding they accumulate.
    """
    x[:, :] = 0.0
    for b in range(len(bclass)):
        k = bclass[b]
        bed_b = bed[b]
        bfc_b = bfc[b]
        for q in range(nbed[b]):
            x[k, bed_b[q]] += bfc_b[q]


@njit(cache=True, nogil=True)
def bush_bytes(topo, bed, bfc):
    """Bytes held by the bushes: topological orders plus edge and flow arrays.

    (In a kernel: the Python-side methods of a typed List are compiled on every run.)
    """
    total = topo.size * topo.itemsize  # uint16 or int32
    for b in range(len(bed)):
        total += bed[b].size * 4 + bfc[b].size * 8
    return total


@functools.lru_cache(maxsize=32)
def specialise(scalar):
    """The Algorithm B kernels for a user VDF given as a numba function.

    ``scalar(v, t0, cap, p0, p1) -> (time, d time / d flow)`` must be ``@njit``-compiled.
    Returns an object with ``vdf_all`` and ``bush_sweep`` calling it in place of the
    built-in VDFs. These are compiled on first use in each process (not cached on disk:
    a user function has no stable source file) and kept for later assignments with the
    same function.
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
