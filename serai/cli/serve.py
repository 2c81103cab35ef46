"""`serai serve`: the HTTP API and the web app (FastAPI + uvicorn); `--status` / `--stop`
list and stop the servers registered for `serai route` (also those it started itself)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from serai.cli._common import app, check_year_option, console, handle_errors


@app.command("serve")
@handle_errors
def serve_cmd(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    store: Annotated[
        Path | None, typer.Option(help="Folder where job results are written (JSON).")
    ] = None,
    runs: Annotated[
        str | None,
        typer.Option(
            help="Run store of scenario jobs and /api/runs: a DuckDB file or postgresql:// URL "
            "(default $SERAI_STORE or ./serai-runs.duckdb)."
        ),
    ] = None,
    network: Annotated[
        Path | None, typer.Option(help="Network to serve instead of the embedded one.")
    ] = None,
    year: Annotated[
        int | None, typer.Option(help="Network year of requests that give none.")
    ] = None,
    cors: Annotated[
        list[str] | None,
        typer.Option(help="Origin allowed to call the API from a browser (repeatable)."),
    ] = None,
    workers: Annotated[int, typer.Option(help="Threads running background jobs.")] = 1,
    processes: Annotated[
        int | None,
        typer.Option(
            help="Worker processes computing new route questions, forked after the routing "
            "graph is loaded (shared, not copied); 0 = threads of the serving process "
            "(default $SERAI_ROUTE_PROCESSES, else one per core; 0 for a server that "
            "`serai route` starts by itself or with --no-warm). With --lanes: serving "
            "processes in all."
        ),
    ] = None,
    lanes_opt: Annotated[
        bool,
        typer.Option(
            "--lanes/--no-lanes",
            help="Serve with --processes processes on one port, each answering the routes of "
            "its own connections (no hand-over to workers: up to ~15-20 % less CPU per new "
            "answer on a quiet machine, but a slow answer delays the other requests of its "
            "process: longer tails); jobs and runs are answered by the first. Linux. "
            "Default: one serving process and --processes route workers.",
        ),
    ] = False,
    idle_exit: Annotated[
        float | None,
        typer.Option(
            "--idle-exit",
            metavar="MINUTES",
            help="Stop after this many minutes without a request (default: never; a server "
            "that `serai route` starts by itself: 15).",
        ),
    ] = None,
    warm: Annotated[
        bool, typer.Option(help="Build (or read) the routing graph before accepting requests.")
    ] = True,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
    status: Annotated[
        bool,
        typer.Option(
            "--status",
            help="List the running servers `serai route` asks (incl. those it started) and exit.",
        ),
    ] = False,
    stop: Annotated[
        bool,
        typer.Option("--stop", help="Stop the running servers `serai route` asks and exit."),
    ] = False,
) -> None:
    """Serve the HTTP API (/api, OpenAPI at /api/docs) and the web app (/) on one port.

    While it runs, `serai route` (same serai and network, this user, this machine) asks it
    instead of loading everything itself. --port 0: a free port chosen by the system.
    """
    if status or stop:
        return _status_or_stop(status, stop)
    from serai.errors import OptionalDependencyError

    try:
        import uvicorn

        from serai.api import Settings, create_app
    except ImportError as exc:
        raise OptionalDependencyError(exc.name or "fastapi", "service") from None
    from serai.cli._common import split_opt

    _check_options(host, port, workers, log_level, processes, idle_exit)
    check_year_option(year, network)
    auto = os.environ.pop("SERAI_SERVE_AUTO", "") == "1"  # started by `serai route`
    if processes is None:
        from serai.api.settings import _env_int

        env = os.environ.get("SERAI_ROUTE_PROCESSES", "").strip()
        processes = _env_int("SERAI_ROUTE_PROCESSES") if env else None
    if processes is None:
        processes = default_processes(auto=auto, warm=warm)
    from serai.api.lanes import Lanes, lanes_supported

    lanes = None
    sock = None
    if lanes_opt and processes > 1 and warm and lanes_supported():  # serving lanes
        lanes = _lanes(Lanes, host, port, processes)
        port = lanes.port
    else:
        sock = _bind(host) if port == 0 else None  # the free port, known before loading
        if sock is not None:
            port = sock.getsockname()[1]
    if store is not None:
        store.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        network=network,
        store=store,
        runs_store=runs,
        default_year=year,
        job_workers=workers,
        **({"cors_origins": split_opt(cors)} if cors else {}),
        # with lanes each process answers its connections' routes itself, on its event loop
        route_processes=0 if lanes is not None else max(processes, 0),
        answer_inline=lanes is not None,
    )
    api = create_app(settings)
    err = console(stderr=True)
    if warm:
        with err.status("loading the routing graph (cached on disk after the first time)"):
            api.state.pool.get(year)
            from serai.cli.route_server import warm_up

            warm_up(lambda y: api.state.pool.get(y)[0], year)  # `serai route`'s code path
    idle = f"; stops after {idle_exit:g} min without a request" if idle_exit is not None else ""
    procs = f"{lanes.n} processes; " if lanes is not None else ""
    err.print(
        f"serai {_version()} serving http://{host}:{port}/  (API docs: /api/docs; "
        f"Ctrl-C or `serai serve --stop` stops{idle}; {procs}pid {os.getpid()})",
        markup=False,
        highlight=False,
    )
    from serai._route_client import serving_file

    clock = None
    if idle_exit is not None and lanes is not None:  # the lanes' requests count too
        from multiprocessing.sharedctypes import RawArray

        clock = RawArray("d", 2 * lanes.n)
    index = lanes.fork() if lanes is not None else 0  # the lanes: copies of this process
    app: Any = api
    if idle_exit is not None:
        app = _IdleExit(api, idle_exit * 60, clock, index)
    if index:  # a lane: jobs and runs are the main process's
        from serai.api.lanes import Forward

        app = Forward(app, lanes.path)  # type: ignore[union-attr]
    from serai.api.http_protocol import protocol

    config = uvicorn.Config(app, host=host, port=port, log_level=log_level.lower(),
                            access_log=False, http=protocol())  # fmt: skip
    server = uvicorn.Server(config)
    sockets = lanes.listening() if lanes is not None else [sock] if sock is not None else None
    if index:
        try:
            server.run(sockets=sockets)
        except KeyboardInterrupt:
            pass
        os._exit(0 if server.started else 3)  # not the main's exit handlers
    if isinstance(app, _IdleExit):
        app.watch(server)
    info = {"auto": auto, "idle_exit_min": idle_exit, "host": host}
    if auto:
        from serai._autostart import LOG

        info["log"] = str(Path(os.getcwd()) / LOG)
    try:
        with serving_file(host, port, network, info):  # `serai route` asks this server
            try:
                server.run(sockets=sockets)
            except KeyboardInterrupt:
                pass
    finally:
        if lanes is not None:
            lanes.stop()
    if not server.started:
        sys.exit(3)  # as uvicorn.run: it could not start (the reason is on stderr)


def _version() -> str:
    from serai import __version__

    return __version__


class _IdleExit:
    """ASGI wrapper of the app: the server stops after ``seconds`` without a request.

    ``clock``: with serving lanes, a shared array of (requests in flight, time of the last)
    per process (``index``); the main stops (and its lanes with it) when all are idle."""

    def __init__(self, app: Any, seconds: float, clock: Any = None, index: int = 0) -> None:
        self.app, self.seconds = app, seconds
        self.clock, self.index = clock, index
        self.active = 0
        self.last = time.monotonic()
        self._note()

    def _note(self) -> None:
        if self.clock is not None:
            self.clock[2 * self.index] = self.active
            self.clock[2 * self.index + 1] = self.last

    def _idle(self) -> tuple[int, float]:
        """(requests in flight, seconds since the last) over every process."""
        if self.clock is None:
            return self.active, time.monotonic() - self.last
        c = self.clock
        n = len(c) // 2
        last = max(c[2 * i + 1] for i in range(n))
        return int(sum(c[2 * i] for i in range(n))), time.monotonic() - last

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        self.active += 1
        self.last = time.monotonic()
        self._note()
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1
            self.last = time.monotonic()
            self._note()

    def watch(self, server: Any) -> None:
        """Set ``server.should_exit`` once idle for :attr:`seconds` (a daemon thread)."""
        import threading

        def run() -> None:
            step = min(5.0, max(0.1, self.seconds / 20))
            while not server.should_exit:
                time.sleep(step)
                active, idle = self._idle()
                if active == 0 and idle >= self.seconds:
                    print(f"serai serve: no request for {idle / 60:.1f} min: stopping",
                          file=sys.stderr, flush=True)  # fmt: skip
                    server.should_exit = True

        threading.Thread(target=run, name="serai-idle-exit", daemon=True).start()


def _bind(host: str) -> Any:
    """A socket bound to ``host`` on a free port chosen by the system."""
    import socket

    from serai.errors import InputError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), 0))
    except OSError as exc:
        sock.close()
        raise InputError(
            f"cannot listen on {host}: {exc.strerror or exc}", field="--host"
        ) from None
    sock.set_inheritable(True)
    return sock


def _lanes(make: Any, host: str, port: int, n: int) -> Any:
    """The :class:`~serai.api.lanes.Lanes` of ``n`` processes on ``host:port``; a port in use
    (by anything, another serai too: ``SO_REUSEPORT`` would share it) is refused.

    A failure says its cause: the port (in use, or not allowed), the host, or else what the
    lanes could not make (their Unix socket's temporary folder, named, or the system's
    words), not a ``--host`` problem it is not.
    """
    import errno
    import socket

    from serai._fs import _why
    from serai.errors import InputError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    probe = socket.socket(family)  # no SO_REUSEPORT: fails on a port someone listens on
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host.strip("[]"), port))
        port = probe.getsockname()[1]
    except OSError as exc:
        port_error = exc.errno in (errno.EADDRINUSE, errno.EACCES)  # in use; < 1024 not root
        raise _cannot_listen(host, port, exc, "--port" if port_error else "--host") from None
    finally:
        probe.close()
    try:
        return make(host, port, n)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE and not exc.filename:  # taken since the probe
            raise _cannot_listen(host, port, exc, "--port") from None
        todo = "set TMPDIR to a writable folder, or serve with --no-lanes"
        if exc.filename:
            raise InputError(
                f"cannot make the serving lanes' socket folder: {_why(exc)} ({todo})",
                file=str(exc.filename),
            ) from None
        raise InputError(
            f"cannot make the serving lanes on {host}:{port}: {exc.strerror or exc} ({todo})"
        ) from None


def _cannot_listen(host: str, port: int, exc: OSError, field: str) -> Exception:
    """The error of a ``host:port`` the lanes cannot listen on, naming ``field``."""
    from serai.errors import InputError

    return InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", field=field)


def _status_or_stop(status: bool, stop: bool) -> None:
    """``serai serve --status`` / ``--stop``: the registered servers (see serai._autostart)."""
    from rich.text import Text

    from serai._autostart import servers, stop_servers
    from serai._cachekey import cache_root

    out = console()
    if status and stop:
        from serai.errors import InputError

        raise InputError("give --status or --stop, not both", field="--stop")
    root = cache_root()
    if stop:
        done = stop_servers()
        for s, stopped in done:
            what = "stopped" if stopped else "still stopping (requests in flight)"
            out.print(Text(f"{what}: {_describe(s)}"))
        if not done:
            out.print(Text(f"no serai server to stop (registered in {root})"))
        if not all(ok for _, ok in done):
            raise typer.Exit(1)
        return
    found = servers()
    for s in found:
        out.print(Text(_describe(s)))
    if not found:
        out.print(Text(f"no serai server running (registered in {root})"))


def _describe(s: dict[str, Any]) -> str:
    """One line about a registered server."""
    started = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(s.get("started") or 0)))
    who = "started by serai route" if s.get("auto") else "started by hand"
    parts = [f"{s['url']}  pid {s['pid']}", f"{who} {started}"]
    if s.get("idle_exit_min") is not None:
        parts.append(f"stops after {float(s['idle_exit_min']):g} min without a request")
    if s.get("rss_mb") is not None:
        parts.append(f"memory (RSS) {s['rss_mb']:,.0f} MB")
    if not s.get("current", True):
        parts.append("another serai version, code or network: not asked by this serai route")
    if s.get("log"):
        parts.append(f"log {s['log']}")
    return "; ".join(parts)


def default_processes(*, auto: bool, warm: bool) -> int:
    """Route worker processes (or, with --lanes, serving processes: :mod:`serai.api.lanes`)
    of a `serai serve` given neither --processes nor $SERAI_ROUTE_PROCESSES: one per core
    the process may run on, so new questions are computed on every core (threads take turns
    under the GIL for their Python half); 0 for a server that `serai route` starts for
    itself (one user's questions, one at a time: extra processes would only take memory) or
    one started with --no-warm (its workers would be forked before the routing graph is
    loaded and each load its own copy), and on a single core."""
    if auto or not warm:
        return 0
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return cores if cores > 1 else 0


def _check_options(
    host: str,
    port: int,
    workers: int,
    log_level: str,
    processes: int | None = None,
    idle_exit: float | None = None,
) -> None:
    """Refuse what uvicorn would fail on late (or serve wrongly: an empty host is every
    interface) before the routing graph is loaded."""
    import math
    import socket

    from serai._checks import check_count
    from serai.errors import InputError, unknown

    if not host.strip():
        raise InputError("give an interface to listen on (127.0.0.1, 0.0.0.0, ...)", field="--host")
    try:
        socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        raise InputError(f"unknown host or interface {host!r}", field="--host") from None
    check_count(port, "--port", 0, 65535)
    check_count(workers, "--workers", 1, 64)
    if processes is not None:
        check_count(processes, "--processes", 0, 64)
    if idle_exit is not None and not (math.isfinite(idle_exit) and 0 < idle_exit <= 10080):
        raise InputError(
            f"--idle-exit must be minutes between 0 and 10080 (a week), not {idle_exit:g}",
            field="--idle-exit",
        )
    levels = ("critical", "error", "warning", "info", "debug", "trace")
    if log_level.lower() not in levels:
        raise unknown("log level", log_level, levels, field="--log-level")
