"""Errors as RFC 9457 problem details (``application/problem+json``) naming the field.

Every error the API returns has ``type``, ``title``, ``status`` and ``detail``;
input errors add ``field`` (the first offending field) and ``errors`` (one
``{field, detail}`` per problem). serai's own errors map as follows:

=====================  ======  ====================
exception              status  type
=====================  ======  ====================
InputError             422     ``/problems/invalid-input``
NoRouteError           422     ``/problems/no-route`` (+ ``cause``)
request validation     422     ``/problems/invalid-request``
body too large         413     ``/problems/too-large``
unknown job / path     404     ``/problems/not-found``
job queue full         503     ``/problems/busy``
=====================  ======  ====================
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["Problem", "install", "problem_response"]

MEDIA = "application/problem+json"
TITLES = {
    "invalid-input": "Invalid input",
    "no-route": "No route",
    "invalid-request": "Invalid request",
    "too-large": "Request too large",
    "not-found": "Not found",
    "busy": "Service busy",
    "method-not-allowed": "Method not allowed",
    "server-error": "Internal error",
}


class Problem(Exception):
    """An error to return as a problem document."""

    def __init__(
        self, status: int, kind: str, detail: str, *, field: str | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status, self.kind, self.detail, self.field, self.extra = (
            status,
            kind,
            detail,
            field,
            extra,
        )


def problem_response(
    status: int,
    kind: str,
    detail: str,
    *,
    instance: str | None = None,
    field: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": f"/problems/{kind}",
        "title": TITLES.get(kind, kind.replace("-", " ").capitalize()),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if field:
        body["field"] = field
    if errors:
        body["errors"] = errors
    body.update(extra)
    return Response(
        json.dumps(body, ensure_ascii=False), status_code=status, media_type=MEDIA, headers=headers
    )


def _loc(loc: Any) -> str:
    parts = [str(x) for x in loc if x not in ("body", "query", "path")]
    return ".".join(parts) or ".".join(str(x) for x in loc)


def _json_error(e: dict) -> dict | None:
    """A body that is not JSON: FastAPI says ``('body', <character>)``, 'JSON decode error'
    and input ``{}``; the problem names the body, where and why (None: another error)."""
    if e.get("type") != "json_invalid":
        return None
    loc = tuple(e.get("loc", ()))
    at = f" at character {loc[1]}" if len(loc) > 1 and isinstance(loc[1], int) else ""
    why = (e.get("ctx") or {}).get("error")
    return {"field": "body", "detail": f"not valid JSON{at}" + (f": {why}" if why else "")}


def _safe(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)


def install(app: Any) -> None:
    """Register the handlers that turn every error into a problem document."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    from serai.errors import InputError, SeraiError
    from serai.freight.route import NoRouteError

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return problem_response(
            exc.status,
            exc.kind,
            exc.detail,
            instance=request.url.path,
            field=exc.field,
            errors=[{"field": exc.field, "detail": exc.detail}] if exc.field else None,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errs = [_json_error(e) or {
            "field": _loc(e.get("loc", ())),
            "detail": str(e.get("msg", "")),
            "input": _safe(e.get("input")),
        } for e in exc.errors()]  # fmt: skip
        first = errs[0] if errs else {"field": None, "detail": "invalid request"}
        detail = "; ".join(f"{e['field']}: {e['detail']}" for e in errs[:5])
        return problem_response(
            422,
            "invalid-request",
            detail,
            instance=request.url.path,
            field=first["field"],
            errors=errs,
        )

    @app.exception_handler(NoRouteError)
    async def _noroute(request: Request, exc: NoRouteError) -> Response:
        field = getattr(exc, "field", None)  # a closed pair of countries names its field
        return problem_response(
            422,
            "no-route",
            str(exc),
            instance=request.url.path,
            field=field,
            errors=[{"field": field, "detail": str(exc)}] if field else None,
            cause=exc.cause or None,
        )

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> Response:
        field = exc.field
        return problem_response(
            422,
            "invalid-input",
            str(exc),
            instance=request.url.path,
            field=field,
            errors=[{"field": field, "detail": exc.reason}] if field else None,
        )

    @app.exception_handler(SeraiError)
    async def _serai(request: Request, exc: SeraiError) -> Response:
        return problem_response(422, "invalid-input", str(exc), instance=request.url.path)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        kind = {404: "not-found", 405: "method-not-allowed", 413: "too-large"}.get(
            exc.status_code, "invalid-request" if exc.status_code < 500 else "server-error"
        )
        return problem_response(
            exc.status_code,
            kind,
            str(exc.detail),
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:  # pragma: no cover
        import logging

        logging.getLogger("serai.api").exception("unhandled error on %s", request.url.path)
        return problem_response(
            500,
            "server-error",
            f"{type(exc).__name__}; see the server log",
            instance=request.url.path,
        )
