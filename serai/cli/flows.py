"""`serai flows`: corridor flows (logit equilibrium or capacity LP) with indicators and bottlenecks;
`serai demand`: the demand tables (write the synthesised demand, check a user's file)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from serai.cli._common import app, check_year_option, console, handle_errors

demand_app = typer.Typer(
    help="Freight demand between zones: synthesise, export, check.", no_args_is_help=True
)
app.add_typer(demand_app, name="demand")


@app.command("flows")
@handle_errors
def flows_cmd(
    out: Annotated[
        Path, typer.Option("--out", help="Output folder (tables as CSV and Parquet, summary.json).")
    ],
    year: Annotated[int, typer.Option(help="Network, capacity and demand year.")] = 2024,
    method: Annotated[
        str,
        typer.Option(help="equilibrium (logit choice, congestion) or lp (hard capacities, duals)."),
    ] = "equilibrium",
    demand: Annotated[
        Path | None,
        typer.Option(
            help="Demand file (.csv, .parquet or .omx); default: the synthesised demand of --year."
        ),
    ] = None,
    theta: Annotated[
        float | None, typer.Option(help="Logit dispersion per least cost (default: calibrated).")
    ] = None,
    gap: Annotated[float, typer.Option(help="Equilibrium relative gap.")] = 1e-4,
    max_iter: Annotated[int, typer.Option(help="Equilibrium iteration cap.")] = 300,
    formats: Annotated[
        str, typer.Option("--formats", help="csv, parquet or csv,parquet.")
    ] = "csv,parquet",
    map_: Annotated[
        bool, typer.Option("--map/--no-map", help="Also draw flows.png (bandwidth by tonnes).")
    ] = True,
    progress: Annotated[bool, typer.Option(help="Print one line per iteration.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace existing outputs.")] = False,
) -> None:
    """Flows of the demand on the network of --year: link and element loads, utilisation,
    delays or capacity prices, indicators.csv and the bottleneck list."""
    from serai._fs import check_folder
    from serai.demand import read_demand
    from serai.errors import InputError
    from serai.flows import FlowConfig, run_flows, write_result
    from serai.flows.api import check_outputs

    fmts = tuple(f.strip() for f in formats.split(",") if f.strip())
    bad = [f for f in fmts if f not in ("csv", "parquet")]
    if bad or not fmts:
        raise InputError(
            f"unknown format {bad[0]!r} (csv, parquet or csv,parquet)" if bad
            else "give csv, parquet or csv,parquet", field="--formats",
        )  # fmt: skip
    check_year_option(year)
    cfg = FlowConfig(year=year, method=method, theta=theta, gap=gap, max_iter=max_iter)
    check_folder(out)  # before minutes of work: a file, under a file, not writable
    check_outputs(out, formats=fmts, overwrite=overwrite)  # before the computation
    if map_:
        from serai._fs import check_new

        check_new(out / "flows.png", overwrite)
    d = read_demand(demand, year=year) if demand is not None else None
    c = console()

    def show(row: dict) -> None:
        c.print(f"iteration {row['iteration']:>3}  gap {row['gap']:.2e}  {row['elapsed_s']:.1f} s")

    res = run_flows(None, d, cfg, progress=show if progress else None)
    written = write_result(res, out, formats=fmts, overwrite=overwrite)
    if map_:
        from serai.flows.report import flow_map

        written.append(flow_map(res, out / "flows.png", overwrite=overwrite))
    s = res.summary
    state = (
        f"gap {s['gap']:.1e} after {s['iterations']} iterations" if method == "equilibrium"
        else f"objective USD {s['objective_usd']:,.0f}, {'optimal' if s['optimal'] else 'not optimal'}"
    )  # fmt: skip
    c.print(f"{method} {year}: {state}; {len(written)} files in {out}", markup=False)
    ind = res.indicators
    from rich.table import Table

    t = Table("indicator", "direction", "unit", "value")
    for r in ind.itertuples(index=False):
        t.add_row(r.indicator, r.direction, r.unit, f"{r.value:,.0f}")
    c.print(t)
    if len(res.bottlenecks):
        b = res.bottlenecks.head(8)
        c.print("bottlenecks: " + "; ".join(
            f"{r.name} ({r.direction}, {r.utilisation:.0%})" for r in b.itertuples(index=False)
        ), markup=False)  # fmt: skip


@demand_app.command("write")
@handle_errors
def demand_write(
    path: Annotated[Path, typer.Argument(help="Output file: .csv, .parquet or .omx.")],
    year: Annotated[int, typer.Option(help="Year of the demand.")] = 2024,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing file.")] = False,
) -> None:
    """Write the synthesised demand of --year (zones x commodity groups)."""
    from serai._checks import check_count
    from serai._fs import check_new
    from serai.demand import load_demand, write_demand
    from serai.errors import InputError

    if path.suffix.lower() not in (".csv", ".parquet", ".omx"):  # before the synthesis
        raise InputError(
            f"unknown demand format '{path.suffix}' (use .csv, .parquet or .omx)", file=str(path)
        )
    check_new(path, overwrite)
    check_count(year, "--year", 1900, 2100)
    d = load_demand(year)
    write_demand(d, path, overwrite=overwrite)
    console().print(f"{len(d.table)} OD rows for {year} -> {path}", markup=False)


@demand_app.command("check")
@handle_errors
def demand_check(
    path: Annotated[Path, typer.Argument(help="Demand file: .csv, .parquet or .omx.")],
    year: Annotated[int | None, typer.Option(help="Expected year.")] = None,
) -> None:
    """Check a demand file; print its totals by group."""
    from serai.demand import read_demand

    d = read_demand(path, year=year)
    c = console()
    for r in d.totals().itertuples(index=False):
        c.print(f"{r.group:<14} {r.volume:>16,.0f} {r.unit:<4} {r.tonnes:>16,.0f} t", markup=False)
