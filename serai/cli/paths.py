"""`serai paths`: shortest paths and skims."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from serai.cli._common import (
    FormatOpt,
    PathArg,
    console,
    handle_errors,
    paths_app,
)


@paths_app.command("skim")
@handle_errors
def paths_skim(
    path: PathArg,
    cost: Annotated[str, typer.Option(help="Link column to minimise.")] = "free_flow_time",
    field: Annotated[
        list[str] | None, typer.Option("--field", help="Other columns to sum along the paths.")
    ] = None,
    out: Annotated[Path, typer.Option(help="Output table (.csv or .parquet).")] = Path("skim.csv"),
    fmt: FormatOpt = None,
    block_zones: Annotated[
        bool | None, typer.Option(help="Forbid (or allow) passing through zones; default: data.")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing output.")] = False,
) -> None:
    """Zone-to-zone skim of COST (plus --field columns) written as a long table."""
    from serai._fs import check_new, write_table
    from serai.errors import InputError
    from serai.network import compile_network, read_network
    from serai.paths import skim

    if out.suffix.lower() not in (".csv", ".parquet"):
        raise InputError("output must end in .csv or .parquet", file=str(out))
    check_new(out, overwrite)
    graph = compile_network(read_network(path, format=fmt), block_zones=block_zones)
    result = skim(graph, cost=cost, fields=field or ())
    frame = result.to_frame()
    write_table(frame, out, overwrite=overwrite)
    console().print(
        f"wrote {out}: {len(result.origins)} x {len(result.destinations)} pairs, "
        f"columns {', '.join(frame.columns[2:])}"
    )
