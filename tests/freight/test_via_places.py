"""Via points at port cities and at a route's own ends, on the embedded network (2025).

Antwerp, Gdańsk, Genoa, Koper, Barcelona, Helsinki and Tallinn resolve to a port node with only
a sea layer (its rail and road nodes are other nodes, joined to it by port transfers). A via
point was passed at that sea layer only: a land trip via Antwerp went through the port's gate
(a discharge dwell, then a load dwell and the liner wait: Brussels -> Rotterdam via Antwerp took
7.9 days, Brussels -> Antwerp and Antwerp -> Rotterdam take an hour and four by truck). And a
via point at the route's origin or destination sent the route through another node of the city
(Antwerp -> Rotterdam via Antwerp: 117 km instead of 96).
"""

from __future__ import annotations

import pytest

from serai.freight.params import model_params


@pytest.fixture(scope="module")
def router(eurasia_router_2025):
    return eurasia_router_2025


def _v(name: str) -> float:
    return float(model_params().value(name))


@pytest.mark.parametrize("kw", [{}, {"objective": "time"}, {"objective": "cost"},
                                {"modes": ("road",)}])  # fmt: skip
def test_brussels_to_rotterdam_via_antwerp_is_a_truck_trip(router, kw):
    """By hand: every road km at ``road.speed`` plus the road terminal at Rotterdam (a node
    of the network: ``terminal.road``), no port; and about Brussels -> Antwerp plus Antwerp ->
    Rotterdam (each ends at Antwerp by a ~3 km last/first-mile leg: 0.25 h of slack)."""
    r = router.route("Brussels", "Rotterdam", via=["Antwerp"], **kw)
    legs = r.legs
    assert set(legs["mode"]) <= {"road", "connector"}, legs[["mode", "event"]]
    assert "port" not in set(legs["event"])
    assert r.totals["hours_wait"] == 0.0
    road_km = legs.loc[legs["mode"] == "road", "km"].sum()
    want = road_km / _v("road.speed") + _v("terminal.road")
    assert r.totals["hours"] == pytest.approx(want, rel=1e-9)
    a = router.route("Brussels", "Antwerp", objective="time").totals["hours"]
    b = router.route("Antwerp", "Rotterdam", objective="time").totals["hours"]
    assert abs(r.totals["hours"] - (a + b)) < 0.25  # was 189 h against 4.6 h
    direct = router.route("Brussels", "Rotterdam", objective="time").totals["hours"]
    assert direct <= r.totals["hours"] < direct + 0.25  # Antwerp is on the way


@pytest.mark.parametrize(
    ("origin", "destination", "via"),
    [
        ("Warsaw", "Berlin", "Gdansk"),
        ("Milan", "Marseille", "Genoa"),  # Genova's port has a rail transfer only
        ("Ljubljana", "Trieste", "Koper"),
        ("Madrid", "Valencia", "Barcelona"),
        ("Turku", "Tampere", "Helsinki"),
    ],
)
def test_land_trips_via_port_cities_pay_no_port_dwell(router, origin, destination, via):
    """No port event nor liner wait; by time, no slower than the trips to and from the city
    plus a day's rest (one truck haul of both: the driving-time rules' daily rest, 11 h, which
    two hauls of under 9 h each do not take) and the ~2 x 4 km to the port's land nodes."""
    for objective in ("time", "generalised"):
        r = router.route(origin, destination, via=[via], objective=objective)
        legs = r.legs
        assert "sea" not in set(legs["mode"])
        assert "port" not in set(legs["event"]), legs[["mode", "from_name", "event", "hours"]]
        assert r.totals["hours_wait"] == 0.0
    r = router.route(origin, destination, via=[via], objective="time")
    a = router.route(origin, via, objective="time").totals["hours"]
    b = router.route(via, destination, objective="time").totals["hours"]
    assert r.totals["hours"] < a + b + 11.0 + 0.25  # was 85-263 h (a port call, or rail)


