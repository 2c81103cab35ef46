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
from serai.freight.params import BASES as _BASES
from serai.freight.resolver import Place
from serai.freight.spliced import SplicedLegs, leg_increments
from serai.freight.spliced import _objects as _objects  # (tests import it from here)

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
    """The route with its first/last-mile legs added to legs, totals and countries.

    The legs table is a :class:`~serai.freight.spliced.SplicedLegs` of the legs and the
    route's own columns (made on first read); the totals add what each leg adds
    (:func:`~serai.freight.spliced.leg_increments`, in the same order)."""
    legs = [x for x in (first, last) if x is not None]
    new = {
        "origin_place": origin,
        "destination_place": destination,
        "origin_name": _label(origin) if first is not None else route.origin_name,
        "destination_name": _label(destination) if last is not None else route.destination_name,
    }
    if not legs:
        return _replace(route, **new)
    n_mid = len(route.leg_data.get("seq", ()))
    t = dict(route.totals)
    old_h, old_u = t["hours"], t["usd"]
    hb = [t[k] * old_h for k in _SHARE_HOURS]  # float64 products, as numpy's
    ub = [t[k] * old_u for k in _SHARE_USD]
    for leg in legs:
        (km, hours, usd, gc, tariff, hub, border, motion, rest, dwell, b_out, b_in, h_hub,
         carbon, co2, lhb, lub) = leg_increments(leg)  # fmt: skip
        t["km"] += km
        t["hours"] += hours
        t["usd"] += usd
        t["gc_usd"] += gc
        t["usd_tariff"] += tariff
        t["usd_hub"] += hub
        t["usd_border"] += border
        t["hours_motion"] += motion
        t["hours_rest"] += rest
        t["hours_dwell"] += dwell
        t["hours_border_out"] += b_out
        t["hours_border_in"] += b_in
        t["hours_border"] = t["hours_border_out"] + t["hours_border_in"]
        t["hours_hub"] += h_hub
        t["usd_carbon"] += carbon
        t["co2e_kg"] += co2
        for i in range(len(_BASES)):
            hb[i] += lhb[i]
            ub[i] += lub[i]
    hours, usd = t["hours"], t["usd"]
    for i in range(len(_BASES)):
        t[_SHARE_HOURS[i]] = float(hb[i] / hours) if hours > 0 else 0.0
        t[_SHARE_USD[i]] = float(ub[i] / usd) if usd > 0 else 0.0
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
        leg_data=SplicedLegs(first, route.leg_data, last),
        totals=MappingProxyType(t),
        countries=tuple(countries),
        corridor=corridor,
        access=tuple(legs),
        **new,
    )


_SHARE_HOURS = tuple(f"share_hours_{b}" for b in _BASES)  # the totals' keys, made once
_SHARE_USD = tuple(f"share_usd_{b}" for b in _BASES)


def _label(place: Place) -> str:
    """``place.label``, made once per Place (a pure function of its fields)."""
    got = place.__dict__.get("_label")
    if got is None:
        got = place.label
        object.__setattr__(place, "_label", got)  # not a field: eq, hash, asdict ignore it
    return got


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
