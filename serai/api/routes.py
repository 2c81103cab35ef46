"""Route endpoints: ``/api/route`` (POST and GET), ``/api/alternatives``, ``/api/pareto``,
``/api/emissions``.

Each is a thin call of the shared :class:`~serai.freight.Router` of the query's year
(:mod:`serai.api.pool`): route answers are cached per question (compressed once); searches
run in the worker threads, cache hits are answered on the event loop.
"""

from __future__ import annotations

import math
import time
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import Response

from serai.api import models as m
from serai.api import wire
from serai.api.problems import Problem
from serai.api.responses import (
    ERRORS,
    LRU,
    body_response,
    dumps,
    json_response,
    loads,
    packed,
    remember,
    split_values,
)
from serai.errors import InputError

try:  # (imported once: an import statement in a function costs a microsecond per call)
    import orjson
except ImportError:  # pragma: no cover - orjson comes with the service extra
    orjson = None  # type: ignore[assignment]

__all__ = ["route_json", "routes_router"]


def route_json(
    route: Any, network: Any, geometry: bool, reliability: Any = None, *, encoded: bool = False
) -> dict[str, Any]:
    """A route as JSON: totals, corridor, countries, legs, reliability (when computed) and
    (optionally) GeoJSON on link shapes.

    ``encoded``: for :func:`~serai.api.responses.dumps` only (orjson), the legs and the
    GeoJSON features are ``orjson.Fragment`` pieces of JSON text (:mod:`serai.api.wire`:
    each leg written once, lines joined from link shapes encoded once); ``dumps`` writes
    the same bytes as without."""
    got = wire.legs_text(route) if encoded else None
    legs = None if got is None else got[1]
    out = {
        "from": route.origin_name,
        "to": route.destination_name,
        "origin_id": str(route.origin),
        "destination_id": str(route.destination),
        "commodity": route.commodity,
        "unit": route.unit,
        "objective": route.objective,
        "corridor": route.corridor,
        **_nums(route.totals),
        "countries": [str(c) for c in route.countries],
        "passages": [str(c) for c in route.passages],
        "services": [str(c) for c in route.services],
    }
    if legs is not None:
        out["legs"] = orjson.Fragment(got[0])
    else:
        from serai.freight.shapes import leg_records

        out["legs"] = leg_records(route)
    if reliability is not None:
        out["reliability"] = reliability.to_dict()
    if geometry:
        feats = wire.features_json(route, network, legs) if legs is not None else None
        if feats is not None:
            feats = orjson.Fragment(feats)
        else:
            from serai.freight.shapes import route_features

            feats = route_features(route, network, encoded=encoded, records=out["legs"])
        out["geojson"] = {"type": "FeatureCollection", "features": feats}
    return out


def _num(v: Any) -> float | None:
    v = float(v)
    return round(v, 4) if math.isfinite(v) else None


def _nums(totals: dict[str, Any]) -> dict[str, float | None]:
    """:func:`_num` of each value (in one loop).

    ``round(v, 4)`` is the float nearest to ``N / 10**4``, ``N`` the exact ``v * 10**4``
    rounded half to even: for ``|v * 10**4| < 1e12`` the float product ``p`` is within
    ``|p| * 2**-53 < 2**-12`` of it, so when ``p`` is farther than that from a half the
    integer nearest ``p`` is ``N``, and ``N / 10000.0`` (exact operands, one correctly
    rounded division) is the answer; zero keeps ``v``'s sign as ``round`` does. Values near
    a half, or larger, are rounded by ``round``."""
    out = {}
    for k, v in totals.items():
        v = float(v)
        if v - v != 0.0:  # not finite
            out[k] = None
            continue
        p = v * 10000.0
        if -1e12 < p < 1e12:
            r = round(p)
            if -0.4995 < p - r < 0.4995:
                out[k] = r / 10000.0 if r else math.copysign(0.0, v)
                continue
        out[k] = round(v, 4)
    return out


def constraints_of(router: Any, q: m.RouteQuery, settings: Any) -> Any:
    """The :class:`~serai.freight.route.Constraints` of a question, its codes and places
    checked first (errors name the field)."""
    check_query, Constraints = _gate()
    if len(q.via) > settings.max_via:
        raise Problem(422, "invalid-input", f"at most {settings.max_via} via points", field="via")
    key = _texts_key(q.avoid_countries, q.avoid_passages, q.modes, q.via)
    cons = _MADE.get(key) if key is not None else None
    if cons is None:
        cons = Constraints.make(
            avoid_countries=q.avoid_countries,
            avoid_passages=q.avoid_passages,
            modes=q.modes,
            via=q.via,
        )
        if key is not None:
            if len(_MADE) >= 1024:
                _MADE.clear()  # a dict shared by threads: clear and set are atomic
            _MADE[key] = cons
    # the codes first (check_codes, with the constraints made once)
    check_query(getattr(router, "router", router), cons)
    for fld in ("origin", "destination"):
        _resolve(router, getattr(q, fld), fld)
    for i, v in enumerate(q.via):
        _resolve(router, v, f"via.{i}")
    return cons


