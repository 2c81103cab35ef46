"""Closed country pairs in the flows: no volume on a route visiting both countries of one.

The oracle is independent of the rule (:func:`serai.freight.closedpairs.least_compliant`):
a Dijkstra on the graph times the set of closed-pair countries visited so far (a label
per node and set), which never enters a set holding both countries of a closed pair; the
ends' countries are visited from the start. Its least cost to the destination is the least
cost of a compliant route, by exhaustion of the sets.
"""

from __future__ import annotations

import heapq
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from serai.demand import Demand, zones
from serai.flows import FlowConfig, build_model
from serai.flows.model import corridor_masks, solve
from serai.flows.results import make_result
from tests.freight.test_closed_pairs import ROWS, _net

#: Xi'an -> Duisburg by Russia and Poland (transit pair ru_pl: the better of avoiding
#: either), Moscow -> Duisburg (one end in it: Poland avoided), Almaty -> Tbilisi (both ends
#: in kz_ge: refused), Almaty -> Istanbul (every route visits KZ and GE, or RU and PL),
#: Shanghai -> Rotterdam (cn_tr: not by the Bosporus)
OD = [
    ("containers", "CN_XIY", "DE_W", 1000.0),
    ("containers", "RU_MOW", "DE_W", 300.0),
    ("containers", "KZ_ALA", "GE", 100.0),
    ("containers", "KZ_ALA", "TR_IST", 500.0),
    ("containers", "CN_SHA", "NL", 800.0),
    ("containers", "CN_XIY", "RO", 200.0),
    ("grain", "KZ_ALA", "DE_W", 5.0e5),
    ("grain", "RU_MOW", "RO", 2.0e5),
    ("containers", "NL", "RO", 50.0),
]


def _demand(year: int) -> Demand:
    t = pd.DataFrame(OD, columns=["group", "origin", "destination", "volume"])
    t["unit"] = np.where(t["group"] == "containers", "TEU", "t")
    t["year"] = year
    return Demand(t, year, "test")


def _model(year: int, method: str = "equilibrium"):
    cfg = FlowConfig(year=year, method=method, gap=1e-6)
    return build_model(_net(ROWS), _demand(year), cfg)


@pytest.fixture(scope="module")
def models():
    return {y: _model(y) for y in (2025, 2020)}


def _visits(model, edges, od: int) -> set[str]:
    """Countries a route visits: its movement edges' and its two zones' (the oracle's own
    reading of the routing graph, as :func:`route_countries` reads a route)."""
    rg = model.rg
    rows = np.asarray(rg.graph.link_rows)[np.asarray(edges, np.int64)]
    v = rg.vlinks
    mv = v["kind"].to_numpy()[rows] == "move"
    cs = {c for c in v["country"].to_numpy()[rows][mv] if c}
    z = zones()["country"]
    return cs | {z[model.od["origin"].iat[od]], z[model.od["destination"].iat[od]]}


def _pairs(year: int) -> list[tuple[str, str]]:
    from serai.freight.closedpairs import closed_pairs
    from tests.freight.test_closed_pairs import _status

    return [p.countries for p in closed_pairs(_status(ROWS), year)]


def _oracle(model, cost: np.ndarray, od: int, pairs) -> float:
    """Least cost of a route of OD pair ``od`` visiting no closed pair (label per set)."""
    g = model.problem.graph
    rg = model.rg
    rows = np.asarray(rg.graph.link_rows)
    v = rg.vlinks
    pc = sorted({c for p in pairs for c in p})
    bit = {c: 1 << j for j, c in enumerate(pc)}
    mv = v["kind"].to_numpy()[rows] == "move"
    ebit = np.array([bit.get(c, 0) if m else 0 for c, m in zip(v["country"].to_numpy()[rows], mv, strict=True)])  # fmt: skip
    bad = [bit[a] | bit[b] for a, b in pairs]
    z = zones()["country"]
    start = 0
    for zone in (model.od["origin"].iat[od], model.od["destination"].iat[od]):
        start |= bit.get(z[zone], 0)
    if any(start & m == m for m in bad):
        return np.inf
    tails, heads = np.asarray(g.tails), np.asarray(g.heads)
    order = np.argsort(tails, kind="stable")
    ptr = np.searchsorted(tails[order], np.arange(g.n_nodes + 1))
    src, dst = int(model.problem.od_origin[od]), int(model.problem.od_destination[od])
    seen: set[tuple[int, int]] = set()
    heap = [(0.0, src, start)]
    while heap:
        d, u, s = heapq.heappop(heap)
        if (u, s) in seen:
            continue
        seen.add((u, s))
        if u == dst:
            return d
        for e in order[ptr[u] : ptr[u + 1]]:
            c = cost[e]
            ns = s | int(ebit[e])
            if not np.isfinite(c) or any(ns & m == m for m in bad) or (heads[e], ns) in seen:
                continue
            heapq.heappush(heap, (d + c, int(heads[e]), ns))
    return np.inf


