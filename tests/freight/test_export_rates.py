"""A Kazakh export consignment pays CAREC's consignment cost on every railway it uses.

The router priced a containerised mineral consignment from Kazakhstan at CAREC's Kazakh rail
cost (``rail.rate.KZ.export``, TFI3 2022: USD 883 per 500 km and 20 t) on Kazakh rail only,
and at the China - Europe through rates (about a tenth) on every other railway: a Kazakh
export saved by leaving Kazakhstan early (copper Kandyagash -> Xi'an via Russia and
Mongolia). Now rail outside Kazakhstan pays the CAREC rail average (USD 804 per 500 km and
20 t, 2022, ../shared/facts/corridor-facts.md §4.4, cpmm.carecprogram.org/?p=133; an
estimate outside the CAREC members).
"""

from __future__ import annotations

import pytest

from serai.freight import Router, build_routing_graph, commodity
from serai.freight.params import model_params
from tests.freight.toy import toy_network

#: CAREC TFI3 (2022), USD per 500 km and 20 t of cargo -> USD per t-km (facts §4.4)
KZ_USD_PER_TKM = 883.0 / 500.0 / 20.0
CAREC_AVERAGE_USD_PER_TKM = 804.0 / 500.0 / 20.0
#: CAREC's 11 member countries (carecprogram.org)
CAREC_MEMBERS = {"AF", "AZ", "CN", "GE", "KG", "KZ", "MN", "PK", "TJ", "TM", "UZ"}


def _hand_rail_tariff(legs, c) -> float:
    """Kazakh rail km x 0.0883 + other rail km x 0.0804, per t, times t per unit."""
    rail = legs.loc[legs["mode"] == "rail"]
    kz = rail["country"] == "KZ"
    usd_per_t = (
        rail.loc[kz, "km"].sum() * KZ_USD_PER_TKM
        + rail.loc[~kz, "km"].sum() * CAREC_AVERAGE_USD_PER_TKM
    )
    return usd_per_t * float(c.tonnes_per_unit)


def test_toy_export_pays_carec_rates_on_every_railway():
    router = Router(build_routing_graph(toy_network(), year=2025))
    c = commodity("uranium_uoc")
    r = router.route("Almaty", "Duisburg", c, objective="time")
    rail = r.legs.loc[r.legs["mode"] == "rail"]
    assert "KZ" in set(rail["country"])
    assert set(rail["country"]) - CAREC_MEMBERS  # a railway outside CAREC (EST rate)
    assert rail["usd_tariff"].sum() == pytest.approx(_hand_rail_tariff(r.legs, c))
    # the same consignment from China (a transit) keeps the through rates outside China
    t = router.route("Xi'an", "Duisburg", c, objective="time")
    tr = t.legs.loc[(t.legs["mode"] == "rail") & (t.legs["country"] != "CN")]
    assert tr["usd_tariff"].sum() < tr["km"].sum() * CAREC_AVERAGE_USD_PER_TKM / 2
    v = model_params().value
    assert v("rail.rate.export.CAREC") == pytest.approx(CAREC_AVERAGE_USD_PER_TKM)
    assert v("rail.rate.export.OTHER") == pytest.approx(CAREC_AVERAGE_USD_PER_TKM)


@pytest.fixture(scope="module")
def router():
    from serai.freight.cache import cached_router

    return cached_router(year=2024)


def test_kazakh_copper_to_china_stays_in_kazakhstan_and_china(router):
    c = commodity("copper")
    r = router.route("Kandyagash", "Xi'an", c)
    countries = set(r.legs["country"]) - {""}
    assert countries == {"KZ", "CN"}, countries  # was KZ, RU, MN, CN
    assert r.legs.loc[r.legs["mode"] == "rail", "usd_tariff"].sum() == pytest.approx(
        _hand_rail_tariff(r.legs, c)
    )
    # Aktau -> Urumqi went by rail through Turkmenistan, Uzbekistan and Kyrgyzstan (4,611
    # km); now no rail outside Kazakhstan and China (the road through Karakalpakstan is the
    # shorter road), no detour
    a = router.route("Aktau", "Urumqi", c)
    rail = a.legs.loc[a.legs["mode"] == "rail", "country"]
    assert set(rail) <= {"KZ", "CN"}
    assert not {"TM", "KG", "RU"} & set(a.legs["country"])
    assert a.km < 4000.0


def test_kazakh_uranium_export_hand_computed(router):
    c = commodity("uranium_uoc")
    r = router.route("Shymkent", "Constanta", c)
    rail = r.legs.loc[r.legs["mode"] == "rail"]
    assert (rail["country"] != "KZ").any()  # rail outside Kazakhstan too
    assert rail["usd_tariff"].sum() == pytest.approx(_hand_rail_tariff(r.legs, c))
