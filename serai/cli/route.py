"""`serai route`: freight routes between places."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any

import typer

from serai._checks import MAX_ALTERNATIVES
from serai.cli._common import (
    app,
    check_year_option,
    console,
    handle_errors,
    split_opt,
)
from serai.modes import MODES

# year -> router: set while `serai serve` answers a `serai route` client (the server's
# shared routers; nothing is read from or written to the disk cache then)
SERVED_BY: ContextVar[Callable[[int | None], Any] | None] = ContextVar(
    "serai_route_served_by", default=None
)

#: The route query's fields (Python API, service) -> the `serai route` options that set them:
#: an error names what the user typed ("field '--carbon-price'", not 'carbon_price_usd_per_t').
OPTION_OF = {
    "origin": "--from", "destination": "--to", "commodity": "--commodity", "year": "--year",
    "objective": "--objective", "carbon_price_usd_per_t": "--carbon-price",
    "avoid_countries": "--avoid-country", "avoid_passages": "--avoid-passage",
    "avoid_nodes": "--avoid-node", "avoid_links": "--avoid-link", "via": "--via",
    "modes": "--modes", "crew": "--crew", "alternatives": "--alternatives", "k": "--alternatives",
    "origin_country": "--from-country", "destination_country": "--to-country",
    "from_country": "--from-country", "to_country": "--to-country",
    "month": "--month", "deadline_days": "--deadline", "deadline": "--deadline",
}  # fmt: skip


def _named_as_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """A bad argument of a route question (not of a file or a batch row) named as its option."""
    from functools import wraps

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from serai.errors import InputError

        try:
            return func(*args, **kwargs)
        except InputError as exc:
            opt = OPTION_OF.get(exc.field or "")
            if opt and exc.file is None and exc.row is None and kwargs.get("batch") is None:
                exc.field = opt
                exc.args = (f"field '{opt}': {exc.reason}", *exc.args[1:])
            raise

    return wrapper


@app.command("route")
@handle_errors
@_named_as_options
def route_cmd(
    origin: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Origin: name or alias in any script ('Suzhou, Anhui' to choose among "
            "namesakes), UN/LOCODE or 'lat,lon'. Off the network: a first-mile road leg.",
        ),
    ] = None,
    destination: Annotated[
        str | None, typer.Option("--to", help="Destination (as --from).")
    ] = None,
    commodity: Annotated[
        str, typer.Option(help="Commodity key (container, uranium, grain, ...).")
    ] = "container",
    year: Annotated[
        int | None, typer.Option(help="Network year (links and services open then).")
    ] = None,
    objective: Annotated[
        str,
        typer.Option(
            help="time, cost, generalised or emissions (least WTW CO2e); or a reliability "
            "objective: p50, p90, p95 or mean+<k>std (days, simulated; candidates re-ranked)."
        ),
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
        str | None, typer.Option(help=f"Allowed modes, comma-separated ({','.join(MODES)}).")
    ] = None,
    crew: Annotated[
        str,
        typer.Option(
            help="Truck crew under the EU 561/2006 / AETR driving-time rules: single or double."
        ),
    ] = "single",
    alternatives: Annotated[
        int,
        typer.Option(help=f"Number of distinct routes, 1..{MAX_ALTERNATIVES} (as the service)."),
    ] = 1,
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
    from_country: Annotated[
        str | None, typer.Option(help="Only an origin in this country (ISO2 or name).")
    ] = None,
    to_country: Annotated[
        str | None, typer.Option(help="Only a destination in this country (ISO2 or name).")
    ] = None,
    reliability: Annotated[
        bool,
        typer.Option(
            "--reliability",
            help="Simulate each route's door-to-door time: P10, P50, P90, P95, mean, sd.",
        ),
    ] = False,
    month: Annotated[
        int | None,
        typer.Option(help="Month of departure for --reliability (1-12; default: any day)."),
    ] = None,
    deadline: Annotated[
        float | None,
        typer.Option(help="Days within which to arrive: adds the on-time probability."),
    ] = None,
    batch: Annotated[
        Path | None,
        typer.Option(
            help="Route every shipment of this table (.csv, .xlsx, .parquet: origin, "
            "destination, commodity, quantity, constraints); see docs/batch.md."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="With --batch: results file (.csv, .xlsx, .parquet, .gpkg, .geojson)."),
    ] = None,
    no_server: Annotated[
        bool,
        typer.Option(
            "--no-server",
            help="Compute in this process even when a `serai serve` of this serai and network "
            "is running (otherwise it answers, with the same output; or set SERAI_NO_SERVER=1).",
        ),
    ] = False,
) -> None:
    """Best freight route(s) between two places, with legs, hub events and totals.

    With --batch, one route per row of a shipments table; bad rows are reported
    with their row number and the others are still routed (exit code 1 when some
    rows failed).

    When a ``serai serve`` of the same serai and network runs on this machine, it
    answers (the same output, without loading the graph here); ``--no-server`` computes here.
    """
    import json

    from serai._fs import check_new, write_json
    from serai.errors import InputError
    from serai.freight.query import RouteRequest, run_request
    from serai.reliability.objective import is_reliability_objective

    if batch is not None:
        return _batch(batch, out, network=network, year=year, overwrite=overwrite)
    from serai._checks import check_alternatives

    check_alternatives(alternatives, "--alternatives")  # the service's limit, before any work
    if SERVED_BY.get() is None or network is not None:  # served: by the server's network
        check_year_option(year, network)
    if origin is None or destination is None:
        raise InputError(
            "give --from and --to (or --batch FILE --out FILE)",
            field="--to" if origin else "--from",
        )
    rel_objective = is_reliability_objective(objective)
    if rel_objective or reliability or month is not None or deadline is not None:
        from serai.reliability.montecarlo import check_deadline, check_month

        check_month(month)
        check_deadline(deadline)
        if rel_objective and pareto:
            raise InputError("--pareto and a reliability objective exclude each other",
                             field="objective")  # fmt: skip

    if geojson is not None:
        check_new(geojson, overwrite)
    req = RouteRequest(
        origin=origin,
        destination=destination,
        commodity=commodity,
        year=year,
        objective="time" if rel_objective else objective,
        avoid_countries=split_opt(avoid_country),
        avoid_passages=split_opt(avoid_passage),
        avoid_nodes=tuple(avoid_node or ()),
        avoid_links=tuple(avoid_link or ()),
        via=tuple(via or ()),
        modes=_modes(modes),
        alternatives=alternatives,
        distinct_corridors=not same_corridor,
        pareto=pareto,
        carbon_price_usd_per_t=carbon_price,
        origin_country=from_country,
        destination_country=to_country,
        crew=crew,
    )
    try:  # the network's years (served: the server's network), named as the option
        router = _router(network, year)
    except InputError as exc:
        if exc.field == "year":
            raise InputError(exc.reason, field="--year") from None
        raise
    rels = None
    if rel_objective:
        from serai.reliability.objective import reliable_routes

        o, d = req.origin, req.destination
        if req.origin_country:
            o = router.locate_end(o, "origin", req.origin_country)
        if req.destination_country:
            d = router.locate_end(d, "destination", req.destination_country)
        picked = reliable_routes(
            router, o, d, req.commodity, objective=objective,
            month=month, deadline_days=deadline, candidates=max(6, alternatives),
            constraints=req.constraints(), carbon_price_usd_per_t=carbon_price, crew=crew,
        )[: max(1, alternatives)]  # fmt: skip
        routes, rels = [r for r, _ in picked], [x for _, x in picked]
    else:
        routes = run_request(router, req)
    if rels is None and (reliability or month is not None or deadline is not None):
        rels = [r.reliability(month=month, deadline_days=deadline) for r in routes]
    _save(router)
    if geojson is not None:
        feats = []
        for i, r in enumerate(routes):
            for f in r.to_geojson(router.rg.network.nodes)["features"]:
                f["properties"]["route"] = i
                f["properties"]["corridor"] = r.corridor
                feats.append(f)
        write_json(geojson, {"type": "FeatureCollection", "features": feats},
                   overwrite=overwrite, indent=None, default=str)  # fmt: skip
    if json_out:
        data = [r.to_dict() for r in routes]
        for d, x in zip(data, rels or [], strict=False):
            d["reliability"] = x.to_dict()
        _echo(
            json.dumps(
                data[0] if len(data) == 1 and not pareto and alternatives <= 1 else data,
                ensure_ascii=False,
                indent=1,
                default=str,
            )
        )
        return
    _print_place_notes(routes[0])
    if len(routes) > 1:
        _print_route_summary(routes, rels)
    left = getattr(routes, "left_out", None)
    if left and len(routes) < alternatives:
        names = ", ".join(dict.fromkeys(r.corridor for r in left))
        console().print(
            f"{len(routes)} of {alternatives} routes: the other corridors found ({names}) are "
            "slower and dearer than a route listed that avoids as much (Russia and Belarus, "
            "Iran, the Red Sea).",
            markup=False,
        )
    if len(routes) == 1 or legs:
        _print_routes(routes, rels)
    if geojson is not None:
        console().print(f"wrote {geojson}")


def _print_place_notes(route) -> None:
    """Which place each name was taken to be, when it was ambiguous or an alias."""
    from rich.markup import escape

    con = console()
    for what, p in (("from", route.origin_place), ("to", route.destination_place)):
        if p is not None and p.note():
            con.print(f"[dim]{what}: {escape(p.note())}[/]", markup=True)


def _modes(text: str | None) -> tuple[str, ...] | None:
    """--modes as a tuple; given but empty is an error (not "all modes")."""
    if text is None:
        return None
    modes = split_opt([text])
    if not modes:
        from serai.errors import InputError

        raise InputError(f"--modes is empty; give modes among {','.join(MODES)}", field="modes")
    return modes


def _spinner(message: str):
    return console(stderr=True).status(message, spinner="dots")


def _echo(text: str) -> None:
    """Print plain text (JSON) to stdout, or to the served client's."""
    from serai.cli._common import CAPTURE

    captured = CAPTURE.get()
    if captured is None:
        typer.echo(text)
    else:
        captured[0].file.write(text + "\n")


