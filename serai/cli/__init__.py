"""Command-line interface (Typer): a thin adapter over the library.

Each command parses its options, calls one library function and formats the
result. Errors serai raises on purpose become one-line messages with exit code 2;
heavy modules are imported inside the commands so ``serai --help`` stays fast.
One module per command group; importing this package registers them all.
"""

from __future__ import annotations

import sys

from serai.cli import (  # noqa: F401  (register)
    assign,
    chain,
    data,
    demo,
    emissions,
    flows,
    network,
    paths,
    places,
    route,
    runs,
    scenario,
    serve,
)
from serai.cli._common import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``serai`` script."""
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
