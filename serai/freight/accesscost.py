"""Time and money of first- and last-mile legs (a truck haul, a border, a transfer to rail).

The road model of :mod:`serai.freight.roadtime` and the parameters of the time and tariff
models, for legs outside the routing graph (:mod:`serai.freight.access`). Each function
returns the leg's components and their split by provenance (measured, calibrated,
estimate), as the routing graph's links carry them.

Examples
--------
>>> from serai.freight import commodity
>>> from serai.freight.params import model_params
>>> p = model_params()
>>> h = road_haul(120.0, commodity("container"), p)
>>> h["hours_motion"] == 120.0 / p.value("road.speed"), h["hours_rest"]
(True, 0.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from serai.freight.params import BASES, ParamSet, model_params

__all__ = ["offnet_leg", "rail_transfer", "road_border", "road_haul", "transfer"]


def _split(params: ParamSet, parts: list[tuple[str, float]]) -> np.ndarray:
    """Hours or USD by basis of (param_id, amount) parts."""
    out = np.zeros(len(BASES))
    for pid, amount in parts:
        out[BASES.index(params.basis_of(pid))] += amount
    return out


def _scale(c: Any, params: ParamSet) -> float:
    from serai.freight.tariffs import money_scale

    return money_scale(c, params.values, params)


def road_haul(
    km: float, c: Any, params: ParamSet | None = None, crew: str = "single"
) -> dict[str, Any]:
    """A truck haul of ``km``: driving, rests (driving-time rules), line haul per unit."""
    from serai.freight.roadtime import truck_schedule

    p = params if params is not None else model_params()
    drive = float(km) / p.value("road.speed")
    rest = truck_schedule(drive, crew).rest_h
    rate = "road.rate" if c.handling == "container" else "bulk.road.rate"
    usd = float(km) * p.value(rate) * _scale(c, p)
    return {
        "hours_motion": drive,
        "hours_rest": rest,
        "usd_tariff": usd,
        "hours_by_basis": _split(p, [("road.speed", drive + rest)]),
        "usd_by_basis": _split(p, [(rate, usd)]),
    }


def road_border(
    from_country: str, to_country: str, c: Any, params: ParamSet | None = None
) -> dict[str, Any] | None:
    """A road border crossing on a leg (None inside the EU, a short one inside the EAEU)."""
    from serai.freight.timemodel import border_side_param
    from serai.freight.virtual import customs_union

    p = params if params is not None else model_params()
    uf, ut = customs_union(from_country), customs_union(to_country)
    union = bool(uf) and uf == ut
    if union and uf.split(":")[1] == "none":
        return None
    key = f"|{from_country}-{to_country}"
    out_id = border_side_param(p, "road", from_country, "out", key, union)
    in_id = border_side_param(p, "road", to_country, "in", key, union)
    fee_id = "border.fee.road" if c.handling == "container" else "bulk.border.fee"
    fee = 0.0 if union else p.value(fee_id) * _scale(c, p)
    h_out, h_in = p.value(out_id), p.value(in_id)
    return {
        "event": "border_union" if union else "border_road",
        "hours_border_out": h_out,
        "hours_border_in": h_in,
        "usd_border": fee,
        "hours_by_basis": _split(p, [(out_id, h_out), (in_id, h_in)]),
        "usd_by_basis": _split(p, [(fee_id, fee)]) if fee else np.zeros(len(BASES)),
    }


def transfer(c: Any, params: ParamSet | None = None) -> tuple[float, float]:
    """Hours and money per unit of one transfer between modes (a lift)."""
    p = params if params is not None else model_params()
    bulk = c.handling != "container"
    h = p.value("bulk.transfer" if bulk else "transfer.container")
    return h, p.value("bulk.lift" if bulk else "lift") * _scale(c, p)


def offnet_leg(
    km: float,
    mode: str,
    country: str,
    c: Any,
    *,
    with_transfer: bool = False,
    params: ParamSet | None = None,
    crew: str = "single",
) -> dict[str, float]:
    """Hours and money per unit of a leg off the network by ``mode`` (rail, else road).

    Rail: km at the zone's speed with the technical stops en route, at the zone's rate (a
    mineral consignment in Kazakhstan: the domestic/export rate ``rail.rate.KZ.export`` per t);
    road: :func:`road_haul`. ``with_transfer`` adds one transfer (:func:`transfer`).
    """
    from serai.freight.params import zone_of
    from serai.freight.tariffs import pays_consignment_rate

    p = params if params is not None else model_params()
    if mode == "rail":
        z = str(zone_of([country])[0])
        speed = p.first([f"rail.speed.{z}", "rail.speed.OTHER"])
        rate = p.first([f"rail.rate.{z}", "rail.rate.OTHER"])
        hours = km / p.value(speed) + km / 1000.0 * p.value("rail.enroute_h_per_1000km")
        if z == "KZ" and pays_consignment_rate(c) and "rail.rate.KZ.export" in p:
            # a Kazakh rail spur of a container: a domestic haul at CAREC's consignment
            # cost per t of cargo (as LinkCosts.export_kz), not the transit through rate
            usd = km * p.value("rail.rate.KZ.export") * float(c.tonnes_per_unit)
            if c.dg_class == "7":
                usd *= p.value("dg7.factor")
        elif c.handling == "container":
            usd = km * p.value(rate) * _scale(c, p)
        else:
            rid = "bulk.rail.rate.KZ" if z == "KZ" else "bulk.rail.rate"
            usd = km * p.value(rid) * _scale(c, p)
    else:
        h = road_haul(km, c, p, crew)
        hours, usd = h["hours_motion"] + h["hours_rest"], h["usd_tariff"]
    if with_transfer:
        th, tu = transfer(c, p)
        hours, usd = hours + th, usd + tu
    return {"hours": float(hours), "usd": float(usd)}


def rail_transfer(side: str, c: Any, params: ParamSet | None = None) -> dict[str, Any]:
    """A truck's box put on a train (first mile) or taken off one (last mile)."""
    p = params if params is not None else model_params()
    bulk = c.handling != "container"
    t_id = "bulk.transfer" if bulk else "transfer.container"
    term = "terminal.rail.origin" if side == "first" else "terminal.rail.dest"
    lift = "bulk.lift" if bulk else "lift"
    h = p.value(t_id) + p.value(term)
    usd = p.value(lift) * _scale(c, p)
    return {
        "hours_dwell": h,
        "usd_hub": usd,
        "hours_by_basis": _split(p, [(t_id, p.value(t_id)), (term, p.value(term))]),
        "usd_by_basis": _split(p, [(lift, usd)]),
    }
