"""Countries at 1:10m: no border crossings where a line only runs along a border.

At Natural Earth's 1:50m the Istanbul - Sofia line's last Turkish kilometres near Kapikule fell
in Greece: every rail route from Turkiye into the EU showed a 2.7 km "in GR", a TR>GR border
of 83 h and no event into Bulgaria (the line was built to stay off Greek soil). The build now
gives every node the country of the 1:10m polygons (``world-atlas`` countries-10m, ISO codes
from the 1:50m file). Armenia's only road to Iran (Kapan - Meghri - Agarak - Nurduz) was
missing from the source graph at both scales (its simplified nodes fall in Azerbaijan, whose
border with Armenia is closed): a listed connector joins it, so Yerevan -> Tabriz by road no
longer detours through Georgia and Turkiye (786 km).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from serai.data import load_network

RAW = Path(__file__).resolve().parents[2] / "tools" / "data" / "raw"


def test_10m_countries_fix_the_kapikule_sliver_and_map_every_unit():
    pytest.importorskip("shapely")
    from tools.data.geo import Countries

    c10 = Countries.from_topojson(RAW / "countries-10m.json", RAW / "ne_50m_admin_0_countries.json")
    c50 = Countries(RAW / "ne_50m_admin_0_countries.json")
    # Kapikule (TR) station end of the Istanbul - Sofia line; the line's node 2.7 km west of
    # it (BG, was GR at 1:50m); Svilengrad side (BG); Baikonur (Tyuratam, Kazakh territory
    # leased to Russia); Tashkent; Taraz
    lon = [26.335, 26.305, 26.268, 63.31, 69.24, 71.37]
    lat = [41.721, 41.718, 41.731, 45.62, 41.31, 42.90]
    assert list(c10.lookup(lon, lat)) == ["TR", "BG", "BG", "KZ", "UZ", "KZ"]
    assert c50.lookup([26.305], [41.718])[0] == "GR"  # the 1:50m error this replaces
    assert all(len(code) == 2 for code in c10.iso)


@pytest.fixture(scope="module")
def net():
    return load_network(2025)


def test_no_rail_crossing_into_greece_at_kapikule(net):
    bc = net.tables["border_crossings"]
    rail = bc[bc["mode"] == "rail"]
    near = rail[(np.hypot(rail["x"] - 26.32, rail["y"] - 41.72) < 0.05)]
    pairs = {frozenset((a, b)) for a, b in zip(near["country_a"], near["country_b"], strict=True)}
    assert pairs == {frozenset(("TR", "BG"))}


@pytest.fixture(scope="module")
def router():
    from serai.freight.cache import cached_router

    return cached_router(year=2025)


def _countries(router, route):
    v = router.rg.vlinks.iloc[route.vlink_rows]
    return [c for c in dict.fromkeys(v["country"].astype(str)) if c and c != "nan"]


def test_istanbul_sofia_by_rail_crosses_into_bulgaria_directly(router):
    r = router.route("Istanbul", "Sofia", modes=["rail"])
    assert "GR" not in _countries(router, r)
    legs = r.legs
    borders = [e for e in legs["event"].astype(str) if e.startswith("border")]
    assert borders and all("TR>BG" in e for e in borders)


def test_yerevan_tabriz_by_road_through_meghri(router):
    r = router.route("Yerevan", "Tabriz", modes=["road"])
    assert _countries(router, r)[0] == "AM" and "GE" not in _countries(router, r)
    assert any("AM>IR" in str(e) for e in r.legs["event"])
    # great circle Yerevan - Tabriz is ~280 km; by Meghri about 500; via Georgia it was 786
    assert r.km < 650
