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
