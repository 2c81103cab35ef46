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

The routes themselves (:class:`RouteSpec`, :func:`compute_route`) are in
:mod:`serai.data.validation_routes`; every name importable here before still is.

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

from collections.abc import Mapping

import numpy as np
import pandas as pd

from serai.data.validation_routes import (
    METRIC_UNITS,
    RouteResult,
    RouteSpec,
    _items,
    compute_route,
    point_nodes,
    route_link_mask,
)
from serai.errors import InputError
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
