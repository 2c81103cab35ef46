"""The shipped Eurasian network: loads, validates, is connected, carries country, gauge and provenance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from serai.data import load_eurasia, network_in_year, summarize_eurasia
from serai.network import compile_network, validate
from serai.paths import shortest_paths

CORRIDOR = [
    "xian", "chongqing", "urumqi", "kashgar", "alashankou", "dostyk", "khorgos", "altynkol",
    "almaty", "aktogay", "moyynty", "beyneu", "aktau", "kuryk", "baku", "alat", "tbilisi",
    "akhalkalaki", "poti", "batumi", "kars", "istanbul", "constanta", "burgas", "brest",
    "malaszewicze", "duisburg", "hamburg", "rotterdam", "tashkent", "turkmenbashi", "ashgabat",
    "moscow", "lianyungang",
]  # fmt: skip


@pytest.fixture(scope="module")
def net():
    return load_eurasia()


def _nodes_of(net, point_id: str) -> np.ndarray:
    pid = net.nodes["point_id"].astype(str).str.split("|")
    return net.nodes["node_id"].to_numpy()[pid.apply(lambda ps: point_id in ps).to_numpy()]


def _port(net, locode: str) -> int:
    return int(net.nodes.loc[net.nodes["unlocode"] == locode, "node_id"].iat[0])


def test_loads_and_validates(net):
    report = validate(net)
    assert report.ok, [str(p) for p in report.errors[:5]]
    assert {"rail", "road", "sea", "transfer"} <= set(net.links["mode"])
    assert net.nodes["node_id"].is_unique and net.links["link_id"].is_unique


def test_every_corridor_node_reaches_duisburg_and_shanghai(net):
    g = compile_network(net, check=False)
    duisburg = next(n for n in _nodes_of(net, "duisburg") if n < 20_000_000)  # rail node
    for target in (duisburg, _port(net, "CNSHA")):
        d = shortest_paths(g, int(target), cost="length").distances()
        missing = []
        for p in CORRIDOR:
            ids = _nodes_of(net, p)
            if not len(ids) or not np.isfinite(d.loc[ids].min()):
                missing.append(p)
        assert not missing, f"not connected to {target}: {missing}"


def test_sea_distances_match_searoute(net):
    """Oracle: searoute-py 1.6.0 distances on the same marnet (GEODATA-NOTES.md)."""
    sea = net.links["mode"].to_numpy() == "sea"
    suez = net.links["passage"].to_numpy() == "suez"
    g = compile_network(net, link_mask=sea, check=False)
    g_nosuez = compile_network(net, link_mask=sea & ~suez, check=False)

    def dist(graph, a, b):
        return float(
            shortest_paths(graph, _port(net, a), cost="length").distances().loc[_port(net, b)]
        )

    assert dist(g, "KZAAU", "AZBAK") == pytest.approx(497, rel=0.10)
    assert dist(g, "CNSHA", "NLRTM") == pytest.approx(19_604, rel=0.05)
    assert dist(g_nosuez, "CNSHA", "NLRTM") == pytest.approx(25_012, rel=0.05)


def test_volga_don_is_the_only_caspian_sea_exit(net):
    """The Volga–Don is an inland waterway (river–sea ships), the Caspian's only water exit."""
    links = net.links
    mode = links["mode"].to_numpy()
    vd = links["passage"].to_numpy() == "volga_don"
    assert vd.any() and (mode[vd] == "inland_waterway").all()
    water = np.isin(mode, ["sea", "inland_waterway"])
    for mask, reachable in ((water, True), (water & ~vd, False), (mode == "sea", False)):
        g = compile_network(net, link_mask=mask, check=False)
        d = shortest_paths(g, _port(net, "KZAAU"), cost="length").distances()
        assert np.isfinite(d.loc[_port(net, "GEPTI")]) == reachable


