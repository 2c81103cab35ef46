"""Trip times for people: a trip shorter than a day reads in hours, not "0.0 days".

Brussels -> Antwerp by truck takes about an hour (61 km at ``road.speed``, 60 km/h); the CLI's
caption, its table of routes and the route's repr said "0.0 days". Machine-readable fields
(``days``, ``hours`` in JSON) keep their units.
"""

from __future__ import annotations

import pytest

from serai.reprs import duration_text, hours_text


def test_duration_text_by_hand():
    assert duration_text(1.0) == "1.0 h"
    assert duration_text(0.04) == "0.0 h"
    assert duration_text(23.9) == "23.9 h"
    assert duration_text(24.0) == "1.0 days"
    assert duration_text(189.31) == "7.9 days"  # 189.31 / 24 = 7.888
    assert duration_text(float("nan")) == "– days"


def test_hours_text_by_hand():
    assert hours_text(0.0457) == "0.05"  # 2.7 km at 60 km/h: read "0.0"
    assert hours_text(0.0) == "0.0" and hours_text(0.1) == "0.1" and hours_text(2.0) == "2.0"
    assert hours_text(1234.56) == "1,234.6"


@pytest.fixture(scope="module")
def short(eurasia_router_2025):
    r = eurasia_router_2025.route("Brussels", "Antwerp")
    assert 0.9 < r.totals["hours"] < 1.1 and f"{r.days:.1f}" == "0.0"  # the case
    return r


def _printed(fn, *args):
    from rich.console import Console

    from serai.cli._common import CAPTURE

    out, err = Console(record=True, width=200), Console(record=True, width=200, stderr=True)
    token = CAPTURE.set((out, err))
    try:
        fn(*args)
    finally:
        CAPTURE.reset(token)
    return out.export_text()


def test_cli_route_caption_in_hours(short):
    from serai.cli.route import _print_routes

    text = _printed(_print_routes, [short])
    assert f"{short.totals['hours']:.1f} h door to door" in text
    assert "0.0 days" not in text
    first = float(short.legs["hours"].iloc[0])  # the first mile, ~3 km
    assert 0 < first < 0.095 and f" {first:.2f} " in text


def test_cli_route_table_in_hours(short):
    from serai.cli.route import _print_route_summary

    text = _printed(_print_route_summary, [short, short])
    assert f"{short.totals['hours']:.1f} h" in text
    assert "door to door" in text and "0.0" not in text


def test_route_repr_in_hours(short):
    assert f"{short.totals['hours']:.1f} h," in repr(short)
    assert short.days == pytest.approx(short.totals["hours"] / 24)  # machine field unchanged
