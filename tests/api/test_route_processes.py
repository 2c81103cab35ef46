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
        pids = {p.pid for p in workers.executor._processes.values()}
        assert len(pids) == 2 and os.getpid() not in pids


def test_the_number_of_processes_comes_from_the_environment(monkeypatch):
    from serai.api import Settings
    from serai.errors import InputError

    monkeypatch.setenv("SERAI_ROUTE_PROCESSES", "3")
    assert Settings().route_processes == 3
    monkeypatch.setenv("SERAI_ROUTE_PROCESSES", "two")
    with pytest.raises(InputError, match="SERAI_ROUTE_PROCESSES"):
        Settings()
