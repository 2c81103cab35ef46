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
) -> None:
    """Run the main job on the bundled data and write its outputs."""
    from serai.demo import run_demo

    run_demo(out, console=console())


@app.command("version")
def version() -> None:
    """Print the version."""
    from serai import __version__

    typer.echo(__version__)
