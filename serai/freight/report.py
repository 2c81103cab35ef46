"""Route comparison report: the flagship corridor questions answered on a network, as HTML.

:func:`answer_flagship` runs the questions (:data:`FLAGSHIP`) through routers and
returns a table; :func:`write_route_report` writes one self-contained HTML file
(map and chart inlined as PNG, leg tables, method notes). Plotting needs
matplotlib (``pip install 'serai[plot]'``), imported only here. The questions and
answers themselves are data in :mod:`serai.freight.flagship` (re-exported here).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from serai.errors import InputError, OptionalDependencyError
from serai.freight.flagship import (
    FLAGSHIP,
    Answer,
    Question,
    _emission_cells,
    answer_flagship,
    readme_table,
    summary_table,
)
from serai.freight.route import Route, Router
from serai.network.geo import degree_gap, unwrap_lon
from serai.reprs import duration_text, hours_text

__all__ = [
    "FLAGSHIP",
    "Answer",
    "Question",
    "answer_flagship",
    "summary_table",
    "write_route_report",
]


_COLORS = {
    "Northern": "#d62728",
    "Middle": "#1f77b4",
    "Southern": "#2ca02c",
    "CKU": "#9467bd",
    "Sea via Suez": "#17becf",
    "Sea via Cape": "#ff7f0e",
    "Sea": "#17becf",
}


def _color(label: str) -> str:
    for k, c in _COLORS.items():
        if label.startswith(k):
            return c
    return "#7f7f7f"


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _route_xy(
    route: Route,
    xy: pd.DataFrame,
    shapes: Mapping[int, np.ndarray] | None = None,
    shape_of: Mapping[int, int] | None = None,
) -> list[np.ndarray]:
    """Polylines of a route's movement legs: link shapes when known, else node to node."""
    parts = []
    for kind, path, lids in zip(
        route.legs["kind"], route.legs["node_path"], route.legs["link_ids"], strict=True
    ):
        if kind != "move" or len(path) < 2:
            continue
        if shapes is not None and shape_of is not None and lids:
            pts = []
            nodes_xy = xy.reindex(path).to_numpy()
            for i, lid in enumerate(lids):
                sid = shape_of.get(int(lid))
                if sid is None or sid not in shapes:
                    seg = nodes_xy[i : i + 2]
                else:
                    seg = shapes[sid]
                    start = nodes_xy[i] if i < len(nodes_xy) else seg[0]
                    if np.isfinite(start).all() and degree_gap(seg[-1], start) < degree_gap(
                        seg[0], start
                    ):
                        seg = seg[::-1]
                pts.append(seg)
            arr = unwrap_lon(np.vstack(pts)) if pts else np.empty((0, 2))
            arr = arr[np.isfinite(arr).all(1)]
        else:
            arr = xy.reindex(path).dropna().to_numpy()
        if len(arr) > 1:
            parts.append(arr)
    return parts


