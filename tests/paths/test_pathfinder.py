"""PathFinder (reusable workspace), bidirectional Dijkstra and skims with early stop.

Oracles: networkx Dijkstra on a copy of the graph in which non-passable nodes (other
than the origin) lose their out-links, and a brute force over simple paths for the
fields summed along least-cost paths.
"""

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serai.errors import InputError, NoPathError
from serai.network import Network, compile_network
from serai.paths import PathFinder, shortest_path, shortest_paths, skim
from tests.paths.test_shortest import _least_cost_lengths


@st.composite
def graphs_with_blocked_nodes(draw):
    n = draw(st.integers(2, 12))
    m = draw(st.integers(1, 40))
    tails = draw(st.lists(st.integers(1, n), min_size=m, max_size=m))
    heads = draw(st.lists(st.integers(1, n), min_size=m, max_size=m))
    w = draw(st.lists(st.integers(0, 9), min_size=m, max_size=m))
    length = draw(st.lists(st.integers(1, 5), min_size=m, max_size=m))
    passable = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    links = pd.DataFrame(
        {
            "link_id": np.arange(1, m + 1) + 100,
            "from_node": tails,
            "to_node": heads,
            "free_flow_time": np.array(w, float),
            "length": np.array(length, float),
        }
    )
    nodes = pd.DataFrame(
        {"node_id": np.arange(1, n + 1), "is_zone": True, "passable": np.array(passable)}
    )
    return Network.from_tables(nodes=nodes, links=links)


def _oracle(net, origin):
    """networkx distances from origin, non-passable nodes other than origin not left."""
    blocked = set(net.nodes.loc[~net.nodes["passable"], "node_id"]) - {origin}
    g = nx.MultiDiGraph()
    g.add_nodes_from(net.nodes["node_id"])
    for r in net.links.itertuples():
        if r.from_node not in blocked:
            g.add_edge(r.from_node, r.to_node, weight=r.free_flow_time)
    return nx.single_source_dijkstra_path_length(g, origin)


def _check_path(links, passable, p, o, d):
    path = [links[i] for i in p.link_ids.tolist()]
    assert sum(r[2] for r in path) == pytest.approx(p.cost)
    assert p.node_ids.tolist() == [o] + [r[1] for r in path]
    assert [r[0] for r in path] == p.node_ids.tolist()[:-1]
    assert p.node_ids[-1] == d
    assert all(passable[v] for v in p.node_ids[1:-1])  # interior nodes are passable
    return sum(r[3] for r in path)


@settings(max_examples=100, deadline=None)
@given(graphs_with_blocked_nodes(), st.randoms(use_true_random=False))
def test_pathfinder_all_methods_match_networkx(net, rnd):
    g = compile_network(net)
    pf = PathFinder(g, n_landmarks=rnd.choice([1, 2, 4]))
    links = {
        r.link_id: (r.from_node, r.to_node, r.free_flow_time, r.length)
        for r in net.links.itertuples()
    }
    passable = dict(zip(net.nodes["node_id"], net.nodes["passable"], strict=True))
    ids = net.nodes["node_id"].tolist()
    oracle = {o: _oracle(net, o) for o in ids}
    queries = [(o, d) for o in ids for d in ids]
    rnd.shuffle(queries)  # interleave origins: the workspace must not leak state
    for o, d in queries:
        expect = oracle[o]
        method = rnd.choice(["dijkstra", "bidirectional", "auto", "astar", "alt"])
        if d in expect:
            p = pf.path(o, d, method=method, fields=["length"])
            assert p.cost == pytest.approx(expect[d])
            assert p.totals["length"] == pytest.approx(_check_path(links, passable, p, o, d))
            assert pf.distance(o, d, method="bidirectional") == pytest.approx(expect[d])
            q = shortest_path(g, o, d, method="bidirectional")
            assert q.cost == pytest.approx(expect[d])
            _check_path(links, passable, q, o, d)
        else:
            with pytest.raises(NoPathError):
                pf.path(o, d, method=method)
            assert np.isinf(pf.distance(o, d, method="bidirectional"))
    for o in ids:
        t1, t2 = pf.tree(o), shortest_paths(g, o)
        np.testing.assert_array_equal(t1.dist, t2.dist)
        for d, v in t1.distances().items():
            assert v == pytest.approx(oracle[o][d]) if d in oracle[o] else np.isinf(v)


def test_trees_from_a_pathfinder_do_not_alias_its_scratch():
    links = pd.DataFrame(
        {"link_id": [1, 2], "from_node": [1, 2], "to_node": [2, 1], "free_flow_time": [1.0, 3.0]}
    )
    pf = PathFinder(compile_network(Network.from_tables(links=links)))
    a = pf.tree(1)
    b = pf.tree(2)
    assert a.distances().tolist() == [0.0, 1.0]
    assert b.distances().tolist() == [3.0, 0.0]
    assert a.path_to(2).link_ids.tolist() == [1]


@settings(max_examples=60, deadline=None)
@given(graphs_with_blocked_nodes(), st.data())
def test_skim_subsets_stop_early_and_sum_fields(net, data):
    """Skims to a subset of destinations (trees stop once all are settled)."""
    g = compile_network(net)
    ids = net.nodes["node_id"].tolist()
    origins = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=5))
    dests = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=5))
    s = skim(g, origins, dests, fields=["length"])
    for i, o in enumerate(origins):
        expect = _oracle(net, o)
        for j, d in enumerate(dests):
            c = s.matrices["free_flow_time"][i, j]
            if d in expect:
                assert c == pytest.approx(expect[d])
                # the length skim is the length of *a* least-cost path (brute force)
                blocked = net.nodes.loc[~net.nodes["passable"], "node_id"].tolist()
                lengths = _least_cost_lengths_blocked(net, o, d, c, blocked)
                assert s.matrices["length"][i, j] in lengths
            else:
                assert np.isinf(c) and np.isnan(s.matrices["length"][i, j])


def _least_cost_lengths_blocked(net, o, d, best, blocked):
    keep = ~net.links["from_node"].isin(set(blocked) - {o})
    sub = Network.from_tables(nodes=net.nodes, links=net.links.loc[keep])
    return _least_cost_lengths(sub, o, d, best)


def test_alt_landmarks_and_bound_on_a_line():
    """On a one-way line 1 -> 2 -> ... -> 6 the farthest landmark from zone 1 is node 6."""
    links = pd.DataFrame(
        {
            "link_id": [1, 2, 3, 4, 5],
            "from_node": [1, 2, 3, 4, 5],
            "to_node": [2, 3, 4, 5, 6],
            "free_flow_time": [1.0, 2.0, 0.0, 4.0, 5.0],
        }
    )
    nodes = pd.DataFrame({"node_id": [1, 2, 3, 4, 5, 6], "is_zone": [True] + [False] * 5})
    pf = PathFinder(compile_network(Network.from_tables(nodes=nodes, links=links)), n_landmarks=1)
    assert pf.landmarks.tolist() == [6]
    p = pf.path(2, 5, method="alt")
    assert p.cost == 6.0 and p.link_ids.tolist() == [2, 3, 4]
    # the exact bound to landmark 6 leaves nothing to explore off the path
    assert p.settled == 4
    with pytest.raises(NoPathError):
        pf.path(5, 2, method="alt")
    with pytest.raises(InputError, match="n_landmarks"):
        PathFinder(pf.graph, n_landmarks=0)
