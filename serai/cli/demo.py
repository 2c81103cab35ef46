"""`serai demo`: the main job on the bundled data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from serai.cli._common import (
    app,
    console,
    handle_errors,
)


@app.command("demo")
@handle_errors
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo outputs.")] = Path("out/demo"),
    overwrite: Annotated[
        bool, typer.Option(help="Replace the outputs of an earlier run in OUT.")
    ] = False,
) -> None:
    """Run the main job on the bundled data and write its outputs."""
    from serai._fs import replace_folder
    from serai.demo import run_demo
    from serai.errors import InputError

    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder", file=str(out))
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise InputError("holds earlier results; pass --overwrite to replace them", file=str(out))
    con = console()
    with replace_folder(out, overwrite=overwrite) as tmp:
        run_demo(tmp, console=_Renamed(con, str(tmp), str(out)))


class _Renamed:
    """A console whose messages name the final folder, not the staging one."""

    def __init__(self, con, old: str, new: str) -> None:
        self._con, self._old, self._new = con, old, new

    def print(self, *objects, **kw) -> None:
        self._con.print(
            *(o.replace(self._old, self._new) if isinstance(o, str) else o for o in objects), **kw
        )

    def __getattr__(self, name):
        return getattr(self._con, name)


@app.command("version")
def version() -> None:
    """Print the version."""
    from serai import __version__

    typer.echo(__version__)
