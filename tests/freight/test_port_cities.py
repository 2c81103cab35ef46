"""Port cities on the embedded network: a land trip starts and ends on land, a sea trip pays
its port dwell once.

Antwerp, Gdańsk, Genoa, Koper, Barcelona, Helsinki and Tallinn resolve to a port node that has
only a sea layer (its rail and road nodes are other nodes, joined to it by port transfers).
Before, a truck trip from such a city began at the sea layer: the loading dwell and liner wait
of the port (``access`` with a port event, 132 h) and then the discharge dwell of the port
transfer to road (48 h), without a ship: Antwerp -> Brussels was 7.5 days for 52 km.
"""

from __future__ import annotations

import pytest

from serai.freight.params import model_params

LAND_TRIPS = [
    ("Antwerp", "Brussels"),
    ("Brussels", "Antwerp"),
    ("Gdansk", "Warsaw"),
    ("Warsaw", "Gdansk"),
    ("Genoa", "Milan"),
    ("Koper", "Ljubljana"),
    ("Barcelona", "Madrid"),
]


@pytest.fixture(scope="module")
def router(eurasia_router_2025):
    return eurasia_router_2025


def _v(name: str) -> float:
    return float(model_params().value(name))


def test_antwerp_to_brussels_is_a_truck_trip_of_an_hour(router):
    """By hand: every km of the route (legs of the first and last mile included) is driven at
    ``road.speed`` (60 km/h), with no port, transfer or rest: ~61 km, ~1 h."""
    for o, d in (("Antwerp", "Brussels"), ("Brussels", "Antwerp")):
        r = router.route(o, d, objective="time")
        legs = r.legs
        assert set(legs["mode"]) == {"road"}, legs[["mode", "event"]]
        assert "port" not in set(legs["event"])
        assert r.totals["hours_dwell"] == 0.0 and r.totals["hours_wait"] == 0.0
        assert r.totals["hours"] == pytest.approx(r.km / _v("road.speed"), rel=1e-9)
        assert 50 < r.km < 80 and r.days < 0.1  # was 7.5 days
        # the port city's side is a first (last) mile leg from the city, as for any city
        end = legs.iloc[0] if o == "Antwerp" else legs.iloc[-1]
        assert end["event"].startswith("first mile" if o == "Antwerp" else "last mile")
        place = r.origin_place if o == "Antwerp" else r.destination_place
        assert place.name == "Antwerpen" and place.on_network  # the port is still the place


@pytest.mark.parametrize(("origin", "destination"), LAND_TRIPS)
def test_land_trips_from_port_cities_pay_no_port_dwell(router, origin, destination):
    for objective in ("time", "generalised"):
        r = router.route(origin, destination, objective=objective)
        legs = r.legs
        assert "sea" not in set(legs["mode"])
        assert "port" not in set(legs["event"]), legs[["mode", "from_name", "event", "hours"]]
        # no loading dwell nor liner wait at the port: only road/rail transfers, if any
        assert r.totals["hours_wait"] == 0.0
        assert legs["hours"].sum() == pytest.approx(r.totals["hours"])
    assert router.route(origin, destination, objective="time").days < 1.5


def test_helsinki_to_tallinn_by_ferry_pays_boarding_once(router):
    """By hand: trucks at ``road.speed``, the ferry's boarding (half its headway + the boarding
    dwell), the crossing and the alighting; no port dwell at either city."""
    for modes in (("road", "ferry"), ("road", "roro", "ferry"), None):
        kw = {"modes": modes} if modes else {}
        r = router.route("Helsinki", "Tallinn", **kw)
        legs = r.legs
        assert list(legs["kind"]) == ["move", "move", "board", "move", "alight", "move", "move"]
        assert "port" not in set(legs["event"])
        road = legs.loc[legs["mode"] == "road", "km"].sum()
        board, ferry, alight = legs.iloc[2], legs.iloc[3], legs.iloc[4]
        assert ferry["mode"] == "ferry"
        want = road / _v("road.speed") + board["hours"] + ferry["hours"] + alight["hours"]
        assert r.totals["hours"] == pytest.approx(want, rel=1e-9)
        assert r.totals["hours_dwell"] == pytest.approx(
            board["hours_dwell"] + alight["hours_dwell"]
        )
        assert r.days < 1.0  # was 7.6 days (sea) and 15.6 days (road, ro-ro, ferry)


@pytest.mark.parametrize(
    ("origin", "destination"), [("Genoa", "Istanbul"), ("Antwerp", "Shanghai"), ("Gdansk", "Genoa")]
)
def test_sea_trips_from_port_cities_pay_their_port_dwell_once(router, origin, destination):
    """By hand: loading dwell + liner wait at the port of loading, the discharge dwell at the
    port of discharge, nothing else at the ports."""
    r = router.route(origin, destination, modes=("sea",))
    legs = r.legs
    port = legs.loc[legs["event"] == "port"]
    assert len(port) == 2
    assert port.iloc[0]["hours"] == pytest.approx(_v("port.dwell.load") + _v("sea.liner_wait"))
    assert port.iloc[0]["wait_h"] == pytest.approx(_v("sea.liner_wait"))
    assert port.iloc[1]["hours"] == pytest.approx(_v("port.dwell.discharge"))
    assert legs.iloc[0]["event"] == "port" and legs.iloc[-1]["event"] == "port"
    assert not legs["event"].astype(str).str.contains("mile").any()
    sea = legs.loc[legs["mode"] == "sea", "hours"].sum()
    assert r.totals["hours"] == pytest.approx(sea + port["hours"].sum(), rel=1e-9)
