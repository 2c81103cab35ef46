"""Check the network against published corridor figures (route lengths and times).

Each validation route names an origin, a destination and optional via points (the
``point_id`` of named places snapped onto ``nodes.point_id``), the link modes it
may use, the countries and sea passages it must avoid, and the network year. The
route is the least-length or least-time path through the via points in order; its
length (km) and free-flow time are set beside the published value or band.

The verdict is ``inside`` when the model value lies in the published band,
``near`` when it lies within ``tolerance`` (relative, default 10 %) of the band,
and ``miss`` otherwise; ``no path`` and ``no point`` say why nothing was
computed. The tolerance is one number for every row, stated in the report: it
is never tuned per route, and misses stay in the table with their explanation.

Examples
--------
>>> import pandas as pd
>>> from serai.network import Network
>>> from serai.data.validation import RouteSpec, compute_route
>>> net = Network.from_tables(
...     nodes=pd.DataFrame({"node_id": [1, 2, 3], "point_id": ["a", "", "b"]}),
...     links=pd.DataFrame({"link_id": [1, 2, 3], "from_node": [1, 2, 1], "to_node": [2, 3, 3],
...                         "mode": ["rail", "rail", "road"], "length": [10.0, 10.0, 15.0],
...                         "free_flow_time": [60.0, 60.0, 30.0]}))
>>> r = compute_route(net, RouteSpec("r", "a", "b", modes=("rail",)))
>>> r.length_km, r.time_h
(20.0, 2.0)
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

__all__ = [
    "RouteResult",
    "RouteSpec",
    "compute_route",
    "point_nodes",
    "route_link_mask",
    "validate_routes",
    "validation_markdown",
]

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


def _share(metric: str, res: RouteResult) -> float:
    """Share of the compared quantity that comes straight from the facts."""
    if not res.found:
        return float("nan")
    if metric == "length_km":
        return res.facts_km / res.length_km if res.length_km > 0 else float("nan")
    return res.facts_h / res.time_h if res.time_h > 0 else float("nan")


def _text(v: object) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return ""
    return str(v)


def _num(v: object) -> float:
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")
    return f


def _band(row: Mapping[str, object]) -> tuple[float, float]:
    v, lo, hi = _num(row.get("value")), _num(row.get("low")), _num(row.get("high"))
    if np.isnan(lo) and np.isnan(hi):
        return v, v
    return (0.0 if np.isnan(lo) else lo), (np.inf if np.isnan(hi) else hi)


def _verdict(model: float, lo: float, hi: float, tolerance: float) -> tuple[str, float]:
    """Verdict and signed relative distance to the band (0 inside)."""
    if np.isnan(model) or np.isnan(lo):
        return "no value", float("nan")
    if lo <= model <= hi:
        return "inside", 0.0
    edge = lo if model < lo else hi
    dev = (model - edge) / edge if edge > 0 else float("inf")
    return ("near" if abs(dev) <= tolerance else "miss"), float(dev)


def validate_routes(
    net: Network,
    routes: pd.DataFrame,
    *,
    sources: pd.DataFrame | None = None,
    tolerance: float = 0.10,
) -> pd.DataFrame:
    """Compute every route of ``routes`` and compare it with its published band.

    Parameters
    ----------
    net
        The network (all years: each route applies its own ``network_year``).
    routes
        A ``validation_routes`` table (route_id, name, origin, destination, via, modes,
        avoid_countries, avoid_passages, optimize, network_year, metric, value, low,
        high, unit, basis, year, source_id; optional explanation).
    sources
        Optional ``sources`` table (source_id, citation) to print citations.
    tolerance
        Relative distance to the band still called ``near``.

    Returns
    -------
    DataFrame
        One row per route: the published figures, ``model_km``, ``model_time_h``,
        ``model_value`` (in the route's metric), ``verdict``, ``deviation``, the
        modes and countries used, and ``problem`` when nothing was computed.
    """
    required = ["route_id", "origin", "destination", "metric"]
    missing = [c for c in required if c not in routes.columns]
    if missing:
        raise InputError(f"validation routes lack column(s) {missing}", file="validation_routes")
    cites = {}
    if sources is not None:
        cites = dict(
            zip(sources["source_id"].astype(str), sources["citation"].astype(str), strict=True)
        )
    cache: dict = {}
    out = []
    for i, row in enumerate(routes.to_dict("records"), start=1):
        metric = str(row["metric"])
        if metric not in METRIC_UNITS:
            raise InputError(
                f"unknown metric '{metric}' (use {', '.join(METRIC_UNITS)})",
                file="validation_routes",
                row=i,
                field="metric",
            )
        spec = RouteSpec.from_row(row)
        res = compute_route(net, spec, _cache=cache)
        model = {
            "length_km": res.length_km,
            "time_h": res.time_h,
            "time_days": res.time_h / 24.0,
        }[metric]
        lo, hi = _band(row)
        verdict, dev = (
            _verdict(model, lo, hi, tolerance)
            if res.found
            else (
                "no point" if "not in the network" in res.problem else "no path",
                float("nan"),
            )
        )
        ids = _items(row.get("source_id"))
        out.append(
            {
                "route_id": spec.route_id,
                "name": row.get("name", spec.route_id),
                "network_year": spec.network_year,
                "metric": metric,
                "unit": METRIC_UNITS[metric],
                "published_value": _num(row.get("value")),
                "published_low": lo,
                "published_high": hi,
                "basis": _text(row.get("basis")),
                "source_ids": ";".join(ids),
                "sources": "; ".join(cites.get(s, s) for s in ids),
                "model_km": res.length_km,
                "model_time_h": res.time_h,
                "model_stop_h": res.stop_h if res.found else float("nan"),
                "facts_share": _share(metric, res),
                "stops": "; ".join(res.stops),
                "model_value": model,
                "verdict": verdict,
                "deviation": dev,
                "km_by_mode": dict(res.km_by_mode),
                "countries": ";".join(res.countries),
                "problem": res.problem,
                "explanation": _text(row.get("explanation")),
                "note": _text(row.get("note")),
            }
        )
    return pd.DataFrame(out)


def _fmt(x: float, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "–"
    if np.isinf(x):
        return "∞"
    return f"{x:,.{digits}f}"


def _hours(t: float) -> str:
    if t is None or np.isnan(t):
        return "–"
    return f"{t:,.1f} h" if t < 72 else f"{t / 24:,.1f} d ({t:,.0f} h)"


def _pub(x: float) -> str:
    """A published number as written: no trailing zeros, at most two decimals."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "–"
    if np.isinf(x):
        return "∞"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _facts_rows(table: pd.DataFrame) -> pd.Series:
    share = table.get("facts_share", pd.Series(np.nan, index=table.index)).astype(float)
    return share >= 0.5


def validation_markdown(
    table: pd.DataFrame, *, tolerance: float = 0.10, header: str = "", level: int = 1
) -> str:
    """Render :func:`validate_routes` output as Markdown (``level`` 2: a section of a report)."""
    n = len(table)
    counts = table["verdict"].value_counts().to_dict()
    h = "#" * level
    title = (
        "Validation of the embedded network against published corridor figures"
        if level == 1
        else "Network data checks: line lengths and free-flow times"
    )
    lines = [
        f"{h} {title}",
        "",
        "Generated by `serai data validate-report`; do not edit by hand. Published values and "
        "their sources are in `tools/data/facts/validation_routes.csv` (from "
        "`corridor-facts.md`). The model path is the least-length (line lengths) or least "
        "free-flow-time (times) path through the listed via points, with the route's modes, "
        "avoided countries and passages, in the network of the given year.",
        "",
        "† = at least half of the compared length (or time) is on links the build added from the "
        "facts with the published length (or crossing time), so the row checks that the element "
        "is in the network, not the number (not an independent check).",
        "",
        f"Verdict: **inside** the published band, **near** = within {tolerance:.0%} of the band "
        "(one tolerance for every row, never tuned per route), **miss** otherwise. Model time is "
        "free-flow time along the path (link times plus the transfer, border and ferry times the "
        "network carries); published times that include waiting are expected to be longer.",
        "",
    ]
    if header:
        lines += [header, ""]
    lines += [
        "Summary: "
        + ", ".join(
            f"{counts.get(k, 0)} {k}"
            for k in ("inside", "near", "miss", "no path", "no point")
            if counts.get(k, 0)
        )
        + f" (of {n} routes)"
        + (
            f"; {n_facts} row(s) rest mostly on facts links (†)."
            if (n_facts := int(_facts_rows(table).sum()))
            else "."
        ),
        "",
        "| Route | Year | Model km | Model free-flow | With border & gauge stops | Published | Basis "
        "| Verdict | Source |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in table.to_dict("records"):
        unit = r["unit"]
        lo, hi, v = r["published_low"], r["published_high"], r["published_value"]
        if lo == hi or (np.isnan(lo) and np.isnan(hi)):
            pub = f"{_pub(v if not np.isnan(v) else lo)} {unit}"
        elif np.isinf(hi):
            pub = f"≥ {_pub(lo)} {unit}"
        else:
            pub = f"{_pub(lo)}–{_pub(hi)} {unit}"
            if not np.isnan(v):
                pub += f" ({_pub(v)})"
        t = r["model_time_h"]
        model_t = _hours(t)
        stop = r.get("model_stop_h", float("nan"))
        with_stops = "–" if np.isnan(t) or np.isnan(stop) or stop == 0 else _hours(t + stop)
        verdict = r["verdict"]
        if verdict in ("near", "miss") and not np.isnan(r["deviation"]):
            verdict += f" ({r['deviation']:+.1%})"
        if float(r.get("facts_share", np.nan)) >= 0.5:
            verdict += " †"
        lines.append(
            f"| {r['name']} | {r['network_year'] if r['network_year'] is not None else ''} | "
            f"{_fmt(r['model_km'])} | {model_t} | {with_stops} | {pub} | {r['basis']} | {verdict} | "
            f"{r['sources']} |"
        )
    detail = table[table["verdict"] != "inside"]
    if len(detail):
        lines += ["", f"{h}# Rows outside the band, and why", ""]
        for r in detail.to_dict("records"):
            why = "; ".join(x for x in (r["problem"], r["explanation"]) if x) or (
                "within the tolerance; no explanation recorded"
                if r["verdict"] == "near"
                else "not yet explained"
            )
            lines.append(
                f"- **{r['name']}** ({r['verdict']}): {why}"
                + (f" — {r['note']}" if r["note"] else "")
            )
    lines += [
        "",
        f"{h}# Model paths",
        "",
        "Border-crossing and gauge-change times come from the network's `border_crossings` and "
        "`gauge_breaks` tables (`?` = no time known); they are not part of the free-flow time.",
        "",
        "| Route | km by mode | Countries | Border and gauge stops |",
        "|---|---|---|---|",
    ]
    for r in table.to_dict("records"):
        kbm = ", ".join(f"{m} {_fmt(k)}" for m, k in r["km_by_mode"].items()) or "–"
        stops = r.get("stops", "") or "–"
        lines.append(f"| {r['name']} | {kbm} | {r['countries'] or '–'} | {stops} |")
    return "\n".join(lines) + "\n"
