"""Rail and road from the OSM-derived source graphs, listed ferries, named points snapped to
them, transfers between modes (stage 2 of the build: clip and snap)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tools.data.geo import haversine_km
from tools.data.landnet import RAIL, ROAD, _nearest, build_land
from tools.data.steps.common import (
    ACCESS_DETOUR,
    BROAD_GAUGE,
    ID_BASE,
    LINE_SNAP_KM,
    MAX_ACCESS_KM,
    TOWN_POPULATION,
    TRANSFER_KM,
    _gauge,
    _undirected_to_links,
)
from tools.data.steps.sources import _towns


def land_modes(raw, points, connectors, ferries, countries, add_shapes, log):
    """Rail and road graphs clipped from ``raw`` with their listed connectors and ferries.

    Returns ``(node_frames, link_frames, bridge_frames, land)``: rail's then road's frames
    (graph, then ferries) and ``land[mode]``, the junction nodes of each mode.
    """
    node_frames, link_frames, bridge_frames = [], [], []
    land = {}
    for mode, kind, params in (("rail", "railways", RAIL), ("road", "highways", ROAD)):
        pm = points[points["modes"].str.contains(mode)]
        con = connectors[connectors["mode"] == mode]
        fer = ferries[ferries["service_kind"] == ("ferry" if mode == "rail" else "roro")]
        towns = _towns(raw, TOWN_POPULATION) if mode == "rail" else None
        res = build_land(raw, kind, params, countries, pm, con, fer, towns)
        e = res.edges
        used = np.flatnonzero(e.degree() > 0)
        ids = ID_BASE[mode] + res.nodes["raw_id"].to_numpy()
        nodes = pd.DataFrame(
            {
                "node_id": ids[used],
                "x": res.nodes["lon"].to_numpy()[used],
                "y": res.nodes["lat"].to_numpy()[used],
                "country": res.nodes["country"].to_numpy()[used],
                "kind": "junction",
                "mode": mode,
            }
        )
        mid = np.array([g[len(g) // 2] for g in e.geom])
        # link country: the country at the middle vertex of its geometry
        lcc = countries.lookup(mid[:, 0], mid[:, 1], nearest_km=15.0)
        lcc = np.where(lcc == "", res.nodes["country"].to_numpy()[e.u], lcc)
        shape = add_shapes(e.geom)
        extra = {"country": lcc, "shape_id": shape, "origin": "osm"}
        if mode == "rail":
            extra["gauge"] = _gauge(lcc, mid)
        links = _undirected_to_links(ids[e.u], ids[e.v], e.km, mode, extra)
        # listed connectors keep their identity: mark them
        b = res.bridges
        listed = b[b["kind"] == "listed"]
        key = set(zip(ids[listed["node_u"]], ids[listed["node_v"]], strict=True))
        key |= {(y, x) for x, y in key}
        is_con = np.array(
            [(f, t) in key for f, t in zip(links.from_node, links.to_node, strict=True)]
        )
        links.loc[is_con, "origin"] = "connector"
        cid = dict()
        for r in listed.itertuples():
            cid[(ids[r.node_u], ids[r.node_v])] = r.connector_id
            cid[(ids[r.node_v], ids[r.node_u])] = r.connector_id
        links["name"] = [
            cid.get((f, t), "") for f, t in zip(links.from_node, links.to_node, strict=True)
        ]
        bridge_frames.append(
            b.assign(mode=mode).drop(columns=["u", "v", "node_u", "node_v"], errors="ignore")
        )
        node_frames.append(nodes)
        link_frames.append(links)
        fnodes, flinks = _ferry_links(res, ids, fer, mode, add_shapes, log)
        node_frames.append(fnodes)
        link_frames.append(flinks)
        land[mode] = nodes
        log(f"{mode}: {len(nodes):,} nodes, {len(e.u):,} links, {e.km.sum():,.0f} km, "
            f"{(b['kind'] == 'auto').sum()} auto bridges, {len(listed)} listed connectors, "
            f"{res.dropped_components} small components dropped")  # fmt: skip
    return node_frames, link_frames, bridge_frames, land


def snap_points(land, points) -> pd.DataFrame:
    """Each named point on the nearest node of each land mode it lists (inside its own country
    when a node of it is within ``LINE_SNAP_KM``): point_id, mode, node_id, snap_km,
    same_country."""
    snap_rows = []
    for mode in ("rail", "road"):
        ln = land[mode]
        lx, ly = ln["x"].to_numpy(), ln["y"].to_numpy()
        pm = points[points["modes"].str.contains(mode)]
        if not len(pm):
            continue
        j = _nearest(lx, ly, np.ones(len(lx), bool), pm["lon"], pm["lat"])
        d = np.asarray(haversine_km(lx[j], ly[j], pm["lon"], pm["lat"]))
        # a point with a country snaps inside that country when a node of it is near enough
        # (Iğdır must not snap onto the Armenian line across the border)
        lcc = ln["country"].to_numpy()
        for code in sorted(set(pm["country"]) - {""}):
            own = lcc == code
            sel = np.flatnonzero((pm["country"] == code).to_numpy())
            if not own.any() or not len(sel):
                continue
            j2 = _nearest(lx, ly, own, pm["lon"].to_numpy()[sel], pm["lat"].to_numpy()[sel])
            d2 = np.asarray(
                haversine_km(lx[j2], ly[j2], pm["lon"].to_numpy()[sel], pm["lat"].to_numpy()[sel])
            )
            use = (lcc[j[sel]] != code) & (d2 <= LINE_SNAP_KM)
            j[sel[use]] = j2[use]
            d[sel[use]] = d2[use]
        for r, jj, dd in zip(pm.itertuples(), j, d, strict=True):
            same = (not r.country) or lcc[jj] == r.country
            snap_rows.append(
                (r.point_id, mode, int(ln["node_id"].iat[jj]), round(float(dd), 3), bool(same))
            )
    return pd.DataFrame(
        snap_rows, columns=["point_id", "mode", "node_id", "snap_km", "same_country"]
    )


# Kinds of named point (facts §1 "Type") where no rail-road container terminal is sourced: a
# border checkpoint (Saryagash "border checkpoint to Uzbekistan", Khorgos (CN), Bakhty, Dilucu,
# Torugart) or a rail junction (Beyneu, Ayagoz, Navoi). A box changes between truck and train
# only where it can be lifted: a city's freight station, a port, a terminal or dry port, a
# transshipment station at a break of gauge (EST: the facts name container handling at Dostyk,
# Altynkol / Khorgos Gateway, Akhalkalaki and Brest, and none at these checkpoints or junctions).
# Before, every named point served by both networks got a transfer, and routes from Tashkent
# trucked a box 22 km across the Uzbek-Kazakh road border to put it on a train at Saryagash.
NO_TRANSFER_KINDS = ("border", "junction")


def rail_road_transfer_points(points: pd.DataFrame, point_ids) -> list:
    """The point ids among ``point_ids`` where a rail <-> road transfer link is built.

    Named points of kind ``border`` or ``junction`` (:data:`NO_TRANSFER_KINDS`) get none;
    points without a kind (anchors: cities of the Natural Earth list) keep theirs.

    Examples
    --------
    >>> pts = pd.DataFrame({"point_id": ["tashkent", "saryagash", "beyneu", "moscow"],
    ...                     "kind": ["city", "border", "junction", ""]})
    >>> rail_road_transfer_points(pts, ["saryagash", "tashkent", "beyneu", "moscow"])
    ['tashkent', 'moscow']
    """
    kinds = points.drop_duplicates("point_id").set_index("point_id")["kind"].fillna("")
    return [p for p in point_ids if str(kinds.get(p, "")) not in NO_TRANSFER_KINDS]


def transfers(land, port_nodes, points, snaps, nodes, links):
    """Port <-> rail/road transfers (within ``TRANSFER_KM``), access links of named ports
    farther than that (listed, estimate), rail <-> road transfers at named points served by
    both. Returns ``(links with them, connector rows of the access links)``."""
    xfer, access_rows, bridge_frames = [], [], []
    # ports (with or without a named point) to rail / road within TRANSFER_KM; named sea points
    # farther than that get an access link (listed, estimate) in the land mode
    for mode in ("rail", "road"):
        ln = land[mode]
        lx, ly = ln["x"].to_numpy(), ln["y"].to_numpy()
        j = _nearest(lx, ly, np.ones(len(lx), bool), port_nodes["x"], port_nodes["y"])
        d = np.asarray(haversine_km(lx[j], ly[j], port_nodes["x"], port_nodes["y"]))
        for r, jj, dd in zip(port_nodes.itertuples(), j, d, strict=True):
            target = int(ln["node_id"].iat[jj])
            if dd <= TRANSFER_KM:
                xfer.append(
                    (
                        r.node_id,
                        target,
                        max(round(float(dd), 3), 0.001),
                        r.country,
                        "port_transfer",
                        f"{r.unlocode or r.point_id} {mode}",
                        r.status,
                        r.open_year,
                    )
                )
            elif (
                r.point_id
                and dd <= MAX_ACCESS_KM
                and mode in points.set_index("point_id").at[r.point_id.split("|")[0], "modes"]
            ):
                km = round(float(dd) * ACCESS_DETOUR, 3)
                first = r.point_id.split("|")[0]
                access_rows.append(
                    (r.node_id, target, km, mode, r.country, first, r.status, r.open_year)
                )
    # rail <-> road at every named point served by both where a box can change mode: not at a
    # border checkpoint or a junction (NO_TRANSFER_KINDS)
    both = snaps.pivot_table(index="point_id", columns="mode", values="node_id", aggfunc="first")
    if {"rail", "road"} <= set(both.columns):
        both = both.dropna()
        both = both.loc[rail_road_transfer_points(points, both.index)]
        nx = nodes.set_index("node_id")
        for pid_, r in both.iterrows():
            a, b = int(r["rail"]), int(r["road"])
            d = float(haversine_km(nx.at[a, "x"], nx.at[a, "y"], nx.at[b, "x"], nx.at[b, "y"]))
            if d <= TRANSFER_KM:
                xfer.append(
                    (
                        a,
                        b,
                        max(round(d, 3), 0.001),
                        nx.at[a, "country"],
                        "rail_road_transfer",
                        pid_,
                        "operational",
                        "",
                    )
                )
    xf = pd.DataFrame(
        xfer, columns=["a", "b", "km", "country", "origin", "name", "status", "open_year"]
    )
    xf = xf.drop_duplicates(["a", "b"])
    link_frames = [links, _undirected_to_links(
        xf["a"].to_numpy(), xf["b"].to_numpy(), xf["km"].to_numpy(), "transfer",
        {"country": xf["country"].to_numpy(), "origin": xf["origin"].to_numpy(), "name": xf["name"].to_numpy(),
         "status": xf["status"].to_numpy(), "open_year": xf["open_year"].to_numpy()},
    )]  # fmt: skip
    if access_rows:
        ac = pd.DataFrame(
            access_rows,
            columns=["a", "b", "km", "mode", "country", "point_id", "status", "open_year"],
        )
        for mode, grp in ac.groupby("mode"):
            extra = {"country": grp["country"].to_numpy(), "origin": "connector",
                     "name": (grp["point_id"] + "_access").to_numpy(),
                     "status": grp["status"].to_numpy(), "open_year": grp["open_year"].to_numpy()}  # fmt: skip
            if mode == "rail":
                extra["gauge"] = np.where(np.isin(grp["country"], list(BROAD_GAUGE)), 1520, 1435)
            link_frames.append(
                _undirected_to_links(
                    grp["a"].to_numpy(), grp["b"].to_numpy(), grp["km"].to_numpy(), mode, extra
                )
            )
            for r in grp.itertuples():
                bridge_frames.append(pd.DataFrame([{
                    "km": r.km, "kind": "listed", "connector_id": f"{r.point_id}_access", "mode": mode,
                    "reason": f"{r.point_id}: no {mode} line reaches the port in the source graph; access "
                              f"link to the nearest {mode} node, length great-circle x {ACCESS_DETOUR} (estimate)",
                    "country": r.country}]))  # fmt: skip
    links = pd.concat(link_frames, ignore_index=True)
    return links, bridge_frames


def _ferry_links(res, ids, ferries: pd.DataFrame, mode: str, add_shapes, log):
    """Listed ferries (``ferries.csv``: lake and strait crossings off the sea network).

    Each terminal is a node at its listed position (kind ``ferry_terminal``, the land mode's
    layer), joined to the nearest node of the mode's graph by an access link (great-circle x
    ``ACCESS_DETOUR``, ``origin=connector``); the crossing is a ``ferry`` link between the
    two terminals along the listed ``via`` points (``lat lon;lat lon``), its length the
    polyline's x the listed detour, with the listed crossing time and wait (estimates, with
    their reasoning). Returns (nodes, links).
    """
    f = res.ferries
    missing = sorted(set(ferries["ferry_id"]) - set(f["ferry_id"]))
    if missing:
        log(f"ferries not joined (terminal > 15 km from the graph or outside it): {missing}")
    if not len(f):
        return pd.DataFrame(), pd.DataFrame()
    row = ferries.set_index("ferry_id").loc[f["ferry_id"]].reset_index()
    lon, lat = res.nodes["lon"].to_numpy(), res.nodes["lat"].to_numpy()
    cc = res.nodes["country"].to_numpy()
    u, v = f["node_u"].to_numpy(), f["node_v"].to_numpy()
    k = np.arange(len(f))
    base = ID_BASE["ferry_terminal"] + (0 if mode == "rail" else 500_000)
    ta, tb = base + 2 * k, base + 2 * k + 1
    ax, ay = row["from_lon"].astype(float).to_numpy(), row["from_lat"].astype(float).to_numpy()
    bx, by = row["to_lon"].astype(float).to_numpy(), row["to_lat"].astype(float).to_numpy()
    nodes = pd.DataFrame(
        {"node_id": np.r_[ta, tb], "x": np.r_[ax, bx], "y": np.r_[ay, by],
         "country": np.r_[cc[u], cc[v]], "kind": "ferry_terminal", "mode": mode,
         "name": np.r_[row["from_name"], row["to_name"]]}
    )  # fmt: skip
    # access: terminal <-> nearest graph node
    gx, gy = np.r_[lon[u], lon[v]], np.r_[lat[u], lat[v]]
    tx, ty = np.r_[ax, bx], np.r_[ay, by]
    akm = np.round(np.maximum(np.asarray(haversine_km(gx, gy, tx, ty)) * ACCESS_DETOUR, 0.001), 3)
    ageom = [np.array([[gx[i], gy[i]], [tx[i], ty[i]]]) for i in range(len(gx))]
    access = _undirected_to_links(
        np.r_[ids[u], ids[v]], np.r_[ta, tb], akm, mode,
        {"country": np.r_[cc[u], cc[v]], "shape_id": add_shapes(ageom), "origin": "connector",
         "name": np.r_[row["ferry_id"], row["ferry_id"]] + "_access",
         "length_source": f"estimate: great-circle x {ACCESS_DETOUR} (ferry terminal access)"},
    )  # fmt: skip
    if mode == "rail":  # the gauge of the line the terminal serves
        access["gauge"] = np.tile(_gauge(np.r_[cc[u], cc[v]], np.c_[gx, gy]), 2)
    # the crossing, along the listed via points
    geom, km = [], []
    for i, r in enumerate(row.itertuples()):
        via = [tuple(float(t) for t in p.split()) for p in str(r.via).split(";") if p.strip()]
        pts = np.array([[ax[i], ay[i]], *[(lo, la) for la, lo in via], [bx[i], by[i]]])
        seg = haversine_km(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1])
        geom.append(pts)
        km.append(round(float(np.sum(seg)) * float(r.detour), 3))
    why = ("estimate: " + row["note"]).to_numpy(object)
    extra = {
        "country": "", "shape_id": add_shapes(geom), "origin": "listed_ferry",
        "name": row["ferry_id"].to_numpy(object), "service_kind": row["service_kind"].to_numpy(object),
        "passage": row["passage"].to_numpy(object),
        "free_flow_time": np.round(row["crossing_h"].astype(float).to_numpy() * 60.0, 3),
        "wait_h": row["wait_h"].astype(float).to_numpy(), "time_source": why,
        "length_source": why,
    }  # fmt: skip
    log(f"ferries: {', '.join(row['ferry_id'])}")
    crossing = _undirected_to_links(ta, tb, np.array(km), "ferry", extra)
    return nodes, pd.concat([access, crossing], ignore_index=True)


def _attach_points(nodes, snaps, points):
    nodes = nodes.copy()
    for col in ("name", "point_id", "unlocode", "status", "open_year"):
        if col not in nodes.columns:
            nodes[col] = ""
        nodes[col] = nodes[col].fillna("")
    near = snaps[(snaps["snap_km"] <= LINE_SNAP_KM) & snaps["same_country"]]
    pid = near.groupby("node_id")["point_id"].apply(lambda s: "|".join(sorted(s)))
    names = points.set_index("point_id")["name"]
    idx = nodes["node_id"].map(pid)
    has = idx.notna() & (nodes["point_id"] == "")
    nodes.loc[has, "point_id"] = idx[has]
    nm = nodes.loc[has, "point_id"].map(lambda p: " / ".join(names[q] for q in p.split("|")))
    nodes.loc[has & (nodes["name"] == ""), "name"] = nm
    return nodes


def _final_snaps(snaps: pd.DataFrame, nodes: pd.DataFrame, log) -> pd.DataFrame:
    """Each named point on the node that stands for it in each mode: the station node a facts
    line created for it, else the nearest node within ``LINE_SNAP_KM``; a point farther than
    that from a mode's network is not on that network (no row), and the log says so."""
    st = nodes[(nodes["kind"] == "station") & (nodes["point_id"] != "")]
    own = {
        (m, p): int(n) for n, m, p in zip(st["node_id"], st["mode"], st["point_id"], strict=True)
    }
    snaps = snaps.copy()
    for i, (m, p) in enumerate(zip(snaps["mode"], snaps["point_id"], strict=True)):
        if (m, p) in own:
            snaps.iat[i, snaps.columns.get_loc("node_id")] = own[(m, p)]
            snaps.iat[i, snaps.columns.get_loc("snap_km")] = 0.0
            snaps.iat[i, snaps.columns.get_loc("same_country")] = True
    far = snaps["snap_km"] > LINE_SNAP_KM
    if far.any():
        log("points off a network (nearest node farther than "
            f"{LINE_SNAP_KM:g} km, not snapped): "
            + ", ".join(f"{p} {m} {k:,.0f} km" for p, m, k in
                        zip(snaps.loc[far, "point_id"], snaps.loc[far, "mode"], snaps.loc[far, "snap_km"], strict=True)))  # fmt: skip
    return snaps[~far].reset_index(drop=True)
