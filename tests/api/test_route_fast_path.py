"""``POST /api/route`` answered without FastAPI's request machinery (the ``fast`` path of
serai.api.responses.RawAnswers, serai.api.routes.routes_router): for every body, the same
status, headers and bytes as the FastAPI endpoint (valid questions, validation errors,
serai's own errors, bodies that are not JSON), and the fast path does answer the valid ones."""

from __future__ import annotations

import json
import re

import pytest

CASES = [
    {"origin": "Almaty", "destination": "Poti"},
    {"origin": "Almaty", "destination": "Duisburg", "avoid_countries": ["RU"], "objective": "time"},
    {"origin": " Shanghai ", "destination": "Rotterdam", "geometry": False, "year": 2025.0},
    {"origin": "Almaty", "destination": "Nowhereville"},  # InputError naming the field
    {"origin": "Almaty", "destination": "Poti", "avoid_countries": ["XX"]},  # unknown code
    {"origin": "Almaty", "destination": "Poti", "via": ["Aktau"] * 6},  # over max_via: Problem
    {"origin": "Almaty", "destination": "Poti", "modes": ["ferry"]},  # no route
    {"origin": "Almaty"},  # validation: missing field
    {"origin": "Almaty", "destination": "Poti", "colour": "red"},  # extra field
    {"origin": "Almaty", "destination": "Poti", "objective": "fastest"},
    {"origin": "Almaty", "destination": "Poti", "year": 1800},
    {"origin": "Almaty", "destination": "Poti", "geometry": "maybe"},
]
RAW = [b"", b"{", b"[1, 2]", b'{"origin": "Almaty", "destination": "Poti", "carbon_price": NaN}']


def _masked(content: bytes) -> bytes:
    """The body with its computing time masked (the only part that may differ)."""
    return re.sub(rb'"took_ms":[0-9.eE+-]+', b'"took_ms":0', content)


def _seen(r) -> tuple:
    # content-length follows the computing time's digits (compared as the body's bytes)
    skip = ("date", "server", "content-length")
    headers = {k: v for k, v in r.headers.items() if k not in skip}
    return r.status_code, headers, _masked(r.content)


def _counted(fast: dict, calls: list) -> dict:
    inner = fast["/api/route"]

    async def counted(scope, body, inner=inner):
        resp = await inner(scope, body)
        calls.append(resp is not None)
        return resp

    return {"/api/route": counted}


@pytest.fixture(scope="module", params=["front", "cors"])
def apps(request, toy_dir, tmp_path_factory):
    """(app with the fast path, app without it, calls of the fast path). ``front``: the
    fast path is the app's front door, before its middleware stack (the default); ``cors``:
    with CORS origins set, it is the innermost middleware, after the CORS layer."""
    from fastapi.testclient import TestClient

    from serai.api import Settings, create_app
    from serai.api.responses import RawAnswers

    calls: list[int] = []
    cors = ("http://example.org",) if request.param == "cors" else ()
    fast, slow = (
        create_app(Settings(network=toy_dir, store=tmp_path_factory.mktemp(x), cors_origins=cors))
        for x in "ab"
    )
    assert (fast.front is None) == bool(cors)
    if fast.front is not None:
        fast.front.fast = _counted(fast.front.fast, calls)
        slow.front = None  # FastAPI's own endpoint, through the whole middleware stack
    for app, keep in ((fast, True), (slow, False)):
        for mw in app.user_middleware:
            if mw.cls is RawAnswers:
                mw.kwargs["fast"] = _counted(mw.kwargs["fast"], calls) if keep else None
    with TestClient(fast) as a, TestClient(slow) as b:
        yield a, b, calls


@pytest.mark.parametrize("enc", ["gzip", "identity"])
@pytest.mark.parametrize("i", range(len(CASES) + len(RAW)))
def test_fast_path_answers_as_fastapi(apps, i, enc):
    fast, slow, calls = apps
    if i < len(CASES):
        price = 1.5 + i + (0.25 if enc == "gzip" else 0)  # a question not asked before
        body = json.dumps({**CASES[i], "carbon_price": price}).encode()
    else:
        body = RAW[i - len(CASES)]
    h = {"content-type": "application/json", "accept-encoding": enc}
    n = len(calls)
    got = fast.post("/api/route", content=body, headers=h)
    want = slow.post("/api/route", content=body, headers=h)
    assert _seen(got) == _seen(want), body
    assert len(calls) == n + 1  # every JSON POST went to the fast path first
    if i < len(CASES):  # a valid question (answer or serai's error) is answered there
        assert calls[-1] == (got.status_code == 200 or "invalid-request" not in got.text)
    else:
        assert calls[-1] is False


def test_fast_answers_are_kept_for_both_caches(apps):
    fast, _, _ = apps
    q = {"origin": "Almaty", "destination": "Poti", "carbon_price": 99.25}
    a = fast.post("/api/route", json=q)
    b = fast.post("/api/route", content=json.dumps(q).encode(),
                  headers={"content-type": "application/json"})  # fmt: skip
    c = fast.post("/api/route", json=dict(reversed(q.items())))
    assert a.headers["x-cache"] == "miss"
    assert b.headers["x-cache"] == c.headers["x-cache"] == "hit"
    assert a.content == b.content == c.content
