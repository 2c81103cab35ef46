"""Find network nodes by name (with aliases in any script), UN/LOCODE or coordinates.

Names are matched after Unicode case folding and removal of accents and
punctuation, so ``"Xi'an"``, ``"xian"`` and ``"XI AN"`` are the same key, and
``"Constanța"`` matches ``"Constanta"``. Aliases come from an ``aliases`` column
of the nodes table (``;``-separated, any script: ``"Алматы;阿拉木图"``). A miss
raises :class:`~serai.errors.InputError` with the closest names (difflib).
Coordinates (``"43.24,76.95"`` as lat,lon) snap to the nearest candidate node
(great-circle, via a k-d tree on 3-D unit vectors); farther than ``max_snap_km``
(150 km) from every candidate is an error that names the nearest place.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from serai.errors import InputError
from serai.freight.nearest import NearestIndex

__all__ = ["PlaceIndex", "normalise"]
_ASCII_INT = re.compile(r"-?[0-9]+")  # a node id ("¹".isdigit() is True, int("¹") fails)

_COORD = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*$")
_LOCODE = re.compile(r"^[A-Za-z]{2}\s?[A-Za-z2-9]{3}$")
_KIND_RANK = {"city": 0, "terminal": 1, "port": 2, "station": 3, "gauge_change": 4, "border": 5}
EARTH_KM = 6371.0088
# letters that Unicode does not decompose into a base letter and a mark
_FOLD = str.maketrans(
    {"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe",
     "ə": "e", "ħ": "h", "ŀ": "l", "ŧ": "t", "ſ": "s", "ĸ": "k"}
)  # fmt: skip


def normalise(name: str) -> str:
    """Matching key of a place name.

    Examples
    --------
    >>> from serai.freight.places import normalise
    >>> normalise("Xi'an") == normalise("XIAN"), normalise("Constanța")
    (True, 'constanta')
    >>> normalise("Алматы"), normalise("Bakı"), normalise("Łódź")
    ('алматы', 'baki', 'lodz')
    """
    s = unicodedata.normalize("NFKD", str(name)).casefold()
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).translate(_FOLD)
    return "".join(ch for ch in s if ch.isalnum())


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


@dataclass(frozen=True, eq=False)
class PlaceIndex:
    """Lookup table from names, aliases and LOCODEs to node ids.

    Build it with :meth:`from_nodes`; ``candidates`` restricts the nodes that
    names and coordinates may resolve to (e.g. nodes present in a routing graph).
    """

    keys: pd.DataFrame  # text, target, rank, key
    locodes: pd.Series  # LOCODE -> target
    targets: np.ndarray  # snap candidates (node ids or point ids), object
    xyz: np.ndarray
    names: pd.Series  # target -> display name
    tree: object = None  # NearestIndex over xyz (cKDTree's answers)
    lookup: dict = None  # type: ignore[assignment]  # key -> best target
    max_snap_km: float = 150.0  # coordinates farther than this from every place are an error

    @classmethod
    def from_nodes(
        cls,
        nodes: pd.DataFrame,
        candidates: np.ndarray | None = None,
        points: pd.DataFrame | None = None,
        snap_exclude_kinds: tuple[str, ...] = ("sea",),
    ) -> PlaceIndex:
        """Index a nodes table (node_id, name, x, y; optional aliases, unlocode, kind, point_id).

        ``points`` (point_id, name, lat, lon; optional aliases, unlocode) adds named
        places that stand for several nodes; a name then resolves to the point id
        (a str) instead of a node id (an int). Nodes of ``snap_exclude_kinds`` are
        not snap targets for coordinates.

        Examples
        --------
        >>> import pandas as pd
        >>> from serai.freight import PlaceIndex
        >>> nodes = pd.DataFrame({"node_id": [1, 2], "name": ["Almaty", "Aktau"],
        ...     "aliases": ["Алматы;阿拉木图;Alma-Ata", ""], "unlocode": ["KZALA", "KZSCO"],
        ...     "x": [76.9, 51.2], "y": [43.2, 43.6]})
        >>> idx = PlaceIndex.from_nodes(nodes)
        >>> idx.resolve("阿拉木图"), idx.resolve("Алматы"), idx.resolve("KZSCO"), idx.resolve("43.6,51.1")
        (1, 1, 2, 2)
        """
        nodes = nodes.reset_index(drop=True)
        if candidates is not None:
            nodes = nodes.loc[nodes["node_id"].isin(np.asarray(candidates))]

        def col(df: pd.DataFrame, name: str) -> pd.Series:
            if name in df.columns:
                return df[name].fillna("").astype(str)
            return pd.Series([""] * len(df), index=df.index)

        ids = nodes["node_id"].to_numpy(np.int64)
        # a node that belongs to a named point resolves to the point
        pid = col(nodes, "point_id").str.split("|").str[0].str.strip()
        known_points = set()
        if points is not None and len(points):
            known_points = set(points["point_id"].astype(str))
        node_target = np.array(
            [p if p and p in known_points else int(i) for p, i in zip(pid, ids, strict=True)],
            dtype=object,
        )
        rank = col(nodes, "kind").map(_KIND_RANK).fillna(9).to_numpy()
        rows = [
            pd.DataFrame(
                {"text": col(nodes, "name").to_numpy(), "target": node_target, "rank": rank}
            )
        ]
        al = col(nodes, "aliases").str.split(r"[;|]", regex=True)
        rows.append(
            pd.DataFrame({"text": al.to_numpy(), "target": node_target, "rank": rank}).explode(
                "text"
            )
        )
        names = pd.Series(col(nodes, "name").to_numpy(), index=pd.Index(node_target, dtype=object))
        px = py = np.empty(0)
        ptargets = np.empty(0, dtype=object)
        loc_frames = [
            pd.Series(
                node_target,
                index=col(nodes, "unlocode").str.replace(" ", "").str.upper().to_numpy(),
            )
        ]
        if points is not None and len(points):
            pts = points.drop_duplicates("point_id").reset_index(drop=True)
            pt = pts["point_id"].astype(str).to_numpy(object)
            rows.append(
                pd.DataFrame({"text": col(pts, "name").to_numpy(), "target": pt, "rank": -1})
            )
            rows.append(pd.DataFrame({"text": pt, "target": pt, "rank": -1}))
            pal = col(pts, "aliases").str.split(r"[;|]", regex=True)
            rows.append(
                pd.DataFrame({"text": pal.to_numpy(), "target": pt, "rank": -1}).explode("text")
            )
            names = pd.concat(
                [pd.Series(col(pts, "name").to_numpy(), index=pd.Index(pt, dtype=object)), names]
            )
            loc_frames.insert(
                0,
                pd.Series(
                    pt, index=col(pts, "unlocode").str.replace(" ", "").str.upper().to_numpy()
                ),
            )
            px = pd.to_numeric(pts["lon"], errors="coerce").to_numpy(float)
            py = pd.to_numeric(pts["lat"], errors="coerce").to_numpy(float)
            ptargets = pt
        keys = pd.concat(rows, ignore_index=True)
        keys["text"] = keys["text"].astype(str).str.strip()
        keys = keys.loc[(keys["text"] != "") & (keys["text"] != "nan")]
        keys["key"] = keys["text"].map(normalise)
        keys = keys.sort_values(["key", "rank"], kind="stable").reset_index(drop=True)
        loc = pd.concat(loc_frames)
        loc = loc[(loc.index != "") & ~loc.index.duplicated()]
        names = names[~names.index.duplicated()]
        x = (
            pd.to_numeric(nodes["x"], errors="coerce").to_numpy(float)
            if "x" in nodes
            else np.full(len(ids), np.nan)
        )
        y = (
            pd.to_numeric(nodes["y"], errors="coerce").to_numpy(float)
            if "y" in nodes
            else np.full(len(ids), np.nan)
        )
        good = (
            np.isfinite(x)
            & np.isfinite(y)
            & ~col(nodes, "kind").isin(snap_exclude_kinds).to_numpy()
        )
        pgood = np.isfinite(px) & np.isfinite(py)
        targets = np.concatenate([ptargets[pgood], ids[good].astype(object)])
        xyz = _unit(np.concatenate([py[pgood], y[good]]), np.concatenate([px[pgood], x[good]]))
        return cls(
            keys=keys,
            locodes=loc,
            targets=targets,
            xyz=xyz,
            names=names,
            tree=NearestIndex(xyz) if len(xyz) else None,
            lookup=dict(
                zip(
                    *keys.drop_duplicates("key")[["key", "target"]].to_numpy().T.tolist(),
                    strict=True,
                )
            )
            if len(keys)
            else {},
        )

    def resolve(self, query: str | int | tuple[float, float]) -> int | str:
        """Target of a name, alias, UN/LOCODE, ``"lat,lon"`` string, (lat, lon) or node id.

        The target is a node id (int) or, for named places spanning several nodes,
        a point id (str).
        """
        if isinstance(query, (int, np.integer)):
            return int(query)
        if isinstance(query, tuple):
            return self._snap_checked(*query)
        q = str(query).strip()
        m = _COORD.match(q)
        if m:
            return self._snap_checked(float(m.group(1)), float(m.group(2)))
        key = normalise(q)
        if key in self.lookup:
            return _plain(self.lookup[key])
        if _LOCODE.match(q):
            code = q.replace(" ", "").upper()
            if code in self.locodes.index:
                return _plain(self.locodes.loc[code])
        if _ASCII_INT.fullmatch(q) and int(q) in self.names.index:
            return int(q)
        raise InputError(f"unknown place '{query}'{self._suggest(key)}", field="place")

    def _suggest(self, key: str) -> str:
        import difflib

        uniq = self.keys.drop_duplicates("key")
        near = difflib.get_close_matches(key, uniq["key"].tolist(), n=5, cutoff=0.6)
        if not near:
            starts = (
                uniq.loc[uniq["key"].str.startswith(key[:3])] if len(key) >= 3 else uniq.iloc[:0]
            )
            near = starts["key"].head(5).tolist()
        if not near:
            return ""
        texts = uniq.set_index("key").loc[near, "text"].tolist()
        return "; did you mean " + ", ".join(texts) + "?"

    def _snap_checked(self, lat: float, lon: float) -> int | str:
        target, km = self.snap(lat, lon)
        if km > self.max_snap_km:
            raise InputError(
                f"({lat}, {lon}) is {km:,.0f} km from the nearest place on the network "
                f"({self.name(target) or target}); the limit is {self.max_snap_km:,.0f} km",
                field="place",
            )
        return target

    def snap(self, lat: float, lon: float) -> tuple[int | str, float]:
        """Nearest candidate node to (lat, lon) and its great-circle distance in km."""
        if self.tree is None:
            raise InputError("no node with coordinates to snap to")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError(f"coordinates ({lat}, {lon}) are not a valid lat,lon", field="place")
        chord, i = self.tree.query(_unit(np.array([lat]), np.array([lon]))[0])
        km = 2 * EARTH_KM * np.arcsin(min(1.0, chord / 2))
        return _plain(self.targets[i]), float(km)

    def name(self, target: int | str) -> str:
        """Display name of a node or point ('' if it has none)."""
        n = self.names.get(target, "")
        return str(n) if n == n else ""


def _plain(v: object) -> int | str:
    return v if isinstance(v, str) else int(v)  # type: ignore[call-overload]
