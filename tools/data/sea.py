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
# Clip: the whole world ocean (mineral chains end at US East and Gulf coast ports).
SEA_CLIP = (-180.0, -90.0, 180.0, 90.0)
# Passages of rivers and canals that only river-sea ships use: their links are mode
# ``inland_waterway`` (vessel limits: river-sea ships, no container liners), not ``sea``.
INLAND = ("volga_don",)
# The Suez Canal from Port Said to Suez: every lane with a vertex in it is tagged ``suez``
# (the marnet tag stops short of Port Said's approach across the coarse Nile-delta coastline)
SUEZ_BOX = (32.2, 29.9, 32.65, 31.45)
# The Cape of Good Hope: marnet tags only some lanes off South Africa (``south_africa``), and
# routes rounded Africa at 40°S, 20°E on untagged lanes (``--avoid-passage cape`` did nothing).
# Every sea route between the Indian and the Atlantic Ocean south of Africa crosses the
# meridian of Cape Agulhas (Africa's southern tip) south of it: each lane meeting that line is
# tagged ``cape``. (lon, lat) of Cape Agulhas; the line runs due south from it.
CAPE_CUT = (20.0, -34.83)
# Sea-going rivers and ship channels (lanes that legitimately cross the coarse land polygons):
# name -> box; their lanes are tagged with the name as ``passage`` and kept.
SEAWAYS = {
    "mississippi": (-91.5, 28.8, -89.0, 30.5),  # New Orleans, below Baton Rouge
    "houston_ship_channel": (-95.4, 29.2, -94.4, 29.9),
    "elbe": (8.2, 53.4, 10.1, 54.0),  # Hamburg
    "scheldt": (3.3, 51.2, 4.5, 51.6),  # Antwerp
    "nieuwe_waterweg": (3.9, 51.85, 4.6, 52.0),  # Rotterdam
}
# The St Lawrence to Montréal. Marnet draws one lane from the Gulf of St Lawrence (its junction
# at 65.64°W, 49.51°N) up the river past Québec and Montréal and on through the Seaway and the
# Great Lakes to Duluth; at the 1:50m scale the river above Québec and the Seaway are land, so
# the land check dropped the whole lane and Montréal had no sea access. The lane is cut at
# marnet's own vertex at the port of Montréal (below): the part from the Gulf to Montréal is kept
# (passage ``st_lawrence``, its shape and length marnet's: the vertices follow the river within
# about 2 km at Québec, Trois-Rivières, Sorel and Montréal), the part above is left out. Why
# Montréal: it is the head of navigation for ocean-going container ships; above it the Seaway's
# locks (Seawaymax, about 225 m x 23.8 m) take lakers and small bulk ships, not liners (general
# knowledge, no figure in the facts: EST).
ST_LAWRENCE_HEAD = (-73.536, 45.51)
# passages whose lanes are kept whatever land they seem to cross (canals, straits)
KEEP_PASSAGES = (
    "suez", "panama", "kiel", "bosporus", "dardanelles", "st_lawrence", *INLAND, *SEAWAYS,
)  # fmt: skip
# Ports kept: every port in the corridor box (Black Sea, Marmara, Caspian) and these gateways.
PORT_BOX = (26.0, 36.0, 56.0, 48.0)
GATEWAYS = (
    "CNSHA", "CNLYG", "CNNGB", "CNTXG", "CNTAO", "CNSZX", "SGSIN", "MYPKG", "LKCMB", "AEJEA",
    "EGPSD", "EGSUZ", "GRPIR", "ITTRS", "SIKOP", "TRMER", "NLRTM", "BEANR", "DEHAM", "DEBRV",
    "DEDUI", "PLGDN", "LTKLJ", "RULED", "ZACPT", "ESALG", "MAPTM", "DJJIB", "INNSA",
    # INSTC to India, US East and Gulf coast (mineral chains), Europe's main ports
    "INBOM", "IRBND", "PKKHI", "OMSLL", "USBAL", "USORF", "USNYC", "USEWR", "USPHL", "USSAV",
    "USCHS", "USJAX", "USHOU", "USMSY", "USMOB", "FRLEH", "FRMRS", "FRDKK", "ESVLC", "ESBCN",
    "GBFXT", "GBSOU", "GBLGP", "ITGOA", "SEGOT", "NOOSL", "DKAAR", "PLGDY", "LVRIX", "EETLL",
    "FIHEL", "IEDUB", "BGVAR",
    # the Pacific: US West Coast, Japan, Korea, Canada, Taiwan, south China; Colón (Panama).
    # Not Balboa (the coarse coastline of the Bay of Panama: 55 km over land)
    "USLAX", "USLGB", "USOAK", "USSEA", "USTIW", "CAVAN", "CAPRR", "CAHAL", "JPTYO", "JPYOK",
    "JPNGO", "JPUKB", "JPOSA", "KRPUS", "KRINC", "KRKAN", "TWKHH", "HKHKG", "CNXMN", "PAONX",
    "USMIA",
    # Montréal, up the St Lawrence (ST_LAWRENCE_HEAD)
    "CAMTR",
)  # fmt: skip
# names of the port list replaced by the usual English name of the port (UN/LOCODE names)
PORT_NAMES = {"KRPUS": "Busan", "CAVAN": "Vancouver", "USSEA": "Seattle"}


