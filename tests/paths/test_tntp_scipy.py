"""Skims, trees and paths on the TNTP networks against scipy.sparse.csgraph.dijkstra.

The scipy oracle is built from the link table, not from the compiled graph. TNTP
zones below FIRST THRU NODE (read here from the file header, independently of the
reader) may start and end paths but not be passed through; scipy has no such
notion, so each blocked zone gets an "origin copy" vertex that owns its outgoing
links (as ../shared/bench/peers/peer_paths.py does): paths start at the copy and
end at the original vertex, which has no way out.
"""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from serai.errors import NoPathError
from serai.network import compile_network, read_network
from serai.paths import shortest_path, shortest_paths, skim
from tests.conftest import SIOUX, tntp_net

NETWORKS = {
    "SiouxFalls": lambda: SIOUX / "SiouxFalls_net.tntp",
    "Anaheim": lambda: tntp_net("Anaheim", "Anaheim"),
    "ChicagoSketch": lambda: tntp_net("ChicagoSketch", "Chicago-Sketch"),
}


def _header_int(path: Path, key: str) -> int:
    m = re.search(rf"<{key}>\s*(\d+)", path.read_text())
    assert m, f"{key} missing in {path}"
    return int(m.group(1))


class ScipyOracle:
    """Blocked-zone CSR graph for scipy, built from the raw link table."""

    def __init__(self, path: Path, links: pd.DataFrame, cost_by_row: np.ndarray):
        n_nodes = int(max(links["from_node"].max(), links["to_node"].max()))
        n_nodes = max(n_nodes, _header_int(path, "NUMBER OF NODES"))
        self.zones = _header_int(path, "NUMBER OF ZONES")
        self.blocked = _header_int(path, "FIRST THRU NODE") - 1  # zones 1..blocked
        a = links["from_node"].to_numpy() - 1
        b = links["to_node"].to_numpy() - 1
        a = np.where(a < self.blocked, n_nodes + a, a)  # the origin copy owns the out-links
        df = pd.DataFrame({"a": a, "b": b, "c": cost_by_row})
        df = df.groupby(["a", "b"], as_index=False)["c"].min()  # parallel links: cheapest
        n = n_nodes + max(self.blocked, 0)
        self.n_nodes = n_nodes
        self.csr = csr_matrix((df["c"], (df["a"], df["b"])), shape=(n, n))

    def source(self, node_id: int) -> int:
        return self.n_nodes + node_id - 1 if node_id <= self.blocked else node_id - 1

    def rows(self, origin_ids) -> np.ndarray:
        """Distances from each origin to every original node (columns = node_id - 1)."""
        src = [self.source(int(o)) for o in origin_ids]
        d = dijkstra(self.csr, directed=True, indices=src)[:, : self.n_nodes]
        for k, o in enumerate(origin_ids):
            d[k, int(o) - 1] = 0.0
        return d


@pytest.fixture(scope="module", params=list(NETWORKS))
def tntp(request):
    path = NETWORKS[request.param]()
    net = read_network(path)
    return path, net, compile_network(net)


def _assert_same(got, ref):
    assert got.shape == ref.shape
    assert (np.isfinite(got) == np.isfinite(ref)).all()
    fin = np.isfinite(ref)
    np.testing.assert_allclose(got[fin], ref[fin], rtol=1e-12, atol=1e-9)


def test_full_skim_matches_scipy(tntp):
    path, net, g = tntp
    oracle = ScipyOracle(path, net.links, net.links["free_flow_time"].to_numpy())
    zones = np.arange(1, oracle.zones + 1)
    assert g.zones.tolist() == zones.tolist()
    s = skim(g, fields=["length"])
    ref = oracle.rows(zones)[:, zones - 1]
    _assert_same(s.matrices["free_flow_time"], ref)
    assert np.isfinite(ref).all()  # these networks are strongly connected between zones
    # the other way round: least length, with the time summed along those paths
    by_len = skim(g, cost="length", fields=["free_flow_time"])
    len_oracle = ScipyOracle(path, net.links, net.links["length"].to_numpy())
    _assert_same(by_len.matrices["length"], len_oracle.rows(zones)[:, zones - 1])
    # fields are the sums along the chosen path: compare with the links of single paths
    links = net.links.set_index("link_id")
    rng = np.random.default_rng(3)
    for i, j in zip(rng.integers(0, len(zones), 25), rng.integers(0, len(zones), 25), strict=True):
        o, d = int(zones[i]), int(zones[j])
        p = shortest_path(g, o, d, method="dijkstra")
        assert s.matrices["length"][i, j] == pytest.approx(links.loc[p.link_ids, "length"].sum())
        q = shortest_path(g, o, d, cost="length", method="dijkstra")
        assert by_len.matrices["free_flow_time"][i, j] == pytest.approx(
            links.loc[q.link_ids, "free_flow_time"].sum()
        )