#: ``Constraints.make`` of the lists of texts of a question (a frozen value: shared)
_MADE: dict[tuple, Any] = {}


def _texts_key(*fields: Any) -> tuple | None:
    """The fields (lists of ``str``, or None) as a key of :data:`_MADE`; None when any
    holds another type (a value equal to a text but not one is made, and checked, anew)."""
    key = []
    for f in fields:
        if f is None:
            key.append(None)
            continue
        if type(f) is not list:
            return None
        for x in f:
            if type(x) is not str:
                return None
        key.append(tuple(f))
    return tuple(key)


@cache
def _gate() -> tuple[Any, Any]:
    """:func:`~serai.freight.checks.check_query` and ``Constraints`` (imported once)."""
    from serai.freight.checks import check_query
    from serai.freight.route import Constraints

    return check_query, Constraints


def _search(kind: str, router: Any, q: Any, cons: Any) -> list[Any]:
    """Routes (or (route, reliability) pairs) of a question of one endpoint."""
    if kind == "route":
        if _rel_objective(q):
            return _by_reliability(router, q, cons, 1)
        return [_route(router, q, cons)]
    if kind == "alternatives":
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
    if kind == "pareto":
        return router.pareto(
            q.origin, q.destination, q.commodity, constraints=cons, max_routes=q.max_routes
        )
    raise ValueError(f"unknown route endpoint {kind!r}")


def answer(kind: str, q: Any, router: Any, settings: Any) -> tuple[bytes, bytes | None]:
    """The answer of a route endpoint as JSON bytes with their gzip form (:func:`packed`)."""
    t0 = time.perf_counter()
    cons = constraints_of(router, q, settings)
    found = _reliable(q, _search(kind, router, q, cons))
    routes = [route_json(r, router.rg.network, q.geometry, rel, encoded=True) for r, rel in found]
    body: dict[str, Any] = {"query": _query_dict(q), "routes": routes}
    notes = place_notes(found[0][0]) if found else []
    if notes:  # as `serai route` prints them: a planned port, an ambiguous name, an alias
        body["notes"] = notes
    body["took_ms"] = round(1000 * (time.perf_counter() - t0), 2)
    return packed(dumps(body))


def _query_dict(q: Any) -> dict[str, Any]:
    """``q.model_dump()`` of a question (its fields are plain values, lists of strings and
    None: its fields' dict is the same, without pydantic's serializer; other models are
    dumped)."""
    if type(q) in (m.RouteQuery, m.AlternativesQuery, m.ParetoQuery) and not q.model_extra:
        return dict(q.__dict__)  # its lists shared: the answer only writes them
    return q.model_dump()


def place_notes(route: Any) -> list[str]:
    """``from: ...`` / ``to: ...`` sentences on the places a route's names were taken to be."""
    out = []
    for what, p in (("from", route.origin_place), ("to", route.destination_place)):
        note = p.note() if p is not None else ""
        if note:
            out.append(f"{what}: {note}")
    return out


