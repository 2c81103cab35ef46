"""A* against Dijkstra on random geometric graphs (property-based).

Two kinds of graphs: geographic (lon/lat in WGS84, link lengths are great-circle
kilometres stretched by a detour factor >= 1, so the great-circle bound is
admissible) and planar (Euclidean coordinates). The A* answer must equal the
one-to-all Dijkstra distance for every pair, and its links must form a path
whose cost adds up.
"""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serai.errors import NoPathError
from serai.network import Network, compile_network
from serai.paths import astar_factor, shortest_path, shortest_paths

R_EARTH_KM = 6371.0088


def great_circle_km(lon1, lat1, lon2, lat2):
    """Haversine in plain Python (independent of the numba kernel)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R_EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


@st.composite
def geometric_graphs(draw, geographic: bool):
    n = draw(st.integers(2, 14))
    if geographic:
        # a regional cluster (realistic: corridors span a few thousand km) or the whole globe,
        # which exercises the antimeridian and near-polar points
        span = draw(st.sampled_from([(5.0, 5.0), (40.0, 20.0), (360.0, 170.0)]))
        lon0 = draw(st.floats(-180, 180 - span[0]))
        lat0 = draw(st.floats(-85, 85 - span[1]))
        xs = draw(st.lists(st.floats(lon0, lon0 + span[0]), min_size=n, max_size=n))
        ys = draw(st.lists(st.floats(lat0, lat0 + span[1]), min_size=n, max_size=n))
    else:
        xs = draw(st.lists(st.floats(0, 1000), min_size=n, max_size=n))
        ys = draw(st.lists(st.floats(0, 1000), min_size=n, max_size=n))
    m = draw(st.integers(1, 45))
    pairs = draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), min_size=m, max_size=m)
    )
    detour = draw(st.lists(st.floats(1.0, 3.0), min_size=m, max_size=m))
    speed = draw(st.lists(st.sampled_from([20.0, 60.0, 90.0, 120.0]), min_size=m, max_size=m))
    both = draw(st.lists(st.booleans(), min_size=m, max_size=m))
    rows = []
    for (a, b), f, v, twice in zip(pairs, detour, speed, both, strict=True):
        if geographic:
            straight = great_circle_km(xs[a], ys[a], xs[b], ys[b])
        else:
            straight = math.hypot(xs[b] - xs[a], ys[b] - ys[a])
        length = max(straight * f, 1e-3)  # validation wants lengths > 0
        rows.append((a + 1, b + 1, length, v))
        if twice:
            rows.append((b + 1, a + 1, length, v))
    links = pd.DataFrame(rows, columns=["from_node", "to_node", "length", "speed"])
    links.insert(0, "link_id", np.arange(1, len(links) + 1) * 10)  # ids != positions
    links["free_flow_time"] = links["length"] / links["speed"] * 60.0
    nodes = pd.DataFrame({"node_id": np.arange(1, n + 1) * 7, "x": xs, "y": ys})
    links["from_node"] *= 7
    links["to_node"] *= 7
    meta = {"crs": "EPSG:4326" if geographic else None}
    return Network.from_tables(nodes=nodes, links=links, meta=meta)


def _check_astar_equals_dijkstra(net, cost_name):
    g = compile_network(net)
    f = astar_factor(g, cost_name)
    xy = {r.node_id: (r.x, r.y) for r in net.nodes.itertuples()}
    links = {
        r.link_id: (r.from_node, r.to_node, getattr(r, cost_name)) for r in net.links.itertuples()
    }
    # the factor is a lower bound on cost per straight-line unit over every link
    for a, b, c in links.values():
        (x1, y1), (x2, y2) = xy[a], xy[b]
        straight = great_circle_km(x1, y1, x2, y2) if g.geographic else math.hypot(x2 - x1, y2 - y1)
        assert f * straight <= c * (1 + 1e-9) + 1e-12
    ids = net.nodes["node_id"].to_numpy()
    for o in ids:
        ref = shortest_paths(g, int(o), cost=cost_name).distances()
        for d in ids:
            expect = ref[d]
            if not np.isfinite(expect):
                with pytest.raises(NoPathError):
                    shortest_path(g, int(o), int(d), cost=cost_name, method="astar")
                continue
            p = shortest_path(g, int(o), int(d), cost=cost_name, method="astar", factor=f)
            assert p.cost == pytest.approx(expect, rel=1e-9, abs=1e-9)
            # the link ids form a connected path from o to d whose cost adds up
            path = [links[i] for i in p.link_ids.tolist()]
            assert sum(c for _, _, c in path) == pytest.approx(p.cost, rel=1e-9, abs=1e-9)
            assert [o] + [b for _, b, _ in path] == p.node_ids.tolist()
            assert [o] + [b for _, b, _ in path[:-1]] == [a for a, _, _ in path] or not path
            assert p.node_ids[-1] == d
            # and the early-exit Dijkstra agrees too
            q = shortest_path(g, int(o), int(d), cost=cost_name, method="dijkstra")
            assert q.cost == pytest.approx(expect, rel=1e-9, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(geometric_graphs(geographic=True))
def test_astar_equals_dijkstra_geographic(net):
    _check_astar_equals_dijkstra(net, "length")
    _check_astar_equals_dijkstra(net, "free_flow_time")


@settings(max_examples=60, deadline=None)
@given(geometric_graphs(geographic=False))
def test_astar_equals_dijkstra_planar(net):
    _check_astar_equals_dijkstra(net, "length")
    _check_astar_equals_dijkstra(net, "free_flow_time")


def test_astar_factor_hand_computed():
    # planar triangle: straight lengths 3, 4, 5; times 6, 12, 20 -> min time/length = 2
    nodes = pd.DataFrame({"node_id": [1, 2, 3], "x": [0.0, 3.0, 3.0], "y": [0.0, 0.0, 4.0]})
    links = pd.DataFrame(
        {
            "link_id": [1, 2, 3],
            "from_node": [1, 2, 1],
            "to_node": [2, 3, 3],
            "free_flow_time": [6.0, 12.0, 20.0],
            "length": [3.0, 4.0, 5.0],
        }
    )
    g = compile_network(Network.from_tables(nodes=nodes, links=links, meta={"crs": None}))
    assert not g.geographic
    assert astar_factor(g, "free_flow_time") == pytest.approx(2.0, rel=1e-8)
    assert astar_factor(g, "free_flow_time") <= 2.0  # never above the true minimum
    p = shortest_path(g, 1, 3, method="astar")
    assert p.cost == 18.0 and p.link_ids.tolist() == [1, 2]


def test_astar_factor_great_circle_hand_computed():
    # one degree of latitude along a meridian is 2 pi R / 360 km
    one_deg = 2 * math.pi * R_EARTH_KM / 360.0
    nodes = pd.DataFrame({"node_id": [1, 2], "x": [50.0, 50.0], "y": [40.0, 41.0]})
    links = pd.DataFrame(
        {"link_id": [1], "from_node": [1], "to_node": [2], "length": [2 * one_deg]}
    )
    net = Network.from_tables(nodes=nodes, links=links, meta={"crs": "EPSG:4326"})
    g = compile_network(net)
    assert astar_factor(g, "length") == pytest.approx(2.0, rel=1e-8)


def test_astar_without_coordinates_falls_back_to_dijkstra():
    links = pd.DataFrame(
        {"link_id": [1, 2], "from_node": [1, 2], "to_node": [2, 3], "free_flow_time": [1.0, 2.0]}
    )
    g = compile_network(Network.from_tables(links=links))
    assert astar_factor(g, "free_flow_time") == 0.0
    assert shortest_path(g, 1, 3, method="astar").cost == 3.0
    assert shortest_path(g, 1, 3).cost == 3.0
