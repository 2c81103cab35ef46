import pandas as pd
import pytest

from serai.errors import NetworkValidationError
from serai.network import Network, compile_network, validate


def _net(**over):
    nodes = pd.DataFrame({"node_id": [1, 2, 3], "x": [10.0, 20.0, 30.0], "y": [40.0, 41.0, 42.0]})
    links = pd.DataFrame(
        {
            "link_id": [1, 2],
            "from_node": [1, 2],
            "to_node": [2, 3],
            "length": [1.0, 2.0],
            "mode": ["rail", "road"],
        }
    )
    tables = {"nodes": nodes, "links": links}
    tables.update(over)
    return Network.from_tables(**tables)


def test_clean_network_has_no_problem():
    assert validate(_net()).problems == ()


def test_every_problem_reported_at_once():
    nodes = pd.DataFrame(
        {"node_id": [1, 2, 2, 4], "x": [10.0, 200.0, 0.0, 0.0], "y": [40.0, 41.0, -95.0, 0.0]}
    )
    links = pd.DataFrame(
        {
            "link_id": [1, 1, 3, 4],
            "from_node": [1, 2, 9, 4],
            "to_node": [2, 4, 1, 1],
            "length": [1.0, -2.0, float("nan"), 0.0],
            "capacity": [1.0, 0.0, 5.0, 5.0],
            "mode": ["rail", "hovercraft", "road", "road"],
        }
    )
    report = validate(Network.from_tables(nodes=nodes, links=links))
    got = {(p.table, p.row, p.column) for p in report.errors}
    expected = {
        ("nodes", 3, "node_id"),  # duplicate id
        ("nodes", 2, "x"),  # longitude out of range
        ("nodes", 3, "y"),  # latitude out of range
        ("links", 2, "link_id"),  # duplicate id
        ("links", 3, "from_node"),  # missing node 9
        ("links", 2, "length"),  # negative
        ("links", 3, "length"),  # NaN
        ("links", 2, "capacity"),  # zero
        ("links", 2, "mode"),  # unknown mode
    }
    assert got == expected
    assert not report.ok
    msg = {str(p) for p in report.errors}
    assert "error: links, row 2, id 1, field 'mode': unknown mode 'hovercraft'" in msg
    # a zero length is usable (when length is not in the cost): one warning with a count
    (w,) = [p for p in report.warnings if p.column == "length"]
    assert w.row is None and "1 of 4 rows (id 4)" in w.message


def test_non_numeric_value_is_reported_not_raised():
    links = pd.DataFrame({"link_id": ["1", "x"], "from_node": ["1", "2"], "to_node": ["2", "3"]})
    report = validate(Network.from_tables(nodes=pd.DataFrame({"node_id": [1, 2, 3]}), links=links))
    assert [(p.row, p.column) for p in report.errors] == [(2, "link_id")]


def test_compile_refuses_invalid_network():
    bad = _net(links=pd.DataFrame({"link_id": [1], "from_node": [1], "to_node": [7]}))
    with pytest.raises(NetworkValidationError, match="node 7"):
        compile_network(bad)


def test_planar_coordinates_not_range_checked():
    nodes = pd.DataFrame({"node_id": [1, 2], "x": [690309.0, 1.0], "y": [1976022.0, 2.0]})
    links = pd.DataFrame({"link_id": [1], "from_node": [1], "to_node": [2]})
    net = Network.from_tables(nodes=nodes, links=links, meta={"crs": None})
    assert validate(net).ok


def test_zero_free_flow_time_is_a_warning():
    links = pd.DataFrame(
        {"link_id": [1], "from_node": [1], "to_node": [2], "free_flow_time": [0.0]}
    )
    report = validate(Network.from_tables(links=links))
    assert report.ok and len(report.warnings) == 1
