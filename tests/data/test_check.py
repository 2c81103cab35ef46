"""`serai data check` anomaly classes on hand-made networks (oracle: hand computation), the one
availability rule (status, opening year, dated closures) and border closures by table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from serai.data.borders import link_closures, reopen_border
from serai.data.check import check_network, great_circle_km
from serai.data.status import open_mask
from serai.network import Network


def _net(links: pd.DataFrame, nodes: pd.DataFrame | None = None, **tables) -> Network:
    if nodes is None:
        nodes = pd.DataFrame(
            {
                "node_id": [1, 2, 3, 4],
                "x": [0.0, 1.0, 1.0, 2.0],
                "y": [0.0, 0.0, 1.0, 0.0],
                "country": ["AA", "AA", "BB", "BB"],
                "mode": ["rail"] * 4,
            }
        )
    return Network.from_tables(nodes=nodes, links=links, **tables)


def _links(**cols) -> pd.DataFrame:
    base = {
        "link_id": [1, 2, 3],
        "from_node": [1, 2, 3],
        "to_node": [2, 3, 4],
        "mode": ["rail"] * 3,
        "speed": [50.0] * 3,
    }
    base.update(cols)
    df = pd.DataFrame(base)
    gc = {1: 111.19, 2: 111.19, 3: 157.2}
    if "length" not in df:
        df["length"] = [gc[i] + 1 for i in df["link_id"]]
    df["free_flow_time"] = df["length"] / df["speed"] * 60
    return df


def test_great_circle_oracle():
    # one degree of longitude on the equator: 2 pi R / 360
    assert float(great_circle_km(0, 0, 1, 0)) == pytest.approx(2 * np.pi * 6371.0088 / 360)


def test_clean_network_has_no_anomaly():
    rep = check_network(_net(_links()), land=None)
    assert rep.total == 0, rep.counts
    assert "water_over_land" in rep.skipped


def test_short_link_and_implied_speed():
    links = _links(length=[50.0, 112.0, 158.0])  # link 1: 50 km for a 111 km straight line
    links.loc[2, "free_flow_time"] = 30.0  # link 3: 157 km in 30 min = 314 km/h
    rep = check_network(_net(links), land=None)
    assert rep.counts["short_link"] == 1
    assert rep.details["short_link"]["link_id"].tolist() == [1]
    assert rep.counts["implied_speed"] == 1
    assert rep.details["implied_speed"]["implied_kmh"].iat[0] == pytest.approx(314.4, abs=1)
    assert rep.counts["speed"] == 0


def test_speed_above_the_mode_limit():
    links = _links(speed=[50.0, 200.0, 50.0])
    assert check_network(_net(links), land=None).counts["speed"] == 1


def test_closed_border_open_in_the_year():
    bs = pd.DataFrame(
        {
            "status_id": ["aa_bb"],
            "country_a": ["BB"],
            "country_b": ["AA"],
            "mode": ["rail"],
            "status": ["closed"],
            "closed_from": [2022],
            "reopen_year": [pd.NA],
        }
    )
    net = _net(_links(), border_status=bs)
    # link 2 (node 2 in AA -> node 3 in BB) crosses; it is usable, so an anomaly from 2022 on
    assert check_network(net, year=2021, land=None).counts["open_closed_border"] == 0
    assert check_network(net, year=2025, land=None).counts["open_closed_border"] == 1
    assert check_network(net, year=None, land=None).counts["open_closed_border"] == 1
    # stamped with its closure, the link is no longer offered: no anomaly
    cl = link_closures(net.links, net.nodes, bs)
    assert cl["closure_id"].tolist() == ["", "aa_bb", ""]
    stamped = _net(pd.concat([net.links, cl], axis=1), border_status=bs)
    assert check_network(stamped, year=2025, land=None).counts["open_closed_border"] == 0
    assert not open_mask(stamped.links, 2025)[1] and open_mask(stamped.links, 2021)[1]
    # a scenario reopens it
    again = reopen_border(stamped, "AA", "BB", 2026)
    assert open_mask(again.links, 2026)[1] and not open_mask(again.links, 2025)[1]
    assert not open_mask(stamped.links, 2026)[1]  # the base network is untouched


def test_the_readme_reopening_works_on_the_shipped_tables():
    """README: ``load_network(2026, scenario=lambda n: reopen_border(n, "RU", "UA", 2026))``.
    The shipped border_status is read as text (pandas 3): setting an int year failed."""
    from serai.data import load_network

    closed = load_network(2026)
    opened = load_network(2026, scenario=lambda n: reopen_border(n, "RU", "UA", 2026))
    added = opened.links[~opened.links["link_id"].isin(closed.links["link_id"])]
    assert len(added) > 0
    ends = set(added["from_node"]) | set(added["to_node"])
    countries = set(opened.nodes.loc[opened.nodes["node_id"].isin(ends), "country"])
    assert {"RU", "UA"} <= countries
    bs = opened.tables["border_status"]
    ru_ua = bs[(bs["country_a"] == "RU") & (bs["country_b"] == "UA")]
    assert pd.to_numeric(ru_ua["reopen_year"]).eq(2026).all()
    assert (
        not load_network(2025, scenario=lambda n: reopen_border(n, "RU", "UA", 2026))
        .links["link_id"]
        .isin(added["link_id"])
        .any()
    )  # not before the reopening year


def test_a_line_built_after_the_closure_is_not_closed_by_it():
    """A new line across a closed border (TRIPP through Armenia, open 2030; the AM–AZ border
    closed since 1992) opens by its own date; the older crossing stays closed."""
    bs = pd.DataFrame(
        {"status_id": ["aa_bb"], "country_a": ["AA"], "country_b": ["BB"], "mode": ["all"],
         "status": ["closed"], "closed_from": [1992]}
    )  # fmt: skip
    links = pd.concat([_links(), _links().iloc[[1]].assign(link_id=4)], ignore_index=True)
    links["open_year"] = [None, None, None, 2030]
    cl = link_closures(links, _net(links).nodes, bs)
    assert cl["closure_id"].tolist() == ["", "aa_bb", "", ""]


def test_border_box_limits_the_closure():
    bs = pd.DataFrame(
        {"status_id": ["x"], "country_a": ["AA"], "country_b": ["BB"], "mode": ["all"],
         "status": ["closed"], "closed_from": [2000], "lon_min": [5.0], "lat_min": [5.0],
         "lon_max": [6.0], "lat_max": [6.0]}
    )  # fmt: skip
    net = _net(_links())
    assert link_closures(net.links, net.nodes, bs)["closure_id"].tolist() == ["", "", ""]


def test_water_over_land_and_inland_as_sea():
    shapely = pytest.importorskip("shapely")
    land = shapely.box(0.4, -1.0, 0.6, 1.0)  # a 0.2 degree wide strip: ~22 km across
    links = _links(mode=["sea", "rail", "sea"], passage=["", "", "volga_don"], speed=[26.0] * 3)
    rep = check_network(_net(links), land=land)
    assert rep.counts["water_over_land"] == 1
    assert rep.details["water_over_land"]["km_over_land"].iat[0] == pytest.approx(22.2, abs=0.3)
    assert rep.counts["inland_as_sea"] == 1


def test_facts_line_missing_and_far_snap():
    nodes = pd.DataFrame(
        {"node_id": [1, 2, 3, 4], "x": [0.0, 1.0, 1.0, 2.0], "y": [0.0, 0.0, 1.0, 0.0],
         "country": ["AA"] * 4, "mode": ["rail"] * 4, "point_id": ["a", "b", "", "c"]}
    )  # fmt: skip
    links = _links().iloc[:1]  # only 1-2: c is cut off
    lines = pd.DataFrame(
        {"line_id": ["ab", "ac", "ab_long"], "mode": ["rail"] * 3, "from_point": ["a", "a", "a"],
         "to_point": ["b", "c", "b"], "length_km": [110.0, 250.0, 300.0], "action": ["check"] * 3,
         "status": ["operational"] * 3}
    )  # fmt: skip
    pts = pd.DataFrame({"point_id": ["a", "z"], "mode": ["rail", "rail"], "node_id": [1, 2],
                        "snap_km": [0.5, 130.0]})  # fmt: skip
    rep = check_network(_net(links, nodes), land=None, facts_lines=lines, points=pts)
    d = rep.details["facts_line"].set_index("line_id")
    assert not d.at["ab", "anomaly"]  # 112.2 km in the network for a published 110
    assert d.at["ac", "why"] == "end points not connected"
    assert d.at["ab_long", "why"] == "length off"  # 112 km for a published 300
    assert rep.counts["facts_line"] == 2
    assert rep.counts["far_snap"] == 1
    assert rep.counts["disconnected"] == 0  # nodes 3 and 4 carry no link: not in the network


def test_open_mask_rules():
    df = pd.DataFrame(
        {"status": ["operational", "", "planned", "under_construction", "operational", "closed"],
         "open_year": [None, None, None, 2027, 2030, None],
         "closed_from": [None, None, None, None, None, None]}
    )  # fmt: skip
    assert open_mask(df, None).tolist() == [True, True, False, False, True, False]
    assert open_mask(df, 2027).tolist() == [True, True, False, True, False, False]
    assert open_mask(df, 2030).tolist() == [True, True, False, True, True, False]


@pytest.fixture(scope="module")
def land():
    from serai.data.check import default_land_path, load_land

    paths = default_land_path()
    if paths is None:
        pytest.skip("Natural Earth files of tools/data/raw not here (not a repository checkout)")
    return load_land(*paths)


@pytest.mark.parametrize("year", [None, 2030])
def test_shipped_network_has_no_anomaly(year, land):
    """Issue 10 'done when': `serai data check` reports zero anomalies on the embedded network,
    today and in 2030 with the planned lines open (before: tools/data/check_before.json,
    measured on the network of commit 3bd9af8)."""
    from serai.data import load_network

    rep = check_network(load_network(), year=year, land=land)
    assert rep.total == 0, {k: v for k, v in rep.counts.items() if v}
    assert not rep.skipped
