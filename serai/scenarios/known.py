"""Names a scenario may use, read from the data: elements, countries, passages, capacity
rows, model parameters, demand groups and zones, mineral demand scenarios.

Every lookup that fails says what was asked for and suggests close names
(:func:`serai.errors.unknown`).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from serai.network.core import Network

__all__ = [
    "capacity_elements",
    "capacity_units",
    "country_groups",
    "element_index",
    "expand_countries",
    "mineral_zones",
    "param_ids",
    "port_nodes",
]

_FALLBACK_UNITS = (
    "Mt/yr",
    "kt/yr",
    "t/yr",
    "TEU/yr",
    "TEU/day",
    "train pairs/day",
    "trains/day",
    "wagons/yr",
    "trucks/yr",
)


def _read(name: str) -> pd.DataFrame:
    with resources.files("serai.scenarios.data").joinpath(name).open("rb") as fh:
        return pd.read_csv(fh, keep_default_na=False, dtype=str)


@cache
def capacity_units() -> tuple[str, ...]:
    """Units of the flows capacity table."""
    try:
        from serai.flows.capacity import UNITS
    except ImportError:  # flows not installed in this build
        return _FALLBACK_UNITS
    return tuple(UNITS)


def capacity_table() -> pd.DataFrame:
    """The shipped capacity table of the flows (empty when the flows are not installed)."""
    try:
        from serai.flows.capacity import capacity_table as _ct
    except ImportError:
        return pd.DataFrame(columns=["capacity_id", "element", "value", "unit"])
    return _ct()


@cache
def capacity_elements() -> frozenset[str]:
    """Element names that have a capacity row."""
    return frozenset(capacity_table()["element"].astype(str))


@cache
def country_groups() -> dict[str, tuple[str, ...]]:
    """Country groups usable in ``[[border]]`` (EU, EAEU, ...): group -> ISO codes.

    Examples
    --------
    >>> "PL" in country_groups()["EU"]
    True
    """
    t = _read("country_groups.csv")
    return {g: tuple(c.split(";")) for g, c in zip(t["group"], t["countries"], strict=True)}


def expand_countries(values: str | list[str]) -> list[str]:
    """ISO codes of a code, a group name, or a list of them (order kept, no repeats)."""
    vals = [values] if isinstance(values, str) else list(values)
    out: list[str] = []
    groups = country_groups()
    for v in vals:
        for c in groups.get(v, (v,)):
            if c not in out:
                out.append(c)
    return out


@cache
def mineral_zones() -> pd.DataFrame:
    """How mineral demand names map to demand zones and groups."""
    return _read("mineral_zones.csv").set_index("name")


@cache
def param_ids() -> tuple[str, ...]:
    """Ids of the time and tariff model parameters (empty when the model has none)."""
    try:
        from serai.freight.params import model_params
    except ImportError:
        return ()
    return tuple(model_params().ids)


def _tokens(values: pd.Series) -> set[str]:
    out: set[str] = set()
    for v in values.dropna().astype(str):
        out.update(t for t in v.split("|") if t)
    return out


def port_nodes(net: Network, point_id: str) -> np.ndarray:
    """Ids of the water-side (port) nodes of a point."""
    n = net.nodes
    if "point_id" not in n.columns:
        return np.empty(0, np.int64)
    hit = n["point_id"].fillna("").astype(str).str.split("|").map(lambda t: point_id in t)
    kind = n["kind"].astype(str) if "kind" in n.columns else pd.Series("", index=n.index)
    return n.loc[hit.to_numpy(bool) & (kind == "port").to_numpy(), "node_id"].to_numpy(np.int64)


def element_index(net: Network) -> dict[str, set[str]]:
    """Known element ids by kind (``line``, ``service``, ``point``, ...) in a network.

    ``point`` lists the points that have a port node (only ports can be opened or
    closed as points); ``line`` includes the facts lines and every named link.
    """
    t = net.tables
    idx: dict[str, set[str]] = {k: set() for k in ("line", "service", "point", "crossing",
                                                      "gauge_break", "passage", "expansion",
                                                      "fleet", "corridor")}  # fmt: skip
    if "facts_lines" in t:
        idx["line"] |= set(t["facts_lines"]["line_id"].astype(str))
    links = net.links
    if "name" in links.columns and "origin" in links.columns:
        named = links.loc[links["origin"].astype(str) == "facts", "name"].dropna().astype(str)
        idx["line"] |= {n for n in named if n}
    if "services" in t:
        idx["service"] |= set(t["services"]["service_id"].astype(str))
        idx["line"] -= idx["service"]
    if "kind" in net.nodes.columns and "point_id" in net.nodes.columns:
        ports = net.nodes.loc[net.nodes["kind"].astype(str) == "port", "point_id"]
        idx["point"] |= _tokens(ports)
    if "border_crossings" in t:
        idx["crossing"] |= {c for c in t["border_crossings"]["crossing_id"].astype(str) if c}
    if "gauge_breaks" in t:
        gb = t["gauge_breaks"]["gauge_break_id"].fillna("").astype(str)
        idx["gauge_break"] |= {c for c in gb if c}
    if "passage" in links.columns:
        idx["passage"] |= {p for p in links["passage"].dropna().astype(str) if p}
    if "expansions" in t:
        idx["expansion"] |= set(t["expansions"]["element_id"].astype(str))
    for e in capacity_elements():
        kind, _, name = e.partition(":")
        if kind in idx:
            idx[kind].add(name)
    return idx