def test_refused_pairs_and_the_rule_in_the_model(models):
    m = models[2025]
    assert m.problem.search is not None
    assert [p.status_id for p in m.problem.search.pairs] == ["ru_pl", "kz_ge", "cn_tr"]
    dis = m.disconnected.set_index(["origin", "destination"])
    assert "KZ and GE are closed to freight" in dis.loc[("KZ_ALA", "GE"), "reason"]
    assert ("KZ_ALA", "GE") not in set(zip(m.od["origin"], m.od["destination"], strict=True))
    # no pair closed in 2020: one tree per origin, as before the rule
    assert models[2020].problem.search is None and not len(models[2020].disconnected)


def test_least_routes_are_the_least_compliant_routes(models):
    """Every search of the flows (seeds under each corridor mask, column generation, LP
    pricing: :meth:`least_routes`) against the oracle, at free-flow costs and under each
    corridor mask."""
    m = models[2025]
    p = m.problem
    pairs = _pairs(2025)
    kinds = set()
    for mask in (None, *corridor_masks(m.router)):
        for (k, o), ods in p.origin_groups().items():
            cost = p.edge_cost[k] if mask is None else np.where(mask, p.edge_cost[k], np.inf)
            dist, routes = p.least_routes(k, o, ods, cost)
            free = replace(p, search=None).least_routes(k, o, ods, cost)[0]
            for i, d, e in zip(ods, dist, routes, strict=True):
                want = _oracle(m, cost, i, pairs)
                if not np.isfinite(want):
                    assert e is None and not np.isfinite(d)
                    kinds.add("none")
                    continue
                assert d == pytest.approx(want, rel=1e-12), (m.od.iloc[i].tolist(), mask is None)
                assert float(cost[e].sum()) == pytest.approx(d, rel=1e-12)
                cs = _visits(m, e, i)
                assert not any(a in cs and b in cs for a, b in pairs), cs
                kinds.add("rerouted" if d > free[ods.index(i)] * (1 + 1e-12) else "kept")
    assert kinds == {"none", "rerouted", "kept"}


@pytest.mark.parametrize("method", ["equilibrium", "lp"])
def test_no_volume_on_a_closed_pair_in_2025_and_volume_in_2020(models, method):
    pairs = _pairs(2025)
    seen = {}
    for year in (2025, 2020):
        m = models[year]
        m = replace(m, config=replace(m.config, method=method))
        raw = solve(m)
        flow = raw.paths["flow"].to_numpy()
        on = 0.0
        for j, e in enumerate(raw.path_edges):
            cs = _visits(m, e, int(raw.paths["od"].iat[j]))
            if any(a in cs and b in cs for a, b in pairs):
                on += flow[j]
        seen[year] = (on, make_result(m, raw, {}))
    assert seen[2025][0] == 0.0
    assert seen[2020][0] > 1000.0  # Xi'an -> Duisburg by Russia and Poland, among others
    res = seen[2025][1]
    od = res.od.set_index(["origin", "destination"])
    # every route of Almaty -> Istanbul visits KZ and GE, or (avoiding GE) RU and PL
    assert od.loc[("KZ_ALA", "TR_IST"), "assigned"] == 0
    assert "every route visits both" in od.loc[("KZ_ALA", "TR_IST"), "reason"]
    assert res.summary["closed_pairs"] == ["ru_pl", "kz_ge", "cn_tr"]


def test_lp_cost_is_the_least_compliant_cost(models):
    """Without binding capacities the LP puts every OD pair on its least-cost compliant
    route: its mean route cost per OD pair is the oracle's least cost."""
    m = models[2025]
    m = replace(m, config=replace(m.config, method="lp"))
    raw = solve(m)
    assert raw.optimal and not raw.units["binding"].any()
    pairs = _pairs(2025)
    P = raw.paths.loc[raw.paths["flow"] > 0]
    for i in range(len(m.od)):
        want = _oracle(m, m.problem.edge_cost[int(m.problem.od_class[i])], i, pairs)
        rows = P.loc[P["od"] == i]
        if not np.isfinite(want):
            assert rows.empty
            continue
        assert rows["cost"].to_numpy() == pytest.approx(want, rel=1e-9)


