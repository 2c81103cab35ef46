"""Find network nodes by name (with aliases in any script), UN/LOCODE or coordinates.

Names are matched after Unicode case folding and removal of accents and
punctuation, so ``"Xi'an"``, ``"xian"`` and ``"XI AN"`` are the same key, and
``"Constanța"`` matches ``"Constanta"``. Aliases come from an ``aliases`` column
of the nodes table (``;``-separated, any script: ``"Алматы;阿拉木图"``). A miss
raises :class:`~serai.errors.InputError` with the closest names (difflib).
Coordinates (``"43.24,76.95"`` as lat,lon) snap to the nearest candidate node
(great-circle, via a k-d tree on 3-D unit vectors).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from serai.errors import InputError

__all__ = ["PlaceIndex", "normalise"]

_COORD = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*$")
_LOCODE = re.compile(r"^[A-Za-z]{2}\s?[A-Za-z2-9]{3}$")
_KIND_RANK = {"city": 0, "terminal": 1, "port": 2, "station": 3, "gauge_change": 4, "border": 5}
EARTH_KM = 6371.0088


def normalise(name: str) -> str:
    """Matching key of a place name.

    Examples
    --------
    >>> from serai.freight.places import normalise
    >>> normalise("Xi'an") == normalise("XIAN"), normalise("Constanța")
    (True, 'constanta')
    >>> normalise("Алматы")
    'алматы'
    """
    s = unicodedata.normalize("NFKD", str(name)).casefold()
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[\s'’`\-_.,()]+", "", s)


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


@dataclass(frozen=True, eq=False)
class PlaceIndex:
    """Lookup table from names, aliases and LOCODEs to node ids.

    Build it with :meth:`from_nodes`; ``candidates`` restricts the nodes that
    names and coordinates may resolve to (e.g. nodes present in a routing graph).
    """

    keys: pd.DataFrame  # key, node_id, name, rank
    locodes: pd.Series  # LOCODE -> node_id
    node_ids: np.ndarray  # snap candidates
    xyz: np.ndarray
    names: pd.Series  # node_id -> display name
    tree: object = None  # scipy cKDTree over xyz

    @classmethod
    def from_nodes(cls, nodes: pd.DataFrame, candidates: np.ndarray | None = None) -> PlaceIndex:
        """Index a nodes table (columns node_id, name, x, y; optional aliases, unlocode, kind).

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
        ids = nodes["node_id"].to_numpy(np.int64)
        name = (
            nodes["name"].fillna("").astype(str)
            if "name" in nodes
            else pd.Series([""] * len(nodes))
        )
        kind = (
            nodes["kind"].fillna("").astype(str)
            if "kind" in nodes
            else pd.Series([""] * len(nodes))
        )
        rank = kind.map(_KIND_RANK).fillna(9).to_numpy()
        rows = [pd.DataFrame({"text": name.to_numpy(), "node_id": ids, "rank": rank})]
        if "aliases" in nodes:
            al = nodes["aliases"].fillna("").astype(str).str.split(r"[;|]", regex=True)
            ex = pd.DataFrame({"text": al.to_numpy(), "node_id": ids, "rank": rank}).explode("text")
            rows.append(ex)
        keys = pd.concat(rows, ignore_index=True)
        keys["text"] = keys["text"].astype(str).str.strip()
        keys = keys.loc[keys["text"] != ""]
        keys["key"] = keys["text"].map(normalise)
        keys = keys.sort_values(["key", "rank", "node_id"]).reset_index(drop=True)
        loc = pd.Series(dtype=np.int64)
        if "unlocode" in nodes:
            lc = nodes["unlocode"].fillna("").astype(str).str.replace(" ", "").str.upper()
            ok = lc != ""
            loc = pd.Series(ids[ok.to_numpy()], index=lc[ok].to_numpy())
            loc = loc[~loc.index.duplicated()]
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
        good = np.isfinite(x) & np.isfinite(y)
        from scipy.spatial import cKDTree

        xyz = _unit(y[good], x[good])
        return cls(
            keys=keys,
            locodes=loc,
            node_ids=ids[good],
            xyz=xyz,
            names=pd.Series(name.to_numpy(), index=ids),
            tree=cKDTree(xyz) if len(xyz) else None,
        )

    def resolve(self, query: str | int | tuple[float, float]) -> int:
        """Node id for a name, alias, UN/LOCODE, ``"lat,lon"`` string, (lat, lon) or node id."""
        if isinstance(query, (int, np.integer)):
            return int(query)
        if isinstance(query, tuple):
            return self.snap(*query)[0]
        q = str(query).strip()
        m = _COORD.match(q)
        if m:
            return self.snap(float(m.group(1)), float(m.group(2)))[0]
        key = normalise(q)
        hit = self.keys.loc[self.keys["key"] == key]
        if len(hit):
            return int(hit["node_id"].iloc[0])
        if _LOCODE.match(q):
            code = q.replace(" ", "").upper()
            if code in self.locodes.index:
                return int(self.locodes.loc[code])
        if q.lstrip("-").isdigit() and int(q) in self.names.index:
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

    def snap(self, lat: float, lon: float) -> tuple[int, float]:
        """Nearest candidate node to (lat, lon) and its great-circle distance in km."""
        if not len(self.node_ids):
            raise InputError("no node with coordinates to snap to")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError(f"coordinates ({lat}, {lon}) are not a valid lat,lon", field="place")
        chord, i = self.tree.query(_unit(np.array([lat]), np.array([lon]))[0])
        km = 2 * EARTH_KM * np.arcsin(min(1.0, chord / 2))
        return int(self.node_ids[i]), float(km)

    def name(self, node_id: int) -> str:
        """Display name of a node ('' if it has none)."""
        n = self.names.get(int(node_id), "")
        return str(n) if n == n else ""
