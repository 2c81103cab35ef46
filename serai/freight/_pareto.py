"""Bi-objective label-setting (Martins' algorithm) in numba: every Pareto-optimal path.

Labels are popped in lexicographic order of (cost1, cost2), so a popped label is
never dominated later; a label is discarded when a label at its node, or at the
target (costs are non-negative), dominates it. Labels at a node form a linked
list from which dominated ones are unlinked.
"""

from __future__ import annotations

import numpy as np

from serai._jit import njit


@njit(cache=True, nogil=True, inline="always")
def _less(a1, a2, b1, b2):
    return a1 < b1 or (a1 == b1 and a2 < b2)


@njit(cache=True, nogil=True)
def _push(h, size, lab, c1, c2):
    i = size
    h[i] = lab
    while i > 0:
        p = (i - 1) >> 1
        if not _less(c1[h[i]], c2[h[i]], c1[h[p]], c2[h[p]]):
            break
        h[p], h[i] = h[i], h[p]
        i = p
    return size + 1


@njit(cache=True, nogil=True)
def _pop(h, size, c1, c2):
    top = h[0]
    size -= 1
    h[0] = h[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        c = left
        r = left + 1
        if r < size and _less(c1[h[r]], c2[h[r]], c1[h[left]], c2[h[left]]):
            c = r
        if not _less(c1[h[c]], c2[h[c]], c1[h[i]], c2[h[i]]):
            break
        h[c], h[i] = h[i], h[c]
        i = c
    return top, size


@njit(cache=True, nogil=True)
def pareto_labels(indptr, heads, w1, w2, source, target, passable, max_labels):
    """Pareto-optimal (w1, w2) labels at ``target``.

    Returns (n_labels_used, target_labels, c1, c2, pred_label, edge); ``n_labels_used``
    is -1 when ``max_labels`` was not enough.
    """
    n = len(indptr) - 1
    c1 = np.empty(max_labels)
    c2 = np.empty(max_labels)
    node = np.empty(max_labels, np.int64)
    pred = np.empty(max_labels, np.int64)
    edge = np.empty(max_labels, np.int64)
    nxt = np.empty(max_labels, np.int64)
    alive = np.zeros(max_labels, np.bool_)
    head = np.full(n, -1, np.int64)
    h = np.empty(max_labels, np.int64)
    tl = np.empty(max_labels, np.int64)
    nt = 0
    c1[0] = 0.0
    c2[0] = 0.0
    node[0] = source
    pred[0] = -1
    edge[0] = -1
    nxt[0] = -1
    alive[0] = True
    head[source] = 0
    used = 1
    size = _push(h, 0, 0, c1, c2)
    while size > 0:
        lab, size = _pop(h, size, c1, c2)
        if not alive[lab]:
            continue
        u = node[lab]
        if u == target:
            tl[nt] = lab
            nt += 1
            continue
        if u != source and not passable[u]:
            continue
        a1 = c1[lab]
        a2 = c2[lab]
        for e in range(indptr[u], indptr[u + 1]):
            x1 = a1 + w1[e]
            x2 = a2 + w2[e]
            if not (np.isfinite(x1) and np.isfinite(x2)):
                continue
            v = heads[e]
            dominated = False
            for k in range(nt):
                t = tl[k]
                if c1[t] <= x1 and c2[t] <= x2:
                    dominated = True
                    break
            if dominated:
                continue
            prev = -1
            cur = head[v]
            while cur >= 0:
                if c1[cur] <= x1 and c2[cur] <= x2:
                    dominated = True
                    break
                if x1 <= c1[cur] and x2 <= c2[cur]:
                    alive[cur] = False  # unlink the dominated label
                    if prev < 0:
                        head[v] = nxt[cur]
                    else:
                        nxt[prev] = nxt[cur]
                    cur = nxt[cur]
                    continue
                prev = cur
                cur = nxt[cur]
            if dominated:
                continue
            if used >= max_labels:
                return -1, tl[:nt], c1, c2, pred, edge
            c1[used] = x1
            c2[used] = x2
            node[used] = v
            pred[used] = lab
            edge[used] = e
            alive[used] = True
            nxt[used] = head[v]
            head[v] = used
            size = _push(h, size, used, c1, c2)
            used += 1
    return used, tl[:nt], c1, c2, pred, edge


def trace_labels(label: int, pred: np.ndarray, edge: np.ndarray) -> np.ndarray:
    """Edges of the path ending in ``label``, in order."""
    out = []
    while label >= 0 and edge[label] >= 0:
        out.append(int(edge[label]))
        label = int(pred[label])
    return np.array(out[::-1], dtype=np.int64)
