"""numba kernels of goal-directed search: landmarks (ALT) and the search from several starts to
several ends that the freight router uses (split from :mod:`serai.paths._kernels`, whose
heap and label-setting search they reuse; import them from either module).
"""

from __future__ import annotations

import numpy as np

from serai._jit import _LazyGlobal, njit
from serai.paths._kernels import (
    _NO_XY,
    INF,
    _pop,
    _push,
    astar_search,
    dijkstra,
    reverse_graph,
    trace,
)


def _numba_prefetch():  # pragma: no cover (compiled code)
    """``prefetch(a, i, offset)``: a hint to bring the cache line at byte ``offset`` of
    ``a[i]`` (C order) into the cache (``llvm.prefetch``: no fault, no value, no wait)."""
    from llvmlite import binding, ir
    from numba.core import cgutils, types
    from numba.extending import intrinsic

    # the intrinsic's name carries its pointer type: opaque (LLVM >= 15) or i8*
    name = "llvm.prefetch.p0" if binding.llvm_version_info >= (15,) else "llvm.prefetch.p0i8"

    @intrinsic
    def prefetch(typingctx, a, i, offset):
        def codegen(context, builder, sig, args):
            ary = context.make_array(sig.args[0])(context, builder, args[0])
            i8p = ir.IntType(8).as_pointer()
            row = builder.mul(context.cast(builder, args[1], sig.args[1], types.intp),
                              cgutils.unpack_tuple(builder, ary.strides, 1)[0])  # fmt: skip
            at = builder.add(row, context.cast(builder, args[2], sig.args[2], types.intp))
            ptr = builder.gep(builder.bitcast(ary.data, i8p), [at])
            i32 = ir.IntType(32)
            fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
            fn = cgutils.get_or_insert_function(builder.module, fnty, name)
            builder.call(fn, [ptr, i32(0), i32(3), i32(1)])  # read, keep, data
            return context.get_dummy_value()

        return types.void(a, i, offset), codegen

    return prefetch


def _no_prefetch(a: np.ndarray, i: int, offset: int) -> None:
    """The interpreted kernels' prefetch: nothing."""


prefetch = _LazyGlobal(_numba_prefetch, _no_prefetch, __name__)


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


