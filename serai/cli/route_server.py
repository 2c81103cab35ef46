"""``serai route`` answered by a running ``serai serve``: the server side.

:func:`run_route_argv` runs THE ``serai route`` command (the Typer command of
:mod:`serai.cli.route`, its option parsing, checks, error handling and printing) on a
router it is given, with everything the command prints captured by consoles that
render as the client's would (width, terminal, colours, encoding): the client prints
that text and exits with the code, so the output is the direct path's by
construction. :func:`add_cli_route` adds the endpoint ``POST /api/cli/route`` to
the service (not in the OpenAPI schema; loopback clients only). The client is
:mod:`serai._route_client` (standard library only).

A command that needs the client's files or folder (``--batch``, ``--geojson``,
``--out``, ``--network``) or that the parser refuses (usage errors, ``--help``) is
answered ``{"fallback": true}``: the client then computes in its own process.
"""

import io
import threading
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["add_cli_route", "run_route_argv", "warm_up"]

_LOCAL_PARAMS = ("batch", "out", "geojson", "network")
_COMMAND: list[Any] = []
_COMMAND_LOCK = threading.Lock()


class _Buffer(io.StringIO):
    """Text buffer with the client's stream encoding (rich picks box characters by it)."""

    def __init__(self, encoding: str) -> None:
        super().__init__()
        self._encoding = encoding or "utf-8"

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding

    def isatty(self) -> bool:
        return False


def _console(facts: Mapping[str, Any], file: io.StringIO) -> Any:
    """A console over ``file`` that renders as the client's console decided to."""
    from rich.console import Console

    color = facts.get("color_system")
    if color not in ("standard", "256", "truecolor", "windows"):
        color = None
    term = str(facts.get("term") or "")
    return Console(
        file=file,
        width=int(facts.get("width") or 80),
        height=int(facts.get("height") or 25),
        force_terminal=bool(facts.get("terminal")),
        force_interactive=bool(facts.get("interactive")),
        force_jupyter=False,
        color_system=color,
        no_color=bool(facts.get("no_color")),
        legacy_windows=False,
        highlight=False,
        soft_wrap=True,
        markup=False,
        _environ={"TERM": term} if term else {},
    )


def _route_command() -> Any:
    """The click command of ``serai route`` (built once; the same function and options)."""
    with _COMMAND_LOCK:
        if not _COMMAND:
            import typer
            import typer.main

            from serai.cli.route import route_cmd

            single = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
            single.command("route")(route_cmd)
            _COMMAND.append(typer.main.get_command(single))
        return _COMMAND[0]


def run_route_argv(
    argv: list[str], console: Mapping[str, Any], router_of: Callable[[int | None], Any]
) -> dict[str, Any]:
    """Run ``serai route <argv>`` with ``router_of(year)`` as the router; what it printed.

    Returns ``{"stdout", "stderr", "exit_code"}``, or ``{"fallback": True, "reason"}``
    when the client must run the command itself (see the module docstring).
    """
    import typer

    from serai.cli import _common
    from serai.cli import route as route_mod

    cmd = _route_command()
    out_f = console.get("stdout") or {}
    err_f = console.get("stderr") or {}
    out = _Buffer(str(out_f.get("encoding") or "utf-8"))
    err = _Buffer(str(err_f.get("encoding") or "utf-8"))
    tokens = (
        _common.CAPTURE.set((_console(out_f, out), _console(err_f, err))),
        route_mod.SERVED_BY.set(router_of),
    )
    try:
        try:
            ctx = cmd.make_context("route", list(argv))
        except Exception:  # usage errors, --help: printed by the client's own parser
            return {"fallback": True, "reason": "the command line is not a plain route query"}
        if any(ctx.params.get(p) is not None for p in _LOCAL_PARAMS):
            return {"fallback": True, "reason": "the command reads or writes the client's files"}
        try:
            with ctx:
                cmd.invoke(ctx)
            code = 0
        except typer.Exit as exc:
            code = int(exc.exit_code)
        except Exception:  # not answered by handle_errors: let the client run it
            return {"fallback": True, "reason": "the command failed on the server"}
    finally:
        _common.CAPTURE.reset(tokens[0])
        route_mod.SERVED_BY.reset(tokens[1])
    return {"stdout": out.getvalue(), "stderr": err.getvalue(), "exit_code": code}


def warm_up(router_of: Callable[[int | None], Any], year: int | None = None) -> None:
    """Run one route command with its output thrown away, so that the first client's
    call does not pay for importing and building the command's code path (Typer
    command, tables, emissions). Places that the network lacks only make it shorter."""
    facts = {"width": 100, "height": 25, "terminal": False, "interactive": False,
             "color_system": None, "no_color": True, "encoding": "utf-8", "term": ""}  # fmt: skip
    argv = ["--from", "Almaty", "--to", "Duisburg"]
    if year is not None:
        argv += ["--year", str(year)]
    try:
        run_route_argv(argv, {"stdout": facts, "stderr": facts}, router_of)
    except Exception:  # a warm-up: the real calls report their own errors
        pass


_LOCAL_HOSTS = ("127.0.0.1", "::1", "::ffff:127.0.0.1", "localhost", "testclient")
MAX_ARGS = 200
MAX_ARG_CHARS = 2000


def _request(body: Any) -> tuple[list[str], dict[str, Any]] | None:
    """(argv, console facts) of a well-formed request body, else None."""
    if not isinstance(body, dict):
        return None
    argv, cons = body.get("argv"), body.get("console")
    if not isinstance(argv, list) or len(argv) > MAX_ARGS:
        return None
    if not all(isinstance(a, str) and len(a) <= MAX_ARG_CHARS for a in argv):
        return None
    if not isinstance(cons, dict):
        return None
    for k in ("stdout", "stderr"):
        f = cons.get(k, {})
        if not isinstance(f, dict):
            return None
        for n in ("width", "height"):
            if not isinstance(f.get(n, 80), int) or not 1 <= f.get(n, 80) <= 10_000:
                return None
    return argv, cons


def add_cli_route(app: Any, pool: Any) -> None:
    """Add ``POST /api/cli/route`` (used by ``serai route`` when this server is registered)."""
    from fastapi import Request
    from fastapi.responses import JSONResponse

    from serai._route_client import ENDPOINT, identity

    me = identity(getattr(pool, "network", None))

    @app.post(ENDPOINT, include_in_schema=False)
    async def cli_route(request: Request) -> Any:
        host = request.client.host if request.client else ""
        if host not in _LOCAL_HOSTS:
            return JSONResponse({"fallback": True, "reason": "local clients only"}, 403)
        try:
            body = await request.json()
        except ValueError:
            body = None
        parsed = _request(body)
        if parsed is None:
            return JSONResponse({"fallback": True, "reason": "malformed request"}, 400)
        if any(body.get(k) != v for k, v in me.items()):
            return JSONResponse({"fallback": True, "reason": "another serai or network"}, 409)
        from starlette.concurrency import run_in_threadpool

        argv, cons = parsed
        answer = await run_in_threadpool(run_route_argv, argv, cons, lambda year: pool.get(year)[0])
        return JSONResponse(answer)
