"""Places of a route question: a name, alias, LOCODE, "lat,lon" or id to a place of the
network, for the :class:`~serai.freight.Router` (bound there as its methods ``locate``,
``locate_end``, ``resolve``), and errors naming the end of the route they are about.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from serai.errors import InputError
from serai.freight import ends as _ends

if TYPE_CHECKING:
    from serai.freight.route import Router

__all__ = ["at_end", "in_graph", "locate", "locate_end", "resolve", "via_places"]

_MAX_LOCATED = 4096  # names remembered per Router


def locate(self: Router, place: Any, country: str | None = None) -> Any:
    """The :class:`~serai.freight.resolver.Place` a name, alias, LOCODE, "lat,lon" or id names.

    Names resolve over the network's own places and the gazetteer (any script, old names,
    common spellings); an ambiguous name picks the place on the network, else the largest,
    and the Place lists the others (``"Suzhou, Anhui"`` or ``country`` choose another).
    A place with ``target=None`` is off the network: routes reach it by a road leg.

    Examples
    --------
    >>> from serai.data import load_network
    >>> from serai.freight import Router, build_routing_graph
    >>> router = Router(build_routing_graph(load_network()))
    >>> p = router.locate("Алматы")
    >>> p.name, p.country, p.on_network
    ('Almaty', 'KZ', True)
    """
    key = (place, country) if isinstance(place, str) else None
    memo = self.__dict__.get("_located")
    if key is not None and memo is not None:
        hit = memo.get(key)
        if hit is not None:
            return hit
    p = self.resolver.locate(place, country=country)
    if p.target is not None and not in_graph(self, p.target):
        from dataclasses import replace as _replace

        p = _replace(p, target=None)  # not usable in this year: reached by road
    if key is not None and memo is not None:
        if len(memo) >= _MAX_LOCATED:
            memo.clear()
        memo[key] = p
    return p


def locate_end(self: Router, place: Any, field: str, country: str | None = None) -> Any:
    """:meth:`locate` for one end of a route: its errors name ``field`` (``origin``...)."""
    try:
        return self.locate(place, country=country)
    except InputError as exc:
        if exc.field == "country" and type(exc) is InputError:  # the end's country filter
            side = {"origin": "from_country", "destination": "to_country"}.get(field, field)
            raise InputError(exc.reason, field=side) from None
        raise at_end(exc, field) from None


def in_graph(self: Router, target: Any) -> bool:
    if isinstance(target, str):
        return target in self.rg.point_place.index
    return int(target) in self.rg.place_of.index


def resolve(self: Router, place: Any) -> int | str:
    """Node id (int) or named point (str) of a place (name, alias, LOCODE, "lat,lon" or id)."""
    if not isinstance(place, (int, np.integer, tuple)) and not _is_coord(place):
        p = self.locate(place)
        if p.target is None:
            near, km = self.places.snap(p.lat, p.lon)
            raise InputError(
                f"{p.label} is not a place on the network (routes reach it by a first/last-"
                f"mile road leg, but a via point must be on the network); the nearest "
                f"network place is {_ends.network_name(self, near)} ({km:,.0f} km)",
                field="place",
            )
        return p.target
    target = self.places.resolve(place)
    ok = (
        target in self.rg.point_place.index
        if isinstance(target, str)
        else int(target) in self.rg.place_of.index
    )
    if not ok:
        raise InputError(f"place '{place}' ({target}) is not on the routing graph", field="place")
    return target


def via_places(self: Router, via: Any, origin: Any = None, destination: Any = None) -> list[int]:
    """Place vnodes of a route's via points, in order (errors name ``via``).

    A via point at the route's origin place (``origin``: a located
    :class:`~serai.freight.resolver.Place`) before any other via point, or at its destination
    place after every other one, is passed by the route's end itself and left out: "Antwerp to
    Rotterdam via Antwerp" is the route from Antwerp to Rotterdam (the via point is not a
    second visit through another of the city's nodes). A via point at an end between others
    (Antwerp -> Ghent -> Antwerp -> Rotterdam) is a real return and kept.
    """
    try:
        out = [self.rg.place(self.resolve(v)) for v in via]
    except InputError as exc:
        raise at_end(exc, "via") from None
    for end, i in ((origin, 0), (destination, -1)):
        if out and end is not None and end.target is not None and in_graph(self, end.target):
            v = self.rg.place(end.target)
            while out and out[i] == v:
                out.pop(i)
    return out


def at_end(exc: InputError, field: str) -> InputError:
    """``exc`` naming ``field`` instead of ``place`` (an error about one end of a route).

    The gazetteer and the first/last-mile legs know a place, not which end it is; the
    caller says so: the CLI's --from/--to and the API's origin/destination then agree.
    """
    if type(exc) is not InputError or exc.field != "place":
        return exc
    return InputError(exc.reason, file=exc.file, row=exc.row, field=field)


def _is_coord(place: Any) -> bool:
    from serai.freight.places import _COORD

    return isinstance(place, str) and bool(_COORD.match(place))


def _reachable(access: Any, max_km: float, lat: float, lon: float) -> bool:
    """Whether a first/last-mile leg from (lat, lon) reaches the network."""
    return access.nearest_km(lat, lon) <= max_km
