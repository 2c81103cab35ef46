"""Reliability-aware route choice: candidate routes re-ranked by a simulated statistic.

A route's P90 is not the sum of its links' P90s (quantiles do not add, and elements
are correlated), so it cannot be minimised link by link in a shortest-path search.
The method here:

1. **Candidates.** The fastest route, the best generalised-cost route and up to
   ``candidates`` alternatives by time of distinct corridors and, when there is room,
   of the same corridors (the penalty method of :meth:`serai.freight.Router.alternatives`),
   all under the request's constraints; duplicates are dropped.
2. **Simulation.** Each candidate is simulated with the same seed (common random
   numbers: the comparison is not blurred by sampling noise) for the month asked for.
3. **Ranking** by the objective: ``p50``, ``p90``, ``p95`` (days) or ``mean+<k>std``
   (mean + k standard deviations, days), ties broken by the model's mean days.

Limits: the best route by the objective is found only if it is among the candidates;
a route that is slow on average but very steady, and far from the fastest corridors,
can be missed. More candidates (``candidates=``) widen the search at the cost of one
simulation each (~20-50 ms).

Examples
--------
>>> from serai.reliability.objective import parse_objective
>>> parse_objective("p90"), parse_objective("mean+1.5std")
(('quantile', 0.9), ('mean_std', 1.5))
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from serai.errors import InputError
from serai.reliability.montecarlo import DEFAULT_DRAWS, DEFAULT_SEED, Reliability

__all__ = ["is_reliability_objective", "parse_objective", "reliable_routes", "score"]

_MEAN_STD = re.compile(r"^mean\+(\d+(?:\.\d+)?)(?:\*|x)?std$")
_QUANT = {"p50": 0.5, "p90": 0.9, "p95": 0.95}


def parse_objective(name: str) -> tuple[str, float]:
    """``('quantile', p)`` for p50/p90/p95, ``('mean_std', k)`` for ``mean+<k>std``."""
    n = str(name).strip().lower().replace(" ", "")
    if n in _QUANT:
        return "quantile", _QUANT[n]
    m = _MEAN_STD.match(n)
    if m:
        k = float(m.group(1))
        if k > 10:
            raise InputError(f"k in mean+<k>std must be 0..10, not {k:g}", field="objective")
        return "mean_std", k
    raise InputError(
        f"unknown reliability objective '{name}'; use p50, p90, p95 or mean+<k>std "
        "(e.g. mean+1std)",
        field="objective",
    )


def is_reliability_objective(name: str) -> bool:
    """True for p50, p90, p95 and mean+<k>std (remembered per name: every route request
    asks, and a plain objective raised and caught an error each time)."""
    hit = _IS_RELIABILITY.get(name) if type(name) is str else None
    if hit is not None:
        return hit
    try:
        parse_objective(name)
        hit = True
    except InputError:
        hit = False
    if type(name) is str:
        if len(_IS_RELIABILITY) >= 1024:  # names typed by users: bounded
            _IS_RELIABILITY.clear()  # a dict shared by threads: clear and set are atomic
        _IS_RELIABILITY[name] = hit
    return hit


_IS_RELIABILITY: dict[str, bool] = {}


def score(rel: Reliability, objective: str) -> float:
    """The objective's value (days) of a simulated route."""
    kind, v = parse_objective(objective)
    if kind == "mean_std":
        return rel.mean_days + v * rel.std_days
    return {0.5: rel.p50_days, 0.9: rel.p90_days, 0.95: rel.p95_days}[v]


def _candidates(
    router: Any, origin: Any, destination: Any, commodity: str, n: int, **kw: Any
) -> list[Any]:
    from serai.errors import NoPathError

    out: dict[tuple[int, ...], Any] = {}

    def put(routes: list[Any]) -> None:
        for r in routes:
            out.setdefault(tuple(int(x) for x in r.vlink_rows), r)

    def penalty(distinct: bool) -> list[Any]:
        # the penalty method's routes, none left out for being slower and dearer on average
        # (its P90 may still be the best): candidates, not the alternatives listed to users
        from serai.freight.alternatives import candidates

        rs = candidates(router, origin, destination, commodity, k=n, objective="time",
                        distinct_corridors=distinct, probes=False, **kw)  # fmt: skip
        return sorted(rs, key=lambda r: r.totals["hours"])[:n]

    put([router.route(origin, destination, commodity, objective="time", **kw)])
    try:
        put([router.route(origin, destination, commodity, objective="generalised", **kw)])
        put(penalty(True))
        if len(out) < n:
            put(penalty(False))
    except NoPathError:  # pragma: no cover - the first search found one
        pass
    return list(out.values())


def reliable_routes(
    router: Any,
    origin: Any,
    destination: Any,
    commodity: str = "container_feu",
    *,
    objective: str = "p90",
    month: int | None = None,
    deadline_days: float | None = None,
    candidates: int = 6,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    flows: Any = None,
    **kw: Any,
) -> list[tuple[Any, Reliability]]:
    """Candidate routes ranked by a reliability objective, best first, with their simulations.

    ``kw`` are :meth:`Router.route` keywords (``constraints``, ``carbon_price_usd_per_t``,
    ``crew`` or constraint shortcuts such as ``avoid_countries``). Each returned route has
    ``objective`` set to the reliability objective's name.
    """
    parse_objective(objective)
    from serai.reliability.routes import route_reliability

    if not 1 <= int(candidates) <= 50:
        raise InputError(f"candidates must be 1..50, not {candidates}", field="candidates")
    routes = _candidates(router, origin, destination, commodity, int(candidates), **kw)
    scored = []
    for r in routes:
        rel = route_reliability(r, month=month, deadline_days=deadline_days, draws=draws,
                                seed=seed, flows=flows)  # fmt: skip
        scored.append((score(rel, objective), r.days, replace(r, objective=objective), rel))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [(r, rel) for _, _, r, rel in scored]
