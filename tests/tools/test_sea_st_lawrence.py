"""The St Lawrence to Montréal: marnet's lane from the Gulf of St Lawrence, cut at Montréal
(the Seaway and the Great Lakes above it left out), checked against hand coordinates of the
river's ports and great-circle bounds."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np

from tools.data.geo import haversine_km
from tools.data.sea import GATEWAYS, KEEP_PASSAGES, cut_st_lawrence

RAW = Path(__file__).resolve().parents[2] / "tools" / "data" / "raw"
# hand coordinates (lon, lat) of the city harbours on the river (general knowledge, not marnet)
QUEBEC = (-71.21, 46.81)
TROIS_RIVIERES = (-72.55, 46.34)
SOREL = (-73.11, 46.04)
MONTREAL = (-73.55, 45.51)


def _marnet():
    data = json.loads((RAW / "marnet_searoute.geojson").read_text(encoding="utf-8"))
    coords, passage = [], []
    for f in data["features"]:
        g = f["geometry"]
        for p in [g["coordinates"]] if g["type"] == "LineString" else g["coordinates"]:
            coords.append(np.round(np.asarray(p, float), 5))
            passage.append(f["properties"].get("passage") or "")
    return coords, passage


def _dist_to_line(pt, line):
    """km from a point to a polyline (densified to ~1 km steps; haversine)."""
    dense = [line[:1]]
    for a, b in itertools.pairwise(line):
        n = max(2, int(haversine_km(a[0], a[1], b[0], b[1])))
        t = np.linspace(0.0, 1.0, n)[1:, None]
        dense.append(a + t * (b - a))
    d = np.vstack(dense)
    return float(np.min(haversine_km(d[:, 0], d[:, 1], pt[0], pt[1])))


def test_the_st_lawrence_lane_runs_from_the_gulf_to_montreal_and_stops():
    coords, passage = _marnet()
    got, tags = cut_st_lawrence(coords, passage, log=None)
    assert len(got) == len(coords)  # one lane cut, none lost
    lanes = [c for c, t in zip(got, tags, strict=True) if t == "st_lawrence"]
    assert len(lanes) == 1
    lane = lanes[0]
    # it follows the river: within 3 km of each harbour, in order from the sea
    for place in (QUEBEC, TROIS_RIVIERES, SOREL, MONTREAL):
        assert _dist_to_line(place, lane) < 3.0, place
    ends = [lane[0], lane[-1]]
    assert min(haversine_km(e[0], e[1], *MONTREAL) for e in ends) < 3.0
    # nothing above Montréal: no vertex west of it (the Seaway, Lake Ontario at 76-79 W)
    assert lane[:, 0].min() >= MONTREAL[0] - 0.05
    # its far end joins the Gulf lanes that stay in the sea network (a junction vertex)
    sea_end = lane[0] if haversine_km(lane[0][0], lane[0][1], *MONTREAL) > 100 else lane[-1]
    others = np.vstack([c for c, t in zip(got, tags, strict=True) if t != "st_lawrence"])
    assert (np.abs(others - sea_end).max(axis=1) < 1e-6).any()
    # its length: at least the great circle through the harbours, at most 15 % more
    km = float(haversine_km(lane[:-1, 0], lane[:-1, 1], lane[1:, 0], lane[1:, 1]).sum())
    way = [tuple(sea_end), QUEBEC, TROIS_RIVIERES, SOREL, MONTREAL]
    lower = sum(float(haversine_km(*a, *b)) for a, b in itertools.pairwise(way))
    assert 0.97 * lower <= km <= 1.15 * lower, (km, lower)
    # kept whatever the coarse land polygons say (a sea-going river), Montréal a gateway
    assert "st_lawrence" in KEEP_PASSAGES and "CAMTR" in GATEWAYS
    # the other lanes are untouched
    same = [c for c, t in zip(got, tags, strict=True) if t != "st_lawrence"]
    assert sum(len(c) for c in same) == sum(len(c) for c in coords) - len(
        next(c for c in coords if (np.abs(c - np.array([-73.536, 45.51])) < 1e-3).all(1).any())
    )


def test_lanes_elsewhere_are_returned_as_they_are():
    a = np.array([[0.0, 0.0], [1.0, 1.0]])
    got, tags = cut_st_lawrence([a], ["suez"], log=None)
    assert got[0] is a and tags == ["suez"]
