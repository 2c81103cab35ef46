"""The several-starts, several-ends ALT search kernel (:func:`serai.paths._alt.ends_search`)
against an independent oracle: scipy's Dijkstra (``scipy.sparse.csgraph``), one tree per
start, combined by hand over the start and end offsets; compiled and interpreted, with one
per-thread label array (``state``) reused across searches as the router does.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from serai._jit import interpreted
from serai.freight.search import _alt_arrays, _marks, paired
from serai.paths import _kernels as k


def _graph(seed: int, n: int = 40, m: int = 160):
    rng = np.random.default_rng(seed)
    tails = rng.integers(0, n, m)
    heads = rng.integers(0, n, m)
    keep = tails != heads
    tails, heads = tails[keep], heads[keep]
    order = np.argsort(tails, kind="stable")
    tails, heads = tails[order].astype(np.int32), heads[order].astype(np.int32)
    indptr = np.zeros(n + 1, np.int64)
    np.add.at(indptr, tails + 1, 1)
    indptr = np.cumsum(indptr)
    cost = rng.uniform(0.5, 10.0, len(heads)).round(1)  # ties happen
    cost[rng.random(len(heads)) < 0.05] = np.inf  # masked links
    passable = rng.random(n) > 0.15
    return indptr, heads, tails, cost, passable


def _tree(n, tails, heads, cost, passable, s):
    """scipy's distances from ``s``; non-passable nodes are left only when they are ``s``."""
    ok = np.isfinite(cost) & (passable[tails] | (tails == s))
    best = {}  # parallel edges: the cheapest (scipy would add them up)
    for t, h, c in zip(tails[ok], heads[ok], cost[ok], strict=True):
        best[(t, h)] = min(c, best.get((t, h), np.inf))
    r, c = zip(*best, strict=True) if best else ((), ())
    a = sp.csr_matrix((list(best.values()), (r, c)), shape=(n, n))
    return dijkstra(a, indices=s)


@pytest.mark.parametrize("mode", ["compiled", "interpreted"])
@pytest.mark.parametrize("with_landmarks", [True, False])
def test_ends_search_matches_scipy(mode, with_landmarks):
    n = 40
    indptr, heads, tails, cost, passable = _graph(7, n)
    m = len(heads)
    rng = np.random.default_rng(1)
    if with_landmarks:  # landmarks of a cost array nowhere above the searched one
        _, lf, lb = k.landmarks(indptr, heads, tails, np.where(np.isfinite(cost), cost * 0.9,
                                0.5), n, 4, 0)  # fmt: skip
        marks = _marks(*paired(lf.T, lb.T))
    else:
        marks = np.zeros((0, 2, 0))
    dist, pred = np.empty(n), np.empty(n, np.int64)
    hk, hv = np.empty(m + 1), np.empty(m + 1, np.int32)
    state = _alt_arrays(n)
    trees = {s: _tree(n, tails, heads, cost, passable, s) for s in range(n)}
    checked = reached = 0
    for q in range(60):
        ns, nt = 1 + q % 3, 1 + (q // 3) % 3
        src = rng.choice(n, ns, replace=False).astype(np.int64)
        dst = rng.choice(n, nt, replace=False).astype(np.int64)
        off = rng.uniform(0, 5, ns).round(1)
        doff = rng.uniform(0, 5, nt).round(1)
        settle_all = q % 4 == 0
        args = (indptr, heads, tails, cost, passable, src, off, dst, doff, settle_all, marks,
                4, dist, pred, hk, hv, state)  # fmt: skip
        if mode == "interpreted":
            with interpreted(budget_s=None):
                j, _ = k.ends_search(*args)
        else:
            j, _ = k.ends_search(*args)
        # least cost from the starts (each at its offset) to each target
        to = np.array([min(o + trees[int(s)][t] for s, o in zip(src, off, strict=True))
                       for t in dst])  # fmt: skip
        if settle_all:
            assert j == -1
            fin = np.isfinite(to)
            assert np.array_equal(np.isfinite(dist[dst]), fin)
            np.testing.assert_allclose(dist[dst][fin], to[fin], rtol=1e-12)
            ends = [i for i in range(nt) if fin[i]]
        else:
            total = to + doff
            if not np.isfinite(total).any():
                assert j == -1
                continue
            assert j >= 0
            np.testing.assert_allclose(dist[dst[j]] + doff[j], total.min(), rtol=1e-12)
            ends = [j]
        for i in ends:  # a walk from a start, passing only passable nodes, of that cost
            edges, root = k.trace_root(pred, tails, dst[i])
            assert root in src
            walk = [root, *heads[edges].tolist()]
            assert walk[-1] == dst[i]
            assert np.array_equal(tails[edges], walk[:-1])
            assert all(passable[v] for v in walk[1:-1])
            start = min(o for s, o in zip(src, off, strict=True) if s == root)
            np.testing.assert_allclose(start + cost[edges].sum(), dist[dst[i]], rtol=1e-12)
            reached += 1
        checked += 1
    assert checked > 40 and reached > 40


def test_paired_landmarks_survive_pickling():
    """Both halves view one ``(node, 2, landmark)`` array; a router's pickled landmarks are
    laid out so again when it is loaded (pickle copies views apart)."""
    from serai.freight import Router, build_routing_graph
    from tests.freight.toy import toy_network

    r = Router(build_routing_graph(toy_network(), year=2025))
    r.landmarks_after = 0
    lc = r.costs("container")
    lf, lb = r.landmarks(lc, "time")
    assert lf.base is lb.base and _marks(lf, lb) is lf.base
    again = pickle.loads(pickle.dumps(r))
    lf2, lb2 = again.landmarks(again.costs("container"), "time")
    assert lf2.base is lb2.base and _marks(lf2, lb2) is lf2.base
    assert np.array_equal(lf, lf2) and np.array_equal(lb, lb2)
    assert not lf2.flags.writeable
