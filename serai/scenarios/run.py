"""Running a scenario: the network and demand through the one loader, the corridor flows,
the flagship routes, emissions and indicators, as tables keyed by the network's ids.

>>> from serai.scenarios import run_scenario
>>> r = run_scenario("red-sea-closure", flows=False)  # doctest: +SKIP
>>> r.tables["routes"][["question", "variant", "corridor", "days"]]  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from serai.errors import InputError
from serai.network.geo import degree_gap
from serai.scenarios.model import Scenario, load_scenario

__all__ = ["ScenarioResult", "data_versions", "run_scenario", "write_scenario_result"]

#: Tables of a result, in the order they are written.
TABLES = (
    "headline",
    "indicators",
    "routes",
    "emissions",
    "targets",
    "elements",
    "bottlenecks",
    "links",
    "od",
    "paths",
    "convergence",
    "changes",
    "measures",
)


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """What a scenario run produced.

    Attributes
    ----------
    scenario
        The scenario run.
    tables
        ``headline`` (scenario-level figures: demand, assigned and unmet tonnes,
        tonne-km, CO2e, generalised cost), ``indicators`` (the flows' corridor
        indicators), ``routes`` (the flagship questions), ``emissions`` (by
        commodity group and mode), ``targets`` (claims checked), ``elements``,
        ``bottlenecks``, ``links`` (with ``co2e_t`` and ``geometry`` WKT), ``od``,
        ``paths``, ``convergence`` (the flows' tables), ``changes`` and ``measures``
        (the scenario's, with sources).
    summary
        Run facts: scenario name, hash, year, method, parameters, timings (s), data
        versions, serai version, machine.
    """

    scenario: Scenario
    tables: dict[str, pd.DataFrame]
    summary: dict = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def headline(self) -> dict[str, float]:
        h = self.tables["headline"]
        return dict(zip(h["indicator"], h["value"], strict=True))

    def write(self, out: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Write every table (CSV), ``summary.json`` and ``scenario.toml`` into folder ``out``."""
        return write_scenario_result(self, out, overwrite=overwrite)

    def __repr__(self) -> str:
        return (
            f"ScenarioResult({self.scenario.name!r}, year={self.scenario.year}, "
            f"tables={len(self.tables)}, {self.summary.get('timings_s', {}).get('total_s', '?')} s)"
        )


def data_versions() -> dict[str, str]:
    """Content hashes of the data a run reads (network, capacities, parameters, demand)."""
    import hashlib
    from importlib import resources

    out: dict[str, str] = {}

    def digest(files) -> str:
        h = hashlib.sha256()
        for f in sorted(files, key=lambda p: p.name):
            h.update(f.name.encode())
            h.update(f.read_bytes())
        return h.hexdigest()[:16]

    for key, pkg, pattern in (
        ("network", "serai.data", "eurasia/*"),
        ("flows_data", "serai.flows", "data/*.csv"),
        ("freight_data", "serai.freight", "data/*.csv"),
        ("demand_data", "serai.demand", "data/*.csv"),
        ("minerals_data", "serai.minerals", "data/*.csv"),
    ):
        try:
            root = Path(str(resources.files(pkg)))
        except ModuleNotFoundError:
            continue
        files = [p for p in root.glob(pattern) if p.is_file()]
        if files:
            out[key] = digest(files)
    return out


def _serai_version() -> str:
    try:
        from importlib.metadata import version

        return version("serai")
    except Exception:  # not installed as a distribution
        return "unknown"


def _questions(year: int):
    from serai.freight.report import FLAGSHIP

    return [dataclasses.replace(q, year=int(year)) for q in FLAGSHIP]


def _changes_table(s: Scenario) -> pd.DataFrame:
    rows = []
    for sec, items in s.changes.items():
        if sec in ("measure", "target"):
            continue
        for r in items:
            what = r.get("element") or r.get("id") or r.get("minerals") or r.get("group", "")
            if sec == "border":
                a, b = r["a"], r["b"]
                what = f"{'/'.join([a] if isinstance(a, str) else a)} – {'/'.join([b] if isinstance(b, str) else b)}"
            value = next(
                (f"{k}={r[k]}" for k in ("value", "factor", "add", "capacity_factor", "rate",
                                          "volume", "share", "status") if k in r), "",
            )  # fmt: skip
            rows.append(
                {"section": sec, "what": str(what), "change": value,
                 "unit": r.get("unit", ""), "measure": r.get("measure", ""),
                 "source": r.get("source", ""), "estimate": bool(r.get("estimate", False)),
                 "note": r.get("note", ""), "file": Path(r.get("_file", "")).name}
            )  # fmt: skip
    return pd.DataFrame(
        rows,
        columns=[
            "section",
            "what",
            "change",
            "unit",
            "measure",
            "source",
            "estimate",
            "note",
            "file",
        ],
    )


def _measures_table(s: Scenario) -> pd.DataFrame:
    cols = ["measure", "name", "capex_musd", "om_musd_per_year", "build_start", "build_end",
            "open_year", "life_years", "source", "estimate", "note"]  # fmt: skip
    rows = []
    for mid, m in s.measures.items():
        rows.append({"measure": mid, **{c: m.get(c) for c in cols[1:]}})
    t = pd.DataFrame(rows, columns=cols)
    for c in ("capex_musd", "om_musd_per_year"):
        t[c] = pd.to_numeric(t[c]).fillna(0.0)
    return t


def link_geometry(net, links: pd.DataFrame) -> pd.Series:
    """WKT LINESTRING of each row (``from_node`` -> ``to_node``; the link's shape when known)."""
    nodes = net.nodes.set_index("node_id")
    nodes = nodes[~nodes.index.duplicated()]
    fx = nodes["x"].reindex(links["from_node"]).to_numpy(float)
    fy = nodes["y"].reindex(links["from_node"]).to_numpy(float)
    tx = nodes["x"].reindex(links["to_node"]).to_numpy(float)
    ty = nodes["y"].reindex(links["to_node"]).to_numpy(float)
    out = np.empty(len(links), dtype=object)
    sid = None
    shapes = net.tables.get("shapes")
    if (
        shapes is not None
        and len(shapes)
        and "shape_id" in net.links.columns
        and "link_id" in links.columns
    ):
        ls = net.links.set_index("link_id")["shape_id"]
        ls = ls[~ls.index.duplicated()]
        sid = pd.to_numeric(ls.reindex(links["link_id"]), errors="coerce").to_numpy(float)
        order = np.argsort(
            shapes["shape_id"].to_numpy(np.int64), kind="stable"
        )  # vertices keep their order
        ids = shapes["shape_id"].to_numpy(np.int64)[order]
        xs, ys = shapes["x"].to_numpy(float)[order], shapes["y"].to_numpy(float)[order]
    for i in range(len(links)):
        pts = None
        if sid is not None and np.isfinite(sid[i]):
            lo, hi = np.searchsorted(ids, [int(sid[i]), int(sid[i]) + 1])
            if hi - lo >= 2:
                pts = np.column_stack([xs[lo:hi], ys[lo:hi]])
                # draw from the from_node end
                if degree_gap(pts[0], (fx[i], fy[i])) > degree_gap(pts[-1], (fx[i], fy[i])):
                    pts = pts[::-1]
        if pts is None:
            if not np.isfinite([fx[i], fy[i], tx[i], ty[i]]).all():
                out[i] = ""
                continue
            pts = np.array([[fx[i], fy[i]], [tx[i], ty[i]]])
        out[i] = "LINESTRING (" + ", ".join(f"{x:.5f} {y:.5f}" for x, y in pts) + ")"
    return pd.Series(out, index=links.index)


def _emission_basis(model):
    """kg CO2e (WTW) per vlink for one TEU and for one tonne (activity is per TEU-km or
    t-km, hubs per TEU or t), so every class is a sum of the two (2 computations, not K)."""
    from serai.emissions.factors import load_factors
    from serai.emissions.routes import vlink_emissions

    c = next((c for c in model.commodities if c.handling == "container"), None)
    if c is None:
        from serai.freight import commodity

        c = commodity("container_feu")
    try:
        per_teu = vlink_emissions(
            model.rg, dataclasses.replace(c, tonnes_per_unit=0.0, base_per_unit=0.5)
        )
        per_t = vlink_emissions(
            model.rg, dataclasses.replace(c, tonnes_per_unit=1.0, base_per_unit=0.0)
        )
    except InputError:
        return None
    return per_teu, per_t, float(load_factors().load_t_per_teu)


def _per_unit_emissions(basis, c) -> np.ndarray:
    per_teu, per_t, load = basis
    t = float(c.tonnes_per_unit)
    teu = 2.0 * float(c.base_per_unit) if c.handling == "container" else t / load
    return per_teu * teu + per_t * t


def _emissions(model, res) -> tuple[pd.DataFrame, np.ndarray]:
    """kg CO2e (WTW) per virtual link, and the table by group and mode."""
    vl = model.rg.vlinks
    xf = np.asarray(res.vlink_flows)
    mode = vl["mode"].astype(str).to_numpy()
    kind = vl["kind"].astype(str).to_numpy()
    km = vl["km"].to_numpy(float)
    total = np.zeros(len(vl))
    rows = []
    basis = _emission_basis(model)
    for k, (spec, c) in enumerate(zip(model.specs, model.commodities, strict=True)):
        e = None if basis is None else _per_unit_emissions(basis, c)
        flow = xf[k]
        tonnes = flow * spec.tonnes_per_unit
        ek = np.zeros(len(vl)) if e is None else flow * np.asarray(e, float)
        total += ek
        key = np.where(kind == "move", mode, "hub:" + kind)
        for m in np.unique(key[flow > 0]):
            sel = (key == m) & (flow > 0)
            rows.append(
                {"group": spec.name, "mode": m,
                 "tonne_km": float((tonnes[sel] * km[sel]).sum()) if not m.startswith("hub") else 0.0,
                 "co2e_t": float(ek[sel].sum()) / 1000.0 if e is not None else float("nan")}
            )  # fmt: skip
    t = pd.DataFrame(rows, columns=["group", "mode", "tonne_km", "co2e_t"])
    # a group split into cost classes (serai.flows.costclasses): one row per group and mode
    t = t.groupby(["group", "mode"], as_index=False, sort=False).sum(min_count=1)
    return t, total


def _targets(s: Scenario, indicators: pd.DataFrame, routes: pd.DataFrame, ref=None) -> pd.DataFrame:
    """Claims of the scenario with what the model says (ratio claims need a reference run)."""
    rows = []
    for r in s.rows("target"):
        label = r.get("label") or r.get("indicator") or r.get("route")
        model_v = _target_value(r, indicators, routes)
        row = {"target": label, "claim": "", "model": model_v, "reference": float("nan"),
               "model_ratio": float("nan"), "verdict": "", "source": r.get("source", ""),
               "note": r.get("note", "")}  # fmt: skip
        if "value" in r:
            row["claim"] = f"{r['value']:,.6g}"
            if np.isfinite(model_v):
                row["model_ratio"] = model_v / r["value"] if r["value"] else float("nan")
                row["verdict"] = f"model {model_v:,.4g} = {row['model_ratio']:.2f} x the claim"
            else:
                row["verdict"] = "not in this run"
        else:
            rel = r.get("relative_to")
            row["claim"] = f"x{r['ratio']:g} vs {rel or 'the base'}"
            if ref is not None and (rel is None or rel == ref.scenario.name):
                base_v = _target_value(r, ref.tables["indicators"], ref.tables["routes"])
                row["reference"] = base_v
                if np.isfinite(model_v) and np.isfinite(base_v) and base_v:
                    row["model_ratio"] = model_v / base_v
                    row["verdict"] = f"model x{row['model_ratio']:.2f} (claim x{r['ratio']:g})"
                else:
                    row["verdict"] = "not in this run"
            else:
                row["verdict"] = f"needs a run of {rel or 'the base'} (serai scenario compare)"
        rows.append(row)
    return pd.DataFrame(
        rows,
        columns=[
            "target",
            "claim",
            "model",
            "reference",
            "model_ratio",
            "verdict",
            "source",
            "note",
        ],
    )


def _target_value(r: dict, indicators: pd.DataFrame, routes: pd.DataFrame) -> float:
    if "indicator" in r:
        if indicators is None or not len(indicators):
            return float("nan")
        m = (indicators["indicator"] == r["indicator"]) & (
            indicators["direction"] == r.get("direction", "total")
        )
        return float(indicators.loc[m, "value"].sum()) if m.any() else float("nan")
    q, _, v = r["route"].partition(" / ")
    if routes is None or not len(routes) or r["metric"] not in routes.columns:
        return float("nan")
    m = (routes["question"] == q.strip()) & (routes["variant"] == v.strip())
    return float(routes.loc[m, r["metric"]].iloc[0]) if m.any() else float("nan")


def run_scenario(
    scenario: str | os.PathLike | Scenario,
    *,
    method: str = "equilibrium",
    flows: bool = True,
    routes: bool = True,
    questions: Sequence[Any] | None = None,
    progress: Callable[[float, str], None] | None = None,
    reference: ScenarioResult | None = None,
) -> ScenarioResult:
    """Run a scenario: flows (equilibrium or LP), flagship routes, emissions, indicators.

    Parameters
    ----------
    scenario
        A library name, a path, or a loaded :class:`Scenario`.
    method
        ``"equilibrium"`` (logit choice with congestion) or ``"lp"`` (hard capacities,
        duals), as :class:`serai.flows.FlowConfig`.
    flows, routes
        Run the flows / answer the flagship route questions.
    questions
        Route questions (default: :data:`serai.freight.report.FLAGSHIP`, asked in the
        scenario's year).
    progress
        Called with (fraction, message).
    reference
        A run of the scenario its ratio targets refer to.

    Returns
    -------
    ScenarioResult
    """
    from serai.data import load_network
    from serai.demand import load_demand
    from serai.scenarios.apply import scenario_capacities

    say = progress or (lambda f, m: None)
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    s = load_scenario(scenario)
    t = time.perf_counter()
    say(0.02, "loading the network and demand")
    net = load_network(s.year, scenario=s)
    demand = s.apply_demand(load_demand(s.year)) if flows else None
    timings["load_s"] = time.perf_counter() - t
    tables: dict[str, pd.DataFrame] = {}
    router = None
    res = model = None
    emis = pd.DataFrame(columns=["group", "mode", "tonne_km", "co2e_t"])
    if flows:
        from serai.flows.model import FlowConfig, build_model, solve
        from serai.flows.results import make_result

        t = time.perf_counter()
        say(0.1, "building the flow model")
        cfg = FlowConfig(year=s.year, method=method, capacities=scenario_capacities(net))
        model = build_model(net, demand, cfg)
        timings["flows_model_s"] = time.perf_counter() - t
        t = time.perf_counter()
        say(0.3, f"solving the flows ({method})")

        def it(row) -> None:
            say(
                0.3 + 0.4 * min(1.0, float(row.get("iteration", 0)) / max(cfg.max_iter, 1)),
                "flows: iterating",
            )

        raw = solve(model, progress=it if progress else None)
        res = make_result(model, raw, {"solve_s": time.perf_counter() - t})
        res.summary["demand_source"] = demand.source
        timings["flows_solve_s"] = time.perf_counter() - t
        t = time.perf_counter()
        router = model.router
        emis, e_vl = _emissions(model, res)
        tables.update(res.tables())
        tables["links"] = _links_with_emissions(model, res, e_vl, net)
        timings["emissions_s"] = time.perf_counter() - t
    if routes:
        from serai.freight.report import answer_flagship, summary_table

        t = time.perf_counter()
        say(0.8, "answering the flagship route questions")
        if router is None:
            from serai.freight.query import make_router

            router = make_router(net)
        qs = list(questions) if questions is not None else _questions(s.year)
        qs = [dataclasses.replace(q, year=s.year) for q in qs]
        tables["routes"] = summary_table(answer_flagship({s.year: router}, qs))
        timings["routes_s"] = time.perf_counter() - t
    tables["emissions"] = emis
    tables["headline"] = _headline(tables, emis, demand)
    tables["targets"] = _targets(s, tables.get("indicators"), tables.get("routes"), reference)
    tables["changes"] = _changes_table(s)
    tables["measures"] = _measures_table(s)
    timings["total_s"] = time.perf_counter() - t_all
    summary = {
        "scenario": s.name,
        "title": s.title,
        "hash": s.hash,
        "year": s.year,
        "chain": list(s.chain),
        "method": method if flows else None,
        "flows": bool(flows),
        "routes": bool(routes),
        "flows_summary": res.summary if res is not None else None,
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
        "data_versions": data_versions(),
        "serai_version": _serai_version(),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
    }
    ordered = {k: tables[k] for k in TABLES if k in tables}
    ordered.update({k: v for k, v in tables.items() if k not in ordered})
    say(1.0, "done")
    return ScenarioResult(s, ordered, summary)


def _links_with_emissions(model, res, e_vl: np.ndarray, net) -> pd.DataFrame:
    vl = model.rg.vlinks
    keys = ["link_id", "service_id", "from_node", "to_node"]
    e = pd.DataFrame({k: vl[k].to_numpy() for k in keys})
    e["co2e_t"] = e_vl / 1000.0
    e = e.groupby(keys, as_index=False, sort=False)["co2e_t"].sum()
    links = res.links.merge(e, on=keys, how="left")
    links["geometry"] = link_geometry(net, links)
    return links


def _headline(tables: dict, emis: pd.DataFrame, demand) -> pd.DataFrame:
    rows: list[tuple[str, str, float]] = []
    if demand is not None:
        rows.append(("demand_tonnes", "t", float(demand.totals()["tonnes"].sum())))
    od = tables.get("od")
    if od is not None and len(od):
        from serai.demand import groups

        tpu = od["group"].map(groups()["tonnes_per_unit"].astype(float)).to_numpy(float)
        rows.append(("assigned_tonnes", "t", float((od["assigned"] * tpu).sum())))
        rows.append(("unmet_tonnes", "t", float((od["unmet"] * tpu).sum())))
        c = od["cost_usd"].to_numpy(float)
        ok = np.isfinite(c)
        rows.append(
            ("generalised_cost_usd", "USD/yr", float((od["assigned"].to_numpy()[ok] * c[ok]).sum()))
        )
    if len(emis):
        rows.append(("tonne_km", "t km", float(emis["tonne_km"].sum())))
        rows.append(("co2e_t", "t CO2e (WTW)", float(emis["co2e_t"].sum())))
        for m, g in emis.groupby("mode"):
            if not str(m).startswith("hub"):
                rows.append((f"tonne_km_{m}", "t km", float(g["tonne_km"].sum())))
    return pd.DataFrame(rows, columns=["indicator", "unit", "value"])


#: Files a result folder holds (patterns), for the check made before a run starts.
RESULT_FILES = (*(f"{t}.csv" for t in TABLES), "summary.json", "scenario.toml")


def check_out(out: str | os.PathLike | None, files: Sequence[str], overwrite: bool) -> None:
    """Fail at once (before a long run) when writing ``files`` (names or patterns) into
    folder ``out`` would replace a file there, without ``overwrite``: even one serai wrote
    by an earlier run. The same rule as :func:`serai._fs.replace_folder`, which checks again
    when writing (a check here that let a file through would let the run fail there, after
    minutes of work and without recording it)."""
    import fnmatch

    from serai._fs import MANIFEST

    if out is None:
        return
    p = Path(out)
    if p.exists() and not p.is_dir():
        raise InputError("exists and is not a folder", file=str(p))
    if overwrite or not p.is_dir():
        return
    clash = sorted(
        f.name
        for f in p.iterdir()
        if f.name != MANIFEST and any(fnmatch.fnmatch(f.name, pat) for pat in files)
    )
    if clash:
        raise InputError(
            f"already holds {', '.join(clash[:5])}{' ...' if len(clash) > 5 else ''}; "
            "pass --overwrite (overwrite=True) to replace them",
            file=str(p),
        )


def write_scenario_result(
    result: ScenarioResult, out: str | os.PathLike, *, overwrite: bool = False
) -> Path:
    """Write a result folder: one CSV per table, ``summary.json``, ``scenario.toml`` (the
    texts of the scenario's files). The folder is built beside ``out`` and swapped in;
    files in ``out`` that serai did not write are kept."""
    import json

    from serai._fs import replace_folder

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder", file=str(out))
    with replace_folder(out, overwrite=overwrite) as tmp:
        for name, df in result.tables.items():
            df.to_csv(Path(tmp) / f"{name}.csv", index=False)
        (Path(tmp) / "summary.json").write_text(
            json.dumps(result.summary, indent=2, default=str), encoding="utf-8"
        )
        (Path(tmp) / "scenario.toml").write_text(result.scenario.text, encoding="utf-8")
    return out


def run_or_reuse(
    scenario: str | os.PathLike | Scenario,
    *,
    store=None,
    method: str = "equilibrium",
    reuse: bool = True,
    progress: Callable[[float, str], None] | None = None,
):
    """A full run of ``scenario`` (flows and routes): the stored one when the store has a run
    of the same scenario content, method, data versions and serai version; else a new
    run, recorded in the store. Returns ``(run, run_id, reused)``.
    """
    import json

    s = load_scenario(scenario)
    if store is not None and reuse:
        cand = store.query(
            "SELECT run_id, parameters, data_versions, serai_version FROM serai_runs "
            "WHERE scenario_hash = ? AND status = 'ok' AND method = ? "
            "ORDER BY started_at DESC, run_id DESC",
            (s.hash, method),
        )
        want_dv, want_v = data_versions(), _serai_version()
        for r in cand.itertuples(index=False):
            p = r.parameters if isinstance(r.parameters, dict) else json.loads(r.parameters or "{}")
            dv = (
                r.data_versions
                if isinstance(r.data_versions, dict)
                else json.loads(r.data_versions or "{}")
            )
            if p.get("flows") and p.get("routes") and dv == want_dv and r.serai_version == want_v:
                run = store.get(r.run_id)
                run.scenario = s  # the loaded scenario (its targets, measures, appraisal)
                return run, r.run_id, True
    res = run_scenario(s, method=method, progress=progress)
    rid = store.record(res) if store is not None else None
    return res, rid, False
