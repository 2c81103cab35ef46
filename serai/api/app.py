"""The FastAPI application: middlewares, one router per resource, the web app.

Run it with ``serai serve`` (uvicorn) or mount ``create_app()`` in any ASGI server.
The endpoints live with their resource: :mod:`serai.api.meta` (health, version,
commodities), :mod:`serai.api.places` (type-ahead), :mod:`serai.api.routes` (route,
alternatives, Pareto, emissions), :mod:`serai.api.network` (GeoJSON layers),
:mod:`serai.api.job_routes` (batch routing, flows, scenario and chain jobs),
:mod:`serai.api.runs` (scenario library and run store); HTTP plumbing in
:mod:`serai.api.responses`.
"""

from __future__ import annotations

import importlib
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response

from serai import __version__
from serai.api.jobs import Jobs
from serai.api.meta import API_VERSION
from serai.api.pool import RouterPool
from serai.api.problems import install
from serai.api.responses import (
    ERRORS,
    LRU,
    AcceptsGzip,
    BodyLimit,
    Front,
    RawAnswers,
    _clean,
    dumps,
    json_response,
)
from serai.api.routes import _route, route_json
from serai.api.settings import Settings

__all__ = ["JOB_MODULES", "create_app"]

STATIC = Path(__file__).parent / "static"
# modules that register job kinds (serai.api.jobs.job_kind) when imported
JOB_MODULES = [
    "serai.api.batch_job",
    "serai.api.chain_job",
    "serai.api.flows_job",
    "serai.api.scenario_jobs",
]

# endpoints whose answers RawAnswers keeps by the request's bytes (serai.api.routes)
RAW_PATHS = frozenset({"/api/route", "/api/alternatives", "/api/pareto"})
# names kept importable from here (they moved to serai.api.responses / serai.api.routes)
_REEXPORTS = (API_VERSION, ERRORS, _clean, _route, dumps, json_response, route_json)


class _App(FastAPI):
    """FastAPI with a front door: ``front`` (a :class:`~serai.api.responses.RawAnswers`)
    takes HTTP requests before the middleware stack (None: every request goes to it)."""

    front: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.front is not None and scope["type"] == "http":
            return await self.front(scope, receive, send)
        await super().__call__(scope, receive, send)

    async def stack(self, scope: Any, receive: Any, send: Any) -> None:
        """The app without its front door."""
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI app: API under ``/api``, the web app at ``/``, OpenAPI at ``/api/openapi.json``."""
    settings = settings or Settings()
    for mod in JOB_MODULES:
        importlib.import_module(mod)
    pool = RouterPool(settings.network)
    jobs = Jobs(pool, settings)
    cache = LRU(settings.response_cache)  # route answers by question
    raw = LRU(settings.response_cache)  # the same answers by the request's exact bytes

    workers = None
    if settings.route_processes > 0:
        from serai.api.workers import RouteProcesses

        workers = RouteProcesses(pool, settings, settings.route_processes)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> Any:
        if workers is not None:  # fork now: after `serai serve` loaded the routers
            workers.start()
        yield
        jobs.shutdown()
        if workers is not None:
            workers.shutdown()

    app = _App(
        lifespan=lifespan,
        title="serai",
        version=__version__,
        summary="Freight and critical-mineral routes across the Eurasian corridors.",
        description=(
            "Routes, alternatives, Pareto sets and emissions on serai's multimodal network, "
            "network layers as GeoJSON, and background jobs (batch routing; flows, scenarios "
            "and reliability as they land). Errors are RFC 9457 problem documents that name "
            "the field."
        ),
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings, app.state.pool, app.state.jobs = settings, pool, jobs
    app.state.route_workers = workers
    install(app)
    from serai.api.routes import routes_router

    routes = routes_router(settings, pool, cache, raw, workers)
    from starlette.middleware.gzip import GZipMiddleware

    def gzip_layer(inner: Any) -> Any:
        return GZipMiddleware(inner, minimum_size=2000)

    # a repeated request is answered by its bytes, a new POST /api/route question without
    # FastAPI's request machinery (same answers and errors): in front of the whole stack
    # (the gzip layer's Vary header added; Content-Length and Accept-Encoding noted there),
    # or with CORS origins innermost, after the CORS, gzip and size checks
    if settings.cors_origins:
        app.add_middleware(RawAnswers, answers=raw, paths=RAW_PATHS, fast=routes.fast_posts)
    else:
        front = Front(app, settings.max_body_bytes, gzip_layer)
        app.front = RawAnswers(app.stack, raw, RAW_PATHS, routes.fast_posts, front=front)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
        )
    app.add_middleware(GZipMiddleware, minimum_size=2000)
    app.add_middleware(AcceptsGzip)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)

    from serai.api.job_routes import jobs_router
    from serai.api.meta import meta_router
    from serai.api.network import network_router
    from serai.api.places import places_router
    from serai.api.runs import runs_router

    app.include_router(meta_router(settings, pool, jobs))
    app.include_router(places_router(settings, pool))
    app.include_router(routes)
    app.include_router(network_router(pool))
    app.include_router(jobs_router(settings, jobs))
    app.include_router(runs_router(settings, json_response, ERRORS))
    from serai.cli.route_server import add_cli_route

    add_cli_route(app, pool)  # `serai route` answered here (hidden; loopback clients only)

    # ------------------------------------------------------------------ web app
    @app.get("/", include_in_schema=False)
    def index() -> Any:
        page = STATIC / "index.html"
        if not page.is_file():
            return Response(
                "serai web app bundle missing: run `npm --prefix web install && npm --prefix web "
                "run build`; the API is at /api/docs",
                media_type="text/plain",
                status_code=503,
            )
        return FileResponse(page, headers={"Cache-Control": "no-cache"})

    if STATIC.is_dir():
        app.mount("/static", _static_files(STATIC), name="static")

    return app


def _static_files(directory: Path) -> Any:
    """The web app's files, gzip-compressed once per process (not on every request).

    GZipMiddleware compressed the 1.1 MB bundle at level 9 on every page load (about
    0.1 CPU s each); here each file is compressed once per (path, mtime, size) and kept,
    with ETag / Last-Modified from StaticFiles (a reload revalidates: ``no-cache``).
    """
    import gzip

    from starlette.datastructures import Headers
    from starlette.staticfiles import StaticFiles

    packed: dict[tuple[str, int, int], bytes] = {}
    lock = threading.Lock()

    class _Static(StaticFiles):
        def file_response(self, full_path, stat_result, scope, status_code=200):  # type: ignore[no-untyped-def]
            resp = super().file_response(full_path, stat_result, scope, status_code)
            resp.headers["Cache-Control"] = "no-cache"
            req = Headers(scope=scope)
            if (
                resp.status_code != 200
                or stat_result.st_size < 2000
                or "gzip" not in req.get("accept-encoding", "")
                or "range" in req
                or not str(resp.media_type or "").startswith(("text/", "application/"))
            ):
                return resp
            key = (str(full_path), stat_result.st_mtime_ns, stat_result.st_size)
            body = packed.get(key)
            if body is None:
                body = gzip.compress(Path(full_path).read_bytes(), compresslevel=9, mtime=0)
                with lock:
                    packed[key] = body
            headers = {
                k: resp.headers[k]
                for k in ("etag", "last-modified", "cache-control")
                if k in resp.headers
            }
            headers.update({"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
            return Response(body, media_type=resp.media_type, headers=headers)

    return _Static(directory=directory)
