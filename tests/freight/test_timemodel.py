"""The time model element by element, on small hand-built networks (values from the tables)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from serai.freight import Router, build_routing_graph
from serai.freight.params import BASES, model_params
from serai.freight.timemodel import border_side_param
from serai.network import Network

P = model_params()
v = P.value


def _net(nodes, links, **tables) -> Network:
    n = pd.DataFrame(nodes, columns=["node_id", "name", "country", "kind", "x", "y"])
    rows = []
    for lid, a, b, mode, km, gauge, *rest in links:
        name = rest[0] if rest else ""
        for k, (f, t) in enumerate(((a, b), (b, a))):
            rows.append((lid * 10 + k, f, t, mode, float(km), gauge, name))
    links = pd.DataFrame(
        rows, columns=["link_id", "from_node", "to_node", "mode", "length", "gauge", "name"]
    )
    return Network.from_tables(nodes=n, links=links, **tables)


# China (standard gauge) -> Kazakhstan (broad gauge) across the Dostyk crossing
NODES = [
    (1, "Urumqi", "CN", "city", 87.6, 43.8),
    (2, "Alashankou", "CN", "border", 82.57, 45.15),
    (3, "Dostyk", "KZ", "gauge_change", 82.49, 45.25),
    (4, "Aktogay", "KZ", "city", 79.67, 46.95),
]
LINKS = [
    (1, 1, 2, "rail", 460, 1435),
    (2, 2, 3, "rail", 12, 1435),
    (3, 3, 4, "rail", 304, 1520),
]


def _crossing(**extra) -> pd.DataFrame:
    d = {"link_id": [20, 21], "mode": ["rail", "rail"], "country_a": ["CN", "CN"],
         "country_b": ["KZ", "KZ"], "x": [82.53, 82.53], "y": [45.2, 45.2]}  # fmt: skip
    d.update(extra)
    return pd.DataFrame(d)


def test_border_sides_by_crossing_and_direction():
    net = _net(NODES, LINKS, border_crossings=_crossing(crossing_id=["dostyk_alashankou"] * 2))
    r = Router(build_routing_graph(net))
    west = r.route("Urumqi", "Aktogay", objective="time").legs.set_index("kind")
    east = r.route("Aktogay", "Urumqi", objective="time").legs.set_index("kind")
    # westbound: Alashankou outbound (CAREC 2022) + Kazakh rail inbound (CAREC 2022)
    assert west.loc["border", "hours_border_out"] == pytest.approx(30.5)
    assert west.loc["border", "hours_border_in"] == pytest.approx(78.0)
    # eastbound: Kazakh outbound 6.8 h + a Chinese inbound side without a figure (default)
    assert east.loc["border", "hours_border_out"] == pytest.approx(6.8)
    assert east.loc["border", "hours_border_in"] == pytest.approx(v("border.rail.*.*"))
    # CAREC's rail border times include the transshipment: the gauge change adds no hours
    # (it still costs a lift)
    assert west.loc["gauge", "hours"] == 0.0
    assert west.loc["gauge", "usd"] == pytest.approx(v("lift"))
    assert west.loc["border", "time_basis"] == "measured"


def test_network_border_time_used_when_measured_and_the_crossing_is_not_in_the_tables():
    measured = _net(NODES, LINKS, border_crossings=_crossing(time_h=[12.0, 12.0]))
    est = _net(
        NODES,
        LINKS,
        border_crossings=_crossing(time_h=[12.0, 12.0], time_source=["estimate: x", "estimate: x"]),
    )
    a = Router(build_routing_graph(measured)).route("Urumqi", "Aktogay", objective="time")
    b = Router(build_routing_graph(est)).route("Urumqi", "Aktogay", objective="time")
    assert a.totals["hours_border"] == pytest.approx(12.0)
    # an estimate in the network is replaced by the model's sides (CN out + KZ in)
    assert b.totals["hours_border"] == pytest.approx(v("border.rail.CN.out") + 78.0)
    # the CAREC sides include the transshipment; the network's own figure does not
    assert b.legs.set_index("kind").loc["gauge", "hours"] == 0.0
    assert a.legs.set_index("kind").loc["gauge", "hours"] == pytest.approx(v("gauge.default"))


def test_border_side_precedence():
    assert border_side_param(P, "rail", "KZ", "in", "x|CN-KZ", False) == "border.rail.KZ.in"
    assert border_side_param(P, "rail", "BY", "out", "brest|BY-PL", False) == (
        "border.rail.BY.out.BY-PL"
    )
    # inside a customs union the union default, not the national averages (measured at
    # crossings with customs clearance); the union default before the global one
    assert border_side_param(P, "rail", "KZ", "out", "", True) == "border.rail.union.*"
    assert border_side_param(P, "rail", "KZ", "in", "x|RU-KZ", True) == "border.rail.union.*"
    assert border_side_param(P, "rail", "RU", "in", "", True) == "border.rail.union.*"
    assert border_side_param(P, "rail", "KZ", "out", "x|KZ-UZ", False) == "border.rail.KZ.out"
    assert border_side_param(P, "road", "GE", "out", "sarpi_road", False) == (
        "border.road.GE.out.sarpi_road"
    )
    assert border_side_param(P, "road", "GE", "in", "", False) == "border.road.GE.*"


def test_rail_running_dwell_and_terminals_by_hand():
    net = _net(NODES[2:], [(3, 3, 4, "rail", 304, 1520)])
    r = Router(build_routing_graph(net)).route("Dostyk", "Aktogay", objective="time")
    t = r.totals
    assert t["hours_motion"] == pytest.approx(304 / 57.9)  # CAREC SWOD, Kazakhstan 2022
    assert t["hours_dwell"] == pytest.approx(
        0.304 * v("rail.enroute_h_per_1000km") + v("terminal.rail.origin") + v("terminal.rail.dest")
    )
    assert t["hours_border"] == t["hours_schedule"] == t["hours_queue"] == t["hours_rest"] == 0.0
    # provenance: the running time is measured, the rest calibrated or estimated
    assert t["share_hours_measured"] == pytest.approx(t["hours_motion"] / t["hours"])
    assert sum(t[f"share_hours_{b}"] for b in BASES) == pytest.approx(1.0)
    legs = r.legs
    assert legs.loc[legs["kind"] == "move", "time_basis"].iloc[0].startswith("measured")


def test_marmaray_night_window_is_a_schedule_wait():
    nodes = [(1, "Halkali", "TR", "city", 28.7, 41.0), (2, "Gebze", "TR", "city", 29.4, 40.8)]
    net = _net(nodes, [(1, 1, 2, "rail", 77, 1435, "marmaray")])
    r = Router(build_routing_graph(net)).route("Halkali", "Gebze", objective="time")
    assert r.totals["hours_schedule"] == pytest.approx((24 - 5) ** 2 / 48)  # 7.52 h


def test_black_sea_feeder_weekly_and_truck_rests():
    nodes = [
        (1, "Poti", "GE", "port", 41.67, 42.15),
        (2, "Constanta", "RO", "port", 28.65, 44.17),
        (3, "Inland", "RO", "city", 24.0, 45.0),
        (4, "Poti town", "GE", "city", 41.7, 42.1),
    ]
    net = _net(nodes, [(1, 2, 3, "road", 600, None), (2, 4, 1, "road", 5, None)])
    svc = pd.DataFrame({"service_id": ["poti_constanta"], "from_node": [1], "to_node": [2],
                        "mode": ["feeder"], "crossing_h": [40.0]})  # fmt: skip
    r = Router(build_routing_graph(net.with_tables(services=svc)))
    route = r.route("Poti town", "Inland", objective="time")
    board = route.legs.loc[route.legs["kind"] == "board"].iloc[0]
    assert board["hours_schedule"] == pytest.approx(v("feeder.wait.blacksea"))
    # 600 km of road at road.speed: rests by the driving-time rules, single driver
    from serai.freight.roadtime import truck_schedule

    assert route.services == ("poti_constanta",)
    # the 600 km haul after the feeder (the 5 km before it is its own haul: no rest)
    drive = 600 / v("road.speed")
    assert route.totals["hours_rest"] == pytest.approx(truck_schedule(drive).rest_h)
    two = r.route("Poti town", "Inland", objective="time", crew="double")
    assert two.totals["hours_rest"] == pytest.approx(truck_schedule(drive, "double").rest_h)
    assert two.totals["hours"] <= route.totals["hours"]


def test_route_totals_are_the_sum_of_legs():
    from tests.freight.toy import toy_network

    r = Router(build_routing_graph(toy_network(), year=2025))
    for o, d, kw in (("Xi'an", "Duisburg", {}), ("Almaty", "Alat", {"modes": ["road", "ferry"]}),
                     ("Shanghai", "Rotterdam", {"modes": ["sea"]})):  # fmt: skip
        route = r.route(o, d, **kw)
        legs = route.legs
        assert legs["hours"].sum() == pytest.approx(route.totals["hours"])
        assert legs["usd"].sum() == pytest.approx(route.totals["usd"])
        for comp in ("motion", "rest", "dwell", "border_out", "border_in", "schedule", "queue"):
            assert legs[f"hours_{comp}"].sum() == pytest.approx(route.totals[f"hours_{comp}"])
        share = legs["share_hours_estimate"].to_numpy() * legs["hours"].to_numpy()
        assert np.sum(share) / route.totals["hours"] == pytest.approx(
            route.totals["share_hours_estimate"]
        )


def test_measured_values_of_the_network_year_by_hand():
    # CAREC's Kazakh rail BCP time for all directions (39.9 h in 2019, 57.2 h in 2021) with
    # the 2022 direction shares (inbound 78.0 h of 67.4 h): the entry side of Dostyk
    def years(y):
        n = _net(NODES, LINKS, border_crossings=_crossing(crossing_id=["dostyk_alashankou"] * 2))
        extra = {k: t for k, t in n.tables.items() if k not in ("nodes", "links")}
        n = Network.from_tables(nodes=n.nodes, links=n.links, meta={**n.meta, "year": y}, **extra)
        return Router(build_routing_graph(n)).route("Urumqi", "Aktogay", objective="time")

    legs = {y: years(y).legs.set_index("kind") for y in (2017, 2019, 2021, 2022, 2030)}
    assert legs[2019].loc["border", "hours_border_in"] == pytest.approx(
        78.0 * 39.9 / 67.4, abs=0.01
    )
    assert legs[2021].loc["border", "hours_border_in"] == pytest.approx(
        78.0 * 57.2 / 67.4, abs=0.01
    )
    # before the first measurement: the first; from the table's year on: the table (no
    # extrapolation)
    assert (
        legs[2017].loc["border", "hours_border_in"] == legs[2019].loc["border", "hours_border_in"]
    )
    assert legs[2022].loc["border", "hours_border_in"] == pytest.approx(78.0)
    assert legs[2030].loc["border", "hours_border_in"] == pytest.approx(78.0)
    # the Kazakh speed without delay: 65.2 km/h in 2020 (the first measured), 49.0 in 2021
    kz = {y: legs[y].loc[legs[y]["country"] == "KZ"] for y in legs}
    move = {y: kz[y].loc["move"] for y in kz}
    km = float(move[2022]["km"].sum())
    for y, speed in ((2017, 65.2), (2021, 49.0), (2022, 57.9), (2030, 57.9)):
        assert float(move[y]["hours_motion"].sum()) == pytest.approx(km / speed)
    # the Chinese outbound side has no history: the 2022 figure whatever the year
    assert legs[2017].loc["border", "hours_border_out"] == pytest.approx(30.5)
    assert P.for_year(2025) is P and P.for_year(None) is P
    # provenance follows the value: a split by the 2022 direction shares is an estimate
    assert P.for_year(2019).basis_of("border.rail.KZ.in") == "estimate"
    assert P.for_year(2021).basis_of("rail.speed.KZ") == "measured"
    assert legs[2019].loc["border", "time_basis"] != legs[2022].loc["border", "time_basis"]


def test_param_history_rows_are_what_their_notes_say():
    import re
    from importlib import resources

    with resources.files("serai.freight.data").joinpath("param_history.csv").open("rb") as fh:
        h = pd.read_csv(fh)
    assert set(h["basis"]) <= {"measured", "estimate"}
    for r in h.to_dict("records"):
        if r["basis"] == "estimate":  # a derived value: the note's arithmetic, by hand
            a, b, c = map(
                float, re.search(r"([\d.]+)(?: h)? x ([\d.]+) / ([\d.]+)", r["note"]).groups()
            )
            assert r["value"] == pytest.approx(a * b / c, abs=0.01), r
        else:  # a published figure: the note quotes it with its year
            assert f"{r['value']:g} h ({r['year']})" in r["note"] or f"{r['year']}" in r["note"]
        # history is for years before the table's own measurement
        assert r["year"] < int(P.table.loc[P.idx(r["param_id"]), "year"])


def _caspian(**svc) -> Router:
    nodes = [
        (1, "Mangystau", "KZ", "city", 51.9, 43.9),
        (2, "Aktau port", "KZ", "port", 51.21, 43.68),
        (3, "Alat port", "AZ", "port", 49.39, 39.95),
        (4, "Baku", "AZ", "city", 49.85, 40.4),
    ]
    net = _net(nodes, [(1, 1, 2, "rail", 60, 1520), (2, 3, 4, "rail", 65, 1520)])
    s = {"service_id": ["aktau_alat"], "from_node": [2], "to_node": [3], "mode": ["ferry"],
         "crossing_h": [22.0]}  # fmt: skip
    s.update({k: [x] for k, x in svc.items()})
    return Router(build_routing_graph(net.with_tables(services=pd.DataFrame(s))))


def test_caspian_ferry_waits_by_hand():
    # no timetable: the ferry leaves when full (queue) plus the expected storm delay; the
    # wagons roll on and off (ferry loading and unloading) after the Caspian port dwell
    legs = _caspian().route("Mangystau", "Baku", objective="time").legs
    board = legs.loc[legs["kind"] == "board"].iloc[0]
    alight = legs.loc[legs["kind"] == "alight"].iloc[0]
    assert board["hours_queue"] == pytest.approx(
        v("ferry.queue.caspian") + v("ferry.weather.caspian")
    )
    assert board["hours_schedule"] == 0.0
    assert board["hours_dwell"] == pytest.approx(v("ferry.load") + v("caspian.port.depart"))
    assert alight["hours_dwell"] == pytest.approx(v("ferry.unload") + v("caspian.port.arrive"))
    crossing = legs.loc[(legs["kind"] == "move") & (legs["mode"] == "ferry")].iloc[0]
    assert crossing["hours_motion"] == pytest.approx(22.0)
    # a timetable of 3 sailings a week: half the headway, 168 / 3 / 2 = 28 h, instead of
    # the queue (the storm delay stays)
    b3 = _caspian(frequency_per_week=3.0).route("Mangystau", "Baku", objective="time").legs
    b3 = b3.loc[b3["kind"] == "board"].iloc[0]
    assert b3["hours_schedule"] == pytest.approx(28.0)
    assert b3["hours_queue"] == pytest.approx(v("ferry.weather.caspian"))
