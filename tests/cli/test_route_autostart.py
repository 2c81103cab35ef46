"""`serai route` starts a route server in the background when none runs (serai._autostart).

Real processes on the embedded network, each test in a cache folder of its own (the rest
of the suite runs with SERAI_ROUTE_SERVER=use: never starts one). Oracle: the same
command computed with ``--no-server`` -- the first call (computed in the process) and
the calls the started server answers print the same bytes and exit with the same code.
Every server a test starts is stopped (and killed if it must be) before the test ends.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from serai import _autostart, _route_client
from tests.live import serve_processes

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="checks processes through Linux /proc"
)
pytest.importorskip("fastapi")

QUERY = ["--from", "Almaty", "--to", "Duisburg", "--year", "2025"]
STARTED = re.compile(r"^serai route: started a route server in the background .*\(pid (\d+);", re.M)
HEAVY = {"typer", "numpy", "pandas", "numba", "scipy"}


def _env(cache: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "SERAI_CACHE_DIR": str(cache), "COLUMNS": "100",
           "SERAI_ROUTE_SERVER": "auto", **extra}  # fmt: skip
    for name in ("SERAI_NO_SERVER", "SERAI_DEBUG", "SERAI_ROUTE_SERVER_IDLE"):
        if name not in extra:
            env.pop(name, None)
    return env


def _serai(cache: Path, *args: str, env: dict | None = None, importtime: bool = False):
    py = [sys.executable, *(["-X", "importtime"] if importtime else []), "-m", "serai"]
    return subprocess.run([*py, *args], capture_output=True, text=True, timeout=600,
                          env=env or _env(cache), cwd=cache)  # fmt: skip


def _imported(stderr: str) -> set[str]:
    return {ln.rsplit("|", 1)[-1].strip() for ln in stderr.splitlines() if ln.startswith("import")}


def _plain(stderr: str) -> str:
    return "".join(ln for ln in stderr.splitlines(True) if not ln.startswith("import time:"))


def _registrations(cache: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(cache.glob("serve-[0-9]*.json"))]


def _wait(cond, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = cond()
        if got:
            return got
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {timeout:.0f} s")


def _locked(fh) -> bool:
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _kill_all(cache: Path) -> None:
    """Never leave a server behind, whatever the test's outcome."""
    for pid in serve_processes(cache):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    """A cache folder with the routing graph of 2025 in it, and the oracle: the query
    computed with --no-server (which must start nothing)."""
    cache = tmp_path_factory.mktemp("autostart-warm")
    want = _serai(cache, "route", *QUERY, "--no-server")
    assert want.returncode == 0, want.stderr
    assert "Duisburg" in want.stdout
    assert not STARTED.search(want.stderr)
    assert serve_processes(cache) == []  # --no-server: no server started
    assert not list(cache.glob("serve-*")), list(cache.glob("serve-*"))
    return cache, want


@pytest.fixture
def cache(warm, tmp_path):
    """A fresh cache folder holding a copy of the warm routing graph (no registrations)."""
    folder = tmp_path / "cache"
    folder.mkdir()
    for p in warm[0].glob("router-*"):
        shutil.copy2(p, folder / p.name)
    yield folder
    _kill_all(folder)


