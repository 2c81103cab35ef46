"""Shared pieces of the CLI: the Typer apps, console, error handling, common options."""

from __future__ import annotations

from contextvars import ContextVar
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    name="serai",
    help="Plan freight and critical-mineral flows across the Eurasian corridors.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
network_app = typer.Typer(help="Inspect, validate and convert networks.", no_args_is_help=True)
paths_app = typer.Typer(help="Shortest paths and skims.", no_args_is_help=True)
app.add_typer(network_app, name="network")
app.add_typer(paths_app, name="paths")
data_app = typer.Typer(help="The embedded Eurasian network: build and map.", no_args_is_help=True)
app.add_typer(data_app, name="data")
emissions_app = typer.Typer(
    help="Emissions of transport chains (ISO 14083 / GLEC), iLEAP export.", no_args_is_help=True
)
app.add_typer(emissions_app, name="emissions")


# (stdout console, stderr console) that console() returns instead of new ones: set while
# `serai serve` runs a command for a `serai route` client (serai.cli.route_server)
CAPTURE: ContextVar[tuple | None] = ContextVar("serai_cli_capture", default=None)


def console(stderr: bool = False):
    """A rich console that never reads markup from text (user text cannot inject styles)."""
    captured = CAPTURE.get()
    if captured is not None:
        return captured[1 if stderr else 0]
    import os
    import sys

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None  # a terminal's own width, or $COLUMNS
    if not os.environ.get("COLUMNS", "").strip() and not _tty(stream):
        width = WIDE  # a file or a pipe: tables whole, not cut to 80 columns
    return Console(stderr=stderr, highlight=False, soft_wrap=True, markup=False, width=width)


WIDE = 200  # columns of output written to a file or a pipe


def _tty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False


_CONTROL = str.maketrans({c: None for c in [*range(0, 9), *range(10, 32), *range(127, 160)]})


def echo(text: str, err: bool = False) -> None:
    """Print one line of plain text without rich (for commands that print nothing else).

    Control characters (terminal escapes in a file name, ...) are dropped; characters
    the stream cannot encode become ``?``.
    """
    import sys

    stream = sys.stderr if err else sys.stdout
    line = str(text).translate(_CONTROL)
    enc = getattr(stream, "encoding", None) or "utf-8"
    stream.write(line.encode(enc, "replace").decode(enc) + "\n")
    stream.flush()


def fail(message: str, code: int = 2) -> None:
    """Print ``error: message`` (message shown as it is, never as markup) and exit."""
    from rich.text import Text

    line = Text("error:", style="bold red")
    line.append(" " + str(message).replace("\n", " | "))
    console(stderr=True).print(line)
    raise typer.Exit(code)


def show_warnings(report) -> None:
    """Print each validation warning once (each already says how many rows it covers)."""
    err = console(stderr=True)
    for w in report.warnings:
        err.print(str(w))


def _plain_warnings() -> None:
    """serai's own warnings (a cache not written, unusual data) as one line ``warning: ...``
    on stderr, without the source line Python adds; other warnings as Python shows them.
    Installed once (idempotent: commands may run in threads of ``serai serve``)."""
    import warnings

    previous = warnings.showwarning
    if getattr(previous, "serai", False):
        return
    from serai.errors import CacheWarning, DataWarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, CacheWarning | DataWarning):
            echo(f"warning: {message}", err=True)
        else:
            previous(message, category, filename, lineno, file, line)

    show.serai = True  # type: ignore[attr-defined]
    warnings.showwarning = show


class Terminated(KeyboardInterrupt):
    """SIGTERM received: unwinds like Ctrl-C so partial outputs are cleaned up."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


def install_signal_handlers() -> None:
    """SIGTERM unwinds like Ctrl-C (temporary files removed, old outputs untouched)."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm)


def handle_errors(func):
    """Turn every failure into a one-line message and an exit code; never a traceback.

    serai's own errors (bad input) and OS errors (disk full, permission, ...) exit
    with 2; Ctrl-C with 130, SIGTERM with 143; running out of memory with 1. Any
    other exception is a bug in serai: one line saying so, exit code 70 (the
    traceback is printed when the environment variable ``SERAI_DEBUG`` is set).
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import os

        from serai.errors import SeraiError

        _plain_warnings()
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except SeraiError as exc:
            fail(str(exc))
        except Terminated:
            fail("terminated (SIGTERM); outputs left as they were", code=143)
        except KeyboardInterrupt:
            fail("interrupted; outputs left as they were", code=130)
        except OSError as exc:
            from serai._fs import os_error

            fail(str(os_error(exc, exc.filename or "", "cannot read or write")))
        except MemoryError:
            fail("out of memory: the input is too large for this machine", code=1)
        except RecursionError:
            fail("input nested too deeply (recursion limit)", code=2)
        except Exception as exc:
            if os.environ.get("SERAI_DEBUG"):
                raise
            fail(
                f"internal error (a bug in serai, please report it): {type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''}",
                code=70,
            )

    return wrapper


PathArg = Annotated[Path, typer.Argument(help="Network file or directory (format from the path).")]
FormatOpt = Annotated[str | None, typer.Option("--format", "-f", help="Input format name.")]
ReadOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--option",
        "-o",
        help="Reader option KEY=VALUE, repeatable (e.g. length_unit=mi for GMNS, "
        "two_way=true for hand-drawn GeoJSON).",
    ),
]


def options(items: list[str] | None) -> dict[str, Any]:
    """KEY=VALUE strings as a dict; true/false and numbers are converted."""
    from serai.errors import InputError

    out: dict[str, Any] = {}
    for item in items or ():
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"expected KEY=VALUE, got {item!r}", field="--option")
        value: Any = text.strip()
        if value.lower() in ("true", "false"):
            value = value.lower() == "true"
        else:
            for cast in (int, float):
                try:
                    value = cast(value)
                    break
                except ValueError:
                    continue
        out[key.strip()] = value
    return out


def split_opt(values: list[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for v in values or ():
        out += [x.strip() for x in v.replace(";", ",").split(",") if x.strip()]
    return tuple(out)


def check_year_option(year: int | None, network: Path | None = None, name: str = "--year"):
    """A command's ``--year`` refused before any work when outside the years the network
    covers (:func:`serai.data.years.check_year`, the gate of every entry point): the
    embedded network's range is read at once; a ``--network`` file's when it is loaded."""
    if year is None:
        return None
    from serai.data.years import check_year, covered_years, whole_year

    if network is not None:
        return whole_year(year, field=name)
    return check_year(year, covered_years(None), field=name)


def _version_callback(value: bool) -> None:
    if value:
        from serai import __version__

        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Plan freight and critical-mineral flows across the Eurasian corridors."""
    install_signal_handlers()
