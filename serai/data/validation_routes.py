"""The routes of the network validation: what a validation route asks and what it finds.

A :class:`RouteSpec` names an origin, a destination and optional via points (the
``point_id`` of named places snapped onto ``nodes.point_id``), the link modes it may
use, the countries and sea passages it must avoid, and the network year;
:func:`compute_route` finds the least-length or least-time path through the via
points in order and returns a :class:`RouteResult` (length, free-flow time, stops).
:mod:`serai.data.validation` compares these with the published figures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from serai.errors import InputError, NoPathError
from serai.network.compile import Graph, compile_network
from serai.network.core import Network

__all__ = ["RouteResult", "RouteSpec", "compute_route", "point_nodes", "route_link_mask"]

_SPLIT = re.compile(r"[;|,]")
METRIC_UNITS = {"length_km": "km", "time_h": "h", "time_days": "days"}


def _items(value: object) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ()
    return tuple(s.strip() for s in _SPLIT.split(str(value)) if s.strip())


@dataclass(frozen=True)
class RouteSpec:
    """A named route through the network.

    Attributes
    ----------
    route_id : str
    origin, destination : str
        ``point_id`` of the end points.
    via : tuple of str
        Points the route must pass, in order.
    modes : tuple of str or None
        Link modes allowed (None: all).
    avoid_countries : tuple of str
        ISO2 codes: links in, or touching nodes in, these countries are left out.
    avoid_passages : tuple of str
        Sea passages (``links.passage``) left out, e.g. ``("suez",)``.
    optimize : {"length", "time"}
        Least length or least free-flow time.
    network_year : int or None
        Only links open in this year (``open_year <= year``, or no year and status
        ``operational``); None keeps every link.
    """

    route_id: str
    origin: str
    destination: str
    via: tuple[str, ...] = ()
    modes: tuple[str, ...] | None = None
    avoid_countries: tuple[str, ...] = ()
    avoid_passages: tuple[str, ...] = ()
    optimize: str = "time"
    network_year: int | None = None

    def __post_init__(self) -> None:
        if self.optimize not in ("length", "time"):
            raise InputError(
                f"optimize must be 'length' or 'time', got '{self.optimize}'", field="optimize"
            )

    @property
    def stops(self) -> tuple[str, ...]:
        return (self.origin, *self.via, self.destination)

    @classmethod
    def from_row(cls, row: Mapping[str, object]) -> RouteSpec:
        """Build from a ``validation_routes`` row (lists ``;``-separated)."""
        year = row.get("network_year")
        year = None if year is None or pd.isna(year) or str(year) == "" else int(float(year))
        modes = _items(row.get("modes"))
        return cls(
            route_id=str(row["route_id"]),
            origin=str(row["origin"]),
            destination=str(row["destination"]),
            via=_items(row.get("via")),
            modes=modes or None,
            avoid_countries=_items(row.get("avoid_countries")),
            avoid_passages=_items(row.get("avoid_passages")),
            optimize=str(row.get("optimize") or "time"),
            network_year=year,
        )


@dataclass(frozen=True)
class RouteResult:
    """The model's path for one :class:`RouteSpec`."""

    spec: RouteSpec
    found: bool
    length_km: float = float("nan")
    time_h: float = float("nan")
    node_ids: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    link_ids: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    km_by_mode: Mapping[str, float] = field(default_factory=dict)
    countries: tuple[str, ...] = ()
    problem: str = ""
    stop_h: float = 0.0
    stops: tuple[str, ...] = ()
    facts_km: float = 0.0  # km on links whose length comes from the facts (origin "facts")
    facts_h: float = 0.0  # free-flow hours on links whose time comes from the facts


def point_nodes(net: Network) -> dict[str, list[int]]:
    """Map each ``point_id`` to the node ids it is snapped to (``nodes.point_id``, may be a list)."""
    nodes = net.nodes
    if "point_id" not in nodes.columns:
        return {}
    out: dict[str, list[int]] = {}
    for nid, cell in zip(nodes["node_id"].to_numpy(), nodes["point_id"].to_numpy(), strict=True):
        for p in _items(cell):
            out.setdefault(p, []).append(int(nid))
    return out


def _column(df: pd.DataFrame, name: str, default: object = "") -> np.ndarray:
    if name not in df.columns:
        return np.full(len(df), default, dtype=object)
    return df[name].to_numpy(dtype=object)


def _has_any(cells: np.ndarray, wanted: Sequence[str]) -> np.ndarray:
    wanted = set(wanted)
    return np.fromiter((bool(wanted.intersection(_items(c))) for c in cells), bool, len(cells))