@njit(cache=True, nogil=True)
def astar_alt(indptr, heads, cost, source, target, passable, lf, lb, dist, pred, hk, hv, h, closed):
    """A* to one target with the ALT (landmark) lower bound. Returns nodes settled.

    The loop is :func:`~serai.paths._kernels.astar_search`'s (shared with the
    straight-line A*).
    """
    return astar_search(indptr, heads, cost, source, target, passable, _NO_XY, _NO_XY, False,
                        0.0, lf, lb, dist, pred, hk, hv, h, closed)  # fmt: skip


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
    indptr, heads, tails, cost, passable, src, src_off, dst, dst_off, settle_all, marks,
    n_active, dist, pred, hk, hv, state,
):  # fmt: skip
    """A* from several sources to several targets, with the ALT (landmark) lower bound.

    Every source ``src[i]`` starts at cost ``src_off[i]`` (a first-mile leg); a source that
    is not ``passable`` is left only from its own start (as in :func:`search`). With
    ``settle_all`` the search runs until every target is settled (``dist`` then holds the
    least cost from the nearest source to each, offsets included; ``dst_off`` is not used)
    and returns -1; otherwise it stops at the cheapest ``dist[t] + dst_off[j]`` over the
    targets (a last-mile leg after the target) and returns that ``j`` (-1: none reached),
    with the number of nodes settled: ``(j, settled)``.

    ``marks[v, 0, i]``/``marks[v, 1, i]`` are the distances from/to landmark i
    (:func:`landmarks`) on a cost array that is nowhere above ``cost``; ``n_active`` of them
    (the best for the first source and target) make the bound. With no landmarks
    (``marks.shape[2] == 0``) this is Dijkstra from the sources. Ties: the first target
    settled wins (deterministic).

    Memory, not arithmetic, bounds this loop: a node's landmark rows (from and to) lie side
    by side in ``marks``, and the search's own labels in ``state`` (float64, one row per node
    and one more, zeros at first; kept per thread between searches): ``(stamp, dist, bound,
    pred edge)`` of a node in one row, one cache line where four arrays took four. Only the
    nodes the search reaches are initialised (most of the graph is never reached): the
    stamp tells them apart. ``state[n, 0]`` is the last search's base; a node stamped below
    this search's base is unreached, at its base open, at base + 1 settled (stamps are
    whole numbers, exact in float64 for 2**52 searches). A node's first reach reads its
    landmark row, mostly not in cache: the rows (and labels) of the next node's neighbours
    are prefetched (:data:`prefetch`) after each pop and again when this node's pushes made
    another node next, so that wait overlaps this node's work. Per target, the landmarks
    with finite distances are listed once, in index order, and the bound is taken without
    branches on the values (:func:`_ends_bound`): the same numbers as term by term.

    On return ``dist`` of every target is its label (inf: unreached; exact when settled),
    and ``pred`` (-1 at the sources) valid along the path to every reached target: trace a
    path back with :func:`trace_root`. Other entries of ``dist``/``pred`` are stale. Answers
    are those of a search that initialises every node.
    """
    n = len(state) - 1
    base = state[n, 0] + 2.0
    state[n, 0] = base
    done = base + 1.0
    nt = len(dst)
    act = np.empty(0, np.int64)
    if marks.shape[2] > 0 and len(src) > 0 and nt > 0:
        act = np.sort(_pick_landmarks(src[0], dst[0], marks[:, 0], marks[:, 1], n_active))
    na = len(act)
    # per target j: the landmarks whose distance to it is finite (``ia[j, :nia[j]]``, those
    # distances in ``ta``) and those whose distance from L to it is finite (``ib``, ``tb``)
    ia = np.empty((nt, na), np.int64)
    ib = np.empty((nt, na), np.int64)
    ta = np.empty((nt, na))
    tb = np.empty((nt, na))
    nia = np.zeros(nt, np.int64)
    nib = np.zeros(nt, np.int64)
    off = np.zeros(nt)
    for j in range(nt):
        if not settle_all:
            off[j] = dst_off[j]
        for a in range(na):
            i = act[a]
            tl = marks[dst[j], 1, i]
            if tl < INF:
                ia[j, nia[j]] = i
                ta[j, nia[j]] = tl
                nia[j] += 1
            lt = marks[dst[j], 0, i]
            if lt < INF:
                ib[j, nib[j]] = i
                tb[j, nib[j]] = lt
                nib[j] += 1
    rowbytes = 16 * marks.shape[2] if na > 0 else 0  # a node's landmark row (float64)
    size = 0
    for i in range(len(src)):
        s = src[i]
        if state[s, 0] < base:
            if not src_off[i] < INF:
                continue
            state[s, 0] = base
            state[s, 1] = INF
            state[s, 3] = -1.0
            state[s, 2] = _ends_bound(s, marks, ia, ta, nia, ib, tb, nib, off)
        if src_off[i] < state[s, 1]:
            state[s, 1] = src_off[i]
            hs = state[s, 2]
            if hs < INF:
                size = _push(hk, hv, size, src_off[i] + hs, s)
    best = INF
    best_j = -1
    left = nt
    settled = 0
    while size > 0:
        key, u, size = _pop(hk, hv, size)
        w = -1
        if size > 0 and rowbytes > 0:  # the next node's neighbours' rows, on their way to
            w = hv[0]  # the cache while this one's are read (each read waits otherwise)
            _prefetch_around(w, indptr, heads, cost, state, marks, rowbytes)
        if state[u, 0] > base:
            continue  # settled already
        if not settle_all and key >= best:
            break
        state[u, 0] = done
        settled += 1
        du = state[u, 1]
        for j in range(nt):
            if dst[j] == u:
                if settle_all:
                    left -= 1
                elif du + dst_off[j] < best:
                    best = du + dst_off[j]
                    best_j = j
        if settle_all and left <= 0:
            break
        if not passable[u] and state[u, 3] >= 0.0:
            continue
        for e in range(indptr[u], indptr[u + 1]):
            v = heads[e]
            sv = state[v, 0]
            if sv > base:
                continue
            nd = du + cost[e]
            if sv < base:  # first reached (its bound made once, as it was)
                if not nd < INF:
                    continue
                state[v, 0] = base
                state[v, 1] = INF
                state[v, 3] = -1.0
                state[v, 2] = _ends_bound(v, marks, ia, ta, nia, ib, tb, nib, off)
            if nd < state[v, 1]:
                hv_ = state[v, 2]
                if hv_ == INF:
                    continue
                state[v, 1] = nd
                state[v, 3] = e
                size = _push(hk, hv, size, nd + hv_, v)
        if size > 0 and rowbytes > 0 and hv[0] != w:  # a new next node (pushed here)
            _prefetch_around(hv[0], indptr, heads, cost, state, marks, rowbytes)
    for j in range(nt):  # the targets' labels and the paths to them, out
        t = dst[j]
        if state[t, 0] < base:
            dist[t] = INF
            pred[t] = -1
            continue
        dist[t] = state[t, 1]
        v = t
        while True:
            e = int(state[v, 3])
            pred[v] = e
            if e < 0:
                break
            v = tails[e]
    return best_j, settled


@njit(cache=True, nogil=True, inline="always")
def _prefetch_around(w, indptr, heads, cost, state, marks, rowbytes):
    """Ask for the cache lines that settling node ``w`` will read: its edges' costs, and
    the label and landmark rows of its neighbours (a hint: no value, no wait)."""
    prefetch(cost, indptr[w], 0)
    for e in range(indptr[w], indptr[w + 1]):
        x = heads[e]
        prefetch(state, x, 0)
        for b in range(0, rowbytes, 64):
            prefetch(marks, x, b)


@njit(cache=True, nogil=True, inline="always")
def _ends_bound(v, marks, ia, ta, nia, ib, tb, nib, off):
    """min over targets j of (ALT bound of d(v, t_j) + off[j]); INF if v reaches none.

    The bound of target j is the largest of 0, ``d(v, L) - d(t_j, L)`` over the landmarks
    L that reach t_j (``ia``, ``ta``: if v cannot reach such an L, the term is inf: v
    cannot reach t_j) and ``d(L, t_j) - d(L, v)`` over those L that t_j is reached from
    (``ib``, ``tb``; -inf where v is not). Without branches on the values (a maximum is
    exact in any order): the same bound as testing each term, several times faster.
    """
    best = INF
    k = marks.shape[2]
    for j in range(len(off)):
        hj = 0.0
        if nia[j] == k:  # every landmark, in order (the usual case): contiguous reads
            for a in range(k):
                x = marks[v, 1, a] - ta[j, a]
                hj = x if x > hj else hj
        else:
            for a in range(nia[j]):
                x = marks[v, 1, ia[j, a]] - ta[j, a]
                hj = x if x > hj else hj
        if nib[j] == k:
            for a in range(k):
                x = tb[j, a] - marks[v, 0, a]
                hj = x if x > hj else hj
        else:
            for a in range(nib[j]):
                x = tb[j, a] - marks[v, 0, ib[j, a]]
                hj = x if x > hj else hj
        x = hj + off[j]
        best = x if x < best else best
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
