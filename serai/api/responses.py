"""HTTP plumbing shared by the routers: JSON bodies, request-size limit, compressed answers.

Pure ASGI middlewares (:class:`BodyLimit`, :class:`AcceptsGzip`), JSON encoding
(:func:`dumps`: orjson, NaN as null, numpy scalars as numbers), answers compressed
once and cached (:func:`packed`, :func:`body_response`, :class:`LRU`) and the
problem-document entries of the OpenAPI ``responses`` (:data:`ERRORS`).
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from serai.api import models as m
from serai.api.problems import Problem, problem_response

__all__ = [
    "ERRORS",
    "LRU",
    "PROBLEM",
    "RAW_KEY",
    "AcceptsGzip",
    "BodyLimit",
    "Front",
    "RawAnswers",
    "body_response",
    "dumps",
    "json_response",
    "loads",
    "packed",
    "plain",
    "remember",
    "slim",
    "split_values",
]

PROBLEM = {"model": m.Problem, "content": {"application/problem+json": {}}}
ERRORS = {400: PROBLEM, 413: PROBLEM, 422: PROBLEM}


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


try:  # 5-10x faster than json for the large bodies of routes with geometry
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson comes with the service extra
    _orjson = None


try:  # ISA-L's gzip: a third of zlib's CPU at level 1 (packed)
    from isal import igzip as _igzip
except ImportError:  # pragma: no cover - isal comes with the service extra
    _igzip = None


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


def loads(data: bytes) -> Any:
    """JSON bytes parsed (orjson when installed, else json)."""
    if _orjson is not None:
        return _orjson.loads(data)
    return json.loads(data)


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with a 413 problem (pure ASGI)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = next((v for k, v in scope.get("headers") or () if k == b"content-length"), None)
        if declared is not None:
            try:
                too_large = int(declared) > self.limit
            except ValueError:
                too_large = False
            if too_large:
                return await problem_response(
                    413,
                    "too-large",
                    f"the request body is over {self.limit:,} bytes",
                    instance=scope.get("path"),
                )(scope, receive, send)
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


GZIP_OK: ContextVar[bool] = ContextVar("serai_gzip_ok", default=False)


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
        token = GZIP_OK.set(ok)
        try:
            await self.app(scope, receive, send)
        finally:
            GZIP_OK.reset(token)


def packed(data: bytes, level: int = 1) -> tuple[bytes, bytes | None]:
    """A JSON answer with its gzip form (made once, where the answer is computed, and cached
    with it: GZipMiddleware compressed every answer at level 9 on the event loop, cache hits
    too); None under 2,000 bytes (GZipMiddleware's ``minimum_size``).

    Levels 0-3 use ISA-L (``isal``, the service extra; zlib without it): on the route
    answers of the load test (28.6 kB of JSON on average) its level 1 takes 0.05 ms and
    gives 5.2 kB, zlib's level 1 0.17 ms and 5.4 kB, zlib's level 6 0.39 ms and 4.3 kB
    (BENCHMARKS.md, "Service: the answer's JSON and the serving process")."""
    if len(data) < 2000:
        return data, None
    if level <= 3 and _igzip is not None:
        return data, _igzip.compress(data, compresslevel=level, mtime=0)
    import gzip

    return data, gzip.compress(data, compresslevel=level, mtime=0)


def slim(entry: tuple[bytes | None, bytes | None]) -> tuple[bytes | None, bytes | None]:
    """``entry`` (:func:`packed`) without its plain JSON when it has a gzip form (a route
    worker's answer crosses to the serving process as ~5 kB instead of ~35 kB; the plain
    JSON is inflated for the rare client that does not take gzip: :func:`plain`)."""
    return (None, entry[1]) if entry[1] is not None else entry


def plain(entry: tuple[bytes | None, bytes | None]) -> bytes:
    """The plain JSON of an answer ``entry`` (inflated from its gzip form if :func:`slim`)."""
    if entry[0] is not None:
        return entry[0]
    import zlib

    return zlib.decompress(entry[1], wbits=31)  # type: ignore[arg-type]


def body_response(
    entry: tuple[bytes | None, bytes | None],
    state: str | None,
    media_type: str = "application/json",
) -> Response:
    """The answer ``entry`` (:func:`packed`), compressed when the client takes gzip;
    ``state`` is the ``X-Cache`` header (None: no header)."""
    gz = entry[1]
    if media_type.startswith("text/"):  # Response adds a charset
        h = {"X-Cache": state} if state else {}
        if gz is not None and GZIP_OK.get():
            h.update({"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
            return Response(gz, media_type=media_type, headers=h)
        return Response(plain(entry), media_type=media_type, headers=h)
    headers = [(b"x-cache", state.encode())] if state else []
    if gz is not None and GZIP_OK.get():
        headers += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
        return _Answer(gz, media_type, headers)
    return _Answer(plain(entry), media_type, headers)


class _Answer(Response):
    """A 200 response with the headers ``Response(body, media_type=..., headers=...)`` has
    (those given, then Content-Length and Content-Type), made without its header checks."""

    def __init__(self, body: bytes, media_type: str, headers: list[tuple[bytes, bytes]]) -> None:
        self.status_code, self.body, self.media_type, self.background = 200, body, media_type, None
        headers.append((b"content-length", str(len(body)).encode()))
        headers.append((b"content-type", media_type.encode()))
        self.raw_headers = headers


RAW_KEY: ContextVar[bytes | None] = ContextVar("serai_raw_key", default=None)


class RawAnswers:
    """Answers of cached endpoints by the request's exact bytes (pure ASGI, before FastAPI).

    A request whose method, path, query string, content type and body are byte for byte
    those of an earlier answered one gets that answer (``X-Cache: hit``) without routing,
    parsing or validation (the questions users repeat are sent by the same web app, in the
    same bytes). Otherwise the request goes on with its key in :data:`RAW_KEY`, and the
    endpoint that answers it stores its answer under that key (:func:`remember`, successful
    answers only). Answers themselves are ``(json, gzip or None)`` entries of :func:`packed`.

    ``fast`` maps a path to a coroutine ``(scope, body) -> Response | None`` that answers a
    POST of it not seen before without FastAPI's request machinery (``None``: FastAPI
    answers it, e.g. a body that does not validate; see :func:`serai.api.routes.routes_router`).

    ``front``: set when this is not a middleware inside the app but its front door, called
    before the app's whole middleware stack (:func:`serai.api.app.create_app`, when no CORS
    origins are set): ``front.app`` is the owning app (its exception handlers, and what the
    request's ``scope["app"]`` is), ``front.limit`` the body limit (checked as
    :class:`BodyLimit` does: a declared length over it goes to the app, a body that grows
    over it is refused with the same problem), and
    ``front.wrap`` the layers of the stack that change a response (GZipMiddleware: the same
    ``Vary`` header on answers not compressed); ``Accept-Encoding`` is noted here
    (:data:`GZIP_OK`) as :class:`AcceptsGzip` does.
    """

    def __init__(
        self,
        app: ASGIApp,
        answers: LRU,
        paths: frozenset[str],
        fast: dict[str, Callable[[Scope, bytes], Awaitable[Response | None]]] | None = None,
        front: Front | None = None,
    ) -> None:
        self.app, self.answers, self.paths = app, answers, paths
        self.fast = fast or {}
        self.front = front

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        front = self.front
        if (
            scope["type"] != "http"
            or scope["path"] not in self.paths
            or scope["method"] not in ("GET", "POST")
            or self.answers.size <= 0
        ):
            return await self.app(scope, receive, send)
        ctype = b""
        gz = False
        length = None
        for k, v in scope.get("headers") or ():
            if k == b"content-type":
                ctype = v
            elif k == b"accept-encoding":
                gz = gz or b"gzip" in v.lower()
            elif k == b"content-length":
                length = v
        if front is not None and scope["method"] == "POST" and front.too_long(length):
            return await self.app(scope, receive, send)  # refused by the app's BodyLimit
        chunks = []
        if scope["method"] == "POST":
            seen = 0
            while True:
                try:
                    msg = await receive()
                    if front is not None and msg["type"] == "http.request":
                        seen += len(msg.get("body", b""))
                        if seen > front.limit:  # as BodyLimit counts a body without a length
                            raise Problem(
                                413, "too-large", f"the request body is over {front.limit:,} bytes"
                            )
                except Problem as exc:  # over the body limit (BodyLimit): as FastAPI would
                    resp = problem_response(
                        exc.status, exc.kind, exc.detail, instance=scope["path"]
                    )
                    if front is not None:
                        resp = front.wrap(resp)
                    return await resp(scope, receive, send)
                if msg["type"] != "http.request":  # the client left
                    return
                chunks.append(msg.get("body", b""))
                if not msg.get("more_body", False):
                    break
        body = b"".join(chunks)
        parts = (scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""))
        key = b"\0".join((*parts, ctype, body))
        hit = self.answers.get(key)
        if hit is not None:
            headers = [(b"content-type", b"application/json")]
            if hit[1] is not None and gz:
                data = hit[1]
                headers += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
            else:
                data = plain(hit)
            headers += [(b"x-cache", b"hit"), (b"content-length", str(len(data)).encode())]
            start = {"type": "http.response.start", "status": 200, "headers": headers}
            end = {"type": "http.response.body", "body": data}
            if front is not None and not (hit[1] is not None and gz):
                return await front.wrap(_Sent(start, end))(scope, receive, send)
            await send(start)
            await send(end)
            return
        token = RAW_KEY.set(key)
        gz_token = GZIP_OK.set(gz) if front is not None else None
        try:
            fast = self.fast.get(scope["path"]) if scope["method"] == "POST" else None
            if fast is not None and ctype == b"application/json":
                if front is not None:
                    scope["app"] = front.app  # as Starlette sets it (exception handlers)
                resp = await fast(scope, body)
                if resp is not None:
                    if front is not None and b"content-encoding" not in dict(resp.raw_headers):
                        resp = front.wrap(resp)
                    return await resp(scope, receive, send)
        finally:
            RAW_KEY.reset(token)
            if gz_token is not None:
                GZIP_OK.reset(gz_token)
        sent = False

        async def replay() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        token = RAW_KEY.set(key)
        try:
            await self.app(scope, replay, send)
        finally:
            RAW_KEY.reset(token)


class Front:
    """What :class:`RawAnswers` needs to answer in front of an app's middleware stack."""

    def __init__(self, app: Any, limit: int, wrap: Callable[[ASGIApp], ASGIApp]) -> None:
        self.app, self.limit, self.wrap = app, limit, wrap

    def too_long(self, length: bytes | None) -> bool:
        """A POST whose declared ``Content-Length`` is over the limit (the app refuses it)."""
        return length is not None and length.strip().isdigit() and int(length) > self.limit


class _Sent:
    """An ASGI app sending two prepared messages."""

    def __init__(self, *messages: dict[str, Any]) -> None:
        self.messages = messages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        for message in self.messages:
            await send(message)


def remember(answers: LRU, entry: tuple[bytes, bytes | None]) -> None:
    """Keep ``entry`` in ``answers`` as the answer of the request being served by its exact
    bytes (:class:`RawAnswers`; no-op outside one)."""
    key = RAW_KEY.get()
    if key is not None:
        answers.put(key, entry)


class LRU:
    """A small thread-safe least-recently-used map (``size`` 0: keeps nothing)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._d: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            v = self._d.get(key)
            if v is not None:
                self._d.move_to_end(key)
            return v

    def put(self, key: Any, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._d[key] = value
            while len(self._d) > self.size:
                self._d.popitem(last=False)


def split_values(values: list[str]) -> list[str]:
    """Repeated or comma/semicolon-separated query values as one list."""
    out: list[str] = []
    for v in values:
        out += [x.strip() for x in v.replace(";", ",").split(",") if x.strip()]
    return out