def build_sea(raw: Path, split_at=None, land=None, log=print):
    """Marnet as undirected edges (one per LineString, length along its vertices), passage tags
    and the mode of each edge (``sea`` or ``inland_waterway`` for :data:`INLAND` passages).

    ``split_at``: (lon, lat) arrays of river ports; the nearest vertex of an inland line
    within 10 km of each becomes a node, so the port joins the waterway where it lies.
    """
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
    # seasonal Arctic passages without liner service are left out (searoute's default too)
    keep = [i for i in keep if passage[i] not in ("northwest", "bering")]
    coords = [coords[i] for i in keep]
    passage = [passage[i] for i in keep]
    coords, passage = cut_st_lawrence(coords, passage, log)
    passage = np.array(passage, dtype=object)
    passage = np.array([PASSAGE_NAMES.get(p, p) for p in passage], dtype=object)
    for name, b in [("volga_don", VOLGA_DON_BOX), ("suez", SUEZ_BOX), *SEAWAYS.items()]:
        for i, c in enumerate(coords):
            inside = (c[:, 0] >= b[0]) & (c[:, 1] >= b[1]) & (c[:, 0] <= b[2]) & (c[:, 1] <= b[3])
            if inside.any() and passage[i] in ("", name):
                passage[i] = name
    for i, c in enumerate(coords):
        if passage[i] in ("", "cape") and meets_meridian_south(c, *CAPE_CUT):
            passage[i] = "cape"
    # every vertex is a node (lines meet at interior vertices too); one edge per segment.
    # marnet cuts the Pacific lanes at the antimeridian: a line ending at (-180, lat) goes on
    # from (180, lat), so both are one node (at x = 180; each lane keeps its own shape and
    # length on its side: no segment spans the antimeridian)
    allpts = np.concatenate(coords)
    key = allpts.copy()
    key[key[:, 0] == -180.0, 0] = 180.0
    uniq, inv = np.unique(key, axis=0, return_inverse=True)
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
    if split_at is not None and len(split_at[0]):
        inland_pts = np.flatnonzero(np.isin(passage[feat], list(INLAND)))
        if len(inland_pts):
            cand = np.unique(np.r_[u[inland_pts], v[inland_pts]])
            for qx, qy in zip(*split_at, strict=True):
                d = haversine_km(uniq[cand, 0], uniq[cand, 1], qx, qy)
                k = int(np.argmin(d))
                if d[k] <= 25.0:
                    protect[cand[k]] = True
    e = go.contract(e, protect)
    e = go.Edges(e.n, e.u, e.v, np.round(e.km, 3), e.geom, e.tag)
    nodes = pd.DataFrame({"lon": uniq[:, 0], "lat": uniq[:, 1]})
    if land is not None:
        # lanes across land (lakes, rivers, peninsulas at the 1:50m scale) are not sea lanes
        from serai.data.check import OVER_LAND_KM, _km_over_land

        over = _km_over_land(e.geom, land)
        # 0.5 km stricter than the check: the check adds the end nodes to each lane's polyline
        drop = (over > OVER_LAND_KM - 0.5) & ~np.isin(passage[e.tag], list(KEEP_PASSAGES))
        log(f"sea: {int(drop.sum())} marnet lanes crossing more than {OVER_LAND_KM:g} km of land "
            f"left out ({over[drop].sum():,.0f} km over land)")  # fmt: skip
        e = e.take(~drop)
    # keep the world ocean (the largest component; the Caspian joins it by the Volga-Don)
    comp = go.components(e.n, e.u, e.v)
    sizes = np.bincount(comp[np.r_[e.u, e.v]], minlength=comp.max() + 1)
    mask = (comp[e.u] == int(np.argmax(sizes))) & (e.u != e.v)
    e = e.take(mask)
    p = passage[e.tag]
    return nodes, e, p, np.where(np.isin(p, list(INLAND)), "inland_waterway", "sea")


