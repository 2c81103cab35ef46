"""Closed country pairs in the flows: no route of any OD pair visits both countries of one.

The router keeps to the closed pairs of its network's year (``border_status`` rows closed
for all freight: Russia–Ukraine, Belarus–Ukraine, Armenia–Azerbaijan;
:mod:`serai.freight.closedpairs`); the flows' routes obey the same rule, applied by the
same function (:func:`serai.freight.closedpairs.least_compliant`) to every least-cost
search the flows make (:meth:`~serai.assignment.choice.ChoiceProblem.least_routes`):

* the seeds (the least-cost route of every corridor restriction of an OD pair),
* the equilibrium's column generation (the least-cost route at the current costs, and
  the corridor routes at those costs when the gap is met),
* the LP's first routes and its pricing (the least reduced-cost route).

Each search is then the least-cost *compliant* route, exactly: the tree's route when it
visits no closed pair; else, with one end in the pair, the least-cost compliant route
avoiding the other country; with neither end in it, the better of those avoiding either
(the router's rule, by induction on the pairs a route visits). The trees of an origin with
a set of countries avoided serve all its destinations. So the equilibrium is the logit
equilibrium over compliant routes (its choice sets hold only compliant routes; the
least-cost one among them at the equilibrium costs is always generated) and the LP is the
least-cost flow over all compliant routes (no compliant route prices out at its end).
An OD pair whose two ends lie in one closed pair gets no route (the ``od`` table's reason
names the pair).

A route visits the countries of its movement edges and of its two ends, as
:func:`serai.freight.closedpairs.route_countries` reads a router's route.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from serai.freight.closedpairs import ClosedPair, broken, least_compliant, router_pairs

__all__ = ["PairRule", "pair_rule"]


class PairRule:
    """The closed-pair rule as the least-cost search of a choice problem (``search``).

    Parameters
    ----------
    router
        The router of the flows' routing graph (its closed pairs, its country masks).
    ends
        (N, 2) countries of the origin and destination of every OD pair ('' unknown).
    """

    def __init__(self, router, ends: np.ndarray) -> None:
        from serai.freight import Constraints

        self.router = router
        self.pairs: tuple[ClosedPair, ...] = router_pairs(router)
        self.ends = np.asarray(ends, dtype=object).reshape(-1, 2)
        rg = router.rg
        rows = np.asarray(rg.graph.link_rows)
        v = rg.vlinks
        move = v["kind"].to_numpy()[rows] == "move"
        country = v["country"].to_numpy()[rows]
        self.countries_of_pairs = sorted({c for p in self.pairs for c in p.countries})
        # per edge: index of the pair country its movement is in (-1: none)
        code = np.full(len(rows), -1, np.int64)
        for j, c in enumerate(self.countries_of_pairs):
            code[move & (country == c)] = j
        self.code = code
        self._make = Constraints.make
        self.searches = 0  # searches made again with a country avoided
        self.blocked: dict[int, ClosedPair] = {}  # OD pair -> pair every route visits

    def countries(self, edges: np.ndarray, i: int) -> set[str]:
        """The pair countries a route of OD pair ``i`` visits, its ends' countries included."""
        got = np.unique(self.code[np.asarray(edges, np.int64)])
        out = {self.countries_of_pairs[j] for j in got.tolist() if j >= 0}
        return out | {c for c in self.ends[i] if c}

    def __call__(self, p, k: int, o: int, ods: list[int], cost: np.ndarray):
        """Least cost and least-cost compliant route of the OD pairs ``ods`` (see module)."""
        from serai.assignment.columns import routes_from_tree
        from serai.paths import shortest_paths

        g = p.graph
        src = int(g.node_ids[o])
        tree = shortest_paths(g, src, cost=cost)
        dest = p.od_destination[ods]
        dist = np.array(tree.dist[dest], float)
        routes = routes_from_tree(tree, dest)
        trees: dict[frozenset[str], object] = {}
        for j, i in enumerate(ods):
            e = routes[j]
            if e is None or broken(self.pairs, self.countries(e, i)) is None:
                continue
            t = int(dest[j])

            def search(avoid: frozenset[str], t: int = t):
                tr = trees.get(avoid)
                if tr is None:
                    mask = self.router.mask(self._make(avoid_countries=sorted(avoid)))
                    tr = shortest_paths(g, src, cost=np.where(mask, cost, np.inf))
                    trees[avoid] = tr
                    self.searches += 1
                r = routes_from_tree(tr, np.array([t], np.int64))[0]
                return None if r is None else (r, float(tr.dist[t]))

            i_ = int(i)
            blocked: list[ClosedPair] = []
            best = least_compliant(
                (e, float(dist[j])), partial(self._visited, i_), search, _cost, self.pairs,
                (self.ends[i_, 0], self.ends[i_, 1]), blocked=blocked,
            )  # fmt: skip
            if best is None:
                self.blocked.setdefault(i_, blocked[-1])
            routes[j], dist[j] = (None, np.inf) if best is None else best
        return dist, routes

    def _visited(self, i: int, route: tuple) -> set[str]:
        return self.countries(route[0], i)

    def refused(self, i: int) -> ClosedPair | None:
        """The closed pair both of whose countries are the ends of OD pair ``i`` (None)."""
        cs = {c for c in self.ends[i] if c}
        return broken(self.pairs, cs)


def _cost(route: tuple) -> float:
    return route[1]


def pair_rule(router, zone_places: pd.DataFrame, origins, destinations) -> PairRule | None:
    """The rule for the OD pairs between these zones (None: no pair closed in the year)."""
    if not router_pairs(router):
        return None
    country = {
        z: (router.place_country(t) if pd.notna(t) else "")
        for z, t in zone_places["target"].items()
    }
    ends = np.array(
        [
            [country.get(o, ""), country.get(d, "")]
            for o, d in zip(origins, destinations, strict=True)
        ],
        dtype=object,
    ).reshape(-1, 2)
    return PairRule(router, ends)
