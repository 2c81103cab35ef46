"""The Router's goal-directed search (landmark A*, several starts and ends in one search)
against an independent oracle: scipy's Dijkstra (``scipy.sparse.csgraph``), one tree per
start, combined by hand over the start/end offsets and via points.

Costs must agree to 1e-9 (relative); every path must be a walk of the graph from a start
to an end through a layer node of each via point in order, passing no node that may not
be passed, and cost what the search says. Answers are deterministic (same path every
call, from any thread). A negative control shows the comparison catches a bound that is
not a lower bound.
"""

from __future__ import annotations

import copy
import itertools
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from serai.freight import Constraints, Router, build_routing_graph
from tests.concurrency import run_threads
from tests.freight.toy import toy_network

OBJECTIVES = ("time", "cost", "generalised", "emissions")


@pytest.fixture(scope="module")
def toy() -> Router:
    return Router(build_routing_graph(toy_network(), year=2025))


@pytest.fixture(scope="module")
def eurasia() -> Router:
    data = pytest.importorskip("serai.data")
    try:
        net = data.load_eurasia()
    except Exception as exc:  # pragma: no cover - data missing
        pytest.skip(f"embedded network not available: {exc}")
    return Router(build_routing_graph(net, year=2025))


class Oracle:
    """Least costs by scipy's Dijkstra on the same graph (non-passable nodes are left only
    when they are the start), parallel edges reduced to the cheapest."""

    def __init__(self, router: Router, cost: np.ndarray) -> None:
        g = router.rg.graph
        self.g, self.cost = g, cost
        ok = np.isfinite(cost)
        self.tails, self.heads, self.w = g.tails[ok], g.heads[ok], cost[ok]
        self.memo: dict[int, np.ndarray] = {}

    def tree(self, s: int) -> np.ndarray:
        if s not in self.memo:
            g = self.g
            keep = g.passable[self.tails] | (self.tails == s)
            t, h, w = self.tails[keep], self.heads[keep], self.w[keep]
            order = np.lexsort((w, h, t))  # cheapest first within each (tail, head)
            t, h, w = t[order], h[order], w[order]
            first = np.r_[True, (t[1:] != t[:-1]) | (h[1:] != h[:-1])]
            m = sp.csr_matrix((w[first], (t[first], h[first])), shape=(g.n_nodes, g.n_nodes))
            self.memo[s] = dijkstra(m, indices=s)
        return self.memo[s]

    def best(self, starts, ends, via_layers) -> float:
        """min over starts, via layer nodes and ends of offset + path + offset."""
        cur = {}
        for v, c in starts:
            cur[v] = min(cur.get(v, np.inf), c)
        for layer in via_layers:
            nxt = {int(t): min(c + self.tree(s)[t] for s, c in cur.items()) for t in layer}
            cur = {t: c for t, c in nxt.items() if np.isfinite(c)}
            if not cur:
                return np.inf
        return min(c + self.tree(s)[t] + b for s, c in cur.items() for t, b in ends)


def check_path(router, cost, found, starts, ends, via_layers, expected: float) -> None:
    """The path is a valid walk from a start to an end through the via points, costing
    what the oracle says (1e-9 relative)."""
    g = router.rg.graph
    if not np.isfinite(expected):
        assert found is None, "a path where the oracle finds none"
        return
    assert found is not None, f"no path where the oracle finds one of cost {expected}"
    edges, i, j = found
    s, t = starts[i][0], ends[j][0]
    nodes = [s, *g.heads[edges].tolist()]
    assert (g.tails[edges] == np.asarray(nodes[:-1])).all(), "edges do not follow each other"
    assert nodes[-1] == t
    assert g.passable[np.asarray(nodes[1:-1], np.int64)].all(), "passes a node it may not"
    pos = 0
    for layer in via_layers:  # each via point's layer nodes, in order
        hits = [k for k in range(pos, len(nodes)) if nodes[k] in set(layer.tolist())]
        assert hits, "misses a via point"
        pos = hits[0]
    total = starts[i][1] + float(cost[edges].sum()) + ends[j][1]
    assert np.isfinite(total)
    assert total == pytest.approx(expected, rel=1e-9, abs=1e-9)


