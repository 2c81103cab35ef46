"""Emissions of freight routes on the toy Eurasian network (tests/freight/toy.py)."""

from __future__ import annotations

import dataclasses

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from serai.emissions import route_footprint, route_legs, to_ileap, validate_ileap, vlink_emissions
from serai.emissions.routes import link_electrified_share
from serai.errors import InputError
from serai.freight import Router, build_routing_graph, link_costs
from serai.network import Network
from tests.freight.toy import toy_network

DIESEL_WTW = 17.9 * (1 + 0.62665 / 2.57082)


def rail_wtw(share: float, grid: float) -> float:
    return share * 0.027 * grid + (1 - share) * DIESEL_WTW


@pytest.fixture(scope="module")
def rg():
    return build_routing_graph(toy_network())


@pytest.fixture(scope="module")
def middle(rg):
    return Router(rg).route("Xi'an", "Duisburg", "container_feu", via=("Alat",))


def test_route_legs_follow_the_route(rg, middle):
    legs = route_legs(middle, rg)
    assert legs["element"].tolist() == [
        "tce", "hoc", "hoc", "tce", "hoc", "tce", "hoc", "tce", "hoc", "tce", "hoc", "tce", "hoc", "tce",
    ]  # fmt: skip
    hubs = legs.loc[legs["element"] == "hoc", "hoc"].tolist()
    assert hubs == ["border_crossing", "gauge_change_transshipment", "port_ferry_rail", "port_ferry_rail",
                    "border_crossing", "port_container", "port_container"]  # fmt: skip
    tce = legs[legs["element"] == "tce"]
    # toy link lengths: CN 2900 + 12, KZ 880 + 2900, AZ 520, GE 310, Black Sea 1150, RO 2000
    assert tce["km"].iloc[[0, 1, 3, 4, 5, 6]].tolist() == [
        2912.0,
        3780.0,
        520.0,
        310.0,
        1150.0,
        2000.0,
    ]
    assert tce["mode"].tolist() == ["rail", "rail", "ferry", "rail", "rail", "sea", "rail"]
    assert tce["toc"].iloc[2] == "ropax_caspian"
    # the legs table sums to the route's distance
    assert tce["km"].sum() == pytest.approx(middle.km)


def test_route_footprint_by_hand(rg, middle):
    fp = route_footprint(middle, rg)
    e = fp.elements
    t_per_feu, teu = 12.0, 2.0  # container_feu: 12 t per FEU (commodities.csv), 2 TEU
    assert fp.totals["mass_t"] == t_per_feu and fp.totals["teu"] == teu
    cn = e.iloc[0]
    assert cn["wtw_kg"] == pytest.approx(12 * 2912 * rail_wtw(0.7484, 544.355) / 1000, rel=1e-9)
    kz = e.iloc[3]
    assert kz["wtw_kg"] == pytest.approx(12 * 3780 * rail_wtw(0.25, 641.102) / 1000, rel=1e-9)
    assert e.iloc[2]["wtw_kg"] == pytest.approx(2 * 7.0)  # gauge change, 7 kg per TEU
    assert e.iloc[4]["wtw_kg"] == pytest.approx(2 * (7.1 + 1.7))  # rail ferry shunting per TEU
    ferry_km = middle.legs.loc[middle.legs["mode"] == "ferry", "km"].sum()
    assert e.iloc[5]["wtw_kg"] == pytest.approx(12 * ferry_km * 203.0 / 1000, rel=1e-9)
    sea = e.iloc[11]
    assert sea["wtw_kg"] == pytest.approx(12 * 1150 * 12.66 * (1 + 35.3 / 223.3) / 1000, rel=1e-6)


def test_vlink_array_sums_to_the_route_footprint(rg, middle):
    per_vlink = vlink_emissions(rg, "container_feu")
    assert per_vlink.shape == (len(rg.vlinks),)
    assert np.isfinite(per_vlink).all() and (per_vlink >= 0).all()
    fp = route_footprint(middle, rg)
    assert per_vlink[middle.vlink_rows].sum() == pytest.approx(fp.totals["wtw_kg"], rel=1e-12)
    # and for a sea route with ports at both ends
    # (modes: since the Europe-wide network, the all-rail route via Alashankou wins the default
    # generalised cost: 24 days / USD 2,902 against 41 days / USD 2,800 by sea)
    sea = Router(rg).route("Shanghai", "Rotterdam", "container_feu", modes=["sea"])
    sea_legs = route_legs(sea, rg)
    # sea links through several countries' waters form one leg (country only splits rail)
    assert (sea_legs["mode"] == "sea").sum() == 1
    sea_km = sea.legs.loc[sea.legs["mode"] == "sea", "km"].sum()
    assert (sea.legs["mode"] == "sea").sum() > 1 and sea_km > 10000
    assert sea_legs.loc[sea_legs["mode"] == "sea", "km"].iloc[0] == pytest.approx(sea_km)
    assert per_vlink[sea.vlink_rows].sum() == pytest.approx(
        route_footprint(sea, rg).totals["wtw_kg"], rel=1e-12
    )


