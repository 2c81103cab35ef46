"""The shipped gazetteer: every populated place of Natural Earth, the corridor points and ports.

Tables in ``serai/data/places`` (built by ``tools/data/gazetteer.py`` in a repository
checkout; sources and licences in ``serai/data/places/SOURCES.md``):

* ``places``: place_id, name, country (ISO2), admin1, lat, lon, population, kind, unlocode,
  point_id, geonameid, source (``naturalearth+geonames``, ``naturalearth``, ``facts``,
  ``searoute``);
* ``names``: key (:func:`~serai.freight.places.normalise` of a name), place_id, tier (0 name,
  1 official variant or UN/LOCODE, 2 alias: local scripts, old names, other spellings), text;
* ``countries``: key -> ISO2 (names and ISO codes of countries);
* ``land``: countries rasterised on a 0.05° grid (runs of cells per row), for the country of
  a coordinate and whether it is on land.

:func:`load_gazetteer` reads them once per process; the :class:`Gazetteer` is immutable and
safe to share between threads.

Examples
--------
>>> from serai.freight.gazetteer import load_gazetteer
>>> gz = load_gazetteer()
>>> sorted({gz.places.at[int(i), "country"] for i in gz.find("Barcelona")})
['ES', 'VE']
>>> gz.country_at(51.43, 6.76), gz.country_at(43.0, 34.0)[0]  # Duisburg; the Black Sea
(('DE', 0.0), '')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from serai.freight.nearest import NearestIndex

__all__ = ["COINCIDE_KM", "Gazetteer", "gazetteer_path", "load_gazetteer"]

EARTH_KM = 6371.0088
#: A gazetteer place this close to a network place of the same name is that place (km).
COINCIDE_KM = 50.0
GRID_DEG = 0.05


def gazetteer_path() -> Path:
    """Folder of the shipped gazetteer tables."""
    return Path(str(resources.files("serai.data").joinpath("places")))


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def chord_km(chord: np.ndarray | float) -> np.ndarray | float:
    """Great-circle km of a chord between unit vectors."""
    return 2 * EARTH_KM * np.arcsin(np.minimum(1.0, np.asarray(chord) / 2))


def great_circle_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km (haversine, vectorised)."""
    la1, lo1, la2, lo2 = (np.radians(np.asarray(a, float)) for a in (lat1, lon1, lat2, lon2))
    a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


