"""Paths, identifiers and small helpers shared by the build stages of :mod:`tools.data.build`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parents[1]  # tools/data
REPO = HERE.parents[1]
RAW = HERE / "raw"
FACTS = HERE / "facts"
OUT = REPO / "serai" / "data" / "eurasia"

BROAD_GAUGE = {"KZ", "UZ", "KG", "TJ", "TM", "RU", "BY", "UA", "MD", "AZ", "GE", "AM", "MN", "LT", "LV", "EE", "FI"}  # fmt: skip
# 1435 mm exceptions inside broad-gauge countries: (lon_min, lat_min, lon_max, lat_max, reason)
GAUGE_EXCEPTIONS = [
    (
        42.90,
        41.15,
        43.45,
        41.45,
        "GE: Akhalkalaki–Kartsakhi section of Baku–Tbilisi–Kars is 1435 mm",
    ),
]
ID_BASE = {"rail": 10_000_000, "road": 20_000_000, "sea": 30_000_000, "port": 40_000_000, "place": 50_000_000, "waterway": 60_000_000, "ferry_terminal": 70_000_000}  # fmt: skip
TRANSFER_KM = 10.0  # port/place to rail/road transfer when the nearest node is this close
LINE_SNAP_KM = 30.0  # a facts line endpoint farther than this from the graph gets its own node
ACCESS_DETOUR = 1.2
TOWN_POPULATION = 100_000  # rail keeps a node at every Natural Earth place this large on a line
MAX_ACCESS_KM = 100.0  # no access link longer than this (ports outside the road/rail clip)  # access line length = great-circle x this (estimate) when farther


class ShapeStore:
    """Link polylines, numbered (``shape_id``) in the order the stages add them."""

    def __init__(self) -> None:
        self.frames: list[pd.DataFrame] = []
        self.next = 0

    def add(self, geoms) -> np.ndarray:
        """Store ``geoms`` (a list of ``(n, 2)`` lon/lat arrays); returns their shape ids."""
        ids = np.arange(self.next, self.next + len(geoms))
        self.next += len(geoms)
        counts = np.array([len(g) for g in geoms])
        pts = np.concatenate(geoms) if geoms else np.zeros((0, 2))
        self.frames.append(
            pd.DataFrame({"shape_id": np.repeat(ids, counts), "x": pts[:, 0], "y": pts[:, 1]})
        )
        return ids

    def geometry(self) -> dict[int, np.ndarray]:
        """``{shape_id: (n, 2) array}`` of the shapes stored so far."""
        sh = pd.concat(self.frames, ignore_index=True)
        cut = np.flatnonzero(np.diff(sh["shape_id"].to_numpy())) + 1
        sxy = sh[["x", "y"]].to_numpy(float)
        return {
            int(i): part
            for i, part in zip(
                sh["shape_id"].to_numpy()[np.r_[0, cut]], np.split(sxy, cut), strict=True
            )
        }

    def table(self) -> pd.DataFrame:
        """The ``shapes`` table as written (float32 coordinates rounded to 4 decimals)."""
        shapes = pd.concat(self.frames, ignore_index=True)
        shapes["x"] = shapes["x"].round(4).astype(np.float32)
        shapes["y"] = shapes["y"].round(4).astype(np.float32)
        shapes["shape_id"] = shapes["shape_id"].astype(np.int32)
        return shapes


def _undirected_to_links(u_id, v_id, km, mode, extra: dict) -> pd.DataFrame:
    """Two directed links per undirected edge; ``extra`` columns are repeated."""
    n = len(u_id)
    df = pd.DataFrame(
        {
            "from_node": np.r_[u_id, v_id],
            "to_node": np.r_[v_id, u_id],
            "length": np.r_[km, km],
            "mode": mode,
        }
    )
    for k, val in extra.items():
        arr = np.asarray(val) if not np.isscalar(val) else np.full(n, val, dtype=object)
        df[k] = np.r_[arr, arr]
    return df


def _src(row) -> str:
    """Provenance string of a fact row: its source ids, or 'estimate: ...' when flagged."""
    if str(getattr(row, "estimate", "")).lower() == "true":
        return f"estimate: {row.source_id}" if row.source_id else "estimate"
    return str(row.source_id)


def _gauge(country: np.ndarray, mid: np.ndarray) -> np.ndarray:
    g = np.where(np.isin(country, list(BROAD_GAUGE)), 1520, 1435)
    for lo0, la0, lo1, la1, _ in GAUGE_EXCEPTIONS:
        inside = (mid[:, 0] >= lo0) & (mid[:, 0] <= lo1) & (mid[:, 1] >= la0) & (mid[:, 1] <= la1)
        g = np.where(inside, 1435, g)
    return g


def _in_box(lon, lat, box) -> np.ndarray:
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    return (lon >= box[0]) & (lat >= box[1]) & (lon <= box[2]) & (lat <= box[3])


_LAND = []


def _land():
    """Land polygons of the build and of ``serai data check`` (countries minus marine polygons)."""
    if not _LAND:
        from serai.data.check import load_land

        _LAND.append(
            load_land(
                RAW / "ne_50m_admin_0_countries.json", RAW / "ne_10m_geography_marine_polys.json"
            )
        )
    return _LAND[0]
