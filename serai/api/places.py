"""Type-ahead place search (``/api/places``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from serai.api import models as m
from serai.api.responses import ERRORS, json_response

__all__ = ["places_router"]


def places_router(settings: Any, pool: Any) -> APIRouter:
    r = APIRouter(tags=["places"])

    @r.get("/api/places", response_model=m.Places, responses=ERRORS)
    def places(
        q: Annotated[str, Query(min_length=1, max_length=100, description="Start of a name.")],
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
        year: Annotated[
            int | None, Query(description="Network year (see RouteQuery.year).")
        ] = None,
    ) -> Any:
        """Type-ahead: places whose name or alias (any script) starts with ``q``.

        From the gazetteer (cities, ports, facts points; routes reach places off the
        network by a first/last-mile road leg), else from the network's own places.
        """
        from serai.api.search import gazetteer_search

        year = pool.check_year(year)  # refused even when the gazetteer answers
        n = min(limit, settings.max_places)
        hits = gazetteer_search(q, n)
        if hits is None:  # no gazetteer in this build: the router's own places
            from serai.api.search import PlaceSearch

            router, _ = pool.get(settings.default_year if year is None else year)
            hits = PlaceSearch.of(router).search(q, n)
        return json_response({"query": q, "places": hits})

    return r
