"""The ``chain`` job kind: a critical-mineral supply chain (mine -> processing -> buyer).

``POST /api/jobs/chain`` answers what ``serai chain --json`` answers
(:meth:`serai.minerals.ChainModel.chain`, optionally with its exposure), on the service's
routing graph of the year. A job, not a request: the first chain of a year sets up
facility access and many-to-many searches (seconds to tens of seconds); the model is
then kept and later chains of that year take a second or two.
"""

from __future__ import annotations

import threading
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from serai.api.jobs import JobContext, job_kind

__all__ = ["ChainRequest"]

_MODELS: dict[int | None, tuple[Any, Any, threading.Lock]] = {}
_LOCK = threading.Lock()


class ChainRequest(BaseModel):
    """A supply-chain question, with the options of ``serai chain``."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "product": "uranium",
                    "origin": "Inkai",
                    "destination": "US converter",
                    "year": 2030,
                }
            ]
        },
    )
    product: str | None = Field(
        None, max_length=40, description="uranium, tungsten, rare_earths, copper, lithium."
    )
    origin: str = Field(
        min_length=1, max_length=120, description="Facility (name, alias, id) or group."
    )
    destination: str = Field(
        min_length=1, max_length=120, description="Facility or group ('US converter')."
    )
    year: int | None = Field(None, description="Network year (see RouteQuery.year).")
    objective: Literal["generalised", "time", "cost", "emissions"] = "generalised"
    avoid_countries: list[str] = Field(default_factory=list, max_length=60)
    avoid_passages: list[str] = Field(default_factory=list, max_length=20)
    avoid_facilities: list[str] = Field(default_factory=list, max_length=100)
    tonnes: float | None = Field(None, gt=0, le=1e9, description="Tonnes per year (capacity).")
    alternatives: int = Field(3, ge=0, le=10)
    carbon_price: float = Field(0.0, ge=0, le=10_000, description="USD per t CO2e.")
    exposure: bool = Field(False, description="Add shares by country, critical elements.")


def _model(ctx: JobContext, year: int | None) -> tuple[Any, threading.Lock]:
    from serai.minerals import ChainModel

    router = ctx.pool.get(year)[0]
    with _LOCK:
        hit = _MODELS.get(year)
        if hit is None or hit[0] is not router:
            hit = (router, ChainModel(router, None, year=year), threading.Lock())
            _MODELS[year] = hit
    return hit[1], hit[2]


@job_kind(
    "chain",
    ChainRequest,
    summary="Critical-mineral supply chain (as serai chain --json)",
    description="Result: the chain (facilities, stages, legs, days, USD and kg CO2e per t) and, "
    "with `exposure`, its exposure; tables `stages` and `legs` (CSV with `?format=csv`).",
)
def run_chain(req: ChainRequest, ctx: JobContext) -> dict[str, Any]:
    import pandas as pd

    year = ctx.settings.default_year if req.year is None else req.year
    ctx.progress(0.05, f"routing graph of {year or 'today'}")
    model, lock = _model(ctx, year)
    ctx.progress(0.2, "chain")
    with lock:  # the model fills its caches as it goes: one chain at a time per year
        c = model.chain(
            req.origin,
            req.destination,
            req.product,
            objective=req.objective,
            avoid_countries=req.avoid_countries,
            avoid_passages=req.avoid_passages,
            avoid_facilities=req.avoid_facilities,
            tonnes=req.tonnes,
            alternatives=req.alternatives,
            carbon_price_usd_per_t=req.carbon_price,
        )
        out = c.to_dict()
        if req.exposure:
            from serai.minerals.exposure import exposure

            out["exposure"] = exposure(model, c).to_dict()
    stages = pd.DataFrame([{k: v for k, v in st.items() if k != "alternatives"}
                           for st in out["stages"]])  # fmt: skip
    legs = pd.json_normalize([{k: v for k, v in lg.items() if k != "parts"} for lg in out["legs"]])
    for col in ("countries", "passages", "services"):
        if col in legs.columns:
            legs[col] = legs[col].map(";".join)
    out["tables"] = {"stages": stages, "legs": legs}
    return out
