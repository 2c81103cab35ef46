import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serai.errors import NoPathError
from serai.network import Network, compile_network
from serai.paths import shortest_path, shortest_paths, skim


@st.composite
def random_graphs(draw):
    n = draw(st.integers(2, 12))
    m = draw(st.integers(1, 40))
    tails = draw(st.lists(st.integers(1, n), min_size=m, max_size=m))
    heads = draw(st.lists(st.integers(1, n), min_size=m, max_size=m))
    w = draw(st.lists(st.integers(0, 9), min_size=m, max_size=m))
    length = draw(st.lists(st.integers(1, 5), min_size=m, max_size=m))
    links = pd.DataFrame(
        {
            "link_id": np.arange(1, m + 1),
            "from_node": tails,
            "to_node": heads,
            "free_flow_time": np.array(w, float),
            "length": np.array(length, float),
        }
    )
    nodes = pd.DataFrame({"node_id": np.arange(1, n + 1)})
    return Network.from_tables(nodes=nodes, links=links)


def _nx(net):
    g = nx.MultiDiGraph()
    g.add_nodes_from(net.nodes["node_id"])
    for r in net.links.itertuples():
        g.add_edge(r.from_node, r.to_node, weight=r.free_flow_time)
    return g


@settings(max_examples=150, deadline=None)
@given(random_graphs())
def test_against_networkx(net):
    g = compile_network(net)
    ref = _nx(net)
    for o in net.nodes["node_id"]:
        expect = nx.single_source_dijkstra_path_length(ref, o)
        got = shortest_paths(g, o).distances()
        for d, v in got.items():
            assert v == pytest.approx(expect[d]) if d in expect else np.isinf(v)
        for d in net.nodes["node_id"]:
            if d in expect:
                p = shortest_path(g, o, d, method="dijkstra")
                assert p.cost == pytest.approx(expect[d])
                # the link ids form a connected path whose cost adds up
                sub = net.links.set_index("link_id").loc[p.link_ids]
                assert sub["free_flow_time"].sum() == pytest.approx(p.cost)
                if len(sub):
                    assert sub["from_node"].iloc[0] == o and sub["to_node"].iloc[-1] == d
                    assert (sub["to_node"].to_numpy()[:-1] == sub["from_node"].to_numpy()[1:]).all()
            else:
                with pytest.raises(NoPathError):
                    shortest_path(g, o, d)


@settings(max_examples=60, deadline=None)
@given(random_graphs())
def test_skim_fields_follow_chosen_path(net):
    g = compile_network(net)
    ids = net.nodes["node_id"].to_numpy()
    s = skim(g, ids, ids, fields=["length"])
    for i, o in enumerate(ids):
        for j, d in enumerate(ids):
            c = s.matrices["free_flow_time"][i, j]
            if np.isfinite(c):
                # the length skim is the length of *a* least-cost path: check by brute force
                lengths = _least_cost_lengths(net, o, d, c)
                assert s.matrices["length"][i, j] in lengths
            else:
                assert np.isnan(s.matrices["length"][i, j])


def _least_cost_lengths(net, o, d, best):
    """Brute force: lengths of all simple least-cost paths o -> d."""
    g = nx.MultiDiGraph()
    for r in net.links.itertuples():
        g.add_edge(r.from_node, r.to_node, key=r.link_id, w=r.free_flow_time, length=r.length)
    if o == d:
        return {0.0}
    out = set()
    for path in nx.all_simple_edge_paths(g, o, d):
        w = sum(g.edges[e]["w"] for e in path)
        if abs(w - best) < 1e-9:
            out.add(float(sum(g.edges[e]["length"] for e in path)))
    # zero-cost cycles are not simple paths; a least-cost simple path always exists
    return out


def test_blocked_zones_are_not_passed():
    # 1 -> 2 -> 3 is cheap, but 2 is a zone that may not be passed through
    nodes = pd.DataFrame(
        {"node_id": [1, 2, 3], "is_zone": [True, True, False], "passable": [True, False, True]}
    )
    links = pd.DataFrame(
        {
            "link_id": [1, 2, 3],
            "from_node": [1, 2, 1],
            "to_node": [2, 3, 3],
            "free_flow_time": [1.0, 1.0, 10.0],
        }
    )
    g = compile_network(Network.from_tables(nodes=nodes, links=links))
    assert shortest_path(g, 1, 3).cost == 10.0
    assert shortest_path(g, 1, 2).cost == 1.0  # may end at a blocked zone
    assert shortest_path(g, 2, 3).cost == 1.0  # and start from one
    g2 = compile_network(Network.from_tables(nodes=nodes, links=links), block_zones=False)
    assert shortest_path(g2, 1, 3).cost == 2.0