def test_sea_trip_via_antwerp_pays_no_port_dwell_there(router):
    """Shanghai -> Rotterdam by sea via Antwerp: the load dwell and liner wait at Shanghai, the
    discharge dwell at Rotterdam, the ship passes Antwerp; by hand, sailing + the two dwells."""
    r = router.route("Shanghai", "Rotterdam", via=["Antwerp"], modes=("sea",))
    legs = r.legs
    port = legs.loc[legs["event"] == "port"]
    assert list(port["from_name"]) == ["Shanghai", "Rotterdam"]
    assert port.iloc[0]["hours"] == pytest.approx(_v("port.dwell.load") + _v("sea.liner_wait"))
    assert port.iloc[1]["hours"] == pytest.approx(_v("port.dwell.discharge"))
    sea = legs.loc[legs["mode"] == "sea", "hours"].sum()
    assert r.totals["hours"] == pytest.approx(sea + port["hours"].sum(), rel=1e-9)
    direct = router.route("Shanghai", "Rotterdam", modes=("sea",))
    assert direct.km < r.km < direct.km + 400  # into the Scheldt and out again


def test_sea_then_truck_via_antwerp_discharges_there_once(router):
    """Shanghai -> Brussels by sea and road via Antwerp: loaded at Shanghai, discharged once at
    Antwerpen (``port.dwell.discharge``), then trucked; nothing else at a port."""
    r = router.route("Shanghai", "Brussels", via=["Antwerp"], modes=("sea", "road"))
    legs = r.legs
    port = legs.loc[legs["event"] == "port"]
    assert len(port) == 2
    assert port.iloc[1]["from_name"] == "Antwerpen"
    assert port.iloc[1]["hours"] == pytest.approx(_v("port.dwell.discharge"))
    assert r.totals["hours_wait"] == pytest.approx(_v("sea.liner_wait"))


@pytest.mark.parametrize(
    ("origin", "destination", "via"),
    [
        ("Antwerp", "Rotterdam", ["Antwerp"]),
        ("Brussels", "Antwerp", ["Antwerp"]),
        ("Helsinki", "Tallinn", ["Helsinki"]),
        ("Hamburg", "Rotterdam", ["Rotterdam"]),
        ("Antwerp", "Rotterdam", ["Antwerp", "Antwerp", "Rotterdam"]),
    ],
)
def test_via_at_an_end_of_the_route_is_the_route_itself(router, origin, destination, via):
    """The route starts (ends) at the via point: the answer is the route without it."""
    r = router.route(origin, destination, via=via)
    direct = router.route(origin, destination)
    assert r.km == pytest.approx(direct.km) and r.totals["hours"] == pytest.approx(
        direct.totals["hours"]
    )
    assert list(r.legs["to_name"]) == list(direct.legs["to_name"])


def test_a_return_to_the_origin_between_via_points_is_kept(router):
    """Antwerp -> Rotterdam via Duisburg then Antwerp: out to Duisburg and back (by hand, at
    least twice the great-circle distance Antwerp-Duisburg, ~165 km)."""
    from serai.freight.gazetteer import chord_km
    from serai.freight.places import _unit

    a, d = router.locate("Antwerp"), router.locate("Duisburg")
    ua, ud = _unit([a.lat], [a.lon])[0], _unit([d.lat], [d.lon])[0]
    gc = float(chord_km(((ua - ud) ** 2).sum() ** 0.5))
    r = router.route("Antwerp", "Rotterdam", via=["Duisburg", "Antwerp"])
    assert r.km > 2 * gc
    assert router.route("Antwerp", "Rotterdam").km < 120


def test_duplicate_via_points_are_one(router):
    one = router.route("Brussels", "Rotterdam", via=["Antwerp"])
    two = router.route("Brussels", "Rotterdam", via=["Antwerp", "Antwerp"])
    assert two.km == pytest.approx(one.km) and two.totals["gc_usd"] == pytest.approx(
        one.totals["gc_usd"]
    )


def test_via_a_landlocked_city_by_sea_names_both(router):
    from serai.freight.constraints import NoRouteError

    with pytest.raises(NoRouteError, match="via point Almaty is required") as e:
        router.route("Shanghai", "Rotterdam", via=["Almaty"], modes=("sea",))
    assert "only modes sea are allowed" in str(e.value)
