"""Embedded datasets: the Eurasian multimodal freight network.

The network is built from open data by ``serai data build`` (code in ``tools/data``
of the repository) and shipped as Parquet tables in ``serai/data/eurasia``.
Rail and road are derived from OpenStreetMap (ODbL-1.0, © OpenStreetMap
contributors); see ``serai/data/eurasia/LICENSE.md`` and ``SOURCES.md``.

One loader serves every entry point (CLI, Python API, demo, report, service):
:func:`load_network` (``load_eurasia`` is the same function under its old name).
The routing graph takes its year from the loaded network
(``network.meta["year"]``), so the two cannot disagree.

Examples
--------
>>> from serai.data import load_network
>>> net = load_network()
>>> {"rail", "road", "sea", "ferry"} <= set(net.links["mode"])
True
>>> net2030 = load_network(year=2030)
>>> net2030.meta["year"], len(net2030.links) >= len(load_network(year=2025).links)
(2030, True)
"""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path

from serai.data.borders import reopen_border
from serai.network.core import Network

__all__ = [
    "eurasia_path",
    "load_eurasia",
    "load_network",
    "network_in_year",
    "reopen_border",
    "summarize_eurasia",
]

STATUS_ORDER = ("operational", "under_construction", "planned")


def eurasia_path() -> Path:
    """Folder of the shipped network tables."""
    return Path(str(resources.files("serai.data").joinpath("eurasia")))


@cache
def _load() -> Network:
    """Read the shipped tables as written by the build (declared dtypes already set)."""
    import json

    import pyarrow.parquet as pq

    from serai.data.years import opening_span

    root = eurasia_path()
    meta = json.loads((root / "network.json").read_text(encoding="utf-8"))
    tables = {f.stem: pq.read_table(f).to_pandas() for f in sorted(root.glob("*.parquet"))}
    if "years" not in meta:  # the years it covers: those of the openings it records
        span = opening_span(tables)
        if span is not None:
            meta["years"] = list(span)
    return Network(tables, meta)


def load_network(
    year: int | None = None, scenario=None, *, path: str | Path | None = None
) -> Network:
    """The multimodal network for a year and a scenario: the one loader of every entry point.

    Parameters
    ----------
    year
        ``None``: every element, whatever its status or dates (maps, checks);
        the routing graph then uses today's network (operational elements not
        closed). A year: only what is open in that year (see
        :func:`network_in_year`); ``meta["year"]`` records it. It must lie in the
        years the network covers (:mod:`serai.data.years`: 2013..2030 for the
        embedded network; ``meta["years"]``), else
        :class:`~serai.errors.InputError` names the range.
    scenario
        Applied to the whole network before the year is chosen: a scenario of the
        library by name (``"wb-2030"``), a scenario file path, a
        :class:`serai.scenarios.Scenario`, a callable ``Network -> Network``, or an
        object with an ``apply(network)`` method (e.g.
        ``lambda n: reopen_border(n, "RU", "UA", 2026)``). With a scenario that has a
        year and ``year=None``, the scenario's year is used.
    path
        A network folder or file in any supported format instead of the
        embedded Eurasian network.

    Returns
    -------
    Network
        Tables ``nodes``, ``links``, ``shapes`` (link geometry), ``border_crossings``,
        ``border_status``, ``gauge_breaks``, ``connectors``, ``points``,
        ``expansions`` and, from the facts, ``services``, ``sources``,
        ``provenance``, ``facts_lines``, ``tariffs``, ``validation_routes``.

    Examples
    --------
    >>> from serai.data import load_network, reopen_border
    >>> closed = load_network(year=2025)
    >>> opened = load_network(year=2026, scenario=lambda n: reopen_border(n, "RU", "UA", 2026))
    >>> len(opened.links) > len(closed.links)
    True
    >>> load_network(scenario="red-sea-closure").meta["year"]
    2024
    >>> load_network(year=1990)
    Traceback (most recent call last):
    ...
    serai.errors.InputError: field 'year': year 1990 is outside the years the network covers, 2013..2030; give a year in 2013..2030, or none for today's network
    """
    from serai.data.years import check_year, network_years, whole_year
    from serai.errors import InputError

    if year is not None:  # a whole number first; its range once the network is known
        year = whole_year(year)
    if path is not None:
        from serai.network import read_network

        net = read_network(path)
    else:
        net = _load()
    if isinstance(scenario, str | os.PathLike):
        from serai.scenarios import load_scenario

        scenario = load_scenario(scenario)
    where = None  # the scenario file whose year it is, named when refused
    if scenario is not None:
        net = scenario.apply(net) if hasattr(scenario, "apply") else scenario(net)
        if year is None and isinstance(getattr(scenario, "year", None), int):
            year = scenario.year
        if year is not None and getattr(scenario, "year", None) == year:
            where = getattr(scenario, "path", None) or getattr(scenario, "name", None)
    if year is None:
        meta = dict(net.meta)
        meta["year"] = None
        from serai.data.names import named_for_year

        return named_for_year(Network(dict(net.tables), meta), net, None)
    try:
        year = check_year(year, network_years(net))
    except InputError as exc:
        raise InputError(exc.reason, file=where, field="year") from None
    return network_in_year(net, year)


def load_eurasia(year: int | None = None) -> Network:
    """The embedded Eurasian network: :func:`load_network` under its first name."""
    return load_network(year)


def network_in_year(net: Network, year: int) -> Network:
    """The part of ``net`` open in ``year`` (nodes, links, services, expansions).

    One rule for every element (:func:`serai.data.status.open_mask`): open when
    its ``open_year`` is ``<= year`` (undated: when ``operational``), and not
    closed that year (``closed_from <= year < reopen_year``). Links whose end
    nodes are left out go too. A node named after facilities not open that year
    (a planned port expansion, a port not built yet) is named by the rest of its
    points (:func:`serai.data.names.names_in_year`).

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
    from serai.data.status import open_mask

    nodes = net.nodes[open_mask(net.nodes, year)]
    keep = set(nodes["node_id"].tolist())
    links = net.links
    ok = (
        open_mask(links, year)
        & links["from_node"].isin(keep).to_numpy()
        & links["to_node"].isin(keep).to_numpy()
    )
    meta = dict(net.meta)
    meta["year"] = int(year)
    tables = dict(net.tables)
    tables["nodes"] = nodes.reset_index(drop=True)
    tables["links"] = links[ok].reset_index(drop=True)
    for name in ("services", "expansions"):
        t = tables.get(name)
        if t is not None and len(t) and "status" in t.columns:
            tables[name] = t[open_mask(t, year)].reset_index(drop=True)
    from serai.data.names import named_for_year

    return named_for_year(Network(tables, meta), net, year)


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