def route_link_mask(net: Network, spec: RouteSpec) -> np.ndarray:
    """Boolean mask over ``net.links``: links this route may use.

    Examples
    --------
    >>> import pandas as pd
    >>> from serai.network import Network
    >>> net = Network.from_tables(links=pd.DataFrame({
    ...     "link_id": [1, 2, 3], "from_node": [1, 2, 3], "to_node": [2, 3, 4],
    ...     "mode": ["rail", "sea", "sea"], "passage": ["", "suez", ""],
    ...     "open_year": [None, None, 2030], "status": ["operational"] * 2 + ["planned"]}))
    >>> route_link_mask(net, RouteSpec("r", "a", "b", avoid_passages=("suez",),
    ...                                network_year=2025)).tolist()
    [True, False, False]
    """
    links, nodes = net.links, net.nodes
    keep = np.ones(len(links), dtype=bool)
    if spec.modes is not None:
        keep &= np.isin(_column(links, "mode").astype(str), list(spec.modes))
    if spec.avoid_countries:
        keep &= ~_has_any(_column(links, "country"), spec.avoid_countries)
        if "country" in nodes.columns:
            bad = nodes["node_id"].to_numpy()[
                _has_any(_column(nodes, "country"), spec.avoid_countries)
            ]
            keep &= (
                ~links["from_node"].isin(bad).to_numpy() & ~links["to_node"].isin(bad).to_numpy()
            )
    if spec.avoid_passages:
        keep &= ~_has_any(_column(links, "passage"), spec.avoid_passages)
    if spec.network_year is not None:
        from serai.data.status import open_mask  # the one availability rule

        keep &= open_mask(links, spec.network_year)
    return keep


def _graph(net: Network, spec: RouteSpec, cache: dict | None) -> tuple[Graph, np.ndarray]:
    key = (spec.modes, spec.avoid_countries, spec.avoid_passages, spec.network_year)
    if cache is not None and key in cache:
        return cache[key]
    mask = route_link_mask(net, spec)
    g = compile_network(net, link_mask=mask, check=False)
    out = (g, mask)
    if cache is not None:
        cache[key] = out
    return out


def compute_route(net: Network, spec: RouteSpec, *, _cache: dict | None = None) -> RouteResult:
    """Least-length or least-time path for ``spec`` (through its via points, in order).

    Where a point is snapped to several nodes (e.g. a port on the rail and the sea
    network), the best combination of nodes along the whole route is taken.
    Returns a :class:`RouteResult` with ``found=False`` and ``problem`` set when a
    point is not in the network or no path exists; raises only for bad specs.
    """
    from serai.paths import shortest_paths

    where = point_nodes(net)
    missing = [p for p in spec.stops if p not in where]
    if missing:
        return RouteResult(
            spec, False, problem=f"point(s) not in the network: {', '.join(missing)}"
        )
    g, _ = _graph(net, spec, _cache)
    if "length" not in g.costs:
        raise InputError("the network's links have no 'length' column", field="length")
    cost_name = "length" if spec.optimize == "length" else "free_flow_time"
    cost = g.cost(cost_name)

    # Dynamic programme over the candidate nodes of each stop.
    cand = [np.asarray(where[p], dtype=np.int64) for p in spec.stops]
    best = np.zeros(len(cand[0]))
    back: list[tuple[np.ndarray, list]] = []
    for i in range(len(cand) - 1):
        a_ids, b_ids = cand[i], cand[i + 1]
        trees = [shortest_paths(g, int(a), cost=cost) for a in a_ids]
        d = np.array([[t.distance(int(b)) for b in b_ids] for t in trees])  # (|A|, |B|)
        total = best[:, None] + d
        arg = np.argmin(total, axis=0)
        best = total[arg, np.arange(len(b_ids))]
        back.append((arg, trees))
        if not np.isfinite(best).any():
            leg = f"{spec.stops[i]} → {spec.stops[i + 1]}"
            return RouteResult(
                spec, False, problem=f"no path {leg} with the route's modes and exclusions"
            )
    # Trace back the best chain.
    j = int(np.argmin(best))
    edges_rev: list[np.ndarray] = []
    for i in range(len(back) - 1, -1, -1):
        arg, trees = back[i]
        a = int(arg[j])
        b_id = int(cand[i + 1][j])
        try:
            p = trees[a].path_to(b_id)
        except NoPathError:  # pragma: no cover - guarded by the finite check above
            return RouteResult(spec, False, problem=f"no path to {spec.stops[i + 1]}")
        edges_rev.append(p.edges)
        j = a
    edges = np.concatenate(edges_rev[::-1]) if edges_rev else np.empty(0, np.int64)
    length = float(g.cost("length")[edges].sum())
    time_h = (
        float(g.cost("free_flow_time")[edges].sum() / 60.0)
        if "free_flow_time" in g.costs
        else float("nan")
    )
    rows = g.link_rows[edges]
    links = net.links
    modes = _column(links, "mode", "")[rows].astype(str)
    lengths = g.cost("length")[edges]
    km_by_mode = {m: float(lengths[modes == m].sum()) for m in dict.fromkeys(modes)}
    # links whose length was taken from the facts (not measured on OSM or sea-lane geometry)
    from_facts = _column(links, "origin", "")[rows].astype(str) == "facts"
    src = _column(links, "length_source", "")[rows].astype(str)
    measured = np.char.startswith(src, "marnet") | np.char.startswith(src, "osm")
    facts_km = float(lengths[from_facts & ~measured].sum())
    tsrc = _column(links, "time_source", "")[rows].astype(str)
    timed = from_facts & ~np.char.startswith(tsrc, "length / speed")
    facts_h = (
        float(g.cost("free_flow_time")[edges][timed].sum() / 60.0)
        if "free_flow_time" in g.costs
        else 0.0
    )
    countries = tuple(
        dict.fromkeys(c for cell in _column(links, "country")[rows] for c in _items(cell))
    )
    nodes = (
        np.concatenate([g.tails[edges[:1]], g.heads[edges]])
        if len(edges)
        else np.empty(0, np.int64)
    )
    return RouteResult(
        spec,
        True,
        length_km=length,
        time_h=time_h,
        node_ids=g.node_ids[nodes],
        link_ids=g.link_ids[edges],
        km_by_mode=km_by_mode,
        countries=countries,
        facts_km=facts_km,
        facts_h=facts_h,
        **_stop_times(net, g, edges),
    )


