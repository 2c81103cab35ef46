"""Build the embedded Eurasian multimodal network (``serai data build``).

Inputs: ``tools/data/raw`` (vendored open data, see ``raw/SOURCES.md``),
``tools/data/anchors.csv`` (corridor nodes), ``tools/data/connectors.csv`` (listed
bridges over gaps of the source graph) and, when present, the curated fact tables
in ``tools/data/facts`` (see ``facts/README.md``). Output: one Parquet file per
table plus ``network.json`` in ``serai/data/eurasia`` (readable with
``serai.network.read_network`` and loaded by ``serai.data.load_eurasia``).

The build is deterministic: every table is sorted and rounded before writing.
"""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from tools.data.geo import Countries, haversine_km
from tools.data.landnet import RAIL, ROAD, _nearest, build_land
from tools.data.sea import build_sea, load_ports

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
RAW = HERE / "raw"
FACTS = HERE / "facts"
OUT = REPO / "serai" / "data" / "eurasia"

BROAD_GAUGE = {"KZ", "UZ", "KG", "TJ", "TM", "RU", "BY", "UA", "MD", "AZ", "GE", "AM", "MN", "LT", "LV", "EE", "FI"}  # fmt: skip
# 1435 mm exceptions inside broad-gauge countries: (lon_min, lat_min, lon_max, lat_max, reason)
GAUGE_EXCEPTIONS = [
    (
        42.90,
        41.15,
        43.45,
        41.45,
        "GE: Akhalkalaki–Kartsakhi section of Baku–Tbilisi–Kars is 1435 mm",
    ),
]
ID_BASE = {"rail": 10_000_000, "road": 20_000_000, "sea": 30_000_000, "port": 40_000_000, "place": 50_000_000, "waterway": 60_000_000, "ferry_terminal": 70_000_000}  # fmt: skip
TRANSFER_KM = 10.0  # port/place to rail/road transfer when the nearest node is this close
LINE_SNAP_KM = 30.0  # a facts line endpoint farther than this from the graph gets its own node
ACCESS_DETOUR = 1.2
TOWN_POPULATION = 100_000  # rail keeps a node at every Natural Earth place this large on a line
MAX_ACCESS_KM = 100.0  # no access link longer than this (ports outside the road/rail clip)  # access line length = great-circle x this (estimate) when farther


def _read_csv(path: Path) -> pd.DataFrame | None:
    if not path.exists():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def load_facts(facts_dir: Path = FACTS) -> dict[str, pd.DataFrame]:
    """The fact tables present in ``facts_dir`` (missing ones are skipped)."""
    names = ("points", "terminals", "services", "border_crossings", "border_status", "gauge_breaks",
             "lines", "attributes", "tariffs", "validation_routes", "sources")  # fmt: skip
    out = {}
    for n in names:
        df = _read_csv(facts_dir / f"{n}.csv")
        if df is not None:
            out[n] = df
    return out


def _model_values(facts: dict, table: str) -> pd.DataFrame:
    """``use=true`` rows of attributes.csv for one table, wide: element_id x attribute (+source)."""
    a = facts.get("attributes")
    if a is None or not len(a):
        return pd.DataFrame()
    a = a[(a["table"] == table) & (a["use"].str.lower() == "true")].copy()
    if not len(a):
        return pd.DataFrame()
    a["value"] = pd.to_numeric(a["value"], errors="coerce")
    a["src"] = np.where(
        a["estimate"].str.lower() == "true", "estimate: " + a["note"].astype(str), a["source_id"]
    )
    val = a.pivot_table(index="element_id", columns="attribute", values="value", aggfunc="first")
    src = a.pivot_table(index="element_id", columns="attribute", values="src", aggfunc="first")
    src.columns = [f"{c}__source" for c in src.columns]
    return val.join(src)


