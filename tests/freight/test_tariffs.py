"""The tariff model: a through rate is the sum of its segments' charges (values from the tables)."""

from __future__ import annotations

import pandas as pd
import pytest

from serai.freight import Router, build_routing_graph, commodity, link_costs
from serai.freight.params import model_params
from tests.freight.toy import toy_network

P = model_params()
v = P.value


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(build_routing_graph(toy_network(), year=2025))


def test_rail_segments_priced_by_zone_and_summed(router):
    r = router.route("Xi'an", "Duisburg", "container", objective="time")
    legs = r.legs
    rail = legs.loc[legs["mode"] == "rail"]
    zone = {"CN": "CN", "KZ": "KZ", "RU": "RUBY", "BY": "RUBY", "PL": "EU", "DE": "EU"}
    for leg in rail.itertuples(index=False):
        assert leg.usd_tariff == pytest.approx(leg.km * v(f"rail.rate.{zone[leg.country]}"))
    # the through rate is exactly the sum of every leg's line haul, handling, fees, premium
    parts = ["usd_tariff", "usd_hub", "usd_border", "usd_market"]
    assert legs[parts].to_numpy().sum() == pytest.approx(r.usd)
    assert sum(r.totals[p] for p in parts) == pytest.approx(r.usd)


def test_box_sizes_and_containerised_minerals(router):
    # rail and ferries, which class 7 may use: the same route for every box (by road the
    # fastest box route and the uranium route differ, depending on the fitted values); to
    # Poti, on 1520 mm all the way (no break of gauge on the way), on the rail
    # ferry (class 7 may not take the ro-ro)
    m = {"modes": ("rail", "ferry"), "avoid_services": ["aktau_alat_roro"]}
    feu = router.route("Almaty", "Poti", "container_feu", objective="time", **m)
    teu = router.route("Almaty", "Poti", "container_teu", objective="time", **m)
    assert list(feu.legs["link_ids"]) == list(teu.legs["link_ids"])
    assert teu.usd == pytest.approx(v("teu.ratio") * feu.usd)  # general boxes: through rate
    ur = commodity("uranium_uoc")  # 16 t per 20 ft box, class 7: no surcharge is sourced
    u = router.route("Almaty", "Poti", ur, objective="time", **m)
    assert "aktau_alat_rail_ferry" in u.services
    assert list(u.legs["link_ids"]) == list(feu.legs["link_ids"])
    # from Almaty the uranium consignment pays the Kazakh export rate per t on its Kazakh
    # rail and the CAREC rail average on Azerbaijani and Georgian rail (CAREC members); the
    # rest is its box share of the FEU's charges
    rail = (feu.legs["mode"] == "rail").to_numpy()
    kz = rail & (feu.legs["country"] == "KZ").to_numpy()
    km = float(feu.legs.loc[kz, "km"].sum())
    assert km > 0
    rate = v("rail.rate.KZ.export")
    assert u.legs.loc[kz, "usd_tariff"].sum() == pytest.approx(km * rate)
    other = rail & ~kz
    km_o = float(feu.legs.loc[other, "km"].sum())
    assert km_o > 0 and set(feu.legs.loc[other, "country"]) <= {"AZ", "GE"}
    rate_o = v("rail.rate.export.CAREC")
    assert u.legs.loc[other, "usd_tariff"].sum() == pytest.approx(km_o * rate_o)
    rest_feu = feu.usd - feu.legs.loc[rail, "usd_tariff"].sum()
    assert u.usd - km * rate - km_o * rate_o == pytest.approx(
        v("teu.ratio") * rest_feu / 16 * v("dg7.factor")
    )
    assert u.totals["hours"] == pytest.approx(
        feu.totals["hours"]
    )  # time does not depend on the box


def test_import_premium_only_where_a_route_ends_in_central_asia(router):
    into = router.route("Xi'an", "Almaty", "container", objective="time")
    out = router.route("Almaty", "Xi'an", "container", objective="time")
    assert into.totals["usd_market"] == pytest.approx(v("market.import.CA"))
    assert out.totals["usd_market"] == 0.0
    transit = router.route("Xi'an", "Duisburg", "container", objective="time")
    assert transit.totals["usd_market"] == 0.0  # through Kazakhstan: transit, no premium


