"""The route assembly as it was before it was vectorised (main d91cbbf), kept as the
oracle of ``tests/freight/test_route_assembly.py``: the current code must give the same
legs tables, totals and API JSON, byte for byte. Not used by serai itself.

``leg_columns``, ``route_components``, ``apply_exact_rests``, ``line_names``,
``make_route``, ``endpoints`` (no memory of first/last-mile legs) and ``RoutingGraph.place``
(``place``) are those of main 0473e45, before the one-pass legs table and the remembered legs.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from serai.errors import InputError
from serai.freight.access import MAX_ACCESS_KM, AccessLeg, emission_rates
from serai.freight.corridors import corridor_label
from serai.freight.ends import _objects, network_name
from serai.freight.legs import _label_arrays, _water_crossings
from serai.freight.params import BASES, COMPONENTS, TIME
from serai.freight.resolver import Place
from serai.freight.roadtime import exact_rests
from serai.freight.routecost import route_totals
from serai.freight.routeresult import _LEG_COLUMNS, Route

_NT = len(TIME)


def _label_of(labels: pd.Series, ids: np.ndarray) -> np.ndarray:
    """Labels of node ids (labels indexed by sorted node id)."""
    idx, all_labels = _label_arrays(labels)
    pos = np.clip(np.searchsorted(idx, ids), 0, len(idx) - 1)
    vals = all_labels[pos]
    return np.where(idx[pos] == ids, vals, "")


def basis_label(split: np.ndarray, min_share: float = 0.05) -> np.ndarray:
    """Label per column of a (3, L) split: the bases holding at least ``min_share``.

    >>> basis_label(np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 3.0]])).tolist()
    ['measured+estimate', '', 'estimate']
    """
    total = split.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, split / total, 0.0)
    out = []
    for j in range(split.shape[1]):
        out.append("+".join(b for i, b in enumerate(BASES) if share[i, j] >= min_share))
    return np.array(out, dtype=object)


def _legs(
    cols: Mapping[str, np.ndarray],
    rows: np.ndarray,
    rc: tuple[np.ndarray, np.ndarray, np.ndarray],
    labels: pd.Series,
    kg_co2e: np.ndarray | None = None,
) -> dict[str, Any]:
    """Group the virtual links of a route into movement legs and hub events (numpy, no groupby).

    ``rc`` is :func:`~serai.freight.routecost.route_components` of the rows.
    """
    comps, hb, ub = rc
    kind = cols["kind"][rows].copy()
    hours = comps[: len(TIME)].sum(axis=0)
    usd = comps[len(TIME) :].sum(axis=0)
    event = cols["event"][rows]
    ends = (kind == "access") | (kind == "egress")
    co2 = kg_co2e[rows] if kg_co2e is not None else np.full(len(rows), np.nan)
    free = (hours == 0) & (usd == 0) & ~(co2 > 0)
    kind[ends] = np.where(event[ends] != "", event[ends], "transfer")
    # events with neither time nor money (alighting a rail ferry) carry no information
    keep = ~((ends | (kind == "alight")) & free)
    r = rows[keep]
    kind, hours, usd, event, co2 = kind[keep], hours[keep], usd[keep], event[keep], co2[keep]
    comps, hb, ub = comps[:, keep], hb[:, keep], ub[:, keep]
    if not len(r):
        empty = {c: np.empty(0, dtype=object) for c in _LEG_COLUMNS}
        empty["km"] = np.empty(0)
        return empty
    layer, country = cols["layer"][r], cols["country"][r]
    is_move = kind == "move"
    same = np.r_[False, (layer[1:] == layer[:-1]) & (country[1:] == country[:-1])]
    brk = ~(is_move & np.r_[False, is_move[:-1]] & same)
    start = np.flatnonzero(brk)
    last = np.r_[start[1:], len(r)] - 1
    fn, tn = cols["from_node"][r], cols["to_node"][r]
    lid, psg = cols["link_id"][r], cols["passage"][r]
    svc = np.char.replace(cols["service_id"][r[start]].astype(str), "~r", "")
    mode = cols["mode"][r[start]].copy()
    k0 = kind[start]
    mv = k0 == "move"
    mode[mv & (svc != "")] = "ferry"
    fc, tc = cols["from_country"][r[start]], cols["to_country"][r[last]]
    ev0 = event[start]
    ev_txt = np.where(
        mv,
        "",
        np.where(
            k0 == "border",
            np.char.add(
                np.char.add(
                    np.char.add(np.char.add("border ", fc.astype(str)), ">"), tc.astype(str)
                ),
                np.char.add(np.char.add(" (", ev0.astype(str)), ")"),
            ),
            np.where(
                (ev0 != "") & (ev0 != k0),
                np.char.add(np.char.add(k0.astype(str), ":"), ev0.astype(str)),
                k0,
            ),
        ),
    )
    link_ids, node_path, passages = [], [], []
    for a, b in zip(start, last + 1, strict=True):
        ids = lid[a:b]
        link_ids.append(ids[ids >= 0].tolist())
        node_path.append(list(dict.fromkeys(np.column_stack([fn[a:b], tn[a:b]]).ravel().tolist())))
        passages.append(";".join(dict.fromkeys(x for x in psg[a:b] if x)))
    from_node, to_node = fn[start], tn[last]
    data = {
        "seq": np.arange(len(start)),
        "kind": k0,
        "mode": mode,
        "layer": layer[start],
        "service_id": svc,
        "from_node": from_node,
        "to_node": to_node,
        "from_name": _label_of(labels, np.asarray(from_node, np.int64)),
        "to_name": _label_of(labels, np.asarray(to_node, np.int64)),
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


def crosses_sea(gaz, lat1: float, lon1: float, lat2: float, lon2: float, step_km: float = 4.0):
    """Gazetteer.crosses_sea as it was: one point of the line at a time."""
    from serai.freight.gazetteer import GRID_DEG, great_circle_km

    d = float(great_circle_km(lat1, lon1, lat2, lon2))
    n = max(int(d // step_km), 1)
    t = np.linspace(0.0, 1.0, n + 1)[1:-1]
    n_rows, n_cols = len(gaz.land_row_start) - 1, round(360 / GRID_DEG)
    for la, lo in zip(lat1 + t * (lat2 - lat1), lon1 + t * (lon2 - lon1), strict=True):
        r = int(np.floor((90.0 - la) / GRID_DEG))
        c = int(np.floor((lo + 180.0) / GRID_DEG))
        if gaz._cell(min(max(r, 0), n_rows - 1), c % n_cols):
            continue
        if not any(
            gaz._cell(rr, cc % n_cols)
            for rr in (r - 1, r, r + 1)
            if 0 <= rr < n_rows
            for cc in (c - 1, c, c + 1)
        ):
            return True
    return False


def splice(route: Any, first: AccessLeg | None, last: AccessLeg | None,
           origin: Place, destination: Place) -> Any:  # fmt: skip
    """The route with its first/last-mile legs added to legs, totals and countries."""
    from dataclasses import replace
    from types import MappingProxyType

    from serai.freight.routeresult import _LEG_COLUMNS

    legs = [x for x in (first, last) if x is not None]
    new = {
        "origin_place": origin,
        "destination_place": destination,
        "origin_name": origin.label if first is not None else route.origin_name,
        "destination_name": destination.label if last is not None else route.destination_name,
    }
    if not legs:
        return replace(route, **new)
    pre = first.rows() if first is not None else []
    post = last.rows() if last is not None else []
    data = {}
    n_mid = len(route.leg_data.get("seq", ()))
    for col in _LEG_COLUMNS:
        mid = list(route.leg_data[col]) if n_mid else []
        data[col] = [r.get(col) for r in pre] + mid + [r.get(col) for r in post]
    data["seq"] = list(range(len(data["kind"])))
    numeric = ("km", "hours", "wait_h", "usd", "co2e_kg")
    arr = {k: np.asarray(v, dtype=float)
           if k in numeric or k.startswith(("hours_", "usd_", "share_")) else _objects(v)
           for k, v in data.items()}  # fmt: skip
    t = dict(route.totals)
    from serai.freight.params import BASES

    old_h, old_u = t["hours"], t["usd"]
    hb = np.array([t[f"share_hours_{b}"] * old_h for b in BASES])
    ub = np.array([t[f"share_usd_{b}"] * old_u for b in BASES])
    for leg in legs:
        t["km"] += leg.km
        t["hours"] += leg.hours
        t["usd"] += leg.usd
        t["gc_usd"] += leg.gc_usd
        t["usd_tariff"] += leg.usd_tariff
        t["usd_hub"] += leg.component("usd_hub")
        t["usd_border"] += leg.component("usd_border")
        t["hours_motion"] += leg.hours_motion
        t["hours_rest"] += leg.hours_rest
        t["hours_dwell"] += leg.component("hours_dwell")
        for side in ("out", "in"):
            t[f"hours_border_{side}"] += leg.component(f"hours_border_{side}")
        t["hours_border"] = t["hours_border_out"] + t["hours_border_in"]
        t["hours_hub"] += leg.hours_hub
        t["usd_carbon"] += leg.carbon_usd
        t["co2e_kg"] += leg.co2e_kg
        hb += np.asarray(leg.hours_by_basis)
        ub += np.asarray(leg.usd_by_basis)
    for i, b in enumerate(BASES):
        t[f"share_hours_{b}"] = float(hb[i] / t["hours"]) if t["hours"] > 0 else 0.0
        t[f"share_usd_{b}"] = float(ub[i] / t["usd"]) if t["usd"] > 0 else 0.0
    t["days"] = t["hours"] / 24.0
    vot = legs[0].vot_usd_per_h
    t["usd_time"] = t["hours"] * vot
    t["access_km"] = float(sum(leg.km for leg in legs))
    countries = list(route.countries)
    if first is not None and first.place.country:
        countries = [c for c in dict.fromkeys([first.place.country, *countries]) if c]
    if (
        last is not None
        and last.place.country
        and (not countries or countries[-1] != last.place.country)
    ):
        countries = [*[c for c in countries if c != last.place.country], last.place.country]
    corridor = route.corridor if n_mid else "Road (first/last mile only)"
    return replace(
        route,
        leg_data=MappingProxyType(arr),
        totals=MappingProxyType(t),
        countries=tuple(countries),
        corridor=corridor,
        access=tuple(legs),
        **new,
    )


def leg_columns(
    comps: np.ndarray, hb: np.ndarray, ub: np.ndarray, start: np.ndarray
) -> Mapping[str, Any]:
    """Per-leg sums of components and provenance for legs starting at ``start`` positions."""
    out: dict[str, Any] = {}
    if not len(start):
        return out
    red = np.add.reduceat(comps, start, axis=1)
    for i, name in enumerate(COMPONENTS):
        key = (
            f"hours_{name}" if name in TIME else f"usd_{'border' if name == 'border_fee' else name}"
        )
        out[key] = red[i]
    hs, us = np.add.reduceat(hb, start, axis=1), np.add.reduceat(ub, start, axis=1)
    out["time_basis"] = basis_label(hs)
    out["money_basis"] = basis_label(us)
    ht, ut = hs.sum(axis=0), us.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share_hours_estimate"] = np.where(ht > 0, hs[2] / ht, 0.0)
        out["share_usd_estimate"] = np.where(ut > 0, us[2] / ut, 0.0)
    return out


def endpoints(router: Any, place: Place, side: str, lc: Any, cons: Any) -> list[Any]:
    """(AccessLeg or None, vnode) pairs where a route may start or end for ``place``."""
    rg = router.rg
    if place.target is not None:
        v = rg.place(place.target)
        vl = rg.vlinks
        layers = vl.loc[(vl["kind"] == "access") & (vl["from_v"] == v), "layer"]
        if (layers != "sea").any() or not (place.lat == place.lat and place.lon == place.lon):
            return [(None, v)]
        # a port node without a land layer: its land legs too (a land trip starts on land)
        try:
            return [(None, v), *_land_legs(router, place, side, lc, cons)]
        except InputError:
            return [(None, v)]
    if not (place.lat == place.lat and place.lon == place.lon):
        raise InputError(f"{place.label} has no coordinates", field="place")
    return _land_legs(router, place, side, lc, cons)


def _land_legs(router: Any, place: Place, side: str, lc: Any, cons: Any) -> list[Any]:
    em = router.emissions(lc.commodity)
    legs = router.access.legs(
        place,
        side,
        lc.commodity,
        constraints=cons,
        labels=router.labels,
        emissions=emission_rates(lc.commodity) if em is not None else None,
        carbon_price_usd_per_t=lc.carbon_price_usd_per_t,
        params=lc.params,
        crew=lc.crew,
    )
    if not legs:
        near_t, near_km = router.places.snap(place.lat, place.lon)
        d = router.access.nearest_km(place.lat, place.lon)
        what = "road or rail node" if cons.modes is None else f"{'/'.join(sorted(cons.modes))} node"
        if d <= MAX_ACCESS_KM:
            why = (
                f"no usable {what} within {MAX_ACCESS_KM:,.0f} km can be reached by road "
                f"(the nearest, {d:,.0f} km away, is across the sea, in an avoided country or "
                "not open to the commodity)"
            )
        elif np.isfinite(d):
            why = (
                f"{d:,.0f} km from the nearest {what} (the first/last-mile limit is "
                f"{MAX_ACCESS_KM:,.0f} km)"
            )
        else:
            why = f"no {what}"
        raise InputError(
            f"{place.label} is off the network: {why}; the nearest place on "
            f"the network is {network_name(router, near_t)} ({near_km:,.0f} km)",
            field="place",
        )
    return [(leg, leg.vnode) for leg in legs]


def make_route(
    router: Any,
    edges: np.ndarray,
    o: Any,
    d: Any,
    lc: Any,
    objective: str,
    cons: Any,
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


def route_components(
    lc: Any, rows: np.ndarray, kind: np.ndarray, mode: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Components (K, m), hours by basis (3, m) and money by basis (3, m) of route rows.

    ``kind`` and ``mode`` are the rows' virtual-link kind and mode. Truck rests are
    replaced by the exact schedule of each road haul.
    """
    comps = np.array(lc.comps[:, rows], dtype=float)
    hb = np.array(lc.hours_by_basis[:, rows], dtype=float)
    ub = np.array(lc.usd_by_basis[:, rows], dtype=float)
    apply_exact_rests(comps, kind, mode, lc.crew, hb)
    return comps, hb, ub


