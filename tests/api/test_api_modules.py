"""serai/api/app.py was split into one router per resource: names importable from the old
module are the very objects of their new homes, and the app serves the same OpenAPI paths."""

from __future__ import annotations

import importlib

import pytest

pytest.importorskip("fastapi", reason="the service extra (fastapi) is not installed")

MOVED = [
    ("route_json", "serai.api.routes"),
    ("_route", "serai.api.routes"),
    ("dumps", "serai.api.responses"),
    ("json_response", "serai.api.responses"),
    ("_clean", "serai.api.responses"),
    ("ERRORS", "serai.api.responses"),
    ("API_VERSION", "serai.api.meta"),
]


@pytest.mark.parametrize(("name", "new"), MOVED, ids=[n for n, _ in MOVED])
def test_old_path_reaches_the_new_home(name, new):
    old = importlib.import_module("serai.api.app")
    assert getattr(old, name) is getattr(importlib.import_module(new), name)


def test_each_resource_in_its_router(toy_app):
    """Every API path is served, each from the module of its resource."""
    where: dict[str, set[str]] = {}

    def walk(routes):
        for r in routes:
            inner = getattr(r, "original_router", None)  # FastAPI >= 0.16x nests routers
            if inner is not None:
                walk(inner.routes)
                continue
            path = getattr(r, "path", "")
            if path.startswith("/api/") and getattr(r, "endpoint", None) is not None:
                where.setdefault(path, set()).add(r.endpoint.__module__)

    walk(toy_app.routes)
    expect = {
        "/api/health": "serai.api.meta",
        "/api/version": "serai.api.meta",
        "/api/commodities": "serai.api.meta",
        "/api/places": "serai.api.places",
        "/api/route": "serai.api.routes",
        "/api/alternatives": "serai.api.routes",
        "/api/pareto": "serai.api.routes",
        "/api/emissions": "serai.api.routes",
        "/api/network/{layer}.geojson": "serai.api.network",
        "/api/jobs": "serai.api.job_routes",
        "/api/jobs/batch": "serai.api.job_routes",
        "/api/jobs/flows": "serai.api.job_routes",
        "/api/jobs/{job_id}": "serai.api.job_routes",
        "/api/jobs/{job_id}/result": "serai.api.job_routes",
        "/api/scenarios": "serai.api.runs",
        "/api/runs": "serai.api.runs",
        "/api/runs/{run}": "serai.api.runs",
    }
    for path, mod in expect.items():
        assert where.get(path) == {mod}, path
