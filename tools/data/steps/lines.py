"""Facts links: published lines and services added to the graph, links tagged with their
line (stage 3 of the build)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from tools.data.geo import haversine_km
from tools.data.steps.common import (
    ACCESS_DETOUR,
    BROAD_GAUGE,
    ID_BASE,
    LINE_SNAP_KM,
    _src,
    _undirected_to_links,
)


def _length_graph(f, t, length, extra=()) -> tuple:
    """Sparse graph of directed links ``f -> t`` weighted by ``length`` over their node ids
    (and ``extra`` ids): ``(csr matrix, ids, pos)``, ``pos`` mapping a node id to its row."""
    from scipy.sparse import coo_matrix

    f, t = np.asarray(f), np.asarray(t)
    ids = np.unique(np.r_[f, t, np.asarray(extra, dtype=f.dtype)])
    pos = pd.Series(np.arange(len(ids)), index=ids)
    m = coo_matrix(
        (np.asarray(length, float), (pos[f].to_numpy(), pos[t].to_numpy())),
        shape=(len(ids), len(ids)),
    ).tocsr()
    return m, ids, pos


def _rail_distance(links, a: int, b: int) -> float:
    from scipy.sparse.csgraph import dijkstra

    rail = links[links["mode"] == "rail"]
    m, _, pos = _length_graph(rail["from_node"], rail["to_node"], rail["length"], (a, b))
    return float(dijkstra(m, indices=int(pos[a]))[int(pos[b])])


def _add_fact_lines(links, nodes, snaps, facts, points, log, countries=None):
    """Facts lines: ``add`` always; ``check`` when the graph lacks them (no path or a path
    longer than 1.5 x the published length); ``tag`` lines are already in the graph.

    An endpoint within ``LINE_SNAP_KM`` of a node of the mode uses that node; a farther
    one becomes a new node at the point (kind ``station``, the point's status and year),
    shared by every line ending there; a new node at a port is joined to the port node
    by a transfer link.
    """
    lines = facts.get("lines")
    if lines is None or not len(lines):
        return links, nodes
    pts = points.set_index("point_id")
    snap_all = snaps.set_index(["mode", "point_id"])
    port_of = {}
    for r in nodes[nodes["kind"] == "port"].itertuples():
        for q in str(r.point_id).split("|"):
            if q:
                port_of[q] = r.node_id
    new_nodes: dict[tuple[str, str], int] = {}
    new_rows, xfer_rows = [], []

    # land node each port is attached to (by a transfer or an access link), per mode
    node_mode = nodes.set_index("node_id")["mode"]
    # (a port reached only by a long access connector gets its own station node on the line)
    attach = links[links["origin"].isin(["port_transfer"])]
    attach = attach[attach["from_node"].isin(list(port_of.values()))]
    port_land = {
        (node_mode.get(t, ""), f): int(t)
        for f, t in zip(attach["from_node"], attach["to_node"], strict=True)
    }

    def endpoint(mode: str, point: str) -> int | None:
        if point not in pts.index:
            return None
        if point in port_of and (mode, port_of[point]) in port_land:
            return port_land[(mode, port_of[point])]
        if (
            (mode, point) in snap_all.index
            and snap_all.at[(mode, point), "snap_km"] <= LINE_SNAP_KM
            and snap_all.at[(mode, point), "same_country"]
        ):
            return int(snap_all.at[(mode, point), "node_id"])
        if (mode, point) not in new_nodes:
            nid = (
                ID_BASE["place"]
                + int(np.flatnonzero(pts.index == point)[0])
                + (0 if mode == "rail" else 500_000)
            )
            new_nodes[(mode, point)] = nid
            p = pts.loc[point]
            new_rows.append({
                "node_id": nid, "x": round(float(p.lon), 5), "y": round(float(p.lat), 5),
                "country": p.country, "kind": "station", "mode": mode, "name": p["name"],
                "point_id": point, "unlocode": "", "status": p.status, "open_year": p.open_year,
            })  # fmt: skip
            if point in port_of:
                xfer_rows.append((nid, port_of[point], p.country, p.status, p.open_year, point))
        return new_nodes[(mode, point)]

    xy = {
        int(n): (float(x), float(y))
        for n, x, y in zip(nodes["node_id"], nodes["x"], nodes["y"], strict=True)
    }
    node_cc = {
        int(n): ("" if c is None or c != c else str(c))
        for n, c in zip(nodes["node_id"], nodes["country"], strict=True)
    }
    rows = []
    for r in lines.itertuples():
        if r.action not in ("add", "check") or r.mode not in ("rail", "road"):
            continue
        vias = [
            v for v in str(getattr(r, "via_points", "") or "").replace("|", ";").split(";") if v
        ]
        stops = [r.from_point, *vias, r.to_point]
        ids = [endpoint(r.mode, p) for p in stops]
        if any(i is None for i in ids):
            log(f"facts line {r.line_id}: a stop is not in points.csv, skipped")
            continue
        for row in new_rows:
            xy.setdefault(int(row["node_id"]), (float(row["x"]), float(row["y"])))
            node_cc.setdefault(int(row["node_id"]), str(row.get("country") or ""))
        # drop repeated consecutive nodes (two stops snapped to one node)
        keep = [0] + [k for k in range(1, len(ids)) if ids[k] != ids[k - 1]]
        stops = [stops[k] for k in keep]
        ids = [ids[k] for k in keep]
        if len(ids) < 2:
            log(f"facts line {r.line_id}: all stops on one node, skipped")
            continue
        seg_gc = np.array([
            float(haversine_km(*xy[ids[k]], *xy[ids[k + 1]])) for k in range(len(ids) - 1)
        ])  # fmt: skip
        total = float(r.length_km) if r.length_km else np.nan
        if np.isfinite(total) and seg_gc.sum() > 0:
            seg_km = total * seg_gc / seg_gc.sum()
            lsrc = _src(r)
            lnote = (
                ""
                if len(ids) == 2
                else "published length split over the via points by great-circle share"
            )
        else:
            seg_km = seg_gc * ACCESS_DETOUR
            lsrc = f"estimate: great-circle x {ACCESS_DETOUR}"
            lnote = ""
        gauges = (
            [g for g in str(r.gauge or "").replace(";", "|").split("|") if g]
            if r.mode == "rail"
            else []
        )
        brk = next(
            (k for k, p in enumerate(stops) if k and pts.at[p, "kind"] == "gauge_change"),
            len(stops),
        )
        cap = float(r.capacity) if r.capacity else np.nan
        present = np.zeros(len(ids) - 1, bool)
        if r.action == "check":
            have = np.array([
                _rail_distance(links, ids[k], ids[k + 1]) if r.mode == "rail" else np.inf
                for k in range(len(ids) - 1)
            ])  # fmt: skip
            present = np.isfinite(have) & (have <= 1.5 * seg_km)
            if present.all():
                continue
            # a published total: the missing part is the total minus what the graph has
            rest = total - have[present].sum() if np.isfinite(total) else np.nan
            if present.any() and np.isfinite(rest) and rest >= 0.5 * seg_gc[~present].sum():
                seg_km = np.where(present, seg_km, rest * seg_gc / seg_gc[~present].sum())
                lnote = "published length minus the sections already in the graph"
        for k in range(len(ids) - 1):
            a, b = ids[k], ids[k + 1]
            if present[k]:
                continue
            if gauges:
                gauge = int(gauges[0] if (len(gauges) == 1 or k < brk) else gauges[1])
            else:
                gauge = np.nan
            mx = (xy[a][0] + xy[b][0]) / 2
            my = (xy[a][1] + xy[b][1]) / 2
            cc = countries.lookup([mx], [my], nearest_km=25.0)[0] if countries is not None else ""
            ends_cc = (node_cc.get(a, ""), node_cc.get(b, ""))
            if cc and any(ends_cc) and cc not in ends_cc:
                # a line along a border river (Araz: Horadiz-Aghband, TRIPP, Nakhchivan)
                # has its straight chord's midpoint across the border (in Iran): the
                # segment is in the country of one of its ends, the line's own if it is
                # one of them (TRIPP: AM), else its start's
                own = [c for c in str(r.country or "").replace("|", ";").split(";") if c]
                cc = next((c for c in own if c in ends_cc), ends_cc[0] or ends_cc[1])
            rows.append({
                "a": a, "b": b, "km": round(float(seg_km[k]), 3), "mode": r.mode, "name": r.line_id,
                "status": r.status or "operational", "open_year": r.open_year, "origin": "facts",
                "gauge": gauge, "country": cc or (r.country or "").split(";")[0].split("|")[0],
                "length_source": lsrc, "length_note": lnote, "capacity": cap,
                "capacity_unit": r.capacity_unit if np.isfinite(cap) else "",
                "capacity_source": _src(r) if np.isfinite(cap) else "",
            })  # fmt: skip
    if new_rows:
        nodes = pd.concat([nodes, pd.DataFrame(new_rows)], ignore_index=True)
    if xfer_rows:
        xf = pd.DataFrame(xfer_rows, columns=["a", "b", "country", "status", "open_year", "name"])
        links = pd.concat([links, _undirected_to_links(
            xf["a"].to_numpy(), xf["b"].to_numpy(), np.full(len(xf), 0.001), "transfer",
            {"country": xf["country"].to_numpy(), "origin": "port_transfer", "name": xf["name"].to_numpy(),
             "status": xf["status"].to_numpy(), "open_year": xf["open_year"].to_numpy()})], ignore_index=True)  # fmt: skip
    if not rows:
        return links, nodes
    df = pd.DataFrame(rows)
    nc = nodes.set_index("node_id")["country"]
    df.loc[df["country"] == "", "country"] = df.loc[df["country"] == "", "a"].map(nc)
    df.loc[df["gauge"].isna() & (df["mode"] == "rail"), "gauge"] = np.where(
        df.loc[df["gauge"].isna() & (df["mode"] == "rail"), "country"].isin(list(BROAD_GAUGE)),
        1520,
        1435,
    )
    log(f"facts: {len(df)} line segments added ({', '.join(sorted(set(df['name'])))})")
    extra = {c: df[c].to_numpy() for c in df.columns if c not in ("a", "b", "km", "mode")}
    new = [
        _undirected_to_links(g["a"].to_numpy(), g["b"].to_numpy(), g["km"].to_numpy(), m,
                             {c: v[g.index] for c, v in extra.items()})
        for m, g in df.groupby("mode")
    ]  # fmt: skip
    return pd.concat([links, *new], ignore_index=True), nodes


def _tag_lines(links: pd.DataFrame, nodes: pd.DataFrame, facts, log) -> pd.DataFrame:
    """``lines`` column: the facts lines each link belongs to (``|``-joined ids). Links added for
    a line carry its id in ``name``; for a line already in the graph, the links of the shortest
    path (by the line's mode) between its consecutive stops are tagged."""
    from scipy.sparse.csgraph import dijkstra

    lines = facts.get("lines")
    tags = [set() for _ in range(len(links))]
    names = links["name"].fillna("").astype(str).to_numpy()
    if lines is None or not len(lines):
        return links.assign(lines="")
    ids = set(lines["line_id"])
    for k, n in enumerate(names):
        if n in ids:
            tags[k].add(n)
    pn: dict[tuple[str, str], int] = {}
    for nid, m, p in zip(
        nodes["node_id"], nodes["mode"], nodes["point_id"].fillna(""), strict=True
    ):
        for q in str(p).split("|"):
            if q:
                pn.setdefault((m, q), int(nid))
    for mode in ("rail", "road"):
        sel = np.flatnonzero((links["mode"] == mode).to_numpy())
        if not len(sel):
            continue
        f, t = links["from_node"].to_numpy()[sel], links["to_node"].to_numpy()[sel]
        m, nid, pos = _length_graph(f, t, links["length"].to_numpy(float)[sel])
        edge = {(int(a), int(b)): int(k) for a, b, k in zip(f, t, sel, strict=True)}
        for r in lines[
            (lines["mode"] == mode) & lines["action"].isin(["check", "tag"])
        ].itertuples():
            vias = [v for v in str(r.via_points or "").replace("|", ";").split(";") if v]
            stops = [pn.get((mode, p)) for p in (r.from_point, *vias, r.to_point)]
            if any(s_ is None for s_ in stops) or r.from_point == r.to_point:
                continue
            for a, b in itertools.pairwise(stops):
                if a == b or a not in pos.index or b not in pos.index:
                    continue
                dist, pred = dijkstra(m, indices=int(pos[a]), return_predecessors=True)
                j = int(pos[b])
                if not np.isfinite(dist[j]):
                    continue
                while j != int(pos[a]) and pred[j] >= 0:
                    i = int(pred[j])
                    for key in ((int(nid[i]), int(nid[j])), (int(nid[j]), int(nid[i]))):
                        if key in edge:
                            tags[edge[key]].add(r.line_id)
                    j = i
    out = links.copy()
    out["lines"] = ["|".join(sorted(x)) for x in tags]
    log(f"lines: {sum(1 for x in tags if x)} links tagged with their facts line")
    return out


def _add_services(links, nodes, facts, log, shapes=None, add_shapes=None):
    """Facts services (Caspian and Black Sea ferries, Ro-Ro, feeders) as ``ferry`` links
    between port nodes; length and geometry = marnet shortest path; time = published crossing
    time."""
    svc = facts.get("services")
    if svc is None or not len(svc):
        return links
    from scipy.sparse.csgraph import dijkstra

    ports = nodes[nodes["kind"] == "port"]
    by_point = {}
    for r in ports.itertuples():
        for p in str(r.point_id).split("|"):
            if p:
                by_point[p] = r.node_id
    sea = links[links["mode"] == "sea"]
    m, ids, pos = _length_graph(sea["from_node"], sea["to_node"], sea["length"])
    rows = []
    for r in svc.itertuples():
        if r.from_point not in by_point or r.to_point not in by_point:
            log(f"service {r.service_id}: port not found, skipped")
            continue
        a, b = by_point[r.from_point], by_point[r.to_point]
        if a not in pos.index or b not in pos.index:
            log(f"service {r.service_id}: a port has no sea access, skipped")
            continue
        dist, pred = dijkstra(m, indices=int(pos[a]), return_predecessors=True)
        km = float(dist[int(pos[b])])
        geom = _path_geometry(pred, int(pos[a]), int(pos[b]), ids, sea, nodes, shapes)
        hours = float(r.crossing_h) if r.crossing_h else np.nan
        cap = float(r.capacity) if r.capacity else np.nan
        rows.append({
            "a": a, "b": b, "km": round(km, 3), "name": r.service_id, "origin": "facts",
            "status": r.status or "operational", "open_year": r.open_year, "country": "",
            "service_kind": r.mode, "length_source": "marnet shortest path (searoute network)",
            "free_flow_time": round(hours * 60.0, 3) if np.isfinite(hours) else np.nan,
            "time_source": _src(r) if np.isfinite(hours) else "",
            "capacity": cap, "capacity_unit": r.capacity_unit if np.isfinite(cap) else "",
            "capacity_source": _src(r) if np.isfinite(cap) else "",
            "frequency_per_week": float(r.frequency_per_week) if r.frequency_per_week else np.nan,
            "wait_h": float(r.wait_h) if r.wait_h else np.nan, "_geom": geom,
        })  # fmt: skip
    if not rows:
        return links
    df = pd.DataFrame(rows)
    df["shape_id"] = add_shapes(list(df.pop("_geom"))) if add_shapes else np.nan
    log(f"facts: {len(df)} services added")
    extra = {c: df[c].to_numpy() for c in df.columns if c not in ("a", "b", "km")}
    return pd.concat(
        [
            links,
            _undirected_to_links(
                df["a"].to_numpy(), df["b"].to_numpy(), df["km"].to_numpy(), "ferry", extra
            ),
        ],
        ignore_index=True,
    )


def _path_geometry(pred, src, dst, ids, sea, nodes, shapes) -> np.ndarray:
    """Polyline of a shortest path over the sea links (their shapes, oriented; straight where a
    link has none)."""
    seq = [dst]
    while seq[-1] != src and pred[seq[-1]] >= 0:
        seq.append(int(pred[seq[-1]]))
    seq = [int(ids[k]) for k in seq[::-1]]
    nx = nodes.set_index("node_id")
    key = {
        (int(f), int(t)): sh
        for f, t, sh in zip(sea["from_node"], sea["to_node"], sea["shape_id"], strict=True)
    }
    out = [np.array([[nx.at[seq[0], "x"], nx.at[seq[0], "y"]]])]
    for f, t in itertools.pairwise(seq):
        sh = key.get((f, t))
        end = np.array([[nx.at[t, "x"], nx.at[t, "y"]]])
        g = shapes.get(int(sh)) if shapes is not None and sh == sh and sh is not None else None
        if g is not None:
            start = out[-1][-1]
            g = g if ((g[0] - start) ** 2).sum() <= ((g[-1] - start) ** 2).sum() else g[::-1]
            out.append(g)
        out.append(end)
    return np.concatenate(out)
