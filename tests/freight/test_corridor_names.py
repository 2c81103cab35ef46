"""The place names a corridor analyst types resolve to the right place, with and without
diacritics, and type-ahead finds them from their first letters.

Oracle: coordinates and countries given here by hand (town centres and border posts, to
about 10 km; the tolerance is 40 km), independent of the gazetteer's sources.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from serai.cli import app
from serai.freight.gazetteer import great_circle_km
from serai.freight.resolver import PlaceResolver, search_places

# spellings -> (country, lat, lon)
PLACES = {
    ("Yiwu", "义乌"): ("CN", 29.31, 120.08),
    ("Terespol", "Тересполь"): ("PL", 52.08, 23.62),
    ("Kapıkule", "Kapikule", "KAPIKULE"): ("TR", 41.72, 26.32),
    ("Anaklia",): ("GE", 42.39, 41.57),
    ("Sarakhs", "Serakhs"): ("IR", 36.54, 61.16),
    ("Irkeshtam",): ("KG", 39.68, 73.92),
    ("Khorgos", "Horgos", "Korgas"): ("", 44.2, 80.3),
    ("Altynkol",): ("KZ", 44.2, 80.25),
    ("Dostyk", "Druzhba"): ("KZ", 45.25, 82.49),
    ("Alashankou",): ("CN", 45.17, 82.57),
    ("Aktau", "Aqtau"): ("KZ", 43.65, 51.17),
    ("Kuryk",): ("KZ", 43.19, 51.65),
    ("Alat", "Alyat"): ("AZ", 39.95, 49.40),
    ("Baku", "Bakı"): ("AZ", 40.40, 49.86),
    ("Poti",): ("GE", 42.15, 41.67),
    ("Batumi",): ("GE", 41.64, 41.63),
    ("Tbilisi",): ("GE", 41.72, 44.79),
    ("Kars",): ("TR", 40.60, 43.10),
    ("Akhalkalaki",): ("GE", 41.40, 43.48),
    ("Mersin",): ("TR", 36.80, 34.63),
    ("Derince",): ("TR", 40.75, 29.83),
    ("Constanța", "Constanta", "Constantsa"): ("RO", 44.18, 28.65),
    ("Małaszewicze", "Malaszewicze"): ("PL", 52.03, 23.53),
    ("Brest",): ("BY", 52.10, 23.70),
    ("Duisburg",): ("DE", 51.43, 6.76),
    ("Hamburg",): ("DE", 53.55, 9.99),
    ("Lianyungang",): ("CN", 34.60, 119.20),
    ("Ürümqi", "Urumqi"): ("CN", 43.80, 87.60),
    ("Kashgar", "Kashi"): ("CN", 39.47, 75.99),
    ("Osh",): ("KG", 40.53, 72.80),
    ("Andijan", "Andijon"): ("UZ", 40.78, 72.34),
    ("Termez", "Termiz"): ("UZ", 37.22, 67.28),
    ("Turkmenbashi", "Türkmenbaşy"): ("TM", 40.02, 52.97),
    ("Bandar Abbas",): ("IR", 27.19, 56.27),
    ("Chabahar",): ("IR", 25.29, 60.64),
    ("Gwadar",): ("PK", 25.12, 62.32),
    ("Meghri",): ("AM", 38.90, 46.24),
    ("Zangezur",): ("AM", 39.2, 46.4),  # Syunik (Kapan); Natural Earth put Kapan in AZ
    ("Nakhchivan", "Nakhichevan", "Naxçıvan"): ("AZ", 39.21, 45.41),
    ("Chongqing",): ("CN", 29.56, 106.55),
    ("Chengdu",): ("CN", 30.66, 104.07),
    ("Xi'an", "Xian"): ("CN", 34.27, 108.90),
    ("Ulaanbaatar", "Ulan Bator"): ("MN", 47.92, 106.92),
    ("Zamyn-Uud", "Zamiin-Uud"): ("MN", 43.72, 111.90),
    ("Erenhot", "Erlian"): ("CN", 43.65, 111.98),
    ("Manzhouli",): ("CN", 49.60, 117.43),
    ("Zabaikalsk", "Zabaykalsk"): ("RU", 49.64, 117.33),
    # EU entry and Balkan crossings (new-user trials): GeoNames town centres in points.csv
    ("Edirne",): ("TR", 41.68, 26.56),
    ("Svilengrad", "Свиленград"): ("BG", 41.77, 26.20),
    ("Kapitan Andreevo",): ("", 41.72, 26.31),  # the BG side of the Kapıkule crossing point
    ("Chop", "Чоп"): ("UA", 48.43, 22.20),
    ("Záhony", "Zahony"): ("HU", 48.41, 22.17),
    ("Małkinia", "Malkinia"): ("PL", 52.70, 22.03),
    ("Kuźnica", "Kuznica"): ("PL", 53.51, 23.64),
    ("Lőkösháza", "Lokoshaza"): ("HU", 46.43, 21.24),
    ("Curtici",): ("RO", 46.35, 21.30),
    ("Kelebia",): ("HU", 46.20, 19.62),
    ("Vidin",): ("BG", 43.99, 22.87),
    ("Dorohusk",): ("PL", 51.16, 23.80),
    ("Medyka",): ("PL", 49.80, 22.93),
    ("Frankfurt (Oder)", "Frankfurt an der Oder", "Frankfurt/Oder"): ("DE", 52.34, 14.55),
}
CASES = [(s, *want) for names, want in PLACES.items() for s in names]


@pytest.fixture(scope="module")
def resolver():
    return PlaceResolver()


@pytest.mark.parametrize(("spelling", "country", "lat", "lon"), CASES, ids=[c[0] for c in CASES])
def test_an_analysts_name_resolves_to_the_place(resolver, spelling, country, lat, lon):
    p = resolver.locate(spelling)
    assert great_circle_km(lat, lon, p.lat, p.lon) < 40, (spelling, p.label, p.lat, p.lon)
    assert not country or p.country == country, (spelling, p.label)


@pytest.mark.parametrize(
    ("typed", "name"),
    [("Yiw", "Yiwu"), ("Teres", "Terespol"), ("Kapik", "Kapıkule"), ("Kapı", "Kapıkule"),
     ("Anakl", "Anaklia deep-sea port"), ("Malasz", "Małaszewicze"), ("Sarak", "Sarakhs"),
     ("Irkesh", "Irkeshtam"), ("Zabaik", "Zabaikalsk"), ("Svilen", "Svilengrad"),
     ("Záh", "Záhony"), ("Kuźn", "Kuźnica")],
)  # fmt: skip
def test_type_ahead_finds_it_from_its_first_letters(typed, name):
    assert name in search_places(typed, limit=5)["name"].tolist()


def test_a_planned_port_says_so(resolver):
    p = resolver.locate("Anaklia")
    assert p.name == "Anaklia deep-sea port" and p.status == "planned" and p.open_year == 2029
    assert "planned" in p.note() and "2029" in p.note() and "rail and road" in p.note()
    assert p.to_dict()["status"] == "planned"
    # a town of the facts with a line under construction is not called unbuilt
    assert "under construction" not in resolver.locate("Iğdır").note()


def test_the_cli_and_the_service_find_them():
    r = CliRunner().invoke(app, ["places", "search", "Kapikule", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)[0]["name"] == "Kapıkule"
    r = CliRunner().invoke(app, ["places", "resolve", "Anaklia"])
    assert r.exit_code == 0 and "planned" in r.output and "2029" in r.output, r.output
    pytest.importorskip("fastapi", reason="the service extra (fastapi) is not installed")
    from fastapi.testclient import TestClient

    from serai.api import Settings, create_app
    from tests.api.conftest import _toy_dir_for_schema

    with TestClient(create_app(Settings(network=_toy_dir_for_schema()))) as c:
        for q, name in (("Kapikule", "Kapıkule"), ("Yiwu", "Yiwu"), ("Teresp", "Terespol")):
            got = [x["name"] for x in c.get("/api/places", params={"q": q}).json()["places"]]
            assert name in got, (q, got)


def test_the_service_says_what_the_names_were_taken_to_be():
    """``/api/route`` carries the notes `serai route` prints (a planned port, an alias, an
    ambiguous name); an answer with nothing to say has no ``notes``."""
    pytest.importorskip("fastapi", reason="the service extra (fastapi) is not installed")
    from fastapi.testclient import TestClient

    from serai.api import Settings, create_app

    with TestClient(create_app(Settings())) as c:
        r = c.get("/api/route", params={"from": "Baku", "to": "Anaklia", "geometry": "false"})
        assert r.status_code == 200, r.text
        notes = r.json()["notes"]
        assert any(n.startswith("to: Anaklia deep-sea port is planned") for n in notes), notes
        assert any("2029" in n for n in notes)
        r = c.get("/api/route", params={"from": "Suzhou", "to": "Duisburg", "geometry": "false"})
        assert any("Suzhou (Anhui, CN)" in n for n in r.json()["notes"])
        r = c.get("/api/route", params={"from": "Almaty", "to": "Duisburg", "geometry": "false"})
        assert "notes" not in r.json()


def test_the_new_corridor_points_are_network_places():
    """Kapıkule, Terespol, Yiwu and Sarakhs are points of tools/data/facts/points.csv: after the
    network build they are places on the network, so a route may pass them (a via point must
    be on the network). FAILS on a network built before these points were added: rebuild it
    (`serai data build`)."""
    from serai.freight.cache import cached_router

    router = cached_router(None)
    for name in ("Kapikule", "Terespol", "Yiwu", "Sarakhs"):
        assert router.locate(name).target is not None, name
    r = router.route("Istanbul", "Sofia", "container", via=["Kapıkule"])
    assert {"TR", "BG"} <= set(r.countries) and r.km < 800


def test_the_eu_entry_crossings_are_network_places():
    """Svilengrad, Záhony, Chop, Kuźnica, Edirne, ... are points of tools/data/facts/points.csv (GeoNames
    town centres): after the network build they are places on the network, so a route may pass
    them. FAILS on a network built before these points were added: rebuild it."""
    from serai.freight.cache import cached_router

    router = cached_router(None)
    for name in ("Svilengrad", "Záhony", "Chop", "Kuźnica", "Lőkösháza", "Curtici", "Kelebia",
                 "Vidin", "Małkinia", "Dorohusk", "Medyka", "Frankfurt (Oder)", "Edirne",
                 "Čierna nad Tisou", "Dobrá", "Bruzgi", "Suzemka", "Khutir-Mykhailivskyi",
                 "Khanabad"):  # fmt: skip
        assert router.locate(name).target is not None, name
    r = router.route("Sofia", "Istanbul", "container", via=["Svilengrad"])
    assert {"TR", "BG"} <= set(r.countries) and r.km < 800
    r = router.route("Istanbul", "Sofia", "container", via=["Edirne"])  # was refused
    assert {"TR", "BG"} <= set(r.countries) and r.km < 800


@pytest.mark.parametrize(
    ("name", "country", "lat", "lon"),
    [
        # sourced coordinates (tools/data/facts/points.csv, Wikipedia copies; sources.csv)
        ("Čierna nad Tisou", "SK", 48.417, 22.096),
        ("Cierna nad Tisou", "SK", 48.417, 22.096),
        ("Dobrá", "SK", 48.412, 22.028),
        ("Bruzgi", "BY", 53.55, 23.70),
        ("Брузги", "BY", 53.55, 23.70),
    ],
)
def test_the_chop_and_kuznica_neighbours_are_located(resolver, name, country, lat, lon):
    # were refused as having no sourced coordinate (serai/freight/data/unlocated_places.csv)
    # until the facts gave them one: now network places in their own country
    p = resolver.locate(name)
    assert p.country == country
    assert abs(p.lat - lat) < 0.02 and abs(p.lon - lon) < 0.02, (p.lat, p.lon)