def test_countries_read_as_the_router_reads_a_route(models):
    """The rule's countries of a route are :func:`route_countries` of the router's route
    of the same edges (the definition the router's rule uses)."""
    from serai.freight import commodity
    from serai.freight.closedpairs import route_countries
    from serai.freight.constraints import Constraints

    m = models[2025]
    router, rule = m.router, m.problem.search
    lc = router.costs(commodity("container"))
    p = replace(m.problem, search=None)  # routes that visit closed pairs too
    z = zones()["country"]
    pc = set(rule.countries_of_pairs)
    seen = set()
    for mask in (None, *corridor_masks(router)):
        for (k, o), ods in p.origin_groups().items():
            cost = p.edge_cost[k] if mask is None else np.where(mask, p.edge_cost[k], np.inf)
            for i, e in zip(ods, p.least_routes(k, o, ods, cost)[1], strict=True):
                if e is None or (i, e.tobytes()) in seen:
                    continue
                seen.add((i, e.tobytes()))
                od = m.od.iloc[i]
                o_, d_ = (m.zone_places.loc[od[c], "target"] for c in ("origin", "destination"))
                r = router._make_route(e, o_, d_, lc, "generalised", Constraints())
                ends = {z[od["origin"]], z[od["destination"]]}
                assert set(rule.ends[i]) == ends
                assert rule.countries(e, i) & pc == (route_countries(r) | ends) & pc
    assert len(seen) > 10


def test_embedded_network_china_to_armenia_not_through_azerbaijan():
    """2025, embedded network: China -> Yerevan's cheapest route crosses the Caspian to Baku
    and goes on through Georgia (23,196 TEU of the synthesised demand took it before the
    rule); Armenia-Azerbaijan is closed to all freight (am_az), so no volume visits both,
    and each search is the best over every set of closed-pair countries avoided (the
    exhaustive oracle of tests/freight/test_closed_pairs.py)."""
    import itertools

    from serai.freight.cache import cached_router
    from serai.freight.closedpairs import router_pairs
    from serai.freight.constraints import Constraints

    router = cached_router(year=2025)
    t = pd.DataFrame(
        [("containers", "CN_XIY", "AM", 10000.0), ("containers", "CN_XIY", "GE", 10000.0)],
        columns=["group", "origin", "destination", "volume"],
    )
    t["unit"], t["year"] = "TEU", 2025
    m = build_model(router.rg.network, Demand(t, 2025, "test"), FlowConfig(year=2025, gap=1e-5),
                    router=router)  # fmt: skip
    pairs = [p.countries for p in router_pairs(router)]
    assert ("AM", "AZ") in pairs and ("RU", "UA") in pairs
    p = m.problem
    (k, o), ods = next(iter(p.origin_groups().items()))
    cost = p.edge_cost[k]
    free = replace(p, search=None).least_routes(k, o, ods, cost)
    dist, _ = p.least_routes(k, o, ods, cost)
    pc = sorted({c for q in pairs for c in q})
    want = np.full(len(ods), np.inf)
    for n in range(len(pc) + 1):
        for s in itertools.combinations(pc, n):
            c = np.where(router.mask(Constraints.make(avoid_countries=s)), cost, np.inf)
            d, es = replace(p, search=None).least_routes(k, o, ods, c)
            for j, (i, e) in enumerate(zip(ods, es, strict=True)):
                cs = _visits(m, e, i) if e is not None else set()
                if e is not None and not any(a in cs and b in cs for a, b in pairs):
                    want[j] = min(want[j], float(d[j]))
    for j, i in enumerate(ods):
        assert dist[j] == pytest.approx(want[j], rel=1e-12)
        dest = m.od["destination"].iat[i]
        was = _visits(m, free[1][j], i)
        if dest == "AM":  # the free route went through Azerbaijan: a dearer one now
            assert {"AM", "AZ"} <= was and dist[j] > free[0][j]
        else:
            assert dist[j] == free[0][j]
    for method in ("equilibrium", "lp"):
        mm = replace(m, config=replace(m.config, method=method))
        raw = solve(mm)
        res = make_result(mm, raw, {})
        flow = raw.paths["flow"].to_numpy()
        on = sum(
            flow[j]
            for j, e in enumerate(raw.path_edges)
            if {"AM", "AZ"} <= _visits(m, e, int(raw.paths["od"].iat[j]))
        )
        assert on == 0.0, method
        od = res.od.set_index("destination")
        assert od.loc["AM", "assigned"] == pytest.approx(10000.0), method


def test_flows_without_congestion_give_a_result():
    """``FlowConfig(congestion=False)`` (the service's ``congestion: false``) ignores the
    capacities: the result is made (it failed on the empty capacity table) and equals the
    congested run's where no capacity exists (the toy network has none in its table's
    place), with no unresolved capacity listed."""
    cfg = FlowConfig(year=2025, gap=1e-6, congestion=False)
    m = build_model(_net(ROWS), _demand(2025), cfg)
    res = make_result(m, solve(m), {})
    assert res.summary["unresolved_capacities"] == []
    assert m.capacity.elements.empty
    assert res.od["assigned"].sum() > 0
