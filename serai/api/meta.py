"""Meta endpoints: health, version, commodities (``/api/health``, ``/api/version``,
``/api/commodities``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from serai import __version__
from serai.api import models as m
from serai.api.responses import json_response

__all__ = ["API_VERSION", "meta_router"]

API_VERSION = "1"


def meta_router(settings: Any, pool: Any, jobs: Any) -> APIRouter:
    r = APIRouter(tags=["meta"])

    @r.get("/api/health", response_model=m.Health)
    def health() -> Any:
        """Liveness: the process answers; which network years are loaded."""
        return json_response(
            {
                "status": "ok",
                "routers_loaded": [str(y) for y in pool.loaded()],
                "jobs_active": jobs.active(),
            }
        )

    @r.get("/api/version", response_model=m.Version)
    def version() -> Any:
        """serai's version, the API version, the network's content hash and the years it
        covers (``[first, last]``: the only years a request may ask for; the web app bounds its
        year boxes by them)."""
        from serai.data.years import covered_years
        from serai.freight.cache import source_hash

        years = covered_years(settings.network)
        return json_response(
            {
                "serai": __version__,
                "api": API_VERSION,
                "network": source_hash(settings.network),
                "years": list(years) if years else None,
            }
        )

    @r.get("/api/commodities", response_model=list[m.Commodity])
    def commodities() -> Any:
        """Commodities the router knows (key, unit, value, dangerous-goods class, sources)."""
        from serai.freight import commodity_table

        t = commodity_table().reset_index()
        t = t.astype(object).where(t.notna(), None)
        return json_response(t.to_dict(orient="records"))

    return r
