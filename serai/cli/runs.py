"""`serai runs`: the run store (list, show, export, diff)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from serai.cli._common import app, console, handle_errors
from serai.cli.scenario import StoreOpt, _print_table, open_store_opt

runs_app = typer.Typer(
    help="The run store: every scenario run with its inputs and result tables (plain SQL).",
    no_args_is_help=True,
)
app.add_typer(runs_app, name="runs")


def _store(store: str | None):
    from serai.errors import InputError

    st = open_store_opt(store)
    if st is None:
        raise InputError("give a run store (--store), not 'none'", field="--store")
    return st


@runs_app.command("list")
@handle_errors
def list_cmd(
    store: StoreOpt = None,
    scenario: Annotated[str | None, typer.Option(help="Only runs of this scenario.")] = None,
    limit: Annotated[int, typer.Option(help="Newest runs shown.")] = 50,
) -> None:
    """Runs, newest first."""
    st = _store(store)
    df = st.runs(scenario=scenario, limit=limit)
    df["scenario_hash"] = df["scenario_hash"].astype(str).str[:12]
    _print_table(console(), df, ["run_id", "scenario", "year", "method", "status", "elapsed_s",
                                 "started_at", "sweep_id", "scenario_hash", "error"], f"runs in {st.url}",
                 keep=("run_id", "scenario"))  # fmt: skip


@runs_app.command("show")
@handle_errors
def show_cmd(
    run: Annotated[
        str,
        typer.Argument(help="Run id (or a unique prefix), or a scenario name (its latest run)."),
    ],
    store: StoreOpt = None,
    table: Annotated[
        str | None, typer.Option(help="Print this result table (CSV, without geometry).")
    ] = None,
    text: Annotated[bool, typer.Option(help="Print the scenario text.")] = False,
) -> None:
    """A run's record (inputs, versions, timings), its tables, or one table."""
    st = _store(store)
    r = st.get(run)
    c = console()
    if table is not None:  # an empty name is an unknown table, not "no table asked"
        df = r.tables[table] if table in r.table_names else None
        if df is None:
            from serai.errors import unknown

            raise unknown("table", table, r.table_names, field="--table")
        # CSV on stdout: wide tables stay whole on any terminal and can be piped
        df = df.drop(columns=[x for x in ("geometry",) if x in df.columns])
        c.print(df.to_csv(index=False), markup=False, soft_wrap=True, end="")
        return
    rec = r.record
    for k in ("run_id", "scenario", "scenario_hash", "year", "method", "status", "error", "started_at",
              "elapsed_s", "serai_version", "sweep_id", "host"):  # fmt: skip
        v = rec.get(k)
        if v is not None and str(v) not in ("nan", "None", "NaT"):
            c.print(f"{k:<14} {v}", markup=False)
    for k in ("data_versions", "timings", "parameters"):
        v = rec.get(k)
        v = v if isinstance(v, dict) else json.loads(v or "{}")
        c.print(f"{k:<14} {json.dumps(v)}", markup=False)
    c.print("tables         " + ", ".join(r.table_names), markup=False)
    if text:
        c.print(str(rec.get("scenario_text") or ""), markup=False)


@runs_app.command("export")
@handle_errors
def export_cmd(
    run: Annotated[
        str, typer.Argument(help="Run id (or prefix), or a scenario name (its latest run).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    store: StoreOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    overwrite: Annotated[bool, typer.Option(help="Replace outputs serai wrote before.")] = False,
) -> None:
    """Write a run's tables, run.json and scenario.toml to a folder."""
    st = _store(store)
    p = st.export(run, out, overwrite=overwrite, fmt=fmt)
    console().print(f"run {st.resolve(run)} -> {p}", markup=False)


@runs_app.command("diff")
@handle_errors
def diff_cmd(
    a: Annotated[str, typer.Argument(help="First run (id, prefix or scenario name).")],
    b: Annotated[str, typer.Argument(help="Second run: differences are B - A.")],
    store: StoreOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the comparison to a folder.")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace outputs serai wrote before.")] = False,
) -> None:
    """Two stored runs side by side: headline, corridor indicators, routes (as `scenario compare`)."""
    from serai.scenarios.compare import compare

    if out is not None:  # before reading the runs, as `scenario compare` does
        from serai._fs import check_folder
        from serai.scenarios.run import check_out

        check_folder(out)
        check_out(out, ("*.csv", "compare.md", "runs.json", "flow_change.png"), overwrite)
    st = _store(store)
    ra, rb = st.get(a), st.get(b)
    cmp = compare(ra, rb)
    if out is not None:
        cmp.write(out, overwrite=overwrite)
    c = console()
    _print_table(c, cmp["headline"], ["indicator", "unit", "value_A", "value_B", "value_diff", "value_pct"],
                 f"A = {ra.name} ({ra.run_id}), B = {rb.name} ({rb.run_id})")  # fmt: skip
    if len(cmp["indicators"]):
        _print_table(
            c,
            cmp["indicators"],
            ["indicator", "direction", "unit", "value_A", "value_B", "value_diff"],
            "indicators",
        )
    if len(cmp["routes"]):
        _print_table(
            c,
            cmp["routes"],
            ["question", "variant", "days_A", "days_B", "usd_A", "usd_B", "co2e_kg_A", "co2e_kg_B"],
            "routes",
        )
