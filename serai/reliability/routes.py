"""A route's elements with their distributions, and its simulated door-to-door time.

:func:`route_elements` reads the time model's terms of the route's virtual links
(:func:`serai.freight.cost.model_terms`: every hour of the route is a term of a named
parameter, or a figure of the network) and gives each term the distribution of the
first rule of ``distributions.csv`` that matches it; the term's value stays the mean.
Truck rests under the driving-time rules (scheduled exactly on the route) and terms
whose rule is ``fixed`` make the base, without variation. First/last-mile legs take
the ``access.*`` rules. With a flows result, the equilibrium delay of each capacity
element on the route is added as a congestion wait (rule ``flows.delay``).

:func:`route_reliability` simulates the route (:func:`serai.reliability.simulate`).

Examples
--------
>>> from serai.data import load_network
>>> from serai.freight import Router, build_routing_graph
>>> router = Router(build_routing_graph(load_network(2025)))  # doctest: +SKIP
>>> r = router.route("Xi'an", "Duisburg", avoid_countries=["RU"])  # doctest: +SKIP
>>> rel = r.reliability(month=1, deadline_days=40)  # doctest: +SKIP
>>> rel.p50_days <= rel.p90_days  # doctest: +SKIP
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from serai.errors import InputError
from serai.reliability.montecarlo import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    ElementSet,
    Reliability,
    check_deadline,
    element_draws_by_month,
    summarise,
    variance_drivers,
)
from serai.reliability.tables import ReliabilityTables, reliability_tables

__all__ = ["RouteElements", "route_elements", "route_reliability", "route_reliability_by_month"]

_REST = 1  # index of "rest" in serai.freight.params.TIME


@dataclass(frozen=True, eq=False)
class RouteElements:
    """The random elements of a route and what was left without variation.

    ``elements`` is the :class:`ElementSet`; ``unmatched`` lists the keys of terms no
    rule covers (kept at their mean, without variation) with their hours;
    ``model_hours`` is the route's time-model total.
    """

    elements: ElementSet
    unmatched: tuple[tuple[str, float], ...]
    model_hours: float
    congestion_hours: float = 0.0


def _pricing(route: Any) -> tuple[Any, Any, str, Any]:
    p = getattr(route, "pricing", None)
    if p is None:
        raise InputError(
            "this route carries no pricing (routing graph, commodity, crew, parameters); "
            "routes from Router.route, alternatives and pareto do",
            field="route",
        )
    return p


def _node_names(route: Any, rg: Any, node_ids: np.ndarray) -> list[str]:
    """Labels of nodes: the route's leg names (router labels), else the network's names."""
    lab: dict[int, str] = {}
    ld = route.leg_data
    if len(ld.get("seq", ())):
        for col_n, col_l in (("to_node", "to_name"), ("from_node", "from_name")):
            for n, nm in zip(ld[col_n], ld[col_l], strict=True):
                if isinstance(nm, str) and nm:
                    lab[int(n)] = nm
    miss = sorted({int(n) for n in node_ids} - set(lab))
    nodes = rg.network.nodes
    if miss and "name" in nodes.columns:
        ids = nodes["node_id"].to_numpy(np.int64)
        order = np.argsort(ids, kind="stable")
        pos = np.searchsorted(ids, miss, sorter=order)
        pos = order[np.minimum(pos, len(ids) - 1)]
        nm = nodes["name"].to_numpy(object)[pos]
        for n, p, x in zip(miss, pos, nm, strict=True):
            if ids[p] == n and isinstance(x, str) and x:
                lab[n] = x
    return [lab.get(int(n), f"node {int(n)}") for n in node_ids]


def route_elements(
    route: Any,
    *,
    tables: ReliabilityTables | None = None,
    flows: Any = None,
    capacities: Any = None,
) -> RouteElements:
    """The elements of a route with their distributions (see the module docstring).

    ``flows`` (a :class:`serai.flows.FlowResult`) adds congestion waits; ``capacities``
    is the capacity table it was run with when not the shipped one.
    """
    from serai.freight.cost import model_terms
    from serai.freight.elements import link_elements
    from serai.freight.params import TIME

    t = tables if tables is not None else reliability_tables()
    rg, c, crew, params = _pricing(route)
    rows = np.asarray(route.vlink_rows, np.int64)
    terms = model_terms(rg, c, params, crew).subset(rows)
    val = terms.values_of(params.values)
    nt = len(TIME)
    # mean hours before each row: every time component of the rows before it
    comps = np.zeros((nt, len(rows)))
    tm = terms.comp < nt
    np.add.at(comps, (terms.comp[tm], terms.row[tm]), val[tm])
    first_mile = sum(a.hours for a in getattr(route, "access", ()) if a.side == "first")
    start_h = first_mile + np.concatenate([[0.0], np.cumsum(comps.sum(axis=0))[:-1]])

    keep = tm & (terms.comp != _REST) & (val != 0)
    ids = np.asarray(params.ids, dtype=object)
    el = link_elements(rg)
    marmaray = el.marmaray[rows] if hasattr(el, "marmaray") else np.zeros(len(rows), bool)
    keys = []
    for p, k, r in zip(terms.param[keep], terms.comp[keep], terms.row[keep], strict=True):
        if p >= 0:
            keys.append(str(ids[p]))
        elif TIME[k] == "schedule" and marmaray[r]:
            keys.append("const.schedule.marmaray")
        else:
            keys.append(f"const.{TIME[k]}")
    vals, trow = val[keep], terms.row[keep]

    from_node = rg.vlinks["from_node"].to_numpy()[rows]
    where = _node_names(route, rg, from_node)

    rec = t.records
    names, rules, fams, means, cvs, groups, loads, offs, profs = ([] for _ in range(9))
    unmatched: dict[str, float] = {}

    def add(name: str, i: int, mean: float, off: float) -> None:
        r = rec[i]
        names.append(name)
        rules.append(r.rule_id)
        fams.append(r.family)
        means.append(float(mean))
        cvs.append(r.cv)
        groups.append(r.group)
        loads.append(r.loading)
        offs.append(float(off))
        profs.append(r.profile)

    # aggregate: route scope -> one element per key; element scope -> one per (key, row)
    per_route: dict[tuple[str, int], list[float]] = {}  # -> [hours, first row]
    per_elem: dict[tuple[str, int, int], float] = {}
    for k, r, h in zip(keys, trow.tolist(), vals.tolist(), strict=True):
        i = t.rule_index(k)
        if i < 0:
            unmatched[k] = unmatched.get(k, 0.0) + h
        elif rec[i].family == "fixed":
            continue
        elif rec[i].scope == "route":
            acc = per_route.setdefault((k, i), [0.0, r])
            acc[0] += h
            acc[1] = min(acc[1], r)
        else:
            per_elem[(k, i, r)] = per_elem.get((k, i, r), 0.0) + h
    for (k, i), (h, r) in per_route.items():
        add(f"{k} (whole route)", i, h, start_h[r])
    for (k, i, r), h in per_elem.items():
        w = str(where[r])
        add(f"{k} {w}" if w.startswith("near ") else f"{k} at {w}", i, h, start_h[r])

    # first/last-mile legs
    total_h = float(route.totals["hours"])
    for a in getattr(route, "access", ()):
        off = 0.0 if a.side == "first" else total_h - a.hours
        parts = [("access.motion", a.hours_motion)]
        for comp in ("dwell", "border_out", "border_in", "schedule", "queue"):
            parts.append((f"access.{comp}", a.component(f"hours_{comp}")))
        for k, h in parts:
            if h <= 0:
                continue
            i = t.rule_index(k)
            if i < 0:
                unmatched[k] = unmatched.get(k, 0.0) + float(h)
            elif rec[i].family != "fixed":
                add(f"{k} ({a.side} mile, {a.place.label})", i, h, off)

    congestion = 0.0
    if flows is not None:
        congestion = _congestion(route, rg, flows, capacities, t, add, start_h)

    means_a = np.array(means, float)
    base = total_h - (means_a.sum() - congestion)
    if base < -1e-6 * max(total_h, 1.0):
        raise InputError(  # pragma: no cover - a bug, not a user error
            f"the elements' means ({means_a.sum():.3f} h) exceed the route's hours ({total_h:.3f})"
        )
    es = ElementSet.build(
        names, fams, means_a, cvs, group=groups, loading=loads, offset_h=offs, profile=profs,
        profiles=t.profiles, base_h=max(base, 0.0), rule=rules,
    )  # fmt: skip
    return RouteElements(es, tuple(sorted(unmatched.items())), total_h, congestion)


def _congestion(route: Any, rg: Any, flows: Any, capacities: Any, t: ReliabilityTables,
                add: Any, start_h: np.ndarray) -> float:  # fmt: skip
    """Add a congestion wait for every capacity element of ``flows`` on the route."""
    from serai.reliability.congestion import route_delays

    i = t.rule_index("flows.delay")
    if i < 0:
        raise InputError("a flows result needs a rule for 'flows.delay' in distributions.csv")
    total = 0.0
    for name, row, hours in route_delays(route, rg, flows, capacities=capacities):
        if hours > 0:
            add(f"congestion at {name}", i, hours, start_h[row])
            total += hours
    return total


def route_reliability(
    route: Any,
    *,
    month: int | None = None,
    deadline_days: float | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    tables: ReliabilityTables | None = None,
    flows: Any = None,
    capacities: Any = None,
    keep_samples: bool = False,
) -> Reliability:
    """Simulated door-to-door time of a route (days): quantiles, mean, sd, on-time share.

    Parameters
    ----------
    route
        A :class:`serai.freight.Route` (from ``Router.route``, ``alternatives`` or
        ``pareto``).
    month
        Month of departure (1..12); None spreads departures over the year.
    deadline_days
        Days within which the box should arrive (``on_time_probability``).
    draws, seed
        Number of simulated trips and the random seed (fixed by default: the same
        question gives the same answer).
    tables
        Reliability tables (default: the shipped ones).
    flows
        A :class:`serai.flows.FlowResult`: congestion waits at its capacity elements
        (``capacities``: the capacity table it was run with, when not the shipped one).
    keep_samples
        Keep the simulated days in ``samples_days`` (for plots).
    """
    return route_reliability_by_month(
        route, months=(month,), deadline_days=deadline_days, draws=draws, seed=seed,
        tables=tables, flows=flows, capacities=capacities, keep_samples=keep_samples,
    )[0]  # fmt: skip


def route_reliability_by_month(
    route: Any,
    *,
    months: Sequence[int | None] = (None, *range(1, 13)),
    deadline_days: float | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    tables: ReliabilityTables | None = None,
    flows: Any = None,
    capacities: Any = None,
    keep_samples: bool = False,
) -> list[Reliability]:
    """:func:`route_reliability` for each month of departure in ``months`` (None: the year).

    The route's elements are read once and only its seasonal elements are drawn again
    for each month; each answer equals ``route_reliability(route, month=m, ...)``.

    Examples
    --------
    >>> from serai.freight import Router, build_routing_graph  # doctest: +SKIP
    >>> from serai.data import load_network  # doctest: +SKIP
    >>> r = Router(build_routing_graph(load_network(2025))).route("Almaty", "Baku")  # doctest: +SKIP
    >>> jan, jul = route_reliability_by_month(r, months=(1, 7))  # doctest: +SKIP
    >>> jan.p90_days > jul.p90_days  # a Caspian crossing: storms in January  # doctest: +SKIP
    True
    """
    check_deadline(deadline_days)
    re = route_elements(route, tables=tables, flows=flows, capacities=capacities)
    labels = _driver_labels(re.elements)
    out = []
    for m, x in zip(
        months, element_draws_by_month(re.elements, months, draws=draws, seed=seed), strict=True
    ):
        out.append(
            summarise(
                re.elements.base_h + x.sum(axis=1),
                deadline_days=deadline_days,
                month=m,
                seed=seed,
                model_days=re.model_hours / 24.0,
                keep_samples=keep_samples,
                drivers=variance_drivers(x, labels),
            )
        )
    return out


def _driver_labels(es: ElementSet) -> np.ndarray:
    """Elements grouped for the variance drivers: by rule and place."""
    return np.array([str(n) for n in es.name], dtype=object)
