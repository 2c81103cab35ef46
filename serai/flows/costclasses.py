"""Cost classes of the flows: each OD pair priced by the tariff rule of its origin, as the router.

The router prices a route from a place with :meth:`serai.freight.Router.costs_from`: the
commodity's link costs in the variant of the origin's country,
:func:`serai.freight.tariffs.costs_variant` (the import-market premium only on routes from
China; a containerised mineral consignment from Kazakhstan pays the Kazakh export rail rate
``rail.rate.KZ.export``, CAREC TFI3, on its Kazakh rail instead of the transit through rate
``rail.rate.KZ``; docs/tariffs-minerals.md). The flows price every OD pair with the same
function: a demand group whose OD pairs start in countries of different variants becomes one
choice class per variant, and variants with the same costs on the graph share a class (bulk
has neither a premium nor an export rate: one class). Before, every OD pair of a group paid
the costs of a route from China: uranium from the Kazakh mines paid the through rate, USD
0.0083 per t-km of Kazakh rail, where the router charges 0.0883.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CostClass", "cost_classes"]


@dataclass(frozen=True, eq=False)
class CostClass:
    """One choice class: a demand group in one cost variant.

    Attributes
    ----------
    group
        Demand group (``groups.csv``).
    variant
        :attr:`serai.freight.cost.LinkCosts.variant` of its costs (``""``: a route from
        China, ``"no_market"``, ``"export_kz"``).
    name
        Class name: the group, and ``group|variant`` for the other classes of a split group.
    costs
        Its link costs (:class:`~serai.freight.cost.LinkCosts`).
    """

    group: str
    variant: str
    name: str
    costs: object


def cost_classes(
    groups: tuple[str, ...],
    base_costs: tuple,
    od_group: np.ndarray,
    od_country: np.ndarray,
    rows: np.ndarray,
) -> tuple[list[CostClass], np.ndarray]:
    """The choice classes of a demand and the class of each OD pair.

    Parameters
    ----------
    groups
        Demand groups, in class order.
    base_costs
        Link costs of each group's commodity (:func:`serai.freight.link_costs`), before the
        variant of an origin.
    od_group, od_country
        Group and origin country (:meth:`serai.freight.Router.place_country`) of each OD pair.
    rows
        Virtual-link rows of the graph edges (classes with the same generalised cost on
        every edge are one class).

    Returns
    -------
    classes, od_class
        The classes (grouped by group, in ``groups`` order; within a group in order of the
        first OD pair of a variant, the ``""`` variant first) and each OD pair's class index.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> base = NS(gc=np.array([1.0, 2.0]), variant="")
    >>> base.without_market = NS(gc=np.array([1.0, 2.0]), variant="no_market")
    >>> base.export_kz = NS(gc=np.array([1.0, 3.0]), variant="export_kz")
    >>> cls, k = cost_classes(("copper",), (base,), np.array(["copper"] * 3),
    ...                       np.array(["KZ", "UZ", "KZ"]), np.array([0, 1]))
    >>> [c.name for c in cls], k.tolist()
    (['copper|export_kz', 'copper|no_market'], [0, 1, 0])
    """
    from serai.freight.tariffs import costs_variant

    od_group = np.asarray(od_group, dtype=object)
    od_country = np.asarray(od_country, dtype=object)
    od_class = np.full(len(od_group), -1, dtype=np.int64)
    out: list[CostClass] = []
    for g, lc in zip(groups, base_costs, strict=True):
        at = np.flatnonzero(od_group == g)
        kept: list = []  # (costs, OD pairs) per distinct cost on the graph
        by_country: dict[str, int] = {}
        for i in at:
            cc = str(od_country[i] or "")
            if cc not in by_country:
                v = costs_variant(lc, cc)  # the router's rule (Router.costs_from)
                gc = np.asarray(v.gc)[rows]
                same = [
                    j for j, (w, _) in enumerate(kept) if np.array_equal(np.asarray(w.gc)[rows], gc)
                ]
                if same:
                    by_country[cc] = same[0]
                else:
                    by_country[cc] = len(kept)
                    kept.append((v, []))
            kept[by_country[cc]][1].append(i)
        if not kept:  # a group without OD pairs keeps its class (as before)
            kept.append((lc, []))
        kept.sort(key=lambda x: x[0].variant != "")
        for v, ods in kept:
            name = g if len(kept) == 1 or v.variant == "" else f"{g}|{v.variant}"
            od_class[ods] = len(out)
            out.append(CostClass(g, v.variant, name, v))
    return out, od_class
