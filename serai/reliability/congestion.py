"""Congestion waits on a route from a corridor-flows result (:mod:`serai.flows`).

A flows equilibrium gives each capacity element (a border crossing, a port, the
Caspian ferry fleet, a rail section; per direction) its mean delay at the assigned
load, ``delay_h`` (BPR form, :mod:`serai.flows.capacity`). The time model's element
times are uncongested, so a route that passes a congested element waits this delay on
top of them: :func:`route_delays` finds the elements a route passes (the capacities
resolved on the route's own routing graph, by their facts names) and the hours each
adds. A rail section adds its delay in proportion to the share of its length the route
uses. The reliability model draws each delay as an exponential wait (rule
``flows.delay``).
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pandas as pd

from serai.errors import InputError

__all__ = ["route_delays"]

_UNITS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _units(rg: Any, year: int, capacities: pd.DataFrame | None) -> Any:
    from serai.flows.capacity import resolve_capacities

    if capacities is not None:
        return resolve_capacities(rg, [], year, table=capacities)
    per = _UNITS.setdefault(rg, {})
    if year not in per:
        per[year] = resolve_capacities(rg, [], year)
    return per[year]


def route_delays(
    route: Any, rg: Any, flows: Any, *, capacities: pd.DataFrame | None = None
) -> list[tuple[str, int, float]]:
    """``(element name, position of its first link in the route, hours)`` per congested element.

    ``flows`` is a :class:`serai.flows.FlowResult` (its ``elements`` table and the year
    in ``summary``); ``capacities`` is the capacity table the flows were run with when
    it is not the shipped one.
    """
    el = getattr(flows, "elements", None)
    if not isinstance(el, pd.DataFrame) or not {"capacity_id", "direction", "delay_h"} <= set(
        el.columns
    ):
        raise InputError(
            "flows must be a FlowResult (elements with capacity_id, direction, delay_h)",
            field="flows",
        )
    el = el.loc[pd.to_numeric(el["delay_h"], errors="coerce").fillna(0.0) > 0]
    if not len(el):
        return []
    year = int((getattr(flows, "summary", None) or {}).get("year") or rg.year)
    cu = _units(rg, year, capacities)
    if not len(cu.units):
        return []
    rows = np.asarray(route.vlink_rows, np.int64)
    sub = cu.vlink_unit[rows].tocsc()  # route positions x units
    hit = np.flatnonzero(np.diff(sub.indptr) > 0)
    if not len(hit):
        return []
    units = cu.units.set_index("unit")
    delay = {
        (str(r.capacity_id), str(r.direction)): (float(r.delay_h), str(getattr(r, "name", "")))
        for r in el.itertuples(index=False)
    }
    acc: dict[tuple[str, str], list[float]] = {}  # -> [share used, first position]
    for u in hit:
        col = sub.getcol(int(u))
        share = float(col.data.max())
        first = int(col.indices.min())
        key = (str(units.at[u, "capacity_id"]), str(units.at[u, "direction"]))
        a = acc.setdefault(key, [0.0, first])
        a[0] += share
        a[1] = min(a[1], first)
    out = []
    for key, (share, first) in acc.items():
        if key in delay:
            h, name = delay[key]
            out.append((name or key[0], first, h * min(share, 1.0)))
    return sorted(out, key=lambda t: t[1])