def _stop_times(net: Network, g: Graph, edges: np.ndarray) -> dict:
    """Border-crossing and gauge-change times met along a path, from the network's side tables.

    ``border_crossings`` (node_a, node_b, time_h) is matched on the unordered node pair of
    each path edge; ``gauge_breaks`` (node_id, transshipment_h) on inner path nodes where the
    ``gauge`` of the arriving and leaving links differ. Crossings and changes without a time
    are listed with ``?`` and add nothing.
    """
    if not len(edges):
        return {"stop_h": 0.0, "stops": ()}
    tails, heads = g.node_ids[g.tails[edges]], g.node_ids[g.heads[edges]]
    total, names = 0.0, []
    bc = net.tables.get("border_crossings")
    if bc is not None and {"node_a", "node_b", "time_h"} <= set(bc.columns):
        label = bc["crossing_id"] if "crossing_id" in bc.columns else pd.Series([""] * len(bc))
        times: dict[frozenset, tuple[float, str]] = {}
        for a, b, t, c, ca, cb in zip(
            bc["node_a"], bc["node_b"], pd.to_numeric(bc["time_h"], errors="coerce"), label,
            _column(bc, "country_a"), _column(bc, "country_b"), strict=True,
        ):  # fmt: skip
            name = c if isinstance(c, str) and c else f"{ca}–{cb}"
            key = frozenset((int(a), int(b)))
            if key not in times or np.isnan(times[key][0]):
                times[key] = (float(t), name)
        for u, v in zip(tails, heads, strict=True):
            hit = times.get(frozenset((int(u), int(v))))
            if hit is not None:
                t, name = hit
                names.append(f"{name} ?" if np.isnan(t) else f"{name} {t:g} h")
                total += 0.0 if np.isnan(t) else t
    gb = net.tables.get("gauge_breaks")
    if "gauge" in net.links.columns and len(edges) > 1:
        gauge = pd.to_numeric(net.links["gauge"], errors="coerce").to_numpy(dtype=float)
        gauge = gauge[g.link_rows[edges]]
        change = (gauge[:-1] != gauge[1:]) & np.isfinite(gauge[:-1]) & np.isfinite(gauge[1:])
        where = heads[:-1][change]
        gtimes: dict[int, tuple[float, str]] = {}
        if gb is not None and {"node_id", "transshipment_h"} <= set(gb.columns):
            label = gb["gauge_break_id"] if "gauge_break_id" in gb.columns else gb["node_id"]
            for n, t, c in zip(
                gb["node_id"],
                pd.to_numeric(gb["transshipment_h"], errors="coerce"),
                label,
                strict=True,
            ):
                gtimes[int(n)] = (float(t), c if isinstance(c, str) and c else f"node {n}")
        for n in where:
            t, name = gtimes.get(int(n), (float("nan"), f"gauge change at node {n}"))
            names.append(f"{name} ?" if np.isnan(t) else f"{name} {t:g} h")
            total += 0.0 if np.isnan(t) else t
    return {"stop_h": float(total), "stops": tuple(names)}
