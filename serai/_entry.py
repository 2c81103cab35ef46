"""Entry point of the ``serai`` script: answers ``--version`` before anything is imported.

Everything else goes to :func:`serai.cli.run` (Typer and the module of the command
asked for are imported only then), so ``serai --version`` costs a bare interpreter
start-up. ``serai route`` first asks a running route server
(:mod:`serai._route_client`); when none answers it computes here and then starts one
(:mod:`serai._autostart`).
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the ``serai`` command line."""
    if sys.argv[1:] == ["--version"]:  # the cheapest answer: no Typer, no numpy
        from serai import __version__

        sys.stdout.write(f"{__version__}\n")
        return
    after = None
    if sys.argv[1:2] == ["route"]:  # a running `serai serve` answers: no Typer, numpy, pandas
        from serai._route_client import ModeError, try_server

        try:
            code = try_server(sys.argv[2:])
            if code is None:  # none answered: answer here, then start one (serai._autostart)
                from serai._autostart import starter

                after = starter(sys.argv[2:])
        except ModeError as exc:
            sys.stderr.write(f"error: {exc}\n")
            sys.exit(2)
        if code is not None:
            sys.exit(code)
    from serai.cli import run

    if after is None:
        run()
        return
    code = 1
    try:
        run()
        code = 0
    except SystemExit as exc:
        code = exc.code
        raise
    finally:
        if code in (0, None):  # answered: the route server starts for the next calls
            after()
