"""`serai network`: inspect, validate and convert networks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from serai.cli._common import (
    FormatOpt,
    PathArg,
    ReadOpt,
    console,
    handle_errors,
    network_app,
    options,
)


@network_app.command("info")
@handle_errors
def network_info(path: PathArg, fmt: FormatOpt = None, option: ReadOpt = None) -> None:
    """Print a summary of a network: counts by table and mode, lengths, extent, sources."""
    from rich.table import Table

    from serai.network import read_network, validate

    net = read_network(path, format=fmt, **options(option))
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
    con = console()
    con.print(table)
    sources = net.meta.get("sources") or {}
    folders = {str(Path(str(src)).parent) for src in sources.values()}
    if len(set(map(str, sources.values()))) == 1 and len(sources) > 1:
        con.print(f"read from {next(iter(sources.values()))}", markup=False)
    elif len(sources) > 2 and len(folders) == 1:
        names = ", ".join(Path(str(src)).name for src in sources.values())
        con.print(f"read from {folders.pop()}: {names}", markup=False)
    else:
        for name, src in sources.items():
            con.print(f"{name} read from {src}", markup=False)
    if not report.ok:
        con.print(f"run `serai network validate {path}` to list the problems", markup=False)
    elif report.warnings:
        con.print(f"run `serai network validate {path} --warnings` to list them", markup=False)


@network_app.command("validate")
@handle_errors
def network_validate(
    path: PathArg,
    fmt: FormatOpt = None,
    warnings: Annotated[bool, typer.Option(help="Also list warnings.")] = False,
    option: ReadOpt = None,
    purpose: Annotated[
        str,
        typer.Option("--for", help="any, or assignment (also require what `serai assign` needs)."),
    ] = "any",
) -> None:
    """Check a network; one line per problem (file, row, id, field), exit code 2 on errors."""
    from serai.network import read_network, validate

    report = validate(read_network(path, format=fmt, **options(option)), purpose=purpose)
    err = console(stderr=True)
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
    console().print(f"ok: {path}: {counts}{hint}", markup=False)


@network_app.command("convert")
@handle_errors
def network_convert(
    src: Annotated[Path, typer.Argument(help="Input network.")],
    dst: Annotated[Path, typer.Argument(help="Output path (format from the suffix).")],
    fmt: FormatOpt = None,
    to: Annotated[str | None, typer.Option("--to", help="Output format name.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing output.")] = False,
    option: ReadOpt = None,
) -> None:
    """Convert a network between formats (CSV, Parquet, GeoJSON, GeoPackage, GMNS, TNTP)."""
    from serai._fs import _EXISTS
    from serai.errors import InputError
    from serai.network import read_network, write_network

    # an existing output is refused before the input is read (write_network checks again,
    # with the files a format writes beside it)
    taken = dst.is_file() or dst.is_symlink() or (dst.is_dir() and any(dst.iterdir()))
    if taken and not overwrite:
        raise InputError(_EXISTS, file=str(dst))
    net = read_network(src, format=fmt, **options(option))
    out = write_network(net, dst, format=to, overwrite=overwrite)
    console().print(f"wrote {out} ({len(net.nodes):,} nodes, {len(net.links):,} links)")
