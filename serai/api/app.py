"""The FastAPI application: endpoints are thin calls into serai.freight and friends.

Run it with ``serai serve`` (uvicorn) or mount ``create_app()`` in any ASGI server.
"""

import importlib
import inspect
import json
import math
import threading
import time
from collections import OrderedDict
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any

from fastapi import Body, FastAPI, Query
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from serai import __version__
from serai.api import models as m
from serai.api.jobs import JOB_KINDS, JobKind, Jobs
from serai.api.pool import RouterPool
from serai.api.problems import Problem, install, problem_response
from serai.api.settings import Settings

__all__ = ["JOB_MODULES", "create_app"]

API_VERSION = "1"
STATIC = Path(__file__).parent / "static"
# modules that register job kinds (serai.api.jobs.job_kind) when imported
JOB_MODULES = [
    "serai.api.batch_job",
    "serai.api.chain_job",
    "serai.api.flows_job",
    "serai.api.scenario_jobs",
]

_PROBLEM = {"model": m.Problem, "content": {"application/problem+json": {}}}
ERRORS = {400: _PROBLEM, 413: _PROBLEM, 422: _PROBLEM}


def _clean(v: Any) -> Any:
    """JSON-ready: NaN/inf as null, numpy scalars as Python numbers."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            return _clean(v.item())
        except (TypeError, ValueError):
            return str(v)
    return v


def json_response(
    data: Any,
    status: int = 200,
    headers: dict[str, str] | None = None,
    media_type: str = "application/json",
) -> Response:
    body = json.dumps(_clean(data), ensure_ascii=False, separators=(",", ":"))
    return Response(body, status_code=status, media_type=media_type, headers=headers)


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with a 413 problem (pure ASGI)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        too_large = problem_response(
            413,
            "too-large",
            f"the request body is over {self.limit:,} bytes",
            instance=scope.get("path"),
        )
        if declared is not None:
            try:
                if int(declared) > self.limit:
                    return await too_large(scope, receive, send)
            except ValueError:
                pass
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise Problem(
                        413, "too-large", f"the request body is over {self.limit:,} bytes"
                    )
            return msg

        await self.app(scope, limited, send)


def route_json(route: Any, network: Any, geometry: bool, reliability: Any = None) -> dict[str, Any]:
    """A route as JSON: totals, corridor, countries, legs, reliability (when computed) and
    (optionally) GeoJSON on link shapes."""
    from serai.freight.shapes import leg_records, route_features

    out = {
        "from": route.origin_name,
        "to": route.destination_name,
        "origin_id": str(route.origin),
        "destination_id": str(route.destination),
        "commodity": route.commodity,
        "unit": route.unit,
        "objective": route.objective,
        "corridor": route.corridor,
        **{k: _num(v) for k, v in route.totals.items()},
        "countries": [str(c) for c in route.countries],
        "passages": [str(c) for c in route.passages],
        "services": [str(c) for c in route.services],
        "legs": leg_records(route),
    }
    if reliability is not None:
        out["reliability"] = reliability.to_dict()
    if geometry:
        out["geojson"] = {"type": "FeatureCollection", "features": route_features(route, network)}
    return out


def _num(v: Any) -> float | None:
    v = float(v)
    return round(v, 4) if math.isfinite(v) else None


try:  # 5-10x faster than json for the large bodies of routes with geometry
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson comes with the service extra
    _orjson = None


def dumps(data: Any) -> bytes:
    """JSON bytes; data made of plain Python values is written as is (fast), anything else
    (numpy scalars, NaN) goes through :func:`_clean` first."""
    if _orjson is not None:
        try:
            return _orjson.dumps(data, option=_orjson.OPT_NON_STR_KEYS)
        except TypeError:  # numpy values, integers past 64 bits: cleaned below
            return _orjson.dumps(_clean(data), option=_orjson.OPT_NON_STR_KEYS)
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    except (TypeError, ValueError):
        return json.dumps(_clean(data), ensure_ascii=False, separators=(",", ":")).encode()


_GZIP_OK: ContextVar[bool] = ContextVar("serai_gzip_ok", default=False)


class AcceptsGzip:
    """Note whether the client takes gzip (pure ASGI), for answers compressed once and cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        ok = any(
            k == b"accept-encoding" and b"gzip" in v.lower() for k, v in scope.get("headers") or []
        )
        token = _GZIP_OK.set(ok)
        try:
            await self.app(scope, receive, send)
        finally:
            _GZIP_OK.reset(token)


def _packed(data: bytes) -> tuple[bytes, bytes | None]:
    """A JSON answer with its gzip form (level 6, made once in the worker thread and cached:
    GZipMiddleware compressed every answer at level 9 on the event loop, cache hits too)."""
    if len(data) < 2000:
        return data, None
    import gzip

    return data, gzip.compress(data, compresslevel=6, mtime=0)


