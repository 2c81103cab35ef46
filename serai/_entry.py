"""Entry point of the ``serai`` script: answers ``--version`` before anything is imported.

Everything else goes to :func:`serai.cli.run` (Typer and the module of the command
asked for are imported only then), so ``serai --version`` costs a bare interpreter
start-up.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the ``serai`` command line."""
    if sys.argv[1:] == ["--version"]:  # the cheapest answer: no Typer, no numpy
        from serai import __version__

        sys.stdout.write(f"{__version__}\n")
        return
    if sys.argv[1:2] == ["route"]:  # a running `serai serve` answers: no Typer, numpy, pandas
        from serai._route_client import try_server

        code = try_server(sys.argv[2:])
        if code is not None:
            sys.exit(code)
    from serai.cli import run

    run()
