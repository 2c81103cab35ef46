"""Command-line interface (Typer): a thin adapter over the library.

Each command parses its options, calls one library function and formats the
result. Errors serai raises on purpose become one-line messages with exit code 2;
heavy modules are imported inside the commands so ``serai --help`` stays fast.
"""

from __future__ import annotations

import sys
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

__all__ = ["app", "main"]


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _fail(message: str, code: int = 2) -> None:
    _console(stderr=True).print(f"[bold red]error:[/] {message}", markup=True)
    raise typer.Exit(code)


def handle_errors(func):
    """Turn serai's own errors (bad input) into one-line messages and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from serai.errors import SeraiError

        try:
            return func(*args, **kwargs)
        except SeraiError as exc:
            _fail(str(exc).replace("\n", " | ") if "\n" in str(exc) else str(exc))

    return wrapper


PathArg = Annotated[Path, typer.Argument(help="Network file or directory (format from the path).")]
FormatOpt = Annotated[str | None, typer.Option("--format", "-f", help="Input format name.")]


@network_app.command("info")
@handle_errors
def network_info(path: PathArg, fmt: FormatOpt = None) -> None:
    """Print a summary of a network: counts by table and mode, lengths, extent, sources."""
    from rich.table import Table

    from serai.network import read_network, validate

    net = read_network(path, format=fmt)
    s = net.summary()
    crs = net.meta.get("crs")
    unit = "length units of the file" if net.meta.get("format") == "tntp" else "km"
    table = Table(title=f"{s['name']} (CRS: {crs or 'unknown'})", show_header=True)
    table.add_column("item")
    table.add_column("value", justify="right")
    for key in ("nodes", "links", "zones"):
        table.add_row(key, f"{s[key]:,}")
    for mode, count in s.get("links_by_mode", {}).items():
        length = s.get("length_by_mode", {}).get(mode)
        extra = f" ({length:,.1f} {unit})" if length is not None else ""
        table.add_row(f"links: {mode}", f"{count:,}{extra}")
    for name, df in net.tables.items():
        if name not in ("nodes", "links"):
            table.add_row(f"table: {name}", f"{len(df):,} rows")
    nodes = net.nodes
    if {"x", "y"} <= set(nodes.columns) and nodes["x"].notna().any():
        x, y = nodes["x"], nodes["y"]
        table.add_row("x range", f"{x.min():.6g} .. {x.max():.6g}")
        table.add_row("y range", f"{y.min():.6g} .. {y.max():.6g}")
    report = validate(net)
    table.add_row(
        "validation", f"{len(report.errors):,} error(s), {len(report.warnings):,} warning(s)"
    )
    con = _console()
    con.print(table)
    for name, src in (net.meta.get("sources") or {}).items():
        con.print(f"{name} read from {src}", markup=False)
    if not report.ok:
        con.print(f"run `serai network validate {path}` to list the problems", markup=False)


@network_app.command("validate")
@handle_errors
def network_validate(
    path: PathArg,
    fmt: FormatOpt = None,
    warnings: Annotated[bool, typer.Option(help="Also list warnings.")] = False,
) -> None:
    """Check a network; one line per problem (file, row, id, field), exit code 2 on errors."""
    from serai.network import read_network, validate

    report = validate(read_network(path, format=fmt))
    err = _console(stderr=True)
    for p in report.errors:
        err.print(str(p), markup=False)
    if warnings:
        for p in report.warnings:
            err.print(str(p), markup=False)
    counts = f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    if not report.ok:
        err.print(f"{path}: {counts}", markup=False)
        raise typer.Exit(2)
    hint = "" if warnings or not report.warnings else " (--warnings lists them)"
    _console().print(f"ok: {path}: {counts}{hint}", markup=False)


@network_app.command("convert")
@handle_errors
def network_convert(
    src: Annotated[Path, typer.Argument(help="Input network.")],
    dst: Annotated[Path, typer.Argument(help="Output path (format from the suffix).")],
    fmt: FormatOpt = None,
    to: Annotated[str | None, typer.Option("--to", help="Output format name.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing output.")] = False,
) -> None:
    """Convert a network between formats (CSV, Parquet, GeoJSON, GeoPackage, GMNS, TNTP)."""
    from serai.network import read_network, write_network

    net = read_network(src, format=fmt)
    out = write_network(net, dst, format=to, overwrite=overwrite)
    _console().print(f"wrote {out} ({len(net.nodes):,} nodes, {len(net.links):,} links)")


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
    from serai.errors import InputError
    from serai.network import compile_network, read_network
    from serai.paths import skim

    if out.exists() and not overwrite:
        raise InputError("already exists; pass --overwrite to replace it", file=str(out))
    graph = compile_network(read_network(path, format=fmt), block_zones=block_zones)
    result = skim(graph, cost=cost, fields=field or ())
    frame = result.to_frame()
    if out.suffix.lower() == ".parquet":
        frame.to_parquet(out, index=False)
    elif out.suffix.lower() == ".csv":
        frame.to_csv(out, index=False)
    else:
        raise InputError("output must end in .csv or .parquet", file=str(out))
    _console().print(
        f"wrote {out}: {len(result.origins)} x {len(result.destinations)} pairs, "
        f"columns {', '.join(frame.columns[2:])}"
    )


@app.command("demo")
@handle_errors
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo outputs.")] = Path("out/demo"),
) -> None:
    """Run the main job on the bundled data and write its outputs."""
    from serai.demo import run_demo

    run_demo(out, console=_console())


@app.command("version")
def version() -> None:
    """Print the version."""
    from serai import __version__

    typer.echo(__version__)


def main() -> None:
    """Entry point of the ``serai`` script."""
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
