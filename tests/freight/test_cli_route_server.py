"""`serai route` answered by a running `serai serve`: the same text, errors and exit codes.

Oracle: the same command computed in the process (the direct path) -- every byte of
stdout and stderr and the exit code must agree, on many queries (random pairs,
objectives, avoided countries, modes, via points, alternatives, Pareto sets, JSON,
reliability, bad input). The client falls back to the direct path, printing nothing,
when no server is registered or the server cannot serve the query.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from serai import _route_client as client
from serai.cli import app
from serai.cli.route_server import run_route_argv
from serai.freight.query import load_network, make_router
from serai.network import write_network
from tests.freight.toy import toy_network

PLACES = ["Xi'an", "Almaty", "Istanbul", "Duisburg", "Shanghai", "Rotterdam", "Poti", "Алматы"]
FACTS = {
    s: {"width": 100, "height": 25, "terminal": False, "interactive": False,
        "color_system": None, "no_color": False, "encoding": "utf-8", "term": ""}
    for s in ("stdout", "stderr")
}  # fmt: skip


@pytest.fixture(scope="module")
def net_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("toy-served") / "net"
    write_network(toy_network(), path, format="csv")
    return path


@pytest.fixture(scope="module")
def routers(net_dir):
    """year -> router of the toy network, built as the direct path builds it (no disk cache)."""
    made: dict = {}

    def router_of(year):
        if year not in made:
            made[year] = make_router(load_network(net_dir, year=year), year=year)
        return made[year]

    return router_of


def _queries() -> list[list[str]]:
    rnd = random.Random(16)
    out = [
        ["--from", "Almaty", "--to", "Duisburg"],
        ["--from", "Shanghai", "--to", "Rotterdam", "--alternatives", "3", "--legs"],
        ["--from", "Xi'an", "--to", "Duisburg", "--pareto"],
        ["--from", "Almaty", "--to", "Duisburg", "--json"],
        ["--from", "Almaty", "--to", "Duisburg", "--avoid-country", "RU", "--modes", "rail,ferry"],
        ["--from", "Almaty", "--to", "Istanbul", "--via", "Tbilisi", "--objective", "time"],
        ["--from", "Almaty", "--to", "Duisburg", "--reliability", "--deadline", "30"],
        ["--from", "Almaty", "--to", "Duisburg", "--year", "2031", "--objective", "cost"],
        ["--from", "Almaty", "--to", "Duisburg", "--carbon-price", "100", "--crew", "double"],
        # bad input: the same one-line errors and exit codes
        ["--from", "Almaty", "--to", "Nowhere-on-earth"],
        ["--from", "Almaty", "--to", "Duisburg", "--avoid-country", "Russia"],
        ["--from", "Almaty", "--to", "Duisburg", "--modes", ","],
        ["--from", "Almaty", "--to", "Almaty"],
        ["--from", "Almaty"],
        ["--from", "Almaty", "--to", "Duisburg", "--objective", "fastest"],
        ["--from", "Almaty", "--to", "Duisburg", "--year", "1700"],
        ["--from", "Almaty", "--to", "Duisburg", "--avoid-country", "RU",
         "--avoid-country", "AZ", "--avoid-passage", "bosporus"],
    ]  # fmt: skip
    for _ in range(24):
        o, d = rnd.sample(PLACES, 2)
        q = ["--from", o, "--to", d, "--objective",
             rnd.choice(["time", "cost", "generalised", "emissions"])]  # fmt: skip
        if rnd.random() < 0.4:
            q += ["--avoid-country", rnd.choice(["RU", "KZ", "TR", "GE", "RU,BY"])]
        if rnd.random() < 0.3:
            q += ["--modes", rnd.choice(["rail", "rail,ferry", "rail,sea,ferry", "sea"])]
        if rnd.random() < 0.2:
            q += ["--via", rnd.choice(["Tbilisi", "Moscow", "Aktau"])]
        if rnd.random() < 0.3:
            q += ["--alternatives", "2"]
        if rnd.random() < 0.2:
            q += ["--json"]
        out.append(q)
    return out


@pytest.mark.parametrize("argv", _queries(), ids=lambda a: " ".join(a)[:60])
def test_served_text_is_the_direct_text(argv, routers, net_dir, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    direct = CliRunner().invoke(app, ["route", *argv, "--network", str(net_dir)])
    served = run_route_argv(argv, FACTS, routers)
    assert "fallback" not in served, served
    assert served["exit_code"] == direct.exit_code, (served, direct.output)
    assert served["stdout"] == direct.stdout
    assert served["stderr"] == direct.stderr
    if direct.exit_code == 0:
        assert served["stdout"].strip()


def test_concurrent_clients_each_get_their_own_text(routers):
    """Several clients at once on one router: each gets the text it gets alone."""
    from tests.concurrency import run_threads

    queries = _queries()[:12]
    alone = [run_route_argv(q, FACTS, routers) for q in queries]
    calls = [lambda q=q: run_route_argv(q, FACTS, routers) for q in queries]
    for got in run_threads(calls, n_threads=4, rounds=2):
        assert got == alone


@pytest.mark.parametrize(
    "argv",
    [
        ["--from", "Almaty", "--to", "Duisburg", "--geojson", "r.geojson"],
        ["--batch", "shipments.csv", "--out", "r.csv"],
        ["--from", "Almaty", "--to", "Duisburg", "--network", "somewhere"],
        ["--from", "Almaty", "--to", "Duisburg", "--alternatives", "two"],  # usage error
        ["--from", "Almaty", "--to", "Duisburg", "--no-such-option"],
        ["--help"],
    ],
)
def test_server_hands_back_what_needs_the_client(argv, routers):
    assert run_route_argv(argv, FACTS, routers).get("fallback") is True


def test_client_without_a_server_prints_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SERAI_CACHE_DIR", str(tmp_path))
    argv = ["--from", "Almaty", "--to", "Duisburg"]
    assert client.try_server(argv) is None  # nothing registered
    # a registration of a server that is gone (port closed) or of another serai
    from tests.live import free_port

    me = client.identity()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = {"url": f"http://127.0.0.1:{free_port()}", "pid": gone.pid, **me}
    (tmp_path / "serve-1.json").write_text(json.dumps(dead))
    (tmp_path / "serve-2.json").write_text(json.dumps({**dead, "code": "another serai"}))
    (tmp_path / "serve-3.json").write_text("{torn")
    (tmp_path / "serve-4.json").write_text(json.dumps({**dead, "url": "http://192.0.2.7:80"}))
    regs = client.registrations()  # the torn file and the remote URL are not read
    assert len(regs) == 2 and {r["url"] for r in regs} == {dead["url"]}
    t0 = time.monotonic()
    assert client.try_server(argv) is None
    assert time.monotonic() - t0 < 5
    # the gone servers' registrations were removed; the files it did not read were not
    assert sorted(p.name for p in tmp_path.glob("serve-*")) == ["serve-3.json", "serve-4.json"]
    for opt in ("--no-server", "--geojson=x.json", "--network"):
        assert client.try_server([*argv, opt]) is None
    assert capsys.readouterr() == ("", "")


def test_client_reads_only_whole_200_answers():
    body = json.dumps({"stdout": "x\n", "stderr": "", "exit_code": 0}).encode()
    ok = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
    assert client._answer(ok % len(body) + body)["stdout"] == "x\n"
    assert client._answer(ok % len(body) + body[:-3]) is None  # cut short
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    parts = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (body[:10], body[10:]))
    assert client._answer(chunked + parts + b"0\r\n\r\n")["exit_code"] == 0
    assert client._answer(b"HTTP/1.1 409 Conflict\r\ncontent-length: 2\r\n\r\n{}") is None
    gz = b"HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\n\r\n" + body
    assert client._answer(gz) is None
    fallback = json.dumps({"fallback": True}).encode()
    assert client._answer(ok % len(fallback) + fallback) is None
    assert client._answer(b"garbage") is None


def test_registration_address():
    assert client._client_address("0.0.0.0") == "127.0.0.1"
    assert client._client_address("127.0.0.1") == "127.0.0.1"
    assert client._client_address("::") == "::1"
    assert client._client_address("192.0.2.7") is None  # not reachable by loopback


def test_endpoint_checks_version_and_network(net_dir):
    from fastapi.testclient import TestClient

    from serai.api import Settings, create_app

    api = create_app(Settings(network=net_dir))
    body = {"argv": ["--from", "Almaty", "--to", "Duisburg"], "console": FACTS}
    with TestClient(api) as tc:
        mine = client.identity(net_dir)
        r = tc.post("/api/cli/route", json={**body, **mine})
        assert r.status_code == 200 and r.json()["exit_code"] == 0
        assert "Almaty -> Duisburg" in r.json()["stdout"]
        embedded = client.identity()  # a client of the embedded network: not this server's
        assert tc.post("/api/cli/route", json={**body, **embedded}).status_code == 409
        r = tc.post("/api/cli/route", json={**mine, "argv": "route", "console": FACTS})
        assert r.status_code == 400
        assert "/api/cli/route" not in tc.get("/api/openapi.json").json()["paths"]


def _direct(argv: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "100", "SERAI_NO_SERVER": "1"}
    return subprocess.run([sys.executable, "-m", "serai", "route", *argv],
                          capture_output=True, text=True, env=env, timeout=600)  # fmt: skip


def test_real_server_answers_the_real_client(monkeypatch, capsys):
    """`serai serve` registers itself; `serai route` gets the direct path's text from it."""
    from serai._cachekey import cache_root
    from tests.live import serve_process

    monkeypatch.setenv("COLUMNS", "100")
    for opt_out in ("SERAI_NO_SERVER", "SERAI_DEBUG"):  # a developer's shell may set them
        monkeypatch.delenv(opt_out, raising=False)
    queries = [
        ["--from", "Almaty", "--to", "Duisburg"],
        ["--from", "Xi'an", "--to", "Duisburg", "--avoid-country", "RU", "--alternatives", "2"],
        ["--from", "Almaty", "--to", "Atlantis"],
    ]
    expected = [_direct(q) for q in queries]
    with serve_process(timeout=600) as base:
        port = base.rsplit(":", 1)[1]
        reg = cache_root() / f"serve-{port}.json"
        assert json.loads(reg.read_text())["url"] == base
        for q, want in zip(queries, expected, strict=True):
            code = client.try_server(q)
            got = capsys.readouterr()
            assert code is not None, "the client did not use the server"
            assert (code, got.out, got.err) == (want.returncode, want.stdout, want.stderr)
        assert client.try_server([*queries[0], "--no-server"]) is None
        # a real `serai route` process: the server's text, without Typer, numpy or pandas
        env = {**os.environ, "COLUMNS": "100"}
        env.pop("SERAI_NO_SERVER", None)
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "serai", "route",
                               *queries[0]], capture_output=True, text=True, env=env,
                              timeout=600)  # fmt: skip
        assert (proc.returncode, proc.stdout) == (0, expected[0].stdout)
        imported = {ln.rsplit("|", 1)[-1].strip() for ln in proc.stderr.splitlines()}
        assert not imported & {"typer", "numpy", "pandas", "numba", "scipy"}, proc.stderr[-500:]
    assert not reg.exists()  # removed when the server stopped


def test_doctests():
    import doctest

    from serai import _cachekey

    for mod in (client, _cachekey):
        assert doctest.testmod(mod).failed == 0, mod.__name__
