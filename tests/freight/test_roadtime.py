"""Truck driving-time rules (EU Regulation 561/2006, AETR): hand-computed schedules."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from serai.errors import InputError
from serai.freight.roadtime import exact_rests, rest_ratio, road_leg, truck_schedule


@pytest.mark.parametrize(
    ("driving", "breaks", "daily", "weekly"),
    [
        (0.0, 0.0, 0.0, 0.0),
        (4.0, 0.0, 0.0, 0.0),  # under 4.5 h: no break
        (4.5, 0.0, 0.0, 0.0),  # exactly 4.5 h: a break is needed only to drive on
        (9.0, 0.75, 0.0, 0.0),  # 4.5 + 45 min + 4.5
        (10.0, 1.5, 0.0, 0.0),  # first day may be extended to 10 h: 4.5 + b + 4.5 + b + 1
        # 10 h (2 breaks) | 9 h reduced rest | 10 h (2 breaks) | 9 h | 1 h
        (21.0, 3.0, 18.0, 0.0),
        # the week: 10, 10, 9, 9, 9, 9 h (breaks 2, 2, 1, 1, 1, 1 x 45 min) with daily rests
        # 9, 9, 9 (three reduced), 11, 11; 56 h reached: a reduced weekly rest of 24 h; 4 h more
        (60.0, 6.0, 49.0, 24.0),
    ],
)
def test_single_driver_by_hand(driving, breaks, daily, weekly):
    s = truck_schedule(driving, "single")
    assert s.driving_h == driving
    assert s.breaks_h == pytest.approx(breaks)
    assert s.daily_rest_h == pytest.approx(daily)
    assert s.weekly_rest_h == pytest.approx(weekly)
    assert s.elapsed_h == pytest.approx(driving + breaks + daily + weekly)


def test_single_driver_two_weeks_by_hand():
    # week 1: 56 h as above (breaks 6 h, daily rests 49 h), reduced weekly rest 24 h;
    # week 2: at most 90 - 56 = 34 h: days of 10, 10, 9, 5 h (breaks 2, 2, 1, 1 x 45 min),
    # daily rests 9, 9, 9 (three reduced), then the regular weekly rest of 45 h; week 3: 10 h.
    s = truck_schedule(100.0, "single")
    assert s.breaks_h == pytest.approx(6.0 + 4.5 + 1.5)
    assert s.daily_rest_h == pytest.approx(49.0 + 27.0)
    assert s.weekly_rest_h == pytest.approx(24.0 + 45.0)
    assert s.elapsed_h == pytest.approx(100 + 12.0 + 76.0 + 69.0)


@pytest.mark.parametrize(
    ("driving", "elapsed"),
    [
        (18.0, 18.0),  # two drivers alternate without stopping (breaks in the moving vehicle)
        (20.0, 20.0),  # both drivers on an extended 10 h day
        (30.0, 39.0),  # 20 h, a 9 h stop (each driver's daily rest within 30 h), 10 h
        # 20 | 9 | 20 | 9 | 18 | 9 | 18 | 9 | 18 (130 h elapsed) | 9 | 5 h until the 144 h
        # limit of six 24 h periods | reduced weekly rest 24 h | 1 h
        (100.0, 169.0),
    ],
)
def test_two_driver_crew_by_hand(driving, elapsed):
    assert truck_schedule(driving, "double").elapsed_h == pytest.approx(elapsed)


def test_two_drivers_are_never_slower_and_rests_grow_with_distance():
    for d in (5.0, 12.0, 33.0, 57.0, 150.0, 400.0):
        assert truck_schedule(d, "double").elapsed_h <= truck_schedule(d, "single").elapsed_h
    e = [truck_schedule(d).elapsed_h for d in np.arange(0, 300, 0.5)]
    assert all(b >= a for a, b in itertools.pairwise(e))  # monotone


def test_rest_ratio_is_a_one_week_haul():
    s = truck_schedule(56.0, "single")
    assert rest_ratio("single") == pytest.approx(s.rest_h / 56.0) == pytest.approx(55.0 / 56.0)


def test_exact_rests_chain_hauls_across_borders_only():
    kind = np.array(["move", "border", "move", "transfer", "move"])
    mode = np.array(["road", "transfer", "road", "transfer", "road"])
    drive = np.array([6.0, 0.0, 6.0, 0.0, 6.0])
    r = exact_rests(kind, mode, drive)
    # 12 h across the border: 10 h day (2 breaks), 9 h rest, 2 h = 10.5 h of rests, shared
    assert r[:3] == pytest.approx([5.25, 0.0, 5.25])
    # after a transfer a new haul starts: 6 h, one break
    assert r[4] == pytest.approx(0.75)


def test_road_leg_for_first_and_last_miles():
    leg = road_leg(300.0, speed_kmh=60.0, usd_per_km=1.5)
    assert (leg.driving_h, leg.rest_h, leg.hours, leg.usd) == (5.0, 0.75, 5.75, 450.0)
    assert road_leg(300.0).driving_h > 0  # the model's road parameters by default


def test_bad_inputs_are_errors():
    with pytest.raises(InputError, match="crew"):
        truck_schedule(5.0, "triple")
    with pytest.raises(InputError, match="driving time"):
        truck_schedule(-1.0)
    with pytest.raises(InputError, match="road distance"):
        road_leg(float("nan"))
