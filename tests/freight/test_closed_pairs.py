"""Closed country pairs (border_status, mode all): no route visits both countries of one.

The oracle is exhaustive: the best compliant route is the best, over every set of the
closed pairs' countries avoided, of the routes found with that set avoided that visit no
closed pair (the best compliant route R avoids the set S of pair countries it does not
visit; the best route avoiding S visits only countries R visits, so complies, and costs
no more than R).
"""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from serai.freight import NoRouteError, Router, build_routing_graph
from serai.freight.closedpairs import ClosedPairError, closed_pairs, route_countries
from serai.network import Network
from tests.freight.toy import toy_network

KEY = {"time": "hours", "cost": "usd", "generalised": "gc_usd"}


def _status(rows) -> pd.DataFrame:
    """A border_status table of (id, a, b, mode, closed_from, reopen_year[, box]) rows."""
    cols = ["status_id", "country_a", "country_b", "mode", "closed_from", "reopen_year"]
    out = pd.DataFrame([r[:6] for r in rows], columns=cols)
    out["status"] = "closed"
    out["note"] = "EST (test): " + out["status_id"]
    out["estimate"] = "true"
    box = [r[6] if len(r) > 6 else (None,) * 4 for r in rows]
    for i, c in enumerate(("lon_min", "lat_min", "lon_max", "lat_max")):
        out[c] = [b[i] for b in box]
    return out


def _net(rows) -> Network:
    net = toy_network()
    tables = dict(net.tables)
    tables["border_status"] = _status(rows)
    return Network(tables, dict(net.meta))


#: transit pair (RU-PL), an end pair (KZ-GE), a pair reopened before 2025 (AZ-GE),
#: a road-only row and a boxed row (neither is a pair rule)
ROWS = [
    ("ru_pl", "RU", "PL", "all", 2022, None),
    ("kz_ge", "KZ", "GE", "all", "2022", ""),
    ("az_ge", "AZ", "GE", "all", 2010, 2020),
    ("tr_ro_road", "TR", "RO", "road", 2022, None),
    ("by_pl_box", "BY", "PL", "all", 2022, None, (23.0, 51.0, 24.0, 53.0)),
    ("cn_tr", "CN", "TR", "all", 2022, None),
]
PLACES = ["Xi'an", "Almaty", "Aktau", "Tbilisi", "Istanbul", "Moscow", "Duisburg", "Shanghai",
          "Constanța", "Rotterdam", "Poti"]  # fmt: skip


@pytest.fixture(scope="module")
def routers() -> tuple[Router, Router]:
    closed = Router(build_routing_graph(_net(ROWS), year=2025))
    plain = Router(build_routing_graph(toy_network(), year=2025))
    return closed, plain


def test_closed_pairs_by_year_mode_and_box():
    bs = _status(ROWS)
    assert [p.status_id for p in closed_pairs(bs, 2025)] == ["ru_pl", "kz_ge", "cn_tr"]
    assert [p.status_id for p in closed_pairs(bs, 2015)] == ["az_ge"]
    assert closed_pairs(bs, 2005) == ()
    assert [p.status_id for p in closed_pairs(bs, None)] == ["ru_pl", "kz_ge", "cn_tr"]
    p = closed_pairs(bs, 2025)[1]
    assert (p.countries, p.closed_from, p.reopen_year, p.estimate) == (
        ("KZ", "GE"),
        2022,
        None,
        True,
    )


def _oracle(plain: Router, o: str, d: str, objective: str):
    """Best route visiting no closed pair: every avoided set of pair countries tried."""
    pairs = closed_pairs(_status(ROWS), 2025)
    pc = sorted({c for p in pairs for c in p.countries})
    best = None
    for n in range(len(pc) + 1):
        for s in itertools.combinations(pc, n):
            try:
                r = plain.route(o, d, "container", objective=objective, avoid_countries=list(s))
            except NoRouteError:
                continue
            cs = route_countries(r)
            if any(set(p.countries) <= cs for p in pairs):
                continue
            if best is None or r.totals[KEY[objective]] < best.totals[KEY[objective]] - 1e-9:
                best = r
    return best