def _points(facts: dict, anchors: pd.DataFrame) -> pd.DataFrame:
    """Named places: facts points (preferred) and anchors not in the facts."""
    cols = ["point_id", "name", "aliases", "kind", "country", "lat", "lon", "unlocode", "modes",
            "status", "open_year", "source"]  # fmt: skip
    a = anchors.rename(columns={"anchor_id": "point_id", "source": "source"}).assign(
        aliases="", kind="", country="", unlocode="", status="operational", open_year=""
    )
    a = a[cols]
    a["_order"] = 1
    p = facts.get("points")
    if p is not None and len(p):
        src = np.where(
            p["estimate"].str.lower() == "true", "estimate: " + p["source_id"], p["source_id"]
        )
        f = pd.DataFrame(
            {
                "point_id": p["point_id"],
                "name": p["name"],
                "aliases": p["aliases"].fillna("") if "aliases" in p else "",
                "kind": p["kind"],
                "country": p["country"],
                "lat": p["lat"],
                "lon": p["lon"],
                "unlocode": p["unlocode"],
                "modes": p["modes"].str.replace(";", "|"),
                "status": p["status"].replace("", "operational"),
                "open_year": p["open_year"],
                "source": src,
                "_order": 0,
            }
        )
        f = f[(f["lat"] != "") & (f["lon"] != "")]
        a = a[~a["point_id"].isin(f["point_id"])]
        a = pd.concat([f, a], ignore_index=True)
    a["lat"] = a["lat"].astype(float)
    a["lon"] = a["lon"].astype(float)
    a["modes"] = a["modes"].replace("", "rail|road")
    a = a.sort_values(["_order", "point_id"]).drop(columns="_order")
    return a.reset_index(drop=True)


def _towns(raw: Path, min_population: int) -> pd.DataFrame:
    """Natural Earth populated places (lon, lat) of at least ``min_population`` (``pop_max``)."""
    import gzip

    with gzip.open(raw / "ne_10m_populated_places_simple.json.gz", "rt", encoding="utf-8") as fh:
        feats = json.load(fh)["features"]
    rows = [
        (f["properties"]["longitude"], f["properties"]["latitude"])
        for f in feats
        if (f["properties"].get("pop_max") or 0) >= min_population
    ]
    return (
        pd.DataFrame(rows, columns=["lon", "lat"])
        .sort_values(["lon", "lat"])
        .reset_index(drop=True)
    )


def _undirected_to_links(u_id, v_id, km, mode, extra: dict) -> pd.DataFrame:
    """Two directed links per undirected edge; ``extra`` columns are repeated."""
    n = len(u_id)
    df = pd.DataFrame(
        {
            "from_node": np.r_[u_id, v_id],
            "to_node": np.r_[v_id, u_id],
            "length": np.r_[km, km],
            "mode": mode,
        }
    )
    for k, val in extra.items():
        arr = np.asarray(val) if not np.isscalar(val) else np.full(n, val, dtype=object)
        df[k] = np.r_[arr, arr]
    return df


