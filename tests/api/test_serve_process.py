"""`serai serve` as a real process: it starts, answers over TCP as the app does, and stops."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest


@pytest.fixture(scope="module")
def server(serai_serve, toy_dir, tmp_path_factory):
    cache = str(tmp_path_factory.mktemp("cache"))
    return serai_serve("--network", str(toy_dir), env={"SERAI_CACHE_DIR": cache})


def _post(url: str, body: dict) -> tuple[int, dict]:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_process_answers_like_the_app(server, client):
    body = {"origin": "Almaty", "destination": "Duisburg", "avoid_countries": ["RU"]}
    status, got = _post(server + "/api/route", body)
    assert status == 200
    want = client.post("/api/route", json=body).json()
    strip = ("took_ms",)
    assert {k: v for k, v in got.items() if k not in strip} == {
        k: v for k, v in want.items() if k not in strip
    }
    status, prob = _post(server + "/api/route", {"origin": "Atlantis", "destination": "Poti"})
    assert status == 422 and prob["field"] == "origin"
    with urllib.request.urlopen(server + "/", timeout=10) as r:
        page = r.read().decode()
    assert "serai" in page


def test_readme_curl_lines_answer(server):
    # the README's curl commands, pasted (server address aside), get JSON answers: a query
    # in another script is URL-encoded by curl, not refused as an invalid HTTP request
    import shlex
    import subprocess

    from tests.test_readme import readme_curl_lines

    lines = readme_curl_lines()
    assert lines
    for ln in lines:
        args = shlex.split(ln.replace("http://127.0.0.1:8000", server))
        out = subprocess.run(
            [args[0], "-sS", "-w", "\n%{http_code}", *args[1:]],
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout  # fmt: skip
        body, code = out.rsplit("\n", 1)
        assert code in {"200", "422"}, (ln, out)
        json.loads(body)