@pytest.mark.parametrize("objective", ["time", "generalised"])
def test_route_is_the_best_compliant_route(routers, objective):
    closed, plain = routers
    pairs = closed_pairs(_status(ROWS), 2025)
    kinds = set()
    for o, d in itertools.permutations(PLACES, 2):
        want = _oracle(plain, o, d, objective)
        free = plain.route(o, d, "container", objective=objective)
        if want is None:
            with pytest.raises(ClosedPairError) as e:
                closed.route(o, d, "container", objective=objective)
            assert e.value.cause.startswith("closed pair ")
            kinds.add("refused")
            continue
        got = closed.route(o, d, "container", objective=objective)
        assert got.totals[KEY[objective]] == pytest.approx(want.totals[KEY[objective]])
        cs = route_countries(got)
        assert not any(set(p.countries) <= cs for p in pairs), (o, d, got.countries)
        if got.totals[KEY[objective]] > free.totals[KEY[objective]] + 1e-9:
            kinds.add("rerouted")
        else:  # untouched: the very route of the network without the pairs
            assert list(got.vlink_rows) == list(free.vlink_rows)
    assert kinds == {"refused", "rerouted"}


def test_transit_end_and_refusal(routers):
    closed, plain = routers
    # transit through RU and PL (neither end in the pair): the cheaper of avoiding either
    free = plain.route("Xi'an", "Duisburg", "container", objective="time")
    assert {"RU", "PL"} <= set(free.countries)
    r = closed.route("Xi'an", "Duisburg", "container", objective="time")
    assert not {"RU", "PL"} <= set(r.countries)
    # one end in the pair (Almaty, KZ): Georgia avoided (through Russia and Poland)
    free = plain.route("Almaty", "Istanbul", "container", objective="time")
    assert "GE" in free.countries
    only = Router(build_routing_graph(_net([ROWS[1]]), year=2025))
    r = only.route("Almaty", "Istanbul", "container", objective="time")
    assert "GE" not in r.countries and {"RU", "PL"} <= set(r.countries)
    # ... which the RU-PL pair closes too: no route, the message names both pairs
    with pytest.raises(ClosedPairError) as e:
        closed.route("Almaty", "Istanbul", "container", objective="time")
    assert "every route visits both KZ and GE" in str(e.value)
    assert "visit both RU and PL (border_status ru_pl)" in str(e.value)
    # both ends in the pair: refused, naming the pair, its status and its note
    with pytest.raises(ClosedPairError) as e:
        closed.route("Almaty", "Tbilisi", "container")
    msg = str(e.value)
    assert "KZ and GE are closed to freight between them since 2022" in msg
    assert "border_status kz_ge, status closed, mode all" in msg
    assert "EST (test): kz_ge" in msg and msg.startswith(
        "no route from Almaty (KZ) to Tbilisi (GE)"
    )
    assert e.value.field == "destination" and isinstance(e.value, NoRouteError)


def test_year_before_the_closure_routes_as_before():
    before = Router(build_routing_graph(_net(ROWS), year=2020))
    plain = Router(build_routing_graph(toy_network(), year=2020))
    r = before.route("Almaty", "Tbilisi", "container")
    assert list(r.vlink_rows) == list(plain.route("Almaty", "Tbilisi", "container").vlink_rows)


def test_alternatives_and_pareto_comply(routers):
    closed, _ = routers
    pairs = closed_pairs(_status(ROWS), 2025)
    for o, d in itertools.permutations(["Xi'an", "Almaty", "Moscow", "Duisburg", "Istanbul"], 2):
        try:
            closed.route(o, d, "container")
        except ClosedPairError:
            with pytest.raises(ClosedPairError):
                closed.alternatives(o, d, "container")
            with pytest.raises(ClosedPairError):
                closed.pareto(o, d, "container")
            continue
        alts = closed.alternatives(o, d, "container", k=4, distinct_corridors=True)
        front = closed.pareto(o, d, "container")
        assert alts and front
        for r in [*alts, *front]:
            cs = route_countries(r)
            assert not any(set(p.countries) <= cs for p in pairs), (o, d, r.countries)
    with pytest.raises(ClosedPairError):
        closed.alternatives("Almaty", "Tbilisi", "container")
    with pytest.raises(ClosedPairError):
        closed.pareto("Almaty", "Tbilisi", "container")


