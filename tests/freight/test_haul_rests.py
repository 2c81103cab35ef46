"""The route read-back's truck rests (``routecost._haul_rests``, from the rows' road mask)
equal :func:`serai.freight.roadtime.exact_rests` (a Python loop over the rows) bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from serai.freight.roadtime import exact_rests, truck_schedule
from serai.freight.routecost import _haul_rests, apply_exact_rests

KINDS = np.array(["move", "border", "transfer", "access", "port", "egress"], dtype=object)
MODES = np.array(["road", "rail", "sea", "transfer"], dtype=object)


def _rows(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # mostly road moves and borders, so that hauls run across borders and stop at others
    kind = KINDS[rng.choice(len(KINDS), n, p=[0.55, 0.2, 0.1, 0.05, 0.05, 0.05])]
    mode = MODES[rng.choice(len(MODES), n, p=[0.6, 0.2, 0.1, 0.1])]
    drive = rng.choice([0.0, 0.5, 3.7, 9.0, 20.0, 61.3], n) * rng.random(n)
    return kind, mode, drive


@pytest.mark.parametrize("crew", ["single", "double"])
def test_haul_rests_equal_exact_rests_bit_for_bit(crew: str) -> None:
    rng = np.random.default_rng(16)
    hauls = 0
    for _ in range(3000):
        kind, mode, drive = _rows(rng, int(rng.integers(0, 40)))
        road = (kind == "move") & (mode == "road")
        want = exact_rests(kind, mode, drive, crew)
        got = _haul_rests(road, kind, drive, crew)
        assert got.tobytes() == want.tobytes(), (kind, mode, drive)
        hauls += int((want > 0).any())
    assert hauls > 1000  # the cases schedule real hauls


def test_apply_exact_rests_without_modes_equals_with_them() -> None:
    rng = np.random.default_rng(7)
    for _ in range(300):
        kind, mode, drive = _rows(rng, 30)
        road = (kind == "move") & (mode == "road")
        comps = rng.random((11, 30))
        comps[0] = drive
        a, b = comps.copy(), comps.copy()
        ha, hb = rng.random((3, 30)), None
        hb = ha.copy()
        apply_exact_rests(a, kind, mode, "single", ha)
        apply_exact_rests(b, kind, None, "single", hb, road)  # type: ignore[arg-type]
        assert a.tobytes() == b.tobytes() and ha.tobytes() == hb.tobytes()


def test_a_border_inside_a_haul_joins_it_and_a_transfer_cuts_it() -> None:
    kind = np.array(["move", "border", "move", "transfer", "move"], dtype=object)
    road = np.array([True, False, True, False, True])
    drive = np.array([5.0, 0.0, 5.0, 0.0, 4.0])
    got = _haul_rests(road, kind, drive, "single")
    # 10 h at the wheel across the border: one 45 min break... and 4.5 h rules give 1.5 h,
    # shared 0.75 / 0.75; the 4 h haul after the transfer needs no break
    assert truck_schedule(10.0).rest_h == 1.5
    assert got.tolist() == [0.75, 0.0, 0.75, 0.0, 0.0]
