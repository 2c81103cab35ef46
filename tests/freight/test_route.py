"""Routing on the hand-built toy network: hand-checked routes, constraints, errors, oracles."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from serai.errors import InputError
from serai.freight import Constraints, NoRouteError, Router, build_routing_graph, commodity
from serai.freight.params import model_params
from tests.freight.toy import SERVICES, toy_network


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(build_routing_graph(toy_network(), year=2025))


def _countries_touched(r, route) -> set[str]:
    v = r.rg.vlinks.iloc[route.vlink_rows]
    return set(v["country"]) | set(v["from_country"]) | set(v["to_country"]) - {""}


def test_hand_checked_northern_route(router):
    # Xi'an -> Dostyk (2900 + 12 km, 1435) | border CN>KZ | gauge | 1520 via Almaty to
    # Moscow (a link from KZ: Kazakh speed and rate), Brest | border KZ>RU, RU>BY (EAEU) |
    # border BY>PL | gauge | 1435 to Duisburg. A link is in the country it starts in.
    route = router.route("Xi'an", "Duisburg", "container", objective="time")
    assert route.corridor == "Northern (via Russia)"
    p = model_params()
    v = p.value
    cn, kz, ru, by, pl = 2900 + 12, 880 + 3900, 1100, 10, 1150
    km = cn + kz + ru + by + pl
    assert route.km == pytest.approx(km)
    c = commodity("container")
    motion = (
        cn / v("rail.speed.CN") + kz / v("rail.speed.KZ") + (ru + by) / v("rail.speed.RUBY")
        + pl / v("rail.speed.EU")
    )  # fmt: skip
    borders = (
        v("border.rail.CN.out") + v("border.rail.KZ.in")  # CN > KZ: both sides
        + 2 * v("border.rail.union.*")  # KZ > RU, inside the EAEU (not CAREC's national sides)
        + 2 * v("border.rail.union.*")  # RU > BY
        + v("border.rail.BY.out.BY-PL") + v("border.rail.PL.in.BY-PL")  # Brest
    )  # fmt: skip
    dwell = (
        v("terminal.rail.origin") + v("terminal.rail.dest") + 2 * v("gauge.default")
        + km / 1000 * v("rail.enroute_h_per_1000km")
    )  # fmt: skip
    hours = motion + borders + dwell
    assert route.totals["hours"] == pytest.approx(hours)
    assert route.totals["hours_border"] == pytest.approx(borders)
    usd = (
        cn * v("rail.rate.CN") + kz * v("rail.rate.KZ") + (ru + by) * v("rail.rate.RUBY")
        + pl * v("rail.rate.EU")
        + 4 * v("lift")  # origin and destination terminals, two gauge changes
        + 2 * v("border.fee.rail")  # CN > KZ and BY > PL; none inside the EAEU
    )  # fmt: skip
    assert route.usd == pytest.approx(usd)
    assert route.totals["gc_usd"] == pytest.approx(usd + hours * c.vot_usd_per_unit_h)
    ev = route.legs.loc[route.legs["kind"] != "move", "event"].tolist()
    assert ev == [
        "transfer",  # origin terminal
        "border CN>KZ (border)",
        "gauge",
        "border KZ>RU (border_union)",
        "border RU>BY (border_union)",
        "border BY>PL (border)",
        "gauge",
        "transfer",  # destination terminal
    ]
    # the exit and entry sides of each crossing are kept apart
    b = route.legs.loc[route.legs["kind"] == "border"]
    assert b["hours_border_in"].iloc[0] == pytest.approx(v("border.rail.KZ.in"))
    assert b["hours_border_out"].iloc[0] == pytest.approx(v("border.rail.CN.out"))


def test_avoid_russia_uses_no_russian_element(router):
    route = router.route("Xi'an", "Duisburg", "container", avoid_countries=["RU"])
    assert "RU" not in _countries_touched(router, route)
    nodes = router.rg.network.nodes.set_index("node_id")["country"]
    used_nodes = {n for p in route.legs["node_path"] for n in p}
    assert "RU" not in set(nodes.loc[list(used_nodes)])
    assert route.corridor == "Sea via Suez"  # via Shanghai by rail, then sea
    land = router.route(
        "Xi'an", "Duisburg", "container", avoid_countries=["RU"], modes=["rail", "ferry"]
    )
    assert "RU" not in _countries_touched(router, land)
    assert land.corridor == "Middle Corridor (TITR)"


def test_gauge_break_is_always_a_transfer_event(router):
    for kw in (
        {},
        {"avoid_countries": ["RU"]},
        {"avoid_countries": ["RU"], "modes": ["rail", "ferry"]},
    ):
        for obj in ("time", "cost", "generalised"):
            route = router.route("Xi'an", "Istanbul", "container", objective=obj, **kw)
            legs = route.legs
            moves = legs.index[legs["kind"] == "move"].tolist()
            for a, b in itertools.pairwise(moves):
                la, lb = legs.at[a, "layer"], legs.at[b, "layer"]
                if la.startswith("rail:") and lb.startswith("rail:") and la != lb:
                    between = legs.loc[a + 1 : b - 1, "kind"].tolist()
                    assert "gauge" in between, (la, lb, between)
            # and every change of layer between two moves passes through some hub event
            for a, b in itertools.pairwise(moves):
                if (
                    legs.at[a, "layer"] != legs.at[b, "layer"]
                    and legs.at[b, "mode"] != "ferry"
                    and legs.at[a, "mode"] != "ferry"
                ):
                    assert b - a > 1


def test_via_point_is_visited(router):
    direct = router.route("Almaty", "Duisburg", "container", objective="time")
    assert "Aktau" not in set(direct.legs["from_name"]) | set(direct.legs["to_name"])
    via = router.route("Almaty", "Duisburg", "container", objective="time", via=["Aktau"])
    names = [n for p in via.legs["node_path"] for n in p]
    assert 5 in names  # Aktau
    assert via.totals["hours"] >= direct.totals["hours"]


def test_via_does_not_allow_a_free_transfer(router):
    # Almaty -> Aktau by road, then rail on: the change of mode at Aktau must be charged
    r = router.route("Almaty", "Alat", "container", modes=["road", "ferry"], via=["Aktau"])
    assert set(r.legs.loc[r.legs["kind"] == "move", "mode"]) <= {"road", "ferry"}


@pytest.mark.parametrize("freq", [1.0, 3.0, 7.0, 14.0])
def test_ferry_waiting_follows_frequency(freq):
    services = [(s[0], s[1], s[2], s[3], s[4], freq if s[3] == "ferry" else s[5]) for s in SERVICES]
    r = Router(build_routing_graph(toy_network(services=services), year=2025))
    route = r.route("Almaty", "Alat", "uranium", objective="time")  # uranium: rail ferry only
    board = route.legs.loc[route.legs["kind"] == "board"]
    assert len(board) == 1
    # half the headway of 168/freq h; a timetabled ferry has no departs-when-full queue,
    # only the Caspian's expected storm delay
    assert board["hours_schedule"].iloc[0] == pytest.approx(84.0 / freq)
    storm = model_params().value("ferry.weather.caspian")
    assert board["hours_queue"].iloc[0] == pytest.approx(storm)
    assert board["wait_h"].iloc[0] == pytest.approx(84.0 / freq + storm)
    assert route.totals["hours_schedule"] == pytest.approx(84.0 / freq)
    assert route.services == ("aktau_alat_rail_ferry",)


def test_ferry_without_timetable_waits_in_the_queue():
    services = [(s[0], s[1], s[2], s[3], s[4], float("nan")) for s in SERVICES]
    r = Router(build_routing_graph(toy_network(services=services), year=2025))
    route = r.route("Almaty", "Alat", "uranium", objective="time")
    board = route.legs.loc[route.legs["kind"] == "board"].iloc[0]
    p = model_params()
    assert board["hours_schedule"] == 0.0
    assert board["hours_queue"] == pytest.approx(
        p.value("ferry.queue.caspian") + p.value("ferry.weather.caspian")
    )
    # loading: half the ferry cycle plus the dwell in a Caspian port; the crossing as given
    assert board["hours_dwell"] == pytest.approx(
        p.value("ferry.load") + p.value("caspian.port.depart")
    )
    # the toy service has a facts id: its crossing is the measured parameter (22 h), not the
    # network's 20 h
    ferry = route.legs.loc[route.legs["mode"] == "ferry"].iloc[0]
    assert ferry["hours"] == pytest.approx(p.value("ferry.crossing.aktau_alat_rail_ferry")) == 22.0
    assert ferry["time_basis"] == "measured"


def test_commodity_rules_restrict_services(router):
    # containers may take the daily ro-ro by road; uranium may not (rail ferry only, EST rule)
    c = router.route(
        "Aktau", "Alat", "container", objective="time", modes=["road", "roro", "ferry"]
    )
    u = router.route("Aktau", "Alat", "uranium", objective="time")
    assert "aktau_alat_roro" not in u.services
    assert c.services  # some ferry used
    with pytest.raises(NoRouteError, match="only modes"):
        router.route("Aktau", "Alat", "uranium", modes=["road"])


def test_unknown_place_suggests(router):
    with pytest.raises(InputError) as e:
        router.route("Almatty", "Duisburg")
    assert "Almaty" in str(e.value)
    with pytest.raises(InputError, match="Duisburg"):
        router.route("Almaty", "Duisberg")


def test_place_aliases_locode_and_coordinates(router):
    assert router.resolve("Алматы") == router.resolve("阿拉木图") == router.resolve("KZALA") == 4
    assert router.resolve("xian") == router.resolve("西安") == 1
    assert router.resolve("Constanta") == router.resolve("Constanța") == 18
    assert router.resolve("43.3, 77.1") == 4  # near Almaty
    node, km = router.places.snap(43.6, 51.3)
    assert node == 5 and km < 15


def test_unreachable_names_the_cutting_constraint(router):
    with pytest.raises(NoRouteError) as e:
        router.route("Almaty", "Duisburg", "container", avoid_countries=["KZ"])
    assert "every route needs country KZ, which is avoided" in str(e.value)
    with pytest.raises(NoRouteError) as e:
        router.route(
            "Xi'an",
            "Duisburg",
            "container",
            avoid_countries=["RU", "AZ"],
            modes=["rail", "road", "ferry"],
        )
    assert e.value.cause in ("country AZ is avoided", "country RU is avoided")
    with pytest.raises(NoRouteError) as e:
        router.route(
            "Xi'an",
            "Duisburg",
            "container",
            avoid_countries=["RU", "AZ"],
            avoid_passages=["suez", "cape"],
        )
    # sea is still possible if only Suez, or only the Cape, is avoided -> a single passage is named
    assert e.value.cause.startswith(("passage", "country"))


def test_year_selects_planned_links():
    net = toy_network()
    r25 = Router(build_routing_graph(net, year=2025))
    r30 = Router(build_routing_graph(net, year=2030))
    a = r25.route("Dostyk", "Aktau", "container", objective="time")
    b = r30.route("Dostyk", "Aktau", "container", objective="time")
    assert a.km == pytest.approx(880 + 2900)
    assert b.km == pytest.approx(2600)


def test_sea_routes_by_suez_and_cape(router):
    suez = router.route("Shanghai", "Rotterdam", "container", modes=["sea"])
    assert suez.corridor == "Sea via Suez"
    assert suez.km == pytest.approx(4100 + 8300 + 3600 + 2700)
    cape = router.route(
        "Shanghai", "Rotterdam", "container", modes=["sea"], avoid_passages=["suez"]
    )
    assert cape.corridor == "Sea via Cape"
    assert cape.km == pytest.approx(4100 + 9700 + 8500 + 2700)
    # sailing at 16 kn with port calls en route, port dwell at both ends, the liner's wait
    v = model_params().value
    hours = (
        cape.km / v("sea.speed") + cape.km / 1000 * v("sea.calls_h_per_1000km")
        + v("port.dwell.load") + v("sea.liner_wait") + v("port.dwell.discharge")
    )  # fmt: skip
    assert cape.totals["hours"] == pytest.approx(hours)
    assert cape.totals["hours_schedule"] == pytest.approx(v("sea.liner_wait"))


def _virtual_nx(r: Router, weights: np.ndarray) -> nx.DiGraph:
    g = r.rg.graph
    G = nx.DiGraph()
    for e in range(g.n_edges):
        w = float(weights[e])
        if not np.isfinite(w):
            continue
        u, v = int(g.tails[e]), int(g.heads[e])
        if not g.passable[u]:
            u = ("src", u)  # places may only start a path
        if G.has_edge(u, v) and G[u][v]["weight"] <= w:
            continue
        G.add_edge(u, v, weight=w, e=e)
    return G


@pytest.mark.parametrize("objective", ["time", "cost", "generalised"])
def test_matches_networkx_on_every_pair(router, objective):
    lc = router.costs("container")
    w = router.edge_objective(lc, objective)
    G = _virtual_nx(router, w)
    names = ["Xi'an", "Almaty", "Aktau", "Tbilisi", "Istanbul", "Duisburg", "Shanghai", "Constanța"]
    for a, b in itertools.permutations(names, 2):
        route = router.route(a, b, "container", objective=objective)
        po, pd_ = router.rg.place(route.origin), router.rg.place(route.destination)
        ref = nx.dijkstra_path_length(G, ("src", po), pd_)
        total = lc.objective(objective)[route.vlink_rows].sum()
        assert total == pytest.approx(ref, rel=1e-9), (a, b)


def _brute_force_front(router, o, d):
    """Every non-dominated (hours, usd) over all simple paths of the virtual graph."""
    lc = router.costs("container")
    g = router.rg.graph
    h = lc.hours[g.link_rows]
    u = lc.usd[g.link_rows]
    G = _virtual_nx(router, np.where(lc.allowed[g.link_rows], 1.0, np.inf))
    po, pd_ = router.rg.place(router.resolve(o)), router.rg.place(router.resolve(d))
    edge_of = {(a, b): data["e"] for a, b, data in G.edges(data=True)}
    cand = set()
    for path in nx.all_simple_paths(G, ("src", po), pd_):
        es = [edge_of[(a, b)] for a, b in itertools.pairwise(path)]
        cand.add((round(float(h[es].sum()), 6), round(float(u[es].sum()), 6)))
    return sorted(
        p for p in cand if not any(q[0] <= p[0] and q[1] <= p[1] and q != p for q in cand)
    )


@pytest.mark.parametrize(
    ("o", "d"), [("Shanghai", "Duisburg"), ("Xi'an", "Istanbul"), ("Almaty", "Rotterdam")]
)
def test_pareto_labels_match_brute_force(router, o, d):
    front = router.pareto(o, d, "container", max_routes=100)
    got = sorted((round(r.totals["hours"], 6), round(r.totals["usd"], 6)) for r in front)
    ref = _brute_force_front(router, o, d)
    assert len(got) == len(ref)
    assert np.allclose(np.array(got), np.array(ref))


def test_pareto_matches_brute_force_hull(router):
    o, d = "Shanghai", "Duisburg"
    front = router.pareto(o, d, "container", method="nise")
    pts = sorted((r.totals["hours"], r.totals["usd"]) for r in front)
    # brute force: every simple path on the virtual graph (small enough here)
    lc = router.costs("container")
    g = router.rg.graph
    h = lc.hours[g.link_rows]
    u = lc.usd[g.link_rows]
    allowed = lc.allowed[g.link_rows]
    G = _virtual_nx(router, np.where(allowed, 1.0, np.inf))
    po, pd_ = router.rg.place(router.resolve(o)), router.rg.place(router.resolve(d))
    edge_of = {(a, b): data["e"] for a, b, data in G.edges(data=True)}
    cand = set()
    for path in nx.all_simple_paths(G, ("src", po), pd_):
        es = [edge_of[(a, b)] for a, b in itertools.pairwise(path)]
        cand.add((round(float(h[es].sum()), 6), round(float(u[es].sum()), 6)))
    cand = sorted(cand)
    nondom = [p for p in cand if not any(q[0] <= p[0] and q[1] <= p[1] and q != p for q in cand)]
    # lower convex hull of the non-dominated points = the supported points
    hull: list[tuple[float, float]] = []
    for p in nondom:
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1) <= 1e-9:
                hull.pop()
            else:
                break
        hull.append(p)
    got = [(round(a, 6), round(b, 6)) for a, b in pts]
    assert len(got) == len(hull) >= 2
    assert np.allclose(np.array(got), np.array(hull))


def test_alternatives_are_distinct(router):
    alts = router.alternatives("Xi'an", "Duisburg", "container", k=3, max_overlap=0.6)
    assert len(alts) >= 2
    labels = [a.corridor for a in alts]
    assert len(set(labels)) >= 2
    km_sets = [set(a.physical_links()) for a in alts]
    for i, j in itertools.combinations(range(len(alts)), 2):
        assert km_sets[i] != km_sets[j]
    gcs = [a.totals["gc_usd"] for a in alts]
    assert gcs == sorted(gcs)
    best = router.route("Xi'an", "Duisburg", "container")
    assert gcs[0] == pytest.approx(best.totals["gc_usd"])


def test_json_and_geojson(router):
    import json

    r = router.route("Almaty", "Constanța", "container")
    d = r.to_dict()
    json.dumps(d)
    assert {"days", "km", "usd", "corridor", "legs"} <= d.keys()
    assert d["days"] == pytest.approx(r.totals["hours"] / 24, rel=1e-3)
    gj = r.to_geojson(router.rg.network.nodes)
    json.dumps(gj)
    lines = [f for f in gj["features"] if f["geometry"]["type"] == "LineString"]
    assert len(lines) == (r.legs["kind"] == "move").sum()


def test_constraints_do_not_mutate_graph(router):
    before = router.rg.graph.heads.copy(), router.costs("container").gc.copy()
    router.route("Xi'an", "Duisburg", "container", avoid_countries=["RU"], avoid_passages=["suez"])
    assert np.array_equal(before[0], router.rg.graph.heads)
    assert np.array_equal(before[1], router.costs("container").gc)
    assert Constraints.make(avoid_countries=["ru"]).avoid_countries == {"RU"}


def test_bad_inputs(router):
    with pytest.raises(InputError, match="commodity"):
        router.route("Almaty", "Aktau", "bananas")
    with pytest.raises(InputError, match="objective"):
        router.route("Almaty", "Aktau", objective="fast")
    with pytest.raises(InputError, match="same place"):
        router.route("Almaty", "Алматы")
    bad = toy_network().with_tables(
        services=pd.DataFrame(
            {
                "service_id": ["x"],
                "from_node": [5],
                "to_node": [6],
                "mode": ["ferry"],
                "crossing_h": [10.0],
                "frequency_per_week": [0.0],
            }
        )
    )
    with pytest.raises(InputError, match="frequency_per_week"):
        build_routing_graph(bad)


def test_border_and_gauge_times_from_tables():
    net = toy_network()
    # Dostyk (node 3): gauge change 2 h, USD 40; the CN->KZ crossing link (id 20, 2->3) 10 h
    net = net.with_tables(
        gauge_breaks=pd.DataFrame(
            {"node_id": [3], "transshipment_h": [2.0], "cost_usd_feu": [40.0]}
        ),
        border_crossings=pd.DataFrame({"link_id": [20], "time_h": [10.0]}),
    )
    r = Router(build_routing_graph(net, year=2025))
    route = r.route("Xi'an", "Almaty", "container", objective="time")
    legs = route.legs.set_index("kind")
    assert legs.loc["gauge", "hours"] == pytest.approx(2.0)
    assert legs.loc["gauge", "usd"] == pytest.approx(40.0)
    assert legs.loc["border", "hours"] == pytest.approx(10.0)
    v = model_params().value
    hours = (
        (2900 + 12) / v("rail.speed.CN") + 880 / v("rail.speed.KZ")
        + (2900 + 12 + 880) / 1000 * v("rail.enroute_h_per_1000km")
        + v("terminal.rail.origin") + v("terminal.rail.dest") + 2 + 10
    )  # fmt: skip
    assert route.totals["hours"] == pytest.approx(hours)
    # a measured figure (no estimate flag) is reported as measured
    assert legs.loc["border", "time_basis"] == "measured"


def test_coordinates_far_from_the_network_are_an_error(router):
    with pytest.raises(
        InputError, match=r"off the network: .* the nearest place on the network is Almaty"
    ):
        router.route("47.0, 77.0", "Duisburg")  # ~420 km north of Almaty
    with pytest.raises(InputError, match="valid lat,lon"):
        router.resolve("95.0, 10.0")


def test_a_commodity_changes_gauge_only_at_its_listed_breaks():
    # commodities.csv gauge_breaks (class 7: the China-Kazakhstan crossings): Dostyk listed,
    # Malaszewicze not; containers (no list) change gauge anywhere
    from dataclasses import replace

    from serai.freight.cost import gauge_break_ids

    net = toy_network().with_tables(
        gauge_breaks=pd.DataFrame(
            {"node_id": [3, 8, 13], "gauge_break_id": ["dostyk", "akhalkalaki", "brest"]}
        )
    )
    r = Router(build_routing_graph(net, year=2025))
    listed = replace(commodity("container"), commodity="listed", gauge_breaks=("dostyk",))
    v = r.rg.vlinks
    gauge = (v["kind"] == "gauge").to_numpy()
    site = gauge_break_ids(net, v["node_id"].to_numpy())
    assert set(site[gauge]) == {"dostyk", "akhalkalaki", "brest"}
    ok = r.costs(listed).allowed
    assert ok[gauge & (site == "dostyk")].all() and not ok[gauge & (site != "dostyk")].any()
    assert r.costs("container").allowed[gauge].all()
    assert r.route("Xi'an", "Almaty", listed, modes=["rail"]).km > 0  # via Dostyk
    by_rail = r.route("Xi'an", "Duisburg", "container", modes=["rail"])
    assert (by_rail.legs["kind"] == "gauge").sum() == 2
    with pytest.raises(NoRouteError):  # by rail only through Malaszewicze's break of gauge
        r.route("Xi'an", "Duisburg", listed, modes=["rail"])
    other = r.route("Xi'an", "Duisburg", listed)  # the road remains
    rows = r.rg.vlinks.iloc[other.vlink_rows]
    assert set(site[other.vlink_rows][(rows["kind"] == "gauge").to_numpy()]) <= {"dostyk"}


def _exhaustive_front(router, o, d):
    """Reported (hours, usd) of every simple path of the virtual graph, read back as routes
    (exact truck rests), and the non-dominated ones among them."""
    lc = router.costs("container")
    g = router.rg.graph
    G = _virtual_nx(router, np.where(lc.allowed[g.link_rows], 1.0, np.inf))
    po, pd_ = router.rg.place(router.resolve(o)), router.rg.place(router.resolve(d))
    edge_of = {(a, b): data["e"] for a, b, data in G.edges(data=True)}
    cons = Constraints.make()
    pts = set()
    for path in nx.all_simple_paths(G, ("src", po), pd_):
        es = np.array([edge_of[(a, b)] for a, b in itertools.pairwise(path)], np.int64)
        r = router._make_route(es, router.resolve(o), router.resolve(d), lc, "pareto", cons)
        pts.add((round(r.totals["hours"], 6), round(r.totals["usd"], 6)))
    front = {p for p in pts if not any(q[0] <= p[0] and q[1] <= p[1] and q != p for q in pts)}
    return pts, front


@pytest.mark.parametrize(
    ("o", "d"), [("Almaty", "Rotterdam"), ("Xi'an", "Istanbul"), ("Almaty", "Constanța")]
)
def test_pareto_set_is_non_dominated_on_its_reported_totals(router, o, d):
    front = router.pareto(o, d, "container", max_routes=100)
    got = [(round(r.totals["hours"], 6), round(r.totals["usd"], 6)) for r in front]
    # brute-force dominance over the returned set, on what the user is shown
    for p in got:
        assert not any(q[0] <= p[0] and q[1] <= p[1] and q != p for q in got), (p, got)
    assert [h for h, _ in got] == sorted(h for h, _ in got)  # fastest first
    # exhaustive enumeration: every route returned is on the true frontier of the reported
    # totals (no path at all is faster and cheaper), and the frontier is found
    _, ref = _exhaustive_front(router, o, d)
    assert set(got) <= ref
    assert set(got) == ref
    from serai.freight.alternatives import dominated

    assert not dominated(front).any()


def test_pareto_drops_routes_dominated_once_truck_rests_are_exact():
    # a long truck haul is priced in the search at a week's rest rate per driving hour; one
    # haul of 12,000 km (~200 h driving) rests more: the search sees 412 h, the route 539 h,
    # slower and dearer than the rail route (513 h)
    extra = [(41, 1, 14, "road", 12000, None, "", "open", None)]
    r = Router(build_routing_graph(toy_network(extra_links=extra)))
    truck = r.route("Xi'an", "Duisburg", "container", modes=["road"])
    lc = r.costs("container")
    assert lc.hours[truck.vlink_rows].sum() < 513 < truck.totals["hours"]
    front = r.pareto("Xi'an", "Duisburg", "container", max_routes=100)
    got = [(round(x.totals["hours"], 6), round(x.totals["usd"], 6)) for x in front]
    for p in got:
        assert not any(q[0] <= p[0] and q[1] <= p[1] and q != p for q in got), (p, got)
    _, ref = _exhaustive_front(r, "Xi'an", "Duisburg")
    assert set(got) == ref


def test_corridor_labels_say_what_the_route_does():
    from serai.freight.corridors import corridor_label

    # the CKU label needs the CKU railway (named line), not only the countries
    assert corridor_label(["CN", "KG", "UZ"], [], lines=["cku"]) == "CKU"
    assert corridor_label(["CN", "KG", "UZ"], []) == "Kyrgyzstan road"
    assert corridor_label(["CN", "KG", "UZ", "TM", "IR", "TR"], []) == (
        "Kyrgyzstan road + Southern (via Iran)"
    )
    # a mostly-sea route crossing Iran or Russia by land between two coasts says so
    assert corridor_label(["CN", "IR", "TR", "DE"], ["ormuz"], sea_share=0.8) == (
        "Sea + land via Iran"
    )
    assert corridor_label(["CN", "NL"], ["babalmandab", "suez"], sea_share=0.97) == "Sea via Suez"
    # ending in Iran is not a land bridge
    assert corridor_label(["CN", "IR"], ["ormuz"], sea_share=0.95) == "Sea"
    # rail to Aktau, the Caspian ferry, Baku, Georgia, Poti, then at sea to Baltimore: the
    # land corridor that reached the sea is named, not just "Sea"
    kz_us = corridor_label(["KZ", "AZ", "GE", "TR", "US"], ["bosporus", "dardanelles"],
                           [("KZ", "AZ")], sea_share=0.8)  # fmt: skip
    assert kz_us == "Middle Corridor (TITR) + sea"


def test_zangezur_label_needs_the_tripp_line_not_only_armenia_and_azerbaijan():
    from serai.freight.corridors import corridor_label

    # Baku -> Tbilisi -> Yerevan (new-user trial) and Yerevan -> Iran -> Nakhchivan touch
    # both countries but not the Zangezur link through Syunik
    assert corridor_label(["AZ", "GE", "AM"], [], lines=["btk"]) == "Other land route"
    assert corridor_label(["AM", "IR", "AZ"], []) == "Southern (via Iran)"
    # the TRIPP / Meghri line between mainland Azerbaijan and Nakhchivan is the corridor
    lines = ["horadiz_aghband", "tripp_armenia", "nakhchivan_railway", "kars_dilucu"]
    assert corridor_label(["AZ", "AM", "TR"], [], lines=lines) == "Other land route + Zangezur"


def test_passage_gate_known_names_aliases_and_suggestions(router):
    # a passage serai knows by name but this network lacks (closed in a scenario, or not
    # drawn) is avoided trivially; a misspelling is still an error, with a suggestion
    assert "kerch" not in set(router._passages)
    a = router.route("Shanghai", "Rotterdam", "container", avoid_passages=["kerch"])
    b = router.route("Shanghai", "Rotterdam", "container")
    assert a.totals["gc_usd"] == b.totals["gc_usd"]
    with pytest.raises(InputError, match=r"unknown passage 'red_sea'; did you mean babalmandab"):
        router.route("Shanghai", "Rotterdam", "container", avoid_passages=["red_sea"])
    with pytest.raises(InputError, match=r"unknown passage 'suezz'; did you mean suez"):
        router.route("Shanghai", "Rotterdam", "container", avoid_passages=["suezz"])
    # the Strait of Hormuz has two names in the passage list: avoiding one avoids both
    assert Constraints.make(avoid_passages=["hormuz"]).avoid_passages == {"hormuz", "ormuz"}


def test_flagship_variant_answered_in_another_corridor_is_no_route(router):
    from serai.freight.flagship import Question, answer_flagship, summary_table

    # "sea via Suez" with Suez closed (here: avoided) goes round the Cape: that is not an
    # answer to the variant (the red-sea scenario printed it as "sea via Suez")
    q = Question("Shanghai -> Rotterdam (FEU)", "sea via Suez", "Shanghai", "Rotterdam",
                 constraints={"modes": ["sea"], "avoid_passages": ["suez"]},
                 corridor="Sea via Suez")  # fmt: skip
    (a,) = answer_flagship({2025: router}, [q])
    assert a.route is None
    assert "no route sea via Suez" in a.error and "Sea via Cape" in a.error
    row = summary_table([a]).iloc[0]
    assert row["corridor"] == "no route"
    ok = Question("Shanghai -> Rotterdam (FEU)", "sea via Cape", "Shanghai", "Rotterdam",
                  constraints={"modes": ["sea"], "avoid_passages": ["suez"]},
                  corridor="Sea via Cape")  # fmt: skip
    (b,) = answer_flagship({2025: router}, [ok])
    assert b.route is not None and b.route.corridor == "Sea via Cape"