def test_a_line_agreed_across_the_pair_lifts_it():
    # TRIPP-like: a new Alat-Tbilisi line opening in 2024, after the AZ-GE closure of 2010
    net = toy_network(extra_links=[(50, 6, 7, "rail", 500, 1520, "", "planned", 2024)])
    tables = dict(net.tables)
    tables["border_status"] = _status([("az_ge", "AZ", "GE", "all", 2010, None)])
    net = Network(tables, dict(net.meta))
    with pytest.raises(ClosedPairError):
        Router(build_routing_graph(net, year=2023)).route("Alat", "Tbilisi", "container")
    r = Router(build_routing_graph(net, year=2025)).route("Alat", "Tbilisi", "container")
    assert route_countries(r) == {"AZ", "GE"}


def test_embedded_network_russia_ukraine_belarus(eurasia_router_2025):
    r = eurasia_router_2025
    # am_tr closes the land border only (data/closure_scope.csv): trade goes via Georgia
    assert {p.status_id for p in closed_pairs_of(r)} == {"ru_ua", "by_ua", "am_az"}
    for o, d, pair in [("Moscow", "Odesa", "ru_ua"), ("Minsk", "Kyiv", "by_ua")]:
        with pytest.raises(ClosedPairError) as e:
            r.route(o, d, "container_feu")
        assert e.value.cause == f"closed pair {pair}" and "since 2022" in str(e.value)
    # Almaty -> Kyiv went by rail through Russia to Novorossiysk, then by sea
    route = r.route("Almaty", "Kyiv", "container_feu")
    assert "UA" in route_countries(route) and not {"RU", "BY"} & route_countries(route)
    for x in r.alternatives("Almaty", "Kyiv", "container_feu", k=3, distinct_corridors=True):
        assert not {"RU", "BY"} & route_countries(x), x.countries


def closed_pairs_of(router):
    from serai.freight.closedpairs import router_pairs

    return router_pairs(router)


def test_batch_rows_keep_to_closed_pairs(tmp_path):
    from serai.freight.batch import parse_shipments, read_shipments, route_batch

    only = Router(build_routing_graph(_net([ROWS[1]]), year=2025))
    p = tmp_path / "s.csv"
    p.write_text(
        "id,origin,destination,commodity,quantity\n"
        "a,Almaty,Tbilisi,container,1\nb,Almaty,Istanbul,container,1\n",
        encoding="utf-8",
    )
    good, _ = parse_shipments(read_shipments(p), file=str(p))
    res = route_batch(good, lambda y: only, geometry=False).set_index("id")
    assert res.loc["a", "status"] == "error" and "border_status kz_ge" in res.loc["a", "error"]
    assert res.loc["b", "status"] == "ok" and "GE" not in res.loc["b", "countries"].split("-")


def test_closure_scope_table_names_real_rows_with_reasons(eurasia_router_2025):
    """Every row of data/closure_scope.csv is a closed row of the embedded network's
    border_status, with a scope and a reason; a land-border-only closure (Armenia-Türkiye)
    lets a route visit both countries through a third one."""
    from serai.freight.closedpairs import closure_scopes

    bs = eurasia_router_2025.rg.network.tables["border_status"]
    scopes = closure_scopes()
    closed = set(bs.loc[bs["status"] == "closed", "status_id"])
    assert set(scopes) <= closed, set(scopes) - closed
    assert {scopes["ru_ua"], scopes["am_tr"]} == {"pair", "border"}
    r = eurasia_router_2025.route("Yerevan", "Istanbul", "container_feu")
    assert {"AM", "TR"} <= route_countries(r) and "GE" in route_countries(r)
