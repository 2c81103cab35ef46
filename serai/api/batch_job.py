"""The ``batch`` job kind: route a list of shipments (as ``serai route --batch``)."""

from __future__ import annotations

from typing import Any

from serai.api.jobs import JobContext, job_kind
from serai.api.models import BatchRequest


@job_kind(
    "batch",
    BatchRequest,
    summary="Route a batch of shipments",
    description=(
        "One route per shipment (origin, destination, commodity, quantity, constraints). "
        "Bad rows come back with status 'error', their row number (the header is row 1, as "
        "in the CSV of `serai route --batch`) and the message; the others are routed. "
        "Result: `summary` and the `results` table (JSON, or CSV with `?format=csv`)."
    ),
)
def run_batch(req: BatchRequest, ctx: JobContext) -> dict[str, Any]:
    import pandas as pd

    from serai.api.problems import Problem
    from serai.freight.batch import combine, parse_shipments, route_batch

    if len(req.shipments) > ctx.settings.max_batch_rows:
        raise Problem(
            422,
            "invalid-input",
            f"at most {ctx.settings.max_batch_rows} shipments",
            field="shipments",
        )
    rows = []
    for s in req.shipments:
        d = s.model_dump()
        for k, v in d.items():
            if isinstance(v, list):
                d[k] = ";".join(map(str, v))
        rows.append(d)
    table = pd.DataFrame(rows).dropna(axis=1, how="all")
    good, bad = parse_shipments(table, max_rows=ctx.settings.max_batch_rows)
    total = max(1, len(good))
    ctx.progress(0.0, f"routing {len(good)} shipments ({len(bad)} rejected)")

    # progress counts rows done, routed or not: a row may still fail here (unknown place,
    # year out of range, no route); the final message says how many were routed
    res = route_batch(
        good,
        lambda y: ctx.pool.get(ctx.settings.default_year if y is None else y)[0],
        year=req.year,
        geometry=req.geometry,
        progress=lambda n: ctx.progress(n / total, f"{n} of {len(good)} shipments done"),
    )
    df = combine(res, bad)
    ok = int((df["status"] == "ok").sum())
    failed = len(df) - ok
    ctx.progress(
        1.0,
        f"{ok} of {len(df)} shipments routed"
        + (f", {failed} failed (status 'error' in the results)" if failed else ""),
    )
    return {
        "summary": {"shipments": len(df), "routed": ok, "failed": failed},
        "tables": {"results": df},
    }
