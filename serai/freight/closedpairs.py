"""Closed country pairs: no freight between two countries by any way (rule on whole routes).

A ``border_status`` row with ``status`` ``closed``, ``mode`` ``all`` and no box
(``lon_min`` ..) closes the whole pair for freight, not only its land crossings: a
route may not visit both countries while the row is closed (from ``closed_from``
until ``reopen_year``, :func:`serai.data.status.closed_in`). Russia-Ukraine since
2022 is one: Moscow -> Odesa by a Russian port and a Ukrainian one is not a route.
A boxed row closes only the crossings inside its box (Transnistria, Abkhazia), so
it is no pair rule; nor is a scenario's ``[[border]]`` row (a land-border closure,
docs/scenarios.md), nor a pair with a line agreed across it that is open in the year
(:func:`agreed`: TRIPP through Armenia from 2030), nor a row that
``data/closure_scope.csv`` says closes the land border only (``scope`` ``border``:
Armenia-Türkiye, whose trade goes through Georgia; each row with its reasoning).

The search kernels do not know the rule; :func:`comply` applies it after a search,
exactly: when the best route visits both countries of a closed pair,

* both ends lie in the pair (one in each, or ...): no route (:class:`ClosedPairError`);
* one end lies in one country: every compliant route avoids the other, so the
  search is run again with it avoided;
* neither end: every compliant route avoids one of the two, so both searches are
  run and the better route (by the objective) is kept;

and again for any further pair the new route visits. A route that visits no two
countries of a closed pair costs one set check (:func:`broken`).

Examples
--------
>>> import pandas as pd
>>> bs = pd.DataFrame({"status_id": ["ru_ua", "by_pl"], "country_a": ["RU", "BY"],
...     "country_b": ["UA", "PL"], "mode": ["all", "road"], "status": ["closed"] * 2,
...     "closed_from": [2022, 2021], "reopen_year": [None, None]})
>>> [p.status_id for p in closed_pairs(bs, 2025)], closed_pairs(bs, 2020)
(['ru_ua'], ())
>>> broken(closed_pairs(bs, 2025), {"KZ", "RU", "UA"}).countries
('RU', 'UA')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from serai.freight.constraints import NoRouteError

__all__ = [
    "ClosedPair",
    "ClosedPairError",
    "agreed",
    "broken",
    "closed_pairs",
    "closure_scopes",
    "compliant",
    "comply",
    "least_compliant",
    "route_countries",
    "router_pairs",
    "searched",
]

#: Total of a route that the objective minimises (as alternatives.select reads it).
_KEY = {"time": "hours", "cost": "usd", "emissions": "co2e_kg", "co2e": "co2e_kg"}


@dataclass(frozen=True)
class ClosedPair:
    """One closed pair of countries (a ``border_status`` row)."""

    status_id: str
    countries: tuple[str, str]
    closed_from: int | None
    reopen_year: int | None
    note: str = ""
    source_id: str = ""
    estimate: bool = False

    def describe(self) -> str:
        """The pair, its status and its source (or estimate) note, for messages."""
        a, b = self.countries
        since = f" since {self.closed_from}" if self.closed_from is not None else ""
        until = (
            f", reopening in {self.reopen_year}"
            if self.reopen_year is not None
            else ", no reopening date"
        )
        src = f"source {self.source_id}" if self.source_id else ""
        if self.estimate:
            src = f"{src}, estimate" if src else "estimate"
        why = f" ({src}: {self.note})" if self.note else (f" ({src})" if src else "")
        return (
            f"{a} and {b} are closed to freight between them{since}{until} "
            f"(border_status {self.status_id}, status closed, mode all){why}"
        )


class ClosedPairError(NoRouteError):
    """No route: its two ends lie in a closed pair (or every route visits both of one).

    ``cause`` is ``closed pair <status_id>``; ``field`` names the request field
    (``destination``), as :class:`~serai.errors.InputError` does.
    """

    def __init__(self, message: str, pair: ClosedPair, field: str = "destination") -> None:
        super().__init__(message, f"closed pair {pair.status_id}")
        self.pair, self.field = pair, field


def _year(v: Any) -> int | None:
    x = pd.to_numeric(pd.Series([v]), errors="coerce").iat[0]
    return int(x) if np.isfinite(x) else None


def closed_pairs(border_status: pd.DataFrame | None, year: int | None) -> tuple[ClosedPair, ...]:
    """The pairs closed for all freight in ``year`` (None: today's network).

    Rows with ``status`` ``closed``, ``mode`` ``all`` (or empty), no box, closed in
    ``year`` by :func:`serai.data.status.closed_in`.
    """
    from serai.data.status import closed_in

    bs = border_status
    if bs is None or not len(bs) or not {"country_a", "country_b", "status"} <= set(bs.columns):
        return ()
    st = bs["status"].astype(str).str.strip().str.lower().to_numpy()
    mode = (
        bs["mode"].fillna("").astype(str).str.strip().str.lower().to_numpy()
        if "mode" in bs.columns
        else np.full(len(bs), "all", dtype=object)
    )
    boxed = np.zeros(len(bs), bool)
    for c in ("lon_min", "lat_min", "lon_max", "lat_max"):
        if c in bs.columns:
            boxed |= np.isfinite(pd.to_numeric(bs[c], errors="coerce").to_numpy(float))
    keep = (st == "closed") & np.isin(mode, ["all", ""]) & ~boxed & closed_in(bs, year)
    out = []
    for k in np.flatnonzero(keep):
        row = bs.iloc[int(k)]
        a, b = str(row["country_a"]).strip().upper(), str(row["country_b"]).strip().upper()
        if not a or not b or a == b:
            continue
        est = str(row.get("estimate", "")).strip().lower() in ("true", "1", "yes")
        out.append(
            ClosedPair(
                status_id=str(row.get("status_id", f"row{int(k) + 1}")),
                countries=(a, b),
                closed_from=_year(row.get("closed_from")),
                reopen_year=_year(row.get("reopen_year")),
                note=_text(row.get("note")),
                source_id=_text(row.get("source_id")),
                estimate=est,
            )
        )
    return tuple(out)


def closure_scopes() -> dict[str, str]:
    """``status_id`` -> ``pair`` | ``border`` from ``data/closure_scope.csv`` (each row an
    estimate with its reasoning): ``border`` rows close the land crossings only; a
    closed row not listed closes the pair."""
    from importlib import resources

    with resources.files("serai.freight.data").joinpath("closure_scope.csv").open("rb") as fh:
        t = pd.read_csv(fh, dtype=str, keep_default_na=False)
    bad = sorted(set(t["scope"]) - {"pair", "border"})
    if bad:  # pragma: no cover - a packaging error, caught by the tests
        raise ValueError(f"closure_scope.csv: scope {bad[0]!r} is not 'pair' or 'border'")
    return dict(zip(t["status_id"], t["scope"], strict=True))


def _text(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()


def agreed(pair: ClosedPair, links: pd.DataFrame, nodes: pd.DataFrame, year: int | None) -> bool:
    """Whether a rail or road link between the pair's countries opens after the closure
    began and by ``year``: a line agreed across the closed border (TRIPP through Armenia),
    which :func:`serai.data.borders.link_closures` leaves open, so the pair is no longer
    closed for all freight."""
    if year is None or "open_year" not in links.columns or "country" not in nodes.columns:
        return False
    oy = pd.to_numeric(links["open_year"], errors="coerce").to_numpy(float)
    start = pair.closed_from if pair.closed_from is not None else -np.inf
    with np.errstate(invalid="ignore"):
        new = (oy > start) & (oy <= year)
    if not new.any():
        return False
    cc = nodes.set_index("node_id")["country"].astype(str)
    sub = links.loc[new]
    ca = cc.reindex(sub["from_node"]).to_numpy()
    cb = cc.reindex(sub["to_node"]).to_numpy()
    a, b = pair.countries
    cross = ((ca == a) & (cb == b)) | ((ca == b) & (cb == a))
    return bool((cross & sub["mode"].astype(str).isin(["rail", "road"]).to_numpy()).any())


def router_pairs(router: Any) -> tuple[ClosedPair, ...]:
    """The closed pairs of a router's network in its graph's year (computed once).

    Rows a scenario's ``[[border]]`` added (``status_id`` ``scenario:..``) and rows
    :func:`closure_scopes` marks ``border`` close the crossing links only, as documented
    (docs/scenarios.md); a pair with an agreed new
    line in the year (:func:`agreed`) is left to the link closures.
    """
    pairs = router.__dict__.get("_closed_pairs")
    if pairs is None:  # idempotent: two threads may both compute it
        rg = router.rg
        net = rg.network
        scope = closure_scopes()
        pairs = tuple(
            p
            for p in closed_pairs(net.tables.get("border_status"), rg.year)
            if not p.status_id.startswith("scenario:")
            and scope.get(p.status_id, "pair") == "pair"
            and not agreed(p, net.links, net.nodes, rg.year)
        )
        router._closed_pairs = pairs
    return pairs


def broken(pairs: Iterable[ClosedPair], countries: Iterable[str]) -> ClosedPair | None:
    """The first pair both of whose countries are in ``countries`` (None: none)."""
    cs = countries if isinstance(countries, (set, frozenset)) else set(countries)
    for p in pairs:
        if p.countries[0] in cs and p.countries[1] in cs:
            return p
    return None


def route_countries(route: Any) -> set[str]:
    """The countries a route visits: its legs' and its two ends' places'."""
    cs = set(route.countries)
    for place in (route.origin_place, route.destination_place):
        c = getattr(place, "country", "") or ""
        if c:
            cs.add(c)
    return cs


def comply(
    route: Any,
    search: Callable[[Any], Any],
    cons: Any,
    pairs: tuple[ClosedPair, ...],
    ends: tuple[str, str],
    objective: str,
    names: tuple[str, str],
) -> Any:
    """The best route of ``search`` that visits no closed pair (``route``: its best).

    ``search(constraints)`` is the search (raising :class:`NoRouteError` when none);
    ``cons`` the constraints of ``route``; ``ends`` the countries of the origin and
    the destination ('' when unknown); ``names`` their labels for messages.
    """
    blocked: list[ClosedPair] = []
    best = _comply(route, search, cons, pairs, ends, objective, names, blocked)
    if best is None:
        p = blocked[-1]  # the route's own pair (nested ones are recorded first)
        a, b = p.countries
        others = list(dict.fromkeys(q for q in blocked if q != p))
        also = "".join(
            f"; the routes avoiding one of them visit both {q.countries[0]} and "
            f"{q.countries[1]} (border_status {q.status_id})"
            for q in others
        )
        raise ClosedPairError(
            f"no route from {names[0]} to {names[1]}: every route visits both {a} and {b}, "
            f"and {p.describe()}{also}",
            p,
        )
    return best


def _comply(route, search, cons, pairs, ends, objective, names, blocked):
    """The best compliant route under ``cons`` given its best route (None: none)."""

    def both(p: ClosedPair) -> None:  # whatever else is avoided: no compliant route at all
        raise ClosedPairError(
            f"no route from {names[0]} to {names[1]}: {p.describe()}; no freight moves "
            "between them by any way (land, sea or a third country)",
            p,
        )

    def find(avoid: frozenset[str]) -> Any:
        try:
            return search(replace(cons, avoid_countries=avoid))
        except NoRouteError:
            return None

    key = _KEY.get(objective, "gc_usd")
    return least_compliant(
        route, route_countries, find, lambda r: r.totals[key], pairs, ends,
        cons.avoid_countries, both=both, blocked=blocked,
    )  # fmt: skip


def least_compliant(
    best: Any,
    countries: Callable[[Any], Iterable[str]],
    search: Callable[[frozenset[str]], Any],
    cost: Callable[[Any], float],
    pairs: tuple[ClosedPair, ...],
    ends: tuple[str, str],
    avoid: frozenset[str] = frozenset(),
    *,
    both: Callable[[ClosedPair], None] | None = None,
    blocked: list[ClosedPair] | None = None,
) -> Any:
    """The least-cost path that visits no closed pair, given the least-cost one (the rule).

    The rule of the module docstring for any search: the router's routes (:func:`comply`)
    and the flows' columns (:mod:`serai.flows.closed`) both apply it through this one
    function.

    Parameters
    ----------
    best
        The least-cost path avoiding the countries ``avoid`` (a route, or anything).
    countries
        The countries a path visits, its two ends' included.
    search
        ``search(avoid)``: the least-cost path avoiding the countries ``avoid`` (None: none).
    cost
        The cost a path minimises (ties: the first option searched).
    pairs, ends
        The closed pairs; the countries of the two ends ('' when unknown).
    avoid
        The countries ``best`` was searched avoiding.
    both
        Called with a pair both of whose countries are ends (may raise); then no path.
    blocked
        Collects the pairs that left no path (the path's own pair last).

    Returns
    -------
    The least-cost compliant path, or None when every path visits both countries of a pair.

    Examples
    --------
    Paths as (countries, cost); A -> B best via RU and UA, UA an end: RU is avoided.

    >>> pr = ClosedPair("ru_ua", ("RU", "UA"), 2022, None)
    >>> paths = {frozenset(): (("PL", "RU", "UA"), 1.0), frozenset({"RU"}): (("PL", "UA"), 2.0)}
    >>> least_compliant(paths[frozenset()], lambda r: r[0], paths.get, lambda r: r[1],
    ...                 (pr,), ("PL", "UA"))
    (('PL', 'UA'), 2.0)
    """
    p = broken(pairs, countries(best))
    if p is None:
        return best
    a, b = p.countries
    inside = [c for c in ends if c in p.countries]
    if set(inside) == {a, b}:  # whatever else is avoided: no compliant path at all
        if both is not None:
            both(p)
        if blocked is not None:
            blocked.append(p)
        return None
    # one end in the pair: every compliant path avoids the other country;
    # neither: every compliant path avoids one of the two (the better is kept)
    options = [b if inside[0] == a else a] if inside else [a, b]
    found = []
    for c in options:
        av = avoid | {c}
        r = search(av)
        if r is None:
            continue
        r = least_compliant(r, countries, search, cost, pairs, ends, av, both=both, blocked=blocked)
        if r is not None:
            found.append(r)
    if not found:
        if blocked is not None:
            blocked.append(p)
        return None
    return min(found, key=cost)  # ties: the first option


def searched(route: Any, cons: Any) -> Any:
    """The constraints ``route`` was found under: ``cons`` with any country
    :func:`comply` avoided for a closed pair (for searches that follow it)."""
    rc = getattr(route, "constraints", None)
    if rc is not None and rc.avoid_countries > cons.avoid_countries:
        return rc
    return cons


def compliant(router: Any, routes: list[Any], keep: Any = None) -> list[Any]:
    """``routes`` without those visiting both countries of a closed pair (``keep``: kept)."""
    pairs = router_pairs(router)
    if not pairs:
        return routes
    return [r for r in routes if r is keep or broken(pairs, route_countries(r)) is None]
