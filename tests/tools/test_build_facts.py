"""How the build merges fact lines into the graph, on a small network checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

build = pytest.importorskip("tools.data.build", reason="tools/ only in a repo checkout")


def _net():
    # rail line 1 -(100 km)- 2 -(100 km)- 3 along the equator, 0.9 degree apart
    nodes = pd.DataFrame(
        {"node_id": [1, 2, 3], "x": [0.0, 0.9, 1.8], "y": [0.0, 0.0, 0.0], "country": "KZ",
         "kind": "junction", "mode": "rail", "name": "", "point_id": ["a", "b", "c"],
         "unlocode": "", "status": "operational", "open_year": ""}
    )  # fmt: skip
    links = pd.DataFrame(
        {"from_node": [1, 2, 2, 3], "to_node": [2, 1, 3, 2], "length": [100.0] * 4, "mode": "rail",
         "country": "KZ", "origin": "osm", "gauge": 1520}
    )  # fmt: skip
    points = pd.DataFrame(
        {"point_id": ["a", "b", "c", "far"], "name": ["A", "B", "C", "Far"],
         "kind": "junction", "country": "KZ", "lat": [0.0, 0.0, 0.0, 2.0],
         "lon": [0.0, 0.9, 1.8, 0.9], "unlocode": "", "modes": "rail",
         "status": ["operational", "operational", "operational", "planned"],
         "open_year": ["", "", "", "2030"], "source": ""}
    )  # fmt: skip
    # snap distances: a, b, c on their nodes; "far" 2 degrees (~222 km) north of node 2
    snaps = pd.DataFrame(
        {"point_id": ["a", "b", "c", "far"], "mode": "rail", "node_id": [1, 2, 3, 2],
         "snap_km": [0.0, 0.0, 0.0, 222.4], "same_country": True}
    )  # fmt: skip
    return nodes, links, points, snaps


def _lines(rows):
    cols = ["line_id", "mode", "from_point", "to_point", "length_km", "gauge", "status",
            "open_year", "capacity", "capacity_unit", "action", "country", "source_id", "estimate"]  # fmt: skip
    return pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows])


def test_check_line_present_in_graph_is_not_added_but_missing_one_is():
    nodes, links, points, snaps = _net()
    facts = {
        "lines": _lines(
            [
                # graph path a-c is 200 km: a published 190 km line is "present" (200 <= 1.5 x 190)
                (
                    "ac",
                    "rail",
                    "a",
                    "c",
                    "190",
                    "1520",
                    "operational",
                    "",
                    "",
                    "",
                    "check",
                    "KZ",
                    "s1",
                    "false",
                ),
                # a published 100 km a-c line would be 2x shorter than the graph: missing, added
                (
                    "ac_short",
                    "rail",
                    "a",
                    "c",
                    "100",
                    "1520",
                    "operational",
                    "",
                    "5",
                    "Mt/yr",
                    "check",
                    "KZ",
                    "s2",
                    "false",
                ),
            ]
        )
    }
    out, out_nodes = build._add_fact_lines(links, nodes, snaps, facts, points, log=lambda *_: None)
    added = out[out["origin"] == "facts"]
    assert set(added["name"]) == {"ac_short"}
    assert len(added) == 2  # both directions
    assert set(zip(added["from_node"], added["to_node"], strict=True)) == {(1, 3), (3, 1)}
    assert (added["length"] == 100).all() and (added["capacity"] == 5).all()
    assert (added["length_source"] == "s2").all() and (added["capacity_source"] == "s2").all()
    assert len(out_nodes) == len(nodes)


def test_far_endpoint_gets_its_own_node_with_the_point_status():
    nodes, links, points, snaps = _net()
    facts = {
        "lines": _lines(
            [
                (
                    "bfar",
                    "rail",
                    "b",
                    "far",
                    "",
                    "1520",
                    "planned",
                    "2030",
                    "",
                    "",
                    "add",
                    "KZ",
                    "s3",
                    "true",
                ),
            ]
        )
    }
    out, out_nodes = build._add_fact_lines(links, nodes, snaps, facts, points, log=lambda *_: None)
    new = out_nodes[~out_nodes["node_id"].isin(nodes["node_id"])]
    assert len(new) == 1
    assert new["point_id"].iat[0] == "far" and new["status"].iat[0] == "planned"
    added = out[out["origin"] == "facts"]
    assert set(added["from_node"]) == {2, int(new["node_id"].iat[0])}
    # no published length: great-circle (2 degrees of latitude = 222.4 km) x 1.2, flagged
    assert added["length"].iat[0] == pytest.approx(222.39 * 1.2, rel=1e-3)
    assert added["length_source"].iat[0].startswith("estimate")
    assert (added["status"] == "planned").all() and (added["open_year"].astype(int) == 2030).all()


def test_gauge_rule_by_country_and_exception():
    mid = np.array([[70.0, 45.0], [100.0, 35.0], [43.2, 41.3], [44.8, 41.7]])
    got = build._gauge(np.array(["KZ", "CN", "GE", "GE"], dtype=object), mid)
    assert got.tolist() == [1520, 1435, 1435, 1520]  # Akhalkalaki–Kartsakhi box is 1435