def routes_router(
    settings: Any, pool: Any, cache: LRU, raw: LRU | None = None, workers: Any = None
) -> APIRouter:
    """The route endpoints over ``pool``'s routers, answers kept in ``cache`` by question
    and in ``raw`` by the request's bytes (:class:`~serai.api.responses.RawAnswers`);
    computed by ``workers`` (:class:`~serai.api.workers.RouteProcesses`) when it has
    processes, else in the worker threads."""
    r = APIRouter(tags=["routes"])

    def year_of(y: int | None) -> int | None:
        return settings.default_year if y is None else y

    async def fast_route(scope: Any, body: bytes) -> Response | None:
        """``POST /api/route`` (JSON body) without FastAPI's request machinery: the body is
        validated as FastAPI does (pydantic, Python mode, on the parsed JSON) and answered
        by :func:`_answer`, errors by the app's own problem handlers. ``None`` (FastAPI
        answers) when the body is not valid JSON of a question or no handler takes the error:
        the same answer as the endpoint, one parse and validation instead of FastAPI's."""
        try:
            q = m.RouteQuery.model_validate(loads(body))
        except Exception:  # FastAPI's 422 problem document, naming the field
            return None
        try:
            return await _answer("route", q)
        except Exception as exc:
            handler = _handler(scope.get("app"), exc)
            if handler is None:
                return None
            from starlette.requests import Request

            return await handler(Request(scope), exc)

    r.fast_posts = {"/api/route": fast_route}  # type: ignore[attr-defined]

    async def _answer(kind: str, q: m.RouteQuery) -> Response:
        """The cached answer on the event loop; a search in a worker process or thread
        otherwise."""
        q_json = q.model_dump_json()
        key = f"{kind}|{q_json}"
        entry = cache.get(key)
        state = "hit"
        if entry is None and workers is not None:
            entry = await workers.answer(kind, q, year_of(q.year), q_json)
            if entry is not None:
                cache.put(key, entry)
                state = "miss"
        if entry is None:
            if _inline(kind, q):
                entry = _compute(key, kind, q)  # ~1-2 ms: here, not in a thread
            else:
                from starlette.concurrency import run_in_threadpool

                entry = await run_in_threadpool(_compute, key, kind, q)
            state = "miss"
        if raw is not None:
            remember(raw, entry)
        return body_response(entry, state)

    def _inline(kind: str, q: m.RouteQuery) -> bool:
        """Answer on the event loop (:attr:`Settings.answer_inline`): one route search of a
        loaded year, not the reliability model's simulations."""
        return (
            settings.answer_inline
            and kind == "route"
            and not (q.reliability or q.month is not None or q.deadline_days is not None)
            and not _rel_objective(q)
            and pool.ready(year_of(q.year))
        )

    def _compute(key: str, kind: str, q: m.RouteQuery) -> tuple[bytes, bytes | None]:
        entry = pool.call(year_of(q.year), lambda router: answer(kind, q, router, settings))
        cache.put(key, entry)
        return entry

    @r.post("/api/route", response_model=m.RouteResponse, responses=ERRORS)
    async def route(q: Annotated[m.RouteQuery, Body()]) -> Any:
        """Best route under the constraints: legs, hub events, totals and path on link shapes."""
        return await _answer("route", q)

    @r.get("/api/route", response_model=m.RouteResponse, responses=ERRORS)
    async def route_get(
        origin: Annotated[str, Query(alias="from", min_length=1, max_length=120)],
        destination: Annotated[str, Query(alias="to", min_length=1, max_length=120)],
        commodity: Annotated[str, Query(min_length=1, max_length=40)] = "container",
        year: Annotated[
            int | None, Query(description="Network year (see RouteQuery.year).")
        ] = None,
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
            avoid_countries=split_values(avoid_countries),
            avoid_passages=split_values(avoid_passages),
            via=via,
            geometry=geometry,
            reliability=reliability,
            month=month,
            deadline_days=deadline_days,
        )
        return await route(q)

    @r.post("/api/alternatives", response_model=m.RouteResponse, responses=ERRORS)
    async def alternatives(q: Annotated[m.AlternativesQuery, Body()]) -> Any:
        """Up to ``k`` routes in distinct corridors: the best route of each corridor found by
        corridor probes and the penalty method; none slower and dearer than another found that
        avoids as much (Russia and Belarus, Iran, the Red Sea)."""
        if q.k > settings.max_alternatives:
            raise Problem(
                422, "invalid-input", f"at most {settings.max_alternatives} alternatives", field="k"
            )
        return await _answer("alternatives", q)

    @r.post("/api/pareto", response_model=m.RouteResponse, responses=ERRORS)
    async def pareto(q: Annotated[m.ParetoQuery, Body()]) -> Any:
        """Pareto-optimal routes for (time, money), fastest first: none is both faster (door-to-door
        hours) and cheaper (USD per unit) than another; CO2e and the generalised cost are not
        criteria of the set."""
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
        return await _answer("pareto", q)

    @r.post("/api/emissions", response_model=m.EmissionsResponse, responses=ERRORS)
    def emissions(q: Annotated[m.RouteQuery, Body()]) -> Any:
        """ISO 14083 footprint of the best route: WTW, WTT, TTW per transport chain element."""

        def work(router: Any) -> dict[str, Any]:
            cons = constraints_of(router, q, settings)
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

    return r


def _handler(app: Any, exc: Exception) -> Any:
    """The app's exception handler for ``exc`` (as Starlette looks it up), or None."""
    handlers = getattr(app, "exception_handlers", None) or {}
    for cls in type(exc).__mro__:
        if cls in handlers:
            return handlers[cls]
    return None


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
    return _is_reliability()(q.objective)


@cache
def _is_reliability() -> Any:
    from serai.reliability.objective import is_reliability_objective

    return is_reliability_objective


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


def _resolve(router: Any, place: str, field: str) -> None:
    """Check a place (origin and destination: any gazetteer place; via: on the network)."""
    locate = getattr(router, "locate", None)
    try:
        if locate is not None and not field.startswith("via"):
            locate(place)
        else:
            router.resolve(place)
    except InputError as exc:
        raise InputError(exc.reason, field=field) from None
