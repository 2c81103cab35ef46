"""`serai assign`: static user-equilibrium assignment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from serai.cli._common import (
    FormatOpt,
    PathArg,
    app,
    console,
    echo,
    handle_errors,
    show_warnings,
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
    from serai._fs import check_new
    from serai.assignment import AssignmentConfig, assign
    from serai.errors import InputError

    outputs = [out] + ([log] if log is not None else [])
    for o in outputs:
        if o.suffix.lower() not in (".csv", ".parquet"):
            raise InputError("output must end in .csv or .parquet", file=str(o))
        check_new(o, overwrite)
    if log is not None and out.resolve() == log.resolve():
        raise InputError("--out and --log name the same file", file=str(out))
    loaded = _tntp_inputs(path, fmt, trips, block_zones)
    if loaded is None:  # the general path: pandas tables, the validation gate's report
        from serai.network import compile_network, read_network, validate
        from serai.network.io import read_demand

        net = read_network(path, format=fmt)
        report = validate(net, purpose="assignment", raise_on_error=True)
        show_warnings(report)
        demand = read_demand(trips)
        graph, meta = compile_network(net, block_zones=block_zones), net.meta
    else:
        graph, meta, demand = loaded
    config = AssignmentConfig(
        algorithm=algorithm,
        gap=gap,
        max_iter=max_iter,
        vdf=vdf,
        length_weight=float(
            length_weight if length_weight is not None else meta.get("distance_factor", 0.0)
        ),
        toll_weight=float(toll_weight if toll_weight is not None else meta.get("toll_factor", 0.0)),
        time_limit=time_limit,
    )

    def show(row: dict) -> None:
        echo(
            f"iteration {row['iteration']:>5}  gap {row['gap']:.3e}  "
            f"objective {row['beckmann']:.10g}  {row['elapsed_s']:.3f} s"
        )

    result = assign(graph, demand, config, progress=show if progress else None)
    cols = ["link_id", "from_node", "to_node", "flow", "time", "cost", "voc"]
    links = result.link_columns()
    tables = [(out, {c: links[c] for c in cols})]
    if log is not None:
        tables.append((log, result.log_columns()))
    import contextlib

    from serai._fs import atomic_path

    with contextlib.ExitStack() as stack:  # all or nothing: renamed together at the end
        for o, columns in tables:
            tmp = stack.enter_context(atomic_path(o, overwrite=overwrite))
            if o.suffix.lower() == ".parquet":
                import pandas as pd

                pd.DataFrame(columns).to_parquet(tmp, index=False)
            else:  # the bytes pandas' to_csv writes, without loading pandas
                from serai._csv import write_columns

                with open(tmp, "w", encoding="utf-8", newline="") as fh:
                    write_columns(fh, columns)
    state = "converged" if result.converged else "NOT converged"
    echo(
        f"{state}: {result.algorithm}, {result.iterations} iterations, relative gap "
        f"{result.gap:.3e}, objective {result.beckmann:.10g}; wrote {out}"
    )
    if result.n_disconnected:
        console(stderr=True).print(
            f"warning: {len(result.disconnected)} OD pair(s) with no path, volume "
            f"{result.disconnected['volume'].sum():.6g} not assigned (first: "
            f"{result.disconnected.iloc[0]['origin']} -> "
            f"{result.disconnected.iloc[0]['destination']})",
            markup=False,
        )


def _tntp_inputs(path: Path, fmt: str | None, trips: Path, block_zones: bool | None):
    """(graph, metadata, demand columns) of TNTP files without pandas, or None.

    Only for a ``_net.tntp`` file the validation gate would pass without a word
    (:func:`serai.network.io.tntp.graph_if_clean`) and ``_trips.tntp`` demand; a file
    the readers refuse is refused with their message. None: the general path.
    """
    tntp_file = (fmt is None and path.suffix.lower() == ".tntp") or (
        fmt is not None and fmt.lower() == "tntp"
    )
    if not (tntp_file and path.is_file() and trips.suffix.lower() == ".tntp" and trips.is_file()):
        return None
    from serai.network.io import tntp

    got = tntp.graph_if_clean(path, purpose="assignment", block_zones=block_zones)
    if got is None:
        return None
    origin, destination, volume, _ = tntp.parse_trips(trips)
    return (*got, {"origin": origin, "destination": destination, "volume": volume})
