"""NearestIndex gives scipy cKDTree's answers (distances to the last bit, indices, types),
and a router read back from the disk cache routes without importing scipy.spatial.

Oracle: scipy.spatial.cKDTree on the same points (with exact duplicates, where the
order among ties is cKDTree's own and the index defers to it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from serai.freight.nearest import NearestIndex
from serai.freight.places import _unit

REPO = Path(__file__).resolve().parents[2]


def _same(a, b) -> bool:
    if isinstance(a[0], float):
        return type(a[0]) is type(b[0]) and type(a[1]) is type(b[1]) and a == b
    return (
        np.array_equal(a[0], b[0])
        and np.array_equal(a[1], b[1])
        and a[1].dtype == b[1].dtype
        and a[0].shape == b[0].shape
    )


@pytest.fixture()
def brute(monkeypatch):
    """Every query of a NearestIndex by numpy (scipy is loaded in this test process)."""
    from serai.freight import nearest

    monkeypatch.setattr(nearest, "_trees_preferred", lambda: False)
    monkeypatch.setattr(NearestIndex, "BRUTE_QUERIES", 10**9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_answers_are_ckdtrees(seed, brute):
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    pts = _unit(rng.uniform(30, 60, 2000), rng.uniform(20, 120, 2000))
    pts = np.vstack([pts, pts[:40]])  # exact duplicates: ties
    tree = cKDTree(pts)
    queries = np.vstack([_unit(rng.uniform(30, 60, 200), rng.uniform(20, 120, 200)), pts[:60]])
    by_numpy = 0
    for k in (1, 2, 8, 64):
        for q in queries:
            ix = NearestIndex(pts)  # fresh: a tie builds the tree, kept for later queries
            assert _same(tree.query(q, k=k), ix.query(q, k=k)), (k, q)
            by_numpy += ix._tree is None
        ix = NearestIndex(pts)
        assert _same(tree.query(queries[:200], k=k), ix.query(queries[:200], k=k)), k
        by_numpy += ix._tree is None
    assert by_numpy > 400  # most random queries (no tie among the k + 1 nearest): numpy
    ix = NearestIndex(pts)
    assert _same(tree.query(queries[0], k=len(pts)), ix.query(queries[0], k=len(pts)))
    big = _unit(rng.uniform(30, 60, 5000), rng.uniform(20, 120, 5000))  # past BRUTE_WORK
    assert _same(tree.query(big, k=3), ix.query(big, k=3))
    assert _same(
        tree.query(queries[0], k=3, distance_upper_bound=0.01),
        ix.query(queries[0], k=3, distance_upper_bound=0.01),
    )


def test_many_queries_switch_to_the_tree(monkeypatch):
    from serai.freight import nearest

    monkeypatch.setattr(nearest, "_trees_preferred", lambda: False)
    ix = NearestIndex(_unit(np.array([40.0, 50.0, 60.0]), np.array([10.0, 20.0, 30.0])))
    q = _unit(np.array([41.0]), np.array([11.0]))[0]
    answers = {ix.query(q) for _ in range(NearestIndex.BRUTE_QUERIES + 5)}
    assert len(answers) == 1 and ix._tree is not None
    assert ix._brute_queries == NearestIndex.BRUTE_QUERIES


SCRIPT = textwrap.dedent(
    """
    import json, sys
    from serai.freight import cache
    r = cache.cached_router(sys.argv[1])
    route = r.route("Almaty", "Duisburg", "container", avoid_countries=["RU"])
    print(json.dumps({"spatial": "scipy.spatial" in sys.modules, "corridor": route.corridor,
                      "legs": [int(x) for x in route.legs["from_node"]]}))
    """
)


def test_cached_router_routes_without_scipy_spatial(tmp_path):
    from serai.network import write_network
    from tests.freight.toy import toy_network

    net = tmp_path / "net"
    write_network(toy_network(), net, format="csv")
    env = {**os.environ, "SERAI_CACHE_DIR": str(tmp_path / "cache")}
    runs = []
    for _ in range(2):  # a miss (built: scipy may be used), then a hit
        out = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(net)],
            capture_output=True, text=True, cwd=REPO, env=env, timeout=600, check=False,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr[-3000:]
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    assert runs[1]["spatial"] is False
    assert runs[0]["corridor"] == runs[1]["corridor"] and runs[0]["legs"] == runs[1]["legs"]