def test_hook_into_freight_link_costs(rg):
    e = vlink_emissions(rg, "container_feu")
    lc = link_costs(rg, "container_feu", carbon_price_usd_per_t=100.0, emissions_kg_per_unit=e)
    np.testing.assert_allclose(lc.carbon_usd, e / 1000 * 100.0)


def test_least_emission_route_matches_networkx(rg):
    e = vlink_emissions(rg, "container_feu")
    g = rg.graph
    cost = g.edge_values(e)
    o, d = rg.place(1), rg.place(14)  # Xi'an -> Duisburg
    from serai.paths import shortest_path

    ours = shortest_path(g, int(g.node_ids[o]), int(g.node_ids[d]), cost=cost)
    G = nx.DiGraph()
    for k in range(g.n_edges):
        a, b = int(g.tails[k]), int(g.heads[k])
        if not G.has_edge(a, b) or G[a][b]["w"] > cost[k]:
            G.add_edge(a, b, w=float(cost[k]))
    # places are not passable: remove edges leaving non-passable nodes other than the origin
    blocked = [n for n in G.nodes if not g.passable[n] and n != o]
    G.remove_edges_from([(a, b) for a in blocked for b in list(G.successors(a))])
    ref = nx.dijkstra_path_length(G, o, d, weight="w")
    assert ours.cost == pytest.approx(ref, rel=1e-12)


def test_electrified_column_and_bulk_commodity():
    net = toy_network()
    links = net.links.copy()
    links["electrified"] = np.where(
        links["link_id"].isin([30, 31, 40, 41]), "yes", ""
    )  # Dostyk-Almaty-Aktau
    rg2 = build_routing_graph(
        Network.from_tables(nodes=net.nodes, links=links, services=net.tables["services"])
    )
    rt = Router(rg2).route("Xi'an", "Duisburg", "container_feu", via=("Alat",))
    fp = route_footprint(rt, rg2)
    kz = fp.elements.iloc[3]
    assert kz["electrified_share"] == 1.0
    assert kz["wtw_kg"] == pytest.approx(12 * 3780 * 0.027 * 641.102 / 1000, rel=1e-9)
    # uranium is per tonne, containerised: 0.03125 FEU per tonne (commodities.csv) = 1/16 TEU
    u = route_footprint(Router(rg2).route("Xi'an", "Duisburg", "uranium_uoc", via=("Alat",)), rg2)
    assert u.totals["mass_t"] == 1.0 and u.totals["teu"] == pytest.approx(2 * 0.03125)
    assert link_electrified_share(
        pd.DataFrame({"electrified_share": [0.3, np.nan], "electrified": ["no", "yes"]})
    ).tolist() == [0.3, 1.0]


def test_route_export_validates(rg, middle):
    validate_ileap(to_ileap(route_footprint(middle, rg)))


def test_unknown_service_mode_names_the_vlink(rg):
    v = rg.vlinks.copy()
    v.loc[v["service_id"] != "", "service_mode"] = "hovercraft"
    rg3 = dataclasses.replace(rg, vlinks=v)
    with pytest.raises(InputError, match="service mode 'hovercraft'") as e:
        vlink_emissions(rg3, "container_feu")
    assert str(e.value.row).startswith("vlink_id ")


def test_embedded_network_whole_array_and_route_identity():
    """On the embedded Eurasian network (when installed): every virtual link gets a finite
    emission, and a Xi'an -> Duisburg route's footprint equals the sum over its links."""
    try:
        from serai.data import load_eurasia

        net = load_eurasia()
    except (ImportError, InputError) as exc:  # pragma: no cover - depends on the build
        pytest.skip(f"embedded network not available: {exc}")
    rg_e = build_routing_graph(net)
    e = vlink_emissions(rg_e, "container_teu")
    assert e.shape == (len(rg_e.vlinks),) and np.isfinite(e).all() and (e >= 0).all()
    moves = (rg_e.vlinks["kind"] == "move").to_numpy() & (rg_e.vlinks["km"].to_numpy() > 0)
    assert (e[moves] > 0).all()
    route = Router(rg_e).route("Xi'an", "Duisburg", "container_teu")
    fp = route_footprint(route, rg_e)
    assert e[route.vlink_rows].sum() == pytest.approx(fp.totals["wtw_kg"], rel=1e-9)
    assert fp.totals["distance_km"] == pytest.approx(route.km, rel=1e-9)
    validate_ileap(to_ileap(fp))
