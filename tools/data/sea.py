"""Maritime network from the Eurostat SeaRoute marnet (via searoute-py) and its port list."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from tools.data import graphops as go
from tools.data.geo import haversine_km

# marnet passage tags -> serai names (``south_africa`` is the Cape of Good Hope route)
PASSAGE_NAMES = {"south_africa": "cape"}
# Volga–Don inland link (Caspian <-> Sea of Azov) has no tag upstream: every marnet line with a
# vertex in this box (the Don above Rostov, the Volga–Don canal, the Volga above Astrakhan) is
# tagged ``volga_don`` so routes can avoid it.
VOLGA_DON_BOX = (39.3, 46.45, 48.0, 52.0)
# Clip: drop the Americas and the Pacific (not needed for Asia–Europe routes).
SEA_CLIP = (-40.0, -60.0, 150.0, 75.0)
# Ports kept: every port in the corridor box (Black Sea, Marmara, Caspian) and these gateways.
PORT_BOX = (26.0, 36.0, 56.0, 48.0)
GATEWAYS = (
    "CNSHA", "CNLYG", "CNNGB", "CNTXG", "CNTAO", "CNSZX", "SGSIN", "MYPKG", "LKCMB", "AEJEA",
    "EGPSD", "EGSUZ", "GRPIR", "ITTRS", "SIKOP", "TRMER", "NLRTM", "BEANR", "DEHAM", "DEBRV",
    "DEDUI", "PLGDN", "LTKLJ", "RULED", "ZACPT", "ESALG", "MAPTM", "DJJIB", "INNSA",
)  # fmt: skip


def build_sea(raw: Path):
    """Marnet as undirected edges (one per LineString, length along its vertices) + passage tags."""
    data = json.loads((raw / "marnet_searoute.geojson").read_text(encoding="utf-8"))
    coords, passage = [], []
    for f in data["features"]:
        g = f["geometry"]
        parts = [g["coordinates"]] if g["type"] == "LineString" else g["coordinates"]
        for p in parts:
            coords.append(np.round(np.asarray(p, float), 5))
            passage.append(f["properties"].get("passage") or "")
    lo0, la0, lo1, _ = SEA_CLIP
    keep = [
        i
        for i, c in enumerate(coords)
        if (c[:, 0].min() >= lo0) and (c[:, 0].max() <= lo1) and (c[:, 1].min() >= la0)
    ]
    coords = [coords[i] for i in keep]
    passage = np.array([passage[i] for i in keep], dtype=object)
    passage = np.array([PASSAGE_NAMES.get(p, p) for p in passage], dtype=object)
    b = VOLGA_DON_BOX
    for i, c in enumerate(coords):
        inside = (c[:, 0] >= b[0]) & (c[:, 1] >= b[1]) & (c[:, 0] <= b[2]) & (c[:, 1] <= b[3])
        if inside.any():
            passage[i] = "volga_don"
    # every vertex is a node (lines meet at interior vertices too); one edge per segment
    allpts = np.concatenate(coords)
    uniq, inv = np.unique(allpts, axis=0, return_inverse=True)
    inv = inv.ravel()
    counts = np.array([len(c) for c in coords])
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    seg_first = np.concatenate(
        [np.arange(s0, s0 + k - 1) for s0, k in zip(starts, counts, strict=True)]
    )
    feat = np.repeat(np.arange(len(coords)), counts - 1)
    u, v = inv[seg_first], inv[seg_first + 1]
    km = haversine_km(
        allpts[seg_first, 0],
        allpts[seg_first, 1],
        allpts[seg_first + 1, 0],
        allpts[seg_first + 1, 1],
    )
    geoms = [allpts[[a, a + 1]] for a in seg_first]
    e = go.Edges(len(uniq), u.astype(np.int64), v.astype(np.int64), np.asarray(km), geoms, feat)
    e = go.dedupe(e)
    # keep feature ends (and so passage boundaries) as nodes; contract the rest
    protect = np.zeros(len(uniq), bool)
    protect[inv[starts]] = True
    protect[inv[starts + counts - 1]] = True
    e = go.contract(e, protect)
    e = go.Edges(e.n, e.u, e.v, np.round(e.km, 3), e.geom, e.tag)
    nodes = pd.DataFrame({"lon": uniq[:, 0], "lat": uniq[:, 1]})
    # keep the component holding the Suez / Malacca routes (the world ocean) and the Caspian
    comp = go.components(e.n, e.u, e.v)
    sizes = np.bincount(comp)
    good = sizes >= 5
    mask = good[comp[e.u]] & (e.u != e.v)
    e = e.take(mask)
    return nodes, e, passage[e.tag]


def load_ports(raw: Path) -> pd.DataFrame:
    """Ports (UN/LOCODE) in the corridor box plus the listed gateways; duplicates dropped."""
    data = json.loads((raw / "ports.geojson").read_text(encoding="utf-8"))
    rows = []
    for f in data["features"]:
        p = f["properties"]
        lon, lat = f["geometry"]["coordinates"][:2]
        rows.append((p["port"], p["name"], p.get("cty", ""), float(lon), float(lat)))
    df = pd.DataFrame(rows, columns=["unlocode", "name", "country_name", "lon", "lat"])
    b = PORT_BOX
    inbox = (df.lon >= b[0]) & (df.lat >= b[1]) & (df.lon <= b[2]) & (df.lat <= b[3])
    df = df[inbox | df.unlocode.isin(GATEWAYS)]
    df = df.sort_values("unlocode").drop_duplicates("unlocode")
    # the same place listed twice under two codes (e.g. TMKRW / TKMRW): keep the first
    df = df.assign(_k=np.round(df.lon, 2).astype(str) + np.round(df.lat, 2).astype(str))
    df = df.drop_duplicates("_k").drop(columns="_k")
    return df.reset_index(drop=True)