def test_gauge_and_country(net):
    links = net.links
    rail = links[links["mode"] == "rail"]
    assert rail["gauge"].notna().all()
    assert set(rail["gauge"].astype(int)) == {1435, 1520}
    land = links[links["mode"].isin(["rail", "road", "transfer"])]
    assert (land["country"] != "").all()
    assert (links.loc[links["origin"] == "marnet", "country"] == "").all()
    land_nodes = net.nodes[~net.nodes["mode"].isin(["sea", "inland_waterway"])]
    assert (land_nodes["country"] != "").all()
    ports = net.nodes[net.nodes["kind"] == "port"]
    assert (ports["country"] != "").all()
    # gauge by country: spot checks of the rule
    by = rail.groupby("country")["gauge"].agg(lambda s: set(s.astype(int)))
    assert by["KZ"] == {1520} and by["CN"] == {1435} and by["PL"] == {1435}


def test_derived_border_crossings_and_gauge_breaks(net):
    bc = net.tables["border_crossings"]
    assert (bc["country_a"] != bc["country_b"]).all()
    pairs = {frozenset(p) for p in zip(bc["country_a"], bc["country_b"], strict=True)}
    for a, b in [("CN", "KZ"), ("AZ", "GE"), ("GE", "TR"), ("BY", "PL"), ("KZ", "UZ")]:
        assert frozenset((a, b)) in pairs
    gb = net.tables["gauge_breaks"]
    nodes = net.nodes.set_index("node_id")
    # each derived gauge break sees both gauges on its rail links
    rail = net.links[net.links["mode"] == "rail"]
    for nid in gb["node_id"]:
        gauges = set(
            rail.loc[(rail["from_node"] == nid) | (rail["to_node"] == nid), "gauge"].astype(int)
        )
        assert gauges == {1435, 1520}, nodes.loc[nid]
    # the known gauge-change points are found by the country rule alone (coords: corridor facts)
    known = {"dostyk": (82.4855, 45.254), "altynkol": (80.243, 44.198), "akhalkalaki": (43.48, 41.40),
             "brest": (23.70, 52.10), "etrek": (54.75, 37.65)}  # fmt: skip
    lon, lat = np.radians(gb["x"].to_numpy(float)), np.radians(gb["y"].to_numpy(float))
    for name, (x, y) in known.items():
        x, y = np.radians(x), np.radians(y)
        a = np.sin((lat - y) / 2) ** 2 + np.cos(lat) * np.cos(y) * np.sin((lon - x) / 2) ** 2
        km = 2 * 6371 * np.arcsin(np.sqrt(a))
        assert km.min() < 30, (name, km.min())


def test_provenance_every_attribute_has_a_source(net):
    links = net.links
    assert (links["length_source"] != "").all()
    has_speed = links["speed"].notna()
    assert (links.loc[has_speed, "speed_source"] != "").all()
    has_cap = links["capacity"].notna()
    assert (links.loc[has_cap, "capacity_source"] != "").all()
    refs = pd.concat(
        [links.loc[has_cap, "capacity_source"], links["length_source"], links["time_source"]]
    )
    named = {
        r
        for r in refs
        if r
        and not r.startswith(("estimate", "placeholder"))
        and r not in ("osm", "marnet", "length / speed", "marnet shortest path (searoute network)")
    }
    if named:
        sources = set(net.tables["sources"]["source_id"])
        for r in named:
            assert set(r.replace(";", "|").split("|")) <= sources, r
    bc = net.tables["border_crossings"]
    assert (bc.loc[bc["time_h"].notna(), "time_source"] != "").all()
    assert bc["time_h"].notna().sum() >= 5  # CAREC times on the named crossings
    gb = net.tables["gauge_breaks"]
    assert (gb.loc[gb["transshipment_h"].notna(), "source"] != "").all()
    ferry = links[links["mode"] == "ferry"]
    assert len(ferry) and ferry["free_flow_time"].notna().all()
    assert (ferry["time_source"] != "").all()
    con = net.tables["connectors"]
    assert (con["reason"] != "").all() and (con["km"] >= 0).all()
    listed = con[con["kind"] == "listed"]
    assert len(listed) >= 2


def test_year_filter_and_summary(net):
    n25, n30 = load_eurasia(year=2025), load_eurasia(year=2030)
    assert len(n30.links) >= len(n25.links)
    assert set(n25.links["status"]) <= {"operational", "under_construction", "planned"}
    s = summarize_eurasia(net)
    assert s["rail_km_by_gauge"]["1520"] > 50_000 and s["rail_km_by_gauge"]["1435"] > 50_000
    assert network_in_year(net, 1900).links["open_year"].isna().all()
