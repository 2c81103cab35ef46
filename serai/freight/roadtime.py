"""Truck driving-time rules: EU Regulation (EC) No 561/2006 and the AETR, single and two-driver crews.

The elapsed time of a road haul is its driving time plus the breaks and rests the
rules impose. The AETR (UNECE, for international road transport outside the EU, e.g.
Kazakhstan, Azerbaijan, Georgia, Türkiye, Russia) has the same driving, break and rest
limits as the Regulation since its 2010 alignment, so one schedule serves both.

Rules applied (articles of Regulation 561/2006):

* daily driving at most 9 h, extended to 10 h at most twice a week (Art. 6(1));
* weekly driving at most 56 h and at most 90 h in two consecutive weeks (Art. 6(2), 6(3));
* a 45-minute break after 4.5 h of driving (Art. 7); a two-driver crew keeps moving:
  a break may be taken in the moving vehicle while the other drives (Art. 7);
* daily rest 11 h, reduced to 9 h at most three times between two weekly rests
  (Art. 8(1), 8(4)); a two-driver crew rests 9 h within each 30 h (Art. 8(5)),
  so the vehicle drives at most 2 x 10 h (or 2 x 9 h) between two 9-hour stops;
* a weekly rest after at most six 24-hour periods (144 h) from the end of the previous
  one (Art. 8(6)); regular 45 h and reduced 24 h weekly rests alternate, starting with
  a reduced one (the haul is taken to start right after a regular weekly rest).

Simplifications (stated, deterministic): the driver uses every allowance in the order
that arrives soonest (extended days first, reduced rests first); the compensation for
a reduced weekly rest (Art. 8(6)) is taken after the haul; weeks are counted from the
start of the haul, not calendar weeks; waiting at a border is not counted as a rest.

Examples
--------
>>> from serai.freight.roadtime import truck_schedule
>>> s = truck_schedule(20.0)   # one driver: 10 h + 2 breaks, 9 h rest, 10 h + 2 breaks
>>> s.driving_h, s.breaks_h, s.daily_rest_h, s.elapsed_h
(20.0, 3.0, 9.0, 32.0)
>>> truck_schedule(20.0, crew="double").elapsed_h   # two drivers: no stop in 20 h
20.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from serai.errors import InputError

__all__ = ["CREWS", "RoadLeg", "TruckSchedule", "rest_ratio", "road_leg", "truck_schedule"]

CREWS = ("single", "double")

BREAK_AFTER_H = 4.5
BREAK_H = 0.75
DAY_H, DAY_EXT_H, EXT_PER_WEEK = 9.0, 10.0, 2
WEEK_H, FORTNIGHT_H = 56.0, 90.0
DAILY_REST_H, DAILY_REST_REDUCED_H, REDUCED_PER_WEEK = 11.0, 9.0, 3
CREW_REST_H = 9.0  # multi-manning: 9 h within each 30 h
WEEKLY_REST_H, WEEKLY_REST_REDUCED_H = 45.0, 24.0
WEEKLY_WINDOW_H = 144.0  # six 24-hour periods


@dataclass(frozen=True)
class TruckSchedule:
    """Elapsed time of a haul of ``driving_h`` under the driving-time rules."""

    crew: str
    driving_h: float
    breaks_h: float
    daily_rest_h: float
    weekly_rest_h: float
    days: int

    @property
    def rest_h(self) -> float:
        """Breaks and rests: everything that is not driving."""
        return self.breaks_h + self.daily_rest_h + self.weekly_rest_h

    @property
    def elapsed_h(self) -> float:
        return self.driving_h + self.rest_h


def _check(driving_h: float, crew: str) -> None:
    if crew not in CREWS:
        raise InputError(f"crew must be one of {', '.join(CREWS)}, not '{crew}'", field="crew")
    if not (driving_h >= 0 and math.isfinite(driving_h)):
        raise InputError(f"driving time must be a finite number >= 0, got {driving_h}")
    if driving_h > MAX_DRIVING_H:  # the schedule is built day by day: bound the loop
        raise InputError(
            f"driving time of {driving_h:.3g} h is beyond any road haul (at most {MAX_DRIVING_H:g} h)",
            field="driving_h",
        )


#: Longest road haul the schedule accepts (hours at the wheel): a year of driving.
MAX_DRIVING_H = 8760.0
#: Longest road distance a leg may have (km): once around the Earth.
MAX_ROAD_KM = 40_075.0


def truck_schedule(driving_h: float, crew: str = "single") -> TruckSchedule:
    """Breaks and rests of a haul with ``driving_h`` hours at the wheel.

    Parameters
    ----------
    driving_h
        Hours of driving (distance / driving speed).
    crew
        ``"single"`` (one driver) or ``"double"`` (two drivers, multi-manning).

    Returns
    -------
    TruckSchedule

    Examples
    --------
    >>> truck_schedule(9.0).elapsed_h        # 4.5 h, 45 min break, 4.5 h
    9.75
    >>> truck_schedule(4.0).rest_h           # no break needed
    0.0
    >>> s = truck_schedule(60.0)             # a week of 56 h, weekly rest, 4 h more
    >>> s.weekly_rest_h, s.daily_rest_h, s.days
    (24.0, 49.0, 7)
    """
    _check(float(driving_h), crew)
    remaining = float(driving_h)
    breaks = daily = weekly = 0.0
    days = days_week = 0
    week = prev_week = 0.0  # driving in this and the previous week (per driver)
    ext_used = reduced_used = 0
    next_weekly_reduced = True
    since_weekly = 0.0  # elapsed since the end of the last weekly rest
    drivers = 1 if crew == "single" else 2
    while remaining > 1e-12:
        day_cap = DAY_EXT_H if ext_used < EXT_PER_WEEK else DAY_H
        week_cap = min(WEEK_H, FORTNIGHT_H - prev_week)
        d = min(remaining, drivers * day_cap, drivers * (week_cap - week))
        if crew == "double":
            d = min(d, WEEKLY_WINDOW_H - since_weekly)
        if d <= 1e-12:  # nothing more this week: weekly rest
            rest = WEEKLY_REST_REDUCED_H if next_weekly_reduced else WEEKLY_REST_H
            weekly += rest
            next_weekly_reduced = not next_weekly_reduced
            prev_week, week = week, 0.0
            ext_used = reduced_used = days_week = 0
            since_weekly = 0.0
            continue
        days += 1
        days_week += 1
        if d / drivers > DAY_H + 1e-12:
            ext_used += 1
        b = 0.0
        if crew == "single":
            b = BREAK_H * max(0, math.ceil(d / BREAK_AFTER_H - 1e-9) - 1)
        breaks += b
        remaining -= d
        week += d / drivers
        since_weekly += d + b
        if remaining <= 1e-12:
            break
        week_done = week >= min(WEEK_H, FORTNIGHT_H - prev_week) - 1e-12
        if crew == "single":
            rest = DAILY_REST_REDUCED_H if reduced_used < REDUCED_PER_WEEK else DAILY_REST_H
            window_done = days_week >= 6
        else:
            rest = CREW_REST_H
            window_done = since_weekly + rest >= WEEKLY_WINDOW_H - 1e-12
        if week_done or window_done:
            weekly += WEEKLY_REST_REDUCED_H if next_weekly_reduced else WEEKLY_REST_H
            next_weekly_reduced = not next_weekly_reduced
            prev_week, week = week, 0.0
            ext_used = reduced_used = 0
            since_weekly = 0.0
            days_week = 0
        else:
            daily += rest
            since_weekly += rest
            if crew == "single" and rest == DAILY_REST_REDUCED_H:
                reduced_used += 1
    return TruckSchedule(crew, float(driving_h), breaks, daily, weekly, days)


@cache
def rest_ratio(crew: str = "single", reference_driving_h: float = WEEK_H) -> float:
    """Rest hours per driving hour of a reference haul (for additive link costs in searches).

    Route searches need one number per link; they use the rests of a one-week haul
    (56 h of driving). The route read back then recomputes the exact rests of each
    road haul with :func:`truck_schedule`.

    >>> round(rest_ratio("single"), 3)
    0.982
    """
    s = truck_schedule(reference_driving_h, crew)
    return s.rest_h / s.driving_h


@dataclass(frozen=True)
class RoadLeg:
    """A truck haul: driving and rest hours, and money per FEU (see :func:`road_leg`)."""

    km: float
    driving_h: float
    rest_h: float
    usd: float
    crew: str

    @property
    def hours(self) -> float:
        return self.driving_h + self.rest_h


def road_leg(
    km: float,
    *,
    crew: str = "single",
    speed_kmh: float | None = None,
    usd_per_km: float | None = None,
) -> RoadLeg:
    """Time and money of a road haul of ``km`` (the model's road parameters by default).

    For first- and last-mile legs and any truck haul outside the routing graph: driving
    time at ``speed_kmh`` (default: parameter ``road.speed``), rests by the driving-time
    rules for ``crew``, money at ``usd_per_km`` per FEU (default: ``road.rate``).

    Examples
    --------
    >>> leg = road_leg(1200.0, speed_kmh=60.0, usd_per_km=1.0)
    >>> leg.driving_h, leg.rest_h, leg.usd
    (20.0, 12.0, 1200.0)
    """
    from serai.freight.params import model_params

    p = model_params()
    from serai._checks import check_number

    km = check_number(km, "km", low=0.0, high=MAX_ROAD_KM, label="road distance (km)")
    v = p.value("road.speed")
    if speed_kmh is not None:
        v = check_number(speed_kmh, "speed_kmh", low=0.0, strict=True, high=1000.0)
    rate = p.value("road.rate")
    if usd_per_km is not None:
        rate = check_number(usd_per_km, "usd_per_km", low=0.0, high=1e6)
    s = truck_schedule(km / v, crew)
    return RoadLeg(km, s.driving_h, s.rest_h, km * rate, crew)


def exact_rests(
    kind: np.ndarray, mode: np.ndarray, driving_h: np.ndarray, crew: str = "single"
) -> np.ndarray:
    """Rest hours per row of a route, each road haul scheduled by :func:`truck_schedule`.

    A haul is a run of consecutive road ``move`` rows, possibly across ``border`` rows
    (the truck drives on after the border); any other row ends it. The haul's rests are
    shared among its move rows in proportion to their driving time.

    >>> exact_rests(np.array(["move", "border", "move", "transfer"]),
    ...             np.array(["road", "transfer", "road", "transfer"]),
    ...             np.array([10.0, 0.0, 10.0, 0.0])).tolist()
    [6.0, 0.0, 6.0, 0.0]
    """
    out = np.zeros(len(kind))
    run: list[int] = []

    def close() -> None:
        if run:
            d = driving_h[run]
            total = float(d.sum())
            if total > 0:
                out[run] = truck_schedule(total, crew).rest_h * d / total
            run.clear()

    for i, (k, m) in enumerate(zip(kind, mode, strict=True)):
        if k == "move" and m == "road":
            run.append(i)
        elif k == "border" and run:
            continue
        else:
            close()
    close()
    return out
