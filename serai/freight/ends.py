"""Routes with first/last-mile legs: where a route may start and end, and splicing the legs in.

For a place off the network, :func:`endpoints` lists the road legs
(:class:`~serai.freight.access.AccessLeg`) that reach it, :func:`best_pair` picks the
cheapest whole route over the start and end candidates, and :func:`splice` adds the
legs to the route's legs table, totals and countries. A place on the network whose node is
a port with no land layer (Antwerpen, Gdańsk, Genova: its rail and road nodes are other nodes)
starts or ends at the port or by its first/last-mile legs, whichever is cheaper: a land trip
does not pass the port's gate. The
:class:`~serai.freight.Router` calls these; the legs themselves are modelled in
:mod:`serai.freight.access`.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np

from serai.errors import InputError
from serai.freight.access import MAX_ACCESS_KM, AccessLeg, emission_rates
from serai.freight.resolver import Place
from serai.freight.routeresult import _LEG_COLUMNS

__all__ = [
    "best_pair",
    "end_vnodes",
    "endpoints",
    "endpoints_key",
    "like",
    "network_name",
    "splice",
    "via_vnodes",
]


MAX_ENDPOINTS = 2048  # first/last-mile answers remembered per Router


def endpoints(router: Any, place: Place, side: str, lc: Any, cons: Any) -> list[Any]:
    """(AccessLeg or None, vnode) pairs where a route may start or end for ``place``.

    The legs of a place off the network are a pure function of the place, the side, the
    commodity, the carbon price, the parameters, the crew and the constraints the legs read
    (avoided countries and nodes, modes) over the router's immutable data: they are
    remembered per Router (:data:`MAX_ENDPOINTS` answers, the key holds every one of those
    fields; :class:`~serai.freight.access.AccessLeg` is frozen, the list is a new one).
    Errors are not remembered.
    """
    rg = router.rg
    if place.target is not None:
        v = rg.place(place.target)
        if v not in _sea_only(router) or not (place.lat == place.lat and place.lon == place.lon):
            return [(None, v)]
        # a port node with no land layer of its own (Antwerpen, Gdańsk, Genova: its rail and
        # road nodes are other nodes, joined to it by port transfers): a box that does not
        # sail from or to it starts or ends on land, by a first/last-mile leg from the place,
        # not through the port's gate (a load and a discharge dwell without a ship)
        try:
            land = _remembered(router, place, side, lc, cons)
        except InputError:  # no land leg (a sea-only question, a commodity without trucks)
            land = []
        return [(None, v), *land]
    if not (place.lat == place.lat and place.lon == place.lon):
        raise InputError(f"{place.label} has no coordinates", field="place")
    return _remembered(router, place, side, lc, cons)


def _remembered(router: Any, place: Place, side: str, lc: Any, cons: Any) -> list[Any]:
    """:func:`_endpoints`, remembered per Router (see :func:`endpoints`)."""
    em = router.emissions(lc.commodity)
    key = endpoints_key(place, side, lc, cons, em is not None)
    memo = router.__dict__.get("_endpoints")
    if memo is None:
        memo = router.__dict__.setdefault("_endpoints", {})
    hit = memo.get(key)
    if hit is None:
        hit = tuple(_endpoints(router, place, side, lc, cons, em))
        if len(memo) >= MAX_ENDPOINTS:
            memo.clear()  # a dict shared by threads: clear and set are atomic under the GIL
        memo[key] = hit
    return list(hit)


def _sea_only(router: Any) -> frozenset[int]:
    """Place vnodes whose every layer is the sea layer (a port node without land nodes of
    its own), made once per Router."""
    got = router.__dict__.get("_sea_only_places")
    if got is None:
        vl = router.rg.vlinks
        acc = vl.loc[vl["kind"].to_numpy() == "access", ["from_v", "layer"]]
        land = acc.loc[acc["layer"] != "sea", "from_v"].to_numpy(np.int64)
        got = frozenset(set(acc["from_v"].to_numpy(np.int64).tolist()) - set(land.tolist()))
        router.__dict__["_sea_only_places"] = got  # a benign race: every thread makes the same
    return got


def via_vnodes(router: Any, place_vnode: int) -> np.ndarray:
    """Layer nodes where a route passes a via place (int64, one search stage's targets).

    The place's own layer nodes; for a port node with no land layer of its own (Antwerpen,
    Gdańsk, Genova: :func:`endpoints`), also the land layer nodes joined to its sea layer by
    port transfers (its rail and road nodes): a land trip via the city passes it on land,
    without the port's load and discharge dwells; a sea trip still passes its sea layer.
    The extra nodes are made once per Router (a pure function of the graph).
    """
    g = router.rg.graph
    own = np.asarray(g.heads[g.indptr[place_vnode] : g.indptr[place_vnode + 1]], np.int64)
    land = _port_land(router).get(int(place_vnode))
    return own if land is None else np.concatenate([own, land])


def _port_land(router: Any) -> dict[int, np.ndarray]:
    """{place vnode of a port without land layer: its land layer vnodes}: those joined to its
    sea layer by port transfers, and for a land mode (road, rail) without one, that mode's node
    nearest the port within :data:`VIA_LAND_KM` (Genova's port has a rail transfer only: a
    truck via Genoa passes its road node 20 km away)."""
    got = router.__dict__.get("_port_land")
    if got is None:
        sea_only = _sea_only(router)
        vl = router.rg.vlinks
        kind = vl["kind"].to_numpy()
        acc = (kind == "access") & np.isin(vl["from_v"].to_numpy(np.int64), list(sea_only))
        sea_v = dict(zip(vl.loc[acc, "to_v"].tolist(), vl.loc[acc, "from_v"].tolist(),
                         strict=True))  # fmt: skip
        port = vl.loc[(kind == "port") & (vl["layer"].str.startswith("sea>")), ["from_v", "to_v"]]
        found: dict[int, set[int]] = {}
        for s, t in zip(port["from_v"].tolist(), port["to_v"].tolist(), strict=True):
            if s in sea_v:
                found.setdefault(int(sea_v[s]), set()).add(int(t))
        vn = router.rg.vnodes
        groups = router.access.groups
        for v in sea_only:  # a land mode without a port transfer: its node nearest the port
            have = {str(x).split(":")[0] for x in vn["layer"].to_numpy()[list(found.get(v, ()))]}
            lat, lon = float(vn["y"].iat[v]), float(vn["x"].iat[v])
            for group in set(groups) - have:
                t = _nearest_land(router, groups[group], lat, lon)
                if t is not None:
                    found.setdefault(int(v), set()).add(t)
        got = {v: np.array(sorted(ts), np.int64) for v, ts in found.items()}
        for a in got.values():
            a.setflags(write=False)
        router.__dict__["_port_land"] = got  # a benign race: every thread makes the same
    return got


#: EST: a land node this close to a port counts as the port city's for a via point (the
#: legs table labels a node within 40 km of a populated place "near <place>").
VIA_LAND_KM = 40.0


def _nearest_land(router: Any, g: dict, lat: float, lon: float) -> int | None:
    """Layer vnode of the node of an access group nearest (lat, lon) within
    :data:`VIA_LAND_KM`, not across the sea; None if none."""
    from serai.freight.gazetteer import _unit, chord_km

    chord, idx = g["tree"].query(_unit(np.array([lat]), np.array([lon]))[0], k=4)
    for c, i in zip(np.atleast_1d(chord), np.atleast_1d(idx), strict=True):
        if chord_km(c) > VIA_LAND_KM:
            break
        if not router.access.gazetteer.crosses_sea(lat, lon, g["lat"][i], g["lon"][i]):
            return int(g["vnode"][i])
    return None


def endpoints_key(place: Place, side: str, lc: Any, cons: Any, emissions: bool) -> tuple:
    """Everything :meth:`~serai.freight.access.AccessModel.legs` reads, besides the router.

    ``lc.params`` is a ParamSet (compared by identity: the key keeps it alive);
    the commodity is a frozen dataclass compared by value (a custom commodity under a
    built-in name is another key).
    """
    return (place, side, lc.commodity, float(lc.carbon_price_usd_per_t), lc.params,
            lc.crew, emissions, cons.avoid_countries, cons.avoid_nodes, cons.modes)  # fmt: skip


def _endpoints(router: Any, place: Place, side: str, lc: Any, cons: Any, em: Any) -> list[Any]:
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


def best_pair(
    router: Any,
    cost: np.ndarray,
    starts: list[Any],
    ends: list[Any],
    via: list[int],
    objective: str,
    bound: Any = None,
) -> tuple[np.ndarray, Any, Any] | None:
    """The cheapest (edges, first leg, last leg) over the start and end candidates.

    One search from all the starts (each at its first-mile leg's cost) to all the ends
    (each plus its last-mile leg's cost): :meth:`~serai.freight.Router._path`. ``bound``:
    the router's landmarks of costs nowhere above ``cost`` (None: Dijkstra).
    """
    src = [(int(v), leg.objective(objective) if leg else 0.0) for leg, v in starts]
    dst = [(int(v), leg.objective(objective) if leg else 0.0) for leg, v in ends]
    found = router._path(cost, src, dst, via, bound)
    if found is None:
        return None
    edges, i, j = found
    return np.asarray(edges, np.int64), starts[i][0], ends[j][0]


def splice(route: Any, first: AccessLeg | None, last: AccessLeg | None,
           origin: Place, destination: Place) -> Any:  # fmt: skip
    """The route with its first/last-mile legs added to legs, totals and countries."""
    legs = [x for x in (first, last) if x is not None]
    new = {
        "origin_place": origin,
        "destination_place": destination,
        "origin_name": origin.label if first is not None else route.origin_name,
        "destination_name": destination.label if last is not None else route.destination_name,
    }
    if not legs:
        return _replace(route, **new)
    pre, a = _leg_table(first) if first is not None else (_NO_ROWS, 0)
    post, m = _leg_table(last) if last is not None else (_NO_ROWS, 0)
    n_mid = len(route.leg_data.get("seq", ()))
    b = a + n_mid
    n = b + m
    # numbers: one (columns, legs) block, the route's columns copied in one assignment
    data = route.leg_data
    block = np.empty((len(_NUMBERS), n))
    if a:
        block[:, :a] = _leg_numbers(first)
    if n_mid:
        block[:, a:b] = [data[col] for col in _NUMBERS]
    if m:
        block[:, b:] = _leg_numbers(last)
    cols = dict(zip(_NUMBERS, block, strict=True))
    # texts: one (columns, legs) block of objects, when the route's are object arrays
    mids = [data[col] for col in _TEXTS] if n_mid else []
    if all(type(x) is np.ndarray and x.dtype == object and x.ndim == 1 for x in mids):
        block = np.empty((len(_TEXTS), n), dtype=object)
        if a:
            block[:, :a] = _leg_texts(first)
        for i, x in enumerate(mids):
            block[i, a:b] = x  # the same objects
        if m:
            block[:, b:] = _leg_texts(last)
        cols.update(zip(_TEXTS, block, strict=True))
    arr = {}
    for col in _LEG_COLUMNS:
        if col == "seq":
            arr[col] = _objects(list(range(n)))
        elif col in cols:
            arr[col] = cols[col]
        else:  # lists, numpy values (kept as numpy scalars)
            mid = _as_list(data[col]) if n_mid else []
            arr[col] = _objects((pre[col] if a else []) + mid + (post[col] if m else []))
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
    return _replace(
        route,
        leg_data=MappingProxyType(arr),
        totals=MappingProxyType(t),
        countries=tuple(countries),
        corridor=corridor,
        access=tuple(legs),
        **new,
    )


_NUMERIC = frozenset({"km", "hours", "wait_h", "usd", "co2e_kg"})
#: The legs table's columns of texts (object arrays after :func:`make_route`), in its order.
_TEXTS = ("kind", "mode", "layer", "from_name", "to_name", "country", "from_country",
          "to_country", "event", "time_basis", "money_basis")  # fmt: skip
#: The legs table's columns of numbers (floats), in its order.
_NUMBERS = tuple(
    c for c in _LEG_COLUMNS if c in _NUMERIC or c.startswith(("hours_", "usd_", "share_"))
)
_NO_ROWS: dict[str, list] = {}


def _replace(route: Any, **changes: Any) -> Any:
    """``dataclasses.replace(route, **changes)`` without its ``__init__`` call (a tenth of
    a millisecond): a new Route with the fields of ``route`` (not its cached properties)."""
    new = object.__new__(type(route))
    state = {f: route.__dict__[f] for f in _route_fields(type(route))}
    state.update(changes)
    new.__dict__.update(state)
    return new


def _route_fields(cls: type) -> tuple[str, ...]:
    got = _FIELDS.get(cls)
    if got is None:
        from dataclasses import fields

        got = _FIELDS[cls] = tuple(f.name for f in fields(cls))
    return got


_FIELDS: dict[type, tuple[str, ...]] = {}


def _leg_table(leg: AccessLeg) -> tuple[dict[str, list], int]:
    """The leg's rows of the legs table as {column: values} (and their number), made once per
    leg (a leg is frozen; remembered legs are spliced into many routes)."""
    got = leg.__dict__.get("_table")
    if got is None:
        rows = leg.rows()
        got = ({col: [r.get(col) for r in rows] for col in _LEG_COLUMNS}, len(rows))
        object.__setattr__(leg, "_table", got)  # not a field: eq, hash and repr ignore it
    return got


def _leg_numbers(leg: AccessLeg) -> np.ndarray:
    """The leg's rows of the legs table's columns of numbers (:data:`_NUMBERS`, legs), as
    floats, made once per leg (as :func:`_leg_table`)."""
    got = leg.__dict__.get("_numbers")
    if got is None:
        table, _ = _leg_table(leg)
        got = np.array([table[col] for col in _NUMBERS], dtype=float)
        got.setflags(write=False)
        object.__setattr__(leg, "_numbers", got)  # not a field, as _table
    return got


def _leg_texts(leg: AccessLeg) -> np.ndarray:
    """The leg's rows of the legs table's text columns (:data:`_TEXTS`, legs) as an object
    array of the values of :func:`_leg_table`, made once per leg."""
    got = leg.__dict__.get("_texts")
    if got is None:
        table, k = _leg_table(leg)
        got = np.empty((len(_TEXTS), k), dtype=object)
        for i, col in enumerate(_TEXTS):
            for j, v in enumerate(table[col]):
                got[i, j] = v
        got.setflags(write=False)
        object.__setattr__(leg, "_texts", got)  # not a field, as _table
    return got


def _as_list(values: Any) -> list[Any]:
    """``list(values)``: the same items (an object array's own objects, read by ``tolist``,
    which is faster than iterating; other arrays item by item, numpy scalars as before)."""
    if isinstance(values, np.ndarray) and values.dtype == object and values.ndim == 1:
        return values.tolist()
    return list(values)


def _objects(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def end_vnodes(router: Any, route: Any) -> tuple[int, int]:
    """Routing-graph vnodes where a route's network part starts and ends."""
    first = next((a for a in route.access if a.side == "first"), None)
    last = next((a for a in route.access if a.side == "last"), None)
    po = first.vnode if first is not None else router.rg.place(route.origin)
    pd_ = last.vnode if last is not None else router.rg.place(route.destination)
    return po, pd_


def like(route: Any, ref: Any) -> Any:
    """``route`` (between the same network ends as ``ref``) with ref's places and legs."""
    first = next((a for a in ref.access if a.side == "first"), None)
    last = next((a for a in ref.access if a.side == "last"), None)
    if ref.origin_place is None:
        return route
    return splice(route, first, last, ref.origin_place, ref.destination_place)


def network_name(router: Any, target: Any) -> str:
    """Display name of a network node or point (its label when it has no name)."""
    name = router.places.name(target)
    if not name and not isinstance(target, str):
        name = str(router.labels.get(int(target), ""))
    return name or str(target)