def _cost(router: Router, objective: str, avoid: tuple[str, ...]):
    lc = router.costs("container")
    base = router.edge_objective(lc, objective)
    cons = Constraints.make(avoid_countries=list(avoid))
    cost = base if cons.empty else np.where(router.mask(cons), base, np.inf)
    return lc, cost


def _queries(router: Router, n: int, seed: int, avoids, with_via: bool):
    rng = np.random.default_rng(seed)
    places = np.sort(router.rg.place_of.to_numpy())
    for q in range(n):
        obj = OBJECTIVES[q % len(OBJECTIVES)]
        avoid = avoids[(q // len(OBJECTIVES)) % len(avoids)]
        s, t = (int(x) for x in rng.choice(places, 2, replace=False))
        via = [int(rng.choice(places))] if with_via and q % 3 == 0 else []
        yield obj, avoid, s, t, via


def _run(router: Router, n: int, seed: int, avoids, *, with_via=True, multi=False):
    """Compare n random queries with the oracle; returns how many had a path."""
    reached = 0
    oracles: dict = {}
    rng = np.random.default_rng(seed + 1)
    layer_nodes = np.unique(
        np.concatenate([router._layer_vnodes(p) for p in router.rg.place_of.to_numpy()])
    )
    for obj, avoid, s, t, via in _queries(router, n, seed, avoids, with_via):
        lc, cost = _cost(router, obj, avoid)
        if (obj, avoid) not in oracles:
            oracles[(obj, avoid)] = Oracle(router, cost)
        oracle = oracles[(obj, avoid)]
        if multi:  # first/last-mile candidates: layer nodes with a leg cost before/after
            starts = [
                (int(v), float(c))
                for v, c in zip(
                    rng.choice(layer_nodes, 3, replace=False), rng.uniform(0, 500, 3), strict=True
                )
            ]
            ends = [
                (int(v), float(c))
                for v, c in zip(
                    rng.choice(layer_nodes, 3, replace=False), rng.uniform(0, 500, 3), strict=True
                )
            ]
        else:
            starts, ends = [(s, 0.0)], [(t, 0.0)]
        via_layers = [router._layer_vnodes(v) for v in via]
        expected = oracle.best(starts, ends, via_layers)
        found = router._path(cost, starts, ends, via, router.landmarks(lc, obj))
        check_path(router, cost, found, starts, ends, via_layers, expected)
        again = router._path(cost, starts, ends, via, router.landmarks(lc, obj))
        if found is not None:  # deterministic
            assert again[1:] == found[1:] and np.array_equal(again[0], found[0])
        reached += found is not None
    return reached


def test_toy_landmark_search_matches_dijkstra(toy):
    n = _run(toy, 160, 1, [(), ("RU",), ("KZ",), ("IR", "RU")])
    assert n > 100


def test_toy_several_ends_match_dijkstra(toy):
    assert _run(toy, 80, 2, [(), ("RU",)], multi=True) > 40


def test_eurasia_landmark_search_matches_dijkstra(eurasia):
    n = _run(eurasia, 120, 3, [(), ("RU",), ("IR",), ("RU", "IR"), ("CN", "TR")])
    assert n > 50


def test_eurasia_several_ends_match_dijkstra(eurasia):
    assert _run(eurasia, 40, 4, [(), ("RU",)], multi=True) > 25


def test_bound_that_is_no_lower_bound_is_caught(toy):
    """Negative control: landmarks chosen on costs ten times higher overestimate, and the
    comparison with the oracle notices (the checks above can fail)."""
    from serai.paths import _kernels as kern

    g = toy.rg.graph
    misses = 0
    for obj, avoid, s, t, _via in _queries(toy, 60, 5, [()], with_via=False):
        _, cost = _cost(toy, obj, avoid)
        _, lf, lb = kern.landmarks(g.indptr, g.heads, g.tails, cost * 10.0, g.n_nodes, 8, 0)
        high = (np.ascontiguousarray(lf.T), np.ascontiguousarray(lb.T))
        expected = Oracle(toy, cost).best([(s, 0.0)], [(t, 0.0)], [])
        found = toy._path(cost, [(s, 0.0)], [(t, 0.0)], [], high)
        try:
            check_path(toy, cost, found, [(s, 0.0)], [(t, 0.0)], [], expected)
        except AssertionError:
            misses += 1
    assert misses > 0


def _dijkstra_router(router: Router) -> Router:
    plain = copy.copy(router)
    plain.n_landmarks = 0
    plain._landmarks = {}
    return plain


def _summary(route):
    return (route.vlink_rows.tolist(), round(route.totals["gc_usd"], 6), route.corridor)


def test_eurasia_routes_equal_dijkstra_routes(eurasia):
    """Public answers (places off the network, first/last-mile legs, via points, avoided
    countries) cost the same with landmark A* as with Dijkstra."""
    plain = _dijkstra_router(eurasia)
    eurasia = copy.copy(eurasia)
    eurasia.landmarks_after = 0  # landmarks from the first search on
    places = ["Xi'an", "Almaty", "Shanghai", "Samarkand", "Kashgar", "Tbilisi", "Duisburg",
              "Łódź", "Genoa", "Ankara", "Prague", "Poti"]  # fmt: skip
    checked = 0
    for i, (o, d) in enumerate(itertools.permutations(places, 2)):
        if i % 3:
            continue
        obj = OBJECTIVES[i % 4]
        kw = {"avoid_countries": [["RU"], [], ["IR"], ["RU", "IR"]][i % 4]}
        if i % 5 == 0:
            kw["via"] = ["Baku"]
        a = eurasia.route(o, d, "container", objective=obj, **kw)
        b = plain.route(o, d, "container", objective=obj, **kw)
        key = {"time": "hours", "cost": "usd", "generalised": "gc_usd", "emissions": "co2e_kg"}
        assert a.totals[key[obj]] == pytest.approx(b.totals[key[obj]], rel=1e-9)
        assert a.origin == b.origin and a.destination == b.destination
        checked += 1
    assert checked > 30
    assert eurasia._landmarks and not plain._landmarks  # A* against Dijkstra indeed


def test_eurasia_answers_same_from_every_thread(eurasia):
    qs = [("Samarkand", "Genoa", "generalised", ["RU"]), ("Kashgar", "Łódź", "time", []),
          ("Xi'an", "Ankara", "cost", ["IR"]), ("Almaty", "Prague", "emissions", ["RU", "IR"])]  # fmt: skip
    expected = [_summary(eurasia.route(o, d, objective=b, avoid_countries=a)) for o, d, b, a in qs]
    fresh = eurasia.with_params(eurasia.params)  # costs and landmarks made by the threads
    fresh.landmarks_after = 0
    calls = [lambda q=q: _summary(fresh.route(q[0], q[1], objective=q[2],
                                              avoid_countries=q[3])) for q in qs]  # fmt: skip
    for got in run_threads(calls * 3, n_threads=4, rounds=2):
        assert got == expected * 3


def test_landmarks_wait_for_repeated_searches_and_are_kept(toy):
    """A one-off search uses Dijkstra; landmarks are chosen on the third search of a cost
    array, kept, pickled with the router (the disk cache) and used at once after."""
    from serai.freight.cache import _warm_signature

    r = toy.with_params(toy.params)
    lc = r.costs("container")
    assert r._bound(lc, "time") is None and r._bound(lc, "time") is None
    assert not any(s.startswith("landmarks") for s in _warm_signature(r))
    got = r._bound(lc, "time")
    assert got is not None and r._bound(lc, "time")[0] is got[0]
    assert any(s.startswith("landmarks") for s in _warm_signature(r))
    clone = pickle.loads(pickle.dumps(r))
    back = clone._bound(clone.costs("container"), "time")
    assert back is not None and np.array_equal(back[0], got[0]) and np.array_equal(back[1], got[1])
    plain = _dijkstra_router(r)
    assert plain.landmarks(lc, "time") is None


def test_routes_inside_and_outside_the_import_zone_share_landmarks(eurasia):
    """Landmarks are chosen on the costs without the import premium (nowhere above the
    others): one set serves both, and both answers still equal Dijkstra's."""
    r = eurasia.with_params(eurasia.params)
    r.landmarks_after = 0
    plain = _dijkstra_router(r)
    for o, d in [("Almaty", "Duisburg"), ("Xi'an", "Tashkent"), ("Tashkent", "Genoa")]:
        a = r.route(o, d, "container", objective="cost")
        b = plain.route(o, d, "container", objective="cost")
        assert a.totals["usd"] == pytest.approx(b.totals["usd"], rel=1e-9)
    assert [k[3] for k in r._landmarks] == ["no_market"]


def test_search_on_used_scratch_equals_search_on_fresh_scratch(eurasia):
    """The search initialises only the nodes it reaches (per-thread stamps, not a pass over
    every node): an answer found after many other searches, and after Dijkstra trees that
    reuse the same ``dist``/``pred`` arrays, is the one found on never-used scratch arrays
    (same edges, same cost)."""
    from functools import partial

    from serai.freight import search
    from serai.paths.workspace import PerThread, tree_scratch

    r = copy.copy(eurasia)
    r.landmarks_after = 0
    qs = [("Samarkand", "Genoa", "generalised", ["RU"], []), ("Kashgar", "Łódź", "time", [], []),
          ("Xi'an", "Ankara", "cost", ["IR"], ["Baku"]), ("Herat", "Prague", "time", [], []),
          ("Almaty", "Poti", "emissions", ["RU", "IR"], [])]  # fmt: skip
    used = []
    for i, (o, d, obj, avoid, via) in enumerate(qs * 2):
        used.append(_summary(r.route(o, d, objective=obj, avoid_countries=avoid, via=via)))
        g = r.rg.graph  # a Dijkstra tree in between leaves its own values in dist/pred
        r._tree(r.edge_objective(r.costs("container"), OBJECTIVES[i % 4]), int(g.heads[i]))
    for i, (o, d, obj, avoid, via) in enumerate(qs * 2):
        n = r.rg.graph.n_nodes
        r._scratch = tree_scratch(n, r.rg.graph.n_edges)
        r._alt_scratch = PerThread(partial(search._alt_arrays, n))
        assert _summary(r.route(o, d, objective=obj, avoid_countries=avoid, via=via)) == used[i]


def _is_masked(router: Router, bound) -> bool:
    """The bound is a mask's own landmarks (not the unmasked ones)."""
    sets = [v for k, v in router._landmarks.items() if k[0] == "masked"]
    return bound is not None and any(bound[0] is v[1] and bound[1] is v[2] for v in sets)


def _masked_router(router: Router, **kw) -> Router:
    """A router with its own landmark memos whose masks get landmarks from the first search."""
    r = router.with_params(router.params)
    r.landmarks_after = 0
    r.masked_landmarks_work = 0  # chosen at once, not when the searches did as much work
    for name, value in kw.items():
        setattr(r, name, value)
    return r


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_eurasia_masked_landmarks_search_matches_dijkstra(eurasia, objective):
    """Landmarks chosen on masked costs (avoided countries): every answer costs what
    scipy's Dijkstra says on the masked array, from one or several starts and ends,
    through via points; the bound really is the masked set."""
    r = _masked_router(eurasia)
    rng = np.random.default_rng(11)
    places = np.sort(r.rg.place_of.to_numpy())
    layer_nodes = np.unique(np.concatenate([r._layer_vnodes(p) for p in places]))
    checked = 0
    for avoid in [("RU",), ("IR",), ("RU", "IR"), ("CN", "TR"), ("KZ",)]:
        cons = Constraints.make(avoid_countries=list(avoid))
        lc = r.costs("container")
        cost = r.masked_cost(lc, objective, cons)
        oracle = Oracle(r, cost)
        bound = r._bound(lc, objective, cons)
        assert _is_masked(r, bound)
        for q in range(8):
            s, t = (int(x) for x in rng.choice(places, 2, replace=False))
            if q % 2:
                starts = [
                    (int(v), float(c))
                    for v, c in zip(rng.choice(layer_nodes, 3), rng.uniform(0, 300, 3), strict=True)
                ]
                ends = [(int(v), float(c)) for v, c in
                        zip(rng.choice(layer_nodes, 3), rng.uniform(0, 300, 3), strict=True)]  # fmt: skip
            else:
                starts, ends = [(s, 0.0)], [(t, 0.0)]
            via = [int(rng.choice(places))] if q % 4 == 2 else []
            layers = [r._layer_vnodes(v) for v in via]
            expected = oracle.best(starts, ends, layers)
            found = r._path(cost, starts, ends, via, r._bound(lc, objective, cons))
            check_path(r, cost, found, starts, ends, layers, expected)
            checked += found is not None
    assert checked > 15


def test_eurasia_masked_landmarks_route_like_dijkstra_and_the_unmasked_bound(eurasia):
    """Public answers with a mask's own landmarks cost what Dijkstra's do, and are the
    same routes as with the unmasked landmarks only (no masked set)."""
    plain = _dijkstra_router(eurasia)
    r = _masked_router(eurasia)
    before = _masked_router(eurasia, n_masked_landmarks=0)
    qs = [("Lanzhou", "Antwerp", "time", ["RU", "IR"]), ("Shanghai", "Warsaw", "time", ["RU"]),
          ("Xi'an", "Vienna", "time", ["RU", "IR"]), ("Kashgar", "Batumi", "generalised", ["RU", "IR"]),
          ("Almaty", "Prague", "emissions", ["RU"]), ("Chongqing", "Genoa", "cost", ["IR"]),
          ("Samarkand", "Poti", "time", ["IR"])]  # fmt: skip
    key = {"time": "hours", "cost": "usd", "generalised": "gc_usd", "emissions": "co2e_kg"}
    for o, d, obj, avoid in qs:
        a = r.route(o, d, "container", objective=obj, avoid_countries=avoid)
        b = plain.route(o, d, "container", objective=obj, avoid_countries=avoid)
        c = before.route(o, d, "container", objective=obj, avoid_countries=avoid)
        assert a.totals[key[obj]] == pytest.approx(b.totals[key[obj]], rel=1e-9)
        assert _summary(a) == _summary(c)
    assert any(k[0] == "masked" for k in r._landmarks)
    assert not any(k[0] == "masked" for k in before._landmarks)


def test_masked_landmarks_wait_are_shared_by_threads_and_bounded(eurasia, monkeypatch):
    """A mask's landmarks are chosen on its third search (two by the unmasked bound first;
    here with no work to wait for), once for all threads that ask at the same time, and at
    most ``masked_landmark_sets`` masks are kept (the oldest dropped)."""
    from serai.freight import search

    monkeypatch.setenv("SERAI_CACHE_DIR", "off")
    r = eurasia.with_params(eurasia.params)
    r.landmarks(r.costs("container"), "time")
    r.masked_landmark_sets = 2
    r.masked_landmarks_work = 0
    calls = []
    real = search._masked_marks

    def counted(self, masked, choose):
        calls.append(1)
        return real(self, masked, choose)

    monkeypatch.setattr(search, "_masked_marks", counted)
    lc = r.costs("container")
    ru = Constraints.make(avoid_countries=["RU"])
    assert len(r._bound(lc, "time", ru)) == 2 and len(r._bound(lc, "time", ru)) == 2
    got = [b for row in run_threads([lambda: r._bound(lc, "time", ru)] * 8, 4) for b in row]
    assert len(calls) == 1 and all(_is_masked(r, b) and b[0] is got[0][0] for b in got)
    for avoid in (["IR"], ["KZ"]):
        cons = Constraints.make(avoid_countries=avoid)
        for _ in range(3):
            r._bound(lc, "time", cons)
    masked = [k for k in r._landmarks if k[0] == "masked"]
    assert len(calls) == 3 and len(masked) == 2
    assert all("RU" not in k[-1][0] for k in masked)  # the oldest went first


def test_masked_landmarks_kept_beside_the_disk_cache(eurasia, monkeypatch, tmp_path):
    """Stored beside the router's cache entry (keyed by the masked costs' content): another
    process's router maps them instead of choosing them again; another mask, or a router
    the cache does not know, chooses its own."""
    from serai.freight import cache
    from serai.paths import _alt

    monkeypatch.setenv("SERAI_CACHE_DIR", str(tmp_path))
    r = _masked_router(eurasia)
    cache._set_meta(r, "k" * 32, ())
    lc = r.costs("container")
    ru = Constraints.make(avoid_countries=["RU"])
    first = r._bound(lc, "time", ru)
    assert len(list(tmp_path.glob(f"marks-{'k' * 32}-*.npy"))) == 1
    other, unknown = _masked_router(eurasia), _masked_router(eurasia)
    cache._set_meta(other, "k" * 32, ())
    for x in (other, unknown):
        x.landmarks(x.costs("container"), "time")

    def refuse(*a):
        raise AssertionError("chosen again")

    monkeypatch.setattr(_alt, "landmarks", refuse)
    monkeypatch.setattr("serai.paths._kernels.landmarks", refuse)
    again = other._bound(other.costs("container"), "time", ru)
    assert _is_masked(other, again) and _is_masked(r, first)
    assert np.array_equal(again[0], first[0]) and np.array_equal(again[1], first[1])
    assert not again[0].flags.writeable
    with pytest.raises(AssertionError, match="chosen again"):
        other._bound(other.costs("container"), "time", Constraints.make(avoid_countries=["IR"]))
    with pytest.raises(AssertionError, match="chosen again"):
        unknown._bound(unknown.costs("container"), "time", ru)  # no cache key: not read


def test_masked_landmarks_chosen_when_the_searches_did_their_work(eurasia, monkeypatch):
    """Without a stored set, a mask's landmarks are chosen only once its searches (by the
    unmasked bound, which tally the nodes they settle) have settled
    ``masked_landmarks_work`` x the graph's nodes; the answers meanwhile are the same."""
    monkeypatch.setenv("SERAI_CACHE_DIR", "off")
    r = eurasia.with_params(eurasia.params)
    r.landmarks_after = 0
    r.masked_landmarks_work = 1.0  # ~38,700 nodes settled: a few of these searches
    cons = Constraints.make(avoid_countries=["RU", "IR"])
    mkey = None
    for i in range(40):
        route = r.route("Lanzhou", "Antwerp", "container", objective="time", constraints=cons)
        searches = i + 1
        masked = [k for k in r._landmarks if k[0] == "masked"]
        if masked:
            break
        mkey = next(iter(r._mask_work))  # (tallied, not yet enough for the next search)
        assert r._mask_work[mkey] > 0
    assert masked == [mkey] and r._mask_work[mkey] >= r.rg.graph.n_nodes
    assert 3 <= searches < 40
    again = r.route("Lanzhou", "Antwerp", "container", objective="time", constraints=cons)
    assert _is_masked(r, r._bound(r.costs_from(r.locate("Lanzhou"), "container"), "time", cons))
    assert _summary(again) == _summary(route)


def test_masked_landmarks_chosen_in_the_background_do_not_hold_a_search(eurasia, monkeypatch):
    """``landmarks_in_background`` (the service's routers): the search that makes a mask's
    landmarks due goes on with the unmasked bound while a thread chooses them (here held
    until the test lets it go: the request cannot have waited), once for all askers; then
    the masked bound is used, and every answer is the synchronous router's."""
    import threading

    from serai.freight import search

    monkeypatch.setenv("SERAI_CACHE_DIR", "off")
    sync = eurasia.with_params(eurasia.params)
    r = eurasia.with_params(eurasia.params)
    r.landmarks_in_background = True
    for x in (sync, r):
        x.landmarks_after, x.masked_landmarks_work = 0, 0
    go, calls = threading.Event(), []
    real = search._masked_marks

    def held(self, masked, choose):
        calls.append(threading.current_thread().name)
        assert go.wait(60)
        return real(self, masked, choose)

    monkeypatch.setattr(search, "_masked_marks", held)
    cons = Constraints.make(avoid_countries=["RU"])
    ask = ("Lanzhou", "Antwerp", "container")
    got = [r.route(*ask, objective="time", constraints=cons) for _ in range(3)]
    assert calls == ["serai-masked-landmarks"]  # one thread, not the request
    assert not [k for k in r._landmarks if k[0] == "masked"]
    go.set()
    for t in threading.enumerate():
        if t.name == "serai-masked-landmarks":
            t.join(60)
    lc = r.costs_from(r.locate("Lanzhou"), "container")
    assert _is_masked(r, r._bound(lc, "time", cons))
    got.append(r.route(*ask, objective="time", constraints=cons))
    want = sync.route(*ask, objective="time", constraints=cons)
    assert all(_summary(g) == _summary(want) for g in got)
    assert "landmarks_in_background" not in r.__getstate__()
