"""Rail and road networks from the OSM-derived scgraph graphs: clip, clean, simplify.

Pipeline (both modes): country of every raw node (Natural Earth point-in-polygon) ->
clip to the region of interest -> keep the main component and the detached pieces
that hold a corridor anchor -> contract degree-2 chains -> prune short dead ends ->
merge junctions closer than a few km -> contract again -> simplify geometry.
Nodes where the country changes along an edge are kept, so every border crossing
is one short link with a node on each side.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tools.data import graphops as go
from tools.data.geo import Countries, haversine_km

# Region of interest: ISO2 -> optional (lon_min, lat_min, lon_max, lat_max) clip inside the country.
RAIL_REGION: dict[str, tuple | None] = {
    "CN": None, "MN": None, "KZ": None, "UZ": None, "KG": None, "TJ": None, "TM": None,
    "AZ": None, "GE": None, "AM": None, "TR": None, "IR": (44.0, 34.5, 62.0, 40.0),
    "RU": (27.0, 41.0, 126.0, 58.0), "BY": None, "UA": None, "MD": None, "LT": None,
    "PL": None, "DE": None, "NL": None, "BE": None, "LU": None, "CZ": None, "SK": None,
    "AT": None, "HU": None, "RO": None, "BG": None, "RS": None, "HR": None, "SI": None,
    # the rest of Europe: France, Iberia, Britain and Ireland (Channel Tunnel), Italy,
    # Switzerland, Scandinavia and the Baltics, the Balkans and Greece
    "FR": None, "ES": None, "PT": None, "AD": None, "GB": None, "IE": None, "IT": None,
    "CH": None, "LI": None, "DK": None, "SE": None, "NO": None, "FI": None, "EE": None,
    "LV": None, "GR": None, "AL": None, "MK": None, "ME": None, "BA": None, "XK": None,
}  # fmt: skip
RAIL_REGION["IR"] = None  # the whole of Iran: INSTC to Bandar Abbas
# Russia east to the source clip (lon 125.5): the Trans-Siberian east of Omsk to Zabaikalsk
# (Manzhouli) and Naushki (Mongolia: Sukhbaatar–Ulaanbaatar–Zamyn-Uud–Erenhot), the routes of
# the China–Europe trains that do not cross Kazakhstan; still south of 58 N (the Perm–Kirov
# line and St Petersburg's region are not in the rail network).
# Road: the corridor core and all of Europe (first/last mile, whole truck routes).
ROAD_REGION: dict[str, tuple | None] = {
    "CN": (73.0, 34.0, 110.0, 50.0), "KZ": None, "UZ": None, "KG": None, "TJ": None,
    "TM": None, "AZ": None, "GE": None, "AM": None, "TR": None, "IR": (44.0, 34.5, 62.0, 40.0),
    "RU": (37.0, 41.0, 62.0, 56.5), "BY": None, "PL": None, "DE": None, "NL": None,
    "BG": None, "RO": None, "UA": None, "MD": None, "HU": None, "AT": None, "CZ": None,
    "SK": None, "RS": None,
    "BE": None, "LU": None, "FR": None, "ES": None, "PT": None, "AD": None, "GB": None,
    "IE": None, "IT": None, "CH": None, "LI": None, "SI": None, "HR": None, "DK": None,
    "SE": None, "NO": None, "FI": None, "EE": None, "LV": None, "LT": None, "GR": None,
    "AL": None, "MK": None, "ME": None, "BA": None, "XK": None,
}  # fmt: skip
ROAD_REGION["CN"] = None  # all of China: ports (Shanghai, Lianyungang) and Chongqing by road
ROAD_REGION["IR"] = None  # all of Iran (INSTC)
# Dense countries get a coarser junction merge (km).
DENSE = {"CN", "DE", "NL", "BE", "LU", "PL", "CZ", "AT", "UA", "RU", "SK", "HU", "RO", "SI", "HR", "RS", "BG",
         "FR", "GB", "IT", "CH", "ES", "DK"}  # fmt: skip


@dataclass(frozen=True)
class LandParams:
    region: dict
    spur_km: float
    merge_km_dense: float
    merge_km: float
    tolerance_deg: float
    auto_gap_km: float
    dead_end_bridges: bool = False  # also bridge gaps inside the graph (``_dead_end_bridges``)


RAIL = LandParams(RAIL_REGION, 25.0, 8.0, 3.0, 0.01, 2.0, dead_end_bridges=True)
ROAD = LandParams(ROAD_REGION, 40.0, 12.0, 4.0, 0.015, 2.0)


@dataclass(frozen=True)
class LandNet:
    """Result: nodes (lon, lat, country, raw id) and undirected links with geometry."""

    nodes: pd.DataFrame  # index, raw_id, lon, lat, country
    edges: go.Edges
    dropped_components: int
    bridges: pd.DataFrame  # u, v (node index), km, kind (auto|listed), connector_id, reason
    ferries: pd.DataFrame | None = None  # ferry_id, node_u, node_v (node index), snap_km


def _region_mask(lon, lat, cc, region):
    m = np.zeros(len(lon), bool)
    for code, box in region.items():
        hit = cc == code
        if box is not None:
            hit &= (lon >= box[0]) & (lat >= box[1]) & (lon <= box[2]) & (lat <= box[3])
        m |= hit
    return m


def build_land(
    raw: Path,
    kind: str,
    params: LandParams,
    countries: Countries,
    anchors: pd.DataFrame,
    connectors: pd.DataFrame,
    ferries: pd.DataFrame | None = None,
    towns: pd.DataFrame | None = None,
) -> LandNet:
    """Build the simplified rail (``kind='railways'``) or road (``'highways'``) network.

    ``ferries`` (ferry_id, from_lat, from_lon, to_lat, to_lon): crossings by ship that this
    mode's graph has no link for (train ferries for rail, ro-ro for road). Their terminal
    nodes (the nearest graph node, within ``FERRY_SNAP_KM``) are kept, and the pieces they
    join count as one component, so an island (Sicily, Hainan, Ireland) is not dropped;
    the ferry links themselves are added by the build (mode ``ferry``).

    ``towns`` (lon, lat): places whose nearest graph node within ``TOWN_KM`` is kept through
    the simplification, so a line through a town has a node there (Kyzylorda, Erzurum,
    Mashhad were 40-170 km from the nearest rail node, and a route from them began with a
    road leg that long).
    """
    nodes = pd.read_csv(raw / f"{kind}_nodes.csv.gz")
    edges = pd.read_csv(raw / f"{kind}_edges.csv.gz")
    lon, lat = nodes["lon"].to_numpy(float), nodes["lat"].to_numpy(float)
    cc = countries.lookup(lon, lat, nearest_km=15.0)
    sel = np.flatnonzero(_region_mask(lon, lat, cc, params.region))
    index = np.full(int(nodes["node"].max()) + 1, -1, np.int64)
    index[nodes["node"].to_numpy()[sel]] = np.arange(len(sel))
    u = index[edges["u"].to_numpy()]
    v = index[edges["v"].to_numpy()]
    ok = (u >= 0) & (v >= 0)
    u, v, km = u[ok], v[ok], edges["km"].to_numpy(float)[ok]
    n = len(sel)
    lon, lat, cc = lon[sel], lat[sel], cc[sel]
    raw_id = nodes["node"].to_numpy()[sel]
    xy = np.column_stack([lon, lat])
    e = go.dedupe(go.Edges(n, u, v, km, [xy[[a, b]] for a, b in zip(u, v, strict=True)]))

    # bridge tiny gaps (<= auto_gap_km) between components, then the listed connectors
    e, auto = _auto_bridge(e, lon, lat, params.auto_gap_km, params.dead_end_bridges)
    e, listed = _listed_connectors(e, lon, lat, connectors)
    bridges = pd.concat([auto, listed], ignore_index=True)
    fa, fb, fsnap, fid = _ferry_ends(e, lon, lat, ferries)
    # keep the main component (ferries join their two sides); report what is dropped
    comp = go.components(n, np.r_[e.u, fa], np.r_[e.v, fb])
    deg = e.degree()
    sizes = np.bincount(comp[deg > 0], minlength=comp.max() + 1)
    main = int(np.argmax(sizes))
    e = e.take(comp[e.u] == main)
    dropped = int((sizes > 0).sum() - 1)
    deg = e.degree()
    anchor_node = _nearest(lon, lat, deg > 0, anchors["lon"].to_numpy(), anchors["lat"].to_numpy())
    d = haversine_km(lon[anchor_node], lat[anchor_node], anchors["lon"], anchors["lat"])

    # protected nodes: both ends of country-changing edges, and the nodes nearest the anchors
    protect = np.zeros(n, bool)
    cross = cc[e.u] != cc[e.v]
    protect[e.u[cross]] = True
    protect[e.v[cross]] = True
    protect[anchor_node[d < 25.0]] = True
    if towns is not None and len(towns):
        town_node = _nearest(lon, lat, deg > 0, towns["lon"].to_numpy(), towns["lat"].to_numpy())
        dt = np.asarray(haversine_km(lon[town_node], lat[town_node], towns["lon"], towns["lat"]))
        protect[town_node[dt <= TOWN_KM]] = True
    ends = bridges[["u", "v"]].to_numpy().ravel()
    protect[ends] = True
    protect[fa] = True
    protect[fb] = True

    e = go.contract(e, protect)
    e = go.Edges(e.n, e.u, e.v, e.km, go.simplify(e.geom, params.tolerance_deg / 2))
    rep_all = np.arange(n)
    for _ in range(3):
        e = go.prune_spurs(e, protect, params.spur_km)
        # merge junctions joined by a short link inside one grid cell of one country
        # (the cell bounds the cluster: no chaining across a dense network)
        dense = np.isin(cc, list(DENSE))
        cell_deg = np.where(dense, params.merge_km_dense, params.merge_km) / 111.0
        cx = np.floor(lon / cell_deg).astype(np.int64)
        cy = np.floor(lat / cell_deg).astype(np.int64)
        limit = np.where(dense[e.u], params.merge_km_dense, params.merge_km)
        short = (e.km < limit) & (cc[e.u] == cc[e.v]) & (cx[e.u] == cx[e.v]) & (cy[e.u] == cy[e.v])
        if not short.any():
            break
        e, rep = go.collapse_short(e, short, protect)
        e = reattach(e, lon, lat)
        protect = protect.copy()
        protect[rep[protect]] = True
        rep_all = rep[rep_all]
        e = go.contract(e, protect)
    e = go.Edges(e.n, e.u, e.v, np.round(e.km, 3), go.simplify(e.geom, params.tolerance_deg))
    out_nodes = pd.DataFrame({"raw_id": raw_id, "lon": lon, "lat": lat, "country": cc})
    bu, bv = bridges["u"].to_numpy(), bridges["v"].to_numpy()
    bridges = bridges.assign(
        from_lon=lon[bu], from_lat=lat[bu], to_lon=lon[bv], to_lat=lat[bv],
        country=cc[bu], node_u=rep_all[bu], node_v=rep_all[bv],
    )  # fmt: skip
    kept = comp[fa] == main
    ferry_out = pd.DataFrame(
        {"ferry_id": fid[kept], "node_u": rep_all[fa[kept]], "node_v": rep_all[fb[kept]],
         "snap_km": fsnap[kept]}
    )  # fmt: skip
    return LandNet(out_nodes, e, dropped, bridges, ferry_out)


# a town's nearest graph node is kept if it is this close (stations lie off the centre)
TOWN_KM = 10.0
BRIDGE_CELL_DEG = 0.25  # one auto bridge per pair of graph pieces per cell of this size
FERRY_SNAP_KM = 15.0  # a ferry terminal farther than this from the mode's graph is not joined


def _ferry_ends(e: go.Edges, lon, lat, ferries: pd.DataFrame | None):
    """Graph nodes nearest each ferry's two terminals (both within ``FERRY_SNAP_KM``)."""
    z = np.zeros(0, np.int64)
    if ferries is None or not len(ferries):
        return z, z, np.zeros(0), np.zeros(0, object)
    deg = e.degree()
    a = _nearest(
        lon, lat, deg > 0, ferries["from_lon"].astype(float), ferries["from_lat"].astype(float)
    )
    b = _nearest(
        lon, lat, deg > 0, ferries["to_lon"].astype(float), ferries["to_lat"].astype(float)
    )
    da = np.asarray(
        haversine_km(
            lon[a], lat[a], ferries["from_lon"].astype(float), ferries["from_lat"].astype(float)
        )
    )
    db = np.asarray(
        haversine_km(
            lon[b], lat[b], ferries["to_lon"].astype(float), ferries["to_lat"].astype(float)
        )
    )
    ok = (da <= FERRY_SNAP_KM) & (db <= FERRY_SNAP_KM) & (a != b)
    snap = np.maximum(da, db)
    return a[ok], b[ok], snap[ok], ferries["ferry_id"].to_numpy(object)[ok]


