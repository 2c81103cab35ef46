"""A route's time and money read back from its virtual links: components, rests, provenance.

Used by :class:`serai.freight.Router` for every route it returns and by the calibration,
so that what is fitted is exactly what users see. A route's hours are the sum of its
links' components, except truck rests: each road haul of the route is scheduled exactly
under the driving-time rules (:func:`serai.freight.roadtime.exact_rests`), where the
search used a rest per driving hour.

Provenance: every link's hours and money are split into measured, calibrated and
estimated parts (:data:`serai.freight.params.BASES`); a leg reports which of them it
rests on and a route the share of its hours and money resting on each.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from serai.freight.params import BASES, COMPONENTS, MONEY, TIME
from serai.freight.roadtime import truck_schedule

__all__ = [
    "apply_exact_rests",
    "basis_label",
    "leg_columns",
    "leg_sums",
    "route_components",
    "route_totals",
    "totals_of",
]

_NT = len(TIME)


def route_components(
    lc: Any, rows: np.ndarray, kind: np.ndarray, mode: np.ndarray, road: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Components (K, m), hours by basis (3, m) and money by basis (3, m) of route rows.

    ``kind`` and ``mode`` are the rows' virtual-link kind and mode (``road``: their
    ``(kind == "move") & (mode == "road")`` when known; ``mode`` may then be None). Truck
    rests are replaced by the exact schedule of each road haul.
    """
    comps = _rows_of(lc.comps, rows)
    hb = _rows_of(lc.hours_by_basis, rows)
    ub = _rows_of(lc.usd_by_basis, rows)
    apply_exact_rests(comps, kind, mode, lc.crew, hb, road)
    return comps, hb, ub