def apply_exact_rests(
    comps: np.ndarray,
    kind: np.ndarray,
    mode: np.ndarray,
    crew: str,
    hours_by_basis: np.ndarray | None = None,
) -> None:
    """Replace, in place, the rests of road rows by each haul's exact schedule."""
    road = (kind == "move") & (mode == "road")
    if not road.any():
        return
    old = comps[:_NT].sum(axis=0)
    ex = exact_rests(kind, mode, comps[0], crew)
    comps[1] = np.where(road, ex, comps[1])
    if hours_by_basis is not None:
        new = comps[:_NT].sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(road & (old > 0), new / old, 1.0)
        hours_by_basis *= f


def line_names(router: Any, rows: np.ndarray) -> set[str]:
    """Names of the physical links used (for named lines such as ``cku``)."""
    if router._link_names is None:
        return set()
    ids = router._cols["link_id"][rows]
    ids = np.unique(ids[ids >= 0])
    keys, names = router._link_names
    pos = np.clip(np.searchsorted(keys, ids), 0, max(len(keys) - 1, 0))
    hit = keys[pos] == ids if len(keys) else np.zeros(len(ids), bool)
    return {str(x) for x in set(names[pos[hit]].tolist()) if isinstance(x, str) and x}


def place(self, key: int | str) -> int:
    """Place vnode of a physical node id, or of a named point (``point_id``, a str)."""
    try:
        if isinstance(key, str):
            return int(self.point_place.loc[key])
        return int(self.place_of.loc[int(key)])
    except KeyError:
        raise InputError(f"place {key!r} has no usable link in the routing graph") from None
