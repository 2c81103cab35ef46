"""Background-job endpoints: ``POST /api/jobs/{kind}`` for every registered job kind
(batch routing, flows, scenarios, chains: :func:`serai.api.jobs.job_kind`), the job list,
a job's state and its result (JSON, a table as CSV, or its map as GeoJSON)."""

from __future__ import annotations

import inspect
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi import Path as PathParam
from fastapi.responses import Response

from serai.api import models as m
from serai.api.jobs import JOB_KINDS, JobKind
from serai.api.problems import Problem
from serai.api.responses import ERRORS, PROBLEM, json_response

__all__ = ["jobs_router"]

_JOB_ID = PathParam(pattern="^[0-9a-f]{16}$", description="Job id (16 hex digits).")


def jobs_router(settings: Any, jobs: Any) -> APIRouter:
    r = APIRouter(tags=["jobs"])

    def add_job_kind(kind: JobKind) -> None:
        def submit(req: Any) -> Any:
            if getattr(req, "year", None) is not None:  # refused now, not as a failed job
                jobs.pool.check_year(req.year)
            job = jobs.submit(kind, req)
            return json_response(
                job.public(), status=202, headers={"Location": f"/api/jobs/{job.id}"}
            )

        submit.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [
                inspect.Parameter(
                    "req",
                    inspect.Parameter.POSITIONAL_OR_KEYWORD,
                    annotation=Annotated[kind.model, Body()],
                )
            ]
        )
        submit.__name__ = f"submit_{kind.name}"
        r.add_api_route(
            f"/api/jobs/{kind.name}",
            submit,
            methods=["POST"],
            status_code=202,
            response_model=m.JobState,
            summary=kind.summary,
            description=kind.description,
            responses={**ERRORS, 503: PROBLEM},
        )

    for kind in JOB_KINDS.values():
        if settings.job_kinds is None or kind.name in settings.job_kinds:
            add_job_kind(kind)

    @r.get("/api/jobs", response_model=list[m.JobState])
    def job_list() -> Any:
        """Jobs kept in memory, oldest first."""
        return json_response([j.public() for j in jobs.list()])

    @r.get("/api/jobs/{job_id}", response_model=m.JobState, responses={404: PROBLEM, **ERRORS})
    def job_state(job_id: Annotated[str, _JOB_ID]) -> Any:
        """State and progress (0..1) of a job."""
        return json_response(jobs.get(job_id).public())

    @r.get(
        "/api/jobs/{job_id}/result",
        responses={
            200: {"content": {"application/json": {}, "text/csv": {}, "application/geo+json": {}}},
            404: PROBLEM,
            409: PROBLEM,
            **ERRORS,
        },
    )
    def job_result(
        job_id: Annotated[str, _JOB_ID],
        format: Annotated[str, Query(pattern="^(json|csv|geojson)$")] = "json",
        table: Annotated[str, Query(max_length=40)] = "",
    ) -> Any:
        """Result of a finished job: JSON, one of its tables as CSV, or its map as GeoJSON
        (jobs that draw one: flows)."""
        from serai.api.jobs import _jsonable

        job = jobs.get(job_id)
        if job.state != "done":
            raise Problem(
                409, "not-ready", f"job {job_id} is {job.state}", field="job_id", state=job.state
            )
        res = job.result
        if format == "geojson":
            fc = res.get("geojson") if isinstance(res, dict) else None
            if fc is None:
                raise Problem(422, "invalid-input", f"job {job_id} has no map", field="format")
            return json_response(fc, media_type="application/geo+json")
        if format == "csv":
            tables = res.get("tables", {}) if isinstance(res, dict) else {}
            name = table or next(iter(tables), "")
            if name not in tables:
                raise Problem(
                    422,
                    "invalid-input",
                    f"no table '{name}'; tables: {', '.join(tables) or 'none'}",
                    field="table",
                )
            return Response(
                tables[name].to_csv(index=False),
                media_type="text/csv",
                headers={"Content-Disposition": f'attachment; filename="{job_id}-{name}.csv"'},
            )
        if isinstance(res, dict) and "geojson" in res:
            res = {k: v for k, v in res.items() if k != "geojson"}
            res["geojson_url"] = f"/api/jobs/{job_id}/result?format=geojson"
        return json_response(_jsonable(res))

    return r
