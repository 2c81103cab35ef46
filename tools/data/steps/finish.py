"""Defaults, speeds, times, ids and dtypes of the final nodes and links (stage 5 of the
build)."""

from __future__ import annotations

import numpy as np
import pandas as pd


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
