"""Reading a route back: from the graph edges a search found to a :class:`Route`.

Consecutive virtual links of one mode in one country become a movement leg, hub
links become events (transfer, gauge change, port, boarding, border); every node
gets a readable label (:func:`node_labels`). Plain numpy, no groupby.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from serai.freight.constraints import Constraints
from serai.freight.corridors import corridor_label
from serai.freight.params import TIME
from serai.freight.places import PlaceIndex
from serai.freight.routecost import leg_columns, route_components, route_totals
from serai.freight.routeresult import _LEG_COLUMNS, Route

if TYPE_CHECKING:
    from serai.freight.cost import LinkCosts
    from serai.freight.route import Router

__all__ = ["make_route", "node_labels"]


def _water_crossings(legs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(country before, country after) of every stretch of sea or ferry legs."""
    out = []
    before = ""
    inside = False
    for kind, mode, c in zip(legs["kind"], legs["mode"], legs["country"], strict=True):
        if kind == "move" and mode in ("sea", "ferry"):
            inside = True
            continue
        if inside and c:
            out.append((before, c))
        inside = False
        before = c or before
    return out


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
        first = np.argmax(good, axis=1)  # nearest populated place (ports have no population)
        pick = i[np.arange(len(i)), first]
        has = good[np.arange(len(i)), first]
        pname = gazetteer.places["name"].to_numpy(object)[pick].astype(str)
        out[ok] = np.where(has, np.char.add("near ", pname), "").astype(object)
        missing = out == ""
    named = np.array([bool(places.name(t)) for t in places.targets], dtype=bool)
    if missing.any() and named.any():
        from scipy.spatial import cKDTree

        from serai.freight.places import EARTH_KM, _unit

        tree = cKDTree(places.xyz[named])
        tnames = np.array([places.name(t) for t in places.targets[named]], dtype=object)
        ok = missing & np.isfinite(x) & np.isfinite(y)
        chord, i = tree.query(_unit(y[ok], x[ok]))
        km = 2 * EARTH_KM * np.arcsin(np.minimum(1.0, chord / 2))
        lab = np.where(km <= within_km, "near " + tnames[i].astype(str), "")
        out[ok] = lab
    still = (out == "") & np.isfinite(x) & np.isfinite(y)
    if gazetteer is not None and still.any():
        out[still] = _bearing_labels(gazetteer, x[still], y[still])
        still = out == ""
        still &= np.isfinite(x) & np.isfinite(y)
    out[still] = [f"{b:.2f},{a:.2f}" for a, b in zip(x[still], y[still], strict=True)]
    return pd.Series(out, index=ids).sort_index()


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


def _legs(
    cols: Mapping[str, np.ndarray],
    rows: np.ndarray,
    rc: tuple[np.ndarray, np.ndarray, np.ndarray],
    labels: pd.Series,
    kg_co2e: np.ndarray | None = None,
) -> dict[str, Any]:
    """Group the virtual links of a route into movement legs and hub events (numpy, no groupby).

    ``rc`` is :func:`~serai.freight.routecost.route_components` of the rows. Per-leg lists
    (link ids, node path, passages) are cut from lists of the whole route made once.
    """
    comps, hb, ub = rc
    kind = cols["kind"][rows]
    hours = comps[: len(TIME)].sum(axis=0)
    usd = comps[len(TIME) :].sum(axis=0)
    event = cols["event"][rows]
    ends = (kind == "access") | (kind == "egress")
    co2 = kg_co2e[rows] if kg_co2e is not None else np.full(len(rows), np.nan)
    # events with neither time nor money (alighting a rail ferry) carry no information
    free = (hours == 0) & (usd == 0) & ~(co2 > 0)
    keep = ~((ends | (kind == "alight")) & free)
    if not keep.all():
        rows, kind, ends, hours, usd, event, co2 = (
            x[keep] for x in (rows, kind, ends, hours, usd, event, co2)
        )
        comps, hb, ub = comps[:, keep], hb[:, keep], ub[:, keep]
    r = rows
    if not len(r):
        empty = {c: np.empty(0, dtype=object) for c in _LEG_COLUMNS}
        empty["km"] = np.empty(0)
        return empty
    if ends.any():
        kind = kind.copy()
        kind[ends] = np.where(event[ends] != "", event[ends], "transfer")
    layer, country = cols["layer"][r], cols["country"][r]
    is_move = kind == "move"
    n = len(r)
    brk = np.ones(n, dtype=bool)
    brk[1:] = ~(is_move[1:] & is_move[:-1] & (layer[1:] == layer[:-1])
                & (country[1:] == country[:-1]))  # fmt: skip
    start = np.flatnonzero(brk)
    stop = np.empty(len(start), np.int64)
    stop[:-1] = start[1:]
    stop[-1] = n
    last = stop - 1
    fn, tn = cols["from_node"][r], cols["to_node"][r]
    svc_raw = cols["service_id"][r[start]].astype(str)
    svc = np.array([x.replace("~r", "") for x in svc_raw.tolist()], dtype=svc_raw.dtype)
    mode = cols["mode"][r[start]].copy()
    k0 = kind[start]
    mv = k0 == "move"
    mode[mv & (svc != "")] = "ferry"
    fc, tc = cols["from_country"][r[start]], cols["to_country"][r[last]]
    ev0 = event[start]
    ev_txt = np.empty(len(start), dtype=object)
    ev_txt[:] = [
        ""
        if m
        else f"border {a}>{b} ({e})"
        if k == "border"
        else f"{k}:{e}"
        if e != "" and e != k
        else k
        for m, k, e, a, b in zip(mv.tolist(), k0.tolist(), ev0.tolist(), fc.tolist(),
                                 tc.tolist(), strict=True)
    ]  # fmt: skip
    lid = cols["link_id"][r].tolist()
    path = np.empty(2 * n, np.int64)
    path[0::2], path[1::2] = fn, tn
    path = path.tolist()
    psg = cols["passage"][r].tolist()
    link_ids, node_path, passages = [], [], []
    for a, b in zip(start.tolist(), stop.tolist(), strict=True):
        link_ids.append([x for x in lid[a:b] if x >= 0])
        node_path.append(list(dict.fromkeys(path[2 * a : 2 * b])))
        passages.append(";".join(dict.fromkeys(x for x in psg[a:b] if x)))
    from_node, to_node = fn[start], tn[last]
    names = _label_of(labels, np.concatenate([from_node, to_node]).astype(np.int64))
    data = {
        "seq": np.arange(len(start)),
        "kind": k0,
        "mode": mode,
        "layer": layer[start],
        "service_id": svc,
        "from_node": from_node,
        "to_node": to_node,
        "from_name": names[: len(start)],
        "to_name": names[len(start) :],
        "country": country[start],
        "from_country": fc,
        "to_country": tc,
        "passage": passages,
        "km": np.add.reduceat(cols["km"][r], start),
        "hours": np.add.reduceat(hours, start),
        "wait_h": np.add.reduceat(
            comps[TIME.index("schedule")] + comps[TIME.index("queue")], start
        ),
        "usd": np.add.reduceat(usd, start),
        "co2e_kg": np.add.reduceat(co2, start),
        "event": ev_txt,
        "link_ids": link_ids,
        "node_path": node_path,
        **leg_columns(comps, hb, ub, start),
    }
    return data


