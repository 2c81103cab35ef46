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
