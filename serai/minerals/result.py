"""What a chain query returns: stages with the facility chosen at each, legs, totals.

Costs, hours and emissions of a leg are per tonne of the product that leg carries;
``mass_factor`` (tonnes of that product per tonne of the product delivered at the end
of the chain) turns them into the chain's totals per tonne of final product. Hours add
up as they are (a tonne of final product waits for each leg once).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Access", "Alternative", "Chain", "ChainLeg", "ChainStage"]


@dataclass(frozen=True)
class Access:
    """Where a facility's goods join the network, and the leg off the network to get there.

    ``km`` is the road (or rail) distance of that leg (great-circle x circuity unless
    ``access.csv`` gives it); ``event`` ``transfer`` adds a mode change at the place.
    """

    facility_id: str
    place: int | str
    place_name: str
    vnode: int
    mode: str
    km: float
    event: str
    country: str
    origin: str  # access.csv | nearest place | entry port
    estimate: bool


@dataclass(frozen=True)
class Alternative:
    """The best chain through another facility at one stage, and how much worse it is."""

    stage: str
    facility_id: str
    name: str
    country: str
    facilities: tuple[str, ...]
    objective: float
    delta: float
    days: float
    usd_per_t: float
    co2e_kg_per_t: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "facility_id": self.facility_id,
            "name": self.name,
            "country": self.country,
            "chain": list(self.facilities),
            "objective": _r(self.objective),
            "delta": _r(self.delta),
            "days": _r(self.days),
            "usd_per_t": _r(self.usd_per_t),
            "co2e_kg_per_t": _r(self.co2e_kg_per_t),
        }


@dataclass(frozen=True)
class ChainStage:
    """One stage of a chain and the facility chosen there."""

    seq: int
    stage: str
    role: str
    facility_id: str
    name: str
    country: str
    region: str
    operator: str
    status: str
    product_in: str
    product_out: str
    t_in_per_t_out: float
    capacity_t: float  # tonnes of product_out per year (NaN: not known)
    required_t: float  # tonnes of product_out per year the chain needs (NaN: no volume)
    estimate: bool
    candidates: int
    alternatives: tuple[Alternative, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "stage": self.stage,
            "role": self.role,
            "facility_id": self.facility_id,
            "name": self.name,
            "country": self.country,
            "region": self.region,
            "operator": self.operator,
            "status": self.status,
            "product_in": self.product_in or None,
            "product_out": self.product_out or None,
            "t_in_per_t_out": _r(self.t_in_per_t_out),
            "capacity_t_per_year": _r(self.capacity_t),
            "required_t_per_year": _r(self.required_t),
            "estimate": bool(self.estimate),
            "candidates": self.candidates,
            "alternatives": [a.to_dict() for a in self.alternatives],
        }


@dataclass(frozen=True, eq=False)
class ChainLeg:
    """One leg of a chain: a product from the facility of one stage to that of the next.

    ``table`` has one row per part (access leg off the network, transfer, each
    movement leg and hub event of the network route, egress leg) with km, hours, usd
    and co2e_kg per tonne of ``product``. ``route`` is the :class:`serai.freight.Route`
    of the network part (None when both facilities share a site or a place).
    """

    seq: int
    product: str
    from_facility: str
    to_facility: str
    mass_factor: float
    value_usd_per_t: float
    from_access: Access | None
    to_access: Access | None
    route: Any
    table: pd.DataFrame
    totals: Mapping[str, float]

    @property
    def corridor(self) -> str:
        return self.route.corridor if self.route is not None else ""


def _r(v: float, nd: int = 4) -> float | None:
    if v is None:
        return None
    v = float(v)
    return None if not np.isfinite(v) else round(v, nd)


@dataclass(frozen=True, eq=False)
class Chain:
    """A mineral supply chain from a mine (or a plant) to a buyer, best under the objective.

    Attributes
    ----------
    mineral, product
        The mineral and the product delivered at the end (``per_t`` totals are per
        tonne of it).
    stages
        One :class:`ChainStage` per stage, with the facility chosen and the
        alternatives at that stage.
    legs
        One :class:`ChainLeg` per leg.
    totals
        ``days`` (sum of leg times), ``usd_per_t``, ``co2e_kg_per_t`` (ISO 14083 WTW),
        ``tonne_km_per_t``, ``km`` (sum of leg distances), ``value_days_per_t`` and
        ``objective`` (the minimised value).
    notes
        What the answer rests on: estimated facilities, rules that name elements this
        network does not have, capacity not checked, ...
    """

    request: Any
    mineral: str
    product: str
    objective: str
    year: int | None
    volume_t: float
    stages: tuple[ChainStage, ...]
    legs: tuple[ChainLeg, ...]
    totals: Mapping[str, float]
    notes: tuple[str, ...] = ()
    solution: Any = field(default=None, repr=False, compare=False)

    @property
    def facilities(self) -> tuple[str, ...]:
        return tuple(s.facility_id for s in self.stages)

    @property
    def days(self) -> float:
        return float(self.totals["days"])

    @property
    def usd_per_t(self) -> float:
        return float(self.totals["usd_per_t"])

    @property
    def co2e_kg_per_t(self) -> float:
        return float(self.totals["co2e_kg_per_t"])

    def legs_table(self) -> pd.DataFrame:
        """Every part of every leg, with per-tonne-of-product and per-tonne-of-final values."""
        frames = []
        for leg in self.legs:
            t = leg.table.copy()
            t.insert(0, "leg", leg.seq)
            t.insert(1, "product", leg.product)
            t["mass_factor"] = leg.mass_factor
            t["usd_per_t_final"] = t["usd"] * leg.mass_factor
            t["co2e_kg_per_t_final"] = t["co2e_kg"] * leg.mass_factor
            t["tonne_km_per_t_final"] = (
                np.where(t["kind"] == "move", t["km"], 0.0) * leg.mass_factor
            )
            t["value_days_per_t_final"] = t["hours"] / 24.0 * leg.value_usd_per_t * leg.mass_factor
            frames.append(t)
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames, ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: request, stages (with alternatives), legs (with parts), totals."""
        legs = []
        for leg in self.legs:
            parts = leg.table.astype(object).where(leg.table.notna(), None)
            legs.append(
                {
                    "seq": leg.seq,
                    "product": leg.product,
                    "from": leg.from_facility,
                    "to": leg.to_facility,
                    "mass_factor": _r(leg.mass_factor, 6),
                    "corridor": leg.corridor,
                    "from_place": leg.from_access.place_name if leg.from_access else None,
                    "to_place": leg.to_access.place_name if leg.to_access else None,
                    "per_t_product": {k: _r(v) for k, v in leg.totals.items()},
                    "per_t_final": {
                        "usd": _r(leg.totals["usd"] * leg.mass_factor),
                        "co2e_kg": _r(leg.totals["co2e_kg"] * leg.mass_factor),
                    },
                    "countries": list(leg.route.countries) if leg.route is not None else [],
                    "passages": list(leg.route.passages) if leg.route is not None else [],
                    "services": list(leg.route.services) if leg.route is not None else [],
                    "parts": parts.to_dict(orient="records"),
                }
            )
        req = self.request
        return {
            "mineral": self.mineral,
            "product": self.product,
            "from": req.origin,
            "to": req.destination,
            "objective": self.objective,
            "year": self.year,
            "volume_t_per_year": _r(self.volume_t),
            "avoid_countries": list(req.avoid_countries),
            "avoid_passages": list(req.avoid_passages),
            "facilities": list(self.facilities),
            **{k: _r(v) for k, v in self.totals.items()},
            "basis": "per tonne of the product delivered; emissions ISO 14083 well-to-wheel",
            "stages": [s.to_dict() for s in self.stages],
            "legs": legs,
            "notes": list(self.notes),
        }