def test_generalised_cost_array_matches_scipy(tntp):
    """Cost given as an array (per edge, graph order), e.g. time + 0.04 min/mile x length."""
    path, net, g = tntp
    by_row = (net.links["free_flow_time"] + 0.04 * net.links["length"]).to_numpy()
    oracle = ScipyOracle(path, net.links, by_row)
    zones = np.arange(1, oracle.zones + 1)
    cost = g.edge_values(by_row)
    s = skim(g, cost=cost)
    _assert_same(s.matrices["cost"], oracle.rows(zones)[:, zones - 1])
    # a different cost never touches the graph: the stored column is unchanged
    np.testing.assert_array_equal(
        g.cost("free_flow_time"), g.edge_values(net.links["free_flow_time"])
    )


def test_one_to_all_matches_scipy(tntp):
    path, net, g = tntp
    oracle = ScipyOracle(path, net.links, net.links["free_flow_time"].to_numpy())
    rng = np.random.default_rng(7)
    origins = rng.choice(net.nodes["node_id"].to_numpy(), size=12, replace=False)
    origins = np.union1d(origins, [1, oracle.zones])  # include zones (blocked on Anaheim)
    ref = oracle.rows(origins)
    for k, o in enumerate(origins):
        d = shortest_paths(g, int(o)).distances()
        _assert_same(d.loc[np.arange(1, oracle.n_nodes + 1)].to_numpy(), ref[k])


@pytest.mark.parametrize("method", ["dijkstra", "astar", "auto", "bidirectional", "alt"])
def test_paths_reconstruct_to_link_ids(tntp, method):
    path, net, g = tntp
    links = net.links.set_index("link_id")
    oracle = ScipyOracle(path, net.links, net.links["free_flow_time"].to_numpy())
    rng = np.random.default_rng(11)
    zones = np.arange(1, oracle.zones + 1)
    nodes = net.nodes["node_id"].to_numpy()
    pairs = [
        (int(a), int(b)) for a, b in zip(rng.choice(zones, 15), rng.choice(nodes, 15), strict=True)
    ]
    pairs += [
        (int(a), int(b)) for a, b in zip(rng.choice(zones, 15), rng.choice(zones, 15), strict=True)
    ]
    ref = oracle.rows([a for a, _ in pairs])
    unreachable = 0
    for k, (o, d) in enumerate(pairs):
        if not np.isfinite(ref[k, d - 1]):
            unreachable += 1
            with pytest.raises(NoPathError):
                shortest_path(g, o, d, method=method)
            continue
        p = shortest_path(g, o, d, method=method, fields=["length"])
        assert p.cost == pytest.approx(ref[k, d - 1], rel=1e-12, abs=1e-9)
        sub = links.loc[p.link_ids]
        assert sub["free_flow_time"].sum() == pytest.approx(p.cost, rel=1e-12, abs=1e-9)
        assert p.totals["length"] == pytest.approx(sub["length"].sum(), rel=1e-12)
        if o == d:
            assert len(p) == 0 and p.node_ids.tolist() == [o]
            continue
        assert sub["from_node"].iloc[0] == o and sub["to_node"].iloc[-1] == d
        assert (sub["to_node"].to_numpy()[:-1] == sub["from_node"].to_numpy()[1:]).all()
        assert p.node_ids.tolist() == [o, *sub["to_node"].tolist()]
        interior = p.node_ids[1:-1]
        assert not (interior <= oracle.blocked).any()  # never through a blocked zone
        # the one-to-all tree gives a path of the same cost
        tree = shortest_paths(g, o).path_to(d)
        assert tree.cost == pytest.approx(p.cost, rel=1e-12, abs=1e-9)
        assert links.loc[tree.link_ids, "free_flow_time"].sum() == pytest.approx(tree.cost)
    assert unreachable < len(pairs) // 4


def test_blocked_zone_changes_the_answer():
    """Anaheim: blocking zones as through nodes must matter for some pair (else the test is moot)."""
    path = tntp_net("Anaheim", "Anaheim")
    net = read_network(path)
    blocked = skim(compile_network(net)).matrices["free_flow_time"]
    open_ = skim(compile_network(net, block_zones=False)).matrices["free_flow_time"]
    assert (open_ <= blocked + 1e-12).all()
    assert (open_ < blocked - 1e-9).any()
