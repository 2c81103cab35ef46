"""Node labels: a readable name for every node of a routing graph.

A node's own name, else "near <closest named place>" (a gazetteer town within 40 km, else a
named place target within ``within_km``, preferring one of the node's own country and saying
the country of a foreign one), else "<place> (<km> km <compass>)" of the nearest populated
place within 400 km, else "lat,lon". Moved out of :mod:`serai.freight.legs` (which
re-exports every name) to keep that module under the project's size limit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from serai.freight.places import PlaceIndex

__all__ = ["node_labels"]


def node_labels(
    nodes: pd.DataFrame, places: PlaceIndex, within_km: float = 150.0, gazetteer: Any = None
) -> pd.Series:
    """A label for every node: its name, else "near <closest named place>", else lat,lon.

    With a ``gazetteer`` (:class:`~serai.freight.gazetteer.Gazetteer`), an unnamed node within
    40 km of a populated place is "near <that place>" first.
    """
    ids = nodes["node_id"].to_numpy(np.int64)
    name = (
        nodes["name"].fillna("").astype(str).to_numpy(object)
        if "name" in nodes
        else np.full(len(ids), "", object)
    )
    out = name.copy()
    missing = out == ""
    country = (
        nodes["country"].fillna("").astype(str).to_numpy(object)
        if "country" in nodes
        else np.full(len(ids), "", object)
    )
    x = pd.to_numeric(
        nodes.get("x", pd.Series(np.nan, index=nodes.index)), errors="coerce"
    ).to_numpy(float)
    y = pd.to_numeric(
        nodes.get("y", pd.Series(np.nan, index=nodes.index)), errors="coerce"
    ).to_numpy(float)
    if gazetteer is not None and missing.any():
        from serai.freight.gazetteer import chord_km
        from serai.freight.places import _unit

        ok = missing & np.isfinite(x) & np.isfinite(y)
        chord, i = gazetteer.tree.query(_unit(y[ok], x[ok]), k=8)
        good = (chord_km(chord) <= 40.0) & (gazetteer.population[i] > 0)
        # the nearest populated place (ports have no population) of the node's own country,
        # else the nearest of any country, its country said: a Kazakh node by the border is
        # "near Alashankou (CN)", not "near Alashankou" as if it were in China
        own = country[ok]
        pc = np.asarray(gazetteer.country, dtype=object)[i]
        same = good & (pc == own[:, None])
        rows = np.arange(len(i))
        first = np.where(same.any(axis=1), np.argmax(same, axis=1), np.argmax(good, axis=1))
        pick = i[rows, first]
        has = good[rows, first]
        pname = gazetteer.places["name"].to_numpy(object)[pick].astype(str)
        other = has & (own != "") & (pc[rows, first] != own)
        pname = np.where(other, pname + " (" + pc[rows, first].astype(str) + ")", pname)
        out[ok] = np.where(has, np.char.add("near ", pname.astype(str)), "").astype(object)
        missing = out == ""
    named = np.array([bool(places.name(t)) for t in places.targets], dtype=bool)
    if missing.any() and named.any():
        from scipy.spatial import cKDTree

        from serai.freight.places import EARTH_KM, _unit

        tree = cKDTree(places.xyz[named])
        tnames = np.array([places.name(t) for t in places.targets[named]], dtype=object)
        tcountry = _target_countries(places.targets[named], nodes, country, gazetteer)
        ok = missing & np.isfinite(x) & np.isfinite(y)
        chord, i = tree.query(_unit(y[ok], x[ok]))  # the nearest named place
        km = 2 * EARTH_KM * np.arcsin(np.minimum(1.0, chord / 2))
        own = country[ok]
        pick, has = i, km <= within_km
        # in another country (known): the nearest of the node's own country within 40 km
        # instead, else that place with its country said (a Kazakh node at the Chinese
        # border: "near Dostyk", not "near Alashankou"; a Dutch one "near Duisburg (DE)")
        pc = tcountry[pick]
        foreign = has & (own != "") & (pc != "") & (pc != own)
        if foreign.any() and named.sum() > 1:
            k = int(min(8, named.sum()))
            ch8, i8 = tree.query(_unit(y[ok][foreign], x[ok][foreign]), k=k)
            km8 = 2 * EARTH_KM * np.arcsin(np.minimum(1.0, ch8 / 2))
            same = (km8 <= min(within_km, 40.0)) & (tcountry[i8] == own[foreign][:, None])
            rows = np.arange(len(i8))
            alt = np.where(same.any(axis=1), i8[rows, np.argmax(same, axis=1)], pick[foreign])
            pick = pick.copy()
            pick[foreign] = alt
            pc = tcountry[pick]
            foreign = has & (own != "") & (pc != "") & (pc != own)
        lab = np.where(foreign, tnames[pick] + " (" + pc + ")", tnames[pick])
        out[ok] = np.where(has, "near " + lab.astype(str), "").astype(object)
    still = (out == "") & np.isfinite(x) & np.isfinite(y)
    if gazetteer is not None and still.any():
        out[still] = _bearing_labels(gazetteer, x[still], y[still])
        still = out == ""
        still &= np.isfinite(x) & np.isfinite(y)
    out[still] = [f"{b:.2f},{a:.2f}" for a, b in zip(x[still], y[still], strict=True)]
    return pd.Series(out, index=ids).sort_index()


def _target_countries(
    targets: np.ndarray, nodes: pd.DataFrame, country: np.ndarray, gazetteer: Any
) -> np.ndarray:
    """ISO2 of place targets ('' when unknown): a node id's ``country``; a named point's, the
    country of a node it names (``point_id``), else of its gazetteer entry."""
    ids = nodes["node_id"].to_numpy(np.int64)
    by_node = dict(zip(ids.tolist(), country.tolist(), strict=True))
    by_point: dict = {}
    if "point_id" in nodes:  # the first node a point names
        pid = nodes["point_id"].fillna("").astype(str).tolist()
        for p, c in zip(pid, country.tolist(), strict=True):
            for q in p.split("|") if p and c else ():
                by_point.setdefault(q, c)
    if gazetteer is not None and "point_id" in gazetteer.places:
        p = gazetteer.places[["point_id", "country"]].dropna()
        for q, c in zip(p["point_id"].astype(str), p["country"].astype(str), strict=True):
            by_point.setdefault(q, c)
    return np.array(
        [
            by_point.get(t, "") if isinstance(t, str) else by_node.get(int(t), "")
            for t in targets.tolist()
        ],
        dtype=object,
    )


_COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def _bearing_labels(
    gazetteer: Any, x: np.ndarray, y: np.ndarray, max_km: float = 400.0
) -> np.ndarray:
    """ "<km> km <compass> of <nearest populated place>" for points far from any named place
    (steppe, desert, open sea near a coast), "" beyond ``max_km``: a reader places "85 km NE of
    Aktobe" where "50.86,56.11" says nothing."""
    from serai.freight.gazetteer import chord_km
    from serai.freight.places import _unit

    chord, i = gazetteer.tree.query(_unit(y, x), k=64)
    good = gazetteer.population[i] > 0
    first = np.argmax(good, axis=1)
    rows = np.arange(len(i))
    pick, km, has = i[rows, first], chord_km(chord[rows, first]), good[rows, first]
    has &= km <= max_km
    lat0 = gazetteer.places["lat"].to_numpy(float)[pick]
    lon0 = gazetteer.places["lon"].to_numpy(float)[pick]
    p1, p2, dl = np.radians(lat0), np.radians(y), np.radians(x - lon0)
    brg = np.degrees(
        np.arctan2(
            np.sin(dl) * np.cos(p2), np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
        )
    )
    comp = np.array(_COMPASS, dtype=object)[np.round((brg % 360) / 45).astype(int) % 8]
    names = gazetteer.places["name"].to_numpy(object)[pick]
    lab = np.array(
        [f"{n} ({k:.0f} km {c})" for k, c, n in zip(km, comp, names, strict=True)], dtype=object
    )
    return np.where(has, lab, "").astype(object)


_LABEL_ARRAYS: dict[int, tuple[pd.Series, np.ndarray, np.ndarray]] = {}


def _label_arrays(labels: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(ids, labels) of a labels Series as numpy arrays, converted once per Series (a str
    Series of 18,000 labels takes milliseconds to convert: once per route was the cost)."""
    hit = _LABEL_ARRAYS.get(id(labels))
    if hit is None or hit[0] is not labels:
        hit = (labels, labels.index.to_numpy(), labels.to_numpy())
        if len(_LABEL_ARRAYS) >= 16:
            _LABEL_ARRAYS.clear()
        _LABEL_ARRAYS[id(labels)] = hit
    return hit[1], hit[2]


def _label_of(labels: pd.Series, ids: np.ndarray) -> np.ndarray:
    """Labels of node ids (labels indexed by sorted node id)."""
    idx, all_labels = _label_arrays(labels)
    pos = np.searchsorted(idx, ids)
    np.minimum(pos, len(idx) - 1, out=pos)
    vals = all_labels[pos]
    miss = idx[pos] != ids
    if miss.any():
        vals = np.where(miss, "", vals)
    return vals
