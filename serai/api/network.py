"""Network elements as GeoJSON for the map (``/api/network/{layer}.geojson``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from serai.api import layers
from serai.api.responses import ERRORS, PROBLEM, body_response, packed, split_values

__all__ = ["network_router"]


def network_router(pool: Any) -> APIRouter:
    r = APIRouter(tags=["network"])
    # layer bytes (cached by serai.api.layers: one object per network, layer and modes)
    # -> (bytes, gzip at level 9), compressed once instead of on every page load
    compressed: dict[int, tuple[bytes, tuple[bytes, bytes | None]]] = {}

    @r.get(
        "/api/network/{layer}.geojson",
        responses={200: {"content": {"application/geo+json": {}}}, 404: PROBLEM, **ERRORS},
    )
    def network_layer(
        layer: Annotated[str, layers.LAYER_PATH],
        modes: Annotated[str, Query(max_length=60, description="Comma-separated modes.")] = "",
    ) -> Any:
        """Network elements as GeoJSON: ``links`` (mode, status, opening year, gauge; real
        shapes), ``places`` (named points and ports), ``borders`` (border crossings)."""
        router, _ = pool.get(None)
        data = layers.layer(router.rg.network, layer, split_values([modes]) if modes else ())
        hit = compressed.get(id(data))
        if hit is None or hit[0] is not data:
            hit = (data, packed(data, level=9))
            if len(compressed) >= 64:
                compressed.clear()
            compressed[id(data)] = hit
        return body_response(hit[1], None, media_type="application/geo+json")

    return r