def test_first_call_starts_a_server_that_answers_the_next_and_stops(warm, cache):
    want = warm[1]
    first = _serai(cache, "route", *QUERY)  # returns: the server holds neither of its pipes
    # answered in the process, as with --no-server, plus one line saying what started
    assert (first.returncode, first.stdout) == (0, want.stdout)
    started = STARTED.search(first.stderr)
    assert started, first.stderr
    assert first.stderr.replace(started.string[started.start() :], "") == want.stderr
    assert "serai serve --stop" in first.stderr and "SERAI_ROUTE_SERVER=use" in first.stderr
    pid = int(started.group(1))
    regs = _wait(lambda: _registrations(cache), 300, "the started server registered")
    assert [(r["pid"], r["auto"], r["idle_exit_min"]) for r in regs] == [(pid, True, 15)]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", regs[0]["url"])
    assert serve_processes(cache) == [pid]
    assert os.getsid(pid) == pid  # its own session: a Ctrl-C of the terminal is not its

    # the second call: the server's text, byte for byte, without pandas or numba here
    second = _serai(cache, "route", *QUERY, importtime=True)
    assert (second.returncode, second.stdout, _plain(second.stderr)) == (
        0,
        want.stdout,
        want.stderr,
    )
    assert not _imported(second.stderr) & HEAVY, "the second call was not answered by the server"
    assert serve_processes(cache) == [pid]  # and it started no other

    status = _serai(cache, "serve", "--status")
    assert status.returncode == 0, status.stderr
    assert f"pid {pid}; started by serai route" in status.stdout
    assert re.search(r"memory \(RSS\) [\d,]+ MB", status.stdout), status.stdout

    stop = _serai(cache, "serve", "--stop")
    assert stop.returncode == 0, stop.stderr
    assert stop.stdout.startswith(f"stopped: {regs[0]['url']}  pid {pid}")
    assert serve_processes(cache) == [] and not _route_client.alive(pid)
    assert _registrations(cache) == []  # it removed its registration
    assert "no serai server running" in _serai(cache, "serve", "--status").stdout
    log = (cache / "serve-auto.log").read_text()
    assert "started by serai route" in log and f"pid {pid})" in log


