"""Cutting lines at the antimeridian (serai.network.geo.cut_antimeridian), checked by hand
computations and, on random lines, against the geodesic length of the uncut line (pyproj)
and the points it passes through."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from serai.network.geo import cut_antimeridian, cut_geojson_line


def test_hand_computed_crossings():
    # east across 180: 170,40 -> -170,44 crosses at half way, latitude 42
    got = [p.tolist() for p in cut_antimeridian(np.array([[170.0, 40.0], [-170.0, 44.0]]))]
    assert got == [[[170.0, 40.0], [180.0, 42.0]], [[-180.0, 42.0], [-170.0, 44.0]]]
    # west: -175,10 -> 165,20: 5 of 20 degrees to the wall, latitude 12.5
    got = [p.tolist() for p in cut_antimeridian(np.array([[-175.0, 10.0], [165.0, 20.0]]))]
    assert got == [[[-175.0, 10.0], [-180.0, 12.5]], [[180.0, 12.5], [165.0, 20.0]]]
    # a line already unwrapped past 180 (as the maps draw it) is cut the same way
    got = [p.tolist() for p in cut_antimeridian(np.array([[170.0, 40.0], [190.0, 44.0]]))]
    assert got == [[[170.0, 40.0], [180.0, 42.0]], [[-180.0, 42.0], [-170.0, 44.0]]]
    # there and back again: two cuts, three parts (-178 -> 174 is 8 degrees west, the
    # wall 2 of them away: latitude 4 + 4 * 2 / 8 = 5)
    xy = np.array([[178.0, 0.0], [-178.0, 4.0], [174.0, 8.0]])
    got = [p.tolist() for p in cut_antimeridian(xy)]
    assert got == [
        [[178.0, 0.0], [180.0, 2.0]],
        [[-180.0, 2.0], [-178.0, 4.0], [-180.0, 5.0]],
        [[180.0, 5.0], [174.0, 8.0]],
    ]


def test_lines_meeting_the_wall_at_a_point():
    # the network's Pacific lanes meet in a node at x = 180 (the western lane drawn from -180)
    xy = np.array([[179.0, 40.0], [180.0, 40.0], [-180.0, 40.0], [-179.0, 41.0]])
    got = [p.tolist() for p in cut_antimeridian(xy)]
    assert got == [[[179.0, 40.0], [180.0, 40.0]], [[-180.0, 40.0], [-179.0, 41.0]]]
    # touching 180 and turning back is not a crossing
    back = np.array([[179.0, 40.0], [180.0, 40.0], [179.0, 41.0]])
    assert [p.tolist() for p in cut_antimeridian(back)] == [back.tolist()]
    # running along the wall, then across: the cut is where it leaves the wall
    along = np.array([[179.0, 40.0], [180.0, 40.0], [180.0, 42.0], [-179.0, 42.0]])
    got = [p.tolist() for p in cut_antimeridian(along)]
    assert got == [[[179.0, 40.0], [180.0, 40.0], [180.0, 42.0]], [[-180.0, 42.0], [-179.0, 42.0]]]


def test_lines_that_cross_nothing_are_returned_as_given():
    flat = np.array([[10.0, 1.0], [20.0, 2.0], [30.0, 3.0]])
    assert cut_antimeridian(flat)[0] is flat
    g = {"type": "LineString", "coordinates": [[121.5, 31.4], [180.0, 40.0], [170.0, 41.0]]}
    assert cut_geojson_line(g) is g
    p = {"type": "Point", "coordinates": [200.0, 0.0]}
    assert cut_geojson_line(p) is p
    got = cut_geojson_line({"type": "LineString", "coordinates": [[179, 0], [181, 2]]})
    assert got == {
        "type": "MultiLineString",
        "coordinates": [[[179.0, 0.0], [180.0, 1.0]], [[-180.0, 1.0], [-179.0, 2.0]]],
    }


def test_random_lines_keep_their_path_and_length():
    geod = pytest.importorskip("pyproj").Geod(ellps="WGS84")
    rng = np.random.default_rng(7)
    n_cut = 0
    for _ in range(400):
        k = int(rng.integers(2, 40))
        # steps of up to 8 degrees (the network's shapes have shorter ones): over them a
        # straight line in lon/lat and the geodesic differ by little
        lon = np.cumsum(rng.uniform(-8.0, 8.0, k)) + rng.uniform(120.0, 240.0)
        lat = rng.uniform(-60.0, 60.0, k)
        lon = (lon + 180.0) % 360.0 - 180.0  # as stored: wrapped into [-180, 180)
        xy = np.column_stack([lon, lat])
        parts = cut_antimeridian(xy)
        n_cut += len(parts) > 1
        for p in parts:
            assert len(p) >= 2
            assert (np.abs(p[:, 0]) <= 180.0).all()
            # no part crosses the antimeridian: no step of more than 180 degrees
            assert (np.abs(np.diff(p[:, 0])) <= 180.0).all()
        for a, b in itertools.pairwise(parts):
            assert abs(a[-1, 0]) == 180.0 and b[0, 0] == -a[-1, 0]
            assert a[-1, 1] == b[0, 1]
        # every original point is on the cut line, in order (cut points only added)
        joined = np.vstack(parts)
        j = 0
        for q in xy:
            while j < len(joined) and not np.allclose(joined[j], q, atol=1e-9):
                j += 1
            assert j < len(joined), (xy, parts)
        # geodesic length unchanged (the cut points lie on the segments: within 0.1 %)
        whole = geod.line_length(xy[:, 0], xy[:, 1])
        cut = sum(geod.line_length(p[:, 0], p[:, 1]) for p in parts)
        assert cut == pytest.approx(whole, rel=1e-3)
    assert n_cut > 50  # the test crosses the antimeridian often