def build(
    out: Path = OUT,
    *,
    raw: Path = RAW,
    facts_dir: Path = FACTS,
    log=print,
    overwrite: bool = True,
    check: bool = True,
) -> dict:
    """Run the whole build and write the network to ``out``. Returns a report dict.

    ``out`` is replaced as a whole at the end (``serai._fs.replace_folder``): an
    interrupted build leaves the previous one intact, and files in ``out`` that the
    build did not write are kept; without ``overwrite`` a build refuses to replace
    files there that an earlier build did not write. With ``check`` (default) the new
    network replaces ``out`` only if ``serai data check`` finds no anomaly in it, today and
    in 2030 (planned lines open); else an InputError names the counts and ``out`` is kept.
    """
    t0 = time.perf_counter()
    countries = Countries(raw / "ne_50m_admin_0_countries.json")
    anchors = pd.read_csv(HERE / "anchors.csv", dtype=str, keep_default_na=False)
    connectors = pd.read_csv(HERE / "connectors.csv", keep_default_na=False)
    ferries = pd.read_csv(HERE / "ferries.csv", keep_default_na=False)
    facts = load_facts(facts_dir)
    points = _points(facts, anchors)
    log(f"facts tables: {', '.join(sorted(facts)) or 'none'}; {len(points)} named points")

    node_frames, link_frames, shape_frames, bridge_frames = [], [], [], []
    next_shape = [0]

    def add_shapes(geoms) -> np.ndarray:
        ids = np.arange(next_shape[0], next_shape[0] + len(geoms))
        next_shape[0] += len(geoms)
        counts = np.array([len(g) for g in geoms])
        pts = np.concatenate(geoms) if geoms else np.zeros((0, 2))
        shape_frames.append(
            pd.DataFrame({"shape_id": np.repeat(ids, counts), "x": pts[:, 0], "y": pts[:, 1]})
        )
        return ids

    # ---- land modes -------------------------------------------------------------------------
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

    # ---- sea ---------------------------------------------------------------------------------
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
    node_frames.append(sea_nodes)
    link_frames.append(sea_links)
    log(f"sea: {len(sea_nodes):,} nodes, {len(se.u):,} links ({int((smode != 'sea').sum())} "
        f"inland waterway); passages {sorted(set(passage) - {''})}")  # fmt: skip
    ww_nodes, ww_links = _waterways(add_shapes, sea_nodes)
    node_frames.append(ww_nodes)
    link_frames.append(ww_links)
    log(f"waterways: {len(ww_nodes)} nodes, {len(ww_links) // 2} links "
        f"({', '.join(sorted(set(ww_links['name'])))})")  # fmt: skip

    # ---- ports and named places ---------------------------------------------------------------
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
    node_frames.append(port_nodes)
    # port <-> the water node it reaches with the least land crossed (port access, country of
    # the port): a sea node (mode sea), else a waterway node (mode inland_waterway)
    link_frames.append(_port_access(port_nodes, sea_nodes, ww_nodes, add_shapes, log))

    nodes = pd.concat(node_frames, ignore_index=True)
    links = pd.concat(link_frames, ignore_index=True)

    # ---- snap named points to the land networks; transfers ------------------------------------
    snap_rows, xfer = [], []
    access_rows = []
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
    snaps = pd.DataFrame(
        snap_rows, columns=["point_id", "mode", "node_id", "snap_km", "same_country"]
    )
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
    # rail <-> road at every named point served by both
    both = snaps.pivot_table(index="point_id", columns="mode", values="node_id", aggfunc="first")
    if {"rail", "road"} <= set(both.columns):
        both = both.dropna()
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

    # ---- node names / point ids -------------------------------------------------------------
    nodes = _attach_points(nodes, snaps, points)

    # ---- facts: lines, services --------------------------------------------------------------
    links, nodes = _add_fact_lines(links, nodes, snaps, facts, points, log, countries)
    links = _tag_lines(links, nodes, facts, log)
    sh = pd.concat(shape_frames, ignore_index=True)
    cut = np.flatnonzero(np.diff(sh["shape_id"].to_numpy())) + 1
    sxy = sh[["x", "y"]].to_numpy(float)
    shape_geom = {
        int(i): part
        for i, part in zip(
            sh["shape_id"].to_numpy()[np.r_[0, cut]], np.split(sxy, cut), strict=True
        )
    }
    links = _add_services(links, nodes, facts, log, shape_geom, add_shapes)

    # ---- defaults, status, ids ----------------------------------------------------------------
    links = _at_least_great_circle(links, nodes, log)
    links = _finish_links(links, _speeds())
    nodes = _finish_nodes(nodes)
    nodes = _open_with_lines(nodes, links)
    links = _stamp_closures(links, nodes, facts)
    border = _border_crossings(links, nodes, facts)
    gbreaks = _gauge_breaks(links, nodes, facts)
    connectors_out = _connectors_table(bridge_frames)
    shapes = pd.concat(shape_frames, ignore_index=True)
    shapes["x"] = shapes["x"].round(4).astype(np.float32)
    shapes["y"] = shapes["y"].round(4).astype(np.float32)
    shapes["shape_id"] = shapes["shape_id"].astype(np.int32)

    snaps = _final_snaps(snaps, nodes, log)
    tables = {
        "nodes": nodes, "links": links, "shapes": shapes, "border_crossings": border,
        "gauge_breaks": gbreaks, "connectors": connectors_out, "points": snaps.merge(
            points[["point_id", "name", "aliases", "unlocode", "lat", "lon"]], on="point_id"
        ).sort_values(["point_id", "mode"]),
    }  # fmt: skip
    tables["expansions"] = expansions
    for name in ("terminals", "services", "sources", "attributes", "validation_routes", "tariffs",
                 "border_status", "lines"):  # fmt: skip
        if name in facts:
            tables[f"facts_{name}" if name in ("attributes", "lines") else name] = facts[name]
    if "facts_attributes" in tables:
        tables["provenance"] = tables.pop("facts_attributes")
    counts = _write(out, tables, overwrite=overwrite, check=check, log=log)
    report = {
        "anomalies": {("today" if y is None else y): sum(c.values()) for y, c in counts.items()},
        "seconds": round(time.perf_counter() - t0, 1),
        "nodes": len(nodes),
        "links": len(links),
        "links_by_mode": links["mode"].value_counts().sort_index().to_dict(),
        "bytes": sum(f.stat().st_size for f in out.glob("*.parquet")),
    }
    log(f"wrote {out} in {report['seconds']} s: {report}")
    return report


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


