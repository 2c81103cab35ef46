"""`serai scenario`: scenario files (list, show, check), runs, comparisons, appraisal, sweeps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from serai.cli._common import app, console, handle_errors

scenario_app = typer.Typer(
    help="Scenarios: changes as data (TOML), runs, comparison, appraisal, sweeps on Dask.",
    no_args_is_help=True,
)
app.add_typer(scenario_app, name="scenario")

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Run store: a DuckDB file (default $SERAI_STORE or ./serai-runs.duckdb), "
        "postgresql://user@host/db, or 'none'.",
    ),
]
MethodOpt = Annotated[
    str,
    typer.Option(help="Flows method: equilibrium (logit, congestion) or lp (capacities, duals)."),
]


def open_store_opt(store: str | None, *, writes: bool = False):
    """The store of a --store option (None for 'none').

    ``writes``: the command writes runs into it (``scenario run``, ``scenario sweep``), so
    a DuckDB file's missing folder is made, as ``--out`` makes its own; a command that only
    reads (``compare``, ``appraise``) still refuses a folder that does not exist.
    """
    if store is not None and store.strip().lower() in ("none", "off", ""):
        return None
    from serai.store import open_store

    if writes and store is not None and "://" not in store:
        from pathlib import Path

        folder = Path(store).expanduser().parent
        if not folder.exists():
            try:
                folder.mkdir(parents=True)
            except OSError as exc:
                from serai.errors import InputError

                raise InputError(
                    f"cannot make the folder of the run store: {exc.strerror}", file=store
                ) from None
    return open_store(store)


def _status(c, message: str):
    return c.status(message, spinner="dots")


def _print_table(
    c,
    df,
    cols: list[str],
    title: str | None = None,
    fmt=None,
    limit: int = 60,
    keep: tuple[str, ...] = (),
) -> None:
    """A rich table of ``cols``; the ``keep`` columns are never shortened (the others
    give way on a narrow terminal)."""
    from rich.table import Table
    from rich.text import Text

    cols = [x for x in cols if x in df.columns]
    rows = [[_cell(r[x], fmt) for x in cols] for _, r in df.head(limit).iterrows()]
    t = Table(title=Text(title) if title else None)  # user text: never read as markup
    for i, x in enumerate(cols):
        if x in keep:
            w = max([len(x), *(len(r[i]) for r in rows)])
            t.add_column(x, no_wrap=True, min_width=w)
        else:
            t.add_column(x)
    for r in rows:
        t.add_row(*(Text(x) for x in r))
    c.print(t)


def _cell(v, fmt=None) -> str:
    import math

    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if fmt:
            return fmt(v)
        return f"{v:,.1f}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


@scenario_app.command("list")
@handle_errors
def list_cmd() -> None:
    """The shipped scenario library (serai/scenarios/library/)."""
    from serai.scenarios import library_names, library_path, load_scenario

    c = console()
    rows = []
    for n in library_names():
        s = load_scenario(n, check=False)
        rows.append((n, str(s.year), " + ".join(s.chain[:-1]) or "-", s.title))
    from rich.table import Table

    t = Table("name", "year", "extends", "title", title=f"scenarios in {library_path()}")
    for r in rows:
        t.add_row(*r)
    c.print(t)


@scenario_app.command("check")
@handle_errors
def check_cmd(
    files: Annotated[list[str], typer.Argument(help="Scenario files or library names.")],
) -> None:
    """Check scenario files against the schema and the data (exit code 2 at the first problem)."""
    from serai.scenarios import load_scenario

    c = console()
    for f in files:
        s = load_scenario(f)
        n = sum(len(v) for v in s.changes.values())
        c.print(f"{f}: ok ({s.name}, {s.year}, {n} changes, hash {s.hash[:12]})", markup=False)


@scenario_app.command("show")
@handle_errors
def show_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario file or library name.")],
) -> None:
    """The resolved changes of a scenario (its extends chain included), with their sources."""
    from serai.scenarios import load_scenario
    from serai.scenarios.run import _changes_table, _measures_table

    c = console()
    s = load_scenario(scenario)
    c.print(f"{s.name} ({s.year}): {s.title}", markup=False)
    c.print(f"extends: {' -> '.join(s.chain)}; hash {s.hash}", markup=False)
    ch = _changes_table(s)
    for r in ch.itertuples(index=False):
        what = f"{r.section:<14} {r.what} {r.change} {r.unit}".rstrip()
        m = f" [measure {r.measure}]" if r.measure else ""
        why = (f"EST: {r.note}" if r.estimate else r.source) or r.note
        c.print(f"{what}{m} ({r.file}): {why}", markup=False)
    m = _measures_table(s)
    if len(m):
        _print_table(
            c,
            m,
            ["measure", "name", "capex_musd", "om_musd_per_year", "open_year", "estimate"],
            "measures",
        )


def _headline(c, res) -> None:
    h = res.tables["headline"]
    if not len(h):  # demand, tonnes, costs and CO2e all come from the flows
        c.print("headline: no figures without the flows (run without --no-flows)", markup=False)
        return
    _print_table(c, h, ["indicator", "unit", "value"], "headline")


def _key_indicators(df):
    keep = (
        "trans_caspian",
        "kz_cn_rail_tonnes",
        "btk",
        "china_eu",
        "port_throughput_tonnes",
        "kz_transit",
    )
    m = df["indicator"].astype(str).str.startswith(keep)
    return df.loc[m]


@scenario_app.command("run")
@handle_errors
def run_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario file or library name.")],
    out: Annotated[
        Path,
        typer.Option("--out", help="Output folder (tables as CSV, summary.json, scenario.toml)."),
    ],
    method: MethodOpt = "equilibrium",
    flows: Annotated[
        bool, typer.Option("--flows/--no-flows", help="Run the corridor flows.")
    ] = True,
    store: StoreOpt = None,
    overwrite: Annotated[bool, typer.Option(help="Replace outputs serai wrote before.")] = False,
) -> None:
    """Run a scenario: flows, indicators, emissions and the flagship routes; record the run."""
    from serai._fs import check_folder
    from serai.scenarios import load_scenario
    from serai.scenarios.run import RESULT_FILES, check_out, run_scenario

    c = console()
    _check_method(method)
    check_folder(out)  # before minutes of work
    check_out(out, RESULT_FILES, overwrite)
    s = load_scenario(scenario)
    st = open_store_opt(store, writes=True)
    with _status(c, f"running {s.name} ({s.year})") as sp:
        res = run_scenario(
            s, method=method, flows=flows, progress=lambda f, m: sp.update(f"{s.name}: {m}")
        )
    res.write(out, overwrite=overwrite)
    rid = st.record(res) if st is not None else None
    _headline(c, res)
    if "indicators" in res.tables:
        _print_table(
            c,
            _key_indicators(res.tables["indicators"]),
            ["indicator", "direction", "unit", "value"],
            "corridor indicators",
        )
    _print_table(
        c,
        res.tables["routes"],
        ["question", "variant", "corridor", "days", "usd", "co2e_kg"],
        "flagship routes (per unit)",
    )
    if len(res.tables["targets"]):
        _print_table(c, res.tables["targets"], ["target", "claim", "model", "verdict"], "claims")
    tm = res.summary["timings_s"]
    where = f"; run {rid} in {st.url}" if st is not None else ""
    c.print(f"{s.name}: {tm['total_s']:.1f} s; tables in {out}{where}", markup=False)


def _check_method(method: str) -> None:
    from serai.errors import InputError
    from serai.flows.model import METHODS

    if method not in METHODS:
        raise InputError(f"unknown method '{method}'; use equilibrium or lp", field="--method")


def _check_early(method: str, out, a: str, b: str, load) -> None:
    """What can be refused before minutes of runs: method, output folder, both scenarios."""
    from serai._fs import check_folder

    _check_method(method)
    if out is not None:
        check_folder(out)
    for ref in (a, b):  # run_or_reuse loads them again (cheap): refused here, not after a run
        load(ref)


def _get(c, ref: str, st, method: str, reuse: bool):
    from serai.scenarios.run import run_or_reuse

    with _status(c, f"{ref}") as sp:
        run, rid, reused = run_or_reuse(ref, store=st, method=method, reuse=reuse,
                                        progress=lambda f, m: sp.update(f"{ref}: {m}"))  # fmt: skip
    c.print(f"{ref}: {'stored run' if reused else 'new run'} {rid or ''}".rstrip(), markup=False)
    return run


@scenario_app.command("compare")
@handle_errors
def compare_cmd(
    a: Annotated[str, typer.Argument(help="First scenario (file or name): the reference.")],
    b: Annotated[str, typer.Argument(help="Second scenario: differences are B - A.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder (tables, compare.md, flow_change.png)."),
    ] = None,
    method: MethodOpt = "equilibrium",
    store: StoreOpt = None,
    reuse: Annotated[
        bool, typer.Option(help="Use stored runs of the same scenarios, data and code.")
    ] = True,
    overwrite: Annotated[bool, typer.Option(help="Replace outputs serai wrote before.")] = False,
) -> None:
    """Compare two scenarios: indicators, corridor times, costs and CO2e, flows and
    utilisation, bottlenecks, claims, and a map of the change in flows."""
    from serai.scenarios import load_scenario
    from serai.scenarios.compare import compare
    from serai.scenarios.run import check_out

    c = console()
    _check_early(method, out, a, b, load_scenario)
    check_out(out, ("*.csv", "compare.md", "runs.json", "flow_change.png"), overwrite)
    st = open_store_opt(store)
    ra = _get(c, a, st, method, reuse)
    rb = _get(c, b, st, method, reuse)
    cmp = compare(ra, rb)
    if out is not None:
        cmp.write(out, overwrite=overwrite)
    pct = lambda v: f"{v:+.1f}%"  # noqa: E731
    _print_table(c, cmp["headline"], ["indicator", "unit", "value_A", "value_B", "value_diff", "value_pct"],
                 f"headline: A = {cmp.a}, B = {cmp.b}")  # fmt: skip
    ind = _key_indicators(cmp["indicators"])
    _print_table(
        c,
        ind,
        ["indicator", "direction", "unit", "value_A", "value_B", "value_diff", "value_pct"],
        "corridor indicators",
    )
    _print_table(c, cmp["routes"], ["question", "variant", "corridor_A", "corridor_B", "days_A", "days_B",
                                     "days_diff", "usd_A", "usd_B", "co2e_kg_A", "co2e_kg_B"], "flagship routes (per unit)")  # fmt: skip
    bn = cmp["bottlenecks"]
    if len(bn):
        _print_table(
            c,
            bn,
            ["element", "name", "direction", "status", "utilisation_A", "utilisation_B"],
            "bottlenecks",
            limit=20,
        )
    if len(cmp["targets"]):
        _print_table(
            c, cmp["targets"], ["target", "claim", "model_A", "model_B", "verdict"], "claims"
        )
    del pct
    if out is not None:
        c.print(f"comparison in {out}", markup=False)


@scenario_app.command("appraise")
@handle_errors
def appraise_cmd(
    base: Annotated[str, typer.Argument(help="Base scenario (file or name).")],
    alt: Annotated[
        str, typer.Argument(help="Alternative scenario: its measures not in the base are costed.")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder (cash flows, sensitivity, appraisal.json)."),
    ] = None,
    horizon: Annotated[
        int | None, typer.Option(help="Years appraised (default: the scenario's, else 30).")
    ] = None,
    discount_rate: Annotated[
        float | None, typer.Option(help="Real discount rate (default 0.06).")
    ] = None,
    carbon_price: Annotated[float | None, typer.Option(help="USD per t CO2e (default 80).")] = None,
    demand_growth: Annotated[
        float | None, typer.Option(help="Yearly growth of the benefits (default 0.03).")
    ] = None,
    method: MethodOpt = "equilibrium",
    store: StoreOpt = None,
    reuse: Annotated[
        bool, typer.Option(help="Use stored runs of the same scenarios, data and code.")
    ] = True,
    overwrite: Annotated[bool, typer.Option(help="Replace outputs serai wrote before.")] = False,
) -> None:
    """Cost-benefit appraisal (rule of a half, CO2e at a carbon price, capex and O&M): NPV,
    BCR, IRR and a sensitivity table. Method: docs/appraisal.md."""
    from serai.scenarios import load_scenario
    from serai.scenarios.appraise import AppraisalSettings, appraise

    c = console()
    _check_early(method, out, base, alt, load_scenario)
    AppraisalSettings.of({}, horizon_years=horizon, discount_rate=discount_rate,
                         carbon_price_usd_per_t=carbon_price, demand_growth=demand_growth)  # fmt: skip
    from serai.scenarios.run import check_out

    check_out(out, ("*.csv", "appraisal.json"), overwrite)
    st = open_store_opt(store)
    rb = _get(c, base, st, method, reuse)
    ra = _get(c, alt, st, method, reuse)
    ap = appraise(rb, ra, horizon_years=horizon, discount_rate=discount_rate,
                  carbon_price_usd_per_t=carbon_price, demand_growth=demand_growth)  # fmt: skip
    if out is not None:
        ap.write(out, overwrite=overwrite)
    s = ap.summary
    st_ = ap.settings
    musd = lambda v: f"{v / 1e6:,.1f}"  # noqa: E731
    c.print(
        f"{ap.alt} against {ap.base} ({s['year']}); measures: {', '.join(s['measures']) or 'none'}",
        markup=False,
    )
    if s["estimated_costs"]:
        c.print(f"costs that are estimates: {', '.join(s['estimated_costs'])}", markup=False)
    c.print(
        f"horizon {st_.horizon_years} years, discount rate {st_.discount_rate:.1%}, carbon price "
        f"{st_.carbon_price_usd_per_t:g} USD/t, benefit growth {st_.demand_growth:.1%}/yr",
        markup=False,
    )
    rows = [
        ("user benefit (rule of a half), M USD/yr", musd(s["user_benefit_usd_per_year"])),
        ("CO2e saved, t/yr", f"{s['co2e_saved_t_per_year']:,.0f}"),
        ("CO2e benefit, M USD/yr", musd(s["co2_benefit_usd_per_year"])),
        ("investment, M USD", musd(s["capex_usd"])),
        ("O&M, M USD/yr", musd(s["om_usd_per_year"])),
        ("PV benefits, M USD", musd(s["pv_benefits_usd"])),
        ("PV costs, M USD", musd(s["pv_costs_usd"])),
        ("NPV, M USD", musd(s["npv_usd"])),
        ("BCR", f"{s['bcr']:.2f}"),
        ("IRR", "none" if s["irr"] != s["irr"] else f"{s['irr']:.1%}"),
        ("OD pairs left out (no cost in a run)", str(s["pairs_left_out"])),
    ]
    from rich.table import Table

    t = Table("appraisal", "value")
    for r in rows:
        t.add_row(*r)
    c.print(t)
    sens = ap.tables["sensitivity"].copy()
    sens["npv_musd"] = sens["npv_usd"] / 1e6
    _print_table(c, sens, ["vary", "value", "npv_musd", "bcr", "irr"], "sensitivity",
                 fmt=lambda v: f"{v:,.2f}")  # fmt: skip


@scenario_app.command("sweep")
@handle_errors
def sweep_cmd(
    files: Annotated[list[str], typer.Argument(help="Scenario files or library names.")],
    workers: Annotated[int, typer.Option(help="Worker processes of the local Dask cluster.")] = 2,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Address of a running Dask scheduler (instead of a local cluster)."),
    ] = None,
    method: MethodOpt = "equilibrium",
    flows: Annotated[
        bool, typer.Option("--flows/--no-flows", help="Run the corridor flows.")
    ] = True,
    routes: Annotated[
        bool, typer.Option("--routes/--no-routes", help="Answer the flagship routes.")
    ] = True,
    store: StoreOpt = None,
    draws: Annotated[
        int,
        typer.Option(
            help="Monte Carlo: this many draws of the estimated model parameters per scenario (0: none)."
        ),
    ] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the draws (0 to 2**32-1).")] = 0,
) -> None:
    """Run many scenarios on dask.distributed; each run lands in the store, a failed one
    is reported and the others go on."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from serai._checks import check_count
    from serai.scenarios.sweep import parameter_draws, sweep

    c = console()
    _check_method(method)
    check_count(workers, "--workers", 1, 256)
    check_count(draws, "--draws", 0, 10_000)
    check_count(seed, "--seed", 0, 2**32 - 1)
    st = open_store_opt(store, writes=True)
    if draws:
        files = [d for f in files for d in parameter_draws(f, draws, seed=seed)]
    with Progress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=c) as bar:  # fmt: skip
        task = bar.add_task("sweep", total=len(files))

        def step(done: int, total: int, name: str, status: str) -> None:
            bar.update(task, completed=done, description=f"{name}: {status}")

        res = sweep(files, workers=workers, scheduler=scheduler, method=method, flows=flows,
                    routes=routes, store=st, progress=step)  # fmt: skip
    _print_table(
        c,
        res.members,
        ["scenario", "status", "run_id", "elapsed_s", "error"],
        f"sweep {res.sweep_id}",
    )
    ok = int((res.members["status"] == "ok").sum())
    if draws and st is not None and ok:
        h = st.query(
            "SELECT h.indicator, h.value FROM serai_headline h JOIN serai_runs r USING (run_id) "
            "WHERE r.sweep_id = ? AND r.status = 'ok'",
            (res.sweep_id,),
        )
        q = h.groupby("indicator")["value"].quantile([0.1, 0.5, 0.9]).unstack()
        q.columns = ["p10", "p50", "p90"]
        _print_table(c, q.reset_index(), ["indicator", "p10", "p50", "p90"], f"{ok} draws")
    where = f"; runs in {st.url}" if st is not None else ""
    c.print(f"{ok} of {len(res.members)} ok in {res.elapsed_s:.1f} s{where}", markup=False)
    if ok < len(res.members):
        raise typer.Exit(1)
