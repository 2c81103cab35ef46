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


def _question(rng, n, q):
    """Question ``q``: 1-3 starts and 1-3 ends (distinct nodes) with their offsets."""
    ns, nt = 1 + q % 3, 1 + (q // 3) % 3
    src = rng.choice(n, ns, replace=False).astype(np.int64)
    dst = rng.choice(n, nt, replace=False).astype(np.int64)
    return src, dst, rng.uniform(0, 5, ns).round(1), rng.uniform(0, 5, nt).round(1)


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
        src, dst, off, doff = _question(rng, n, q)
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
            ends = [i for i in range(len(dst)) if fin[i]]
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


def _term_bound(marks, v, dst, off, act):
    """The ALT bound of :func:`ends_search`, term by term as its definition reads (plain
    Python): for each target, the largest of 0 and each landmark's two differences whose
    distances are finite; a target that v cannot reach by a landmark's distances: skipped."""
    best = np.inf
    for t, o in zip(dst, off, strict=True):
        h, dead = 0.0, False
        for i in act:
            tl, vl = marks[t, 1, i], marks[v, 1, i]
            if tl < np.inf:
                if vl == np.inf:
                    dead = True
                    break
                h = max(h, vl - tl)
            lt, lv = marks[t, 0, i], marks[v, 0, i]
            if lt < np.inf and lv < np.inf:
                h = max(h, lt - lv)
        if not dead:
            best = min(best, h + o)
    return best


@pytest.mark.parametrize("n_active", [4, 2])
def test_ends_search_on_masked_costs_matches_scipy_over_hundreds_of_questions(n_active):
    """300 questions on graphs that are not strongly connected (landmark distances inf for
    some nodes), links masked out after the landmarks were chosen, 1-3 starts and ends with
    offsets: every least cost equals scipy's Dijkstra on the masked costs, and every node's
    bound (``state[:, 2]``) equals the bound computed term by term (all landmarks active,
    and the gathered path with fewer active)."""
    checked = 0
    for seed in range(5):
        n = 60
        indptr, heads, tails, cost, passable = _graph(100 + seed, n, 150)
        m = len(heads)
        rng = np.random.default_rng(seed)
        base = np.where(np.isfinite(cost), cost, rng.uniform(0.5, 10.0, m).round(1))
        _, lf, lb = k.landmarks(indptr, heads, tails, base * 0.8, n, 4, 0)
        marks = _marks(*paired(lf.T, lb.T))
        assert np.isinf(marks).any()  # some nodes reach no landmark, or none reach them
        masked = np.where(rng.random(m) < 0.1, np.inf, base)  # the query's mask
        trees = {s: _tree(n, tails, heads, masked, passable, s) for s in range(n)}
        dist, pred = np.empty(n), np.empty(n, np.int64)
        hk, hv = np.empty(m + 1), np.empty(m + 1, np.int32)
        state = _alt_arrays(n)
        for q in range(60):
            src, dst, off, doff = _question(rng, n, q)
            j, _ = k.ends_search(indptr, heads, tails, masked, passable, src, off, dst, doff,
                                 False, marks, n_active, dist, pred, hk, hv, state)  # fmt: skip
            to = np.array([min(o + trees[int(s)][t] for s, o in zip(src, off, strict=True))
                           for t in dst]) + doff  # fmt: skip
            if not np.isfinite(to).any():
                assert j == -1
                continue
            assert j >= 0 and dist[dst[j]] + doff[j] == pytest.approx(to.min(), rel=1e-12)
            act = k._pick_landmarks(src[0], dst[0], marks[:, 0], marks[:, 1], n_active)
            seen = state[:n, 0] >= state[n, 0]  # the nodes this search reached
            for v in np.flatnonzero(seen):
                assert state[v, 2] == _term_bound(marks, v, dst, doff, act)
            checked += 1
    assert checked > 200
