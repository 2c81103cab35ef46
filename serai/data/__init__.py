"""Embedded datasets: the Eurasian multimodal freight network.

The network is built from open data by ``serai data build`` (code in ``tools/data``
of the repository) and shipped as Parquet tables in ``serai/data/eurasia``.
Rail and road are derived from OpenStreetMap (ODbL-1.0, © OpenStreetMap
contributors); see ``serai/data/eurasia/LICENSE.md`` and ``SOURCES.md``.

Examples
--------
>>> from serai.data import load_eurasia
>>> net = load_eurasia()
>>> sorted(set(net.links["mode"]))[:3]
['ferry', 'rail', 'road']
>>> net2030 = load_eurasia(year=2030)
>>> len(net2030.links) >= len(load_eurasia(year=2025).links)
True
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from serai.network.core import Network

__all__ = ["eurasia_path", "load_eurasia", "network_in_year", "summarize_eurasia"]

STATUS_ORDER = ("operational", "under_construction", "planned")


def eurasia_path() -> Path:
    """Folder of the shipped network tables."""
    return Path(str(resources.files("serai.data").joinpath("eurasia")))


@cache
def _load() -> Network:
    """Read the shipped tables as written by the build (declared dtypes already set)."""
    import json

    import pyarrow.parquet as pq

    root = eurasia_path()
    meta = json.loads((root / "network.json").read_text(encoding="utf-8"))
    tables = {f.stem: pq.read_table(f).to_pandas() for f in sorted(root.glob("*.parquet"))}
    return Network(tables, meta)


def load_eurasia(year: int | None = None) -> Network:
    """The embedded Eurasian multimodal network (rail, road, sea, ferry, transfer).

    Parameters
    ----------
    year
        ``None``: every element, whatever its status (operational, under
        construction, planned). A year: only what is open in that year (see
        :func:`network_in_year`).

    Returns
    -------
    Network
        Tables ``nodes``, ``links``, ``shapes`` (link geometry), ``border_crossings``,
        ``gauge_breaks``, ``connectors``, ``points`` and, when the facts are built in,
        ``terminals``, ``services``, ``sources``, ``provenance``, ``validation_routes``.
    """
    net = _load()
    return net if year is None else network_in_year(net, year)


def network_in_year(net: Network, year: int) -> Network:
    """The part of ``net`` open in ``year``.

    An element is open when its ``open_year`` is missing or ``<= year``. Elements
    without an opening year that are not ``operational`` are left out (a plan
    with no date is not counted as built). Links whose end nodes are left out
    go too.

    Examples
    --------
    >>> import pandas as pd
    >>> from serai.network import Network
    >>> net = Network.from_tables(
    ...     nodes=pd.DataFrame({"node_id": [1, 2, 3]}),
    ...     links=pd.DataFrame({"link_id": [1, 2], "from_node": [1, 2], "to_node": [2, 3],
    ...                         "status": ["operational", "planned"], "open_year": [None, 2028]}))
    >>> len(network_in_year(net, 2025).links), len(network_in_year(net, 2030).links)
    (1, 2)
    """

    def is_open(df: pd.DataFrame) -> np.ndarray:
        status = (
            df["status"].astype(str).replace("", "operational").to_numpy()
            if "status" in df.columns
            else np.full(len(df), "operational")
        )
        if "open_year" in df.columns:
            oy = pd.to_numeric(df["open_year"], errors="coerce").to_numpy(dtype=float)
        else:
            oy = np.full(len(df), np.nan)
        dated = np.isfinite(oy)
        return np.where(dated, oy <= year, status == "operational")

    nodes = net.nodes[is_open(net.nodes)]
    keep = set(nodes["node_id"].tolist())
    links = net.links
    ok = (
        is_open(links)
        & links["from_node"].isin(keep).to_numpy()
        & links["to_node"].isin(keep).to_numpy()
    )
    meta = dict(net.meta)
    meta["year"] = int(year)
    tables = dict(net.tables)
    tables["nodes"] = nodes.reset_index(drop=True)
    tables["links"] = links[ok].reset_index(drop=True)
    return Network(tables, meta)


def summarize_eurasia(net: Network) -> dict:
    """Counts by mode, country and status, and km by gauge (for the demo and the CLI)."""
    links = net.links
    out: dict = {
        "nodes": len(net.nodes),
        "links": len(links),
        "links_by_mode": links["mode"].value_counts().sort_index().to_dict(),
        # undirected km: each physical link is stored once per direction
        "km_by_mode": (links.groupby("mode")["length"].sum() / 2).round(0).to_dict(),
        "links_by_status": links["status"].value_counts().sort_index().to_dict(),
        "nodes_by_country": net.nodes["country"].replace("", "(sea)").value_counts().to_dict(),
    }
    rail = links[links["mode"] == "rail"]
    out["rail_km_by_gauge"] = (
        (rail.groupby(rail["gauge"].astype(str))["length"].sum() / 2).round(0).to_dict()
    )
    land = links[links["mode"].isin(["rail", "road"])]
    out["land_km_by_country"] = (
        (land.groupby("country")["length"].sum() / 2)
        .round(0)
        .sort_values(ascending=False)
        .to_dict()
    )
    for name in ("border_crossings", "gauge_breaks", "connectors", "services", "terminals"):
        if name in net.tables:
            out[name] = len(net.tables[name])
    return out
