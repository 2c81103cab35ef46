"""Scenario library and run store endpoints (``/api/scenarios``, ``/api/runs``).

Thin reads of :mod:`serai.scenarios` (the shipped library) and :mod:`serai.store` (every
scenario run with its inputs and result tables; the store the scenario jobs write to:
``Settings.runs_store``, else ``$SERAI_STORE``, else ``serai-runs.duckdb`` in the
service's folder). Reading a store that does not exist yet lists no runs (and creates
nothing).
"""

from __future__ import annotations

import json
import os
import threading
from contextlib import contextmanager
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import Response

from serai.api import models as m
from serai.api.problems import Problem

__all__ = ["STORE_LOCK", "open_runs_store", "runs_router"]

STORE_LOCK = threading.Lock()  # one user of the embedded (DuckDB) store at a time
_RUN = PathParam(
    min_length=1,
    max_length=120,
    pattern=r"^[A-Za-z0-9_.:\-]+$",
    description="Run id (or a unique prefix), or a scenario name (its latest ok run).",
)
_TABLE = PathParam(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")


def store_url(settings: Any) -> str:
    from serai.store import default_store_url

    return str(settings.runs_store) if settings.runs_store else default_store_url()


@contextmanager
def open_runs_store(settings: Any, *, create: bool = True) -> Any:
    """The run store under :data:`STORE_LOCK` (None when it does not exist and not ``create``)."""
    url = store_url(settings)
    with STORE_LOCK:
        if not create and "://" not in url and not os.path.exists(url):
            yield None
            return
        from serai.store import open_store

        st = open_store(url)
        try:
            yield st
        finally:
            st.close()


def _records(df: Any) -> list[dict[str, Any]]:
    df = df.astype(object).where(df.notna(), None)
    return df.to_dict(orient="records")


def _library() -> list[dict[str, Any]]:
    """The library's scenarios (read once per set of files and their times)."""
    from serai.scenarios.model import library_names, library_path

    root = library_path()
    key = tuple((n, (root / f"{n}.toml").stat().st_mtime_ns) for n in library_names())
    return _library_of(key)


@lru_cache(maxsize=4)
def _library_of(key: tuple) -> list[dict[str, Any]]:
    from serai.scenarios.model import load_scenario

    out = []
    for name, _ in key:
        try:
            s = load_scenario(name, check=False)
        except Exception:  # a broken library file: listed without details
            out.append({"name": name, "year": None, "title": "", "description": ""})
            continue
        out.append({"name": name, "year": s.year, "title": s.title, "description": s.description})
    return out


def runs_router(settings: Any, json_response: Any, errors: dict) -> APIRouter:
    r = APIRouter(tags=["scenarios and runs"])

    @r.get("/api/scenarios", response_model=list[m.ScenarioInfo])
    def scenarios() -> Any:
        """Scenarios of the shipped library (name, year, title, description): use their
        names in the scenario jobs (``/api/jobs/scenario-run``, ``-compare``, ``-appraise``)."""
        return json_response(_library())

    @r.get("/api/runs", response_model=list[dict[str, Any]], responses=errors)
    def runs(
        scenario: Annotated[str | None, Query(max_length=120)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> Any:
        """Runs in the run store, newest first (id, scenario, year, method, status, timing)."""
        with open_runs_store(settings, create=False) as st:
            if st is None:
                return json_response([])
            df = st.runs(scenario=scenario, limit=limit)
        for c in ("started_at",):
            if c in df.columns:
                df[c] = df[c].astype(str)
        return json_response(_records(df))

    @r.get("/api/runs/{run}", responses={404: errors[422], **errors})
    def run(run: Annotated[str, _RUN]) -> Any:
        """A run's record (inputs, versions, parameters, timings, summary) and its tables."""
        with open_runs_store(settings, create=False) as st:
            if st is None:
                raise Problem(404, "not-found", "the run store is empty", field="run")
            got = st.get(run)
            rec = {k: v for k, v in got.record.items() if k != "scenario_text"}
            tables = got.table_names
        for k in ("data_versions", "parameters", "timings", "summary"):
            v = rec.get(k)
            if isinstance(v, str):
                try:
                    rec[k] = json.loads(v)
                except ValueError:
                    pass
        rec = {k: (str(v) if k.endswith("_at") and v is not None else v) for k, v in rec.items()}
        return json_response({"run": rec, "tables": tables})

    @r.get(
        "/api/runs/{run}/tables/{table}",
        responses={
            200: {"content": {"application/json": {}, "text/csv": {}}},
            404: errors[422],
            **errors,
        },
    )
    def run_table(
        run: Annotated[str, _RUN],
        table: Annotated[str, _TABLE],
        format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
    ) -> Any:
        """One result table of a run (JSON records, or CSV)."""
        with open_runs_store(settings, create=False) as st:
            if st is None:
                raise Problem(404, "not-found", "the run store is empty", field="run")
            got = st.get(run)
            if table not in got.table_names:
                from serai.errors import unknown

                raise unknown("table", table, got.table_names, field="table")
            df = got.tables[table]
        if format == "csv":
            return Response(
                df.to_csv(index=False),
                media_type="text/csv",
                headers={"Content-Disposition": f'attachment; filename="{got.run_id}-{table}.csv"'},
            )
        return json_response(_records(df))

    return r
