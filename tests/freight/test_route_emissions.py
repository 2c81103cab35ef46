"""Emissions on route results: footprint, carbon price, least-emission routes (issue 6)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from serai.cli import app
from serai.emissions import route_legs
from serai.emissions.accounting import Shipment, account_chain
from serai.freight import Router, build_routing_graph, commodity
from serai.freight.query import RouteRequest, run_request
from serai.network import write_network
from tests.freight.toy import toy_network

PAIRS = [
    ("Xi'an", "Duisburg"),
    ("Almaty", "Istanbul"),
    ("Shanghai", "Rotterdam"),
    ("Xi'an", "Constanța"),
    ("Almaty", "Duisburg"),
]


@pytest.fixture(scope="module")
def router():
    return Router(build_routing_graph(toy_network()))


@pytest.mark.parametrize("o,d", PAIRS)
@pytest.mark.parametrize("objective", ["generalised", "time", "emissions"])
def test_footprint_equals_legs_and_independent_account(router, o, d, objective):
    r = router.route(o, d, "container_feu", objective=objective)
    fp = r.footprint
    # legs of the route (vlink emissions grouped like the legs table) sum to the footprint
    assert r.legs["co2e_kg"].sum() == pytest.approx(fp.totals["wtw_kg"], rel=1e-9)
    assert r.totals["co2e_kg"] == pytest.approx(fp.totals["wtw_kg"], rel=1e-9)
    # components
    el = fp.elements
    assert el["wtw_kg"].sum() == pytest.approx(fp.totals["wtw_kg"], rel=1e-9)
    assert (el["wtt_kg"] + el["ttw_kg"]).to_numpy() == pytest.approx(el["wtw_kg"].to_numpy())
    # independent path: account_chain over the route's transport chain, built by hand
    c = commodity("container_feu")
    ship = Shipment("x", mass_t=c.tonnes_per_unit, teu=2.0 * c.base_per_unit)
    ref = account_chain(route_legs(r, router.rg), ship)
    for k in ("wtw_kg", "wtt_kg", "ttw_kg"):
        assert fp.totals[k] == pytest.approx(ref.totals[k], rel=1e-12)
    assert fp.totals["wtw_kg"] > 0


@pytest.mark.parametrize("o,d", PAIRS)
@pytest.mark.parametrize("price", [50.0, 180.0])
def test_carbon_price_adds_price_times_wtw(router, o, d, price):
    r = router.route(o, d, "container_feu", carbon_price_usd_per_t=price)
    lc0 = router.costs("container_feu")
    gc0 = float(lc0.gc[r.vlink_rows].sum())  # the same route without a carbon price
    carbon = price * r.footprint.totals["wtw_kg"] / 1000.0
    assert r.totals["usd_carbon"] == pytest.approx(carbon, rel=1e-9)
    assert r.totals["gc_usd"] - gc0 == pytest.approx(carbon, rel=1e-9)
    r0 = router.route(o, d, "container_feu")
    assert r0.totals["usd_carbon"] == 0.0
    # the priced route is optimal under the priced cost: no worse than the unpriced choice
    assert r.totals["gc_usd"] <= r0.totals["gc_usd"] + carbon_of(r0, price) + 1e-6


def carbon_of(r, price):
    return price * r.totals["co2e_kg"] / 1000.0


def test_huge_carbon_price_gives_the_least_emission_route(router):
    for o, d in PAIRS:
        best = router.route(o, d, "container_feu", objective="emissions").co2e_kg
        r = router.route(o, d, "container_feu", carbon_price_usd_per_t=1e7)
        assert r.co2e_kg == pytest.approx(best, rel=1e-6)


@pytest.mark.parametrize("o,d", PAIRS)
def test_least_emission_route_is_no_dirtier(router, o, d):
    e = router.route(o, d, "container_feu", objective="emissions")
    # tie-break term: 1e-6 kg per hour
    for obj in ("time", "cost", "generalised"):
        other = router.route(o, d, "container_feu", objective=obj)
        assert e.co2e_kg <= other.co2e_kg + 1e-6 * other.totals["hours"] + 1e-9
    for alt in router.alternatives(o, d, "container_feu", k=3, objective="time"):
        assert e.co2e_kg <= alt.co2e_kg + 1e-6 * alt.totals["hours"] + 1e-9


def test_least_emission_matches_brute_force(router):
    """A second shortest-path algorithm (networkx Dijkstra) on the pure emissions cost."""
    nx = pytest.importorskip("networkx")
    g = router.rg.graph
    lc = router.costs("container_feu")
    w = lc.kg_co2e[g.link_rows]
    ok = lc.allowed[g.link_rows]
    G = nx.DiGraph()
    for u in range(g.n_nodes):
        for e in range(g.indptr[u], g.indptr[u + 1]):
            v = int(g.heads[e])
            if ok[e] and (not G.has_edge(u, v) or G[u][v]["w"] > w[e]):
                G.add_edge(u, v, w=float(w[e]))
    for o, d in PAIRS:
        r = router.route(o, d, "container_feu", objective="emissions")
        po = router.rg.place(router.resolve(o))
        pd_ = router.rg.place(router.resolve(d))
        # paths may not pass through impassable nodes (places): drop their out-edges
        H = G.copy()
        H.remove_edges_from([(u, v) for u, v in G.edges if not g.passable[u] and u not in (po,)])
        ref = nx.dijkstra_path_length(H, po, pd_, weight="w")
        assert r.co2e_kg == pytest.approx(ref, rel=1e-6, abs=1e-6)


def test_request_carries_carbon_price_and_objective(router):
    req = RouteRequest("Xi'an", "Duisburg", "container_feu", carbon_price_usd_per_t=100.0)
    (r,) = run_request(router, req)
    assert r.totals["usd_carbon"] == pytest.approx(0.1 * r.co2e_kg, rel=1e-9)
    (e,) = run_request(router, RouteRequest("Xi'an", "Duisburg", objective="emissions"))
    assert e.objective == "emissions"
    alts = run_request(
        router, RouteRequest("Xi'an", "Duisburg", objective="emissions", alternatives=3)
    )
    assert [a.co2e_kg for a in alts] == sorted(a.co2e_kg for a in alts)


def test_negative_carbon_price_is_an_input_error(router):
    from serai.errors import InputError

    with pytest.raises(InputError, match="carbon price"):
        router.route("Xi'an", "Duisburg", carbon_price_usd_per_t=-1.0)


@pytest.fixture(scope="module")
def net_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("toy") / "net"
    write_network(toy_network(), path, format="csv")
    return path


def _cli(net_dir, *args):
    res = CliRunner().invoke(
        app, ["route", "--from", "Xi'an", "--to", "Duisburg", "--network", str(net_dir), *args]
    )
    assert res.exit_code == 0, res.output
    return res.output


def test_cli_json_has_emissions(net_dir, router):
    d = json.loads(_cli(net_dir, "--json"))
    assert {"co2e_kg", "wtt_kg", "ttw_kg", "usd_carbon", "emissions"} <= d.keys()
    assert d["co2e_kg"] == pytest.approx(d["wtt_kg"] + d["ttw_kg"], abs=1e-3)
    assert all("co2e_kg" in leg for leg in d["legs"])
    assert sum(leg["co2e_kg"] for leg in d["legs"]) == pytest.approx(d["co2e_kg"], abs=1e-3)
    em = d["emissions"]
    assert {"co2e_kg", "wtt_kg", "ttw_kg", "elements"} <= em.keys()
    assert sum(x["wtw_kg"] for x in em["elements"]) == pytest.approx(em["co2e_kg"], abs=1e-3)
    # same numbers as the Python API
    r = router.route("Xi'an", "Duisburg", "container_feu")
    assert d["co2e_kg"] == pytest.approx(r.co2e_kg, abs=1e-3)


def test_cli_carbon_price_and_emissions_objective(net_dir):
    d0 = json.loads(_cli(net_dir, "--json"))
    d = json.loads(_cli(net_dir, "--json", "--carbon-price", "100"))
    assert d["usd_carbon"] == pytest.approx(0.1 * d["co2e_kg"], abs=1e-3)
    assert d["gc_usd"] >= d0["gc_usd"]
    e = json.loads(_cli(net_dir, "--json", "--objective", "emissions"))
    assert e["objective"] == "emissions"
    assert e["co2e_kg"] <= d0["co2e_kg"] + 1e-3
    table = _cli(net_dir)
    assert "kg CO2e" in table and "well-to-wheel" in table


def test_embedded_network_emissions():
    data = pytest.importorskip("serai.data")
    try:
        net = data.load_eurasia()
    except Exception as exc:  # pragma: no cover
        pytest.skip(f"embedded network not available: {exc}")
    router = Router(build_routing_graph(net, year=2025))
    routes = {
        obj: router.route("Xi'an", "Duisburg", "container", objective=obj)
        for obj in ("time", "cost", "generalised", "emissions")
    }
    for r in routes.values():
        assert r.legs["co2e_kg"].sum() == pytest.approx(r.footprint.totals["wtw_kg"], rel=1e-9)
    best = routes["emissions"].co2e_kg
    for obj, r in routes.items():
        assert best <= r.co2e_kg + 1e-6 * r.totals["hours"] + 1e-9, obj
    assert 0 < best < 10_000  # one FEU, ~9,000-11,000 km by rail, 10-30 g/tkm