@dataclass(frozen=True, eq=False)
class Gazetteer:
    """Places, their names (sorted keys for exact and prefix lookup), countries and land grid."""

    places: pd.DataFrame  # indexed by place_id (0..n-1)
    keys: np.ndarray  # sorted name keys (object)
    key_place: np.ndarray  # place_id of each key row
    key_tier: np.ndarray
    key_text: np.ndarray
    country_keys: dict  # key -> ISO2
    country_names: dict  # ISO2 -> name
    land_row_start: np.ndarray  # runs of row r: land_row_start[r]:land_row_start[r+1]
    land_col0: np.ndarray
    land_col1: np.ndarray
    land_iso: np.ndarray
    tree: object  # NearestIndex over the places (unit vectors; cKDTree's answers)
    lat: np.ndarray
    lon: np.ndarray
    population: np.ndarray
    country: np.ndarray  # ISO2 per place (object)
    admin1: np.ndarray  # first-level region per place (object)

    # ------------------------------------------------------------------ names
    def rows(self, key: str) -> np.ndarray:
        """Rows of the names table whose key is exactly ``key``."""
        lo = np.searchsorted(self.keys, key, "left")
        hi = np.searchsorted(self.keys, key, "right")
        return np.arange(lo, hi)

    def prefix_rows(self, key: str, limit: int = 5000) -> np.ndarray:
        """Rows whose key starts with ``key`` (at most ``limit``)."""
        lo = np.searchsorted(self.keys, key, "left")
        hi = np.searchsorted(self.keys, key + "\U0010ffff", "left")
        return np.arange(lo, min(hi, lo + limit))

    def find(self, name: str) -> np.ndarray:
        """Place ids with this name or alias (any script, accents and case ignored)."""
        from serai.freight.places import normalise

        return np.unique(self.key_place[self.rows(normalise(name))])

    def keys_of(self, place_id: int) -> set[str]:
        """Every name key of a place."""
        return set(self.keys[self._by_place[place_id]].tolist())

    @property
    def _by_place(self) -> dict[int, np.ndarray]:
        d = self.__dict__.get("_by_place_cache")
        if d is None:
            order = np.argsort(self.key_place, kind="stable")
            kp = self.key_place[order]
            starts = np.flatnonzero(np.r_[True, kp[1:] != kp[:-1]])
            ends = np.r_[starts[1:], len(kp)]
            d = {int(kp[a]): order[a:b] for a, b in zip(starts, ends, strict=True)}
            object.__setattr__(self, "_by_place_cache", d)
        return d

    def country_code(self, text: str) -> str:
        """ISO2 of a country name or code ('' if unknown): ``Turkey``, ``TR``, ``TUR``."""
        from serai.freight.places import normalise

        return self.country_keys.get(normalise(text), "")

    def capital(self, iso2: str) -> int:
        """Place id of a country's capital (its most populous capital entry; -1 if none)."""
        m = np.flatnonzero(
            (self.country == iso2) & (self.places["kind"].to_numpy(object) == "capital")
        )
        return int(m[np.argmax(self.population[m])]) if len(m) else -1

    def label(self, place_id: int) -> str:
        """``Name (admin1, CC)``, e.g. ``Suzhou (Jiangsu, CN)``."""
        p = self.places.iloc[int(place_id)]
        said = str(p["name"]).endswith(f"({p['country']})")  # 'Khorgos (CN)' of the facts
        inner = ", ".join(
            x for x in (p["admin1"], "" if said else p["country"]) if x and x != p["name"]
        )
        if p["kind"] == "port" and p["source"] == "searoute":
            inner = ", ".join(x for x in ("port " + p["unlocode"], p["country"]) if x)
        return f"{p['name']} ({inner})" if inner else str(p["name"])

    # ------------------------------------------------------------------ geometry
    def country_at(self, lat: float, lon: float, within_km: float = 25.0) -> tuple[str, float]:
        """(ISO2, km to that country's land) of a coordinate; ('', km to land) at sea.

        A point in no country's polygon (a coast simplified at 1:50m) takes the nearest land
        cell within ``within_km``; farther than that it is at sea and the code is ''.
        """
        r = int(np.clip(np.floor((90.0 - lat) / GRID_DEG), 0, len(self.land_row_start) - 2))
        c = int(np.floor((lon + 180.0) / GRID_DEG)) % round(360 / GRID_DEG)
        iso = self._cell(r, c)
        if iso:
            return iso, 0.0
        best, best_km = "", np.inf
        span = int(np.ceil(within_km / (GRID_DEG * 111.0))) + 1
        n_cols = round(360 / GRID_DEG)
        coslat = max(np.cos(np.radians(lat)), 0.05)
        cspan = min(int(np.ceil(span / coslat)), n_cols // 2)
        for rr in range(max(r - span, 0), min(r + span, len(self.land_row_start) - 2) + 1):
            a, b = self.land_row_start[rr], self.land_row_start[rr + 1]
            if a == b:
                continue
            c0, c1 = self.land_col0[a:b], self.land_col1[a:b]
            # nearest land column of this row to c (no wrap-around at the date line)
            near = np.clip(c, c0, c1)
            d_col = np.abs(near - c)
            k = int(np.argmin(d_col))
            if d_col[k] > cspan:
                continue
            clat = 90.0 - (rr + 0.5) * GRID_DEG
            clon = -180.0 + (near[k] + 0.5) * GRID_DEG
            km = float(great_circle_km(lat, lon, clat, clon))
            if km < best_km:
                best, best_km = str(self.land_iso[a + k]), km
        if best_km <= within_km:
            return best, best_km
        return "", best_km

    def crosses_sea(
        self, lat1: float, lon1: float, lat2: float, lon2: float, step_km: float = 4.0
    ) -> bool:
        """Whether the straight line between two points leaves the land by more than a cell.

        Points every ``step_km`` along the line (linear in lat/lon; legs are short) are at sea
        when neither their 0.05° cell nor one of the 8 around it is land: a strait a bridge or
        tunnel crosses (the Bosporus) is land, the English Channel is not.
        """
        d = float(great_circle_km(lat1, lon1, lat2, lon2))
        n = max(int(d // step_km), 1)
        t = np.linspace(0.0, 1.0, n + 1)[1:-1]
        if not len(t):
            return False
        n_rows, n_cols = len(self.land_row_start) - 1, round(360 / GRID_DEG)
        la, lo = lat1 + t * (lat2 - lat1), lon1 + t * (lon2 - lon1)
        r = np.floor((90.0 - la) / GRID_DEG).astype(np.int64)
        c = np.floor((lo + 180.0) / GRID_DEG).astype(np.int64)
        land = self._cells(np.clip(r, 0, n_rows - 1), c % n_cols)
        if land.all():
            return False
        r, c = r[~land], c[~land]
        near = np.zeros(len(r), bool)
        for dr in (-1, 0, 1):
            rr = r + dr
            ok = (rr >= 0) & (rr < n_rows)
            for dc in (-1, 0, 1):
                near[ok] |= self._cells(rr[ok], (c[ok] + dc) % n_cols)
        return bool((~near).any())

    def _cells(self, r: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Whether each cell (row, column) is land of a country (:meth:`_cell` is not "")."""
        key, run_row, col1, named = self._land_keys
        n_cols = round(360 / GRID_DEG)
        k = np.searchsorted(key, r * n_cols + c, "right") - 1
        kk = np.maximum(k, 0)
        return (k >= 0) & (run_row[kk] == r) & (col1[kk] >= c) & named[kk]

    @cached_property
    def _land_keys(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Land runs as sorted keys row * columns + first column (for :meth:`_cells`)."""
        n_cols = round(360 / GRID_DEG)
        rows = np.repeat(
            np.arange(len(self.land_row_start) - 1, dtype=np.int64), np.diff(self.land_row_start)
        )
        key = rows * n_cols + self.land_col0
        named = np.array([str(x) != "" for x in self.land_iso.tolist()], dtype=bool)
        return key, rows, self.land_col1, named

    def _cell(self, r: int, c: int) -> str:
        a, b = self.land_row_start[r], self.land_row_start[r + 1]
        if a == b:
            return ""
        k = int(np.searchsorted(self.land_col0[a:b], c, "right")) - 1
        if k >= 0 and self.land_col1[a + k] >= c:
            return str(self.land_iso[a + k])
        return ""

    def nearest(self, lat: float, lon: float, k: int = 1, min_population: int = 0) -> np.ndarray:
        """Place ids nearest to (lat, lon) (with at least ``min_population``)."""
        n = len(self.lat)
        want = k if min_population <= 0 else min(n, max(8 * k, 64))
        _, idx = self.tree.query(_unit(np.array([lat]), np.array([lon]))[0], k=want)
        idx = np.atleast_1d(idx)
        if min_population > 0:
            idx = idx[self.population[idx] >= min_population]
        return idx[:k]


@cache
def load_gazetteer(path: str | None = None) -> Gazetteer:
    """Read the gazetteer tables once per process (``path``: another folder of the same tables)."""
    import pyarrow.parquet as pq

    root = Path(path) if path else gazetteer_path()
    places = pq.read_table(root / "places.parquet").to_pandas()
    names = pq.read_table(root / "names.parquet").to_pandas()
    countries = pq.read_table(root / "countries.parquet").to_pandas()
    land = pq.read_table(root / "land.parquet").to_pandas()
    places = places.set_index(places["place_id"].to_numpy(np.int64), drop=False)
    n_rows = round(180 / GRID_DEG)
    rs = np.searchsorted(land["row"].to_numpy(np.int64), np.arange(n_rows + 1), "left")
    lat = places["lat"].to_numpy(float)
    lon = places["lon"].to_numpy(float)
    cn = countries.drop_duplicates("iso2").set_index("iso2")["name"]
    return Gazetteer(
        places=places,
        keys=names["key"].to_numpy(object),
        key_place=names["place_id"].to_numpy(np.int64),
        key_tier=names["tier"].to_numpy(np.int64),
        key_text=names["text"].to_numpy(object),
        country_keys=dict(zip(countries["key"], countries["iso2"], strict=True)),
        country_names={k: v for k, v in cn.items() if v},
        land_row_start=rs,
        land_col0=land["col0"].to_numpy(np.int64),
        land_col1=land["col1"].to_numpy(np.int64),
        land_iso=land["iso2"].to_numpy(object),
        tree=NearestIndex(_unit(lat, lon)),
        lat=lat,
        lon=lon,
        population=places["population"].to_numpy(np.int64),
        country=places["country"].to_numpy(object),
        admin1=places["admin1"].to_numpy(object),
    )
