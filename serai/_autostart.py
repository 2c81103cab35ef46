"""``serai route`` starts its own route server when none runs (standard library only).

As Gradle's daemon, ``dmypy`` or Bazel's server do: a ``serai route`` that no running
``serai serve`` answered computes its answer in the process as always, then starts a
``serai serve`` in the background (loopback 127.0.0.1, a port the system picks, its
own session, output to ``<cache>/serve-auto.log``) that answers the next calls
(:mod:`serai._route_client`) and exits after :data:`IDLE_MIN` minutes without a request
(``SERAI_ROUTE_SERVER_IDLE`` minutes). One line on stderr says so.

One server per serai code, Python and network: the server holds an exclusive
``fcntl`` lock on ``<cache>/serve-auto-<key>.lock`` for its whole life (the starting
``serai route`` takes it and hands the locked file to the server), so concurrent
first calls start one server, never two, and a server that is gone (exited, killed)
frees it by itself. A server that ended within :data:`RETRY_S` seconds of its start
(stopped, or failed: see the log) is not started again before that time.

Opt out: ``SERAI_ROUTE_SERVER=use`` asks running servers but never starts one;
``SERAI_ROUTE_SERVER=off``, ``SERAI_NO_SERVER=1`` or ``--no-server`` neither asks nor
starts. ``serai serve --status`` lists the servers, ``serai serve --stop`` stops them.

Examples
--------
>>> import os
>>> from unittest import mock
>>> with mock.patch.dict(os.environ, {"SERAI_ROUTE_SERVER": "use"}):
...     starter(["--from", "Almaty", "--to", "Duisburg"]) is None  # `use`: never starts one
True
>>> starter(["--from", "Almaty", "--to", "Duisburg", "--no-server"]) is None
True
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from serai import _route_client
from serai._route_client import (
    LOCAL_ONLY,
    ModeError,
    alive,
    forget_if_gone,
    identity,
    mode,
    registered,
)

__all__ = ["IDLE_MIN", "RETRY_S", "servers", "start_server", "starter", "stop_servers"]

IDLE_MIN = 15.0  # minutes without a request before a started server exits
IDLE_ENV = "SERAI_ROUTE_SERVER_IDLE"
RETRY_S = 60.0  # a server of this key started less than this ago and gone: not restarted
LOG = "serve-auto.log"
LOG_MAX = 1 << 20  # the log is started afresh (previous kept as .1) past this size
AUTO_ENV = "SERAI_SERVE_AUTO"  # tells `serai serve` that `serai route` started it


def idle_minutes() -> float:
    """Minutes without a request before a started server exits (``SERAI_ROUTE_SERVER_IDLE``).

    >>> idle_minutes()
    15.0
    """
    raw = os.environ.get(IDLE_ENV, "").strip()
    if not raw:
        return IDLE_MIN
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 7 * 24 * 60:  # also refuses nan
        raise ModeError(f"{IDLE_ENV} must be minutes between 0 and 10080, not {raw!r}")
    return value


def _year(argv: list[str]) -> int | None:
    """The ``--year`` of a route command line (None: not given or not a number)."""
    for i, a in enumerate(argv):
        value = argv[i + 1] if a == "--year" and i + 1 < len(argv) else None
        if a.startswith("--year="):
            value = a.split("=", 1)[1]
        if value is not None:
            try:
                return int(value)
            except ValueError:
                return None
    return None


def starter(argv: list[str]) -> Callable[[], int | None] | None:
    """What ``serai route <argv>`` runs after answering in the process: start a server.

    None when it must not: ``SERAI_ROUTE_SERVER`` is not ``auto``, a server of this
    serai already answered connections, the command needs this process (its files,
    ``--help``, ``--no-server``), ``SERAI_DEBUG`` is set, the cache is off, the
    service extra (FastAPI, uvicorn) is not installed, or there is no ``fcntl``.
    """
    if mode() != "auto" or _route_client.SEEN_LIVE[0]:
        return None
    if any(a.split("=", 1)[0] in LOCAL_ONLY for a in argv):
        return None
    if os.environ.get("SERAI_DEBUG", "").strip().lower() not in ("", "0", "false", "no", "off"):
        return None
    from importlib.util import find_spec

    from serai._cachekey import cache_root

    if cache_root() is None or any(find_spec(m) is None for m in ("fcntl", "fastapi", "uvicorn")):
        return None
    idle = idle_minutes()
    year = _year(argv)

    def start() -> int | None:
        try:
            pid = start_server(year=year, idle=idle)
        except Exception:  # never fail the command that already answered
            return None
        if pid is not None:
            _say(
                f"serai route: started a route server in the background for the next calls "
                f"(pid {pid}; exits after {idle:g} min idle; see/stop: serai serve --status / "
                "serai serve --stop; never start one: SERAI_ROUTE_SERVER=use)\n"
            )
        return pid

    return start


def _say(text: str) -> None:
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _key(me: dict[str, str]) -> str:
    import hashlib

    return hashlib.blake2b(json.dumps(me, sort_keys=True).encode(), digest_size=8).hexdigest()


def _read_fd(fd: int) -> dict[str, Any]:
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _log(root: Path) -> Any:
    """The server log, opened for appending (started afresh past :data:`LOG_MAX`)."""
    path = root / LOG
    try:
        if path.stat().st_size > LOG_MAX:
            os.replace(path, path.with_name(LOG + ".1"))
    except OSError:
        pass
    fh = open(path, "ab")  # handed to the server process, closed after
    stamp = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    fh.write(f"--- {stamp}: started by serai route (pid {os.getpid()})\n".encode())
    fh.flush()
    return fh


def _env(root: Path) -> dict[str, str]:
    """The server's environment: this one, relative PYTHONPATH entries made absolute
    (the server runs in the cache folder, so that nothing it writes lands here)."""
    env = {**os.environ, AUTO_ENV: "1"}
    if env.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.pathsep.join(
            str(Path(p).resolve()) if p else str(Path.cwd())
            for p in env["PYTHONPATH"].split(os.pathsep)
        )
    env.pop("SERAI_DEBUG", None)
    return env


def start_server(year: int | None = None, idle: float = IDLE_MIN) -> int | None:
    """Start a background ``serai serve`` unless one of this serai runs or is starting.

    Returns its process id, or None when none was started (one holds the lock, one
    ended within :data:`RETRY_S` s of its start, or the cache is off). ``year`` is the
    network year the server loads first; registrations of servers that are gone are
    removed.
    """
    import fcntl
    import subprocess

    from serai._cachekey import cache_dir

    root = cache_dir()
    if root is None:
        return None
    for path, reg in registered():
        forget_if_gone(path, reg)
    lock = root / f"serve-auto-{_key({**identity(), 'machine': _route_client.machine()})}.lock"
    _forget_old_locks(root, lock)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # a server of this serai runs or is starting: it holds the lock
            return None
        if time.time() - float(_read_fd(fd).get("started", 0) or 0) < RETRY_S:
            return None
        cmd = [sys.executable, "-m", "serai", "serve", "--host", "127.0.0.1", "--port", "0",
               "--idle-exit", f"{idle:g}"]  # fmt: skip
        if year is not None:
            cmd += ["--year", str(year)]
        log = _log(root)
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                cwd=root,
                env=_env(root),
                start_new_session=True,  # its own session: a Ctrl-C of this terminal is not its
                pass_fds=(fd,),  # the server holds the lock from now on, until it exits
            )
        finally:
            log.close()
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"started": time.time(), "pid": proc.pid}).encode(), 0)
        proc.returncode = 0  # not ours to wait for (it outlives this process): no warning
        return proc.pid
    finally:
        os.close(fd)  # the lock stays with the server


def _forget_old_locks(root: Path, keep: Path, age_s: float = 86_400.0) -> None:
    """Remove lock files of other serai code (e.g. before an edit) unused for a day."""
    import fcntl

    for path in root.glob("serve-auto-*.lock"):
        try:
            if path == keep or time.time() - path.stat().st_mtime < age_s:
                continue
            fd = os.open(path, os.O_RDWR)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # no server holds it
            path.unlink()
        except OSError:
            pass
        finally:
            os.close(fd)


def _rss_mb(pid: int) -> float | None:
    """Resident memory of ``pid`` in MB (Linux /proc; None elsewhere)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def servers() -> list[dict[str, Any]]:
    """The running servers registered in the cache folder (gone ones' files removed).

    Each: the registration (``url``, ``pid``, ``started``, ``auto``, ``idle_exit_min``,
    ``log``, ``version``, ...) plus ``rss_mb`` (resident memory) and ``current`` (same
    serai code and network as this process: ``serai route`` asks it).
    """
    me = None
    out = []
    for path, reg in registered():
        if forget_if_gone(path, reg):
            continue
        if me is None:
            me = identity()
        current = all(reg.get(k) == v for k, v in me.items())
        out.append({**reg, "file": str(path), "rss_mb": _rss_mb(reg["pid"]), "current": current})
    return out


def stop_servers(timeout: float = 30.0) -> list[tuple[dict[str, Any], bool]]:
    """Stop every registered server (SIGTERM: requests in flight finish); (server, stopped).

    ``stopped`` is False when the server still runs ``timeout`` seconds later.
    """
    found = servers()
    for s in found:
        try:
            os.kill(s["pid"], signal.SIGTERM)
        except OSError:
            pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(s["pid"]) for s in found):
        time.sleep(0.05)
    return [(s, not alive(s["pid"])) for s in found]
