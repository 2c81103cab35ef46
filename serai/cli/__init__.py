"""Command-line interface (Typer): a thin adapter over the library.

Each command parses its options, calls one library function and formats the
result. Errors serai raises on purpose become one-line messages with exit code 2;
heavy modules are imported inside the commands so ``serai --help`` stays fast.
One module per command group (:data:`COMMANDS` says which module registers which
top-level command); ``from serai.cli import app`` gives the complete app (every
module imported), while the ``serai`` script (:func:`run`) imports only the module
of the command it runs.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

__all__ = ["COMMANDS", "app", "main", "run"]

#: Every module of the CLI, in the order they register their commands (``serai --help``).
MODULES = (
    "assign",
    "chain",
    "data",
    "demo",
    "emissions",
    "flows",
    "network",
    "paths",
    "places",
    "route",
    "runs",
    "scenario",
    "serve",
)

#: Top-level command or group -> the module that registers it (or its subcommands).
#: ``tests/cli/test_lazy.py`` checks this against the complete app.
COMMANDS = {
    "assign": "assign",
    "chain": "chain",
    "data": "data",
    "demo": "demo",
    "version": "demo",
    "emissions": "emissions",
    "flows": "flows",
    "demand": "flows",
    "network": "network",
    "paths": "paths",
    "places": "places",
    "route": "route",
    "runs": "runs",
    "scenario": "scenario",
    "serve": "serve",
}


def load(modules: tuple[str, ...] = MODULES) -> typer.Typer:
    """The app with the commands of ``modules`` registered (all by default)."""
    for name in modules:
        importlib.import_module(f"serai.cli.{name}")
    from serai.cli._common import app

    return app


def __getattr__(name: str) -> object:
    if name == "app":  # the complete app, as before the lazy loading
        return load()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Run the complete app (every command registered)."""
    load()()


def run(argv: list[str] | None = None) -> None:
    """Entry point of the ``serai`` script: registers only the command it is asked for.

    ``serai assign ...`` imports the ``assign`` module and nothing of the others; a
    first argument that names no command (``--help``, a typo, nothing) loads them
    all, so help and "no such command" suggestions are those of the complete app.
    """
    args = sys.argv[1:] if argv is None else argv
    module = COMMANDS.get(args[0]) if args else None
    app = load((module,) if module else MODULES)
    if argv is None:
        app()  # the program name from sys.argv, as click tells it
    else:
        app(args=argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