def reattach(e: go.Edges, lon, lat) -> go.Edges:
    """After nodes were merged, join every edge to where its end nodes now are.

    An edge's geometry still starts and ends at the positions of the nodes it
    had before the merge; the moved end is joined to the representative node by
    a straight piece whose great-circle length is added to the edge's length
    (so no edge ends up shorter than the straight line between its nodes).

    >>> import numpy as np
    >>> from tools.data import graphops as go
    >>> e = go.Edges(3, np.array([0]), np.array([2]), np.array([100.0]),
    ...              [np.array([[0.0, 0.0], [0.9, 0.0]])])
    >>> round(float(reattach(e, np.array([0.0, 0.9, 1.0]), np.zeros(3)).km[0]), 2)
    111.12
    """
    if not len(e.u):
        return e
    g0 = np.array([g[0] for g in e.geom])
    g1 = np.array([g[-1] for g in e.geom])
    d0 = np.asarray(haversine_km(lon[e.u], lat[e.u], g0[:, 0], g0[:, 1]))
    d1 = np.asarray(haversine_km(g1[:, 0], g1[:, 1], lon[e.v], lat[e.v]))
    moved = np.flatnonzero((d0 > 1e-6) | (d1 > 1e-6))
    geom = list(e.geom)
    for k in moved:
        parts = [geom[k]]
        if d0[k] > 1e-6:
            parts.insert(0, np.array([[lon[e.u[k]], lat[e.u[k]]]]))
        if d1[k] > 1e-6:
            parts.append(np.array([[lon[e.v[k]], lat[e.v[k]]]]))
        geom[k] = np.concatenate(parts)
    return go.Edges(e.n, e.u, e.v, e.km + d0 + d1, geom, e.tag)


