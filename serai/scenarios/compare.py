"""Comparing two scenario runs: indicators, corridor times, costs and CO2e, flows and
utilisation side by side and as differences, the bottlenecks that bind in each, the
claims of the second checked against the first, and a map of the change in flows.

Works on :class:`~serai.scenarios.run.ScenarioResult` and on runs read back from the
store (:class:`~serai.store.StoredRun`): both have ``name``/``scenario``, ``summary``
and ``tables``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Comparison", "compare", "write_comparison"]


def _name(r) -> str:
    return r.scenario.name if getattr(r, "scenario", None) is not None else r.name


def _t(r, name: str) -> pd.DataFrame | None:
    try:
        t = r.tables[name]
    except KeyError:
        return None
    return t if t is not None else None


@dataclass(frozen=True, eq=False)
class Comparison:
    """Two runs side by side: ``tables`` (headline, indicators, routes, emissions,
    elements, bottlenecks, links, od, targets) and the two names."""

    a: str
    b: str
    tables: dict[str, pd.DataFrame]
    meta: dict = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def write(
        self, out: str | os.PathLike, *, overwrite: bool = False, map_png: bool = True
    ) -> Path:
        return write_comparison(self, out, overwrite=overwrite, map_png=map_png)


def _side(a: pd.DataFrame | None, b: pd.DataFrame | None, keys: list[str], values: list[str],
          sa: str, sb: str) -> pd.DataFrame:  # fmt: skip
    """Outer join of two tables on keys, values suffixed and differenced."""
    cols = keys + values
    a = (
        a[[c for c in cols if c in a.columns]]
        if a is not None and len(a)
        else pd.DataFrame(columns=cols)
    )
    b = (
        b[[c for c in cols if c in b.columns]]
        if b is not None and len(b)
        else pd.DataFrame(columns=cols)
    )
    for t in (a, b):
        for c in values:
            if c not in t.columns:
                t[c] = np.nan
        for c in keys:
            t[c] = t[c].astype(object) if c in t.columns else ""
    m = a.merge(b, on=keys, how="outer", suffixes=(f"_{sa}", f"_{sb}"))
    for c in values:
        va = pd.to_numeric(m[f"{c}_{sa}"], errors="coerce")
        vb = pd.to_numeric(m[f"{c}_{sb}"], errors="coerce")
        m[f"{c}_diff"] = vb - va
        with np.errstate(divide="ignore", invalid="ignore"):
            m[f"{c}_pct"] = np.where(va.abs() > 0, 100.0 * (vb - va) / va.abs(), np.nan)
    return m


def compare(a, b) -> Comparison:
    """Compare run ``b`` against run ``a`` (differences are b - a).

    Examples
    --------
    >>> from serai.scenarios import compare, run_scenario  # doctest: +SKIP
    >>> c = compare(run_scenario("base-2024"), run_scenario("red-sea-closure"))  # doctest: +SKIP
    >>> c["routes"][["question", "variant", "days_A", "days_B"]]  # doctest: +SKIP
    """
    sa, sb = "A", "B"
    out: dict[str, pd.DataFrame] = {}
    out["headline"] = _side(
        _t(a, "headline"), _t(b, "headline"), ["indicator", "unit"], ["value"], sa, sb
    )
    out["indicators"] = _side(
        _t(a, "indicators"),
        _t(b, "indicators"),
        ["indicator", "direction", "unit"],
        ["value"],
        sa,
        sb,
    )
    ra, rb = _t(a, "routes"), _t(b, "routes")
    routes = _side(
        ra, rb, ["question", "variant"], ["days", "km", "usd", "gc_usd", "co2e_kg"], sa, sb
    )
    for t, s in ((ra, sa), (rb, sb)):
        if t is not None and len(t) and "corridor" in t.columns:
            c = t.set_index(["question", "variant"])["corridor"]
            routes[f"corridor_{s}"] = [
                c.get((q, v), "")
                for q, v in zip(routes["question"], routes["variant"], strict=True)
            ]
        else:
            routes[f"corridor_{s}"] = ""
    out["routes"] = routes
    out["emissions"] = _side(_mode_sum(_t(a, "emissions")), _mode_sum(_t(b, "emissions")),
                             ["mode"], ["tonne_km", "co2e_t"], sa, sb)  # fmt: skip
    out["elements"] = _side(
        _t(a, "elements"), _t(b, "elements"),
        ["capacity_id", "element", "name", "kind", "direction", "measure"],
        ["capacity", "load", "utilisation", "delay_h", "dual"], sa, sb,
    )  # fmt: skip
    out["bottlenecks"] = _bottlenecks(_t(a, "elements"), _t(b, "elements"), sa, sb)
    out["links"] = _side(
        _t(a, "links"), _t(b, "links"), ["link_id", "service_id", "from_node", "to_node", "mode"],
        ["km", "tonnes", "teu", "co2e_t"], sa, sb,
    )  # fmt: skip
    la, lb = _t(a, "links"), _t(b, "links")
    geo = {}
    for t in (la, lb):
        if t is not None and len(t) and "geometry" in t.columns:
            for k, g in zip(zip(t["link_id"], t["service_id"], t["from_node"], t["to_node"], strict=True),
                            t["geometry"], strict=True):  # fmt: skip
                if isinstance(g, str) and g:
                    geo.setdefault(tuple(str(x) for x in k), g)
    if len(out["links"]):
        keys = zip(out["links"]["link_id"], out["links"]["service_id"], out["links"]["from_node"],
                   out["links"]["to_node"], strict=True)  # fmt: skip
        out["links"]["geometry"] = [geo.get(tuple(str(x) for x in k), "") for k in keys]
        out["links"] = (
            out["links"]
            .sort_values("tonnes_diff", key=np.abs, ascending=False)
            .reset_index(drop=True)
        )
    out["od"] = _side(_t(a, "od"), _t(b, "od"), ["group", "origin", "destination"],
                      ["volume", "assigned", "unmet", "cost_usd"], sa, sb)  # fmt: skip
    out["targets"] = _targets(a, b)
    return Comparison(_name(a), _name(b), out, {"a": _meta(a), "b": _meta(b)})


def _meta(r) -> dict:
    s = r.summary if isinstance(r.summary, dict) else {}
    return {"name": _name(r), "year": s.get("year"), "hash": s.get("hash"),
            "run_id": getattr(r, "run_id", None), "method": s.get("method")}  # fmt: skip


def _mode_sum(t: pd.DataFrame | None) -> pd.DataFrame | None:
    if t is None or not len(t):
        return t
    return t.groupby("mode", as_index=False)[["tonne_km", "co2e_t"]].sum()


def _bottlenecks(ea, eb, sa: str, sb: str) -> pd.DataFrame:
    """Elements that bind in either run: binding, utilisation, rank by shadow price or delay."""
    rows = []
    keys = ["capacity_id", "element", "name", "direction"]

    def ranked(e):
        if e is None or not len(e):
            return pd.DataFrame(columns=[*keys, "binding", "utilisation", "score"])
        e = e.copy()
        e["binding"] = e["binding"].astype(str).str.lower().isin(["true", "1"])
        score = pd.to_numeric(e.get("dual"), errors="coerce").fillna(0.0)
        delay = pd.to_numeric(e.get("delay_h"), errors="coerce").fillna(0.0)
        e["score"] = np.where(score > 0, score, delay)
        return e[[*keys, "binding", "utilisation", "score"]]

    A, B = ranked(ea), ranked(eb)
    m = A.merge(B, on=keys, how="outer", suffixes=(f"_{sa}", f"_{sb}"))
    m[f"binding_{sa}"] = m[f"binding_{sa}"].astype("boolean").fillna(False).astype(bool)
    m[f"binding_{sb}"] = m[f"binding_{sb}"].astype("boolean").fillna(False).astype(bool)
    m = m.loc[m[f"binding_{sa}"] | m[f"binding_{sb}"]].copy()
    for s in (sa, sb):
        sc = pd.to_numeric(m[f"score_{s}"], errors="coerce").where(m[f"binding_{s}"])
        m[f"rank_{s}"] = sc.rank(ascending=False, method="min")
    m["status"] = np.select(
        [m[f"binding_{sa}"] & m[f"binding_{sb}"], m[f"binding_{sa}"]],
        ["binds in both", f"binds only in {sa} (relieved)"],
        default=f"binds only in {sb} (new)",
    )
    rows = m.sort_values([f"rank_{sb}", f"rank_{sa}"], na_position="last")
    return rows.reset_index(drop=True)


def _targets(a, b) -> pd.DataFrame:
    """The targets of run b's scenario, with run a as the reference of ratio claims."""
    from serai.scenarios.run import _target_value

    scen = getattr(b, "scenario", None)
    rows_in = scen.rows("target") if scen is not None else _stored_targets(b)
    rows = []
    for r in rows_in:
        vb = _target_value(r, _t(b, "indicators"), _t(b, "routes"))
        va = _target_value(r, _t(a, "indicators"), _t(a, "routes"))
        label = r.get("label") or r.get("indicator") or r.get("route")
        row = {"target": label, "claim": "", "model_A": va, "model_B": vb, "ratio_B_A": np.nan,
               "verdict": "", "source": r.get("source", "")}  # fmt: skip
        if np.isfinite(va) and np.isfinite(vb) and va:
            row["ratio_B_A"] = vb / va
        if "value" in r:
            row["claim"] = f"{r['value']:,.6g}"
            row["verdict"] = (f"model {vb:,.4g} = {vb / r['value']:.2f} x the claim"
                              if np.isfinite(vb) and r["value"] else "not in this run")  # fmt: skip
        else:
            rel = r.get("relative_to")
            row["claim"] = f"x{r['ratio']:g} vs {rel or _name(a)}"
            if rel and rel != _name(a):
                row["verdict"] = (
                    f"the claim is relative to {rel}; compare against {rel} to check it"
                )
            elif np.isfinite(row["ratio_B_A"]):
                row["verdict"] = f"model x{row['ratio_B_A']:.2f} (claim x{r['ratio']:g})"
            else:
                row["verdict"] = "not in these runs"
        rows.append(row)
    return pd.DataFrame(
        rows, columns=["target", "claim", "model_A", "model_B", "ratio_B_A", "verdict", "source"]
    )


