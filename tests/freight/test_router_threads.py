"""One Router shared by many threads, and sent to a process pool, answers as it does alone.

Before per-thread search scratch, 4 threads on one Router hung in ``Router._edges`` or
returned 0-km routes and "not connected" for connected places. Oracle: the same
queries, one after the other in one thread (exact equality: the searches are
deterministic).
"""

from __future__ import annotations

import itertools
import pickle
from concurrent.futures import ProcessPoolExecutor

import pytest

from serai.freight import NoRouteError, Router, build_routing_graph
from tests.concurrency import run_threads
from tests.freight.toy import toy_network


def _answer(router: Router, o, d, kind: str):
    """A comparable summary of one query (or the error it raised)."""
    try:
        if kind == "route":
            r = router.route(o, d, "container", objective="time")
            return ("route", r.vlink_rows.tolist(), round(r.km, 9), round(r.totals["hours"], 9))
        if kind == "avoid":
            r = router.route(o, d, "container", avoid_countries=["RU"])
            return ("avoid", r.vlink_rows.tolist(), round(r.totals["gc_usd"], 9))
        if kind == "alternatives":
            return ("alt", [r.vlink_rows.tolist() for r in router.alternatives(o, d, k=2)])
        rs = router.pareto(o, d, "container", max_routes=4)
        return ("pareto", [r.vlink_rows.tolist() for r in rs])
    except NoRouteError as exc:
        return ("none", str(exc))


def _check(router: Router, pairs, kinds, n_threads: int, rounds: int) -> None:
    queries = [(o, d, k) for (o, d) in pairs for k in kinds]
    expected = [_answer(router, *q) for q in queries]
    assert any(e[0] != "none" for e in expected)
    calls = [lambda q=q: _answer(router, *q) for q in queries]
    for per_thread in run_threads(calls, n_threads=n_threads, rounds=rounds):
        bad = [
            queries[i] for i, (g, e) in enumerate(zip(per_thread, expected, strict=True)) if g != e
        ]
        assert not bad, f"{len(bad)} answers differ from the single-threaded ones, e.g. {bad[:3]}"


TOY_PLACES = ["Xi'an", "Almaty", "Istanbul", "Duisburg", "Shanghai", "Rotterdam", "Poti"]


@pytest.fixture(scope="module")
def toy_router() -> Router:
    return Router(build_routing_graph(toy_network(), year=2025))


def test_toy_router_shared_by_threads(toy_router):
    pairs = list(itertools.permutations(TOY_PLACES, 2))
    _check(toy_router, pairs, ("route", "avoid"), 6, 1)
    _check(toy_router, pairs[::4], ("alternatives", "pareto"), 4, 1)


def _routes_in_worker(router: Router, pairs):
    return [_answer(router, o, d, "route") for o, d in pairs]


def test_router_pickles_and_routes_the_same_in_a_process_pool(toy_router):
    pairs = list(itertools.permutations(TOY_PLACES[:5], 2))
    clone = pickle.loads(pickle.dumps(toy_router))
    assert _routes_in_worker(clone, pairs) == _routes_in_worker(toy_router, pairs)
    with ProcessPoolExecutor(2) as pool:
        halves = [pairs[::2], pairs[1::2]]
        got = [
            f.result(timeout=300)
            for f in [pool.submit(_routes_in_worker, toy_router, h) for h in halves]
        ]
    for half, answers in zip(halves, got, strict=True):
        assert answers == _routes_in_worker(toy_router, half)


def test_eurasia_router_shared_by_threads():
    """Long searches on the embedded network (16k virtual nodes) overlap for certain."""
    data = pytest.importorskip("serai.data")
    try:
        net = data.load_eurasia()
    except Exception as exc:  # pragma: no cover - data missing
        pytest.skip(f"embedded network not available: {exc}")
    router = Router(build_routing_graph(net, year=2025))
    places = ["Xi'an", "Almaty", "Tashkent", "Baku", "Istanbul", "Duisburg", "Rotterdam",
              "Shanghai", "Moscow", "Chongqing"]  # fmt: skip
    pairs = [(o, d) for o, d in itertools.permutations(places, 2)][::3]
    _check(router, pairs, ("route", "avoid"), 4, 1)