def _body_response(entry: tuple[bytes, bytes | None], state: str) -> Response:
    data, gz = entry
    if gz is not None and _GZIP_OK.get():
        headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding", "X-Cache": state}
        return Response(gz, media_type="application/json", headers=headers)
    return Response(data, media_type="application/json", headers={"X-Cache": state})


class _LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self._d: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            v = self._d.get(key)
            if v is not None:
                self._d.move_to_end(key)
            return v

    def put(self, key: str, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._d[key] = value
            while len(self._d) > self.size:
                self._d.popitem(last=False)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI app: API under ``/api``, the web app at ``/``, OpenAPI at ``/api/openapi.json``."""
    settings = settings or Settings()
    for mod in JOB_MODULES:
        importlib.import_module(mod)
    pool = RouterPool(settings.network)
    jobs = Jobs(pool, settings)
    cache = _LRU(settings.response_cache)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> Any:
        yield
        jobs.shutdown()

    app = FastAPI(
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
    install(app)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
        )
    from starlette.middleware.gzip import GZipMiddleware

    app.add_middleware(GZipMiddleware, minimum_size=2000)
    app.add_middleware(AcceptsGzip)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)

    def year_of(y: int | None) -> int | None:
        return settings.default_year if y is None else y

    # ------------------------------------------------------------------ meta
    @app.get("/api/health", response_model=m.Health, tags=["meta"])
    def health() -> Any:
        """Liveness: the process answers; which network years are loaded."""
        return json_response(
            {
                "status": "ok",
                "routers_loaded": [str(y) for y in pool.loaded()],
                "jobs_active": jobs.active(),
            }
        )

    @app.get("/api/version", response_model=m.Version, tags=["meta"])
    def version() -> Any:
        """serai's version, the API version and the network's content hash."""
        from serai.freight.cache import source_hash

        return json_response(
            {"serai": __version__, "api": API_VERSION, "network": source_hash(settings.network)}
        )

    @app.get("/api/commodities", response_model=list[m.Commodity], tags=["meta"])
    def commodities() -> Any:
        """Commodities the router knows (key, unit, value, dangerous-goods class, sources)."""
        from serai.freight import commodity_table

        t = commodity_table().reset_index()
        t = t.astype(object).where(t.notna(), None)
        return json_response(t.to_dict(orient="records"))

    # ------------------------------------------------------------------ places
    @app.get("/api/places", response_model=m.Places, tags=["places"], responses=ERRORS)
    def places(
        q: Annotated[str, Query(min_length=1, max_length=100, description="Start of a name.")],
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
        year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    ) -> Any:
        """Type-ahead: places whose name or alias (any script) starts with ``q``.

        From the gazetteer (cities, ports, facts points; routes reach places off the
        network by a first/last-mile road leg), else from the network's own places.
        """
        from serai.api.search import gazetteer_search

        n = min(limit, settings.max_places)
        hits = gazetteer_search(q, n)
        if hits is None:  # no gazetteer in this build: the router's own places
            from serai.api.search import PlaceSearch

            router, _ = pool.get(year_of(year))
            hits = PlaceSearch.of(router).search(q, n)
        return json_response({"query": q, "places": hits})

    # ------------------------------------------------------------------ routes
    def _constraints(router: Any, q: m.RouteQuery) -> Any:
        from serai.freight.checks import check_codes
        from serai.freight.route import Constraints

        if len(q.via) > settings.max_via:
            raise Problem(
                422, "invalid-input", f"at most {settings.max_via} via points", field="via"
            )
        check_codes(
            router,
            avoid_countries=q.avoid_countries,
            avoid_passages=q.avoid_passages,
            modes=q.modes,
        )
        for fld in ("origin", "destination"):
            _resolve(router, getattr(q, fld), fld)
        for i, v in enumerate(q.via):
            _resolve(router, v, f"via.{i}")
        return Constraints.make(
            avoid_countries=q.avoid_countries,
            avoid_passages=q.avoid_passages,
            modes=q.modes,
            via=q.via,
        )

    async def _answer(kind: str, q: m.RouteQuery, run: Any) -> Response:
        """The cached answer on the event loop; a search in the worker threads otherwise."""
        key = f"{kind}|{q.model_dump_json()}"
        hit = cache.get(key)
        if hit is not None:
            return _body_response(hit, "hit")
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(_compute, key, q, run)

    def _compute(key: str, q: m.RouteQuery, run: Any) -> Response:
        t0 = time.perf_counter()

        def work(router: Any) -> list[dict[str, Any]]:
            cons = _constraints(router, q)
            return [
                route_json(r, router.rg.network, q.geometry, rel)
                for r, rel in _reliable(q, run(router, cons))
            ]

        routes = pool.call(year_of(q.year), work)
        body = {
            "query": q.model_dump(),
            "routes": routes,
            "took_ms": round(1000 * (time.perf_counter() - t0), 2),
        }
        entry = _packed(dumps(body))
        cache.put(key, entry)
        return _body_response(entry, "miss")

    @app.post("/api/route", response_model=m.RouteResponse, tags=["routes"], responses=ERRORS)
    async def route(q: Annotated[m.RouteQuery, Body()]) -> Any:
        """Best route under the constraints: legs, hub events, totals and path on link shapes."""

        def run(router: Any, cons: Any) -> list[Any]:
            if _rel_objective(q):
                return _by_reliability(router, q, cons, 1)
            return [_route(router, q, cons)]

        return await _answer("route", q, run)

    @app.get("/api/route", response_model=m.RouteResponse, tags=["routes"], responses=ERRORS)
    async def route_get(
        origin: Annotated[str, Query(alias="from", min_length=1, max_length=120)],
        destination: Annotated[str, Query(alias="to", min_length=1, max_length=120)],
        commodity: Annotated[str, Query(min_length=1, max_length=40)] = "container",
        year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
        objective: Annotated[
            str, Query(pattern=m.OBJECTIVE_PATTERN, description=m.OBJECTIVE_HELP)
        ] = "generalised",
        avoid_countries: Annotated[list[str], Query(max_length=60)] = [],  # noqa: B006
        avoid_passages: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006
        via: Annotated[list[str], Query(max_length=6)] = [],  # noqa: B006
        geometry: bool = True,
        reliability: bool = False,
        month: Annotated[int | None, Query(ge=1, le=12)] = None,
        deadline_days: Annotated[float | None, Query(gt=0, le=365)] = None,
    ) -> Any:
        """The same as ``POST /api/route`` with query parameters (for links and curl)."""
        q = m.RouteQuery(
            origin=origin,
            destination=destination,
            commodity=commodity,
            year=year,
            objective=objective,
            avoid_countries=_split(avoid_countries),
            avoid_passages=_split(avoid_passages),
            via=via,
            geometry=geometry,
            reliability=reliability,
            month=month,
            deadline_days=deadline_days,
        )
        return await route(q)

    @app.post(
        "/api/alternatives", response_model=m.RouteResponse, tags=["routes"], responses=ERRORS
    )
    async def alternatives(q: Annotated[m.AlternativesQuery, Body()]) -> Any:
        """Up to ``k`` routes in distinct corridors (penalty method with an overlap limit)."""
        if q.k > settings.max_alternatives:
            raise Problem(
                422, "invalid-input", f"at most {settings.max_alternatives} alternatives", field="k"
            )

        def run(router: Any, cons: Any) -> list[Any]:
            if _rel_objective(q):
                return _by_reliability(router, q, cons, q.k)
            return router.alternatives(
                q.origin,
                q.destination,
                q.commodity,
                k=q.k,
                objective=q.objective,
                distinct_corridors=q.distinct_corridors,
                constraints=cons,
                carbon_price_usd_per_t=q.carbon_price,
            )

        return await _answer("alternatives", q, run)

    @app.post("/api/pareto", response_model=m.RouteResponse, tags=["routes"], responses=ERRORS)
    async def pareto(q: Annotated[m.ParetoQuery, Body()]) -> Any:
        """Pareto-optimal routes for (time, money), fastest first."""
        if q.max_routes > settings.max_pareto_routes:
            raise Problem(
                422,
                "invalid-input",
                f"at most {settings.max_pareto_routes} routes",
                field="max_routes",
            )
        if _rel_objective(q):
            raise Problem(
                422,
                "invalid-input",
                "the Pareto set is of (time, money); a reliability objective ranks single "
                "routes (use /api/route or /api/alternatives)",
                field="objective",
            )

        def run(router: Any, cons: Any) -> list[Any]:
            return router.pareto(
                q.origin, q.destination, q.commodity, constraints=cons, max_routes=q.max_routes
            )

        return await _answer("pareto", q, run)

    @app.post(
        "/api/emissions", response_model=m.EmissionsResponse, tags=["routes"], responses=ERRORS
    )
    def emissions(q: Annotated[m.RouteQuery, Body()]) -> Any:
        """ISO 14083 footprint of the best route: WTW, WTT, TTW per transport chain element."""

        def work(router: Any) -> dict[str, Any]:
            cons = _constraints(router, q)
            if _rel_objective(q):
                r = _by_reliability(router, q, cons, 1)[0][0]
            else:
                r = _route(router, q, cons)
            if r.routing_graph is None:
                raise Problem(
                    422,
                    "invalid-input",
                    "the emission factor tables cannot serve this network",
                    field="commodity",
                )
            return {
                "query": q.model_dump(),
                "corridor": r.corridor,
                "unit": r.unit,
                "emissions": r.emissions_dict(),
            }

        return json_response(pool.call(year_of(q.year), work))

    # ------------------------------------------------------------------ network layers
    from serai.api import layers

    @app.get(
        "/api/network/{layer}.geojson",
        tags=["network"],
        responses={200: {"content": {"application/geo+json": {}}}, 404: _PROBLEM, **ERRORS},
    )
    def network_layer(
        layer: Annotated[str, layers.LAYER_PATH],
        modes: Annotated[str, Query(max_length=60, description="Comma-separated modes.")] = "",
    ) -> Any:
        """Network elements as GeoJSON: ``links`` (mode, status, opening year, gauge; real
        shapes), ``places`` (named points and ports), ``borders`` (border crossings)."""
        router, _ = pool.get(None)
        data = layers.layer(router.rg.network, layer, _split([modes]) if modes else ())
        return Response(data, media_type="application/geo+json")

    # ------------------------------------------------------------------ jobs
    def add_job_kind(kind: JobKind) -> None:
        def submit(req: Any) -> Any:
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
        app.add_api_route(
            f"/api/jobs/{kind.name}",
            submit,
            methods=["POST"],
            status_code=202,
            response_model=m.JobState,
            tags=["jobs"],
            summary=kind.summary,
            description=kind.description,
            responses={**ERRORS, 503: _PROBLEM},
        )

    for kind in JOB_KINDS.values():
        if settings.job_kinds is None or kind.name in settings.job_kinds:
            add_job_kind(kind)

    @app.get("/api/jobs", response_model=list[m.JobState], tags=["jobs"])
    def job_list() -> Any:
        """Jobs kept in memory, oldest first."""
        return json_response([j.public() for j in jobs.list()])

    @app.get(
        "/api/jobs/{job_id}",
        response_model=m.JobState,
        tags=["jobs"],
        responses={404: _PROBLEM, **ERRORS},
    )
    def job_state(job_id: Annotated[str, _JOB_ID]) -> Any:
        """State and progress (0..1) of a job."""
        return json_response(jobs.get(job_id).public())

    @app.get(
        "/api/jobs/{job_id}/result",
        tags=["jobs"],
        responses={
            200: {"content": {"application/json": {}, "text/csv": {}, "application/geo+json": {}}},
            404: _PROBLEM,
            409: _PROBLEM,
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

    # ------------------------------------------------------------------ scenarios and runs
    from serai.api.runs import runs_router

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


def _route(router: Any, q: Any, cons: Any) -> Any:
    """The least-cost route for the question ``q`` under ``cons``."""
    return router.route(
        q.origin,
        q.destination,
        q.commodity,
        objective=q.objective,
        constraints=cons,
        carbon_price_usd_per_t=q.carbon_price,
    )


def _rel_objective(q: Any) -> bool:
    from serai.reliability.objective import is_reliability_objective

    return is_reliability_objective(q.objective)


def _by_reliability(router: Any, q: Any, cons: Any, k: int) -> list[tuple[Any, Any]]:
    """The ``k`` best candidate routes by a reliability objective, with their simulations."""
    from serai.reliability.objective import reliable_routes

    return reliable_routes(
        router,
        q.origin,
        q.destination,
        q.commodity,
        objective=q.objective,
        month=q.month,
        deadline_days=q.deadline_days,
        candidates=max(6, k),
        constraints=cons,
        carbon_price_usd_per_t=q.carbon_price,
    )[:k]


def _reliable(q: Any, items: list[Any]) -> list[tuple[Any, Any]]:
    """(route, reliability or None) pairs; reliability simulated when the query asks for it."""
    want = q.reliability or q.month is not None or q.deadline_days is not None
    out = []
    for it in items:
        r, rel = it if isinstance(it, tuple) else (it, None)
        if rel is None and want:
            rel = r.reliability(month=q.month, deadline_days=q.deadline_days)
        out.append((r, rel))
    return out


_JOB_ID = PathParam(pattern="^[0-9a-f]{16}$", description="Job id (16 hex digits).")


def _split(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        out += [x.strip() for x in v.replace(";", ",").split(",") if x.strip()]
    return out


def _resolve(router: Any, place: str, field: str) -> None:
    """Check a place (origin and destination: any gazetteer place; via: on the network)."""
    from serai.errors import InputError

    locate = getattr(router, "locate", None)
    try:
        if locate is not None and not field.startswith("via"):
            locate(place)
        else:
            router.resolve(place)
    except InputError as exc:
        raise InputError(exc.reason, field=field) from None
