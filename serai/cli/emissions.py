"""`serai emissions`: ISO 14083 / GLEC footprints, iLEAP export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from serai.cli._common import (
    console,
    emissions_app,
    handle_errors,
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
    console().print(t)


def _check_ileap(ileap: Path | None, overwrite: bool) -> None:
    """Refuse an --ileap file that exists (without --overwrite) or cannot be written, before
    anything is computed or printed."""
    if ileap is not None:
        from serai._fs import check_new

        check_new(ileap, overwrite)


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
        console().print(f"wrote {ileap}")


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

    _check_ileap(ileap, overwrite)  # before reading and accounting the chain
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

    _check_ileap(ileap, overwrite)
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
