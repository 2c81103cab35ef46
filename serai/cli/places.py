"""`serai places`: the gazetteer (search as you type; what a name resolves to)."""

from __future__ import annotations

from typing import Annotated

import typer

from serai.cli._common import app, check_year_option, console, handle_errors

places_app = typer.Typer(
    help="Places: search the gazetteer, see what a name resolves to.", no_args_is_help=True
)
app.add_typer(places_app, name="places")


@places_app.command("search")
@handle_errors
def places_search(
    name: Annotated[str, typer.Argument(help="Beginning of a name, in any script or spelling.")],
    country: Annotated[
        str | None, typer.Option(help="Only places in this country (ISO2 or name).")
    ] = None,
    limit: Annotated[int, typer.Option(help="Number of places to list.")] = 10,
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Places whose name or alias starts with NAME (exact matches, then by population)."""
    import json

    from serai.errors import InputError
    from serai.freight.gazetteer import load_gazetteer
    from serai.freight.resolver import search_places

    if limit < 1:
        raise InputError("must be at least 1", field="--limit")
    gz = load_gazetteer()
    if country and not gz.country_code(country) and len(country.strip()) != 2:
        raise InputError(
            f"unknown country '{country}' (give an ISO2 code or a name)", field="--country"
        )
    t = search_places(name, country=country, limit=limit, gazetteer=gz)
    if json_out:
        typer.echo(json.dumps(t.to_dict(orient="records"), ensure_ascii=False, indent=1))
        return
    if not len(t):
        console().print(f"no place starts with '{name}'")
        return
    from rich.table import Table

    tab = Table(title=f"places matching '{name}'")
    for col, just in (("name", "left"), ("region", "left"), ("country", "left"),
                      ("population", "right"), ("kind", "left"), ("lat,lon", "right"),
                      ("UN/LOCODE", "left"), ("matched", "left")):  # fmt: skip
        tab.add_column(col, justify=just)
    for r in t.itertuples(index=False):
        tab.add_row(
            r.name, r.admin1, r.country, f"{r.population:,}" if r.population else "", r.kind,
            f"{r.lat:.3f},{r.lon:.3f}", r.unlocode, r.matched,
        )  # fmt: skip
    console().print(tab)


@places_app.command("resolve")
@handle_errors
def places_resolve(
    name: Annotated[str, typer.Argument(help="A place as `serai route --from` takes it.")],
    country: Annotated[
        str | None, typer.Option(help="Only places in this country (ISO2 or name).")
    ] = None,
    year: Annotated[int | None, typer.Option(help="Network year.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """The place a name resolves to for `serai route`, on or off the embedded network."""
    import json

    from serai.freight.query import load_network, make_router

    check_year_option(year)
    router = make_router(load_network(None, year=year))
    p = router.locate(name, country=country)
    d = p.to_dict()
    if p.target is None:
        near, km = router.places.snap(p.lat, p.lon)
        from serai.freight.ends import network_name

        d["nearest_network_place"] = network_name(router, near)
        d["nearest_network_place_km"] = round(km, 1)
    if json_out:
        typer.echo(json.dumps(d, ensure_ascii=False, indent=1, default=str))
        return
    con = console()
    where = (
        f"on the network ({p.target})"
        if p.on_network
        else f"off the network: first/last-mile road leg (nearest network place "
        f"{d['nearest_network_place']}, {d['nearest_network_place_km']:,.0f} km)"
    )
    con.print(f"{p.label}  {p.lat:.4f},{p.lon:.4f}  {where}")
    if p.note():
        con.print(p.note())