def test_concurrent_first_calls_start_one_server_which_exits_when_idle(warm, cache):
    env = _env(cache, SERAI_ROUTE_SERVER_IDLE="0.2")  # 12 s without a request
    calls = [subprocess.Popen([sys.executable, "-m", "serai", "route", *QUERY], env=env, cwd=cache,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]  # fmt: skip
    done = [(c.returncode, *c.communicate(timeout=600)) for c in calls]
    done = [(c.returncode, out, err) for c, (_, out, err) in zip(calls, done, strict=True)]
    assert [(code, out) for code, out, _ in done] == [(0, warm[1].stdout)] * 3
    pids = [int(m.group(1)) for _, _, err in done for m in STARTED.finditer(err)]
    assert len(pids) == 1, [err for _, _, err in done]
    regs = _wait(lambda: _registrations(cache), 300, "the started server registered")
    assert [r["pid"] for r in regs] == pids and regs[0]["idle_exit_min"] == 0.2
    time.sleep(1.0)  # a second server would have registered by now too
    assert serve_processes(cache) == pids and len(_registrations(cache)) == 1
    # one more first call while it runs: answered by it, starts nothing
    again = _serai(cache, "route", *QUERY, env=env)
    assert (again.returncode, again.stdout, again.stderr) == (0, warm[1].stdout, warm[1].stderr)
    # idle: it exits by itself, removes its registration and frees the lock
    t0 = time.monotonic()
    _wait(lambda: not serve_processes(cache), 120, "the idle server exited")
    assert time.monotonic() - t0 > 5  # not before its idle time (the call above reset it)
    assert _registrations(cache) == []
    assert "no request for 0.2 min: stopping" in (cache / "serve-auto.log").read_text()


def test_start_server_is_exclusive_across_processes(warm, cache):
    """Four processes asking at the same instant: exactly one server is started."""
    code = (
        "import sys, time; from serai._autostart import start_server\n"
        "from serai._route_client import identity; identity()  # hashed before the start line\n"
        "t = float(sys.argv[1]); time.sleep(max(0.0, t - time.time() - 0.05))\n"
        "while time.time() < t: pass\n"
        "print(start_server(idle=0.05))\n"
    )
    at = str(time.time() + 3)
    procs = [subprocess.Popen([sys.executable, "-c", code, at], env=_env(cache),
                              stdout=subprocess.PIPE, text=True) for _ in range(4)]  # fmt: skip
    got = [p.communicate(timeout=120)[0].strip() for p in procs]
    started = [int(g) for g in got if g.isdigit()]
    assert len(started) == 1 and got.count("None") == 3, got
    pid = started[0]
    assert serve_processes(cache) == [pid]
    # the starter handed the lock to the server: it holds it while it runs
    (lock,) = cache.glob("serve-auto-*.lock")
    with open(lock) as fh:
        with pytest.raises(BlockingIOError):
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _wait(lambda: not _route_client.alive(pid), 300, "the server (idle exit 3 s) exited")
        _wait(lambda: _locked(fh), 30, "the lock freed when the server exited")
        fcntl.flock(fh, fcntl.LOCK_UN)
    assert _registrations(cache) == []
    # gone less than RETRY_S after it started (failed, or stopped): not started again at once
    probe = subprocess.run([sys.executable, "-c", "from serai._autostart import start_server;"
                            "print(start_server())"], env=_env(cache), capture_output=True,
                           text=True, timeout=120)  # fmt: skip
    assert probe.stdout.strip() == "None", probe.stderr
    assert serve_processes(cache) == []


def test_gone_servers_registrations_are_removed_and_only_those(cache, monkeypatch):
    monkeypatch.setenv("SERAI_CACHE_DIR", str(cache))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    me = _route_client.identity()
    gone = cache / "serve-40001.json"
    gone.write_text(json.dumps({"url": "http://127.0.0.1:40001", "pid": dead.pid, **me}))
    other = cache / "serve-40002.json"  # another program's file: not a registration
    other.write_text(json.dumps({"note": "not serai's", "pid": dead.pid}))
    notes = cache / "serve-notes.json"
    notes.write_text("{}")
    elsewhere = cache / "serve-40003.json"  # another machine's server (a shared cache folder)
    elsewhere.write_text(json.dumps({"url": "http://127.0.0.1:40003", "pid": dead.pid,
                                     "machine": "elsewhere", **me}))  # fmt: skip
    assert _route_client.try_server(QUERY) is None  # nothing answers: computed in the process
    assert not gone.exists() and other.exists() and notes.exists() and elsewhere.exists()
    gone.write_text(json.dumps({"url": "http://127.0.0.1:40001", "pid": dead.pid, **me}))
    assert _autostart.servers() == [] and not gone.exists()


def test_bad_settings_are_errors_naming_the_variable(cache):
    for name, value, msg in [
        ("SERAI_ROUTE_SERVER", "sometimes", "SERAI_ROUTE_SERVER must be auto, use or off"),
        ("SERAI_ROUTE_SERVER_IDLE", "soon", "SERAI_ROUTE_SERVER_IDLE must be minutes"),
    ]:
        r = _serai(cache, "route", *QUERY, env=_env(cache, **{name: value}))
        assert (r.returncode, r.stdout) == (2, ""), r.stderr
        assert r.stderr.startswith(f"error: {msg}") and "Traceback" not in r.stderr
    r = _serai(cache, "serve", "--idle-exit", "0", env=_env(cache))
    assert r.returncode == 2 and "--idle-exit" in r.stderr, r.stderr


def test_modes_that_start_nothing(monkeypatch):
    monkeypatch.delenv("SERAI_NO_SERVER", raising=False)
    monkeypatch.setattr(_route_client, "SEEN_LIVE", [False])
    for value in ("use", "off"):
        monkeypatch.setenv("SERAI_ROUTE_SERVER", value)
        assert _autostart.starter(QUERY) is None
    monkeypatch.setenv("SERAI_ROUTE_SERVER", "auto")
    assert _autostart.starter(QUERY) is not None
    monkeypatch.setattr(_route_client, "SEEN_LIVE", [True])  # a server took the question
    assert _autostart.starter(QUERY) is None
    monkeypatch.setattr(_route_client, "SEEN_LIVE", [False])
    for argv in (["--no-server"], ["--geojson", "x.geojson"], ["--help"], ["--batch=s.csv"]):
        assert _autostart.starter([*QUERY, *argv]) is None, argv
    monkeypatch.setenv("SERAI_NO_SERVER", "1")
    assert _autostart.starter(QUERY) is None
    # off: no registration is even read
    monkeypatch.delenv("SERAI_NO_SERVER")
    monkeypatch.setenv("SERAI_ROUTE_SERVER", "off")
    monkeypatch.setattr(_route_client, "registered", lambda: pytest.fail("asked a server"))
    assert _route_client.try_server(QUERY) is None


def test_doctests():
    import doctest

    for mod in (_autostart, _route_client):
        assert doctest.testmod(mod).failed == 0, mod.__name__