def _nearest(lon, lat, mask, qlon, qlat):
    """Index of the nearest masked node to each query point (KD-tree on a local projection)."""
    from scipy.spatial import cKDTree

    idx = np.flatnonzero(mask)
    tree = cKDTree(_xyz(lon[idx], lat[idx]))
    _, j = tree.query(_xyz(np.asarray(qlon, float), np.asarray(qlat, float)))
    return idx[j]


def _xyz(lon, lat):
    lo, la = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _auto_bridge(e: go.Edges, lon, lat, max_km: float, dead_ends: bool = False):
    """Join every two components wherever their nodes come within ``max_km`` of each other.

    These are digitising gaps of the source graph (sidings and lines that stop a few
    hundred metres short of each other), listed in the output. Every pair of
    components gets a bridge (their shortest node pair; ties: lowest node indices) in
    each ``BRIDGE_CELL_DEG`` cell where they meet, so a line cut into several pieces is
    whole again even where each piece also touches a third one (the Turksib north of
    Almaty is four pieces) and a piece joined at both ends keeps both (Zhetygen–Altynkol
    at Zhetygen and at Khorgos). The candidate
    pairs (all node pairs within ``max_km``) are found with a KD-tree. With ``dead_ends``
    (rail), gaps inside one component are bridged too (``_dead_end_bridges``).
    """
    from scipy.spatial import cKDTree

    used = np.flatnonzero(e.degree() > 0)
    pairs = cKDTree(_xyz(lon[used], lat[used])).query_pairs(
        r=max_km * 1.001 / 6371.0088, output_type="ndarray"
    )
    pa, pb = used[pairs[:, 0]], used[pairs[:, 1]]
    comp = go.components(e.n, e.u, e.v)
    cross = comp[pa] != comp[pb]
    pa, pb = pa[cross], pb[cross]
    pkm = np.asarray(haversine_km(lon[pa], lat[pa], lon[pb], lat[pb]), float)
    ok = pkm <= max_km
    pa, pb, pkm = pa[ok], pb[ok], pkm[ok]
    # one bridge per pair of components and place (0.25° cell of the gap): the shortest
    ca, cb = np.minimum(comp[pa], comp[pb]), np.maximum(comp[pa], comp[pb])
    cell = np.floor((lon[pa] + lon[pb]) / 2 / BRIDGE_CELL_DEG).astype(np.int64) * 100_000
    cell += np.floor((lat[pa] + lat[pb]) / 2 / BRIDGE_CELL_DEG).astype(np.int64)
    order = np.lexsort((np.maximum(pa, pb), np.minimum(pa, pb), pkm, cell, cb, ca))
    first = np.ones(len(order), bool)
    first[1:] = (
        (ca[order][1:] != ca[order][:-1])
        | (cb[order][1:] != cb[order][:-1])
        | (cell[order][1:] != cell[order][:-1])
    )
    pick = order[first]
    nu, nv = np.minimum(pa, pb)[pick], np.maximum(pa, pb)[pick]
    nk = np.maximum(np.round(pkm[pick], 3), 0.001)
    geom = [np.column_stack([lon[[a, b]], lat[[a, b]]]) for a, b in zip(nu, nv, strict=True)]
    e = go.dedupe(go.Edges(e.n, np.r_[e.u, nu], np.r_[e.v, nv], np.r_[e.km, nk], e.geom + geom))
    out = pd.DataFrame({"u": nu, "v": nv, "km": nk}).astype(
        {"u": np.int64, "v": np.int64, "km": float}
    )
    out["kind"] = "auto"
    out["connector_id"] = ""
    out["reason"] = f"gap <= {max_km:g} km between components of the OSM-derived graph"
    if not dead_ends:
        return e, out
    e, inner = _dead_end_bridges(e, lon, lat, max_km)
    return e, pd.concat([out, inner], ignore_index=True)


