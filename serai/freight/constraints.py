"""What a route may not use or must visit, and which of those restrictions cut every route.

:class:`Constraints` is plain data; :meth:`serai.freight.Router.mask` turns it into a
boolean mask over the graph's edges. When no route is left, :func:`diagnose` finds
which single restriction (or the combination, the commodity's own rules, or the
network itself) cut it and returns the :class:`NoRouteError` that says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from serai.errors import NoPathError

if TYPE_CHECKING:
    from serai.freight.cost import LinkCosts
    from serai.freight.route import Router

__all__ = ["Constraints", "NoRouteError", "diagnose", "passage_countries"]


@cache
def passage_countries() -> dict[str, frozenset[str]]:
    """Sea passage -> countries whose waters it runs through (``data/passages.csv``)."""
    from importlib import resources

    with resources.files("serai.freight.data").joinpath("passages.csv").open("rb") as fh:
        t = pd.read_csv(fh)
    return {
        str(r.passage): frozenset(str(r.countries).split(";")) for r in t.itertuples(index=False)
    }


#: Names of one passage that networks may tag either way (data/passages.csv lists both).
PASSAGE_SYNONYMS: tuple[frozenset[str], ...] = (frozenset({"ormuz", "hormuz"}),)


class NoRouteError(NoPathError):
    """No route satisfies the request; ``cause`` names the constraint that cut it."""

    def __init__(self, message: str, cause: str = "") -> None:
        super().__init__(message)
        self.cause = cause


def _fs(values: Iterable[Any] | None, upper: bool = False, lower: bool = False) -> frozenset:
    if values is None:
        return frozenset()
    if isinstance(values, (str, int)):
        values = [values]
    out = []
    for v in values:
        s = v.strip() if isinstance(v, str) else v
        if isinstance(s, str):
            s = s.upper() if upper else s.lower() if lower else s
        out.append(s)
    return frozenset(out)


def _ids(values: Iterable[Any] | None, field: str) -> frozenset[int]:
    if values is None:
        return frozenset()
    from serai._checks import check_count

    if isinstance(values, (str, int, float)):
        values = [values]
    return frozenset(check_count(v, field, low=-(2**62), high=2**62) for v in values)


@dataclass(frozen=True)
class Constraints:
    """What a route may not use or must visit.

    Attributes
    ----------
    avoid_countries
        ISO2 codes: no virtual link touching these countries.
    avoid_passages
        Sea passages (``suez``, ``bosporus``, ``babalmandab``, ``cape``, ``volga_don``, ...).
    avoid_nodes, avoid_links
        Physical node and link ids.
    avoid_services
        Scheduled services (ferry, ro-ro, feeder lines) by ``service_id``; both
        directions of a two-way service are avoided.
    modes
        Allowed modes of movement (:data:`serai.modes.MODES`: ``rail``, ``road``, ``sea``, ``ferry``,
        ``roro``, ``feeder``, ``inland_waterway``); None = all.
    via
        Places (names or node ids) to visit in order.
    """

    avoid_countries: frozenset[str] = frozenset()
    avoid_passages: frozenset[str] = frozenset()
    avoid_nodes: frozenset[int] = frozenset()
    avoid_links: frozenset[int] = frozenset()
    modes: frozenset[str] | None = None
    via: tuple[Any, ...] = ()
    avoid_services: frozenset[str] = frozenset()

    @classmethod
    def make(
        cls,
        *,
        avoid_countries: Iterable[str] | None = None,
        avoid_passages: Iterable[str] | None = None,
        avoid_nodes: Iterable[int] | None = None,
        avoid_links: Iterable[int] | None = None,
        modes: Iterable[str] | None = None,
        via: Sequence[Any] | None = None,
        avoid_services: Iterable[str] | None = None,
    ) -> Constraints:
        """Build from plain lists (normalises case)."""
        passages = _fs(avoid_passages, lower=True)
        for group in PASSAGE_SYNONYMS:  # one strait, two tags: avoiding one avoids both
            if passages & group:
                passages |= group
        return cls(
            _fs(avoid_countries, upper=True),
            passages,
            _ids(avoid_nodes, "avoid_nodes"),
            _ids(avoid_links, "avoid_links"),
            None if modes is None else _fs(modes, lower=True),
            tuple(via or ()) if not isinstance(via, (str, int)) else (via,),
            _fs(avoid_services),
        )

    def parts(self) -> list[tuple[str, Constraints]]:
        """Each single restriction, described, with the constraints that remain without it."""
        out = []
        for c in sorted(self.avoid_countries):
            out.append(
                (
                    f"country {c} is avoided",
                    replace(self, avoid_countries=self.avoid_countries - {c}),
                )
            )
        for p in sorted(self.avoid_passages):
            out.append(
                (f"passage {p} is avoided", replace(self, avoid_passages=self.avoid_passages - {p}))
            )
        for n in sorted(self.avoid_nodes):
            out.append((f"node {n} is avoided", replace(self, avoid_nodes=self.avoid_nodes - {n})))
        for n in sorted(self.avoid_links):
            out.append((f"link {n} is avoided", replace(self, avoid_links=self.avoid_links - {n})))
        for s in sorted(self.avoid_services):
            out.append(
                (
                    f"service {s} is avoided",
                    replace(self, avoid_services=self.avoid_services - {s}),
                )
            )
        if self.modes is not None:
            out.append(
                (
                    f"only modes {', '.join(sorted(self.modes))} are allowed",
                    replace(self, modes=None),
                )
            )
        for i, v in enumerate(self.via):
            out.append(
                (f"via point {v} is required", replace(self, via=self.via[:i] + self.via[i + 1 :]))
            )
        return out

    @property
    def empty(self) -> bool:
        return not (
            self.avoid_countries
            or self.avoid_passages
            or self.avoid_nodes
            or self.avoid_links
            or self.avoid_services
            or self.modes is not None
            or self.via
        )


def diagnose(
    router: Router, o: Any, d: Any, lc: LinkCosts, objective: str, cons: Constraints,
    ends: Any = None,
) -> NoRouteError:  # fmt: skip
    """Why no route joins ``o`` and ``d``: the :class:`NoRouteError` naming what cut it.

    Tries each restriction of ``cons`` dropped alone, then none, then any cost the
    commodity's rules allow; ``ends`` holds the located end points (first/last-mile legs).
    """
    on, dn = router.places.name(o) or str(o), router.places.name(d) or str(d)
    base = router.edge_objective(lc, objective)
    op = dp = None
    if ends is not None:  # located places, possibly off the network
        starts, stops, op, dp = ends
        on, dn = op.label, dp.label
        po, pd_ = starts[0][1], stops[0][1]
    else:
        po, pd_ = router.rg.place(o), router.rg.place(d)

    def reachable(c: Constraints) -> bool:
        via = router.via_places(c.via, op, dp)
        return router._search(np.where(router.mask(c), base, np.inf), po, pd_, via) is not None

    culprits = [(desc, rest) for desc, rest in cons.parts() if reachable(rest)]
    avoided = [d.removesuffix(" is avoided") for d, _ in culprits if d.endswith(" is avoided")]
    other = [d for d, _ in culprits if not d.endswith(" is avoided")]
    if avoided and not other:
        what = avoided[0] if len(avoided) == 1 else "one of " + ", ".join(avoided)
        which = "which is" if len(avoided) == 1 else "all"
        return NoRouteError(
            f"no route from {on} to {dn}: every route needs {what}, {which} avoided",
            culprits[0][0],
        )
    if culprits:
        descs = "; ".join(d for d, _ in culprits)
        return NoRouteError(
            f"no route from {on} to {dn}: dropping any one of these would give one: {descs}",
            culprits[0][0],
        )
    if not cons.empty and reachable(Constraints()):
        return NoRouteError(
            f"no route from {on} to {dn}: the constraints together cut every route "
            "(no single one does)",
            "combination",
        )
    # the commodity's own rules?
    any_cost = np.where(np.isfinite(lc.hours), 1.0, 1.0)[router.rg.graph.link_rows]
    if router._search(np.where(router.mask(cons), any_cost, np.inf), po, pd_, []) is not None:
        c = lc.commodity
        return NoRouteError(
            f"no route from {on} to {dn} for {c.commodity}: every route between them needs a "
            "mode, service or transfer point its rules exclude (commodities.csv: modes "
            f"{', '.join(c.modes)}; services {', '.join(c.service_modes)}"
            + (f"; transfers only at {', '.join(c.transfer_kinds)}" if c.transfer_kinds else "")
            + (f"; gauge changes only at {', '.join(c.gauge_breaks)}" if c.gauge_breaks else "")
            + "); other commodities have a route: try end points at a port or rail terminal",
            "commodity",
        )
    return NoRouteError(
        f"no route from {on} to {dn}: they are not connected in the network"
        f" (year {router.rg.year})",
        "network",
    )