def line_names(router: Router, rows: np.ndarray) -> set[str]:
    """Names of the physical links used (for named lines such as ``cku``)."""
    if router._link_names is None:
        return set()
    ids = router._cols["link_id"][rows]
    ids = np.unique(ids[ids >= 0])
    keys, names = router._link_names
    pos = np.clip(np.searchsorted(keys, ids), 0, max(len(keys) - 1, 0))
    hit = keys[pos] == ids if len(keys) else np.zeros(len(ids), bool)
    return {str(x) for x in set(names[pos[hit]].tolist()) if isinstance(x, str) and x}


def make_route(
    router: Router,
    edges: np.ndarray,
    o: Any,
    d: Any,
    lc: LinkCosts,
    objective: str,
    cons: Constraints,
) -> Route:
    """The :class:`Route` of an edge sequence found by a search: legs, totals, corridor."""
    rows = router.rg.graph.link_rows[np.asarray(edges, np.int64)]
    em = lc.kg_co2e
    rc = route_components(lc, rows, router._cols["kind"][rows], router._cols["mode"][rows])
    cols = _legs(router._cols, rows, rc, router.labels, em)
    c = lc.commodity
    move = cols["kind"] == "move"
    lkm, lmode = np.asarray(cols["km"], float), cols["mode"]
    lcountry, lsvc = cols["country"], cols["service_id"]
    km = float(lkm[move].sum())
    sea_km = float(lkm[move & (lmode == "sea")].sum())
    totals = {
        "km": km,
        **route_totals(*rc, c.vot_usd_per_unit_h, float(lc.carbon_usd[rows].sum())),
        "co2e_kg": float(em[rows].sum()) if em is not None else float("nan"),
    }
    countries = tuple(dict.fromkeys(x for x in lcountry[move] if x))
    passages = tuple(dict.fromkeys(p for p in router._cols["passage"][rows] if p))
    services = tuple(dict.fromkeys(x for x in lsvc[move] if x))
    ferry_pairs = _water_crossings(cols)
    lines = line_names(router, rows)
    label = corridor_label(countries, passages, ferry_pairs, sea_km / km if km else 0.0, lines)
    return Route(
        origin=o,
        destination=d,
        origin_name=router.places.name(o) or str(o),
        destination_name=router.places.name(d) or str(d),
        commodity=c.commodity,
        unit=c.unit,
        objective=objective,
        vlink_rows=rows,
        leg_data=MappingProxyType(cols),
        totals=MappingProxyType(totals),
        corridor=label,
        countries=countries,
        passages=passages,
        services=services,
        constraints=cons,
        routing_graph=router.rg if em is not None else None,
        pricing=(router.rg, c, lc.crew, lc.params),
    )
