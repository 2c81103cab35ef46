"""Compact text and HTML representations for notebooks (``__repr__`` and ``_repr_html_``).

A result's repr is a few lines (what it is, its totals, its size), never its
arrays; the HTML form adds a short table. Classes call these functions from
their own ``__repr__`` / ``_repr_html_`` so the formatting lives in one place.

Examples
--------
>>> from serai.reprs import html_table
>>> import pandas as pd
>>> "<table" in html_table(pd.DataFrame({"a": [1, 2]}))
True
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

__all__ = [
    "assignment_html",
    "assignment_repr",
    "duration_text",
    "hours_text",
    "html_table",
    "network_html",
    "route_html",
    "route_repr",
    "router_html",
    "router_repr",
]

_STYLE = "font-family:system-ui,sans-serif;font-size:13px"


def _e(x: Any) -> str:
    return html.escape(str(x))


def html_table(df: pd.DataFrame, max_rows: int = 12) -> str:
    """A pandas table as compact HTML (first and last rows when longer than ``max_rows``)."""
    return df.to_html(max_rows=max_rows, index=False, border=0, float_format=lambda v: f"{v:,.1f}")


def _num(v: float, d: int = 0) -> str:
    return "–" if v != v else f"{v:,.{d}f}"


# ---------------------------------------------------------------------- network
def network_html(net: Any) -> str:
    rows = "".join(
        f"<tr><td>{_e(k)}</td><td style='text-align:right'>{len(v):,}</td>"
        f"<td>{_e(', '.join(map(str, list(v.columns)[:8])))}{' …' if v.shape[1] > 8 else ''}</td></tr>"
        for k, v in net.tables.items()
    )
    modes = ""
    if "mode" in net.links.columns:
        counts = net.links["mode"].value_counts().sort_index()
        modes = "<br>links by mode: " + ", ".join(f"{_e(k)} {v:,}" for k, v in counts.items())
    year = net.meta.get("year") if hasattr(net, "meta") else None
    return (
        f"<div style='{_STYLE}'><b>Network {_e(net.name)}</b>"
        f"{f' (year {year})' if year else ''}{modes}"
        f"<table><tr><th>table</th><th>rows</th><th>columns</th></tr>{rows}</table></div>"
    )


# ---------------------------------------------------------------------- route
def duration_text(hours: float) -> str:
    """A trip's time for people: hours below a day, days above (one decimal each).

    A 1-hour truck trip read "0.0 days"; machine-readable fields keep their units.

    >>> duration_text(1.0), duration_text(23.9), duration_text(189.3)
    ('1.0 h', '23.9 h', '7.9 days')
    """
    if not hours == hours:  # NaN
        return "– days"
    if abs(hours) < 23.95:  # (23.95 h and up would read "24.0 h": a day)
        return f"{hours:.1f} h"
    return f"{hours / 24.0:,.1f} days"


def hours_text(hours: float) -> str:
    """A leg's hours for a table: one decimal, two below 0.1 h (a 3 km first-mile leg of
    0.05 h read "0.0").

    >>> hours_text(0.0457), hours_text(0.0), hours_text(1.08), hours_text(1234.5)
    ('0.05', '0.0', '1.1', '1,234.5')
    """
    return f"{hours:.2f}" if 0 < abs(hours) < 0.095 else f"{hours:,.1f}"


def route_repr(r: Any) -> str:
    co2 = r.totals.get("co2e_kg", float("nan"))
    return (
        f"<Route {r.origin_name} -> {r.destination_name}: {r.corridor}; "
        f"{duration_text(r.totals['hours'])}, {r.km:,.0f} km, USD {r.usd:,.0f}/{r.unit}, "
        f"{_num(co2)} kg CO2e; {len(r.legs)} legs and events; "
        f"{r.commodity}, objective {r.objective}>"
    )


def route_html(r: Any, max_rows: int = 40) -> str:
    t = r.totals
    legs = r.legs[
        [
            "kind",
            "mode",
            "from_name",
            "to_name",
            "country",
            "km",
            "hours",
            "usd",
            "co2e_kg",
            "event",
        ]
    ]
    return (
        f"<div style='{_STYLE}'><b>{_e(r.origin_name)} → {_e(r.destination_name)}</b>: "
        f"{_e(r.corridor)} ({_e(r.commodity)}, per {_e(r.unit)}, objective {_e(r.objective)})<br>"
        f"<b>{t['days']:.1f}</b> days · <b>{t['km']:,.0f}</b> km · USD <b>{t['usd']:,.0f}</b> "
        f"(tariff {t['usd_tariff']:,.0f} + hubs {t['usd_hub']:,.0f}) · generalised USD "
        f"{t['gc_usd']:,.0f} · <b>{_num(t.get('co2e_kg', float('nan')))}</b> kg CO2e WTW<br>"
        f"countries {_e('-'.join(r.countries))}"
        f"{' · passages ' + _e(', '.join(r.passages)) if r.passages else ''}"
        f"{html_table(legs, max_rows)}</div>"
    )


# ---------------------------------------------------------------------- router
def router_repr(router: Any) -> str:
    rg = router.rg
    costs = sorted({str(k[0]) for k in getattr(router, "_costs", {})})
    return (
        f"<Router {rg.network.name!r} year={rg.year}: {rg.graph.n_nodes:,} vnodes, "
        f"{rg.graph.n_edges:,} vlinks, {len(rg.place_of):,} places; "
        f"costs ready: {', '.join(costs) or 'none yet'}>"
    )


def router_html(router: Any) -> str:
    rg = router.rg
    kinds = rg.vlinks["kind"].value_counts().sort_index()
    rows = "".join(
        f"<tr><td>{_e(k)}</td><td style='text-align:right'>{v:,}</td></tr>"
        for k, v in kinds.items()
    )
    return (
        f"<div style='{_STYLE}'><b>Router</b> over {_e(rg.network.name)} (year {rg.year or 'today'}): "
        f"{rg.graph.n_nodes:,} virtual nodes, {rg.graph.n_edges:,} virtual links, "
        f"{len(rg.place_of):,} places<table><tr><th>virtual link kind</th><th>count</th></tr>"
        f"{rows}</table></div>"
    )


# ---------------------------------------------------------------------- assignment
def assignment_repr(res: Any) -> str:
    return (
        f"<AssignmentResult {res.algorithm}: {'converged' if res.converged else 'NOT converged'}, "
        f"relative gap {res.gap:.2e} after {res.iterations} iterations; {len(res.links):,} links, "
        f"{len(res.disconnected):,} OD pairs without a path>"
    )


def assignment_html(res: Any) -> str:
    top = (
        res.links.sort_values("voc", ascending=False).head(10)
        if "voc" in res.links
        else res.links.head(10)
    )
    cols = [
        c for c in ("link_id", "from_node", "to_node", "flow", "time", "voc") if c in top.columns
    ]
    return (
        f"<div style='{_STYLE}'><b>Assignment</b> ({_e(res.algorithm)}): "
        f"{'converged' if res.converged else '<b>not converged</b>'}, relative gap {res.gap:.2e}, "
        f"{res.iterations} iterations, {len(res.links):,} links; "
        f"{len(res.disconnected):,} OD pairs without a path<br>Most loaded links (volume/capacity):"
        f"{html_table(top[cols], 10)}</div>"
    )
