"""One-call route queries for the CLI and API: load the network, build the router, answer.

>>> from serai.freight.query import RouteRequest
>>> RouteRequest(origin="Xi'an", destination="Duisburg").objective
'generalised'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from serai.errors import InputError
from serai.freight.route import Constraints, Route, Router
from serai.freight.virtual import build_routing_graph
from serai.network.core import Network

__all__ = ["RouteRequest", "load_network", "make_router", "run_request"]


@dataclass(frozen=True)
class RouteRequest:
    """A route question: places, commodity, year, constraints, objective and what to return.

    ``objective``: ``time``, ``cost``, ``generalised`` or ``emissions`` (least WTW kg CO2e);
    ``carbon_price_usd_per_t`` adds price x WTW emissions to the generalised cost.
    """

    origin: Any
    destination: Any
    commodity: str = "container_feu"
    year: int | None = None
    objective: str = "generalised"
    avoid_countries: tuple[str, ...] = ()
    avoid_passages: tuple[str, ...] = ()
    avoid_nodes: tuple[int, ...] = ()
    avoid_links: tuple[int, ...] = ()
    via: tuple[Any, ...] = ()
    modes: tuple[str, ...] | None = None
    alternatives: int = 1
    distinct_corridors: bool = True
    pareto: bool = False
    carbon_price_usd_per_t: float = 0.0
    origin_country: str | None = None  # keep only places in this country (name or ISO2)
    destination_country: str | None = None
    crew: str = "single"  # truck crew under the driving-time rules: single or double

    def __post_init__(self) -> None:
        from serai._checks import check_alternatives, check_number
        from serai.data.years import whole_year
        from serai.freight.checks import MAX_CARBON_PRICE

        check_alternatives(self.alternatives, "alternatives")
        if self.year is not None:  # its range: the network's (serai.data.years.check_year)
            whole_year(self.year)
        check_number(self.carbon_price_usd_per_t, "carbon_price_usd_per_t", high=MAX_CARBON_PRICE,
                     label="the carbon price (USD per t CO2e)")  # fmt: skip
        for name in ("origin", "destination"):
            v = getattr(self, name)
            if v is None or (isinstance(v, str) and not v.strip()):
                raise InputError(f"no {name} given", field=name)

    def constraints(self) -> Constraints:
        return Constraints.make(
            avoid_countries=self.avoid_countries,
            avoid_passages=self.avoid_passages,
            avoid_nodes=self.avoid_nodes,
            avoid_links=self.avoid_links,
            modes=self.modes,
            via=self.via,
        )


def load_network(path: Path | None = None, *, year: int | None = None) -> Network:
    """A network from ``path`` (any supported format) or the embedded Eurasian network, for
    ``year``: :func:`serai.data.load_network`, the one loader of every entry point."""
    try:
        from serai.data import load_network as _load_network
    except ImportError:
        raise InputError(
            "the embedded Eurasian network is not installed in this build; pass --network PATH"
        ) from None
    return _load_network(year, path=path)


def make_router(network: Network, *, year: int | None = None) -> Router:
    """A router over the routing graph of ``network``, for the year it was loaded for.

    ``year`` may repeat the network's year; a different one is an error (load the
    network of that year instead).
    """
    return Router(build_routing_graph(network, year=year))


def run_request(router: Router, req: RouteRequest) -> list[Route]:
    """Answer a request: one route, ``alternatives`` routes, or the Pareto set."""
    cons = req.constraints()
    origin, destination = req.origin, req.destination
    for field, value in (("from_country", req.origin_country),
                         ("to_country", req.destination_country)):  # fmt: skip
        if value is not None and not str(value).strip():
            raise InputError("empty; give a country name or ISO code", field=field)
    if req.origin_country is not None:
        origin = router.locate_end(origin, "origin", req.origin_country)
    if req.destination_country is not None:
        destination = router.locate_end(destination, "destination", req.destination_country)
    if req.pareto:
        return router.pareto(origin, destination, req.commodity, constraints=cons, crew=req.crew)
    if req.alternatives > 1:
        return router.alternatives(
            origin,
            destination,
            req.commodity,
            k=req.alternatives,
            objective=req.objective,
            distinct_corridors=req.distinct_corridors,
            constraints=cons,
            carbon_price_usd_per_t=req.carbon_price_usd_per_t,
            crew=req.crew,
        )
    return [
        router.route(
            origin,
            destination,
            req.commodity,
            objective=req.objective,
            constraints=cons,
            carbon_price_usd_per_t=req.carbon_price_usd_per_t,
            crew=req.crew,
        )
    ]
