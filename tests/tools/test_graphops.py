"""Graph simplification used by the network build, on small graphs checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

graphops = pytest.importorskip("tools.data.graphops", reason="tools/ only in a repo checkout")


def _edges(pairs, km):
    u = np.array([p[0] for p in pairs])
    v = np.array([p[1] for p in pairs])
    n = int(max(u.max(), v.max()) + 1)
    xy = np.column_stack([np.arange(n, dtype=float), np.zeros(n)])
    return graphops.Edges(n, u, v, np.asarray(km, float), [xy[[a, b]] for a, b in pairs])


def test_contract_chain_keeps_length_and_geometry():
    # 0-1-2-3 chain with a branch 2-4-5: junction at 2, ends 0, 3, 5
    e = _edges([(0, 1), (1, 2), (2, 3), (2, 4), (4, 5)], [1, 2, 3, 4, 5])
    c = graphops.contract(e, np.zeros(e.n, bool))
    got = sorted((min(a, b), max(a, b), k) for a, b, k in zip(c.u, c.v, c.km, strict=True))
    assert got == [(0, 2, 3.0), (2, 3, 3.0), (2, 5, 9.0)]
    by_pair = {frozenset((a, b)): g for a, b, g in zip(c.u, c.v, c.geom, strict=True)}
    assert len(by_pair[frozenset((2, 5))]) == 3  # 2, 4, 5
    assert c.km.sum() == e.km.sum()


def test_protected_node_survives_and_spur_pruning():
    e = _edges([(0, 1), (1, 2), (2, 3), (2, 4)], [10, 10, 50, 1])
    protect = np.zeros(e.n, bool)
    protect[1] = True
    c = graphops.contract(e, protect)
    assert 1 in set(c.u) | set(c.v)
    p = graphops.prune_spurs(c, protect, min_km=5)
    # spur 2-4 (1 km) goes; node 2 becomes degree 2 and is contracted away
    pairs = {frozenset((a, b)) for a, b in zip(p.u, p.v, strict=True)}
    assert pairs == {frozenset((0, 1)), frozenset((1, 3))}
    assert p.km.sum() == pytest.approx(70)


def test_collapse_and_dedupe():
    # square 0-1-2-3 with a short diagonal 0-2: collapsing it merges 0 and 2
    e = _edges([(0, 1), (1, 2), (2, 3), (3, 0), (0, 2)], [5, 6, 7, 8, 0.5])
    short = e.km < 1
    out, rep = graphops.collapse_short(e, short, np.zeros(e.n, bool))
    assert rep[0] == rep[2]
    assert len(out.u) == 2  # 1-x (shortest of 5, 6) and 3-x (shortest of 7, 8)
    assert sorted(out.km) == [5, 7]


def test_dedupe_is_deterministic():
    e = _edges([(1, 0), (0, 1), (2, 2)], [3, 2, 1])
    d = graphops.dedupe(e)
    assert list(d.km) == [2.0]
