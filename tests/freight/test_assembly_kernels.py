"""The compiled passes of route assembly (``serai.freight._assembly``) add as numpy does.

Whole routes are compared with the functions they replaced in
``tests/freight/test_route_assembly.py``; here the sums themselves, bit for bit, on random
values of many magnitudes and lengths (blocks of 8, numpy's blocks of 128, the halves of
longer runs), compiled and interpreted.
"""

from __future__ import annotations

import numpy as np
import pytest

from serai._jit import interpreted
from serai.freight import _assembly as asm

LENGTHS = [*range(0, 40), 127, 128, 129, 135, 136, 255, 256, 257, 1000, 1031, 4096, 5003]


def _values(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.random(n) * 10.0 ** rng.uniform(-6, 6, n)
    x[rng.random(n) < 0.1] = 0.0
    return x


@pytest.mark.parametrize("mode", ["compiled", "interpreted"])
def test_pairwise_is_numpys_sum(mode):
    rng = np.random.default_rng(11)
    for n in LENGTHS if mode == "compiled" else LENGTHS[:-3]:
        for _ in range(3):
            a = _values(rng, n + 5)
            lo = int(rng.integers(0, 6))
            want = a[lo : lo + n].sum()
            if mode == "compiled":
                got = asm.pairwise(a, lo, n)
            else:
                with interpreted(budget_s=None):
                    got = asm.pairwise(a, lo, n)
            assert np.float64(got).tobytes() == want.tobytes(), (n, lo)


def test_reduceat_is_first_plus_pairwise_of_the_rest():
    """``np.add.reduceat``: a segment's first value plus numpy's pairwise sum of the
    others (not a running sum): what ``assemble`` makes of each leg."""
    rng = np.random.default_rng(12)
    for n in LENGTHS[1:]:
        a = _values(rng, n)
        cuts = np.unique(np.r_[0, rng.integers(0, n, 4)])
        want = np.add.reduceat(a, cuts)
        stops = [*cuts[1:].tolist(), n]
        for g, (s, e) in enumerate(zip(cuts.tolist(), stops, strict=True)):
            got = a[s] + asm._pairwise(a, s + 1, e - s - 1)
            assert np.float64(got).tobytes() == want[g].tobytes(), (n, s, e)


def test_sum_of_fancy_indexed_columns_is_column_by_column():
    """``a[:, rows]`` of a (K, E) array is Fortran-ordered: its ``sum(axis=1)`` adds the
    columns one after the other to 0.0 (what ``assemble`` does for the route's totals)."""
    rng = np.random.default_rng(13)
    big = _values(rng, 11 * 5000).reshape(11, 5000)
    for m in (2, 7, 9, 130, 700):
        rows = rng.integers(0, 5000, m)
        taken = big[:, rows]
        want = taken.sum(axis=1)
        got = np.zeros(11)
        for i in range(m):
            got += taken[:, i]
        assert got.tobytes() == want.tobytes(), m


def test_leg_lists_are_those_of_the_python_loop():
    """Link ids (those >= 0) and node paths (each node once, in order of first appearance)
    of legs, as the per-leg Python of ``_legs`` makes them; passages counted per leg."""
    rng = np.random.default_rng(14)
    e = 60
    links = np.zeros((e, 5), np.int64)
    links[:, asm.LINK] = rng.integers(-1, 5, e)
    links[:, asm.FROM] = rng.integers(0, 6, e)
    links[:, asm.TO] = rng.integers(0, 6, e)
    links[:, asm.BITS] = np.where(rng.random(e) < 0.3, asm.PASSAGE, 0)
    for _ in range(50):
        r = rng.integers(0, e, int(rng.integers(1, 30)))
        start = np.unique(np.r_[0, rng.integers(0, len(r), 3)])
        ti = np.zeros((e, asm.EXTRA), np.int64)  # a row table without components (k = 0)
        ti[:, asm.CODE], ti[:, asm.LINK_ID] = links[:, asm.BITS], links[:, asm.LINK]
        ti[:, asm.FROM_NODE], ti[:, asm.TO_NODE] = links[:, asm.FROM], links[:, asm.TO]
        lids, lid_off, nodes, node_off, psg = asm._leg_lists(r, start, ti, 0)
        stops = [*start[1:].tolist(), len(r)]
        for g, (a, b) in enumerate(zip(start.tolist(), stops, strict=True)):
            rows = r[a:b]
            want_lids = [x for x in links[rows, asm.LINK].tolist() if x >= 0]
            path = np.empty(2 * len(rows), np.int64)
            path[0::2], path[1::2] = links[rows, asm.FROM], links[rows, asm.TO]
            want_nodes = list(dict.fromkeys(path.tolist()))
            assert lids[lid_off[g] : lid_off[g + 1]].tolist() == want_lids
            assert nodes[node_off[g] : node_off[g + 1]].tolist() == want_nodes
            assert psg[g] == int((links[rows, asm.BITS] & asm.PASSAGE != 0).sum())
        assert psg[-1] == (psg[:-1] > 0).sum()
