"""Several routes between two places: distinct alternatives and the time-cost Pareto set.

Both build on the single-route search of :class:`~serai.freight.Router` and are its
methods :meth:`~serai.freight.Router.alternatives` and :meth:`~serai.freight.Router.pareto`
(plain functions here, with the router as first argument).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from serai.errors import InputError
from serai.freight import closedpairs, ends
from serai.freight.commodities import Commodity
from serai.freight.constraints import Constraints

if TYPE_CHECKING:
    from serai.freight.route import Router
    from serai.freight.routeresult import Route

__all__ = [
    "AVOIDANCES",
    "PARETO_CRITERIA",
    "PROBES",
    "alternatives",
    "avoids",
    "candidates",
    "dominated",
    "pareto",
    "select",
]


#: Corridor probes of :func:`alternatives` (``distinct_corridors``): constraints added to the
#: query's own to find the best route of other corridor kinds (name, countries avoided,
#: passages avoided, modes allowed or None). They mirror the flagship questions
#: (:data:`serai.freight.flagship.FLAGSHIP`); a probe whose constraints leave no route is skipped.
_LAND = ("rail", "road", "ferry")
PROBES: tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...] | None], ...] = (
    ("land", (), (), _LAND),
    ("land, Russia and Belarus avoided", ("RU", "BY"), (), _LAND),
    ("land, Russia, Belarus and Iran avoided (Middle Corridor)", ("RU", "BY", "IR"), (), _LAND),
    ("land, Russia, Belarus and Azerbaijan avoided (Southern)", ("RU", "BY", "AZ"), (), _LAND),
    ("Russia and Belarus avoided", ("RU", "BY"), (), None),
    ("Russia, Belarus and the Red Sea avoided", ("RU", "BY"), ("babalmandab", "suez"), None),
    ("sea (no land crossing of Central Asia, Russia or Iran)",
     ("RU", "BY", "KZ", "KG", "MN", "IR"), (), None),
    ("sea round the Cape", ("RU", "BY", "KZ", "KG", "MN", "IR"),
     ("babalmandab", "suez", "ormuz", "panama"), None),
)  # fmt: skip

#: What shippers avoid (sanctions, security): a route is not listed as an alternative when
#: another route found is at least as fast and as cheap, better on one, and avoids everything
#: of this list the route avoids (name, countries, passages).
AVOIDANCES: tuple[tuple[str, frozenset[str], frozenset[str]], ...] = (
    ("Russia and Belarus", frozenset({"RU", "BY"}), frozenset()),
    ("Iran", frozenset({"IR"}), frozenset({"ormuz", "hormuz"})),
    ("the Red Sea", frozenset(), frozenset({"babalmandab", "suez"})),
)


def alternatives(
    router: Router,
    origin: Any,
    destination: Any,
    commodity_name: str | Commodity = "container_feu",
    *,
    k: int = 3,
    objective: str = "generalised",
    distinct_corridors: bool = True,
    **kw: Any,
) -> list[Route]:
    """Up to ``k`` distinct routes: the penalty method, and with ``distinct_corridors`` (the
    default, as ``serai route --alternatives`` and the service's ``/api/alternatives``) the
    best route of each corridor (see :func:`candidates`, then :func:`select`);
    ``distinct_corridors=False`` (``--same-corridor``) also lists routes of a corridor
    already listed.

    A candidate is not listed when another candidate is at least as fast and as cheap
    (door-to-door hours, USD per unit), better on one, and avoids everything of
    :data:`AVOIDANCES` (Russia and Belarus, Iran, the Red Sea) that it avoids: a sea
    route avoiding Russia stays listed beside a faster and cheaper route through Russia,
    not beside a faster and cheaper Middle Corridor route. Routes are reported at their
    true (unpenalised) cost, best first by ``objective``; the first is :meth:`Router.route`'s.
    """
    from serai._checks import check_alternatives

    k = check_alternatives(k, "k")
    found = candidates(router, origin, destination, commodity_name, k=k, objective=objective,
                       distinct_corridors=distinct_corridors, **kw)  # fmt: skip
    return select(found, k, objective)


def candidates(
    router: Router,
    origin: Any,
    destination: Any,
    commodity_name: str | Commodity = "container_feu",
    *,
    k: int = 3,
    objective: str = "generalised",
    penalty: float = 1.0,
    max_overlap: float = 0.6,
    max_iter: int | None = None,
    distinct_corridors: bool = True,
    constraints: Constraints | None = None,
    carbon_price_usd_per_t: float = 0.0,
    crew: str = "single",
    probes: bool = True,
    **kw: Any,
) -> list[Route]:
    """Candidate alternatives (the best route first): the penalty method, and with
    ``distinct_corridors`` (the default) the best route of each corridor.

    Penalty method: after each search the movement links of the route found get
    their cost multiplied by ``1 + penalty``; a new route is kept when at most
    ``max_overlap`` of its km is shared with any route already kept.

    With ``distinct_corridors`` the candidates are those routes and the best route
    under each corridor probe (:data:`PROBES`: land only, Russia avoided, the Middle
    Corridor's and the Southern route's constraints, all sea, round the Cape, each
    added to the query's constraints; not with ``probes=False``); each corridor label keeps its
    best candidate. None is dropped for being dominated (:func:`select` does that).
    """
    from serai._checks import check_alternatives
    from serai.freight.checks import MAX_PENALTY_SEARCHES, check_count, check_number

    k = check_alternatives(k, "k")
    penalty = check_number(penalty, "penalty", strict=True, high=1e6)
    max_overlap = check_number(max_overlap, "max_overlap", high=1.0)
    if max_iter is not None:
        max_iter = check_count(max_iter, "max_iter", 1, MAX_PENALTY_SEARCHES)
    cons = constraints if constraints is not None else Constraints.make(**kw)
    first = router.route(
        origin,
        destination,
        commodity_name,
        objective=objective,
        constraints=cons,
        carbon_price_usd_per_t=carbon_price_usd_per_t,
        crew=crew,
    )
    cons = closedpairs.searched(first, cons)  # a closed pair's country avoided: all avoid it
    lc = router.costs_from(router.locate(origin), commodity_name, carbon_price_usd_per_t, crew)
    o, d = first.origin, first.destination
    po, pd_ = ends.end_vnodes(router, first)
    via = router.via_places(cons.via, first.origin_place, first.destination_place)
    obj = router.edge_objective(lc, objective)
    base = np.where(router.mask(cons), obj, np.inf)
    km_e = router.rg.graph.edge_values(router.rg.vlinks["km"].to_numpy(float))
    move_e = router._e_kind == "move"
    routes = [first]
    used = [edges_of(router, first)]
    factor = np.ones_like(base)
    bound = router._bound(lc, objective)  # penalties only raise costs: still a lower bound
    for e in used[0]:
        factor[e] *= 1 + penalty
    for _ in range(max_iter or (12 * k if distinct_corridors else 4 * k)):
        if len(routes) >= k:
            break
        edges = router._search(base * factor, po, pd_, via, bound)
        if edges is None:
            break
        es = np.asarray(edges)
        mv = es[move_e[es]]
        tot = km_e[mv].sum()
        ok = True
        for u in used:
            shared = km_e[np.intersect1d(mv, u)].sum()
            if tot > 0 and shared / tot > max_overlap:
                ok = False
                break
        factor[mv] *= 1 + penalty
        if ok:
            r = ends.like(router._make_route(es, o, d, lc, objective, cons), first)
            if distinct_corridors and r.corridor in {x.corridor for x in routes}:
                continue
            routes.append(r)
            used.append(mv)
    key = {"time": "hours", "cost": "usd", "emissions": "co2e_kg", "co2e": "co2e_kg"}.get(
        objective, "gc_usd"
    )
    if distinct_corridors and probes:
        for probe in PROBES:
            pc = _probe_constraints(cons, probe)
            if pc is None:
                continue
            edges = router._search(np.where(router.mask(pc), obj, np.inf), po, pd_, via)
            if edges is not None:
                es = np.asarray(edges, np.int64)
                routes.append(ends.like(router._make_route(es, o, d, lc, objective, cons), first))
        best: dict[str, Route] = {}
        for r in routes:  # the first route stays its corridor's (ties keep the earlier)
            if r.corridor not in best or r.totals[key] < best[r.corridor].totals[key]:
                best[r.corridor] = r
        routes = list(best.values())
    return closedpairs.compliant(router, routes, first)


def select(routes: list[Route], k: int, objective: str = "generalised") -> list[Route]:
    """The alternatives listed among candidates (the first is the best route): those not
    dominated by another candidate that avoids as much (``dominated(..., avoiding=True)``),
    best first by ``objective``, at most ``k``."""
    key = {"time": "hours", "cost": "usd", "emissions": "co2e_kg", "co2e": "co2e_kg"}.get(
        objective, "gc_usd"
    )
    bad = dominated(routes, avoiding=True)
    bad[0] = False  # the best route by the objective (never dominated for gc without carbon)
    kept = [r for r, b in zip(routes, bad, strict=True) if not b]
    left = [r for r, b in zip(routes, bad, strict=True) if b]
    return Alternatives(sorted(kept, key=lambda r: r.totals[key])[:k], left)


class Alternatives(list):
    """The routes listed (a list), with ``left_out``: the candidates not listed because another
    candidate is faster and cheaper and avoids as much (for a note to the user)."""

    def __init__(self, routes: Any = (), left_out: Any = ()) -> None:
        super().__init__(routes)
        self.left_out = list(left_out)


def _probe_constraints(cons: Constraints, probe: tuple) -> Constraints | None:
    """The query's constraints with a probe's added (None when no mode is left)."""
    from dataclasses import replace

    _, countries, passages, modes = probe
    if modes is not None and cons.modes is not None:
        modes = tuple(m for m in modes if m in cons.modes)
        if not modes:
            return None
    return replace(
        cons,
        avoid_countries=cons.avoid_countries | frozenset(countries),
        avoid_passages=cons.avoid_passages | frozenset(passages),
        modes=frozenset(modes) if modes is not None else cons.modes,
    )


def avoids(route: Route) -> np.ndarray:
    """Per :data:`AVOIDANCES` entry, whether the route avoids it (its countries and passages;
    a passage in an avoided country's waters counts as that country, as for constraints)."""
    from serai.freight.constraints import passage_countries

    table = passage_countries()
    cs = set(route.countries)
    ps = set(route.passages)
    for p in ps:
        cs |= set(table.get(p, ()))
    return np.array([not (cs & c or ps & p) for _, c, p in AVOIDANCES], bool)


def edges_of(router: Router, r: Route) -> np.ndarray:
    """Graph edges of the movement links of a route (what the penalty method penalises)."""
    g = router.rg.graph
    pos = np.empty(len(g.link_rows), np.int64)
    pos[g.link_rows] = np.arange(len(g.link_rows))
    e = pos[r.vlink_rows]
    return e[router._e_kind[e] == "move"]


def pareto(
    router: Router,
    origin: Any,
    destination: Any,
    commodity_name: str | Commodity = "container_feu",
    *,
    constraints: Constraints | None = None,
    max_routes: int = 12,
    method: str = "labels",
    max_labels: int = 2_000_000,
    crew: str = "single",
    **kw: Any,
) -> list[Route]:
    """Pareto-optimal routes for (time, money), fastest first.

    The criteria are the two reported totals :data:`PARETO_CRITERIA`: door-to-door
    hours (``days`` x 24) and money per unit (``usd``) -- not CO2e, not the generalised
    cost. No route returned is at least as fast and as cheap as another and better on one
    (:func:`dominated` is False for each).

    ``method="labels"`` (default): bi-objective label setting (Martins'
    algorithm, numba) finds every Pareto-optimal route, supported or not, for
    the search's additive times, where a truck haul rests at a fixed rate per
    driving hour; each route is then re-timed with the exact rests of its hauls
    (as every route is) and those dominated after re-timing are dropped. The set
    is exact without truck hauls; with them, a route whose exact rests would put
    it on the frontier may be missing. When more than ``max_labels`` labels
    would be needed, or with via points, it falls back to ``"nise"``. At most
    ``max_routes`` routes are returned (evenly spread over the frontier when
    there are more).

    ``method="nise"``: supported points only, as follows.

    Non-inferior set estimation (NISE, Cohon 1978): start from the fastest and
    the cheapest route; between two neighbours, minimise the weighted sum
    whose weights are normal to the segment joining them; keep the new route
    if it lies strictly below the segment, and recurse. This finds every
    route on the convex hull of the time-cost frontier (not routes in its
    concave gaps).
    """
    from serai.freight.checks import check_count, check_query

    max_routes = check_count(max_routes, "max_routes", 1, 1000)
    max_labels = check_count(max_labels, "max_labels", 1, 10**9)
    cons = constraints if constraints is not None else Constraints.make(**kw)
    check_query(router, cons)
    op, dp = router.locate_end(origin, "origin"), router.locate_end(destination, "destination")
    lc = router.costs_from(op, commodity_name, 0.0, crew)
    # off the network: the first/last-mile legs of the best generalised route, held fixed
    ref = router.route(op, dp, commodity_name, constraints=cons, crew=crew)
    cons = closedpairs.searched(ref, cons)  # a closed pair's country avoided: all avoid it
    o, d = ref.origin, ref.destination
    po, pd_ = ends.end_vnodes(router, ref)
    via = router.via_places(cons.via, op, dp)
    mask = router.mask(cons)
    h = np.ascontiguousarray(lc.hours[router.rg.graph.link_rows])
    u = np.ascontiguousarray(lc.usd[router.rg.graph.link_rows])
    allowed = lc.allowed[router.rg.graph.link_rows] & mask

    def solve(wh: float, wu: float) -> tuple[float, float, np.ndarray] | None:
        c = np.where(allowed, wh * h + wu * u, np.inf)
        e = router._search(c, po, pd_, via)
        if e is None:
            return None
        return float(h[e].sum()), float(u[e].sum()), e

    if method not in ("labels", "nise"):
        raise InputError(f"unknown Pareto method '{method}'; use labels or nise", field="method")
    if method == "labels" and not via:
        from serai.freight._pareto import pareto_labels, trace_labels

        g = router.rg.graph
        w1 = np.where(allowed, h, np.inf)
        w2 = np.where(allowed, u, np.inf)
        used, tl, c1, _c2, pred, edge = pareto_labels(
            g.indptr, g.heads, w1, w2, po, pd_, g.passable, int(max_labels)
        )
        if used >= 0:
            if not len(tl):
                raise router._diagnose(o, d, lc, "time", cons)
            order = np.argsort(c1[tl], kind="stable")
            tl = tl[order]
            if len(tl) > 4 * max_routes:  # re-timed below: keep some spare candidates
                tl = tl[_spread(len(tl), 4 * max_routes)]
            routes = [
                ends.like(
                    router._make_route(trace_labels(int(t), pred, edge), o, d, lc, "pareto",
                                     cons), ref)
                for t in tl
            ]  # fmt: skip
            return _front(closedpairs.compliant(router, routes), max_routes)
    a = solve(1.0, 1e-6)
    if a is None:
        raise router._diagnose(o, d, lc, "time", cons)
    b = solve(1e-6, 1.0)
    pts = {(round(a[0], 6), round(a[1], 6)): a}
    if b is not None:
        pts[(round(b[0], 6), round(b[1], 6))] = b
    stack = [(a, b)] if b is not None else []
    while stack and len(pts) < max_routes:
        p, q = stack.pop()
        wh, wu = p[1] - q[1], q[0] - p[0]  # normal to the segment p-q
        if wh <= 0 or wu <= 0:
            continue
        r = solve(wh, wu)
        if r is None:
            continue
        if wh * r[0] + wu * r[1] < wh * p[0] + wu * p[1] - 1e-9 * (abs(wh * p[0]) + abs(wu * p[1])):
            key = (round(r[0], 6), round(r[1], 6))
            if key not in pts:
                pts[key] = r
                stack += [(p, r), (r, q)]
    routes = [
        ends.like(router._make_route(e, o, d, lc, "pareto", cons), ref) for _, _, e in pts.values()
    ]
    return _front(closedpairs.compliant(router, routes), max_routes)


#: What a Pareto set is Pareto-optimal on: the reported totals of each route.
PARETO_CRITERIA = ("hours", "usd")


def dominated(
    routes: list[Route], by: list[Route] | None = None, *, avoiding: bool = False
) -> np.ndarray:
    """Per route, whether a route of ``by`` (default: ``routes``) is at least as fast and as
    cheap and strictly better on one of them (door-to-door hours and USD as reported).

    With ``avoiding``, only by a route that also avoids every entry of :data:`AVOIDANCES`
    the route avoids.

    >>> from types import SimpleNamespace as R
    >>> dominated([R(totals={"hours": 2, "usd": 5}), R(totals={"hours": 3, "usd": 5}),
    ...            R(totals={"hours": 4, "usd": 1})]).tolist()
    [False, True, False]
    """
    by = routes if by is None else by
    a = np.array([[r.totals[c] for c in PARETO_CRITERIA] for r in routes], float).reshape(-1, 2)
    b = np.array([[r.totals[c] for c in PARETO_CRITERIA] for r in by], float).reshape(-1, 2)
    # ties within 1e-9 relative count as equal (the same totals summed in another order)
    tol = 1e-9 * np.maximum(np.abs(a[:, None, :]), np.abs(b[None, :, :]))
    le = (b[None, :, :] <= a[:, None, :] + tol).all(axis=2)
    lt = (b[None, :, :] < a[:, None, :] - tol).any(axis=2)
    dom = le & lt
    if avoiding and len(routes) and len(by):
        va = np.array([avoids(r) for r in routes], bool)
        vb = np.array([avoids(r) for r in by], bool)
        dom &= (vb[None, :, :] | ~va[:, None, :]).all(axis=2)  # by avoids all that r avoids
    return dom.any(axis=1)


def _spread(n: int, m: int) -> np.ndarray:
    """``m`` positions evenly spread over ``range(n)`` (both ends kept)."""
    return np.unique(np.linspace(0, n - 1, m).round().astype(int))


def _front(routes: list[Route], max_routes: int) -> list[Route]:
    """The non-dominated routes on their reported (hours, USD), fastest first, at most
    ``max_routes`` evenly spread; equal totals are listed once.

    The label search is exact for additive link times; a truck haul's rests, though, are
    priced in the search at a fixed rate per driving hour and re-timed exactly in the
    route read back (:mod:`serai.freight.routecost`), so a route found non-dominated may
    be dominated once re-timed: it is dropped here.
    """
    keep = [r for r, bad in zip(routes, dominated(routes), strict=True) if not bad]
    seen, out = set(), []
    for r in sorted(keep, key=lambda r: (r.totals["hours"], r.totals["usd"])):
        key = (round(r.totals["hours"], 6), round(r.totals["usd"], 6))
        if key not in seen:
            seen.add(key)
            out.append(r)
    if len(out) > max_routes:
        out = [out[i] for i in _spread(len(out), max_routes)]
    return out