def _point_values(facts) -> dict:
    """``{point_id: {attribute: (value, source, unit)}}`` from the ``use=true`` rows of attributes.csv."""
    a = facts.get("attributes")
    out: dict = {}
    if a is None or not len(a):
        return out
    a = a[(a["use"].str.lower() == "true") & a["element"].str.startswith("point:")]
    for r in a.itertuples():
        src = f"estimate: {r.note}" if str(r.estimate).lower() == "true" else r.source_id
        val = pd.to_numeric(r.value, errors="coerce")
        out.setdefault(r.element.split(":", 1)[1], {}).setdefault(r.attribute, (val, src, r.unit))
    return out


def _stamp_closures(links, nodes, facts) -> pd.DataFrame:
    """Border links closed to freight (``facts/border_status.csv``): ``closed_from``,
    ``reopen_year``, ``closure_id`` on each link, read by the one availability rule."""
    from serai.data.borders import link_closures

    bs = facts.get("border_status")
    if bs is None:
        bs = pd.DataFrame(columns=["status_id", "country_a", "country_b", "mode", "status"])
    cl = link_closures(links, nodes, bs)
    links = links.copy()
    links["closed_from"] = pd.array(cl["closed_from"].round(), dtype="Int64")
    links["reopen_year"] = pd.array(cl["reopen_year"].round(), dtype="Int64")
    links["closure_id"] = cl["closure_id"].to_numpy()
    return links


def _gauge(country: np.ndarray, mid: np.ndarray) -> np.ndarray:
    g = np.where(np.isin(country, list(BROAD_GAUGE)), 1520, 1435)
    for lo0, la0, lo1, la1, _ in GAUGE_EXCEPTIONS:
        inside = (mid[:, 0] >= lo0) & (mid[:, 0] <= lo1) & (mid[:, 1] >= la0) & (mid[:, 1] <= la1)
        g = np.where(inside, 1435, g)
    return g


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


def _src(row) -> str:
    """Provenance string of a fact row: its source ids, or 'estimate: ...' when flagged."""
    if str(getattr(row, "estimate", "")).lower() == "true":
        return f"estimate: {row.source_id}" if row.source_id else "estimate"
    return str(row.source_id)


def _rail_distance(links, a: int, b: int) -> float:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    rail = links[links["mode"] == "rail"]
    ids = np.unique(np.r_[rail["from_node"], rail["to_node"], a, b])
    pos = pd.Series(np.arange(len(ids)), index=ids)
    m = coo_matrix(
        (
            rail["length"].to_numpy(float),
            (pos[rail["from_node"]].to_numpy(), pos[rail["to_node"]].to_numpy()),
        ),
        shape=(len(ids), len(ids)),
    ).tocsr()
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


def _add_services(links, nodes, facts, log, shapes=None, add_shapes=None):
    """Facts services (Caspian and Black Sea ferries, Ro-Ro, feeders) as ``ferry`` links
    between port nodes; length and geometry = marnet shortest path; time = published crossing
    time."""
    svc = facts.get("services")
    if svc is None or not len(svc):
        return links
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    ports = nodes[nodes["kind"] == "port"]
    by_point = {}
    for r in ports.itertuples():
        for p in str(r.point_id).split("|"):
            if p:
                by_point[p] = r.node_id
    sea = links[links["mode"] == "sea"]
    ids = np.unique(np.r_[sea["from_node"], sea["to_node"]])
    pos = pd.Series(np.arange(len(ids)), index=ids)
    m = coo_matrix(
        (
            sea["length"].to_numpy(float),
            (pos[sea["from_node"]].to_numpy(), pos[sea["to_node"]].to_numpy()),
        ),
        shape=(len(ids), len(ids)),
    ).tocsr()
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


def _in_box(lon, lat, box) -> np.ndarray:
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    return (lon >= box[0]) & (lat >= box[1]) & (lon <= box[2]) & (lat <= box[3])


_LAND = []


