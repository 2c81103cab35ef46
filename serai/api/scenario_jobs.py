"""Scenario job kinds of the HTTP API: run, compare and appraise scenarios in the background.

``POST /api/jobs/scenario-run``, ``/api/jobs/scenario-compare`` and
``/api/jobs/scenario-appraise`` (see :mod:`serai.api.jobs`). A scenario is a library name
(``"wb-2030"``) or the text of a TOML file (``extends`` then names library scenarios);
errors in it come back as the failed job's message, naming the line and the key. Runs are
recorded in the service's run store (``serai serve --runs``, else ``$SERAI_STORE``, else
``serai-runs.duckdb`` in the service's folder; read it back at ``/api/runs``) when ``store`` is true, and stored runs of the same scenario content, data
and code are reused.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from serai.api.jobs import JobContext, job_kind
from serai.api.runs import STORE_LOCK as _STORE_LOCK
from serai.api.runs import store_url

__all__ = ["AppraiseRequest", "CompareRequest", "ScenarioRunRequest"]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    method: Literal["equilibrium", "lp"] = Field("equilibrium", description="Flows method.")
    store: bool = Field(
        True, description="Record the runs in the run store (and reuse stored ones)."
    )


class ScenarioRunRequest(_Base):
    """One scenario: a library name or TOML text."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"scenario": "red-sea-closure"}]}
    )
    scenario: str = Field(
        min_length=1, max_length=200_000, description="Library name or TOML text."
    )
    flows: bool = Field(True, description="Run the corridor flows (else the flagship routes only).")


class CompareRequest(_Base):
    a: str = Field(
        min_length=1, max_length=200_000, description="Reference scenario (name or TOML)."
    )
    b: str = Field(
        min_length=1, max_length=200_000, description="Compared scenario: differences are b - a."
    )


class AppraiseRequest(_Base):
    base: str = Field(min_length=1, max_length=200_000)
    alt: str = Field(min_length=1, max_length=200_000)
    horizon_years: int | None = Field(None, ge=1, le=200)
    discount_rate: float | None = Field(None, gt=-0.5, lt=1.0)
    carbon_price_usd_per_t: float | None = Field(None, ge=0, le=10_000)
    demand_growth: float | None = Field(None, ge=-0.5, le=1.0)


def _scenario(text: str, name: str):
    from serai.scenarios import load_scenario, scenario_from_text

    if "\n" in text or "=" in text:
        return scenario_from_text(text, name=name)
    return load_scenario(text)


def _store(on: bool, ctx: JobContext):
    if not on:
        return None
    from serai.store import open_store

    return open_store(store_url(ctx.settings))


def _get(ref: str, name: str, req: _Base, ctx: JobContext, lo: float, hi: float):
    from serai.scenarios.run import run_or_reuse, run_scenario

    s = _scenario(ref, name)
    say = lambda f, m: ctx.progress(lo + (hi - lo) * f, f"{s.name}: {m}")  # noqa: E731
    if not req.store:
        return run_scenario(s, method=req.method, progress=say), None
    with _STORE_LOCK:
        st = _store(True, ctx)
        try:
            run, rid, _ = run_or_reuse(s, store=st, method=req.method, progress=say)
            if hasattr(run, "store"):  # read the stored tables before the store closes
                run._tables.update({n: run.tables[n] for n in run.table_names})
        finally:
            st.close()
    return run, rid


_TABLES = (
    "headline",
    "indicators",
    "routes",
    "emissions",
    "targets",
    "bottlenecks",
    "elements",
    "changes",
    "measures",
)


@job_kind(
    "scenario-run",
    ScenarioRunRequest,
    summary="Run a scenario (flows, indicators, emissions, flagship routes)",
    description="Result: `summary` (scenario, hash, year, timings) and tables "
    "(`headline`, `indicators`, `routes`, `emissions`, `targets`, `bottlenecks`, `elements`, "
    "`changes`, `measures`; CSV with `?format=csv&table=NAME`).",
)
def run_job(req: ScenarioRunRequest, ctx: JobContext) -> dict[str, Any]:
    from serai.scenarios.run import run_scenario

    s = _scenario(req.scenario, "scenario")
    res = run_scenario(s, method=req.method, flows=req.flows,
                       progress=lambda f, m: ctx.progress(0.95 * f, m))  # fmt: skip
    rid = None
    if req.store:
        with _STORE_LOCK:
            st = _store(True, ctx)
            try:
                rid = st.record(res)
            finally:
                st.close()
    return {
        "summary": {
            **{k: res.summary[k] for k in ("scenario", "hash", "year", "method", "timings_s")},
            "run_id": rid,
        },
        "tables": {k: res.tables[k] for k in _TABLES if k in res.tables},
    }


@job_kind(
    "scenario-compare",
    CompareRequest,
    summary="Compare two scenarios",
    description="Both scenarios run (or stored runs are reused); result tables side by side "
    "with differences: `headline`, `indicators`, `routes`, `emissions`, `elements`, "
    "`bottlenecks`, `targets`.",
)
def compare_job(req: CompareRequest, ctx: JobContext) -> dict[str, Any]:
    from serai.scenarios.compare import compare

    a, rid_a = _get(req.a, "a", req, ctx, 0.0, 0.45)
    b, rid_b = _get(req.b, "b", req, ctx, 0.45, 0.9)
    c = compare(a, b)
    keep = ("headline", "indicators", "routes", "emissions", "elements", "bottlenecks", "targets")
    return {"summary": {"a": c.a, "b": c.b, "run_a": rid_a, "run_b": rid_b},
            "tables": {k: c.tables[k] for k in keep}}  # fmt: skip


@job_kind(
    "scenario-appraise",
    AppraiseRequest,
    summary="Appraise a scenario against a base (NPV, BCR, IRR, sensitivity)",
    description="Rule of a half on generalised cost, CO2e at a carbon price, investment and "
    "O&M of the alternative's new measures (docs/appraisal.md). Result: `summary` and tables "
    "`cashflows`, `sensitivity`, `benefits_by_group`, `measures`.",
)
def appraise_job(req: AppraiseRequest, ctx: JobContext) -> dict[str, Any]:
    import dataclasses

    from serai.scenarios.appraise import appraise

    base, _ = _get(req.base, "base", req, ctx, 0.0, 0.45)
    alt, _ = _get(req.alt, "alt", req, ctx, 0.45, 0.9)
    ap = appraise(base, alt, horizon_years=req.horizon_years, discount_rate=req.discount_rate,
                  carbon_price_usd_per_t=req.carbon_price_usd_per_t, demand_growth=req.demand_growth)  # fmt: skip
    return {
        "summary": {**ap.summary, "settings": dataclasses.asdict(ap.settings)},
        "tables": ap.tables,
    }
