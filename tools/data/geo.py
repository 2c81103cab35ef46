"""Geographic helpers for the build: countries by point-in-polygon, distances, simplification."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["Countries", "haversine_km", "simplify_lines"]

# Natural Earth 4.0 gives ISO_A2 = -99 for a few units; WB_A2 or this table fills them.
_ISO_FIX = {"NOR": "NO", "FRA": "FR", "CYN": "CY", "KAS": "IN", "SOL": "SO"}
EARTH_R = 6371.0088


def haversine_km(lon1, lat1, lon2, lat2):
    """Great-circle distance in km (vectorised)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, float)) for a in (lon1, lat1, lon2, lat2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_R * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


class Countries:
    """Natural Earth admin-0 polygons with a vectorised ISO alpha-2 lookup."""

    def __init__(self, path: Path):
        import shapely

        data = json.loads(Path(path).read_text(encoding="utf-8"))
        self.geoms = []
        self.iso = []
        for f in data["features"]:
            p = f["properties"]
            code = p["ISO_A2"]
            if code in ("-99", None):
                code = p.get("WB_A2") if p.get("WB_A2") not in ("-99", None) else None
                code = code or _ISO_FIX.get(p["ADM0_A3"], "")
            self.geoms.append(shapely.geometry.shape(f["geometry"]))
            self.iso.append(code)
        self.iso = np.array(self.iso, dtype=object)
        self.tree = shapely.STRtree(self.geoms)

    def lookup(self, lon, lat, *, nearest_km: float = 0.0) -> np.ndarray:
        """ISO2 of the polygon containing each point ("" if none).

        Points outside every polygon (coast, simplified borders) take the nearest
        polygon's code when it is within ``nearest_km`` (approximate: degrees*111).
        """
        import shapely

        pts = shapely.points(np.asarray(lon, float), np.asarray(lat, float))
        out = np.full(len(pts), "", dtype=object)
        ip, ig = self.tree.query(pts, predicate="within")
        # a point on two polygons (shared border): keep the first hit, deterministic
        order = np.lexsort((ig, ip))
        ip, ig = ip[order], ig[order]
        first = np.ones(len(ip), bool)
        first[1:] = ip[1:] != ip[:-1]
        out[ip[first]] = self.iso[ig[first]]
        if nearest_km > 0:
            miss = np.flatnonzero(out == "")
            if len(miss):
                jp, jg = self.tree.query_nearest(
                    pts[miss], max_distance=nearest_km / 111.0, all_matches=False
                )
                out[miss[jp]] = self.iso[jg]
        return out


def simplify_lines(offsets, seq, lon, lat, tolerance_deg: float):
    """Douglas-Peucker simplified coordinates of each node sequence, rounded to 1e-4 deg.

    Returns (offsets, lon, lat) of the simplified polylines, CSR-style.
    """
    import shapely

    n = len(offsets) - 1
    counts = np.diff(offsets)
    coords = np.column_stack([lon[seq], lat[seq]])
    idx = np.repeat(np.arange(n), counts)
    lines = shapely.linestrings(coords, indices=idx)
    simple = shapely.simplify(lines, tolerance_deg, preserve_topology=False)
    pts, index = shapely.get_coordinates(simple, return_index=True)
    new_counts = np.bincount(index, minlength=n)
    new_off = np.zeros(n + 1, np.int64)
    np.cumsum(new_counts, out=new_off[1:])
    return new_off, np.round(pts[:, 0], 4), np.round(pts[:, 1], 4)
