"""Sea lanes (marnet), listed inland waterways, ports and their access to the water
(stage 2 of the build, water side)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from tools.data.geo import haversine_km
from tools.data.sea import build_sea, load_ports
from tools.data.steps.common import HERE, ID_BASE, _in_box, _land, _undirected_to_links
from tools.data.steps.sources import _point_values


def sea_and_waterways(raw, add_shapes, log):
    """The marnet sea network (split at the Don and Volga river ports) and the listed
    waterways. Returns ``(ports, sea_nodes, sea_links, ww_nodes, ww_links)``; ``ports`` is
    the port list the sea network was split at."""
    ports = load_ports(raw)
    ports = ports[ports["unlocode"] != "TKMRW"]  # duplicate of TMKRW (Turkmenbashi)
    river = _in_box(ports["lon"], ports["lat"], (38.5, 45.5, 49.0, 52.0))  # Don, Volga ports
    snodes, se, passage, smode = build_sea(
        raw,
        split_at=(ports["lon"].to_numpy()[river], ports["lat"].to_numpy()[river]),
        land=_land(),
        log=log,
    )
    sused = np.flatnonzero(se.degree() > 0)
    sids = ID_BASE["sea"] + np.arange(len(snodes))
    sea_nodes = pd.DataFrame(
        {"node_id": sids[sused], "x": snodes["lon"].to_numpy()[sused],
         "y": snodes["lat"].to_numpy()[sused], "country": "", "kind": "sea", "mode": "sea"}
    )  # fmt: skip
    shape = add_shapes(se.geom)
    sea_links = _undirected_to_links(
        sids[se.u], sids[se.v], se.km, "sea",
        {"country": "", "shape_id": shape, "origin": "marnet", "passage": passage},
    )  # fmt: skip
    sea_links["mode"] = np.r_[smode, smode]
    log(f"sea: {len(sea_nodes):,} nodes, {len(se.u):,} links ({int((smode != 'sea').sum())} "
        f"inland waterway); passages {sorted(set(passage) - {''})}")  # fmt: skip
    ww_nodes, ww_links = _waterways(add_shapes, sea_nodes)
    log(f"waterways: {len(ww_nodes)} nodes, {len(ww_links) // 2} links "
        f"({', '.join(sorted(set(ww_links['name'])))})")  # fmt: skip
    return ports, sea_nodes, sea_links, ww_nodes, ww_links


def port_table(ports, points, countries, facts):
    """Port nodes: the port list and the named sea points (a point joins the port with its
    UN/LOCODE or within 5 km, else it is a new port). Returns ``(port_nodes, expansions)``."""
    pts_port = points[points["modes"].str.contains("sea")]
    # named sea points: a port of the list with the same UN/LOCODE or within 5 km, else a new port
    port_rows = []
    for r in ports.itertuples():
        port_rows.append((r.unlocode, r.name, r.lon, r.lat, "", "operational", ""))
    plist = pd.DataFrame(
        port_rows, columns=["unlocode", "name", "lon", "lat", "point_id", "status", "open_year"]
    )
    # operational points first: a planned expansion of an operating port (same UN/LOCODE or
    # within 5 km) is its own element (``expansions`` table), never a status on the port
    pts_port = pts_port.assign(_later=pts_port["status"] != "operational").sort_values(
        ["_later", "point_id"], kind="mergesort"
    )
    expansion_rows = []
    for r in pts_port.itertuples():
        hit = plist.index[(plist["unlocode"] == r.unlocode) & (r.unlocode != "")]
        if not len(hit):
            d = haversine_km(plist["lon"], plist["lat"], r.lon, r.lat)
            hit = plist.index[np.asarray(d) < 5.0]
        if len(hit):
            old = plist.at[hit[0], "point_id"]
            plist.loc[hit[0], "point_id"] = f"{old}|{r.point_id}" if old else r.point_id
            if r.status != "operational":
                expansion_rows.append((r.point_id, r.name, hit[0], r.status, r.open_year))
        else:
            plist.loc[len(plist)] = [
                r.unlocode,
                r.name,
                r.lon,
                r.lat,
                r.point_id,
                r.status,
                r.open_year,
            ]
    plist["_row"] = np.arange(len(plist))
    plist = plist.sort_values(["unlocode", "point_id"]).reset_index(drop=True)
    pid = ID_BASE["port"] + np.arange(len(plist))
    node_of_row = dict(zip(plist["_row"], pid, strict=True))
    plist = plist.drop(columns="_row")
    expansions = _expansions(expansion_rows, node_of_row, facts)
    port_nodes = pd.DataFrame(
        {"node_id": pid, "x": plist["lon"].to_numpy(float), "y": plist["lat"].to_numpy(float),
         "country": countries.lookup(plist["lon"], plist["lat"], nearest_km=50.0),
         "kind": "port", "mode": "sea", "name": plist["name"], "unlocode": plist["unlocode"],
         "point_id": plist["point_id"], "status": plist["status"], "open_year": plist["open_year"]}
    )  # fmt: skip
    return port_nodes, expansions


def _expansions(rows, node_of_row, facts) -> pd.DataFrame:
    """Planned or building expansions of operating ports: one row per element, with the capacity
    it adds (``attributes.csv`` model value) and the port node it belongs to."""
    vals = _point_values(facts)
    none = (np.nan, "", "")
    out = []
    for point_id, name, row, status, open_year in rows:
        v = vals.get(point_id, {})
        cap, teu = v.get("capacity", none), v.get("capacity_teu", none)
        out.append({
            "element_id": point_id, "name": name, "node_id": int(node_of_row[row]),
            "status": status, "open_year": open_year, "capacity": cap[0], "capacity_unit": cap[2],
            "capacity_teu": teu[0], "capacity_source": cap[1] or teu[1],
        })  # fmt: skip
    cols = ["element_id", "name", "node_id", "status", "open_year", "capacity", "capacity_unit",
            "capacity_teu", "capacity_source"]  # fmt: skip
    df = pd.DataFrame(out, columns=cols)
    df["open_year"] = pd.array(pd.to_numeric(df["open_year"], errors="coerce"), dtype="Int64")
    for c in ("capacity", "capacity_teu"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    return df.sort_values("element_id").reset_index(drop=True)


def _waterways(add_shapes, sea_nodes) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rivers and canals of ``waterways.csv`` as ``inland_waterway`` links between their listed
    places; length = difference of the river-km markers (estimate); an end at the sea joins the
    nearest marnet node within 15 km."""
    ww = pd.read_csv(HERE / "waterways.csv", dtype={"waterway_id": str}, keep_default_na=False)
    ww = ww.sort_values(["waterway_id", "seq"], kind="mergesort").reset_index(drop=True)
    key = (
        np.round(ww["lon"].to_numpy(float), 3).astype(str).astype(object)
        + ","
        + np.round(ww["lat"].to_numpy(float), 3).astype(str).astype(object)
    )
    uniq, inv = np.unique(key, return_inverse=True)
    ids = ID_BASE["waterway"] + inv
    first = pd.Series(np.arange(len(ww))).groupby(inv).first().to_numpy()
    nodes = pd.DataFrame({"node_id": ID_BASE["waterway"] + np.arange(len(uniq)),
                          "x": ww["lon"].to_numpy(float)[first], "y": ww["lat"].to_numpy(float)[first],
                          "country": "", "kind": "waterway", "mode": "inland_waterway",
                          # named by river km, not by the town (a town's name resolves to its
                          # land node, not to a river container liners cannot use)
                          "name": (ww["name"] + " km " + ww["river_km"].astype(str)).to_numpy()[first]})  # fmt: skip
    a, b, km, name, geom = [], [], [], [], []
    for _, g in ww.groupby("waterway_id", sort=True):
        i = g.index.to_numpy()
        for k0, k1 in itertools.pairwise(i):
            a.append(ids[k0])
            b.append(ids[k1])
            km.append(abs(float(ww.at[k1, "river_km"]) - float(ww.at[k0, "river_km"])))
            name.append(g["waterway_id"].iat[0])
            geom.append(ww.loc[[k0, k1], ["lon", "lat"]].to_numpy(float))
    # ends at the sea: the nearest marnet node within 15 km
    sx, sy = sea_nodes["x"].to_numpy(), sea_nodes["y"].to_numpy()
    for k in range(len(nodes)):
        d = np.asarray(haversine_km(sx, sy, nodes["x"].iat[k], nodes["y"].iat[k]))
        j = int(np.argmin(d))
        if d[j] <= 15.0:
            a.append(int(nodes["node_id"].iat[k]))
            b.append(int(sea_nodes["node_id"].iat[j]))
            km.append(max(round(float(d[j]), 3), 0.001))
            name.append("sea_link")
            geom.append(np.array([[nodes["x"].iat[k], nodes["y"].iat[k]], [sx[j], sy[j]]]))
    shape = add_shapes(geom)
    links = _undirected_to_links(
        np.array(a), np.array(b), np.array(km), "inland_waterway",
        {"country": "", "shape_id": shape, "origin": "waterway", "name": np.array(name, dtype=object),
         "length_source": "estimate: river-km markers (tools/data/waterways.csv)"},
    )  # fmt: skip
    return nodes, links