DEAD_END_DETOUR_KM = 50.0  # a dead end this far (along the graph) from a node <= max_km away


def _dead_end_bridges(e: go.Edges, lon, lat, max_km: float):
    """Join a dead end to the nearest node within ``max_km`` that the graph only reaches the
    long way round (more than ``DEAD_END_DETOUR_KM`` along the graph, or not at all).

    These are digitising gaps inside one component: a line that stops a few hundred metres
    short of the station it runs into, while both sides are joined far away (Turkmenabat on
    the Central Asian main line: 0.1 km, otherwise 800 km round via Uzbekistan; Kokand,
    Kokshetau, Dashoguz). A dead end with a node that close but joined to it by the graph
    within the detour is a siding or a station track, and is left alone. One bridge per
    dead end (the nearest such node), pairs found once.

    >>> import numpy as np
    >>> from tools.data import graphops as go
    >>> lon = np.array([0.0, 1.0, 1.005, 2.0, 1.0, 1.005])
    >>> lat = np.array([0.0, 0.0, 0.0, 0.0, 1.0, 1.0])
    >>> e = go.Edges(6, np.array([0, 2, 0, 4, 5]), np.array([1, 3, 4, 5, 3]),
    ...              np.array([111.0, 111.0, 111.0, 1.0, 111.0]), [np.zeros((2, 2))] * 5)
    >>> e2, b = _dead_end_bridges(e, lon, lat, 2.0)
    >>> b[["u", "v"]].to_numpy().tolist(), round(float(b["km"].iat[0]), 3)
    ([[1, 2]], 0.556)
    """
    from scipy import sparse
    from scipy.sparse.csgraph import dijkstra
    from scipy.spatial import cKDTree

    empty = pd.DataFrame({"u": [], "v": [], "km": []}).astype(
        {"u": np.int64, "v": np.int64, "km": float}
    )
    deg = e.degree()
    used = np.flatnonzero(deg > 0)
    ends = np.flatnonzero(deg == 1)
    if not len(ends):
        return e, empty.assign(kind="auto", connector_id="", reason="")
    tree = cKDTree(_xyz(lon[used], lat[used]))
    near = tree.query_ball_point(_xyz(lon[ends], lat[ends]), r=max_km * 1.001 / 6371.0088)
    has = np.array([len(x) > 1 for x in near], bool)
    ends = ends[has]
    near = [np.array(x, np.int64) for x, h in zip(near, has, strict=True) if h]
    m = sparse.coo_matrix((e.km, (e.u, e.v)), shape=(e.n, e.n)).tocsr()
    m = m.maximum(m.T)
    pairs = {}
    for start in range(0, len(ends), 2000):  # bounded memory: rows of dead ends x all nodes
        block = ends[start : start + 2000]
        dist = dijkstra(m, indices=block, limit=DEAD_END_DETOUR_KM)
        for r, a in enumerate(block):
            cand = used[near[start + r]]
            cand = cand[cand != a]
            gap = np.asarray(haversine_km(lon[a], lat[a], lon[cand], lat[cand]), float)
            far = (gap <= max_km) & ~np.isfinite(dist[r, cand])
            if not far.any():
                continue
            k = int(np.argmin(np.where(far, gap, np.inf)))
            b = int(cand[k])
            key = (min(a, b), max(a, b))
            pairs.setdefault(key, float(gap[k]))
    if not pairs:
        return e, empty.assign(kind="auto", connector_id="", reason="")
    keys = sorted(pairs)
    nu = np.array([k[0] for k in keys], np.int64)
    nv = np.array([k[1] for k in keys], np.int64)
    nk = np.maximum(np.round(np.array([pairs[k] for k in keys]), 3), 0.001)
    geom = [np.column_stack([lon[[a, b]], lat[[a, b]]]) for a, b in zip(nu, nv, strict=True)]
    e = go.dedupe(go.Edges(e.n, np.r_[e.u, nu], np.r_[e.v, nv], np.r_[e.km, nk], e.geom + geom))
    out = pd.DataFrame({"u": nu, "v": nv, "km": nk})
    out["kind"] = "auto"
    out["connector_id"] = ""
    out["reason"] = (
        f"dead end <= {max_km:g} km from a node the graph reaches only over "
        f"> {DEAD_END_DETOUR_KM:g} km (gap inside the OSM-derived graph)"
    )
    return e, out


