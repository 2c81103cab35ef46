"""Longitudes across the antimeridian (180°), for drawing and orienting link shapes.

The embedded sea network has Pacific lanes that end at the antimeridian: one node
at x = 180 joins the lanes on both sides, and a lane on the western side keeps its
shape from x = -180. Distances between points in degrees therefore take the
longitude difference modulo 360 (:func:`lon_gap`), and a polyline drawn through
several links is made continuous (:func:`unwrap_lon`: it goes on past ±180°, as
MapLibre, Leaflet and shapely draw it, instead of jumping across the map).

Examples
--------
>>> import numpy as np
>>> float(lon_gap(-180.0 - 180.0))
0.0
>>> unwrap_lon(np.array([[179.0, 40.0], [180.0, 40.0], [-180.0, 40.0], [-179.0, 41.0]])).tolist()
[[179.0, 40.0], [180.0, 40.0], [180.0, 40.0], [181.0, 41.0]]
"""

from __future__ import annotations

import numpy as np

__all__ = ["degree_gap", "lon_gap", "unwrap_lon"]


def lon_gap(dx):
    """Longitude difference(s) in degrees brought into [-180, 180).

    >>> lon_gap(np.array([350.0, -350.0, 10.0])).tolist()
    [-10.0, 10.0, 10.0]
    """
    return (np.asarray(dx, dtype=float) + 180.0) % 360.0 - 180.0


def degree_gap(a, b):
    """Planar distance in degrees between points ``a`` and ``b`` (``(..., 2)`` lon/lat),
    the longitude difference taken across the antimeridian when that is shorter.

    >>> float(degree_gap(np.array([180.0, 10.0]), np.array([-180.0, 10.0])))
    0.0
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    d = a - b
    return np.hypot(lon_gap(d[..., 0]), d[..., 1])


def unwrap_lon(xy: np.ndarray) -> np.ndarray:
    """A polyline (``(k, 2)`` lon/lat) with no jump of more than 180° in longitude between
    consecutive points: after a jump the rest is shifted by ±360° (a line crossing the
    antimeridian goes on past ±180°). Returned unchanged (same object) when it has no jump.
    """
    xy = np.asarray(xy, dtype=float)
    if len(xy) < 2:
        return xy
    dx = np.diff(xy[:, 0])
    jump = np.abs(dx) > 180.0
    if not jump.any():
        return xy
    shift = np.r_[0.0, np.cumsum(np.where(jump, -360.0 * np.sign(dx), 0.0))]
    out = xy.copy()
    out[:, 0] += shift
    return out
