"""Bad input to the shortest-path functions: clear errors, never a traceback from numba."""

import numpy as np
import pandas as pd
import pytest

from serai.errors import InputError, NoPathError
from serai.network import Network, compile_network
from serai.paths import shortest_path, shortest_paths, skim


@pytest.fixture(scope="module")
def graph():
    # 1 -> 2 -> 3, and an island 4 <-> 5; coordinates so that A* is used
    nodes = pd.DataFrame(
        {"node_id": [1, 2, 3, 4, 5], "x": [0.0, 0.1, 0.2, 1.0, 1.1], "y": [0.0, 0.0, 0.0, 1.0, 1.0]}
    )
    links = pd.DataFrame(
        {
            "link_id": [11, 12, 13, 14],
            "from_node": [1, 2, 4, 5],
            "to_node": [2, 3, 5, 4],
            "length": [20.0, 20.0, 20.0, 20.0],
            "free_flow_time": [1.0, 2.0, 1.0, 1.0],
        }
    )
    return compile_network(Network.from_tables(nodes=nodes, links=links))


@pytest.mark.parametrize("method", ["dijkstra", "astar", "auto", "bidirectional", "alt"])
def test_unknown_node_ids(graph, method):
    with pytest.raises(InputError, match=r"unknown node id\(s\): \[99\]"):
        shortest_path(graph, 99, 3, method=method)
    with pytest.raises(InputError, match=r"\[77\]"):
        shortest_path(graph, 1, 77, method=method)


def test_unknown_node_ids_tree_and_skim(graph):
    with pytest.raises(InputError, match="99"):
        shortest_paths(graph, 99)
    tree = shortest_paths(graph, 1)
    with pytest.raises(InputError, match="42"):
        tree.path_to(42)
    with pytest.raises(InputError, match="42"):
        tree.distance(42)
    with pytest.raises(InputError, match="8"):
        skim(graph, [1, 8], [2])
    with pytest.raises(InputError, match="9"):
        skim(graph, [1], [2, 9])
    with pytest.raises(InputError, match="integers"):
        shortest_path(graph, "a", 2)


@pytest.mark.parametrize("method", ["dijkstra", "astar", "auto", "bidirectional", "alt"])
def test_unreachable(graph, method):
    with pytest.raises(NoPathError, match="no path from 1 to 4"):
        shortest_path(graph, 1, 4, method=method)
    with pytest.raises(NoPathError):
        shortest_path(graph, 3, 1, method=method)  # against the link direction
    assert shortest_path(graph, 4, 5, method=method).link_ids.tolist() == [13]


def test_unreachable_tree_and_skim(graph):
    tree = shortest_paths(graph, 1)
    assert np.isinf(tree.distance(4))
    with pytest.raises(NoPathError):
        tree.path_to(4)
    s = skim(graph, [1, 4], [3, 5], fields=["length"])
    np.testing.assert_array_equal(s.matrices["free_flow_time"], [[3.0, np.inf], [np.inf, 1.0]])
    np.testing.assert_array_equal(s.matrices["length"], [[40.0, np.nan], [np.nan, 20.0]])


def test_bad_costs(graph):
    with pytest.raises(InputError, match="no link column 'toll'"):
        shortest_path(graph, 1, 3, cost="toll")
    with pytest.raises(InputError, match="no link column"):
        skim(graph, [1], [3], fields=["nope"])
    with pytest.raises(InputError, match=r"one value per edge \(4\)"):
        shortest_paths(graph, 1, cost=np.ones(3))
    with pytest.raises(InputError, match="non-negative"):
        skim(graph, [1], [3], cost=np.array([1.0, -1.0, 1.0, 1.0]))
    with pytest.raises(InputError, match="NaN"):
        shortest_path(graph, 1, 3, cost=np.array([1.0, np.nan, 1.0, 1.0]))
    with pytest.raises(InputError, match="unknown method"):
        shortest_path(graph, 1, 3, method="bellman")
    with pytest.raises(InputError, match="factor"):
        shortest_path(graph, 1, 3, method="astar", factor=-1.0)


def test_cost_array_in_edge_order():
    """A cost array is per graph edge; edge_values maps a per-link-row array onto edges."""
    # links deliberately not sorted by tail node, so link rows and edges differ in order
    links = pd.DataFrame(
        {
            "link_id": [5, 6, 7, 8],
            "from_node": [3, 1, 2, 1],
            "to_node": [4, 2, 4, 3],
            "free_flow_time": [1.0, 1.0, 1.0, 1.0],
        }
    )
    g = compile_network(Network.from_tables(links=links))
    assert g.link_ids.tolist() != links["link_id"].tolist()
    by_row = np.array([10.0, 1.0, 2.0, 1.0])  # link 5 (3->4) is expensive
    p = shortest_path(g, 1, 4, cost=g.edge_values(by_row))
    assert p.link_ids.tolist() == [6, 7] and p.cost == 3.0
    assert shortest_paths(g, 1, cost=g.edge_values(by_row)).distance(4) == 3.0
    s = skim(g, [1], [4], cost=g.edge_values(by_row))
    assert s.matrices["cost"].tolist() == [[3.0]]
    # the same through a named cost added with with_cost
    g2 = g.with_cost("gen", g.edge_values(by_row))
    assert shortest_path(g2, 1, 4, cost="gen").link_ids.tolist() == [6, 7]
    assert "gen" not in g.costs  # the original graph is untouched
