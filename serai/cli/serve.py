"""`serai serve`: the HTTP API and the web app (FastAPI + uvicorn)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from serai.cli._common import app, console, handle_errors


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
    warm: Annotated[
        bool, typer.Option(help="Build (or read) the routing graph before accepting requests.")
    ] = True,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
) -> None:
    """Serve the HTTP API (/api, OpenAPI at /api/docs) and the web app (/) on one port."""
    from serai.errors import OptionalDependencyError

    try:
        import uvicorn

        from serai.api import Settings, create_app
    except ImportError as exc:
        raise OptionalDependencyError(exc.name or "fastapi", "service") from None
    from serai.cli._common import split_opt

    _check_options(host, port, workers, log_level)
    if store is not None:
        store.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        network=network,
        store=store,
        runs_store=runs,
        default_year=year,
        job_workers=workers,
        **({"cors_origins": split_opt(cors)} if cors else {}),
    )
    api = create_app(settings)
    err = console(stderr=True)
    if warm:
        with err.status("loading the routing graph (cached on disk after the first time)"):
            api.state.pool.get(year)
    err.print(
        f"serai {_version()} serving http://{host}:{port}/  (API docs: /api/docs; Ctrl-C stops)"
    )
    from serai._route_client import serving_file

    with serving_file(host, port, network):  # `serai route` asks this server (same output)
        uvicorn.run(api, host=host, port=port, log_level=log_level.lower(), access_log=False)


def _version() -> str:
    from serai import __version__

    return __version__


def _check_options(host: str, port: int, workers: int, log_level: str) -> None:
    """Refuse what uvicorn would fail on late (or serve wrongly: an empty host is every
    interface) before the routing graph is loaded."""
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
    levels = ("critical", "error", "warning", "info", "debug", "trace")
    if log_level.lower() not in levels:
        raise unknown("log level", log_level, levels, field="--log-level")