def render_figures(answers: Sequence[Answer], network) -> tuple[Any, Any]:
    """The map (network in grey, one coloured line per route) and the days-vs-USD chart."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.collections import LineCollection
    except ImportError:
        raise OptionalDependencyError("matplotlib", "plot") from None
    nodes = network.nodes
    xy = nodes.set_index("node_id")[["x", "y"]]
    links = network.links
    fig_map, ax = plt.subplots(figsize=(13, 6.2))
    for mode, color, lw in (
        ("sea", "#c6dbef", 0.4),
        ("road", "#e0e0e0", 0.3),
        ("rail", "#9e9e9e", 0.5),
    ):
        sub = links.loc[links["mode"] == mode, ["from_node", "to_node"]]
        a = xy.reindex(sub["from_node"]).to_numpy()
        b = xy.reindex(sub["to_node"]).to_numpy()
        ok = np.isfinite(a).all(1) & np.isfinite(b).all(1) & (np.abs(a[:, 0] - b[:, 0]) < 180)
        segs = np.stack([a[ok], b[ok]], axis=1)
        ax.add_collection(LineCollection(segs, colors=color, linewidths=lw, zorder=1))
    shapes = shape_of = None
    st = network.tables.get("shapes")
    if st is not None and "shape_id" in links.columns and len(st):
        used = {int(i) for a in answers if a.route is not None for i in a.route.physical_links()}
        lk = links.loc[
            links["link_id"].isin(used) & links["shape_id"].notna(), ["link_id", "shape_id"]
        ]
        shape_of = dict(zip(lk["link_id"].astype(int), lk["shape_id"].astype(int), strict=True))
        sub = st.loc[st["shape_id"].isin(set(shape_of.values()))]
        shapes = {
            int(k): g[["x", "y"]].to_numpy(float) for k, g in sub.groupby("shape_id", sort=False)
        }
    seen = set()
    for a in answers:
        if a.route is None:
            continue
        c = _color(a.route.corridor)
        for pts in _route_xy(a.route, xy, shapes, shape_of):
            lab = a.route.corridor if a.route.corridor not in seen else None
            seen.add(a.route.corridor)
            ax.plot(pts[:, 0], pts[:, 1], color=c, lw=2.0, alpha=0.8, zorder=3, label=lab)
    for name in (
        "Xi'an",
        "Duisburg",
        "Almaty",
        "Constanța",
        "Shymkent",
        "Poti",
        "Shanghai",
        "Rotterdam",
    ):
        hit = nodes.loc[nodes.get("name", pd.Series(dtype=str)).astype(str).str.startswith(name)]
        if len(hit):
            x, y = hit[["x", "y"]].iloc[0]
            ax.plot(x, y, "o", color="black", ms=3, zorder=4)
            ax.annotate(
                name, (x, y), fontsize=8, xytext=(3, 3), textcoords="offset points", zorder=5
            )
    ax.set_xlim(-20, 135)
    ax.set_ylim(-38, 62)
    ax.set_aspect(1.25)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.legend(loc="lower left", fontsize=8, frameon=True)
    ax.set_title(
        "Flagship routes on the embedded Eurasian network (grey: rail, light: road, blue: sea)"
    )

    fig_chart, (c1, c2, c3) = plt.subplots(
        1, 3, figsize=(18, 4.6), gridspec_kw={"width_ratios": [1.1, 1, 1]}
    )
    ok = [a for a in answers if a.route is not None and a.route.unit == "FEU"]
    for a in ok:
        r = a.route
        c1.scatter(r.days, r.usd, color=_color(r.corridor), s=40, zorder=3)
        c1.annotate(
            f"{a.question.group.split(' (')[0]}: {a.question.label}",
            (r.days, r.usd),
            fontsize=7,
            xytext=(4, 2),
            textcoords="offset points",
        )
    c1.set_xlabel("days (terminal to terminal)")
    c1.set_ylabel("USD per FEU (tariffs + hubs)")
    c1.set_title("Time vs money per route (FEU questions)")
    c1.grid(alpha=0.3)
    labels = [f"{a.question.group.split(' (')[0]}\n{a.question.label}" for a in ok]
    money = np.array([a.route.usd for a in ok])
    time_usd = np.array([a.route.totals["usd_time"] for a in ok])
    yy = np.arange(len(ok))
    c2.barh(yy, money, color="#4c72b0", label="money: tariffs, handling, borders")
    c2.barh(yy, time_usd, left=money, color="#dd8452", label="time x value of time")
    c2.set_yticks(yy, labels, fontsize=6)
    c2.invert_yaxis()
    c2.set_xlabel("generalised cost, USD per FEU")
    c2.legend(fontsize=7)
    c2.set_title("Generalised cost components")
    cells = [_emission_cells(a.route) for a in ok]
    wtt = np.array([c["wtt_kg"] for c in cells])
    ttw = np.array([c["ttw_kg"] for c in cells])
    c3.barh(yy, wtt, color="#55a868", label="well-to-tank (fuel and power supply)")
    c3.barh(yy, ttw, left=wtt, color="#8c8c8c", label="tank-to-wheel (on board)")
    c3.set_yticks(yy, labels, fontsize=6)
    c3.invert_yaxis()
    c3.set_xlabel("kg CO2e per FEU, well-to-wheel (ISO 14083)")
    c3.legend(fontsize=7)
    c3.set_title("Emissions per route")
    fig_chart.tight_layout()
    return fig_map, fig_chart


def write_route_report(
    answers: Sequence[Answer],
    network,
    path: Path,
    *,
    overwrite: bool = True,
    screenshot: Path | None = None,
    meta: Mapping[str, Any] | None = None,
    sections: Sequence[str] = (),
) -> Path:
    """Write the self-contained HTML report (and optionally the map + chart as one PNG).

    ``sections`` are HTML fragments placed after the answers table (e.g. reliability).
    """
    import matplotlib.pyplot as plt

    from serai.freight.commodities import commodity
    from serai.freight.params import model_params

    path = Path(path)
    if path.exists() and not overwrite:
        raise InputError("already exists; pass overwrite=True to replace it", file=str(path))
    fig_map, fig_chart = render_figures(answers, network)
    map_png, chart_png = _png(fig_map), _png(fig_chart)
    if screenshot is not None:
        fig, axs = plt.subplots(2, 1, figsize=(13, 11), gridspec_kw={"height_ratios": [1.35, 1]})
        for ax, img in zip(axs, (map_png, chart_png), strict=True):
            ax.imshow(plt.imread(io.BytesIO(base64.b64decode(img)), format="png"))
            ax.axis("off")
        fig.tight_layout()
        fig.savefig(screenshot, dpi=90)
        plt.close(fig)
    plt.close(fig_map)
    plt.close(fig_chart)

    table = summary_table(answers)
    esc = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>serai route comparison</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1400px}"
        "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px}"
        "th{background:#f0f0f0}td.n{text-align:right}img{max-width:100%}h2{margin-top:1.6em}"
        "details{margin:.4em 0}.err{color:#a00}</style></head><body>",
        "<h1>Route comparison: flagship corridor questions</h1>",
        f"<p>{esc(str((meta or {}).get('subtitle', '')))}</p>",
        f"<img alt='map' src='data:image/png;base64,{map_png}'>",
        f"<img alt='chart' src='data:image/png;base64,{chart_png}'>",
        "<h2>Answers</h2><table><tr>",
    ]
    cols = [
        "question",
        "variant",
        "year",
        "corridor",
        "days",
        "km",
        "usd",
        "unit",
        "gc_usd",
        "co2e_kg",
        "wtt_kg",
        "ttw_kg",
        "hours_moving",
        "hours_hubs",
        "hours_waiting",
        "borders",
        "transfers",
        "countries",
        "note",
    ]
    parts.append("".join(f"<th>{esc(c)}</th>" for c in cols) + "</tr>")
    for _, row in table.iterrows():
        cells = []
        for c in cols:
            v = row.get(c, "")
            v = "" if v is None or (isinstance(v, float) and np.isnan(v)) else v
            cls = " class='n'" if isinstance(v, (int, float, np.number)) else ""
            txt = (
                f"{v:,}"
                if isinstance(v, (int, np.integer)) and c in ("km", "usd", "gc_usd")
                else str(v)
            )
            cells.append(f"<td{cls}>{esc(txt)}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</table>")
    parts.extend(sections)
    parts.append("<h2>Legs of each route</h2>")
    for a in answers:
        q = a.question
        head = f"{q.group}: {q.label}"
        if a.route is None:
            parts.append(f"<p class='err'>{esc(head)}: {esc(a.error)}</p>")
            continue
        r = a.route
        parts.append(
            f"<details><summary>{esc(head)} — {esc(r.corridor)}, "
            f"{duration_text(r.totals['hours'])}, "
            f"{r.km:,.0f} km, USD {r.usd:,.0f}, {r.co2e_kg:,.0f} kg CO2e (WTW) per "
            f"{esc(r.unit)}</summary><table><tr>"
            + "".join(
                f"<th>{c}</th>"
                for c in (
                    "mode",
                    "from",
                    "to",
                    "country",
                    "km",
                    "hours",
                    "USD",
                    "kg CO2e",
                    "event",
                )
            )
            + "</tr>"
        )
        for leg in r.legs.itertuples(index=False):
            parts.append(
                "<tr>"
                + "".join(
                    f"<td{' class=n' if i >= 4 and i < 8 else ''}>{esc(str(x))}</td>"
                    for i, x in enumerate(
                        (
                            leg.mode if leg.kind == "move" else "·",
                            leg.from_name,
                            leg.to_name,
                            leg.country,
                            f"{leg.km:,.0f}" if leg.km else "",
                            hours_text(leg.hours),
                            f"{leg.usd:,.0f}",
                            f"{leg.co2e_kg:,.1f}" if leg.co2e_kg > 0 else "",
                            leg.event or leg.service_id,
                        )
                    )
                )
                + "</tr>"
            )
        parts.append("</table></details>")
    c = commodity("container_feu")
    parts += [
        "<h2>Method and assumptions</h2><ul>",
        "<li>Routing graph with transfers as links (NODUS-style virtual network): one node per mode "
        "(rail per gauge) at each place; gauge changes, port handling, ferry boarding (waiting = half "
        "the headway) and border crossings are explicit links with time and money.</li>",
        f"<li>Generalised cost = money (a through rate is the sum of its segments: line haul, "
        f"handling, port, border and market charges) + hours x value of time "
        f"(FEU: USD {c.vot_usd_per_unit_h:.2f}/h = value x 10%/yr, an estimate). Times are door to "
        "door, element by element: running, truck rests (EU 561/2006 / AETR), terminal and port "
        "dwell, borders per side and direction (CAREC), departures by schedule, ferry queues.</li>",
        "<li>Every time and money parameter is a row of <code>serai/freight/data/*_params.csv</code> "
        "or <code>border_times.csv</code> with its source and year, or marked estimate; estimates "
        "fitted by <code>serai data calibrate</code> are marked calibrated. Each leg says which "
        "of its hours and money rest on estimates.</li>",
        "<li>Emissions (kg CO2e per unit, column co2e_kg and per leg) follow ISO 14083 / GLEC: "
        "well-to-wheel = well-to-tank + tank-to-wheel, per transport chain element and hub "
        "operation, factors from <code>serai/emissions/data</code> with their sources "
        "(<code>serai.emissions.routes.route_footprint</code>).</li>",
        "<li>Each route's corridor label is derived from the countries, passages and ferry crossings it uses.</li>",
        "</ul><h3>Model parameters</h3>",
        model_params()
        .table.assign(basis=model_params().basis())[
            ["param_id", "value", "unit", "basis", "year", "source"]
        ]
        .to_html(index=False, border=0),
        f"<p><small>{esc(str((meta or {}).get('footer', '')))}</small></p></body></html>",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def run_route_demo(
    out: Path, *, console: Any = None, network=None, screenshot: Path | None = None
) -> pd.DataFrame:
    """The route part of ``make demo``: answer :data:`FLAGSHIP` on the embedded network.

    Writes ``route_report.html`` (self-contained), ``route_summary.csv`` and
    ``routes.json`` in ``out`` and prints the summary table. ``network`` defaults
    to :func:`serai.data.load_network`; ``screenshot`` also writes the map and
    charts as one PNG (the README image: ``docs/img/route_report.png``).
    """
    import json
    import time

    say = console.print if console is not None else print
    from serai.data import load_network, network_in_year
    from serai.freight.virtual import build_routing_graph

    t0 = time.perf_counter()
    years = sorted({q.year for q in FLAGSHIP})
    # the one loader: the network of each question's year
    routers = {
        y: Router(
            build_routing_graph(load_network(y) if network is None else network_in_year(network, y))
        )
        for y in years
    }
    t1 = time.perf_counter()
    answers = answer_flagship(routers)
    t2 = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table = summary_table(answers)
    table.to_csv(out / "route_summary.csv", index=False)
    (out / "route_summary.md").write_text(readme_table(table) + "\n", encoding="utf-8")
    (out / "routes.json").write_text(
        json.dumps(
            [a.route.to_dict() if a.route else {"error": a.error} for a in answers],
            ensure_ascii=False,
            indent=1,
            default=str,
        ),
        encoding="utf-8",
    )
    meta = {
        "subtitle": f"{len(answers)} questions on the embedded Eurasian network "
        f"({len(network.nodes):,} nodes, {len(network.links):,} links); routing graphs for "
        f"{', '.join(map(str, years))} built in {t1 - t0:.1f} s, answered in {t2 - t1:.2f} s.",
        "footer": "serai — terminal-to-terminal free-flow estimates; see Method and assumptions.",
    }
    rel_html, rel_table = _reliability(answers, out, say)
    report = write_route_report(
        answers, network, out / "route_report.html", meta=meta, screenshot=screenshot,
        sections=[rel_html],
    )  # fmt: skip
    cols = ["question", "variant", "corridor", "days", "km", "usd", "unit"]
    show = table.reindex(columns=cols).fillna("")
    say("flagship routes (terminal to terminal, per unit):")
    for row in show.itertuples(index=False):
        say(
            f"  {row.question} | {row.variant}: {row.corridor}, {row.days} days, {row.km} km, "
            f"USD {row.usd} per {row.unit}"
        )
    if len(rel_table):
        from serai.reliability.report import by_month

        say("reliability: P90 door-to-door days by month of departure (Monte Carlo):")
        for row in by_month(rel_table).itertuples(index=False):
            p90 = " ".join(f"{v:5.1f}" for v in row[8:])
            say(f"  {row.question[:24]:24} | {row.variant[:28]:28}: year P50 {row.p50_days:5.1f} "
                f"P90 {row.p90_days:5.1f} | by month {p90}")  # fmt: skip
    say(f"route report written to {report}")
    return table


def _reliability(answers: Sequence[Answer], out: Path, say: Any) -> tuple[str, pd.DataFrame]:
    """The reliability section (serai.reliability) and its table by month (CSV in ``out``)."""
    from serai.reliability.report import reliability_section

    section, table, secs = reliability_section(answers)
    table.to_csv(out / "reliability_by_month.csv", index=False)
    say(f"reliability: {len(table)} simulations (routes x departure months) in {secs:.1f} s")
    return section, table
