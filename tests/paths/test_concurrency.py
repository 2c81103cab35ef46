"""A PathFinder shared by many threads, and sent to a process pool, answers as it does alone.

Oracle: the same queries run one after the other in one thread (exact equality of
costs and link sequences: the kernels are deterministic). Before per-thread scratch
arrays, threads sharing one finder overwrote each other's labels.
"""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from serai.network import Network, compile_network
from serai.paths import PathFinder, skim
from tests.concurrency import run_threads

METHODS = ("dijkstra", "astar", "bidirectional", "alt")


def _grid(side: int = 45, seed: int = 3) -> Network:
    """A side x side grid with both directions, random times >= the straight-line bound."""
    rng = np.random.default_rng(seed)
    ids = np.arange(side * side).reshape(side, side) + 1
    a = np.concatenate([ids[:, :-1].ravel(), ids[:-1, :].ravel()])
    b = np.concatenate([ids[:, 1:].ravel(), ids[1:, :].ravel()])
    tails, heads = np.concatenate([a, b]), np.concatenate([b, a])
    links = pd.DataFrame(
        {
            "link_id": np.arange(len(tails)) + 1,
            "from_node": tails,
            "to_node": heads,
            "free_flow_time": rng.uniform(1.0, 3.0, len(tails)),
        }
    )
    yy, xx = np.divmod(np.arange(side * side), side)
    nodes = pd.DataFrame({"node_id": ids.ravel(), "x": xx.astype(float), "y": yy.astype(float)})
    return Network.from_tables(nodes=nodes, links=links, meta={"crs": None})


@pytest.fixture(scope="module")
def finder() -> PathFinder:
    return PathFinder(compile_network(_grid()))


def _pairs(pf: PathFinder, count: int = 24, seed: int = 5) -> list[tuple[int, int]]:
    rng = np.random.default_rng(seed)
    ids = pf.graph.node_ids
    return [(int(o), int(d)) for o, d in rng.choice(ids, size=(count, 2)) if o != d]


def _answers(pf: PathFinder, pairs, method: str) -> list[tuple[float, list[int]]]:
    out = []
    for o, d in pairs:
        p = pf.path(o, d, method=method)
        out.append((p.cost, p.link_ids.tolist()))
    return out


def test_threads_share_one_pathfinder(finder):
    pairs = _pairs(finder)
    expected = {m: _answers(finder, pairs, m) for m in METHODS}
    trees = {o: finder.tree(o).dist for o, _ in pairs[:4]}
    calls, wanted = [], []
    for m in METHODS:
        for (o, d), exp in zip(pairs, expected[m], strict=True):
            calls.append(lambda o=o, d=d, m=m: (lambda p: (p.cost, p.link_ids.tolist()))(
                finder.path(o, d, method=m)))  # fmt: skip
            wanted.append(exp)
    for o, dist in trees.items():
        calls.append(lambda o=o: finder.tree(o).dist.tolist())
        wanted.append(dist.tolist())
    results = run_threads(calls, n_threads=8, rounds=3)
    for per_thread in results:
        bad = [i for i, (got, exp) in enumerate(zip(per_thread, wanted, strict=True)) if got != exp]
        assert not bad, f"{len(bad)} answers differ from the single-threaded ones: {bad[:5]}"


def test_a_new_finder_per_call_and_skims_in_threads(finder):
    g = finder.graph
    zones = g.node_ids[:: max(1, g.n_nodes // 30)]
    expected = skim(g, zones, zones).matrices["free_flow_time"]
    results = run_threads(
        [lambda: skim(g, zones, zones).matrices["free_flow_time"].tolist()], n_threads=6, rounds=2
    )
    assert all(r[0] == expected.tolist() for r in results)


def _query_all(pf: PathFinder, pairs, method):
    return _answers(pf, pairs, method)


def test_pathfinder_pickles_and_answers_the_same_in_a_process_pool(finder):
    pairs = _pairs(finder, 12)
    finder.path(*pairs[0], method="alt")  # landmarks chosen before pickling travel along
    clone = pickle.loads(pickle.dumps(finder))
    assert not clone.graph.indptr.flags.writeable
    assert not clone.graph.costs["free_flow_time"].flags.writeable
    with ProcessPoolExecutor(2) as pool:
        futures = {m: pool.submit(_query_all, finder, pairs, m) for m in METHODS}
        got = {m: f.result(timeout=300) for m, f in futures.items()}
    for m in METHODS:
        assert got[m] == _answers(finder, pairs, m), m
