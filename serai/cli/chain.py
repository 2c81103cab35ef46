"""`serai chain`: critical-mineral supply chains (mine -> processing -> buyer) and the dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from serai.cli._common import app, check_year_option, console, handle_errors, split_opt


@app.command("chain")
@handle_errors
def chain_cmd(
    product: Annotated[
        str | None,
        typer.Option(help="Mineral: uranium, tungsten, rare_earths, copper, lithium."),
    ] = None,
    origin: Annotated[
        str | None,
        typer.Option("--from", help="Facility (name, alias, id) or group ('KZ mine')."),
    ] = None,
    destination: Annotated[
        str | None,
        typer.Option("--to", help="Facility or group: 'US converter', 'EU buyer', 'fab_e'."),
    ] = None,
    year: Annotated[
        int | None, typer.Option(help="Network year; facilities open that year.")
    ] = None,
    objective: Annotated[
        str, typer.Option(help="generalised, time, cost or emissions (per t delivered).")
    ] = "generalised",
    avoid_country: Annotated[
        list[str] | None, typer.Option(help="ISO2 countries to avoid (comma-separated).")
    ] = None,
    avoid_passage: Annotated[
        list[str] | None, typer.Option(help="Sea passages to avoid: bosporus, suez, ...")
    ] = None,
    avoid_facility: Annotated[
        list[str] | None, typer.Option(help="Facility ids not to use.")
    ] = None,
    tonnes: Annotated[
        float | None,
        typer.Option(help="Tonnes per year of the first product (capacity check)."),
    ] = None,
    alternatives: Annotated[int, typer.Option(help="Next-best facilities listed per stage.")] = 3,
    carbon_price: Annotated[
        float, typer.Option(help="USD per t CO2e added to the generalised cost.")
    ] = 0.0,
    exposure: Annotated[
        bool,
        typer.Option(help="Exposure: shares by country, critical elements, premiums."),
    ] = True,
    concern: Annotated[
        list[str] | None,
        typer.Option(help="Countries of concern whose avoidance is priced (default RU,CN,IR)."),
    ] = None,
    threshold: Annotated[
        float, typer.Option(help="Cost rise making an element critical (0.10 = 10%).")
    ] = 0.10,
    table: Annotated[
        bool, typer.Option("--table", help="The minerals dashboard and the V16-V18 checks.")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    network: Annotated[
        Path | None, typer.Option(help="Network to use instead of the embedded one.")
    ] = None,
    data: Annotated[
        Path | None, typer.Option(help="Folder of minerals tables instead of the packaged ones.")
    ] = None,
) -> None:
    """Best mine -> processing -> buyer chain, every leg routed, and what it is exposed to."""
    import json

    from serai._checks import check_number
    from serai.errors import InputError
    from serai.minerals import ChainModel, load_minerals
    from serai.minerals.exposure import DEFAULT_CONCERN

    check_number(threshold, "--threshold", low=0.0, high=10.0, label="threshold")
    check_year_option(year, network)
    tables = load_minerals(data) if data is not None else None
    conc = split_opt(concern) or DEFAULT_CONCERN
    if table:
        from serai.minerals.dashboard import checks, dashboard

        model = ChainModel.load(year=year, network=network, data=tables)
        dash = dashboard(model, concern=conc, objective=objective)
        chk = checks(model)
        if json_out:
            typer.echo(
                json.dumps(
                    {
                        "dashboard": _records(dash),
                        "checks": _records(chk),
                        "year": year,
                    },
                    ensure_ascii=False,
                    indent=1,
                    default=str,
                )
            )
            return
        _print_dashboard(dash, chk)
        return
    missing = [n for n, v in (("--from", origin), ("--to", destination)) if not v]
    if missing:
        raise InputError(
            f"{' and '.join(missing)} needed (or --table for the dashboard)", field=missing[0]
        )
    model = ChainModel.load(year=year, network=network, data=tables)
    if split_opt(concern):  # codes the user gave (the default list may name countries off a
        model.check_codes(countries=[str(x).strip().upper() for x in conc])  # small network)
    c = model.chain(
        origin,
        destination,
        product,
        objective=objective,
        avoid_countries=split_opt(avoid_country),
        avoid_passages=split_opt(avoid_passage),
        avoid_facilities=split_opt(avoid_facility),
        tonnes=tonnes,
        alternatives=alternatives,
        carbon_price_usd_per_t=carbon_price,
    )
    x = None
    if exposure:
        from serai.minerals.exposure import exposure as exposure_of

        x = exposure_of(model, c, concern=conc, threshold=threshold)
    if json_out:
        d = c.to_dict()
        if x is not None:
            d["exposure"] = x.to_dict()
        typer.echo(json.dumps(d, ensure_ascii=False, indent=1, default=str))
        return
    _print_chain(c, model)
    if x is not None:
        _print_exposure(x)


def _records(df) -> list[dict]:
    import numpy as np

    d = df.replace([np.inf, -np.inf], np.nan)
    return d.astype(object).where(d.notna(), None).to_dict(orient="records")


def _num(v: float, nd: int = 0) -> str:
    return "" if v is None or v != v else f"{v:,.{nd}f}"


def _print_chain(c, model) -> None:
    from rich.table import Table

    from serai.reprs import duration_text

    con = console()
    fac = model.data.facilities
    t = Table(
        title=f"{c.mineral}: {c.request.origin} -> {c.request.destination} "
        f"({c.objective}; year {c.year or 'today'})",
        caption=f"{duration_text(c.days * 24.0)}, USD {c.usd_per_t:,.0f} and "
        f"{c.co2e_kg_per_t:,.0f} kg CO2e "
        f"(ISO 14083 WTW) per t of {c.product} delivered; {c.totals['tonne_km_per_t']:,.0f} "
        f"t-km per t; "
        + (
            f"sized for {c.volume_t:,.0f} t/yr of {c.stages[0].product_out}"
            if c.volume_t == c.volume_t
            else "no volume: capacities not checked (--tonnes)"
        ),
    )
    for col in ("stage", "facility", "country", "capacity t/yr", "needs t/yr", "next best"):
        t.add_column(col)
    for s in c.stages:
        alts = "; ".join(f"{a.name} ({a.country}) +{a.delta:,.0f}" for a in s.alternatives) or (
            "" if s.candidates > 1 else "only one"
        )
        t.add_row(
            s.stage,
            s.name + (" (EST)" if s.estimate else ""),
            s.country,
            _num(s.capacity_t),
            _num(s.required_t),
            alts,
        )
    con.print(t)
    lt = Table(title="Legs (per t of the leg's product; x mass factor = per t delivered)")
    for col, just in (
        ("#", "right"),
        ("product", "left"),
        ("from -> to", "left"),
        ("corridor", "left"),
        ("km", "right"),
        ("days", "right"),
        ("USD/t", "right"),
        ("kg CO2e/t", "right"),
        ("t per t", "right"),
        ("USD per t delivered", "right"),
    ):
        lt.add_column(col, justify=just)
    for leg in c.legs:
        a, b = fac.loc[leg.from_facility, "name"], fac.loc[leg.to_facility, "name"]
        lt.add_row(
            str(leg.seq),
            leg.product,
            f"{a} -> {b}",
            leg.corridor or "same site",
            _num(leg.totals["km"]),
            _num(leg.totals["days"], 1),
            _num(leg.totals["usd"], 1),
            _num(leg.totals["co2e_kg"], 1),
            _num(leg.mass_factor, 3),
            _num(leg.totals["usd"] * leg.mass_factor, 1),
        )
    con.print(lt)
    for n in c.notes:
        con.print(f"note: {n}", markup=False)


def _print_exposure(x) -> None:
    from rich.table import Table

    con = console()
    t = Table(title="Exposure by country (shares of the chain, per t delivered)")
    for col in ("country", "t-km", "t-km %", "hours %", "value-days %", "USD", "kg CO2e"):
        t.add_column(col, justify="left" if col == "country" else "right")
    for r in x.by_country.itertuples(index=False):
        t.add_row(
            r.country,
            _num(r.tonne_km),
            f"{r.tonne_km_share:.0%}",
            f"{r.hours_share:.0%}",
            f"{r.value_days_share:.0%}",
            _num(r.usd, 1),
            _num(r.co2e_kg, 1),
        )
    con.print(t)
    if len(x.chokepoints):
        con.print("chokepoints: " + ", ".join(x.chokepoints["name"]), markup=False)
    crit = x.critical
    ct = Table(
        title=f"Critical elements ({len(crit)} of {len(x.elements)} tested: loss cuts the chain "
        f"or raises its cost > {x.threshold:.0%})"
    )
    for col in ("element", "kind", "country", "effect", "days", "USD/t", "new chain"):
        ct.add_column(col)
    for r in crit.head(25).itertuples(index=False):
        ct.add_row(
            r.label,
            r.kind,
            r.country,
            "cuts the chain" if r.cut else f"+{r.change:.0%}",
            _num(r.days, 1),
            _num(r.usd_per_t, 0),
            r.facilities,
        )
    con.print(ct)
    pt = Table(title="Premium of avoiding (per t delivered)")
    for col in ("avoid", "days", "+days", "USD/t", "+USD/t", "+kg CO2e/t", "chain", "note"):
        pt.add_column(col)
    for r in x.premiums.itertuples(index=False):
        pt.add_row(
            r.avoid,
            _num(r.days, 1),
            _num(r.d_days, 1),
            _num(r.usd_per_t),
            _num(r.d_usd),
            _num(r.d_co2e_kg),
            r.facilities,
            r.note,
        )
    con.print(pt)


def _print_dashboard(dash, chk) -> None:
    from rich.table import Table

    con = console()
    t = Table(title="Minerals dashboard: Kazakh and Uzbek sources to US and EU buyers (per t)")
    cols = [
        "mineral",
        "source",
        "buyer",
        "tonnes_per_year",
        "chain",
        "days",
        "usd_per_t",
        "co2e_kg_per_t",
        "chokepoints",
        "avoid_RU",
        "avoid_CN",
        "avoid_IR",
        "note",
    ]
    cols = [c for c in cols if c in dash.columns]
    for c in cols:
        t.add_column(c)
    for r in dash.itertuples(index=False):
        d = r._asdict()
        t.add_row(
            *[
                _num(d[c], 1 if c == "days" else 0) if isinstance(d[c], float) else str(d[c] or "")
                for c in cols
            ]
        )
    con.print(t)
    if "command" in dash.columns:  # the row's question as a command (its volume included)
        for cmd in dash["command"].dropna():
            con.print(f"  {cmd}", markup=False, highlight=False)
    ct = Table(title="Checks against the facts (corridor-facts section 9)")
    for c in ("check", "quantity", "model", "observed", "verdict"):
        ct.add_column(c)
    for r in chk.itertuples(index=False):
        ct.add_row(r.check, r.quantity, r.model, r.observed, r.verdict)
    con.print(ct)
