"""Repeated requests answered by their exact bytes (serai.api.responses.RawAnswers): the same
status, headers and body as the endpoint's own cached answer, and nothing else changes."""

from __future__ import annotations

import json

import pytest


def _post(client, body: bytes, **headers):
    h = {"content-type": "application/json", **headers}
    return client.post("/api/route", content=body, headers=h)


def _headers(r) -> dict[str, str]:
    return {k: v for k, v in r.headers.items() if k not in ("date", "server")}


@pytest.mark.parametrize("enc", ["gzip", "identity"])
def test_a_repeated_request_gets_the_same_answer_as_the_endpoint_cache(client, enc):
    q = {
        "origin": "Almaty",
        "destination": "Poti",
        "carbon_price": 7.125 if enc == "gzip" else 7.375,
    }
    a = json.dumps(q).encode()
    b = json.dumps(dict(reversed(q.items()))).encode()  # the same question in other bytes
    assert a != b
    first = _post(client, a, **{"accept-encoding": enc})
    by_question = _post(client, b, **{"accept-encoding": enc})  # endpoint cache (parsed)
    by_bytes = _post(client, a, **{"accept-encoding": enc})  # RawAnswers, before FastAPI
    assert first.status_code == by_question.status_code == by_bytes.status_code == 200
    assert first.headers["x-cache"] == "miss"
    assert by_question.headers["x-cache"] == by_bytes.headers["x-cache"] == "hit"
    assert _headers(by_bytes) == _headers(by_question)
    assert by_bytes.content == by_question.content == first.content
    want_enc = "gzip" if enc == "gzip" else None
    assert by_bytes.headers.get("content-encoding") == want_enc


def test_the_bytes_alone_do_not_answer(client, toy_dir):
    """Another path, query string or content type with the same body goes to FastAPI."""
    from fastapi.testclient import TestClient

    from serai.api import Settings, create_app
    from serai.api.responses import RawAnswers

    q = {"origin": "Almaty", "destination": "Poti", "geometry": False, "carbon_price": 4.75}
    body = json.dumps(q).encode()
    baseline = create_app(Settings(network=toy_dir))  # the app as it was without RawAnswers
    baseline.user_middleware = [m for m in baseline.user_middleware if m.cls is not RawAnswers]
    baseline.front = None  # nor as the app's front door
    with TestClient(baseline) as fresh:
        for c in (client, fresh):
            assert _post(c, body).status_code == 200
            assert _post(c, body).headers["x-cache"] == "hit"
        for ctype in ("text/plain", "application/x-www-form-urlencoded", ""):
            got = _post(client, body, **{"content-type": ctype})
            want = _post(fresh, body, **{"content-type": ctype})
            assert (got.status_code, got.content) == (want.status_code, want.content)
            assert got.headers.get("x-cache") == want.headers.get("x-cache")
    r = client.post("/api/alternatives", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.headers["x-cache"] == "miss"


def test_errors_are_not_kept(client):
    body = json.dumps({"origin": "Almaty", "destination": "Nowhereville"}).encode()
    for _ in range(2):
        r = _post(client, body)
        assert r.status_code == 422 and "x-cache" not in r.headers
        assert r.json()["field"] == "destination"


def test_a_chunked_body_over_the_limit_is_refused(client, toy_app):
    n = toy_app.state.settings.max_body_bytes

    def chunks():
        yield b'{"origin": "'
        for _ in range(n // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    r = client.post("/api/route", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["type"] == "/problems/too-large"
    assert r.json()["instance"] == "/api/route"


def test_a_get_route_is_kept_by_its_query_string(client):
    params = {"from": "Almaty", "to": "Poti", "geometry": "false", "objective": "emissions"}
    a = client.get("/api/route", params=params)
    b = client.get("/api/route", params=params)
    assert a.status_code == b.status_code == 200
    assert b.headers["x-cache"] == "hit"
    assert a.content == b.content
