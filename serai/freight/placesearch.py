"""Type-ahead search of the gazetteer (``serai places search``, ``/api/places``).

:func:`search_places` lists the places whose name or alias starts with what the user
has typed so far (fuzzy matches when nothing does); :func:`country_iso` is the one check
of a country argument, shared with :class:`~serai.freight.resolver.PlaceResolver`. Moved
out of :mod:`serai.freight.resolver`, which re-exports both names.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from serai.errors import InputError
from serai.freight.gazetteer import COINCIDE_KM, Gazetteer, great_circle_km, load_gazetteer
from serai.freight.places import normalise

__all__ = ["country_iso", "search_places"]

_POOL: dict[int, tuple[list[str]]] = {}


def _suggest_pool(gz: Gazetteer) -> tuple[list[str]]:
    """Unique keys of place names (not variants, codes or aliases), for fuzzy suggestions."""
    pool = _POOL.get(id(gz))
    if pool is None:
        keys = np.unique(gz.keys[gz.key_tier == 0])
        pool = (keys.tolist(),)
        _POOL[id(gz)] = pool
    return pool


def country_iso(gz: Gazetteer, text: Any, field: str = "country") -> str:
    """ISO2 of a country code or name the gazetteer knows; else an error with suggestions."""
    from serai.errors import unknown

    if not isinstance(text, str) or not text.strip():
        raise InputError(f"a country is an ISO2 code or a name, got {text!r}", field=field)
    iso = gz.country_code(text)
    if not iso and re.fullmatch(r"[A-Za-z]{2}", text.strip()):
        iso = text.strip().upper()
    if iso not in _known_countries(gz):
        raise unknown("country", text, sorted(_known_countries(gz)), field=field)
    return iso


def _known_countries(gz: Gazetteer) -> frozenset:
    k = gz.__dict__.get("_serai_iso2")
    if k is None:  # computed once per gazetteer (a frozen dataclass: set past its __setattr__)
        k = frozenset(str(c) for c in set(gz.country) | set(gz.country_keys.values()) if c)
        object.__setattr__(gz, "_serai_iso2", k)
    return k


def search_places(
    text: str, country: str | None = None, limit: int = 10, gazetteer: Gazetteer | None = None
) -> pd.DataFrame:
    """Type-ahead search of the gazetteer: places whose name or alias starts with ``text``.

    Exact matches first, then by population; fuzzy matches when nothing starts with the text.
    Columns: name, country, admin1, population, kind, lat, lon, unlocode, matched, place_id.

    Examples
    --------
    >>> from serai.freight.placesearch import search_places
    >>> search_places("Duisb", limit=3)["name"].tolist()[0]
    'Duisburg'
    """
    from serai._checks import check_count

    if not isinstance(text, str) or not text.strip():
        raise InputError("give the beginning of a place name", field="text")
    limit = check_count(limit, "limit", 1, 1000)
    gz = gazetteer if gazetteer is not None else load_gazetteer()
    key = normalise(text)
    iso = ""
    if country is not None and not (isinstance(country, str) and not country.strip()):
        iso = country_iso(gz, country)
    rows = gz.prefix_rows(key) if key else np.empty(0, np.int64)
    cols = ["name", "country", "admin1", "population", "kind", "lat", "lon", "unlocode",
            "matched", "place_id"]  # fmt: skip
    if not len(rows) and key:
        import difflib

        near = difflib.get_close_matches(key, _suggest_pool(gz)[0], n=limit, cutoff=0.6)
        rows = np.concatenate([gz.rows(k) for k in near]) if near else rows
    if not len(rows):
        return pd.DataFrame(columns=cols)
    t = pd.DataFrame(
        {
            "place_id": gz.key_place[rows],
            "tier": gz.key_tier[rows],
            "exact": gz.keys[rows] == key,
            "text": gz.key_text[rows],
        }
    )
    t = t.sort_values(["place_id", "exact", "tier"], ascending=[True, False, True])
    t = t.drop_duplicates("place_id")
    p = gz.places.loc[t["place_id"].to_numpy()].reset_index(drop=True)
    p["exact"] = t["exact"].to_numpy()
    p["tier"] = t["tier"].to_numpy()
    p["matched"] = np.where(t["text"].to_numpy() != "", t["text"].to_numpy(), "")
    if iso:
        p = p.loc[p["country"] == iso]
    # an exact name before an exact alternate name (tier), as the resolver ranks: "Poti" is Poti
    # before Teresina, whose old name it is; then the larger place
    p = p.sort_values(["exact", "tier", "population"], ascending=[False, True, False])
    # one row per place: a port or corridor point at a city of the same name is that city
    keep: list[int] = []
    for i in range(len(p)):
        a = p.iloc[i]
        dup = next(
            (
                k
                for k in keep
                if p.iloc[k]["country"] == a["country"]
                and normalise(p.iloc[k]["name"]) == normalise(a["name"])
                and great_circle_km(a["lat"], a["lon"], p.iloc[k]["lat"], p.iloc[k]["lon"])
                <= COINCIDE_KM
            ),
            None,
        )
        if dup is None:
            keep.append(i)
            if len(keep) >= limit:
                break
        elif a["unlocode"] and not p.iloc[dup]["unlocode"]:
            p.iloc[dup, p.columns.get_loc("unlocode")] = a["unlocode"]
    return p.iloc[keep][cols].reset_index(drop=True)
