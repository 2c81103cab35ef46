"""Longitudes across the antimeridian (180°), for drawing and orienting link shapes.

The embedded sea network has Pacific lanes that end at the antimeridian: one node
at x = 180 joins the lanes on both sides, and a lane on the western side keeps its
shape from x = -180. Distances between points in degrees therefore take the
longitude difference modulo 360 (:func:`lon_gap`), and a polyline drawn through
several links is made continuous (:func:`unwrap_lon`: it goes on past ±180°, as
MapLibre, Leaflet and shapely draw it, instead of jumping across the map).

Files for GIS (GeoJSON, WKT, GeoPackage, GeoDataFrames) keep every longitude in
[-180, 180] instead: :func:`cut_antimeridian` cuts such a line where it crosses 180°
into parts that meet at ±180° (RFC 7946, section 3.1.9), the latitude of the crossing
interpolated along the segment that crosses.

Examples
--------
>>> import numpy as np
>>> float(lon_gap(-180.0 - 180.0))
0.0
>>> unwrap_lon(np.array([[179.0, 40.0], [180.0, 40.0], [-180.0, 40.0], [-179.0, 41.0]])).tolist()
[[179.0, 40.0], [180.0, 40.0], [180.0, 40.0], [181.0, 41.0]]
>>> [p.tolist() for p in cut_antimeridian(np.array([[170.0, 40.0], [-170.0, 44.0]]))]
[[[170.0, 40.0], [180.0, 42.0]], [[-180.0, 42.0], [-170.0, 44.0]]]
"""

from __future__ import annotations

import itertools

import numpy as np

__all__ = ["cut_antimeridian", "cut_geojson_line", "degree_gap", "lon_gap", "unwrap_lon"]


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


def cut_antimeridian(xy: np.ndarray) -> list[np.ndarray]:
    """A polyline (``(k, 2)`` lon/lat) as parts that never cross the antimeridian, every
    longitude in [-180, 180] (RFC 7946, section 3.1.9: what GIS files and GeoPandas expect).

    The line is first made continuous (:func:`unwrap_lon`: a jump of more than 180° between
    consecutive points is a crossing); a segment crossing 180° (or -180°) gets a point on it,
    its latitude interpolated linearly along the segment, and the line is cut there: one
    part ends at 180° and the next starts at -180° at the same latitude (or the other way
    round going west); a point repeated in a row is then kept once. A line touching ±180°
    without crossing it is not cut. A line that crosses nothing is returned as one part,
    the same object as given when it is an array already inside [-180, 180].

    Examples
    --------
    >>> parts = cut_antimeridian(np.array([[179.0, 40.0], [180.0, 40.0], [-180.0, 40.0],
    ...                                    [-179.0, 41.0]]))
    >>> [p.tolist() for p in parts]
    [[[179.0, 40.0], [180.0, 40.0]], [[-180.0, 40.0], [-179.0, 41.0]]]
    >>> [p.tolist() for p in cut_antimeridian(np.array([[-179.0, 10.0], [179.0, 12.0]]))]
    [[[-179.0, 10.0], [-180.0, 11.0]], [[180.0, 11.0], [179.0, 12.0]]]
    >>> flat = np.array([[10.0, 1.0], [20.0, 2.0]])
    >>> cut_antimeridian(flat)[0] is flat
    True
    """
    xy = np.asarray(xy, dtype=float)
    u = unwrap_lon(xy)
    if len(u) < 2 or (u is xy and (np.abs(xy[:, 0]) <= 180.0).all()):
        return [xy]
    # points on every crossing of an odd multiple of 180 strictly inside a segment
    pts = [u[:1]]
    for a, b in itertools.pairwise(u):
        lo, hi = sorted((a[0], b[0]))
        k = np.arange(np.ceil((lo - 180.0) / 360.0), np.floor((hi - 180.0) / 360.0) + 1)
        walls = 180.0 + 360.0 * k
        walls = walls[(walls > lo) & (walls < hi)]
        if len(walls):
            walls = walls if b[0] > a[0] else walls[::-1]
            t = (walls - a[0]) / (b[0] - a[0])
            pts.append(np.column_stack([walls, a[1] + t * (b[1] - a[1])]))
        pts.append(b[None, :])
    v = np.vstack(pts)
    v = v[np.r_[True, (np.diff(v, axis=0) != 0.0).any(axis=1)]]  # repeated points once
    if len(v) < 2:
        return [v]
    # the sheet (360-degree band) of each segment, by its midpoint; a segment lying on a
    # wall (both ends at the same odd multiple of 180) stays in the sheet before it
    mid = (v[:-1, 0] + v[1:, 0]) / 2.0
    sheet = np.floor((mid + 180.0) / 360.0)
    on_wall = (v[:-1, 0] == v[1:, 0]) & (np.mod(v[:-1, 0] - 180.0, 360.0) == 0.0)
    for i in np.flatnonzero(on_wall):
        if i > 0:
            sheet[i] = sheet[i - 1]
    if on_wall[0]:  # a line starting on a wall: the sheet of its first segment off it
        off = np.flatnonzero(~on_wall)
        if len(off):
            sheet[: off[0]] = sheet[off[0]]
    cuts = np.flatnonzero(np.diff(sheet) != 0) + 1  # segment index where a new part starts
    parts = []
    for s0, s1 in zip(np.r_[0, cuts], np.r_[cuts, len(sheet)], strict=True):
        part = v[s0 : s1 + 1].copy()
        part[:, 0] -= 360.0 * sheet[s0]
        parts.append(part)
    return parts


def cut_geojson_line(geometry: dict) -> dict:
    """A GeoJSON ``LineString`` geometry cut at the antimeridian (:func:`cut_antimeridian`):
    a ``MultiLineString`` when it crosses, else the same dict. Other geometries unchanged.

    >>> cut_geojson_line({"type": "LineString", "coordinates": [[179, 0], [181, 2]]})
    {'type': 'MultiLineString', 'coordinates': [[[179.0, 0.0], [180.0, 1.0]], [[-180.0, 1.0], [-179.0, 2.0]]]}
    >>> g = {"type": "LineString", "coordinates": [[1, 0], [2, 2]]}
    >>> cut_geojson_line(g) is g
    True
    """
    if geometry.get("type") != "LineString":
        return geometry
    coords = geometry["coordinates"]
    xy = np.asarray(coords, dtype=float).reshape(-1, 2)
    parts = cut_antimeridian(xy)
    if len(parts) == 1 and parts[0] is xy:
        return geometry
    if len(parts) == 1:
        return {"type": "LineString", "coordinates": parts[0].tolist()}
    return {"type": "MultiLineString", "coordinates": [p.tolist() for p in parts]}