def test_ferry_is_a_charge_per_box_and_borders_outside_unions_pay_fees(router):
    r = router.route("Almaty", "Alat", "container", modes=["rail", "ferry"], objective="time")
    ferry = r.legs.loc[r.legs["mode"] == "ferry"].iloc[0]
    per_box = {"aktau_alat_rail_ferry": "ferry.caspian.kz", "aktau_alat_roro": "ferry.roro.caspian"}
    assert ferry["usd"] == pytest.approx(v(per_box[ferry["service_id"]]))  # Aktau - Alat
    u = router.route("Almaty", "Alat", "uranium", objective="time")  # rail ferries only
    uf = u.legs.loc[u.legs["mode"] == "ferry"].iloc[0]
    assert uf["service_id"] == "aktau_alat_rail_ferry"
    assert uf["usd"] == pytest.approx(v("ferry.caspian.kz") * v("teu.ratio") / 16)
    n = router.route("Xi'an", "Duisburg", "container", objective="time")
    b = n.legs.loc[n.legs["kind"] == "border"]
    union = b["event"].str.contains("border_union")
    assert (b.loc[union, "usd"] == 0).all()
    assert b.loc[~union, "usd"].to_numpy() == pytest.approx(
        [v("border.fee.rail")] * int((~union).sum())
    )


def test_bulk_pays_per_tonne_km_by_rail(router):
    g = router.route("Dostyk", "Almaty", "grain", objective="time")
    rail = g.legs.loc[g.legs["mode"] == "rail"].iloc[0]
    # hand computation: the leg's km x the Kazakh bulk rail rate per t-km (tariff_params.csv)
    assert rail["usd"] == pytest.approx(rail["km"] * v("bulk.rail.rate.KZ"))
    assert v("bulk.rail.rate.KZ") == pytest.approx(0.010)  # DisruptSC (World Bank), as bulk sea


def test_no_unscheduled_container_shipping_on_the_caspian():
    net = toy_network()
    # a sea lane straight across the Caspian, Aktau - Alat
    lanes = pd.DataFrame(
        {
            "link_id": [900, 901],
            "from_node": [5, 6],
            "to_node": [6, 5],
            "mode": ["sea", "sea"],
            "length": [500.0, 500.0],
        }
    )
    net = net.with_tables(links=pd.concat([net.links, lanes], ignore_index=True))
    rg = build_routing_graph(net, year=2025)
    v_ = rg.vlinks
    lane = ((v_["kind"] == "move") & (v_["link_id"].isin([900, 901]))).to_numpy()
    assert not link_costs(rg, "container").allowed[lane].any()
    assert link_costs(rg, "grain").allowed[lane].all()  # bulk carriers do cross


def test_import_premium_only_on_the_lane_it_was_measured_on(router):
    # the premium is fitted on Argus China -> Almaty & Aktau (facts §4.4): a box from
    # Europe into Kazakhstan pays its segments only (Duisburg -> Almaty has no premium)
    west = router.route("Duisburg", "Almaty", "container", objective="time")
    assert west.totals["usd_market"] == 0.0
    legs = west.legs
    parts = ["usd_tariff", "usd_hub", "usd_border"]
    assert legs[parts].to_numpy().sum() == pytest.approx(west.usd)


def test_export_haul_from_kazakhstan_pays_the_carec_consignment_cost(router):
    # oracle: CAREC TFI3, Kazakh rail cost per 500 km and 20 t of cargo, USD 724 (2020),
    # 924 (2021), 883 (2022) (corridor-facts §4.4): 0.0724-0.0924 USD per t-km. A uranium
    # export from a Kazakh origin pays it on its Kazakh rail km; the same km in a China -
    # Europe transit keep the fitted through rate rail.rate.KZ (per FEU-km).
    lo, hi = 724 / 500 / 20, 924 / 500 / 20
    m = {"modes": ("rail", "ferry"), "avoid_services": ["aktau_alat_roro"]}
    u = router.route("Almaty", "Poti", "uranium_uoc", objective="time", **m)
    kz = u.legs.loc[(u.legs["mode"] == "rail") & (u.legs["country"] == "KZ")]
    per_tkm = kz["usd_tariff"].sum() / kz["km"].sum()
    assert lo <= per_tkm <= hi
    assert per_tkm == pytest.approx(883 / 500 / 20)  # the 2022 value on a 2025 network
    transit = router.route("Xi'an", "Duisburg", "container", objective="time")
    t = transit.legs.loc[(transit.legs["mode"] == "rail") & (transit.legs["country"] == "KZ")]
    assert t["usd_tariff"].sum() == pytest.approx(t["km"].sum() * v("rail.rate.KZ"))
    # a 2020 or 2021 figure: CAREC's value of that year (param_history.csv)
    for year, usd in ((2020, 724), (2021, 924)):
        lc = link_costs(router.rg, "uranium_uoc", params=P.for_year(year)).export_kz
        rows = (lc.export_km > 0) & (lc.export_rate == "rail.rate.KZ.export")
        assert rows.any() and lc.variant == "export_kz"
        per = lc.usd_tariff[rows] / lc.export_km[rows]
        assert per == pytest.approx(usd / 500 / 20)