def _router(network: Path | None, year: int | None):
    """The router of the network and year, from the on-disk cache when possible."""
    served = SERVED_BY.get()
    if served is not None and network is None:
        return served(year)
    from serai.freight.cache import cached_router

    return cached_router(network, year=year, progress=_spinner)


def _save(router) -> None:
    """Keep cost arrays computed by this call in the cache (never fails the command)."""
    if SERVED_BY.get() is not None:
        return  # the server's router: it stays in memory
    from serai.freight.cache import save_router

    try:
        save_router(router)
    except OSError:
        pass


def _batch(path: Path, out: Path | None, *, network, year, overwrite: bool) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from serai._fs import check_new
    from serai.errors import InputError
    from serai.freight.batch import (
        FORMATS,
        combine,
        parse_shipments,
        read_shipments,
        route_batch,
        write_results,
    )

    if out is None:
        raise InputError("--batch needs --out FILE (.csv, .xlsx, .parquet, .gpkg)", field="--out")
    if out.suffix.lower() not in FORMATS:  # before routing every row
        raise InputError(
            f"unknown output format '{out.suffix}'; use {', '.join(FORMATS)}", file=str(out)
        )
    check_new(out, overwrite)
    check_year_option(year, network)  # the same year for every row: refused once, before any
    good, bad = parse_shipments(read_shipments(path), file=str(path))
    routers: dict = {}

    def router_for(y):
        if y not in routers:
            routers[y] = _router(network, y)
        return routers[y]

    err = console(stderr=True)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=len(good) < 50,
    ) as bar:
        task = bar.add_task("routing", total=len(good))
        res = route_batch(
            good, router_for, year=year, progress=lambda n: bar.update(task, completed=n)
        )
    for r in routers.values():
        _save(r)
    df = combine(res, bad)
    write_results(df, out, overwrite=overwrite)
    failed = df.loc[df["status"] != "ok", ["row", "id", "error"]]
    con = console()
    con.print(f"wrote {out}: {len(df) - len(failed)} of {len(df)} shipments routed")
    if len(failed):
        for r in failed.itertuples(index=False):
            err.print(f"row {r.row} (id {r.id}): {r.error}", markup=False)
        raise typer.Exit(1)


