"""Type-ahead place search over a router's place index (names, aliases in any script, LOCODEs).

Ranking: exact key first, then key prefix, then word prefix inside a name,
then substring; ties by kind (named points and cities before terminals and
ports before junctions) and name. Until the gazetteer (``serai places``) lands
this reads :class:`~serai.freight.places.PlaceIndex` of the routing graph, so
every suggestion is a place the router can route from.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pandas as pd

from serai.freight.places import normalise

__all__ = ["PlaceSearch", "gazetteer_search"]

_CACHE: dict[int, tuple[Any, PlaceSearch]] = {}
_LOCK = threading.Lock()


class PlaceSearch:
    """Prefix search over the sorted keys of one router's places (immutable)."""

    def __init__(self, router: Any) -> None:
        places = router.places
        keys = places.keys
        self.key = keys["key"].to_numpy(object)
        self.text = keys["text"].to_numpy(object)
        self.target = keys["target"].to_numpy(object)
        self.rank = keys["rank"].to_numpy(float)
        self._names = places.names
        nodes = router.rg.network.nodes.set_index("node_id")
        self._xy = nodes[["x", "y"]]
        self._country = nodes["country"] if "country" in nodes else None
        self._kind = nodes["kind"] if "kind" in nodes else None
        pts = router.rg.network.tables.get("points")
        self._pts = (
            pts.drop_duplicates("point_id").set_index("point_id") if pts is not None else None
        )
        self._locodes = places.locodes
        self._locode = {_plain(v): k for k, v in places.locodes.items() if isinstance(k, str) and k}

    @classmethod
    def of(cls, router: Any) -> PlaceSearch:
        key = id(router)
        with _LOCK:
            hit = _CACHE.get(key)
        if hit is not None and hit[0] is router:
            return hit[1]
        s = cls(router)
        with _LOCK:
            _CACHE[key] = (router, s)
        return s

    def search(self, query: str, limit: int = 10) -> list[dict[str, Any]]:
        q = normalise(query)
        if not q:
            return []
        lo = int(np.searchsorted(self.key, q, "left"))
        hi = int(np.searchsorted(self.key, q + "\U0010ffff", "left"))
        hits: dict[Any, tuple[float, str]] = {}

        def add(i: int, score: float) -> None:
            t = self.target[i]
            t = t if isinstance(t, str) else int(t)
            s = (score, self.rank[i])
            if t not in hits or s < hits[t][0]:
                hits[t] = (s, self.text[i])

        code = str(query).replace(" ", "").upper()
        if len(code) == 5 and code in self._locodes.index:
            t = _plain(self._locodes.loc[code])
            hits[t] = ((-1.0, -1.0), code)
        for i in range(lo, min(hi, lo + 400)):
            add(i, 0 if self.key[i] == q else 1)
        if len(hits) < limit and len(q) >= 2:
            contains = np.flatnonzero(pd.Series(self.key).str.contains(q, regex=False).to_numpy())
            for i in contains[:400]:
                add(int(i), 2)
        order = sorted(hits.items(), key=lambda kv: (kv[1][0], self._name(kv[0]) or "~"))
        return [self._describe(t, text) for t, (_, text) in order[:limit]]

    def _name(self, target: Any) -> str:
        n = self._names.get(target, "")
        return str(n) if n == n else ""

    def _describe(self, target: Any, matched: str) -> dict[str, Any]:
        lon = lat = None
        country = kind = ""
        if isinstance(target, str):
            if self._pts is not None and target in self._pts.index:
                p = self._pts.loc[target]
                lon, lat = _f(p.get("lon")), _f(p.get("lat"))
                node = p.get("node_id")
                if node is not None and node == node and int(node) in self._xy.index:
                    country = self._str(self._country, int(node))
            kind = "point"
        else:
            if target in self._xy.index:
                lon, lat = (_f(v) for v in self._xy.loc[target].to_numpy())
            country = self._str(self._country, target)
            kind = self._str(self._kind, target)
        name = self._name(target) or matched
        return {
            "id": str(target),
            "name": name,
            "matched": matched,
            "country": country,
            "kind": kind,
            "lon": lon,
            "lat": lat,
            "locode": self._locode.get(target, ""),
        }

    @staticmethod
    def _str(s: pd.Series | None, key: Any) -> str:
        if s is None or key not in s.index:
            return ""
        v = s.loc[key]
        return "" if v is None or v != v else str(v)


def _f(v: Any) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return round(x, 5) if np.isfinite(x) else None


def _plain(v: Any) -> Any:
    return v if isinstance(v, str) else int(v)


def gazetteer_search(query: str, limit: int = 10) -> list[dict[str, Any]] | None:
    """Type-ahead over the gazetteer (:func:`serai.freight.resolver.search_places`), or None
    when this build has no gazetteer."""
    try:
        from serai.freight.resolver import search_places
    except ImportError:
        return None
    t = search_places(query, limit=limit)
    out = []
    for r in t.itertuples(index=False):
        name = str(r.name)
        label = ", ".join(x for x in (str(r.admin1 or ""), str(r.country or "")) if x and x != name)
        out.append(
            {
                "id": str(r.place_id),
                "name": name,
                "matched": str(r.matched or name) if r.matched == r.matched else name,
                "country": str(r.country or ""),
                "kind": str(r.kind or ""),
                "lon": _f(r.lon),
                "lat": _f(r.lat),
                "locode": str(r.unlocode or "") if r.unlocode == r.unlocode else "",
                "label": f"{name} ({label})" if label else name,
                "admin1": str(r.admin1 or "") if r.admin1 == r.admin1 else "",
            }
        )
    return out
