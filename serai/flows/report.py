"""Flow maps (bandwidth by volume) and the flows section of the demo report."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from serai.errors import InputError

__all__ = ["flow_map", "flows_html", "run_flows_demo"]


def _segments(result, network) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    links = result.links
    nodes = network.nodes.set_index("node_id")
    nodes = nodes[~nodes.index.duplicated()]
    shapes = network.tables.get("shapes")
    net_links = network.links.set_index("link_id")
    net_links = net_links[~net_links.index.duplicated()]
    by_shape = None
    if shapes is not None and "shape_id" in net_links.columns:
        by_shape = {
            k: g[["x", "y"]].to_numpy(float) for k, g in shapes.groupby("shape_id", sort=False)
        }
    segs, widths, modes = [], [], []
    for r in links.itertuples(index=False):
        xy = None
        if r.link_id >= 0 and by_shape is not None and r.link_id in net_links.index:
            sid = net_links.at[r.link_id, "shape_id"]
            xy = by_shape.get(sid)
        if xy is None:
            try:
                a, b = nodes.loc[r.from_node], nodes.loc[r.to_node]
            except KeyError:
                continue
            xy = np.array([[a["x"], a["y"]], [b["x"], b["y"]]], float)
        segs.append(xy)
        widths.append(r.tonnes)
        modes.append(r.mode)
    return segs, np.array(widths, float), np.array(modes, dtype=object)


def flow_map(
    result,
    path: str | os.PathLike,
    *,
    network=None,
    bbox: tuple[float, float, float, float] | None = (-12.0, 15.0, 125.0, 62.0),
    overwrite: bool = False,
) -> Path:
    """Draw link flows as bands whose width grows with tonnes per year (PNG).

    Both directions of a link are summed; ferries and sea lanes are drawn in
    blue, rail in dark red, road in grey. Capacity elements at 80% or more of
    their capacity are marked.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    p = Path(path)
    if p.exists() and not overwrite:
        raise InputError("the file exists; use --overwrite to replace it", file=str(p))
    if network is None:
        from serai.data import load_network

        network = load_network(int(result.summary.get("year", 2024)))
    segs, w, modes = _segments(result, network)
    fig, ax = plt.subplots(figsize=(14, 7), dpi=110)
    if len(w):
        lw = 0.3 + 9.0 * np.sqrt(w / w.max())
        colour = {"rail": "#8b1a1a", "road": "#777777", "sea": "#1f5fa8", "ferry": "#1f9fd0"}
        for m in ("sea", "road", "rail", "ferry"):
            sel = modes == m
            if sel.any():
                ax.add_collection(LineCollection([segs[i] for i in np.flatnonzero(sel)],
                                                 linewidths=lw[sel], colors=colour.get(m, "#444444"),
                                                 alpha=0.75, label=m, capstyle="round"))  # fmt: skip
    el = result.elements
    hot = el.loc[el["utilisation"] >= 0.8] if len(el) else el
    nodes = network.nodes.set_index("node_id")
    if bbox is not None:
        ax.set_xlim(bbox[0], bbox[2])
        ax.set_ylim(bbox[1], bbox[3])
    else:
        ax.autoscale()
    ax.set_aspect(1.3)
    ax.set_title(
        f"Freight flows {result.summary.get('year')} ({result.summary.get('method')}): "
        f"band width ~ sqrt(t/yr), max {w.max() / 1e6 if len(w) else 0:.1f} Mt; "
        f"{len(hot)} capacity elements at >= 80%"
    )
    ax.legend(loc="lower left")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    del nodes
    from serai._fs import atomic_path

    try:
        with atomic_path(p, overwrite=True) as tmp:
            fig.savefig(tmp, bbox_inches="tight", format="png")
    finally:
        plt.close(fig)
    return p


def flows_html(result, image: str | None = None) -> str:
    """An HTML section: indicators, bottlenecks and (optionally) the map image file name."""
    import html

    ind = result.indicators.copy()
    ind["value"] = ind["value"].map(lambda v: f"{v:,.0f}")
    b = result.bottlenecks.head(12)
    cols = [
        c
        for c in (
            "rank",
            "name",
            "direction",
            "measure",
            "capacity",
            "load",
            "utilisation",
            "delay_h",
            "dual",
        )
        if c in b.columns
    ]
    bt = b[cols].copy()
    for c in ("capacity", "load", "dual", "delay_h"):
        if c in bt:
            bt[c] = bt[c].map(lambda v: "" if pd.isna(v) else f"{v:,.1f}")
    if "utilisation" in bt:
        bt["utilisation"] = bt["utilisation"].map(lambda v: f"{v:.0%}")
    s = result.summary
    head = (
        f"<h2>Corridor flows {s.get('year')} ({html.escape(str(s.get('method')))})</h2>"
        f"<p>Demand {s.get('demand_tonnes', 0) / 1e6:,.1f} Mt on {s.get('od_pairs')} OD pairs; "
        f"logit dispersion {s.get('theta')}; "
        + (
            f"gap {s['gap']:.1e}."
            if "gap" in s
            else f"objective USD {s.get('objective_usd', 0):,.0f}."
        )
        + "</p>"
    )
    img = f'<img src="{html.escape(image)}" style="max-width:100%">' if image else ""
    return (
        head
        + img
        + "<h3>Indicators</h3>"
        + ind.to_html(index=False)
        + "<h3>Bottlenecks</h3>"
        + bt.to_html(index=False)
    )


def run_flows_demo(out: Path, *, console=None, year: int = 2024) -> dict:
    """The demo's flows section: equilibrium and LP of the year's demand, tables, map, HTML."""
    import base64
    import html

    from serai.data import load_network
    from serai.demand import load_demand
    from serai.flows.api import run_flows, write_result
    from serai.flows.model import FlowConfig

    say = console.print if console is not None else print
    net = load_network(year)
    dem = load_demand(year)
    parts = []
    summary = {}
    for method in ("equilibrium", "lp"):
        res = run_flows(net, dem, FlowConfig(year=year, method=method))
        folder = Path(out) / f"flows_{method}"
        write_result(res, folder, formats=("csv",), overwrite=True)
        png = flow_map(res, folder / "flows.png", network=net, overwrite=True)
        data = base64.b64encode(png.read_bytes()).decode()
        parts.append(
            flows_html(res).replace(
                "<h3>Indicators</h3>",
                f'<img src="data:image/png;base64,{data}" style="max-width:100%"><h3>Indicators</h3>',
                1,
            )
        )
        ind = res.indicators.set_index(["indicator", "direction"])["value"]
        say(
            f"flows {year} ({method}): trans-Caspian {ind[('trans_caspian_tonnes', 'total')] / 1e6:.2f} Mt, "
            f"Dostyk + Altynkol {ind[('kz_cn_rail_tonnes', 'total')] / 1e6:.1f} Mt, China->Europe by rail "
            f"{ind[('china_eu_rail_teu', 'CN->EU')]:,.0f} TEU; tables in {folder}"
        )
        summary[method] = {k: v for k, v in res.summary.items() if k != "unresolved_capacities"}
    page = (
        "<!doctype html><meta charset='utf-8'><title>serai corridor flows</title>"
        "<body style='font-family:sans-serif;max-width:1200px;margin:auto'>"
        f"<h1>Corridor flows {year}</h1><p>{html.escape('Synthesised 2024 demand (serai.demand) on the network of the year; capacities from serai/flows/data/capacities.csv. See docs/flows.md for sources, calibration and limits.')}</p>"
        + "".join(parts)
        + "</body>"
    )
    (Path(out) / "flows_report.html").write_text(page, encoding="utf-8")
    return summary