PARETO_CAPTION = (
    "Pareto set on two criteria: days door to door and USD per unit (not CO2e, not the "
    "generalised cost): no route listed is both faster and cheaper than another."
)


def _print_route_summary(routes, rels=None) -> None:
    from rich.table import Table

    from serai.reprs import duration_text

    r0 = routes[0]
    t = Table(
        title=f"{r0.origin_name} -> {r0.destination_name}: {len(routes)} routes ({r0.objective})",
        caption=PARETO_CAPTION if r0.objective == "pareto" else None,
    )
    for col, just in (
        ("#", "right"),
        ("corridor", "left"),
        ("door to door", "right"),
        ("km", "right"),
        (f"USD/{r0.unit}", "right"),
        ("generalised USD", "right"),
        ("kg CO2e", "right"),
        ("countries", "left"),
    ):
        t.add_column(col, justify=just)
    if rels:
        for col in ("P50 days", "P90 days", "P(on time)"):
            t.add_column(col, justify="right")
    for i, r in enumerate(routes):
        extra = []
        if rels:
            x = rels[i]
            p = x.on_time_probability
            extra = [f"{x.p50_days:.1f}", f"{x.p90_days:.1f}", "" if p is None else f"{p:.0%}"]
        t.add_row(
            str(i + 1),
            r.corridor,
            duration_text(r.totals["hours"]),
            f"{r.km:,.0f}",
            f"{r.usd:,.0f}",
            f"{r.totals['gc_usd']:,.0f}",
            f"{r.co2e_kg:,.0f}" if r.co2e_kg == r.co2e_kg else "",
            "-".join(r.countries),
            *extra,
        )
    console().print(t)


