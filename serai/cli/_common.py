"""Shared pieces of the CLI: the Typer apps, console, error handling, common options."""

from __future__ import annotations

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


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> None:
    console(stderr=True).print(f"[bold red]error:[/] {message}", markup=True)
    raise typer.Exit(code)


def handle_errors(func):
    """Turn serai's own errors (bad input) into one-line messages and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from serai.errors import SeraiError

        try:
            return func(*args, **kwargs)
        except SeraiError as exc:
            fail(str(exc).replace("\n", " | ") if "\n" in str(exc) else str(exc))

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