def _rows_of(a: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """A fresh float (K, m) copy of columns ``rows`` of ``a``."""
    out = a[:, rows]  # fancy indexing copies
    return out if out.dtype == np.float64 else out.astype(float)


def apply_exact_rests(
    comps: np.ndarray,
    kind: np.ndarray,
    mode: np.ndarray,
    crew: str,
    hours_by_basis: np.ndarray | None = None,
    road: np.ndarray | None = None,
) -> None:
    """Replace, in place, the rests of road rows by each haul's exact schedule.

    The same rests as :func:`~serai.freight.roadtime.exact_rests` (``mode`` may be None when
    ``road`` is given).
    """
    if road is None:
        road = (kind == "move") & (mode == "road")
    if not road.any():
        return
    old = comps[:_NT].sum(axis=0)
    ex = _haul_rests(road, kind, comps[0], crew)
    comps[1] = np.where(road, ex, comps[1])
    if hours_by_basis is not None:
        new = comps[:_NT].sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(road & (old > 0), new / old, 1.0)
        hours_by_basis *= f


def _haul_rests(road: np.ndarray, kind: np.ndarray, driving_h: np.ndarray, crew: str) -> np.ndarray:
    """:func:`~serai.freight.roadtime.exact_rests` from the rows' ``road`` mask: the same
    hauls (runs of road rows, across border rows), the same sums and products, without a
    Python loop over the rows; each haul's schedule remembered (:func:`_rest_h`).

    >>> _haul_rests(np.array([True, False, True, False]),
    ...             np.array(["move", "border", "move", "transfer"], dtype=object),
    ...             np.array([10.0, 0.0, 10.0, 0.0]), "single").tolist()
    [6.0, 0.0, 6.0, 0.0]
    """
    out = np.zeros(len(road))
    p = np.flatnonzero(road)
    if not len(p):
        return out
    ends_haul = np.cumsum(~road & (kind != "border"))  # rows that end a haul, so far
    cut = (np.flatnonzero(ends_haul[p[1:] - 1] != ends_haul[p[:-1]]) + 1).tolist()
    for a, b in zip([0, *cut], [*cut, len(p)], strict=True):
        run = p[a:b]
        d = driving_h[run]
        total = float(d.sum())
        if total > 0:
            out[run] = _rest_h(total, crew) * d / total
    return out


@lru_cache(maxsize=4096)
def _rest_h(driving_h: float, crew: str) -> float:
    """Rest hours of a haul (:func:`~serai.freight.roadtime.truck_schedule`), remembered."""
    return truck_schedule(driving_h, crew).rest_h


def route_totals(
    comps: np.ndarray, hb: np.ndarray, ub: np.ndarray, vot_usd_per_h: float, carbon_usd: float
) -> dict[str, float]:
    """Totals of a route: hours and USD by component, generalised cost, provenance shares."""
    tot, hbs, ubs = comps.sum(axis=1), hb.sum(axis=1), ub.sum(axis=1)
    return totals_of(tot.tolist(), hbs.tolist(), ubs.tolist(), vot_usd_per_h, carbon_usd)


def totals_of(
    tot: list[float], hbs: list[float], ubs: list[float], vot_usd_per_h: float, carbon_usd: float
) -> dict[str, float]:
    """:func:`route_totals` of the route's sums already made: components ``tot``, hours and
    money by basis ``hbs``, ``ubs`` (the sums numpy makes of their rows, as floats)."""
    hours = 0.0  # tot[:_NT].sum(), tot[_NT:].sum(): fewer than 8 values, added in order
    for x in tot[:_NT]:
        hours += x
    usd = 0.0
    for x in tot[_NT:]:
        usd += x
    out = {
        "days": hours / 24.0,
        "hours": hours,
        "usd": usd,
        "gc_usd": usd + carbon_usd + hours * vot_usd_per_h,
    }
    for key, x in zip(_TOTAL_KEYS, tot, strict=True):
        out[key] = x
    out["usd_border"] = out.pop("usd_border_fee")
    out["hours_border"] = out["hours_border_out"] + out["hours_border_in"]
    out["hours_hub"] = out["hours_dwell"] + out["hours_border"]  # at hubs and borders
    out["hours_wait"] = out["hours_schedule"] + out["hours_queue"]  # for departures, in queues
    out["usd_time"] = hours * vot_usd_per_h
    out["usd_carbon"] = carbon_usd
    for i, b in enumerate(BASES):
        out[f"share_hours_{b}"] = hbs[i] / hours if hours > 0 else 0.0
        out[f"share_usd_{b}"] = ubs[i] / usd if usd > 0 else 0.0
    return out


_TOTAL_KEYS = [f"hours_{name}" if name in TIME else f"usd_{name}" for name in COMPONENTS]


def basis_label(split: np.ndarray, min_share: float = 0.05) -> np.ndarray:
    """Label per column of a (3, L) split: the bases holding at least ``min_share``.

    >>> basis_label(np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 3.0]])).tolist()
    ['measured+estimate', '', 'estimate']
    """
    total = split.sum(axis=0)
    share = np.divide(split, total, out=np.zeros(split.shape), where=total > 0)
    code = ((share >= min_share) * _BIT[:, None]).sum(axis=0)
    return _BASIS_LABELS[code]


# label of every subset of BASES (bit i: base i), in BASES order
_BIT = 1 << np.arange(len(BASES))
_BASIS_LABELS = np.empty(1 << len(BASES), dtype=object)
_BASIS_LABELS[:] = [
    "+".join(b for i, b in enumerate(BASES) if code >> i & 1) for code in range(1 << len(BASES))
]


def leg_columns(
    comps: np.ndarray, hb: np.ndarray, ub: np.ndarray, start: np.ndarray
) -> Mapping[str, Any]:
    """Per-leg sums of components and provenance for legs starting at ``start`` positions."""
    if not len(start):
        return {}
    hu = np.concatenate([np.add.reduceat(hb, start, axis=1), np.add.reduceat(ub, start, axis=1)])
    return leg_sums(np.add.reduceat(comps, start, axis=1), hu)


def leg_sums(red: np.ndarray, hu: np.ndarray) -> dict[str, Any]:
    """:func:`leg_columns` of per-leg sums already made: components ``red`` (K, legs), hours
    then money by basis ``hu`` (6, legs)."""
    out: dict[str, Any] = {}
    n = red.shape[1]
    if not n:
        return out
    for i, key in enumerate(_LEG_KEYS):
        out[key] = red[i]
    split = hu.reshape(2, len(BASES), n)
    tot = split.sum(axis=1)  # hours, money per leg
    share = np.divide(split, tot[:, None, :], out=np.zeros(split.shape), where=tot[:, None, :] > 0)
    code = ((share >= 0.05) * _BIT[None, :, None]).sum(axis=1)
    out["time_basis"], out["money_basis"] = _BASIS_LABELS[code]
    est = len(BASES) - 1
    out["share_hours_estimate"], out["share_usd_estimate"] = share[:, est].copy()
    return out


_LEG_KEYS = [
    f"hours_{name}" if name in TIME else f"usd_{'border' if name == 'border_fee' else name}"
    for name in COMPONENTS
]


#: Leg columns added by :func:`leg_columns`, in order.
LEG_EXTRA = [
    *(f"hours_{n}" for n in TIME),
    *(f"usd_{'border' if n == 'border_fee' else n}" for n in MONEY),
    "time_basis",
    "money_basis",
    "share_hours_estimate",
    "share_usd_estimate",
]
