"""Small networks built in code and checks shared by the assignment tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from serai.network import Network


def network(links, zones=(), blocked=(), nodes=None) -> Network:
    """Links as (from, to, free_flow_time, capacity, alpha, beta[, toll, length])."""
    cols = ["from_node", "to_node", "free_flow_time", "capacity", "alpha", "beta", "toll", "length"]
    rows = [tuple(r) + (0.0, 1.0)[len(r) - 6 :] if len(r) < 8 else tuple(r) for r in links]
    df = pd.DataFrame(rows, columns=cols)
    df.insert(0, "link_id", np.arange(1, len(df) + 1))
    ids = sorted(set(df.from_node) | set(df.to_node) | set(nodes or ()))
    nd = pd.DataFrame({"node_id": ids})
    nd["is_zone"] = nd.node_id.isin(zones)
    nd["passable"] = ~nd.node_id.isin(blocked)
    return Network.from_tables(nodes=nd, links=df)


def trips(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["origin", "destination", "volume"])


def conservation_error(links: pd.DataFrame, demand: pd.DataFrame, flow: str = "flow") -> float:
    """Largest |inflow - outflow - (attracted - produced)| over all nodes."""
    net = (
        links.groupby("to_node")[flow]
        .sum()
        .sub(links.groupby("from_node")[flow].sum(), fill_value=0.0)
    )
    want = (
        demand.groupby("destination")["volume"]
        .sum()
        .sub(demand.groupby("origin")["volume"].sum(), fill_value=0.0)
    )
    diff = net.sub(want, fill_value=0.0)
    return float(diff.abs().max())


def scipy_relative_gap(net: Network, links: pd.DataFrame, demand: pd.DataFrame) -> float:
    """(TSTT - SPTT) / TSTT at ``links['cost']`` recomputed with scipy's Dijkstra.

    Independent of serai's kernels. Nodes that may not be passed through are split:
    their out-links start from a copy that only the node's own trips leave from.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    nodes = net.nodes
    ids = nodes["node_id"].to_numpy()
    index = {int(v): i for i, v in enumerate(ids)}
    blocked = ids[~nodes["passable"].to_numpy(dtype=bool)] if "passable" in nodes else ids[:0]
    copy = {int(v): len(ids) + k for k, v in enumerate(blocked)}
    tail = np.array([copy.get(int(a), index[int(a)]) for a in links["from_node"]])
    head = np.array([index[int(b)] for b in links["to_node"]])
    n = len(ids) + len(copy)
    # tiny offset keeps zero-cost links as explicit edges in the sparse matrix
    w = links["cost"].to_numpy() + 1e-300
    g = csr_matrix((w, (tail, head)), shape=(n, n))
    origins = demand["origin"].unique()
    src = np.array([copy.get(int(o), index[int(o)]) for o in origins])
    dist = dijkstra(g, indices=src)
    row = {int(o): k for k, o in enumerate(origins)}
    o = np.array([row[int(v)] for v in demand["origin"]])
    d = np.array([index[int(v)] for v in demand["destination"]])
    sptt = float((demand["volume"].to_numpy() * dist[o, d]).sum())
    tstt = float((links["flow"] * links["cost"]).sum())
    return (tstt - sptt) / tstt
