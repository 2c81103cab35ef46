"""The Trans-Siberian east of Omsk, Zabaikalsk–Manzhouli and the Trans-Mongolian line (issue 13).

The rail network reaches the source graph's eastern clip (lon 125.5) in Russia, so China ->
Russia/Europe trains can cross at Zabaikalsk–Manzhouli (RU–CN) or through Mongolia
(Erenhot–Zamyn-Uud, Sukhbaatar–Naushki) instead of Kazakhstan. Checked here: the three
crossings and the two gauge changes are on the network with their facts names, each route
crosses where it should and changes gauge there (1435 mm in China, 1520 mm beyond), the
Trans-Mongolian line is whole (its rail path is close to the great circle), and the
Northern route from central China to Europe still enters Kazakhstan (it is ~2,000 km shorter).
"""

from __future__ import annotations

import pytest

from serai.data import load_network


@pytest.fixture(scope="module")
def net():
    return load_network(2025)


@pytest.fixture(scope="module")
def router():
    from serai.freight.cache import cached_router

    return cached_router(year=2025)


def _crossings(router, route) -> list[str]:
    """Named crossings the route's border events are at (the border_crossings table lists one
    link per node pair; the event sits on a node of that pair, whichever the direction)."""
    v = router.rg.vlinks.iloc[route.vlink_rows]
    bc = router.rg.network.tables["border_crossings"]
    bc = bc.loc[bc["crossing_id"].fillna("").astype(str) != ""]
    out = []
    for nid in v.loc[v["kind"] == "border", "node_id"]:
        hit = bc.loc[(bc["node_a"] == nid) | (bc["node_b"] == nid), "crossing_id"]
        out += list(dict.fromkeys(hit))
    return out


def _gauge_layers(route) -> list[str]:
    legs = route.legs
    rail = legs.loc[(legs["kind"] == "move") & (legs["mode"] == "rail"), "layer"].astype(str)
    return [x for i, x in enumerate(rail) if i == 0 or x != rail.iloc[i - 1]]


def test_crossings_and_gauge_breaks_carry_their_facts_names(net):
    bc = net.tables["border_crossings"]
    pairs = {
        "zabaikalsk_manzhouli": {"RU", "CN"},
        "naushki_sukhbaatar": {"RU", "MN"},
        "zamyn_uud_erenhot": {"MN", "CN"},
    }
    for cid, cc in pairs.items():
        rows = bc.loc[bc["crossing_id"] == cid]
        assert len(rows), cid
        assert {
            frozenset((a, b)) for a, b in zip(rows["country_a"], rows["country_b"], strict=True)
        } == {frozenset(cc)}, cid
    gb = net.tables["gauge_breaks"]
    assert {"zabaikalsk_manzhouli", "zamyn_uud_erenhot"} <= set(gb["gauge_break_id"])


def test_beijing_moscow_via_zabaikalsk_changes_gauge_at_the_border(router):
    r = router.route("Beijing", "Moscow", "container", modes=["rail"], avoid_countries=["KZ", "MN"])
    assert r.countries[0] == "CN" and r.countries[1] == "RU"
    assert "zabaikalsk_manzhouli" in _crossings(router, r)
    legs = r.legs
    border = legs.loc[legs["kind"] == "border"]
    assert {("CN", "RU")} <= set(zip(border["from_country"], border["to_country"], strict=True))
    assert (legs["kind"] == "gauge").sum() == 1
    layers = _gauge_layers(r)
    assert layers[0].endswith("1435") and layers[-1].endswith("1520") and len(layers) == 2
    assert r.corridor == "Northern (via Russia)"


def test_mongolia_transit_route(router):
    r = router.route(
        "Beijing",
        "Moscow",
        "container",
        modes=["rail"],
        avoid_countries=["KZ"],
        via=["Ulaanbaatar"],
    )
    assert list(r.countries[:3]) == ["CN", "MN", "RU"]
    x = _crossings(router, r)
    assert "zamyn_uud_erenhot" in x and "naushki_sukhbaatar" in x
    legs = r.legs
    assert (legs["kind"] == "gauge").sum() == 1  # at Erenhot; Mongolia and Russia are both 1520 mm
    layers = _gauge_layers(r)
    assert layers[0].endswith("1435") and layers[-1].endswith("1520") and len(layers) == 2


def test_trans_mongolian_line_is_whole(router):
    # Zamyn-Uud -> Ulaanbaatar -> Sukhbaatar by rail: the UBTZ main line (~1,110 km from border to
    # border, general knowledge, not in the facts); a gap would send the path round through
    # China and Russia (thousands of km)
    a = router.route("Zamyn-Uud", "Ulaanbaatar", "container", modes=["rail"])
    b = router.route("Ulaanbaatar", "Sukhbaatar", "container", modes=["rail"])
    assert set(a.countries) == {"MN"} and set(b.countries) == {"MN"}
    for r in (a, b):  # no border on the way (Zamyn-Uud is not reached through China's node)
        assert not (r.legs["kind"] == "border").any()
    # great circles 605 and 266 km (the line winds through Darkhan north of Ulaanbaatar)
    assert a.km < 1.35 * 608 and b.km < 1.6 * 266
    assert a.km + b.km == pytest.approx(1110, rel=0.12)


def test_northern_route_from_central_china_still_enters_kazakhstan(router):
    r = router.route("Xi'an", "Duisburg", "container", modes=["rail"], via=["Brest"])
    assert r.countries[1] == "KZ"
    z = router.route("Xi'an", "Duisburg", "container", modes=["rail"], via=["Zabaikalsk", "Brest"])
    assert "zabaikalsk_manzhouli" in _crossings(router, z)
    assert z.km > r.km + 1500 and z.usd > r.usd


def test_trans_siberian_lengths(router):
    # Trans-Siberian km posts (general knowledge, not in the facts): Omsk 2,716, Irkutsk 5,185;
    # Zabaikalsk 6,677 (Tarskaya 6,312 + 365 km of the Trans-Manchurian branch). Omsk and
    # Irkutsk are given by their coordinates (no facts point): the rail node nearest the town.
    omsk, irkutsk = "54.98,73.37", "52.28,104.26"
    a = router.route(omsk, irkutsk, "container", modes=["rail"])
    b = router.route(irkutsk, "Zabaikalsk", "container", modes=["rail"])
    assert set(a.countries) == {"RU"} and set(b.countries) == {"RU"}
    assert a.km == pytest.approx(5185 - 2716, rel=0.08)
    assert b.km == pytest.approx(6677 - 5185, rel=0.08)
