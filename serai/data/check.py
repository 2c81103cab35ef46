"""Anomaly counts of a multimodal network (``serai data check``): geometry, speeds, borders, water.

Every class is an independent check of the tables against geography or against
the facts shipped with the network; none reads what the build claims about
itself (a link's own ``length_source`` is never taken as proof):

``short_link``
    a link shorter than the great-circle distance between its end nodes
    (a straight line is the shortest a rail, road or sea path can be).
``implied_speed``
    a link whose great-circle span over its free-flow time is faster than its
    mode can go (rail and road 120 km/h, sea and ferry 60, inland water 30).
``speed``
    a link whose own ``speed`` is above that limit, or missing/non-positive on a
    rail, road, sea or inland-waterway link (no time can be computed).
``open_closed_border``
    a land link between two countries whose border is closed to freight for
    that mode in the checked year (``border_status`` table) but which the
    network offers as usable in that year.
``water_over_land``
    a sea or ferry link whose geometry runs more than 5 km over land (Natural
    Earth countries minus its marine polygons): a sea lane across a country, or
    a river shown as sea. A port's harbour approach (how deep the port lies
    inside the coarse polygons) and the sea-going canals (Suez, Panama, Kiel)
    are allowed, and so are ferries across the lakes the land polygons cover
    (``LAKES``: Lake Van).
``inland_as_sea``
    a sea or ferry link tagged with an inland passage (``volga_don``, ``danube``...):
    rivers and canals are mode ``inland_waterway``, with their vessel limits.
``far_snap``
    a named point joined to a node farther than 30 km away.
``facts_line``
    a facts line open in the year whose end points are not connected by its
    mode, or whose shortest path differs from the published length by more
    than 25 % (a missing section, or a straight stub standing in for a line).
``disconnected``
    a node outside the largest connected component of the network (all modes,
    elements built by the year; border closures ignored, so an enclave cut off
    by a closed border is not counted).

Examples
--------
>>> import pandas as pd
>>> from serai.network import Network
>>> net = Network.from_tables(
...     nodes=pd.DataFrame({"node_id": [1, 2], "x": [0.0, 1.0], "y": [0.0, 0.0]}),
...     links=pd.DataFrame({"link_id": [1], "from_node": [1], "to_node": [2], "mode": ["rail"],
...                         "length": [50.0], "speed": [60.0], "free_flow_time": [50.0]}))
>>> rep = check_network(net, land=None)
>>> rep.counts["short_link"]  # 50 km for a 111 km straight line
1
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from serai.network.core import Network
from serai.network.geo import degree_gap, lon_gap

__all__ = ["ANOMALY_CLASSES", "CheckReport", "check_network", "great_circle_km", "load_land"]

ANOMALY_CLASSES = (
    "short_link",
    "implied_speed",
    "speed",
    "open_closed_border",
    "water_over_land",
    "inland_as_sea",
    "far_snap",
    "facts_line",
    "disconnected",
)
MAX_SPEED = {"rail": 120.0, "road": 120.0, "sea": 60.0, "ferry": 60.0, "inland_waterway": 30.0}
INLAND_PASSAGES = ("volga_don", "danube", "volga", "don", "rhine", "dnieper")
# canals and straits built or used by sea-going ships, and the sea-going rivers and ship
# channels the build tags (tools/data/sea.py SEAWAYS): their lanes may cross coarse land polygons
CANALS = ("suez", "panama", "kiel", "bosporus", "dardanelles", "st_lawrence", "mississippi",
          "houston_ship_channel", "elbe", "scheldt", "nieuwe_waterweg")  # fmt: skip
# lakes the admin-0 land polygons cover (Natural Earth 1:50m countries include them), crossed by
# listed ferries (tools/data/ferries.csv): their links lie over "land" by construction
LAKES = ("lake_van",)
OVER_LAND_KM = 5.0
FAR_SNAP_KM = 30.0
LINE_TOLERANCE = 0.25
EARTH_R = 6371.0088


def great_circle_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Haversine distance in km (vectorised).

    >>> round(float(great_circle_km(0, 0, 1, 0)), 1)
    111.2
    """
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, float)) for a in (lon1, lat1, lon2, lat2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_R * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


@dataclass
class CheckReport:
    """Counts per anomaly class and one table of the offending rows per class."""

    year: int | None
    counts: dict[str, int]
    details: dict[str, pd.DataFrame] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return int(sum(self.counts.values()))

    def table(self) -> pd.DataFrame:
        """One row per class: class, count, what it means (or why it was skipped)."""
        rows = [
            {"class": k, "count": self.counts.get(k, 0), "note": self.skipped.get(k, "")}
            for k in ANOMALY_CLASSES
        ]
        return pd.DataFrame(rows)


COAST_TOLERANCE_KM = 3.0


def load_land(
    path: Path | str, marine: Path | str | None = None, *, erode_km: float = COAST_TOLERANCE_KM
):
    """Land (one shapely geometry): Natural Earth admin-0 polygons, minus the Natural Earth
    marine polygons (straits, estuaries, lagoons, sea-going rivers) when ``marine`` is given,
    shrunk by ``erode_km`` (the 1:50m coastline is good to a few km: a lane hugging a coast or
    threading a strait is not counted as crossing land; a lane across a peninsula, a lake or a
    river still is)."""
    import json

    import shapely

    def polys(p):
        data = json.loads(Path(p).read_text(encoding="utf-8"))
        geoms = [shapely.geometry.shape(f["geometry"]) for f in data["features"]]
        return shapely.union_all(shapely.make_valid(np.array(geoms, dtype=object)))

    land = polys(path)
    if marine is not None:
        land = shapely.difference(land, polys(marine))
    if erode_km > 0:
        land = shapely.buffer(land, -erode_km / 111.2)
    return land


def default_land_path() -> tuple[Path, Path | None] | None:
    """The Natural Earth countries and marine files of a repository checkout, if present."""
    raw = Path(__file__).resolve().parents[2] / "tools" / "data" / "raw"
    p, m = raw / "ne_50m_admin_0_countries.json", raw / "ne_10m_geography_marine_polys.json"
    return (p, m if m.exists() else None) if p.exists() else None


def _link_geometry(net: Network, links: pd.DataFrame) -> list[np.ndarray]:
    """Polyline of every link: its shape (oriented from->to) or the straight segment."""
    nodes = net.nodes.set_index("node_id")
    fx = nodes["x"].reindex(links["from_node"]).to_numpy(float)
    fy = nodes["y"].reindex(links["from_node"]).to_numpy(float)
    tx = nodes["x"].reindex(links["to_node"]).to_numpy(float)
    ty = nodes["y"].reindex(links["to_node"]).to_numpy(float)
    shapes = net.tables.get("shapes")
    by_shape: dict[int, np.ndarray] = {}
    if shapes is not None and "shape_id" in links.columns and len(shapes):
        sid = shapes["shape_id"].to_numpy()
        cuts = np.flatnonzero(np.diff(sid)) + 1
        xy = np.column_stack([shapes["x"].to_numpy(float), shapes["y"].to_numpy(float)])
        for s, part in zip(sid[np.r_[0, cuts]], np.split(xy, cuts), strict=True):
            by_shape[int(s)] = part
    out = []
    shape_ids = (
        pd.to_numeric(links["shape_id"], errors="coerce").to_numpy(float)
        if "shape_id" in links.columns
        else np.full(len(links), np.nan)
    )
    for k in range(len(links)):
        s = shape_ids[k]
        if np.isfinite(s) and int(s) in by_shape:
            g = by_shape[int(s)]
            # one shape serves both directions: orient it from the from-node (degrees taken
            # across the antimeridian: a Pacific lane may end at x = -180, its node at 180)
            f, t = np.array([fx[k], fy[k]]), np.array([tx[k], ty[k]])
            g = g if degree_gap(g[0], f) <= degree_gap(g[-1], f) else g[::-1]
            # the end nodes on the shape's side of the antimeridian
            f[0] = g[0, 0] + lon_gap(f[0] - g[0, 0])
            t[0] = g[-1, 0] + lon_gap(t[0] - g[-1, 0])
            out.append(np.vstack([f, g, t]))
        else:
            out.append(np.array([[fx[k], fy[k]], [tx[k], ty[k]]]))
    return out


def _km_over_land(geoms: list[np.ndarray], land) -> np.ndarray:
    """Length (km) of each polyline inside the land geometry."""
    import shapely

    if not geoms:
        return np.zeros(0)
    lines = shapely.linestrings(
        np.concatenate(geoms), indices=np.repeat(np.arange(len(geoms)), [len(g) for g in geoms])
    )
    shapely.prepare(land)
    hits = shapely.intersects(lines, land)
    out = np.zeros(len(geoms))
    for k in np.flatnonzero(hits):
        inter = shapely.intersection(lines[k], land)
        coords_parts = [
            shapely.get_coordinates(p) for p in shapely.get_parts(inter) if not p.is_empty
        ]
        km = 0.0
        for c in coords_parts:
            if len(c) >= 2:
                km += float(great_circle_km(c[:-1, 0], c[:-1, 1], c[1:, 0], c[1:, 1]).sum())
        out[k] = km
    return out


def coast_km(lon, lat, land) -> np.ndarray:
    """How far inside the land polygons each point lies (km to their edge; 0 at sea).

    A port in a harbour, estuary or ship channel lies inside coarse land polygons; its
    access to the sea may cross that much land and no more.
    """
    import shapely

    pts = shapely.points(np.asarray(lon, float), np.asarray(lat, float))
    out = np.zeros(len(pts))
    inside = shapely.contains(land, pts)
    if inside.any():
        line = shapely.shortest_line(pts[inside], land.boundary)
        c = shapely.get_coordinates(line).reshape(-1, 2, 2)
        out[inside] = great_circle_km(c[:, 0, 0], c[:, 0, 1], c[:, 1, 0], c[:, 1, 1])
    return out


def check_network(
    net: Network,
    *,
    year: int | None = None,
    land=None,
    facts_lines: pd.DataFrame | None = None,
    points: pd.DataFrame | None = None,
    border_status: pd.DataFrame | None = None,
) -> CheckReport:
    """Count every anomaly class of :data:`ANOMALY_CLASSES` in ``net``.

    Parameters
    ----------
    net
        The network, as loaded (all elements). Borders and facts lines are
        checked on the elements open in ``year``.
    year
        Year of the border and facts-line checks (default: the network's own
        year, else today's network: operational elements not closed).
    land
        Land geometry (shapely) for ``water_over_land``; ``None`` skips that
        class (reported in ``skipped``). See :func:`load_land`.
    facts_lines, points, border_status
        The facts lines, named points and border status (default: the tables
        ``facts_lines``, ``points`` and ``border_status`` of the network).
    """
    from serai.data.status import open_mask

    if year is None:
        year = net.meta.get("year")
    links = net.links
    nodes = net.nodes.set_index("node_id")
    counts: dict[str, int] = {}
    details: dict[str, pd.DataFrame] = {}
    skipped: dict[str, str] = {}
    mode = links["mode"].astype(str).to_numpy()
    fx = nodes["x"].reindex(links["from_node"]).to_numpy(float)
    fy = nodes["y"].reindex(links["from_node"]).to_numpy(float)
    tx = nodes["x"].reindex(links["to_node"]).to_numpy(float)
    ty = nodes["y"].reindex(links["to_node"]).to_numpy(float)
    gc = great_circle_km(fx, fy, tx, ty)
    length = pd.to_numeric(links["length"], errors="coerce").to_numpy(float)
    physical = np.isin(mode, list(MAX_SPEED))

    # short links: 1 m and 0.1 % of slack for rounding
    short = physical & (length < gc * 0.999 - 0.001)
    counts["short_link"] = int(short.sum())
    details["short_link"] = links.loc[
        short, ["link_id", "mode", "from_node", "to_node", "length"]
    ].assign(great_circle_km=np.round(gc[short], 3))

    limit = np.array([MAX_SPEED.get(m, np.inf) for m in mode])
    fft = (
        pd.to_numeric(links["free_flow_time"], errors="coerce").to_numpy(float)
        if "free_flow_time" in links.columns
        else np.full(len(links), np.nan)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = gc / (fft / 60.0)
    fast = physical & np.isfinite(implied) & (implied > limit * 1.001)
    counts["implied_speed"] = int(fast.sum())
    details["implied_speed"] = links.loc[
        fast, ["link_id", "mode", "length", "free_flow_time"]
    ].assign(implied_kmh=np.round(implied[fast], 1))
    speed = (
        pd.to_numeric(links["speed"], errors="coerce").to_numpy(float)
        if "speed" in links.columns
        else np.full(len(links), np.nan)
    )
    timed = np.isfinite(fft) & (fft > 0)
    bad_speed = (physical & np.isfinite(speed) & (speed > limit * 1.001)) | (
        np.isin(mode, ["rail", "road", "sea", "inland_waterway"])
        & ~timed
        & ~(np.isfinite(speed) & (speed > 0))
    )
    counts["speed"] = int(bad_speed.sum())
    details["speed"] = links.loc[bad_speed, ["link_id", "mode", "speed", "free_flow_time"]]

    # closed borders offered as open: the closures derived afresh from the border_status table
    # usable in the year: the link open and both its end nodes too (as load_network(year) keeps it)
    usable = open_mask(links, year)
    if "status" in nodes.columns:
        node_open = pd.Series(open_mask(nodes, year), index=nodes.index)
        usable = (
            usable
            & node_open.reindex(links["from_node"]).fillna(False).to_numpy(bool)
            & node_open.reindex(links["to_node"]).fillna(False).to_numpy(bool)
        )
    bs = border_status if border_status is not None else net.tables.get("border_status")
    if bs is None or not len(bs):
        counts["open_closed_border"] = 0
        skipped["open_closed_border"] = "no border_status table"
    else:
        from serai.data.borders import link_closures
        from serai.data.status import closed_in

        cl = link_closures(links, net.nodes, bs)
        bad = (cl["closure_id"].to_numpy() != "") & closed_in(cl, year) & usable
        counts["open_closed_border"] = int(bad.sum())
        details["open_closed_border"] = links.loc[
            bad, ["link_id", "mode", "from_node", "to_node"]
        ].assign(closure_id=cl["closure_id"].to_numpy()[bad])

    water = np.isin(mode, ["sea", "ferry"])
    passage = (
        links["passage"].astype(str).to_numpy()
        if "passage" in links.columns
        else np.full(len(links), "")
    )
    inland = water & np.isin(passage, list(INLAND_PASSAGES))
    counts["inland_as_sea"] = int(inland.sum())
    details["inland_as_sea"] = links.loc[inland, ["link_id", "mode", "length"]].assign(
        passage=passage[inland]
    )
    if land is None:
        counts["water_over_land"] = 0
        skipped["water_over_land"] = "no land polygons given (repository checkout or --land FILE)"
    else:
        idx = np.flatnonzero(water & ~np.isin(passage, list(CANALS) + list(LAKES)))
        geoms = _link_geometry(net, links.iloc[idx])
        over = _km_over_land(geoms, land)
        # a port's harbour approach (its depth inside the land polygons) is allowed
        kind = (
            nodes["kind"].astype(str)
            if "kind" in nodes.columns
            else pd.Series("", index=nodes.index)
        )
        ports = nodes.index[kind.to_numpy() == "port"]
        allow = pd.Series(coast_km(nodes.loc[ports, "x"], nodes.loc[ports, "y"], land), index=ports)
        sub = links.iloc[idx]
        over = over - (
            allow.reindex(sub["from_node"]).fillna(0.0).to_numpy()
            + allow.reindex(sub["to_node"]).fillna(0.0).to_numpy()
        )
        bad = idx[over > OVER_LAND_KM]
        counts["water_over_land"] = len(bad)
        details["water_over_land"] = links.iloc[bad][["link_id", "mode", "length"]].assign(
            km_over_land=np.round(over[over > OVER_LAND_KM], 1)
        )

    pts = points if points is not None else net.tables.get("points")
    if pts is not None and len(pts) and "snap_km" in pts.columns:
        far = pd.to_numeric(pts["snap_km"], errors="coerce").to_numpy(float) > FAR_SNAP_KM
        counts["far_snap"] = int(far.sum())
        details["far_snap"] = pts.loc[far, ["point_id", "mode", "node_id", "snap_km"]]
    else:
        counts["far_snap"] = 0
        skipped["far_snap"] = "no points table with snap_km"

    fl = facts_lines if facts_lines is not None else net.tables.get("facts_lines")
    if fl is None or not len(fl):
        counts["facts_line"] = 0
        skipped["facts_line"] = "no facts lines"
    else:
        det = _check_facts_lines(net, fl, usable, year)
        counts["facts_line"] = int(det["anomaly"].sum())
        details["facts_line"] = det

    # structural connectivity: pockets cut off only by a closed border are not anomalies
    built = open_mask(links.drop(columns=["closed_from", "close_year"], errors="ignore"), year)
    counts["disconnected"], details["disconnected"] = _disconnected(net, built)
    return CheckReport(year, counts, details, skipped)


def _point_nodes(net: Network) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    if "point_id" not in net.nodes.columns:
        return out
    for nid, pid in zip(net.nodes["node_id"], net.nodes["point_id"].astype(str), strict=True):
        for p in pid.split("|"):
            if p:
                out.setdefault(p, []).append(int(nid))
    return out


def _check_facts_lines(net, fl, usable, year) -> pd.DataFrame:
    """Network distance between each open facts line's end points vs its published length."""
    from serai.data.status import open_mask
    from serai.network import compile_network
    from serai.paths import shortest_paths

    pn = _point_nodes(net)
    rows = []
    mode = net.links["mode"].astype(str).to_numpy()
    graphs = {}
    lines = fl[open_mask(fl, year)] if len(fl) else fl
    for r in lines.itertuples():
        if str(getattr(r, "action", "")) not in ("add", "check", "tag") or r.mode not in (
            "rail",
            "road",
        ):
            continue
        if str(r.from_point) == str(r.to_point):
            continue
        published = pd.to_numeric(pd.Series([r.length_km]), errors="coerce").iat[0]
        a_nodes = [
            n
            for n in pn.get(str(r.from_point), [])
            if net.nodes.set_index("node_id").at[n, "mode"] == r.mode
        ]
        b_nodes = [
            n
            for n in pn.get(str(r.to_point), [])
            if net.nodes.set_index("node_id").at[n, "mode"] == r.mode
        ]
        km = np.nan
        if a_nodes and b_nodes:
            if r.mode not in graphs:
                graphs[r.mode] = compile_network(
                    net, link_mask=usable & (mode == r.mode), check=False
                )
            d = shortest_paths(graphs[r.mode], a_nodes[0], cost="length").distances()
            km = float(d.reindex(b_nodes).min())
        missing = not np.isfinite(km)
        off = (
            np.isfinite(published)
            and not missing
            and abs(km - published) > LINE_TOLERANCE * published
        )
        rows.append({
            "line_id": r.line_id, "mode": r.mode, "published_km": published,
            "network_km": round(km, 1) if np.isfinite(km) else np.nan,
            "anomaly": bool(missing or off),
            "why": "end points not connected" if missing else ("length off" if off else ""),
        })  # fmt: skip
    return pd.DataFrame(
        rows, columns=["line_id", "mode", "published_km", "network_km", "anomaly", "why"]
    )


def _disconnected(net, usable) -> tuple[int, pd.DataFrame]:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    links = net.links[usable]
    ids = net.nodes["node_id"].to_numpy()
    pos = pd.Series(np.arange(len(ids)), index=ids)
    f = pos.reindex(links["from_node"]).to_numpy()
    t = pos.reindex(links["to_node"]).to_numpy()
    ok = ~(np.isnan(f) | np.isnan(t))
    m = coo_matrix(
        (np.ones(ok.sum()), (f[ok].astype(int), t[ok].astype(int))), shape=(len(ids), len(ids))
    )
    _, lab = connected_components(m, directed=False)
    used = np.zeros(len(ids), bool)
    used[f[ok].astype(int)] = True
    used[t[ok].astype(int)] = True
    if not used.any():  # nothing built yet: no component to be cut off from
        return 0, net.nodes.iloc[:0][["node_id", "mode", "country"]].copy()
    sizes = np.bincount(lab[used])
    main = int(np.argmax(sizes))
    bad = used & (lab != main)
    return int(bad.sum()), net.nodes.loc[bad, ["node_id", "mode", "country"]].copy()