def cut_st_lawrence(coords: list, passage: list, log=print) -> tuple[list, list]:
    """Marnet's St Lawrence lane cut at Montréal (:data:`ST_LAWRENCE_HEAD`): the part from
    the sea up to Montréal tagged ``st_lawrence``, the part above (the Seaway, the Great
    Lakes) left out. Lanes not passing Montréal are returned as they are.

    >>> lane = np.array([[-65.6, 49.5], [-71.2, 46.8], [-73.536, 45.51], [-76.0, 44.0]])
    >>> c, p = cut_st_lawrence([lane, np.array([[0.0, 0.0], [1.0, 1.0]])], ["", ""], log=None)
    >>> c[0].tolist(), p
    ([[-65.6, 49.5], [-71.2, 46.8], [-73.536, 45.51]], ['st_lawrence', ''])
    """
    head = np.asarray(ST_LAWRENCE_HEAD)
    out_c, out_p = [], []
    for c, p in zip(coords, passage, strict=True):
        at = np.flatnonzero((np.abs(c - head) <= 1e-3).all(axis=1))
        if not len(at):
            out_c.append(c)
            out_p.append(p)
            continue
        j = int(at[0])
        # the sea is east (downstream): keep the part towards the lane's eastern end
        down = c[: j + 1] if c[0, 0] > c[-1, 0] else c[j:]
        if len(down) >= 2:
            out_c.append(down)
            out_p.append("st_lawrence")
        if log is not None:
            up = len(c) - len(down) + 1
            log(f"sea: St Lawrence lane cut at Montréal: {len(down)} vertices kept to the sea, "
                f"{up} above Montréal (Seaway, Great Lakes) left out")  # fmt: skip
    return out_c, out_p


def meets_meridian_south(c: np.ndarray, lon: float, lat: float) -> bool:
    """Whether a line (N x 2, lon/lat) meets the meridian ``lon`` at or south of ``lat``
    (segments across the antimeridian are not taken to cross it).

    >>> meets_meridian_south(np.array([[10.0, -40.0], [30.0, -40.0]]), 20.0, -34.83)
    True
    >>> meets_meridian_south(np.array([[10.0, -30.0], [30.0, -30.0]]), 20.0, -34.83)
    False
    >>> meets_meridian_south(np.array([[179.0, -60.0], [-179.0, -60.0]]), 20.0, -34.83)
    False
    """
    x, y = c[:, 0], c[:, 1]
    if ((x == lon) & (y <= lat)).any():
        return True
    x0, x1, y0, y1 = x[:-1], x[1:], y[:-1], y[1:]
    cross = ((x0 - lon) * (x1 - lon) < 0) & (np.abs(x1 - x0) < 180.0)
    if not cross.any():
        return False
    t = (lon - x0[cross]) / (x1[cross] - x0[cross])
    return bool((y0[cross] + t * (y1[cross] - y0[cross]) <= lat).any())


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
    df["name"] = [PORT_NAMES.get(c, n) for c, n in zip(df["unlocode"], df["name"], strict=True)]
    df = df.sort_values("unlocode").drop_duplicates("unlocode")
    # the same place listed twice under two codes (e.g. TMKRW / TKMRW): keep the first
    df = df.assign(_k=np.round(df.lon, 2).astype(str) + np.round(df.lat, 2).astype(str))
    df = df.drop_duplicates("_k").drop(columns="_k")
    return df.reset_index(drop=True)
