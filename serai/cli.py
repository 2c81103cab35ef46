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
data_app = typer.Typer(help="The embedded Eurasian network: build and map.", no_args_is_help=True)
app.add_typer(data_app, name="data")
emissions_app = typer.Typer(
    help="Emissions of transport chains (ISO 14083 / GLEC), iLEAP export.", no_args_is_help=True
)
app.add_typer(emissions_app, name="emissions")

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
ReadOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--option",
        "-o",
        help="Reader option KEY=VALUE, repeatable (e.g. length_unit=mi for GMNS, "
        "two_way=true for hand-drawn GeoJSON).",
    ),
]


def _options(items: list[str] | None) -> dict[str, Any]:
    """KEY=VALUE strings as a dict; true/false and numbers are converted."""
    from serai.errors import InputError

    out: dict[str, Any] = {}
    for item in items or ():
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"expected KEY=VALUE, got {item!r}", field="--option")
        value: Any = text.strip()
        if value.lower() in ("true", "false"):
            value = value.lower() == "true"
        else:
            for cast in (int, float):
                try:
                    value = cast(value)
                    break
                except ValueError:
                    continue
        out[key.strip()] = value
    return out


@network_app.command("info")
@handle_errors
def network_info(path: PathArg, fmt: FormatOpt = None, option: ReadOpt = None) -> None:
    """Print a summary of a network: counts by table and mode, lengths, extent, sources."""
    from rich.table import Table

    from serai.network import read_network, validate

    net = read_network(path, format=fmt, **_options(option))
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
) -> None:
    """Check a network; one line per problem (file, row, id, field), exit code 2 on errors."""
    from serai.network import read_network, validate

    report = validate(read_network(path, format=fmt, **_options(option)))
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
    option: ReadOpt = None,
) -> None:
    """Convert a network between formats (CSV, Parquet, GeoJSON, GeoPackage, GMNS, TNTP)."""
    from serai.network import read_network, write_network

    net = read_network(src, format=fmt, **_options(option))
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


@data_app.command("validate-report")
@handle_errors
def data_validate_report(
    out: Annotated[Path, typer.Option("--out", "-o", help="Markdown report to write.")] = Path(
        "docs/validation.md"
    ),
    facts: Annotated[
        Path,
        typer.Option(
            help="Folder with validation_routes.csv and sources.csv (default: the repository's "
            "facts, else the tables shipped with the network)."
        ),
    ] = Path("tools/data/facts"),
    network: Annotated[
        Path | None, typer.Option(help="Network to check (default: the embedded Eurasian one).")
    ] = None,
    tolerance: Annotated[
        float, typer.Option(help="Relative distance to the published band still called 'near'.")
    ] = 0.10,
    overwrite: Annotated[
        bool, typer.Option(help="Replace OUT even if this command did not generate it.")
    ] = False,
) -> None:
    """Compare named corridor routes with published lengths and times; write a Markdown report."""
    from serai.data.validation import validate_routes, validation_markdown
    from serai.data.validation_io import read_validation_inputs, write_report

    if network is None:
        try:
            from serai.data import load_eurasia
        except ImportError:
            from serai.errors import InputError

            raise InputError("no embedded network in this installation; pass --network") from None
        net = load_eurasia()
        label = "the embedded Eurasian network (`serai.data.load_eurasia()`)"
    else:
        from serai.network import read_network

        net = read_network(network)
        label = f"`{network}`"
    if not facts.exists() and {"validation_routes", "sources"} <= set(net.tables):
        # outside a repository checkout: the routes and sources shipped with the network
        routes, sources = net.tables["validation_routes"], net.tables["sources"]
    else:
        routes, sources = read_validation_inputs(facts)
    table = validate_routes(net, routes, sources=sources, tolerance=tolerance)
    header = f"Network: {label}: {len(net.nodes):,} nodes, {len(net.links):,} links."
    write_report(
        validation_markdown(table, tolerance=tolerance, header=header), out, overwrite=overwrite
    )
    counts = table["verdict"].value_counts().to_dict()
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    _console().print(f"{len(table)} routes: {summary}; wrote {out}")


