"""`serai serve --lanes` (serai.api.lanes): several processes on one port, each answering
routes; jobs and runs answered by the first whatever connection asks."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.api.test_route_processes import _forked_children

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="serving lanes need fork and SO_REUSEPORT"
)


def _get(url: str) -> tuple[int, bytes]:
    try:  # a new connection each time: the kernel spreads them over the lanes
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _post(url: str, body: dict) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})  # fmt: skip
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_lanes_answer_routes_and_share_one_job_registry(toy_dir, tmp_path, client):
    """Two processes: a route answer from either is the in-process one; a job posted on one
    connection is found, followed and fetched on 24 others (were jobs kept per process,
    about half of them would be 404); stopping the main stops the lane and removes the
    Unix socket's folder."""
    import shutil
    import tempfile

    from tests.live import serve_process, serve_processes

    cache = tmp_path / "cache"
    tmp = Path(tempfile.mkdtemp(prefix="sl", dir="/tmp"))  # short: a Unix socket path in it
    env = {"SERAI_CACHE_DIR": str(cache), "SERAI_ROUTE_PROCESSES": "", "TMPDIR": str(tmp)}
    q = {"origin": "Almaty", "destination": "Poti", "avoid_countries": ["RU"]}
    want = client.post("/api/route", json=q).json()
    want.pop("took_ms")
    with serve_process("--network", str(toy_dir), "--processes", "2", "--lanes", env=env) as base:
        port = base.rsplit(":", 1)[1]
        pid = json.loads((cache / f"serve-{port}.json").read_text())["pid"]
        assert len(_forked_children(pid)) == 1
        assert len(list(tmp.glob("serai-lanes-*"))) == 1
        for _ in range(6):
            status, body = _post(base + "/api/route", q)
            got = json.loads(body)
            got.pop("took_ms")
            assert status == 200 and got == want
        shipments = [{"origin": "Almaty", "destination": "Poti"},
                     {"origin": "Almaty", "destination": "Nowhereville"}]  # fmt: skip
        status, body = _post(base + "/api/jobs/batch", {"shipments": shipments})
        assert status == 202, body
        job = json.loads(body)["id"]
        states = []
        for _ in range(24):
            status, body = _get(f"{base}/api/jobs/{job}")
            assert status == 200, body
            states.append(json.loads(body)["state"])
            if states[-1] not in ("queued", "running"):
                time.sleep(0.01)
            else:
                time.sleep(0.2)
        assert states[-1] == "done", states
        status, body = _get(f"{base}/api/jobs/{job}/result?format=csv")
        rows = list(csv.DictReader(io.StringIO(body.decode())))
        assert status == 200 and [r["status"] for r in rows] == ["ok", "error"]
        listed = [json.loads(_get(base + "/api/jobs")[1]) for _ in range(8)]
        assert all(job in [j["id"] for j in jobs] for jobs in listed)
        status, body = _get(f"{base}/api/jobs/0123456789abcdef")
        assert status == 404 and json.loads(body)["status"] == 404
    assert serve_processes(cache) == []
    assert list(tmp.glob("serai-lanes-*")) == []
    shutil.rmtree(tmp)


def test_a_port_in_use_is_refused_before_loading(tmp_path):
    """SO_REUSEPORT would let two servers share a port: a port anything listens on is refused
    with the option named, no traceback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = subprocess.run(
            [sys.executable, "-m", "serai", "serve", "--port", str(port), "--processes", "2",
             "--lanes"],
            capture_output=True, text=True, timeout=120, cwd=tmp_path,
            env={**os.environ, "SERAI_CACHE_DIR": str(tmp_path / "cache")},
        )  # fmt: skip
    assert r.returncode == 2, r.stderr
    assert "--port" in r.stderr and "in use" in r.stderr and "Traceback" not in r.stderr


def test_idle_exit_counts_every_lane_and_stops_them_all(toy_dir, tmp_path):
    """--idle-exit with two processes: the server stops by itself, the lane with it."""
    from tests.live import free_port, serve_processes

    cache = tmp_path / "cache"
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "serai", "serve", "--port", str(port), "--network", str(toy_dir),
         "--processes", "2", "--lanes", "--idle-exit", "0.05"],
        env={**os.environ, "SERAI_CACHE_DIR": str(cache)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        rc = proc.wait(timeout=180)
    finally:
        if proc.poll() is None:  # pragma: no cover
            proc.kill()
    err = proc.stderr.read()
    assert rc == 0, err
    assert "no request for" in err and "2 processes" in err
    assert serve_processes(cache) == []
    assert not Path(cache, f"serve-{port}.json").exists()