def _stored_targets(run) -> list[dict]:
    """Targets of a stored run, re-read from its scenario text."""
    text = run.record.get("scenario_text") or ""
    if not text:
        return []
    from serai.scenarios.model import scenario_from_text

    last = text.split("# file: ")[-1]
    body = last.split("\n", 1)[1] if "\n" in last else ""
    try:
        s = scenario_from_text(body, name=run.name, check=False)
    except Exception:  # the text's parents may no longer be in the library
        return []
    return list(s.rows("target"))


def flow_change_map(cmp: Comparison, path: str | os.PathLike, *, top: int = 400) -> Path:
    """PNG map of the change in tonnes per link (blue: more, red: less)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    links = cmp.tables["links"]
    d = links.loc[links["geometry"].astype(str) != ""].copy()
    d["tonnes_diff"] = pd.to_numeric(d["tonnes_diff"], errors="coerce").fillna(0.0)
    d = d.loc[d["tonnes_diff"].abs() > 0].head(top)
    fig, ax = plt.subplots(figsize=(11, 6))
    if len(d):
        segs = [_xy(g) for g in d["geometry"]]
        w = d["tonnes_diff"].abs().to_numpy()
        lw = 0.5 + 5.0 * w / w.max()
        colors = np.where(d["tonnes_diff"].to_numpy() > 0, "#1f77b4", "#d62728")
        ax.add_collection(LineCollection(segs, linewidths=lw, colors=colors, alpha=0.8))
        allxy = np.vstack(segs)
        ax.set_xlim(allxy[:, 0].min() - 2, allxy[:, 0].max() + 2)
        ax.set_ylim(allxy[:, 1].min() - 2, allxy[:, 1].max() + 2)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_title(f"Change in freight flows, {cmp.b} vs {cmp.a} (t/yr; blue more, red less)")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    from serai._fs import atomic_path

    with atomic_path(Path(path), overwrite=True) as tmp:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return Path(path)


def _xy(wkt: str) -> np.ndarray:
    body = wkt[wkt.index("(") + 1 : wkt.rindex(")")]
    return np.array([[float(v) for v in p.split()] for p in body.split(",")])


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return ""
    if isinstance(v, float | np.floating):
        return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
    return str(v)


def markdown(cmp: Comparison) -> str:
    """A short Markdown report: headline, indicators, routes, bottlenecks, targets."""
    lines = [f"# {cmp.b} compared with {cmp.a}", ""]

    def table(df: pd.DataFrame, cols: list[str], title: str, n: int = 40) -> None:
        if df is None or not len(df):
            return
        cols = [c for c in cols if c in df.columns]
        lines.extend([f"## {title}", "", "| " + " | ".join(cols) + " |",
                      "|" + "---|" * len(cols)])  # fmt: skip
        for _, r in df.head(n).iterrows():
            lines.append("| " + " | ".join(_fmt(r[c]) for c in cols) + " |")
        lines.append("")

    t = cmp.tables
    table(
        t["headline"],
        ["indicator", "unit", "value_A", "value_B", "value_diff", "value_pct"],
        "Headline",
    )
    table(
        t["indicators"],
        ["indicator", "direction", "unit", "value_A", "value_B", "value_diff", "value_pct"],
        "Corridor indicators",
        60,
    )
    table(t["routes"], ["question", "variant", "corridor_A", "corridor_B", "days_A", "days_B", "days_diff",
                        "usd_A", "usd_B", "co2e_kg_A", "co2e_kg_B"], "Flagship routes (per unit)")  # fmt: skip
    table(
        t["bottlenecks"],
        ["element", "name", "direction", "status", "utilisation_A", "utilisation_B"],
        "Bottlenecks",
    )
    table(t["targets"], ["target", "claim", "model_A", "model_B", "ratio_B_A", "verdict"], "Claims")
    return "\n".join(lines)


def write_comparison(cmp: Comparison, out: str | os.PathLike, *, overwrite: bool = False,
                     map_png: bool = True) -> Path:  # fmt: skip
    """Write the tables (CSV), ``compare.md`` and ``flow_change.png`` into folder ``out``."""
    import json

    from serai._fs import replace_folder

    out = Path(out)
    with replace_folder(out, overwrite=overwrite) as tmp:
        for name, df in cmp.tables.items():
            df.to_csv(Path(tmp) / f"{name}.csv", index=False)
        (Path(tmp) / "compare.md").write_text(markdown(cmp), encoding="utf-8")
        (Path(tmp) / "runs.json").write_text(
            json.dumps(cmp.meta, indent=2, default=str), encoding="utf-8"
        )
        links = cmp.tables.get("links")
        if map_png and links is not None and len(links) and "geometry" in links.columns:
            try:  # runs without flows (routes only) have no links to draw
                flow_change_map(cmp, Path(tmp) / "flow_change.png")
            except ImportError:
                pass
    return out