def _print_routes(routes, rels=None) -> None:
    from rich.table import Table

    from serai.reprs import duration_text, hours_text

    con = console()
    for i, r in enumerate(routes):
        t = Table(
            title=f"{'#' + str(i + 1) + ' ' if len(routes) > 1 else ''}{r.origin_name} -> "
            f"{r.destination_name}: {r.corridor}",
            caption=f"{duration_text(r.totals['hours'])} door to door, {r.km:,.0f} km, USD {r.usd:,.0f} per "
            f"{r.unit} (generalised USD {r.totals['gc_usd']:,.0f}"
            + (f"; carbon {r.totals['usd_carbon']:,.0f}" if r.totals["usd_carbon"] else "")
            + f")\n{_cost_caption(r)}\n{_co2_caption(r)}"
            + (f"\n{rels[i].line()}" if rels else ""),
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
                hours_text(leg.hours),
                f"{leg.usd:,.0f}",
                f"{leg.co2e_kg:,.1f}" if leg.co2e_kg == leg.co2e_kg and leg.co2e_kg else "",
                leg.event or leg.service_id,
            )
        con.print(t)


def _cost_caption(r) -> str:
    """Time and money by component, and how much of each rests on estimates."""
    t = r.totals
    time = (
        f"time: {t['hours_motion']:.0f} h moving, {t['hours_rest']:.0f} h driver rests, "
        f"{t['hours_dwell']:.0f} h terminals and ports, {t['hours_border']:.0f} h borders, "
        f"{t['hours_schedule']:.0f} h waiting for departures, {t['hours_queue']:.0f} h queues"
    )
    money = (
        f"money: {t['usd_tariff']:,.0f} line haul + {t['usd_hub']:,.0f} handling + "
        f"{t['usd_border']:,.0f} border fees + {t['usd_market']:,.0f} market premium"
    )

    def share(kind: str) -> str:
        return ", ".join(
            f"{100 * t[f'share_{kind}_{b}']:.0f}% {b}"
            for b in ("measured", "calibrated", "estimate")
        )

    return f"{time}\n{money}\nresting on: time {share('hours')}; money {share('usd')}"


def _co2_caption(r) -> str:
    """Emissions line of a route table: WTW total with WTT and TTW (ISO 14083)."""
    if r.routing_graph is None:
        return "emissions: not available (factor tables cannot serve this network)"
    t = r.footprint.totals
    return (
        f"{t['wtw_kg']:,.1f} kg CO2e per {r.unit} well-to-wheel (WTT {t['wtt_kg']:,.1f} + "
        f"TTW {t['ttw_kg']:,.1f}; ISO 14083, {t['intensity_g_per_tkm']:.1f} g/tkm)"
    )
