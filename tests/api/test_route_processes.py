"""Route answers computed in forked worker processes (Settings.route_processes) are the
answers of the threads: same JSON, same problem documents naming the field."""

from __future__ import annotations

import json
import os
import sys

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX only")

QUESTIONS = [
    ("/api/route", {"origin": "Almaty", "destination": "Duisburg", "avoid_countries": ["RU"]}),
    ("/api/route", {"origin": "Shanghai", "destination": "Poti", "objective": "time"}),
    ("/api/route", {"origin": "Almaty", "destination": "Nowhereville"}),
    ("/api/route", {"origin": "Almaty", "destination": "Duisburg", "avoid_countries": ["XX"]}),
    ("/api/alternatives", {"origin": "Shanghai", "destination": "Rotterdam", "k": 3}),
    ("/api/pareto", {"origin": "Almaty", "destination": "Rotterdam", "geometry": False}),
]


def _strip(r):
    body = r.json()
    if isinstance(body, dict):
        body.pop("took_ms", None)
    return r.status_code, body


def test_answers_from_worker_processes_equal_the_threads(client, toy_dir, tmp_path):
    from fastapi.testclient import TestClient

    from serai.api import Settings, create_app

    app = create_app(Settings(network=toy_dir, store=tmp_path, route_processes=2))
    with TestClient(app) as forked:
        assert app.state.settings.route_processes == 2
        for path, q in QUESTIONS:
            q = {**q, "carbon_price": 3.21}  # a question no other test asked (cache misses)
            a, b = forked.post(path, json=q), client.post(path, json=q)
            assert _strip(a) == _strip(b), (path, q)
            assert a.headers.get("x-cache") == b.headers.get("x-cache")
        route = forked.post("/api/route", json={"origin": "Almaty", "destination": "Poti"})
        assert route.status_code == 200 and json.loads(route.content)["routes"]
        workers = app.state.route_workers
        assert workers.executor is not None  # answered by the processes, none broke
        pids = set(workers.pids())
        assert len(pids) == 2 and os.getpid() not in pids


def test_dead_workers_leave_the_questions_to_the_threads(client, toy_dir, tmp_path):
    import signal
    import time

    from fastapi.testclient import TestClient

    from serai.api import Settings, create_app

    app = create_app(Settings(network=toy_dir, store=tmp_path, route_processes=2))
    with TestClient(app) as forked:
        workers = app.state.route_workers
        pids = workers.pids()
        assert len(pids) == 2
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        for w in workers.workers:
            w.proc.join(timeout=10)
        time.sleep(0.1)
        for i in range(3):
            q = {"origin": "Almaty", "destination": "Poti", "carbon_price": 5.5 + i}
            a, b = forked.post("/api/route", json=q), client.post("/api/route", json=q)
            assert _strip(a) == _strip(b)
            assert a.status_code == 200
        assert workers.executor is None and workers.pids() == []


def test_the_number_of_processes_comes_from_the_environment(monkeypatch):
    from serai.api import Settings
    from serai.errors import InputError

    monkeypatch.setenv("SERAI_ROUTE_PROCESSES", "3")
    assert Settings().route_processes == 3
    monkeypatch.setenv("SERAI_ROUTE_PROCESSES", "two")
    with pytest.raises(InputError, match="SERAI_ROUTE_PROCESSES"):
        Settings()


def _forked_children(pid: int) -> list[int]:
    """Children of ``pid`` that are forks of it (same command line: the route workers)."""
    from pathlib import Path

    cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
    kids = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                if Path(f"/proc/{child}/cmdline").read_bytes() == cmd:
                    kids.append(int(child))
            except OSError:
                pass
    return kids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts processes in /proc")
@pytest.mark.parametrize(
    ("option", "env", "lanes", "want"),
    [("2", "0", "--lanes", 1), ("0", "2", "--lanes", 0), (None, "", "--lanes", "cores"),
     ("2", "0", "--no-lanes", 2), ("0", "2", "--no-lanes", 0)],
)  # fmt: skip
def test_serve_processes_option_forks_that_many_processes(
    option, env, lanes, want, toy_dir, tmp_path, monkeypatch
):
    """`serai serve --processes N` serves with N processes (N - 1 serving lanes forked, see
    serai.api.lanes), or with --no-lanes forks N route workers; the option wins over the
    environment; with neither, one per core."""
    import urllib.request

    from tests.live import serve_process

    if want == "cores":
        cores = len(os.sched_getaffinity(0))
        want = cores - 1 if cores > 1 else 0
    opt = ["--processes", option] if option is not None else []
    cache = tmp_path / "cache"
    with serve_process("--network", str(toy_dir), *opt, lanes,
                       env={"SERAI_CACHE_DIR": str(cache), "SERAI_ROUTE_PROCESSES": env}) as base:  # fmt: skip
        port = base.rsplit(":", 1)[1]
        pid = json.loads((cache / f"serve-{port}.json").read_text())["pid"]
        q = json.dumps({"origin": "Almaty", "destination": "Poti", "carbon_price": 1.23}).encode()
        req = urllib.request.Request(base + "/api/route", data=q,
                                     headers={"Content-Type": "application/json"})  # fmt: skip
        with urllib.request.urlopen(req, timeout=60) as r:
            assert r.status == 200 and json.loads(r.read())["routes"]
        assert len(_forked_children(pid)) == want


def test_default_processes_of_serve():
    """One per core, but none for a server `serai route` starts or one not warmed first."""
    from serai.cli.serve import default_processes

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert default_processes(auto=False, warm=True) == (cores if cores > 1 else 0)
    assert default_processes(auto=True, warm=True) == 0
    assert default_processes(auto=False, warm=False) == 0


def test_serve_processes_option_is_checked(tmp_path):
    import subprocess

    r = subprocess.run([sys.executable, "-m", "serai", "serve", "--processes", "-1"],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path)  # fmt: skip
    assert r.returncode == 2 and "--processes" in r.stderr and "Traceback" not in r.stderr
