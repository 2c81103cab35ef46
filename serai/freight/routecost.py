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
from typing import Any

import numpy as np

from serai.freight.params import BASES, COMPONENTS, MONEY, TIME
from serai.freight.roadtime import exact_rests

__all__ = ["apply_exact_rests", "basis_label", "route_components", "route_totals"]

_NT = len(TIME)


def route_components(
    lc: Any, rows: np.ndarray, kind: np.ndarray, mode: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Components (K, m), hours by basis (3, m) and money by basis (3, m) of route rows.

    ``kind`` and ``mode`` are the rows' virtual-link kind and mode. Truck rests are
    replaced by the exact schedule of each road haul.
    """
    comps = np.array(lc.comps[:, rows], dtype=float)
    hb = np.array(lc.hours_by_basis[:, rows], dtype=float)
    ub = np.array(lc.usd_by_basis[:, rows], dtype=float)
    apply_exact_rests(comps, kind, mode, lc.crew, hb)
    return comps, hb, ub


def apply_exact_rests(
    comps: np.ndarray,
    kind: np.ndarray,
    mode: np.ndarray,
    crew: str,
    hours_by_basis: np.ndarray | None = None,
) -> None:
    """Replace, in place, the rests of road rows by each haul's exact schedule."""
    road = (kind == "move") & (mode == "road")
    if not road.any():
        return
    old = comps[:_NT].sum(axis=0)
    ex = exact_rests(kind, mode, comps[0], crew)
    comps[1] = np.where(road, ex, comps[1])
    if hours_by_basis is not None:
        new = comps[:_NT].sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(road & (old > 0), new / old, 1.0)
        hours_by_basis *= f


def route_totals(
    comps: np.ndarray, hb: np.ndarray, ub: np.ndarray, vot_usd_per_h: float, carbon_usd: float
) -> dict[str, float]:
    """Totals of a route: hours and USD by component, generalised cost, provenance shares."""
    tot = comps.sum(axis=1)
    hours = float(tot[:_NT].sum())
    usd = float(tot[_NT:].sum())
    out = {
        "days": hours / 24.0,
        "hours": hours,
        "usd": usd,
        "gc_usd": usd + carbon_usd + hours * vot_usd_per_h,
    }
    for i, name in enumerate(COMPONENTS):
        key = f"hours_{name}" if name in TIME else f"usd_{name}"
        out[key] = float(tot[i])
    out["usd_border"] = out.pop("usd_border_fee")
    out["hours_border"] = out["hours_border_out"] + out["hours_border_in"]
    out["hours_hub"] = out["hours_dwell"] + out["hours_border"]  # at hubs and borders
    out["hours_wait"] = out["hours_schedule"] + out["hours_queue"]  # for departures, in queues
    out["usd_time"] = hours * vot_usd_per_h
    out["usd_carbon"] = carbon_usd
    hbs, ubs = hb.sum(axis=1), ub.sum(axis=1)
    for i, b in enumerate(BASES):
        out[f"share_hours_{b}"] = float(hbs[i] / hours) if hours > 0 else 0.0
        out[f"share_usd_{b}"] = float(ubs[i] / usd) if usd > 0 else 0.0
    return out


def basis_label(split: np.ndarray, min_share: float = 0.05) -> np.ndarray:
    """Label per column of a (3, L) split: the bases holding at least ``min_share``.

    >>> basis_label(np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 3.0]])).tolist()
    ['measured+estimate', '', 'estimate']
    """
    total = split.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, split / total, 0.0)
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
    out: dict[str, Any] = {}
    if not len(start):
        return out
    red = np.add.reduceat(comps, start, axis=1)
    for i, name in enumerate(COMPONENTS):
        key = (
            f"hours_{name}" if name in TIME else f"usd_{'border' if name == 'border_fee' else name}"
        )
        out[key] = red[i]
    hs, us = np.add.reduceat(hb, start, axis=1), np.add.reduceat(ub, start, axis=1)
    out["time_basis"] = basis_label(hs)
    out["money_basis"] = basis_label(us)
    ht, ut = hs.sum(axis=0), us.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share_hours_estimate"] = np.where(ht > 0, hs[2] / ht, 0.0)
        out["share_usd_estimate"] = np.where(ut > 0, us[2] / ut, 0.0)
    return out


#: Leg columns added by :func:`leg_columns`, in order.
LEG_EXTRA = [
    *(f"hours_{n}" for n in TIME),
    *(f"usd_{'border' if n == 'border_fee' else n}" for n in MONEY),
    "time_basis",
    "money_basis",
    "share_hours_estimate",
    "share_usd_estimate",
]
