"""`serai data`: the embedded Eurasian network (build, map, validation report)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from serai.cli._common import (
    check_year_option,
    console,
    data_app,
    fail,
    handle_errors,
)


@data_app.command("validate-report")
@handle_errors
def data_validate_report(
    out: Annotated[Path, typer.Option("--out", "-o", help="Markdown report to write.")] = Path(
        "docs/validation.md"
    ),
    facts: Annotated[
        Path | None,
        typer.Option(
            help="Folder with validation_routes.csv and sources.csv (default: the repository's "
            "tools/data/facts, else the tables shipped with the network)."
        ),
    ] = None,
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
    """Compare route answers (days, USD, km) and network lengths with published figures.

    Writes docs/validation.md: the time and tariff observations before and after
    calibration, the relations of the literature, and the network's length checks.
    """
    from serai._checks import check_number
    from serai.data.validation import validate_routes, validation_markdown
    from serai.data.validation_io import (
        check_report_target,
        read_validation_inputs,
        write_report,
    )

    check_report_target(out, overwrite)
    check_number(tolerance, "tolerance", high=10.0)
    if facts is not None and not facts.is_dir():
        from serai.errors import InputError

        raise InputError(f"--facts {facts}: no such folder (it must hold validation_routes.csv "
                         "and sources.csv)")  # fmt: skip

    if network is None:
        try:
            from serai.data import load_network
        except ImportError:
            from serai.errors import InputError

            raise InputError("no embedded network in this installation; pass --network") from None
        net = load_network()
        label = "the embedded Eurasian network (`serai.data.load_network()`)"
    else:
        from serai.network import read_network

        net = read_network(network)
        label = f"`{network}`"
    facts = facts if facts is not None else Path("tools/data/facts")
    if not facts.exists() and {"validation_routes", "sources"} <= set(net.tables):
        # outside a repository checkout: the routes and sources shipped with the network
        routes, sources = net.tables["validation_routes"], net.tables["sources"]
    else:
        routes, sources = read_validation_inputs(facts)
    table = validate_routes(net, routes, sources=sources, tolerance=tolerance)
    header = f"Network: {label}: {len(net.nodes):,} nodes, {len(net.links):,} links."
    counts = table["verdict"].value_counts().to_dict()
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    if network is not None:  # another network: its data checks only
        text = validation_markdown(table, tolerance=tolerance, header=header)
        write_report(text, out, overwrite=overwrite)
        console().print(f"{len(table)} routes: {summary}; wrote {out}")
        return
    # the embedded network: what users see (route answers: days, USD, km) against the
    # published times and tariffs, then the network data checks
    from serai.data.validation_report import model_validation, model_validation_markdown

    mv = model_validation(log=console().print)
    text = (
        model_validation_markdown(mv)
        + "\n"
        + validation_markdown(table, tolerance=tolerance, header=header, level=2)
    )
    write_report(text, out, overwrite=overwrite)
    t, p = mv.share_inside("time"), mv.share_inside("tariff")
    console().print(
        f"validation rows inside their band: times {t[0]}/{t[1]}, tariffs {p[0]}/{p[1]}; "
        f"{len(table)} routes: {summary}; wrote {out}"
    )


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
    overwrite: Annotated[
        bool,
        typer.Option(
            help="Replace files in OUT that an earlier build did not write (other files in "
            "OUT are always kept)."
        ),
    ] = False,
    allow_anomalies: Annotated[
        bool,
        typer.Option(
            help="Write the network even if `serai data check` finds anomalies in it (to "
            "inspect a failed build; use with --out)."
        ),
    ] = False,
) -> None:
    """Rebuild the embedded network from tools/data (works from a repository checkout).

    The build fails, keeping the previous network, when `serai data check` finds any anomaly
    in the new one (today's network and 2030's, planned lines open).
    """
    from serai.errors import InputError

    repo = Path(__file__).resolve().parents[2]
    if not (repo / "tools" / "data" / "build.py").exists():
        raise InputError(
            "the build code is not here; run from a repository checkout", file=str(repo)
        )
    if str(repo) not in sys.path:
        sys.path.insert(0, str(repo))
    from tools.data.build import OUT, build

    if out is not None:
        from serai._fs import check_folder

        # before the build's minutes: under a file, unwritable (/proc), the current folder
        check_folder(out)
    if not check:
        # the checkout's own data folder is the build's: it may always be rebuilt
        build(
            out or OUT,
            log=console().print,
            overwrite=overwrite or out is None,
            check=not allow_anomalies,
        )
        return
    import hashlib
    import tempfile

    target = out or OUT
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp), log=console().print, check=not allow_anomalies)
        new = {
            f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in Path(tmp).glob("*.parquet")
        }
    old = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in target.glob("*.parquet")}
    differ = sorted(n for n in set(new) | set(old) if new.get(n) != old.get(n))
    if differ:
        fail(f"the build differs from {target} in: {', '.join(differ)}", code=1)
    console().print(f"identical: {len(new)} tables in {target} reproduced byte for byte")


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
    import math

    from serai._fs import check_new, write_with
    from serai.data import load_network
    from serai.data.mapping import render_map
    from serai.errors import InputError

    check_year_option(year)
    check_new(out, overwrite)
    kw = {}
    if bbox:
        try:
            box = tuple(float(v) for v in bbox.split(","))
        except ValueError:
            box = ()
        if len(box) != 4 or not all(math.isfinite(v) for v in box):
            raise InputError(
                "--bbox needs four numbers: lon_min,lat_min,lon_max,lat_max", field="bbox"
            )
        x0, y0, x1, y1 = box
        if not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
            raise InputError(
                "--bbox must satisfy -180 <= lon_min < lon_max <= 180 and "
                "-90 <= lat_min < lat_max <= 90",
                field="bbox",
            )
        kw["bbox"] = box
    net = load_network(year)
    write_with(out, lambda tmp: render_map(net, tmp, **kw), overwrite=overwrite)
    console().print(f"wrote {out}")


@data_app.command("check")
@handle_errors
def data_check(
    year: Annotated[
        int | None,
        typer.Option(help="Year of the border and facts-line checks (default: today's network)."),
    ] = None,
    network: Annotated[
        Path | None, typer.Option(help="Network to check (default: the embedded Eurasian one).")
    ] = None,
    land: Annotated[
        Path | None,
        typer.Option(
            help="Natural Earth admin-0 GeoJSON for the water-over-land check (default: "
            "tools/data/raw of a repository checkout)."
        ),
    ] = None,
    before: Annotated[
        Path | None,
        typer.Option(help="JSON of earlier counts ({class: count}) to print beside these."),
    ] = None,
    details: Annotated[
        int, typer.Option(help="Print up to this many offending rows per class.")
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Counts as JSON.")] = False,
) -> None:
    """Count the network's anomalies (geometry, speeds, closed borders, water over land, ...).

    Exit code 1 when any anomaly is left.
    """
    import json

    from serai._checks import check_count
    from serai.data import load_network
    from serai.data.check import ANOMALY_CLASSES, check_network, default_land_path, load_land
    from serai.errors import InputError

    check_year_option(year)  # every input is checked before minutes of checks
    check_count(details, "--details", 0, 1_000_000)
    old = {}
    if before is not None:
        try:
            old = json.loads(before.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read counts: {exc}", file=str(before)) from None
        old = old.get("counts", old) if isinstance(old, dict) else old
        if not isinstance(old, dict) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in old.values()
        ):
            raise InputError("expected JSON {class: count}", file=str(before))
    if land is not None and not land.is_file():
        raise InputError("no such file", file=str(land), field="land")
    land_paths = (land, None) if land is not None else default_land_path()
    land_geom = None
    if land_paths:
        try:
            land_geom = load_land(*land_paths)
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            raise InputError(
                f"not a GeoJSON FeatureCollection of land polygons ({type(exc).__name__}: "
                f"{str(exc)[:80]})", file=str(land_paths[0]), field="land",
            ) from None  # fmt: skip
    net = load_network(path=network)
    report = check_network(net, year=year, land=land_geom)
    if as_json:
        typer.echo(json.dumps({"year": year, "counts": report.counts, "skipped": report.skipped,
                               "total": report.total}, indent=1))  # fmt: skip
    else:
        from rich.table import Table

        t = Table(title=f"Network check ({'today' if year is None else year}): "
                  f"{report.total} anomalies")  # fmt: skip
        t.add_column("class")
        if old:
            t.add_column("before", justify="right")
        t.add_column("count", justify="right")
        t.add_column("note")
        for k in ANOMALY_CLASSES:
            row = [k] + ([str(old.get(k, ""))] if old else [])
            t.add_row(*row, str(report.counts[k]), report.skipped.get(k, ""))
        console().print(t)
        for k in ANOMALY_CLASSES:
            d = report.details.get(k)
            if details and d is not None and len(d):
                console().print(f"[bold]{k}[/bold] ({len(d)}):")
                console().print(d.head(details).to_string(index=False))
    if report.total:
        raise typer.Exit(1)


@data_app.command("calibrate")
@handle_errors
def data_calibrate(
    check: Annotated[
        bool,
        typer.Option(
            help="Refit and compare with the shipped calibrated parameters; write nothing."
        ),
    ] = False,
) -> None:
    """Fit the time and tariff estimates to the published figures (calibration rows of the facts).

    Writes serai/freight/data/calibrated.csv (fitted values with the observations they rest
    on) and calibration_fit.csv (residual per observation, before and after); works from a
    repository checkout. A network rebuild needs a new calibration.
    """
    from serai.errors import InputError

    repo = Path(__file__).resolve().parents[2]
    if not (repo / "tools" / "calibrate" / "fit.py").exists():
        raise InputError(
            "the calibration code is not here; run from a repository checkout", file=str(repo)
        )
    if str(repo) not in sys.path:
        sys.path.insert(0, str(repo))
    from tools.calibrate.fit import calibrate, write
    from tools.calibrate.fit import check as check_fit

    res = calibrate(log=console().print)
    console().print(
        f"{len(res.params)} parameters calibrated on {len(res.fit)} observations in "
        f"{res.rounds} round(s); sum of squared residuals {res.cost_before:.2f} -> "
        f"{res.cost_after:.2f} (observations only); routes {res.route_status}"
        + (f" (alternating: {', '.join(res.alternating)})" if res.alternating else "")
    )
    if check:
        problems = check_fit(res)
        if problems:
            fail("the refit differs from the shipped parameters: " + "; ".join(problems), code=1)
        console().print("reproduced: the shipped calibrated parameters")
        return
    for p in write(res):
        console().print(f"wrote {p}")
