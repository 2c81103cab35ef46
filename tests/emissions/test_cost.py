"""Per-link emission intensity arrays for routing, checked by hand and by brute force."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from serai.emissions import carbon_cost_per_link, link_emission_intensity
from serai.errors import InputError
from serai.network import Network, compile_network
from serai.paths import shortest_path

DIESEL_WTW = 17.9 * (1 + 0.62665 / 2.57082)
ROAD_WTW = 90.3 * (1 + 0.62665 / 2.57082)


def small_network() -> Network:
    # 1 -rail KZ-> 2 -transfer(port)-> 3 -ferry-> 4 ; 1 -road KZ-> 4 ; 2 -rail(electric GE)-> 4
    links = pd.DataFrame(
        {
            "link_id": [10, 11, 12, 13, 14],
            "from_node": [1, 2, 3, 1, 2],
            "to_node": [2, 3, 4, 4, 4],
            "mode": ["rail", "transfer", "ferry", "road", "rail"],
            "length": [200.0, 0.1, 300.0, 450.0, 400.0],
            "country": ["KZ", "KZ", "", "KZ", "GE"],
            "electrified_share": [np.nan, np.nan, np.nan, np.nan, 1.0],
            "hoc": ["", "port_container", "", "", ""],
            "free_flow_time": [300.0, 600.0, 1200.0, 400.0, 500.0],
        }
    )
    return Network.from_tables(links=links)


def expected_per_link() -> dict[int, float]:
    kz = 0.25 * 0.027 * 641.102 + 0.75 * DIESEL_WTW
    return {
        10: 200 * kz,
        11: 10.0 * 1000 / 10.0,  # 10 kg per TEU, 10 t per TEU -> 1,000 g per tonne
        12: 300 * (173.0 + 30.0),
        13: 450 * ROAD_WTW,
        14: 400 * 0.027 * 111.551,
    }


def test_per_edge_values_by_hand():
    net = small_network()
    g = compile_network(net)
    arr = link_emission_intensity(g, net)
    exp = expected_per_link()
    assert arr.shape == (g.n_edges,)
    for e, lid in enumerate(g.link_ids):
        assert arr[e] == pytest.approx(exp[int(lid)], rel=1e-9), lid
    teu = link_emission_intensity(g, net.links, per="TEU")
    np.testing.assert_allclose(teu, arr * 10.0, rtol=1e-12)


def test_least_emission_path_equals_brute_force():
    net = small_network()
    g = compile_network(net)
    co2 = link_emission_intensity(g, net)
    exp = expected_per_link()
    # enumerate every simple path 1 -> 4 on this small graph
    paths = [[13], [10, 14], [10, 11, 12]]
    best = min(paths, key=lambda p: sum(exp[i] for i in p))
    p = shortest_path(g, 1, 4, cost=co2)
    assert p.link_ids.tolist() == best == [10, 14]
    assert p.cost == pytest.approx(sum(exp[i] for i in best), rel=1e-12)
    assert shortest_path(g, 1, 4).link_ids.tolist() == [13]  # least time is the road
    # a carbon price added to time changes nothing here, but is a new non-negative array
    gen = g.cost("free_flow_time") + carbon_cost_per_link(co2, 100.0) * 20.0
    assert (gen >= g.cost("free_flow_time")).all()


def test_bad_links_name_the_link():
    net = small_network()
    links = net.links.copy()
    links.loc[3, "mode"] = "air"
    net2 = Network.from_tables(links=links)
    g = compile_network(net2)
    with pytest.raises(InputError, match="no default TOC for mode 'air'") as e:
        link_emission_intensity(g, net2)
    assert e.value.row == "link_id 13"
    links = net.links.copy()
    links.loc[0, "length"] = np.nan
    net3 = Network.from_tables(links=links)
    with pytest.raises(InputError, match="length") as e:
        link_emission_intensity(compile_network(net3, check=False), net3)
    assert e.value.row == "link_id 10"
    with pytest.raises(InputError, match="per must be"):
        link_emission_intensity(compile_network(net), net, per="kg")


def test_electrified_yes_no_column_is_read():
    net = small_network()
    links = net.links.drop(columns=["electrified_share"]).assign(
        electrified=["no", "", "", "", "yes"]
    )
    net2 = Network.from_tables(links=links)
    arr = link_emission_intensity(compile_network(net2), net2)
    g = compile_network(net2)
    by_link = dict(zip(g.link_ids.tolist(), arr.tolist(), strict=True))
    assert by_link[10] == pytest.approx(200 * DIESEL_WTW, rel=1e-12)  # "no": all diesel
    assert by_link[14] == pytest.approx(400 * 0.027 * 111.551, rel=1e-12)  # "yes": all electric


def test_unknown_country_falls_back_for_whole_network_arrays():
    net = small_network()
    links = net.links.assign(country=["QQ", "QQ", "", "QQ", "QQ"])
    net2 = Network.from_tables(links=links)
    g = compile_network(net2)
    arr = link_emission_intensity(g, net2)
    by_link = dict(zip(g.link_ids.tolist(), arr.tolist(), strict=True))
    assert by_link[10] == pytest.approx(200 * DIESEL_WTW, rel=1e-12)  # ZZ: all diesel
    assert by_link[14] == pytest.approx(400 * 0.027 * 481.0, rel=1e-12)  # share 1 given, ZZ grid
    with pytest.raises(InputError, match="country 'QQ'"):
        link_emission_intensity(g, net2, unknown_country="error")