def _listed_connectors(e: go.Edges, lon, lat, connectors: pd.DataFrame):
    """Add the hand-listed connectors (each end snapped to the nearest node of the graph)."""
    if connectors is None or not len(connectors):
        empty = pd.DataFrame({"u": [], "v": [], "km": []}).astype(
            {"u": np.int64, "v": np.int64, "km": float}
        )
        return e, empty.assign(kind="listed", connector_id="", reason="")
    deg = e.degree()
    a = _nearest(lon, lat, deg > 0, connectors["from_lon"], connectors["from_lat"])
    b = _nearest(lon, lat, deg > 0, connectors["to_lon"], connectors["to_lat"])
    straight = haversine_km(lon[a], lat[a], lon[b], lat[b])
    km = np.round(np.maximum(straight * connectors["detour"].to_numpy(float), 0.001), 3)
    geom = [np.column_stack([lon[[x, y]], lat[[x, y]]]) for x, y in zip(a, b, strict=True)]
    e = go.dedupe(go.Edges(e.n, np.r_[e.u, a], np.r_[e.v, b], np.r_[e.km, km], e.geom + geom))
    out = pd.DataFrame(
        {
            "u": a,
            "v": b,
            "km": km,
            "kind": "listed",
            "connector_id": connectors["connector_id"].to_numpy(),
            "reason": connectors["reason"].to_numpy(),
        }
    )
    return e, out