def _port_access(port_nodes, sea_nodes, ww_nodes, add_shapes, log) -> pd.DataFrame:
    """Each port joins the water node (of the 8 nearest sea nodes and the waterway nodes) whose
    straight access crosses the least land beyond the port's harbour approach (< 5 km), nearest
    first, within 150 km; a port listed in ``port_approaches.csv`` goes through its anchor in
    open water first (within 250 km in all); the others get no water link (logged)."""
    from serai.data.check import OVER_LAND_KM, _km_over_land, coast_km

    water = pd.concat([sea_nodes.assign(_m="sea"), ww_nodes.assign(_m="inland_waterway")],
                      ignore_index=True)  # fmt: skip
    wx, wy = water["x"].to_numpy(float), water["y"].to_numpy(float)
    from scipy.spatial import cKDTree

    from tools.data.landnet import _xyz

    tree = cKDTree(_xyz(wx, wy))
    px, py = port_nodes["x"].to_numpy(float), port_nodes["y"].to_numpy(float)
    _, cand = tree.query(_xyz(px, py), k=8)
    land = _land()
    approach = coast_km(px, py, land)  # harbour approach inside the coarse coastline
    anchors = pd.read_csv(HERE / "port_approaches.csv", dtype=str, keep_default_na=False)
    anchor_of = {r.port: (float(r.anchor_lon), float(r.anchor_lat)) for r in anchors.itertuples()}
    rows, dropped = [], []
    for i in range(len(port_nodes)):
        keys = [port_nodes["unlocode"].iat[i], *str(port_nodes["point_id"].iat[i]).split("|")]
        anchor = next((anchor_of[k] for k in keys if k in anchor_of), None)
        ox, oy = anchor if anchor else (px[i], py[i])
        first = float(haversine_km(px[i], py[i], ox, oy)) if anchor else 0.0
        cd = cand[i]
        if anchor:
            _, cd = tree.query(_xyz(np.array([ox]), np.array([oy])), k=8)
            cd = cd[0]
        d = np.asarray(haversine_km(wx[cd], wy[cd], ox, oy)) + first
        # 150 km at most; 250 km through a listed anchor (Kuryk: 200 km round the Mangyshlak
        # coast to the middle-Caspian lane towards Baku, marnet has no lane nearer)
        ok = d <= (250.0 if anchor else 150.0)
        if not ok.any():
            dropped.append(port_nodes["name"].iat[i])
            continue
        head = [[px[i], py[i]], [ox, oy]] if anchor else [[px[i], py[i]]]
        geoms = [np.array([*head, [wx[c], wy[c]]]) for c in cd[ok]]
        over = np.maximum(_km_over_land(geoms, land) - approach[i], 0.0)
        # a sea node when one is reachable (river ports get their waterway link below)
        is_ww = (water["_m"].to_numpy()[cd[ok]] != "sea").astype(int)
        best = np.lexsort((d[ok], np.round(over, 0), is_ww | (over > OVER_LAND_KM)))[0]
        if over[best] > OVER_LAND_KM:
            dropped.append(port_nodes["name"].iat[i])
            continue
        c = cd[ok][best]
        rows.append((port_nodes["node_id"].iat[i], water["node_id"].iat[c], max(round(float(d[ok][best]), 3), 0.001),
                     water["_m"].iat[c], port_nodes["country"].iat[i], port_nodes["status"].iat[i],
                     port_nodes["open_year"].iat[i], geoms[best] if anchor else None))  # fmt: skip
    # a sea port on a listed waterway (Rotterdam, Duisburg, Constanța...) also joins it
    if len(ww_nodes):
        wwx, wwy = ww_nodes["x"].to_numpy(float), ww_nodes["y"].to_numpy(float)
        for i in range(len(port_nodes)):
            dd = np.asarray(haversine_km(wwx, wwy, px[i], py[i]))
            k = int(np.argmin(dd))
            if dd[k] <= 15.0 and not any(
                r[0] == port_nodes["node_id"].iat[i] and r[3] != "sea" for r in rows
            ):
                rows.append((port_nodes["node_id"].iat[i], ww_nodes["node_id"].iat[k], max(round(float(dd[k]), 3), 0.001),
                             "inland_waterway", port_nodes["country"].iat[i], port_nodes["status"].iat[i],
                             port_nodes["open_year"].iat[i], None))  # fmt: skip
    log(f"ports: {len(rows)} joined to the water, {len(dropped)} without a water access "
        f"crossing < {OVER_LAND_KM:g} km of land: {', '.join(map(str, dropped))}")  # fmt: skip
    df = pd.DataFrame(
        rows, columns=["a", "b", "km", "mode", "country", "status", "open_year", "geom"]
    )
    out = []
    for mode, g in df.groupby("mode"):
        shaped = g["geom"].notna().to_numpy()
        shape = np.full(len(g), np.nan)
        if shaped.any():
            shape[shaped] = add_shapes(list(g["geom"][shaped]))
        out.append(_undirected_to_links(
            g["a"].to_numpy(), g["b"].to_numpy(), g["km"].to_numpy(), mode,
            {"country": g["country"].to_numpy(), "origin": "port_access", "shape_id": shape,
             "status": g["status"].to_numpy(), "open_year": g["open_year"].to_numpy(),
             "length_source": np.where(shaped, "estimate: great-circle via the anchor of port_approaches.csv", "")}))  # fmt: skip
    return pd.concat(out, ignore_index=True)
