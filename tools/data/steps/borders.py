"""Borders and gauges: closures stamped on border links, the derived border crossings and
gauge breaks named from the facts, the connectors table (stage 4 of the build)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tools.data.geo import haversine_km
from tools.data.steps.common import _src


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


CLOSED_TRANSIT_KM = 30.0


def _closed_transit(
    nodes: pd.DataFrame, links: pd.DataFrame, log, max_km: float = CLOSED_TRANSIT_KM
):
    """A land line's short pass through a neighbouring country takes the country around it.

    A run of rail (or road) junctions in country ``c`` joined to the rest of its mode's graph by
    exactly two links, both into one other country ``d``, with under ``max_km`` of line inside
    ``c`` and no named place, station or port, is a line of ``d`` that clips ``c``: trains and
    trucks of ``d`` pass it without a border stop (closed-door transit), so its nodes and links
    take ``d`` and no border crossing is derived there. EST: the rule and its 30 km are an
    estimate; the case that asked for it is the Taraz line, 15 km inside Kyrgyzstan in both the
    OSM-derived line and Natural Earth 1:10m, which gave a Kazakh domestic train two border
    handovers. Returns ``(nodes, links)``, copies when anything changes.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    country = nodes["country"].fillna("").to_numpy().astype(object)
    named = (nodes["kind"].fillna("junction") != "junction").to_numpy().copy()
    for col in ("name", "point_id", "unlocode"):
        if col in nodes.columns:
            named = named | (nodes[col].fillna("").astype(str) != "").to_numpy()
    pos = pd.Series(np.arange(len(nodes)), index=nodes["node_id"].to_numpy())
    new_country = country.copy()
    moved_links: list[np.ndarray] = []
    for mode in ("rail", "road"):
        lk = links[links["mode"] == mode]
        a = pos.reindex(lk["from_node"].to_numpy()).to_numpy()
        b = pos.reindex(lk["to_node"].to_numpy()).to_numpy()
        ok = ~(np.isnan(a) | np.isnan(b))
        lk, a, b = lk[ok], a[ok].astype(np.int64), b[ok].astype(np.int64)
        km = lk["length"].to_numpy(dtype=float)
        same = (country[a] == country[b]) & (country[a] != "")
        n = len(nodes)
        g = coo_matrix((np.ones(int(same.sum())), (a[same], b[same])), shape=(n, n))
        _, comp = connected_components(g, directed=False)
        # undirected boundary links (each pair once) and their outside ends
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        cross = ~same
        pairs = pd.DataFrame({"lo": lo[cross], "hi": hi[cross]}).drop_duplicates()
        ends = pd.DataFrame({
            "comp": np.r_[comp[pairs["lo"]], comp[pairs["hi"]]],
            "out": np.r_[country[pairs["hi"]], country[pairs["lo"]]],
        })  # fmt: skip
        nb = ends.groupby("comp").agg(n_links=("out", "size"), outs=("out", lambda s: frozenset(s)))
        cand = nb[(nb["n_links"] == 2) & (nb["outs"].map(len) == 1)]
        if cand.empty:
            continue
        inner = pd.DataFrame(
            {"comp": comp[lo[same]], "lo": lo[same], "hi": hi[same], "km": km[same]}
        )
        inner = inner.drop_duplicates(["lo", "hi"]).groupby("comp")["km"].sum()
        for cid, row in cand.iterrows():
            members = np.flatnonzero(comp == cid)
            d = next(iter(row["outs"]))
            if d == "" or d == country[members[0]] or named[members].any():
                continue
            if float(inner.get(cid, 0.0)) >= max_km or len(members) > 50:
                continue
            log(f"closed transit: {len(members)} {mode} node(s) of {country[members[0]]} inside "
                f"{d}'s line ({float(inner.get(cid, 0.0)):.1f} km) take {d}")  # fmt: skip
            new_country[members] = d
            touched = np.isin(a, members) | np.isin(b, members)
            moved_links.append(lk.index.to_numpy()[touched])
    if not moved_links:
        return nodes, links
    nodes = nodes.copy()
    nodes["country"] = new_country
    links = links.copy()
    idx = np.concatenate(moved_links)
    ends_c = new_country[pos.reindex(links.loc[idx, "from_node"]).to_numpy().astype(np.int64)]
    links.loc[idx, "country"] = ends_c
    return nodes, links
