"""Network elements as GeoJSON for the web map (built once per network object, then bytes).

``links``: one feature per physical link and direction pair (mode, status,
opening year, gauge, name, passage) on its real shape, simplified (Douglas-Peucker,
0.005 degree, about 500 m) and rounded to 0.001 degree; ``places``: named points (with aliases) and port
nodes; ``borders``: border crossings with the countries on each side.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import numpy as np
import pandas as pd
from fastapi import Path

from serai.api.problems import Problem

__all__ = ["LAYERS", "LAYER_PATH", "layer"]

LAYERS = ("links", "places", "borders")
SIMPLIFY_DEG = 0.005  # Douglas-Peucker tolerance of the links layer (about 500 m)
LAYER_PATH = Path(pattern="^(links|places|borders)$", description="links, places or borders")
_CACHE: dict[tuple[int, str, tuple[str, ...]], tuple[Any, bytes]] = {}
_LOCK = threading.Lock()


def layer(network: Any, name: str, modes: tuple[str, ...] | list[str] = ()) -> bytes:
    """GeoJSON bytes of one layer of ``network`` (cached per network, layer and modes)."""
    if name not in LAYERS:
        raise Problem(
            404, "not-found", f"no layer '{name}'; layers: {', '.join(LAYERS)}", field="layer"
        )
    key = (id(network), name, tuple(sorted(modes)))
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None and hit[0] is network:
        return hit[1]
    fc = {"links": _links, "places": _places, "borders": _borders}[name](network, tuple(modes))
    data = json.dumps(fc, ensure_ascii=False, separators=(",", ":")).encode()
    with _LOCK:
        _CACHE[key] = (network, data)
    return data


def _s(v: Any) -> Any:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def link_lines(network: Any, link_ids: Any) -> list[np.ndarray]:
    """Shapes of links (lon, lat arrays), simplified for the map (:data:`SIMPLIFY_DEG`)."""
    from serai.freight.shapes import ShapeIndex

    ix = ShapeIndex.of(network)
    lines = [ix.link_line(int(lid)) for lid in link_ids]
    try:
        import shapely
    except ImportError:  # geo extra absent: full shapes
        return lines
    if not lines:
        return lines
    parts = [x if len(x) >= 2 else np.zeros((2, 2)) for x in lines]
    idx = np.repeat(np.arange(len(parts)), [len(x) for x in parts])
    geoms = shapely.simplify(shapely.linestrings(np.vstack(parts), indices=idx), SIMPLIFY_DEG)
    return [
        shapely.get_coordinates(g) if len(x) >= 2 else x for g, x in zip(geoms, lines, strict=True)
    ]


def _links(network: Any, modes: tuple[str, ...]) -> dict[str, Any]:
    links = network.links
    known = set(links["mode"].astype(str))
    bad = [x for x in modes if x not in known]
    if bad:
        raise Problem(
            422,
            "invalid-input",
            f"unknown mode {bad[0]!r}; modes: {', '.join(sorted(known))}",
            field="modes",
        )
    L = links if not modes else links.loc[links["mode"].isin(modes)]
    a = np.minimum(L["from_node"].to_numpy(), L["to_node"].to_numpy())
    b = np.maximum(L["from_node"].to_numpy(), L["to_node"].to_numpy())
    L = L.assign(_a=a, _b=b).drop_duplicates(["_a", "_b", "mode"])
    cols = [
        c
        for c in ("mode", "status", "open_year", "gauge", "name", "passage", "length")
        if c in L.columns
    ]
    lines = link_lines(network, L["link_id"].to_numpy())
    feats = []
    for rec, lid, line in zip(
        L[cols].to_dict(orient="records"), L["link_id"].to_numpy(), lines, strict=True
    ):
        if len(line) < 2:
            continue
        props = {k: v for k, v in ((k, _s(v)) for k, v in rec.items()) if v not in (None, "")}
        if "length" in props:
            props["length"] = round(float(props["length"]), 1)
        if props.get("status") == "operational":
            del props["status"]  # the default; planned and under_construction are kept
        props["id"] = int(lid)
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": np.round(line, 3).tolist()},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def _places(network: Any, modes: tuple[str, ...]) -> dict[str, Any]:
    feats = []
    pts = network.tables.get("points")
    seen: set[str] = set()
    if pts is not None:
        for r in pts.drop_duplicates("point_id").itertuples(index=False):
            lon, lat = _s(getattr(r, "lon", None)), _s(getattr(r, "lat", None))
            if lon is None or lat is None:
                continue
            seen.add(str(r.name))
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(float(lon), 4), round(float(lat), 4)],
                    },
                    "properties": {
                        "id": str(r.point_id),
                        "name": str(r.name),
                        "kind": "point",
                        "aliases": _s(getattr(r, "aliases", None)) or "",
                    },
                }
            )
    nodes = network.nodes
    if "kind" in nodes.columns:
        ports = nodes.loc[nodes["kind"].isin(["port", "terminal", "rail_terminal", "dry_port"])]
        for r in ports.itertuples(index=False):
            name = _s(getattr(r, "name", None)) or ""
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(float(r.x), 4), round(float(r.y), 4)],
                    },
                    "properties": {
                        "id": str(r.node_id),
                        "name": name,
                        "kind": str(r.kind),
                        "country": _s(getattr(r, "country", None)) or "",
                    },
                }
            )
    return {"type": "FeatureCollection", "features": feats}


def _borders(network: Any, modes: tuple[str, ...]) -> dict[str, Any]:
    bc = network.tables.get("border_crossings")
    feats = []
    if bc is not None and {"x", "y"} <= set(bc.columns):
        for rec in bc.to_dict(orient="records"):
            x, y = _s(rec.get("x")), _s(rec.get("y"))
            if x is None or y is None:
                continue
            props = {
                k: _s(rec.get(k))
                for k in ("mode", "country_a", "country_b", "name", "status", "open_year", "time_h")
                if k in rec
            }
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(float(x), 4), round(float(y), 4)],
                    },
                    "properties": props,
                }
            )
    return {"type": "FeatureCollection", "features": feats}
