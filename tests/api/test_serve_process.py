"""`serai serve` as a real process: it starts, answers over TCP as the app does, and stops."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(toy_dir, tmp_path_factory):
    port = _free_port()
    env = {**os.environ, "SERAI_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "serai", "serve", "--port", str(port), "--network", str(toy_dir)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"serai serve exited: {proc.stderr.read()}")
        try:
            with urllib.request.urlopen(base + "/api/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("serai serve did not answer within 120 s")
    yield base
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:  # pragma: no cover
        proc.kill()


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