def _land():
    """Land polygons of the build and of ``serai data check`` (countries minus marine polygons)."""
    if not _LAND:
        from serai.data.check import load_land

        _LAND.append(
            load_land(
                RAW / "ne_50m_admin_0_countries.json", RAW / "ne_10m_geography_marine_polys.json"
            )
        )
    return _LAND[0]


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
    first; a port listed in ``port_approaches.csv`` goes through its anchor in open water first;
    the others get no water link (logged)."""
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
        ok = d <= 150.0
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


def _tag_lines(links: pd.DataFrame, nodes: pd.DataFrame, facts, log) -> pd.DataFrame:
    """``lines`` column: the facts lines each link belongs to (``|``-joined ids). Links added for
    a line carry its id in ``name``; for a line already in the graph, the links of the shortest
    path (by the line's mode) between its consecutive stops are tagged."""
    from scipy.sparse import coo_matrix
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
        nid = np.unique(np.r_[f, t])
        pos = pd.Series(np.arange(len(nid)), index=nid)
        m = coo_matrix(
            (links["length"].to_numpy(float)[sel], (pos[f].to_numpy(), pos[t].to_numpy())),
            shape=(len(nid), len(nid)),
        ).tocsr()
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


def _speeds() -> pd.DataFrame:
    """Speed per mode, line class and country (``speeds.csv``; country rows before defaults)."""
    sp = pd.read_csv(HERE / "speeds.csv", dtype=str, keep_default_na=False)
    why = np.where(
        sp["estimate"].str.lower() == "true",
        "estimate: " + sp["note"],
        sp["source_id"] + " (" + sp["year"] + "): " + sp["note"],
    )
    out = pd.DataFrame({"mode": sp["mode"], "cls": sp["class"], "country": sp["country"],
                        "speed_kmh": sp["speed_kmh"].astype(float), "why": why})  # fmt: skip
    # defaults first, country rows last (they override)
    return out.sort_values(["country"], kind="mergesort").reset_index(drop=True)


def _at_least_great_circle(links: pd.DataFrame, nodes: pd.DataFrame, log) -> pd.DataFrame:
    """No link shorter than the straight line between its end nodes: a length below the
    great-circle distance (a published length between estimated end points, a rounding) is
    raised to it and the raise is noted on the link."""
    from serai.data.check import great_circle_km

    nx = nodes.set_index("node_id")
    gc = great_circle_km(
        nx["x"].reindex(links["from_node"]).to_numpy(float),
        nx["y"].reindex(links["from_node"]).to_numpy(float),
        nx["x"].reindex(links["to_node"]).to_numpy(float),
        nx["y"].reindex(links["to_node"]).to_numpy(float),
    )
    gc = np.ceil(gc * 1000.0) / 1000.0  # rounded up to the metre, as lengths are stored
    length = links["length"].to_numpy(float)
    low = length < gc
    if low.any():
        links = links.copy()
        counts = links.loc[low, "origin"].value_counts().to_dict()
        log(f"lengths raised to the great-circle distance: {int(low.sum())} links {counts}")
        note = links["length_note"].fillna("").astype(str) if "length_note" in links else ""
        raised = [
            f"raised from {a:.3f} km to the great-circle distance between the end nodes"
            for a in length[low]
        ]
        links["length_note"] = note
        links.loc[low, "length_note"] = [
            f"{n}; {r}" if n else r
            for n, r in zip(links.loc[low, "length_note"], raised, strict=True)
        ]
        links.loc[low, "length"] = gc[low]
    return links


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


def _finish_links(links: pd.DataFrame, speeds: pd.DataFrame) -> pd.DataFrame:
    links = links.copy()
    for col, default in (("status", "operational"), ("open_year", ""), ("passage", ""), ("name", ""),
                         ("length_source", ""), ("length_note", ""), ("capacity_source", ""), ("time_source", ""),
                         ("service_kind", ""), ("capacity_unit", ""), ("lines", "")):  # fmt: skip
        if col not in links.columns:
            links[col] = default
        links[col] = links[col].fillna(default).replace("", default)
    links.loc[
        links["origin"].isin(["osm", "marnet"]) & (links["length_source"] == ""), "length_source"
    ] = links["origin"]
    links.loc[links["origin"].isin(["connector", "port_access", "port_transfer", "rail_road_transfer"]) & (links["length_source"] == ""), "length_source"] = "estimate: great-circle"  # fmt: skip
    for col in ("capacity", "free_flow_time", "gauge", "shape_id", "frequency_per_week", "wait_h"):
        if col not in links.columns:
            links[col] = np.nan
    links["open_year"] = pd.to_numeric(links["open_year"], errors="coerce")
    # speed per line class and country (speeds.csv); free-flow time: facts time when given,
    # else length / speed
    links["speed"] = np.nan
    links["speed_source"] = ""
    connector = links["origin"].isin(["connector", "port_access"])
    cls = np.where(connector, "connector", "main")
    new_line = (links["origin"] == "facts") & links["mode"].isin(["rail"])
    new_line &= pd.to_numeric(links["open_year"], errors="coerce").fillna(0) >= 2020
    cls = np.where(new_line, "new_line", cls)
    for r in speeds.itertuples():
        m = (links["mode"] == r.mode).to_numpy() & (cls == r.cls)
        if r.country:
            m &= (links["country"] == r.country).to_numpy()
        links.loc[m, "speed"] = r.speed_kmh
        links.loc[m, "speed_source"] = r.why
    for mode in links["mode"].unique():  # a class without its own row takes the mode's main row
        main = speeds[
            (speeds["mode"] == mode) & (speeds["cls"] == "main") & (speeds["country"] == "")
        ]
        m = (links["mode"] == mode) & links["speed"].isna() & (mode != "transfer")
        if len(main) and m.any():
            links.loc[m, "speed"] = main["speed_kmh"].iat[0]
            links.loc[m, "speed_source"] = main["why"].iat[0]
    timed = links["free_flow_time"].isna() & links["speed"].notna()
    links.loc[timed, "free_flow_time"] = (
        links.loc[timed, "length"] / links.loc[timed, "speed"] * 60.0
    )
    links.loc[timed & (links["time_source"] == ""), "time_source"] = "length / speed"
    t = links["mode"] == "transfer"
    links.loc[t, "free_flow_time"] = 0.0
    links.loc[t, "time_source"] = "placeholder: transfer time is set by the freight model"
    links["free_flow_time"] = links["free_flow_time"].round(3)
    links["length"] = links["length"].round(3)
    links = links.sort_values(
        ["mode", "from_node", "to_node", "name"], kind="mergesort"
    ).reset_index(drop=True)
    links.insert(0, "link_id", np.arange(1, len(links) + 1, dtype=np.int64))
    links["gauge"] = pd.array(links["gauge"], dtype="Int64")
    links["shape_id"] = pd.array(links["shape_id"], dtype="Int64")
    links["open_year"] = pd.array(links["open_year"], dtype="Int64")
    return links


def _open_with_lines(nodes: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """A stop that is not operational and has no opening year of its own (a planned town
    station such as Meghri) opens with the first line through it (the earliest ``open_year``
    of its links); without one it would keep every line through it closed for ever."""
    yr = pd.concat(
        [links[["from_node", "open_year"]].rename(columns={"from_node": "node_id"}),
         links[["to_node", "open_year"]].rename(columns={"to_node": "node_id"})]
    ).dropna().groupby("node_id")["open_year"].min()  # fmt: skip
    nodes = nodes.copy()
    m = (nodes["status"] != "operational") & nodes["open_year"].isna()
    m &= nodes["node_id"].isin(yr.index)
    nodes.loc[m, "open_year"] = yr.reindex(nodes.loc[m, "node_id"]).to_numpy()
    return nodes


def _finish_nodes(nodes: pd.DataFrame) -> pd.DataFrame:
    nodes = nodes.copy()
    nodes["status"] = nodes["status"].replace("", "operational")
    nodes["open_year"] = pd.array(pd.to_numeric(nodes["open_year"], errors="coerce"), dtype="Int64")
    nodes["x"] = nodes["x"].round(5)
    nodes["y"] = nodes["y"].round(5)
    return nodes.sort_values("node_id").reset_index(drop=True)


def _border_crossings(links, nodes, facts):
    """Land links whose end nodes lie in different countries, named from the facts when near."""
    nc = nodes.set_index("node_id")["country"]
    land = links[links["mode"].isin(["rail", "road"])]
    a = land["from_node"].map(nc).to_numpy()
    b = land["to_node"].map(nc).to_numpy()
    cross = land[(a != b) & (land["from_node"] < land["to_node"])]
    nx = nodes.set_index("node_id")
    xa, ya = nx.loc[cross["from_node"], "x"].to_numpy(), nx.loc[cross["from_node"], "y"].to_numpy()
    xb, yb = nx.loc[cross["to_node"], "x"].to_numpy(), nx.loc[cross["to_node"], "y"].to_numpy()
    df = pd.DataFrame({
        "link_id": cross["link_id"].to_numpy(), "mode": cross["mode"].to_numpy(),
        "node_a": cross["from_node"].to_numpy(), "node_b": cross["to_node"].to_numpy(),
        "country_a": cross["from_node"].map(nc).to_numpy(), "country_b": cross["to_node"].map(nc).to_numpy(),
        "x": np.round((xa + xb) / 2, 4), "y": np.round((ya + yb) / 2, 4),
        "status": cross["status"].to_numpy(), "open_year": cross["open_year"].to_numpy(),
        "closed_from": cross["closed_from"].to_numpy(), "reopen_year": cross["reopen_year"].to_numpy(),
        "closure_id": cross["closure_id"].to_numpy(),
    })  # fmt: skip
    df["crossing_id"] = ""
    df["name"] = ""
    bc = facts.get("border_crossings")
    if bc is not None and len(bc):
        bc = bc[(bc["lat"] != "") & (bc["lon"] != "")]
        best = np.full(len(df), np.inf)
        for r in bc.itertuples():
            same = ((df["country_a"] == r.country_a) & (df["country_b"] == r.country_b)) | (
                (df["country_a"] == r.country_b) & (df["country_b"] == r.country_a)
            )
            # distance from the link's middle or its nearer end (a long border link, 93 km
            # from Erenhot into Mongolia, has its middle 43 km from the crossing it starts at)
            lo, la = float(r.lon), float(r.lat)
            d = np.minimum.reduce([np.asarray(haversine_km(df["x"], df["y"], lo, la)),
                                   np.asarray(haversine_km(xa, ya, lo, la)),
                                   np.asarray(haversine_km(xb, yb, lo, la))])  # fmt: skip
            # every derived crossing of the pair within 40 km takes the nearest named one
            hit = (df["mode"] == r.mode).to_numpy() & same.to_numpy() & (d <= 40.0) & (d < best)
            df.loc[hit, ["crossing_id", "name"]] = [r.crossing_id, r.name]
            best = np.where(hit, d, best)
    df["time_h"] = np.nan
    df["time_source"] = ""
    if bc is not None and len(bc):
        info = bc.set_index("crossing_id")
        m = df["crossing_id"] != ""
        t = pd.to_numeric(info["time_h"], errors="coerce")
        df.loc[m, "time_h"] = df.loc[m, "crossing_id"].map(t).to_numpy()
        srcs = pd.Series([_src(r) for r in bc.itertuples()], index=bc["crossing_id"])
        has_t = m & df["time_h"].notna()
        df.loc[has_t, "time_source"] = df.loc[has_t, "crossing_id"].map(srcs).to_numpy()
    return df.sort_values(["mode", "link_id"]).reset_index(drop=True)


def _gauge_breaks(links, nodes, facts):
    """Rail nodes where 1435 and 1520 mm links meet (derived), named from the facts when near."""
    rail = links[links["mode"] == "rail"]
    g = pd.concat([rail[["from_node", "gauge"]].rename(columns={"from_node": "node_id"}),
                   rail[["to_node", "gauge"]].rename(columns={"to_node": "node_id"})])  # fmt: skip
    k = g.groupby("node_id")["gauge"].nunique()
    ids = k.index[k > 1]
    nx = nodes.set_index("node_id").loc[ids]
    df = pd.DataFrame({"node_id": ids, "x": nx["x"].to_numpy(), "y": nx["y"].to_numpy(),
                       "country": nx["country"].to_numpy(), "name": nx["name"].to_numpy(),
                       "point_id": nx["point_id"].to_numpy()})  # fmt: skip
    df["gauge_break_id"] = ""
    gb = facts.get("gauge_breaks")
    pts = facts.get("points")
    if gb is not None and pts is not None and len(gb) and len(df):
        p = pts.set_index("point_id")
        best = np.full(len(df), np.inf)
        for r in gb.itertuples():
            if r.point_id not in p.index or p.at[r.point_id, "lat"] == "":
                continue
            d = np.asarray(
                haversine_km(
                    df["x"], df["y"], float(p.at[r.point_id, "lon"]), float(p.at[r.point_id, "lat"])
                )
            )
            # every derived break within 40 km takes the nearest named one
            hit = (d <= 40.0) & (d < best)
            df.loc[hit, "gauge_break_id"] = r.gauge_break_id
            best = np.where(hit, d, best)
    for col in ("transshipment_h", "capacity", "cost_usd_feu"):
        df[col] = np.nan
    df["capacity_unit"] = ""
    df["source"] = ""
    if gb is not None and len(gb):
        info = gb.set_index("gauge_break_id")
        m = df["gauge_break_id"] != ""
        for col in ("transshipment_h", "capacity", "cost_usd_feu"):
            df.loc[m, col] = (
                df.loc[m, "gauge_break_id"]
                .map(pd.to_numeric(info[col], errors="coerce"))
                .to_numpy()
            )
        df.loc[m, "capacity_unit"] = (
            df.loc[m, "gauge_break_id"].map(info["capacity_unit"]).to_numpy()
        )
        srcs = pd.Series([_src(r) for r in gb.itertuples()], index=gb["gauge_break_id"])
        df.loc[m, "source"] = df.loc[m, "gauge_break_id"].map(srcs).to_numpy()
    return df.sort_values("node_id").reset_index(drop=True)


def _connectors_table(frames):
    df = pd.concat(frames, ignore_index=True)
    for c in ("from_lon", "from_lat", "to_lon", "to_lat"):
        if c in df.columns:
            df[c] = df[c].astype(float).round(4)
    df["km"] = df["km"].astype(float).round(3)
    cols = [c for c in ("mode", "kind", "connector_id", "country", "km", "from_lon", "from_lat", "to_lon", "to_lat", "reason") if c in df.columns]  # fmt: skip
    return (
        df[cols]
        .sort_values(["mode", "kind", "connector_id", "from_lon", "from_lat"])
        .reset_index(drop=True)
    )


CHECK_YEARS = (None, 2030)  # today's network and the one with the planned lines open


def _write(out: Path, tables: dict, overwrite: bool = True, check: bool = True, log=print) -> dict:
    """Write the tables into ``out`` as a whole; with ``check``, only if ``serai data check``
    finds no anomaly in the new network for each of :data:`CHECK_YEARS` (else
    :class:`serai.errors.InputError` and ``out`` keeps the previous build)."""
    from serai._fs import replace_folder

    # the checkout's data folder is the build's own: its tables are replaced, stale ones dropped
    owned = ("*.parquet", "network.json") if Path(out).resolve() == OUT.resolve() else ()
    with replace_folder(out, overwrite=overwrite, owned=owned) as new:
        _write_into(new, tables)
        counts = anomalies(new, log) if check else {}
        bad = {y: {k: v for k, v in c.items() if v} for y, c in counts.items()}
        bad = {y: c for y, c in bad.items() if c}
        if bad:
            from serai.errors import InputError

            what = "; ".join(
                f"{'today' if y is None else y}: " + ", ".join(f"{k} {v:,}" for k, v in c.items())
                for y, c in bad.items()
            )
            raise InputError(
                f"the new network has anomalies ({what}); the previous build is kept. "
                "`serai data check --network <folder> --details 20` lists them (build with "
                "--allow-anomalies --out <folder> to inspect)",
                file=str(out),
            )
    return counts


def anomalies(folder: Path, log=print) -> dict:
    """``serai data check`` counts of the network in ``folder`` for each of CHECK_YEARS."""
    from serai.data import load_network
    from serai.data.check import check_network, default_land_path, load_land

    land_paths = default_land_path()
    land = load_land(*land_paths) if land_paths else None
    net = load_network(path=folder)
    out = {}
    for y in CHECK_YEARS:
        rep = check_network(net, year=y, land=land)
        out[y] = dict(rep.counts)
        log(f"check ({'today' if y is None else y}): {rep.total} anomalies {rep.counts}")
    return out


def _write_into(out: Path, tables: dict) -> None:
    for name, df in tables.items():
        df = df.reset_index(drop=True)
        for c in df.columns:
            if df[c].dtype == object:
                df[c] = df[c].astype(str).replace({"nan": "", "<NA>": ""})
        df.to_parquet(out / f"{name}.parquet", index=False, compression="zstd")
    meta = {"name": "eurasia", "crs": "EPSG:4326", "units": {"length": "km", "free_flow_time": "min"},
            "licence": "ODbL-1.0 (rail/road, © OpenStreetMap contributors); see LICENSE.md and SOURCES.md"}  # fmt: skip
    (out / "network.json").write_text(
        json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def main() -> None:  # pragma: no cover
    build()


if __name__ == "__main__":  # pragma: no cover
    main()
