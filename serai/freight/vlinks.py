"""The families of virtual links of the routing graph, one builder each.

:func:`serai.freight.virtual.build_routing_graph` makes the layer and place nodes,
then calls these in order: move and border links, hub links between the layers of
a node, physical transfer links, services (board, crossing, alight), access and
egress connectors, and named places spanning several nodes. Each returns the
virtual-link tables it adds (and the extra virtual nodes, numbered from
``next_id``); ``vid(node, layer)`` maps physical node and layer to a virtual node.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from serai.errors import InputError
from serai.freight.vinputs import (
    _NATIVE,
    _col,
    _gc_km,
    _link_text,
    _node_override,
    _node_text,
    customs_union,
)
from serai.network.core import Network

__all__ = [
    "hub_links",
    "move_links",
    "point_links",
    "service_links",
    "transfer_links",
]

VId = Callable[[np.ndarray, np.ndarray], np.ndarray]
Frames = list[pd.DataFrame]


def move_links(
    network: Network,
    L: pd.DataFrame,
    fn: np.ndarray,
    tn: np.ndarray,
    ncountry: pd.Series,
    vid: VId,
    next_id: int,
) -> tuple[Frames, Frames, int]:
    """Move links, one per physical link; a land link across a border also gets a border link.

    Returns (link tables, border vnodes, next free vnode id).
    """
    parts: Frames = []
    extra_nodes: Frames = []
    fc = ncountry.loc[fn].to_numpy()
    tc = ncountry.loc[tn].to_numpy()
    fv = vid(fn, L["layer"].to_numpy())
    tv = vid(tn, L["layer"].to_numpy())
    crossing = (fc != tc) & (fc != "") & (tc != "")
    u_f = np.array([customs_union(c) for c in fc], dtype=object)
    u_t = np.array([customs_union(c) for c in tc], dtype=object)
    same_union = (u_f == u_t) & (u_f != "")
    union_event = np.array([u.split(":")[1] if u else "" for u in u_f], dtype=object)
    no_border = crossing & same_union & (union_event == "none")
    # customs for sea arrivals is part of the port dwell (hub_costs 'port')
    needs = crossing & ~no_border & (L["mode"].to_numpy() != "sea")
    nb = int(needs.sum())
    border_v = np.full(len(L), -1, np.int64)
    border_v[needs] = np.arange(next_id, next_id + nb)
    next_id += nb
    if nb:
        extra_nodes.append(
            pd.DataFrame(
                {
                    "vnode_id": border_v[needs],
                    "node_id": tn[needs],
                    "layer": L["layer"].to_numpy()[needs],
                    "role": "border",
                }
            )
        )
    speed = pd.to_numeric(_col(L, "speed", np.nan), errors="coerce").to_numpy(float)
    lctry = _col(L, "country", "").fillna("").astype(str).to_numpy()
    move_country = np.where(lctry != "", lctry, fc)
    passage = _col(L, "passage", "").fillna("").astype(str).to_numpy()
    move = pd.DataFrame(
        {
            "from_v": fv,
            "to_v": np.where(needs, border_v, tv),
            "kind": "move",
            "mode": L["mode"].to_numpy(),
            "layer": L["layer"].to_numpy(),
            "link_id": L["link_id"].to_numpy(np.int64),
            "service_id": "",
            "node_id": -1,
            "from_node": fn,
            "to_node": tn,
            "km": L["length"].to_numpy(float),
            "speed": speed,
            "hours_fixed": np.nan,
            "wait_h": 0.0,
            "event": "",
            "country": move_country,
            "from_country": fc,
            "to_country": tc,
            "passage": passage,
            "service_mode": "",
        }
    )
    parts.append(move)
    if nb:
        bt = _node_override(network, "border_crossings", "time_h", tn[needs])
        bl = _node_override(
            network,
            "border_crossings",
            "time_h",
            L["link_id"].to_numpy(np.int64)[needs],
            key="link_id",
        )
        bt = np.where(np.isfinite(bt), bt, bl)
        b_ids = L["link_id"].to_numpy(np.int64)[needs]
        b_cross = _link_text(network, "border_crossings", "crossing_id", b_ids)
        b_src = _link_text(network, "border_crossings", "time_source", b_ids)
        ev = np.where(
            same_union[needs],
            "border_union",
            np.where(L["mode"].to_numpy()[needs] == "road", "border_road", "border"),
        )
        parts.append(
            pd.DataFrame(
                {
                    "from_v": border_v[needs],
                    "to_v": tv[needs],
                    "kind": "border",
                    "mode": "transfer",
                    "layer": L["layer"].to_numpy()[needs],
                    "link_id": L["link_id"].to_numpy(np.int64)[needs],
                    "service_id": "",
                    "node_id": tn[needs],
                    "from_node": tn[needs],
                    "to_node": tn[needs],
                    "km": 0.0,
                    "speed": np.nan,
                    "hours_fixed": np.nan,
                    "wait_h": 0.0,
                    "event": ev,
                    "event_hours": bt,
                    "event_source": b_src,
                    "crossing_id": b_cross,
                    "country": tc[needs],
                    "from_country": fc[needs],
                    "to_country": tc[needs],
                    "passage": "",
                    "service_mode": "",
                }
            )
        )
    return parts, extra_nodes, next_id


def hub_links(network: Network, pairs: pd.DataFrame, ncountry: pd.Series, vid: VId) -> Frames:
    """Links between the layers of one node: ``gauge``, ``port`` or ``transfer``."""
    parts: Frames = []
    hub = pairs.merge(pairs, on="node_id", suffixes=("_a", "_b"))
    hub = hub.loc[hub["layer_a"] != hub["layer_b"]]
    if len(hub):
        ma = hub["layer_a"].str.split(":").str[0]
        mb = hub["layer_b"].str.split(":").str[0]
        ev = np.where(
            (ma == "rail") & (mb == "rail"),
            "gauge",
            np.where((ma == "sea") | (mb == "sea"), "port", "transfer"),
        )
        hn = hub["node_id"].to_numpy(np.int64)
        gh = _node_override(network, "gauge_breaks", ("time_h", "transshipment_h"), hn)
        gu = _node_override(network, "gauge_breaks", ("cost_usd", "cost_usd_feu"), hn)
        gsrc = _node_text(network, "gauge_breaks", "source", hn)
        is_g = ev == "gauge"
        wait = np.where(mb == "sea", np.nan, 0.0)  # boarding the sea layer: liner wait
        parts.append(
            pd.DataFrame(
                {
                    "from_v": vid(hn, hub["layer_a"].to_numpy()),
                    "to_v": vid(hn, hub["layer_b"].to_numpy()),
                    "kind": ev,
                    "mode": "transfer",
                    "layer": hub["layer_a"] + ">" + hub["layer_b"],
                    "link_id": -1,
                    "service_id": "",
                    "node_id": hn,
                    "from_node": hn,
                    "to_node": hn,
                    "km": 0.0,
                    "speed": np.nan,
                    "hours_fixed": np.nan,
                    "wait_h": wait,
                    "event": ev,
                    "event_hours": np.where(is_g, gh, np.nan),
                    "event_usd": np.where(is_g, gu, np.nan),
                    "event_source": np.where(is_g, gsrc, ""),
                    "country": ncountry.loc[hn].to_numpy(),
                    "from_country": ncountry.loc[hn].to_numpy(),
                    "to_country": ncountry.loc[hn].to_numpy(),
                    "passage": "",
                    "service_mode": "",
                }
            )
        )
    return parts


def transfer_links(
    network: Network, T: pd.DataFrame, pairs: pd.DataFrame, ncountry: pd.Series, vid: VId
) -> Frames:
    """Physical transfer links: a hub drawn as two nodes joined by a ``transfer`` link."""
    parts: Frames = []
    if len(T):
        tl = pd.DataFrame(
            {
                "from_node": T["from_node"].to_numpy(np.int64),
                "to_node": T["to_node"].to_numpy(np.int64),
                "tlink": T["link_id"].to_numpy(np.int64),
            }
        )
        if "free_flow_time" in T.columns:
            tl["h"] = pd.to_numeric(T["free_flow_time"], errors="coerce").to_numpy(float) / 60.0
        else:
            tl["h"] = np.nan
        tl = tl.merge(
            pairs.rename(columns={"node_id": "from_node", "layer": "layer_a"}), on="from_node"
        )
        tl = tl.merge(
            pairs.rename(columns={"node_id": "to_node", "layer": "layer_b"}), on="to_node"
        )
        if len(tl):
            ma = tl["layer_a"].str.split(":").str[0]
            mb = tl["layer_b"].str.split(":").str[0]
            ca = ncountry.loc[tl["from_node"].to_numpy()].to_numpy()
            cb = ncountry.loc[tl["to_node"].to_numpy()].to_numpy()
            ev = np.where(
                (ma == "rail") & (mb == "rail") & (tl["layer_a"] != tl["layer_b"]),
                "gauge",
                np.where(
                    (ma == "sea") | (mb == "sea"),
                    "port",
                    np.where(tl["layer_a"] == tl["layer_b"], "border", "transfer"),
                ),
            )
            ev = np.where((ev == "border") & ((ca == cb) | (ca == "") | (cb == "")), "transfer", ev)
            ev = np.where((ev == "border") & (ma == "road"), "border_road", ev)
            parts.append(
                pd.DataFrame(
                    {
                        "from_v": vid(tl["from_node"].to_numpy(), tl["layer_a"].to_numpy(object)),
                        "to_v": vid(tl["to_node"].to_numpy(), tl["layer_b"].to_numpy(object)),
                        "kind": np.where(
                            np.char.startswith(ev.astype(str), "border"), "border", ev
                        ),
                        "mode": "transfer",
                        "layer": tl["layer_a"] + ">" + tl["layer_b"],
                        "link_id": tl["tlink"].to_numpy(),
                        "service_id": "",
                        "node_id": tl["to_node"].to_numpy(),
                        "from_node": tl["from_node"].to_numpy(),
                        "to_node": tl["to_node"].to_numpy(),
                        "km": 0.0,
                        "speed": np.nan,
                        "hours_fixed": np.nan,
                        "wait_h": np.where(mb == "sea", np.nan, 0.0),
                        "event": ev,
                        "event_hours": np.where(tl["h"].to_numpy() > 0, tl["h"].to_numpy(), np.nan),
                        "event_source": _link_text(
                            network, "links", "time_source", tl["tlink"].to_numpy(np.int64)
                        ),
                        "crossing_id": _link_text(
                            network, "border_crossings", "crossing_id", tl["tlink"].to_numpy()
                        ),
                        "country": cb,
                        "from_country": ca,
                        "to_country": cb,
                        "passage": "",
                        "service_mode": "",
                    }
                )
            )
    return parts


def service_links(
    S: pd.DataFrame,
    T: pd.DataFrame,
    groups: pd.DataFrame,
    pairs: pd.DataFrame,
    ncountry: pd.Series,
    nx: pd.Series,
    ny: pd.Series,
    vid: VId,
    next_id: int,
) -> tuple[Frames, Frames, int]:
    """Services (ferries, ro-ro, feeders): board links, the crossing, alight links.

    Returns (link tables, service vnodes, next free vnode id).
    """
    parts: Frames = []
    extra_nodes: Frames = []
    hub_neighbours: dict[int, set[int]] = {}
    for f, t in zip(
        T["from_node"].to_numpy(np.int64), T["to_node"].to_numpy(np.int64), strict=True
    ):
        hub_neighbours.setdefault(int(f), set()).add(int(t))
        hub_neighbours.setdefault(int(t), set()).add(int(f))
    # ... and from the other nodes of the same named place (a port's rail and road nodes)
    point_of: dict[int, list[str]] = {}
    point_nodes: dict[str, list[int]] = {}
    for pid, nid_ in zip(groups["point_id"], groups["node_id"], strict=True):
        point_of.setdefault(int(nid_), []).append(str(pid))
        point_nodes.setdefault(str(pid), []).append(int(nid_))
    for s in S.itertuples(index=False):
        a, b = int(s.from_node), int(s.to_node)
        va, vb = next_id, next_id + 1
        next_id += 2
        extra_nodes.append(
            pd.DataFrame(
                {
                    "vnode_id": [va, vb],
                    "node_id": [a, b],
                    "layer": [f"svc:{s.service_id}"] * 2,
                    "role": "service",
                }
            )
        )
        freq = (
            float(s.frequency_per_week) if s.frequency_per_week == s.frequency_per_week else np.nan
        )
        wait = float(s.wait_h) if s.wait_h == s.wait_h else (84.0 / freq if freq > 0 else np.nan)
        if wait != wait and freq == freq:  # a frequency of zero or less: no departures
            raise InputError(
                f"service {s.service_id} needs wait_h or frequency_per_week > 0",
                row=str(s.service_id),
                field="frequency_per_week",
            )
        native = _NATIVE.get(str(s.mode), ())
        km = float(s.km) if s.km > 0 else _gc_km(nx.get(a), ny.get(a), nx.get(b), ny.get(b))
        rows = [
            dict(
                from_v=va,
                to_v=vb,
                kind="move",
                mode="ferry",
                layer=f"svc:{s.service_id}",
                link_id=-1,
                node_id=-1,
                from_node=a,
                to_node=b,
                km=km,
                hours_fixed=float(s.crossing_h),
                wait_h=0.0,
                event="",
                event_source="estimate" if s.estimate else "",
                country="",
                from_country=ncountry.get(a, ""),
                to_country=ncountry.get(b, ""),
                passage=str(s.passage),
            )
        ]
        for end, sv, board in ((a, va, True), (b, vb, False)):
            # board from the port node and from the nodes joined to it by transfer links
            # (a rail ferry takes wagons straight from the port's rail node)
            hub_nodes = [end, *hub_neighbours.get(end, ())]
            for pid in point_of.get(end, ()):
                hub_nodes += point_nodes.get(pid, [])
            hub_pairs = pairs.loc[pairs["node_id"].isin(set(hub_nodes))]
            for node, layer in zip(hub_pairs["node_id"], hub_pairs["layer"], strict=True):
                m = layer.split(":")[0]
                ev = "board" if m in native else ("port" if m == "sea" else "transfer")
                rows.append(
                    dict(
                        from_v=int(vid(np.array([node]), np.array([layer], dtype=object))[0])
                        if board
                        else sv,
                        to_v=sv
                        if board
                        else int(vid(np.array([node]), np.array([layer], dtype=object))[0]),
                        kind="board" if board else "alight",
                        mode="transfer",
                        layer=layer,
                        link_id=-1,
                        node_id=node,
                        from_node=node,
                        to_node=node,
                        km=0.0,
                        hours_fixed=np.nan,
                        wait_h=wait if board else 0.0,
                        frequency_per_week=freq if board else np.nan,
                        svc_wait_h=float(s.wait_h) if board else np.nan,
                        event_source="estimate" if (board and s.estimate) else "",
                        event=ev if (board or ev != "board") else "",
                        country=ncountry.get(node, ""),
                        from_country=ncountry.get(node, ""),
                        to_country=ncountry.get(node, ""),
                        passage="",
                    )
                )
        df = pd.DataFrame(rows)
        df["service_id"] = str(s.service_id)
        df["service_mode"] = str(s.mode)
        df["speed"] = np.nan
        parts.append(df)
    return parts, extra_nodes, next_id


def point_links(
    groups: pd.DataFrame, lv_all: pd.DataFrame, ncountry: pd.Series, next_id: int
) -> tuple[pd.Series, Frames, Frames, int]:
    """Named places (points) spanning several physical nodes (rail, road and sea nodes of a city).

    Returns (point_id -> place vnode, link tables, place vnodes, next free vnode id).
    """
    parts: Frames = []
    extra_nodes: Frames = []
    point_place = pd.Series(dtype=np.int64)
    if len(groups):
        pids = groups["point_id"].drop_duplicates().to_numpy(object)
        gv = np.arange(next_id, next_id + len(pids), dtype=np.int64)
        next_id += len(pids)
        point_place = pd.Series(gv, index=pids)
        first = groups.drop_duplicates("point_id").set_index("point_id")["node_id"]
        extra_nodes.append(
            pd.DataFrame(
                {
                    "vnode_id": gv,
                    "node_id": first.loc[pids].to_numpy(np.int64),
                    "layer": [f"point:{p}" for p in pids],
                    "role": "place",
                }
            )
        )
        gl = groups.merge(lv_all[["node_id", "layer", "vnode_id"]], on="node_id")
        gpv = point_place.loc[gl["point_id"].to_numpy(object)].to_numpy(np.int64)
        gc = ncountry.loc[gl["node_id"].to_numpy(np.int64)].to_numpy()
        parts += _access_egress(
            gpv,
            gl["vnode_id"].to_numpy(),
            gl["layer"].to_numpy(),
            gl["node_id"].to_numpy(np.int64),
            gc,
        )
    return point_place, parts, extra_nodes, next_id


def _access_egress(
    place_v: np.ndarray, vnode: np.ndarray, layer: np.ndarray, node: np.ndarray, country: np.ndarray
) -> list[pd.DataFrame]:
    """Access (place -> layer node) and egress (layer node -> place) connector links.

    Terminal to terminal: loading onto or unloading from a ship at the ends is a port event.
    """
    at_sea = layer == "sea"
    out = []
    for kind, f, t in (("access", place_v, vnode), ("egress", vnode, place_v)):
        out.append(
            pd.DataFrame(
                {
                    "from_v": f,
                    "to_v": t,
                    "kind": kind,
                    "mode": "connector",
                    "layer": layer,
                    "link_id": -1,
                    "service_id": "",
                    "node_id": node,
                    "from_node": node,
                    "to_node": node,
                    "km": 0.0,
                    "speed": np.nan,
                    "hours_fixed": 0.0,
                    "wait_h": np.where(at_sea & (kind == "access"), np.nan, 0.0),
                    "event": np.where(at_sea, "port", ""),
                    "country": country,
                    "from_country": country,
                    "to_country": country,
                    "passage": "",
                    "service_mode": "",
                }
            )
        )
    return out