def _split_opt(values: list[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for v in values or ():
        out += [x.strip() for x in v.replace(";", ",").split(",") if x.strip()]
    return tuple(out)


@app.command("route")
@handle_errors
def route_cmd(
    origin: Annotated[
        str, typer.Option("--from", help="Origin: name, alias, UN/LOCODE or 'lat,lon'.")
    ],
    destination: Annotated[str, typer.Option("--to", help="Destination (as --from).")],
    commodity: Annotated[
        str, typer.Option(help="Commodity key (container, uranium, grain, ...).")
    ] = "container",
    year: Annotated[
        int | None, typer.Option(help="Network year (links and services open then).")
    ] = None,
    objective: Annotated[
        str, typer.Option(help="time, cost, generalised or emissions (least WTW CO2e).")
    ] = "generalised",
    carbon_price: Annotated[
        float,
        typer.Option(help="Carbon price in USD per t CO2e (WTW), added to the generalised cost."),
    ] = 0.0,
    avoid_country: Annotated[
        list[str] | None, typer.Option(help="ISO2 country to avoid (repeatable).")
    ] = None,
    avoid_passage: Annotated[
        list[str] | None, typer.Option(help="Sea passage to avoid: suez, cape, bosporus, ...")
    ] = None,
    avoid_node: Annotated[list[int] | None, typer.Option(help="Node id to avoid.")] = None,
    avoid_link: Annotated[list[int] | None, typer.Option(help="Link id to avoid.")] = None,
    via: Annotated[
        list[str] | None, typer.Option(help="Place to pass through (repeatable, in order).")
    ] = None,
    modes: Annotated[
        str | None, typer.Option(help="Allowed modes, comma-separated (rail,road,sea,ferry).")
    ] = None,
    alternatives: Annotated[int, typer.Option(help="Number of distinct routes.")] = 1,
    same_corridor: Annotated[
        bool, typer.Option(help="Allow alternatives in a corridor already listed.")
    ] = False,
    pareto: Annotated[bool, typer.Option(help="Time-vs-cost Pareto set instead.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    geojson: Annotated[
        Path | None, typer.Option(help="Write the route(s) as GeoJSON to this file.")
    ] = None,
    network: Annotated[
        Path | None, typer.Option(help="Network to use instead of the embedded one.")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing --geojson file.")] = False,
    legs: Annotated[
        bool, typer.Option(help="With several routes, also print each route's legs.")
    ] = False,
) -> None:
    """Best freight route(s) between two places, with legs, hub events and totals."""
    import json

    from serai.errors import InputError
    from serai.freight.query import RouteRequest, load_network, make_router, run_request

    if geojson is not None and geojson.exists() and not overwrite:
        raise InputError("already exists; pass --overwrite to replace it", file=str(geojson))
    req = RouteRequest(
        origin=origin,
        destination=destination,
        commodity=commodity,
        year=year,
        objective=objective,
        avoid_countries=_split_opt(avoid_country),
        avoid_passages=_split_opt(avoid_passage),
        avoid_nodes=tuple(avoid_node or ()),
        avoid_links=tuple(avoid_link or ()),
        via=tuple(via or ()),
        modes=_split_opt([modes]) if modes else None,
        alternatives=alternatives,
        distinct_corridors=not same_corridor,
        pareto=pareto,
        carbon_price_usd_per_t=carbon_price,
    )
    router = make_router(load_network(network, year=year), year=year)
    routes = run_request(router, req)
    if geojson is not None:
        feats = []
        for i, r in enumerate(routes):
            for f in r.to_geojson(router.rg.network.nodes)["features"]:
                f["properties"]["route"] = i
                f["properties"]["corridor"] = r.corridor
                feats.append(f)
        geojson.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    if json_out:
        data = [r.to_dict() for r in routes]
        typer.echo(
            json.dumps(
                data[0] if len(data) == 1 and not pareto and alternatives <= 1 else data,
                ensure_ascii=False,
                indent=1,
                default=str,
            )
        )
        return
    if len(routes) > 1:
        _print_route_summary(routes)
    if len(routes) == 1 or legs:
        _print_routes(routes)
    if geojson is not None:
        _console().print(f"wrote {geojson}")


def _print_route_summary(routes) -> None:
    from rich.table import Table

    r0 = routes[0]
    t = Table(
        title=f"{r0.origin_name} -> {r0.destination_name}: {len(routes)} routes ({r0.objective})"
    )
    for col, just in (
        ("#", "right"),
        ("corridor", "left"),
        ("days", "right"),
        ("km", "right"),
        (f"USD/{r0.unit}", "right"),
        ("generalised USD", "right"),
        ("kg CO2e", "right"),
        ("countries", "left"),
    ):
        t.add_column(col, justify=just)
    for i, r in enumerate(routes):
        t.add_row(
            str(i + 1),
            r.corridor,
            f"{r.days:.1f}",
            f"{r.km:,.0f}",
            f"{r.usd:,.0f}",
            f"{r.totals['gc_usd']:,.0f}",
            f"{r.co2e_kg:,.0f}" if r.co2e_kg == r.co2e_kg else "",
            "-".join(r.countries),
        )
    _console().print(t)


def _print_routes(routes) -> None:
    from rich.table import Table

    con = _console()
    for i, r in enumerate(routes):
        t = Table(
            title=f"{'#' + str(i + 1) + ' ' if len(routes) > 1 else ''}{r.origin_name} -> "
            f"{r.destination_name}: {r.corridor}",
            caption=f"{r.days:.1f} days, {r.km:,.0f} km, USD {r.usd:,.0f} per {r.unit} "
            f"(generalised USD {r.totals['gc_usd']:,.0f}; money {r.totals['usd_tariff']:,.0f} tariff + "
            f"{r.totals['usd_hub']:,.0f} hubs; time {r.totals['hours_motion']:.0f} h moving, "
            f"{r.totals['hours_hub']:.0f} h hubs, {r.totals['hours_wait']:.0f} h waiting"
            + (f"; carbon {r.totals['usd_carbon']:,.0f}" if r.totals["usd_carbon"] else "")
            + f")\n{_co2_caption(r)}",
        )
        for col, just in (
            ("mode", "left"),
            ("from", "left"),
            ("to", "left"),
            ("country", "left"),
            ("km", "right"),
            ("hours", "right"),
            ("USD", "right"),
            ("kg CO2e", "right"),
            ("event", "left"),
        ):
            t.add_column(col, justify=just)
        for leg in r.legs.itertuples(index=False):
            t.add_row(
                leg.mode if leg.kind == "move" else "·",
                leg.from_name or str(leg.from_node),
                leg.to_name or str(leg.to_node),
                leg.country,
                f"{leg.km:,.0f}" if leg.km else "",
                f"{leg.hours:,.1f}",
                f"{leg.usd:,.0f}",
                f"{leg.co2e_kg:,.1f}" if leg.co2e_kg == leg.co2e_kg and leg.co2e_kg else "",
                leg.event or leg.service_id,
            )
        con.print(t)


def _co2_caption(r) -> str:
    """Emissions line of a route table: WTW total with WTT and TTW (ISO 14083)."""
    if r.routing_graph is None:
        return "emissions: not available (factor tables cannot serve this network)"
    t = r.footprint.totals
    return (
        f"{t['wtw_kg']:,.1f} kg CO2e per {r.unit} well-to-wheel (WTT {t['wtt_kg']:,.1f} + "
        f"TTW {t['ttw_kg']:,.1f}; ISO 14083, {t['intensity_g_per_tkm']:.1f} g/tkm)"
    )


@app.command("assign")
@handle_errors
def assign_cmd(
    path: PathArg,
    trips: Annotated[Path, typer.Option("--trips", help="Demand: TNTP _trips, .csv or .parquet.")],
    out: Annotated[Path, typer.Option(help="Link flows (.csv or .parquet).")] = Path("flows.csv"),
    algorithm: Annotated[
        str, typer.Option(help="aon, msa, fw, cfw, bfw or b (Algorithm B).")
    ] = "b",
    gap: Annotated[float, typer.Option(help="Target relative gap (TSTT-SPTT)/TSTT.")] = 1e-4,
    max_iter: Annotated[int, typer.Option(help="Iteration cap.")] = 1000,
    vdf: Annotated[str, typer.Option(help="Volume-delay function: bpr or conical.")] = "bpr",
    length_weight: Annotated[
        float | None,
        typer.Option(help="Cost per unit length (default: the file's DISTANCE FACTOR, else 0)."),
    ] = None,
    toll_weight: Annotated[
        float | None,
        typer.Option(help="Cost per unit toll (default: the file's TOLL FACTOR, else 0)."),
    ] = None,
    time_limit: Annotated[float | None, typer.Option(help="Stop after this many seconds.")] = None,
    log: Annotated[Path | None, typer.Option(help="Write the convergence log (.csv).")] = None,
    fmt: FormatOpt = None,
    block_zones: Annotated[
        bool | None, typer.Option(help="Forbid (or allow) passing through zones; default: data.")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Print one line per iteration.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace existing outputs.")] = False,
) -> None:
    """Static user-equilibrium assignment of TRIPS on the network; writes one row per link."""
    from serai.assignment import AssignmentConfig, assign
    from serai.errors import InputError
    from serai.network import compile_network, read_network
    from serai.network.io import read_demand

    outputs = [out] + ([log] if log is not None else [])
    for o in outputs:
        if o.suffix.lower() not in (".csv", ".parquet"):
            raise InputError("output must end in .csv or .parquet", file=str(o))
        if o.exists() and not overwrite:
            raise InputError("already exists; pass --overwrite to replace it", file=str(o))
    net = read_network(path, format=fmt)
    demand = read_demand(trips)
    config = AssignmentConfig(
        algorithm=algorithm,
        gap=gap,
        max_iter=max_iter,
        vdf=vdf,
        length_weight=float(
            length_weight if length_weight is not None else net.meta.get("distance_factor", 0.0)
        ),
        toll_weight=float(
            toll_weight if toll_weight is not None else net.meta.get("toll_factor", 0.0)
        ),
        time_limit=time_limit,
    )
    console = _console()

    def show(row: dict) -> None:
        console.print(
            f"iteration {row['iteration']:>5}  gap {row['gap']:.3e}  "
            f"objective {row['beckmann']:.10g}  {row['elapsed_s']:.3f} s"
        )

    result = assign(
        compile_network(net, block_zones=block_zones), demand, config,
        progress=show if progress else None,
    )  # fmt: skip
    cols = ["link_id", "from_node", "to_node", "flow", "time", "cost", "voc"]
    frames = [(out, result.links[cols])]
    if log is not None:
        frames.append((log, result.convergence))
    for o, frame in frames:
        if o.suffix.lower() == ".parquet":
            frame.to_parquet(o, index=False)
        else:
            frame.to_csv(o, index=False)
    state = "converged" if result.converged else "NOT converged"
    console.print(
        f"{state}: {result.algorithm}, {result.iterations} iterations, relative gap "
        f"{result.gap:.3e}, objective {result.beckmann:.10g}; wrote {out}"
    )
    if len(result.disconnected):
        _console(stderr=True).print(
            f"warning: {len(result.disconnected)} OD pair(s) with no path, volume "
            f"{result.disconnected['volume'].sum():.6g} not assigned (first: "
            f"{result.disconnected.iloc[0]['origin']} -> "
            f"{result.disconnected.iloc[0]['destination']})",
            markup=False,
        )


def _print_footprint(fp) -> None:
    from rich.table import Table

    t = Table(
        title=f"Shipment {fp.shipment.shipment_id}: {fp.totals['mass_t']:g} t, {fp.totals['teu']:g} TEU",
        caption=f"WTW {fp.totals['wtw_kg']:,.1f} kg CO2e (TTW {fp.totals['ttw_kg']:,.1f}, "
        f"WTT {fp.totals['wtt_kg']:,.1f}); {fp.totals['tonne_km']:,.0f} tkm, "
        f"{fp.totals['intensity_g_per_tkm']:.1f} g/tkm; "
        f"{fp.totals['estimate_share_wtw']:.0%} of WTW from estimated factors",
    )
    for col, just in (("#", "left"), ("element", "left"), ("factor", "left"), ("from", "left"),
                      ("to", "left"), ("country", "left"), ("km", "right"), ("TTW kg", "right"),
                      ("WTT kg", "right"), ("WTW kg", "right"), ("g/tkm", "right")):  # fmt: skip
        t.add_column(col, justify=just)
    for r in fp.elements.itertuples(index=False):
        t.add_row(
            r.element_id, r.element, r.factor_id, r.from_name, r.to_name, r.country,
            f"{r.distance_km:,.0f}" if r.element == "tce" else "", f"{r.ttw_kg:,.1f}",
            f"{r.wtt_kg:,.1f}", f"{r.wtw_kg:,.1f}",
            f"{r.intensity_g_per_tkm:.1f}" if r.element == "tce" else "",
        )  # fmt: skip
    _console().print(t)


def _emit_footprint(fp, ileap: Path | None, json_out: bool, overwrite: bool) -> None:
    import json

    from serai.emissions import to_ileap
    from serai.emissions.io import write_json

    doc = to_ileap(fp) if (ileap is not None or json_out) else None
    if ileap is not None:
        write_json(doc, ileap, overwrite=overwrite)
    if json_out:
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=1))
        return
    _print_footprint(fp)
    if ileap is not None:
        _console().print(f"wrote {ileap}")


IleapOpt = Annotated[
    Path | None, typer.Option("--ileap", help="Write the iLEAP-shaped JSON to this file.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the iLEAP-shaped JSON.")]
OverwriteOpt = Annotated[bool, typer.Option(help="Replace an existing --ileap file.")]


@emissions_app.command("chain")
@handle_errors
def emissions_chain(
    legs: Annotated[
        Path, typer.Argument(help="Legs table (.csv or .parquet), one row per TCE/HOC.")
    ],
    shipment_id: Annotated[str, typer.Option(help="Shipment id.")] = "shipment",
    mass_t: Annotated[float | None, typer.Option(help="Cargo mass in tonnes.")] = None,
    teu: Annotated[float | None, typer.Option(help="Number of TEU.")] = None,
    commodity: Annotated[str, typer.Option(help="Commodity id (free text).")] = "",
    ileap: IleapOpt = None,
    json_out: JsonOpt = False,
    overwrite: OverwriteOpt = False,
) -> None:
    """Emissions per leg and hub of a transport chain (columns: see docs/emissions.md)."""
    from serai.emissions import Shipment
    from serai.emissions.io import account_file

    shipment = Shipment(shipment_id, mass_t=mass_t, teu=teu, commodity=commodity)
    _emit_footprint(account_file(legs, shipment), ileap, json_out, overwrite)


@emissions_app.command("example")
@handle_errors
def emissions_example(
    ileap: IleapOpt = None, json_out: JsonOpt = False, overwrite: OverwriteOpt = False
) -> None:
    """The worked example: one TEU Xi'an -> Duisburg via the Middle Corridor."""
    from serai.emissions import account_chain
    from serai.emissions.examples import middle_corridor_example

    legs, shipment = middle_corridor_example()
    _emit_footprint(account_chain(legs, shipment), ileap, json_out, overwrite)


@emissions_app.command("factors")
@handle_errors
def emissions_factors(
    table: Annotated[
        str, typer.Argument(help="tocs, hocs, grid, rail_electrification or energy_carriers.")
    ] = "tocs",
) -> None:
    """Print one factor table with its sources, years and estimate flags."""
    from serai.emissions import load_factors
    from serai.emissions.factors import TABLES
    from serai.errors import InputError

    if table not in TABLES:
        raise InputError(f"unknown table '{table}' (one of {', '.join(TABLES)})", field="table")
    typer.echo(load_factors().table(table).to_csv())


@data_app.command("build")
@handle_errors
def data_build(
    out: Annotated[
        Path | None,
        typer.Option(help="Output folder (default: serai/data/eurasia in the checkout)."),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(help="Build into a temporary folder and compare with the shipped files."),
    ] = False,
) -> None:
    """Rebuild the embedded network from tools/data (works from a repository checkout)."""
    from serai.errors import InputError

    repo = Path(__file__).resolve().parents[1]
    if not (repo / "tools" / "data" / "build.py").exists():
        raise InputError(
            "the build code is not here; run from a repository checkout", file=str(repo)
        )
    if str(repo) not in sys.path:
        sys.path.insert(0, str(repo))
    from tools.data.build import OUT, build

    if not check:
        build(out or OUT, log=_console().print)
        return
    import hashlib
    import tempfile

    target = out or OUT
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp), log=_console().print)
        new = {
            f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in Path(tmp).glob("*.parquet")
        }
    old = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in target.glob("*.parquet")}
    differ = sorted(n for n in set(new) | set(old) if new.get(n) != old.get(n))
    if differ:
        _fail(f"the build differs from {target} in: {', '.join(differ)}", code=1)
    _console().print(f"identical: {len(new)} tables in {target} reproduced byte for byte")


@data_app.command("map")
@handle_errors
def data_map(
    out: Annotated[Path, typer.Option(help="PNG to write.")] = Path("docs/network.png"),
    year: Annotated[int | None, typer.Option(help="Only what is open in this year.")] = None,
    bbox: Annotated[
        str | None, typer.Option(help="View as lon_min,lat_min,lon_max,lat_max (default: all).")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing file.")] = False,
) -> None:
    """Render the embedded network by mode and status, corridor points labelled."""
    from serai.data import load_eurasia
    from serai.data.mapping import render_map
    from serai.errors import InputError

    if out.exists() and not overwrite:
        raise InputError("already exists; pass --overwrite to replace it", file=str(out))
    kw = {}
    if bbox:
        try:
            box = tuple(float(v) for v in bbox.split(","))
        except ValueError:
            box = ()
        if len(box) != 4:
            raise InputError(
                "--bbox needs four numbers: lon_min,lat_min,lon_max,lat_max", field="bbox"
            )
        kw["bbox"] = box
    render_map(load_eurasia(year=year), out, **kw)
    _console().print(f"wrote {out}")


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
