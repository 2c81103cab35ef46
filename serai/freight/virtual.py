"""The routing graph ("virtual network", as in NODUS): every transfer is a link.

A multimodal :class:`~serai.network.Network` is expanded into a network of
virtual nodes and links and compiled with
:func:`~serai.network.compile.compile_network`:

* one **layer node** per physical node and layer it touches; a layer is a mode,
  and for rail the mode and gauge (``rail:1520``, ``rail:1435``), so a break of
  gauge can only be crossed by a ``gauge`` link;
* one **place node** per physical node (not passable) with ``access`` and
  ``egress`` links to its layer nodes; routes start and end at places (loading
  onto or unloading from a ship there is a ``port`` event, with the liner wait);
* **move** links, one per physical link, inside a layer;
* **hub** links between the layer nodes of a node: ``gauge`` (rail gauge change),
  ``port`` (to or from the sea layer) and ``transfer`` (other mode changes);
* **border** links: a land link whose end nodes lie in different countries is
  split into a move link and a border link (countries of the same customs union
  get a shorter ``border_union`` event; EU internal borders none; customs at a
  sea or ferry port is part of the port or boarding dwell);
* **services** (ferries, ro-ro, feeders): a service node at each end, a ``board``
  link from every layer of the port (waiting time = ``wait_h`` or half the
  headway, 84 / frequency_per_week hours; neither known: the commodity's weekly
  ``sea_wait`` estimate), the crossing as a move link, and an
  ``alight`` link back to every layer.

The result keeps a table of virtual links (``vlinks``) with the physical link,
node, service and countries each one stands for, so a route's legs and events
are read back from the links it uses. Nothing here depends on the commodity;
:mod:`serai.freight.cost` turns the table into per-commodity cost arrays.

Expected input columns (missing optional ones take defaults):
``nodes``: node_id, x, y, name, country, kind.
``links``: link_id, from_node, to_node, mode, length (km); optional speed (km/h),
gauge, passage, status, open_year, close_year.
``services`` (optional table): service_id, from_node, to_node, mode, crossing_h,
frequency_per_week, wait_h, length, status, open_year; both directions are
served unless ``directed`` is true.
Links of mode ``transfer`` join two nodes of one hub (a port's sea node and its
rail node); their ``free_flow_time`` (min) overrides the commodity's default hub
time when positive (zero is read as "not set").
``border_crossings`` (optional): node_id or link_id, time_h (overrides the
default border time of that crossing). ``gauge_breaks`` (optional): node_id,
time_h or transshipment_h, cost_usd or cost_usd_feu (per FEU for containers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from serai.errors import InputError
from serai.network.compile import Graph, compile_network
from serai.network.core import Network

__all__ = ["RoutingGraph", "available_links", "build_routing_graph", "customs_union"]

SERVICE_MODES = ("ferry", "roro", "feeder")
# service kinds of the facts tables -> routing service modes
SERVICE_KIND = {
    "ferry": "ferry",
    "rail_ferry": "ferry",
    "roro": "roro",
    "ro_ro": "roro",
    "ro_pax": "roro",
    "ropax": "roro",
    "feeder": "feeder",
    "container_feeder": "feeder",
}
OPEN_STATUS = ("open", "operational", "existing", "")
# which layers a service carries without transshipment
_NATIVE = {"ferry": ("rail",), "roro": ("road",), "feeder": ("sea",)}


@cache
def _unions() -> dict[str, str]:
    with resources.files("serai.freight.data").joinpath("customs_unions.csv").open("rb") as fh:
        t = pd.read_csv(fh)
    out = {}
    for _, r in t.iterrows():
        for c in str(r["countries"]).split(";"):
            out[c.strip()] = f"{r['union']}:{r['border_event']}"
    return out


def customs_union(country: str) -> str:
    """``'EU:none'``, ``'EAEU:border_union'`` or ``''`` for a country code."""
    return _unions().get(country, "")


def _col(df: pd.DataFrame, name: str, default) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([default] * len(df), index=df.index)


def available_links(df: pd.DataFrame, year: int | None) -> np.ndarray:
    """Mask of rows usable in ``year``: open, or opening by then, and not closed.

    The one availability rule of :func:`serai.data.status.open_mask`: ``open``,
    ``operational`` and empty count as open; a row with another ``status``
    (planned, under_construction) and no ``open_year`` is unusable; dated
    closures (``closed_from`` .. ``reopen_year``, or ``close_year``) apply;
    ``year=None`` keeps only rows that are open today.
    """
    from serai.data.status import open_mask

    return open_mask(df, year)


@dataclass(frozen=True, eq=False)
class RoutingGraph:
    """A compiled virtual network plus the crosswalks back to the physical one.

    Attributes
    ----------
    network
        The physical network it was built from.
    year
        Year used to select links and services (None: open today).
    graph
        The compiled :class:`~serai.network.compile.Graph` of virtual nodes and links.
    vnodes
        Virtual nodes: vnode_id, node_id (physical), layer, role (place, layer,
        border, service).
    vlinks
        Virtual links, one row per graph link row: vlink_id, from_v, to_v, kind,
        mode, layer, link_id, service_id, node_id (hub events), from_node,
        to_node, km, speed, hours_fixed, wait_h, event, event_hours, event_usd,
        country, from_country, to_country, passage, service_mode; for the time model
        (:mod:`serai.freight.timemodel`): crossing_id (border links), event_source (the
        source text of a network-given time: an ``estimate...`` one is replaced by the
        model's parameter), frequency_per_week and svc_wait_h (raw service data on
        boarding links).
    place_of
        Physical node id -> place vnode id (a pandas Series).
    point_place
        Named point (``point_id`` of the ``points`` table or ``nodes.point_id``)
        -> place vnode with access to every node of that point (rail, road, port).
    """

    network: Network
    year: int | None
    graph: Graph
    vnodes: pd.DataFrame
    vlinks: pd.DataFrame
    place_of: pd.Series
    point_place: pd.Series = field(default_factory=lambda: pd.Series(dtype=np.int64))

    def edge(self, column: str) -> np.ndarray:
        """A ``vlinks`` column in graph edge order."""
        return self.graph.edge_values(self.vlinks[column].to_numpy())

    def place(self, key: int | str) -> int:
        """Place vnode of a physical node id, or of a named point (``point_id``, a str)."""
        try:
            if isinstance(key, str):
                return int(self.point_place.loc[key])
            return int(self.place_of.loc[int(key)])
        except KeyError:
            raise InputError(f"place {key!r} has no usable link in the routing graph") from None

    def __repr__(self) -> str:
        kinds = self.vlinks["kind"].value_counts().to_dict()
        return f"RoutingGraph(year={self.year}, vnodes={len(self.vnodes)}, vlinks={kinds})"


def _layer(mode: pd.Series, gauge: pd.Series) -> pd.Series:
    g = pd.to_numeric(gauge, errors="coerce").astype("float64").to_numpy()
    gtxt = pd.Series(
        np.where(np.isnan(g), "", ":" + np.nan_to_num(g).astype(np.int64).astype(str)),
        index=mode.index,
    )
    return mode.where(~((mode == "rail") & (gtxt != "")), mode + gtxt)


PLACE_KINDS = (
    "port",
    "terminal",
    "rail_terminal",
    "dry_port",
    "city",
    "station",
    "gauge_change",
    "border",
)


def build_routing_graph(
    network: Network, *, year: int | None = None, places: str = "named"
) -> RoutingGraph:
    """Expand a multimodal network into the routing graph (transfers as links).

    Parameters
    ----------
    network
        Physical network (see the module docstring for the columns used).
    year
        Keep links and services usable in this year (``status``/``open_year``,
        dated closures). Default: the year the network was loaded for
        (``network.meta["year"]``, set by :func:`serai.data.load_network`), else
        today's network. A year different from the network's is an error.
    places
        Which nodes routes may start and end at: ``"named"`` (nodes with a name or
        ``point_id``, or of a kind in ``PLACE_KINDS``; plain junctions are left out,
        which keeps the graph small) or ``"all"``.

    Returns
    -------
    RoutingGraph

    Examples
    --------
    >>> import pandas as pd
    >>> from serai.network import Network
    >>> from serai.freight import build_routing_graph
    >>> nodes = pd.DataFrame({"node_id": [1, 2, 3], "x": [0.0, 1.0, 2.0], "y": [0.0, 0.0, 0.0],
    ...     "country": ["KZ", "KZ", "KZ"], "kind": ["city", "terminal", "city"]})
    >>> links = pd.DataFrame({"link_id": [1, 2], "from_node": [1, 2], "to_node": [2, 3],
    ...     "mode": ["rail", "road"], "length": [100.0, 50.0]})
    >>> rg = build_routing_graph(Network.from_tables(nodes=nodes, links=links))
    >>> sorted(rg.vlinks["kind"].unique())
    ['access', 'egress', 'move', 'transfer']
    """
    loaded = (network.meta or {}).get("year")
    if year is None:
        year = loaded
    elif loaded is not None and int(loaded) != int(year):
        raise InputError(
            f"the network was loaded for {loaded}; a routing graph for {year} needs the "
            f"network of {year} (serai.data.load_network(year={year}))",
            field="year",
        )
    nodes = network.nodes
    links = network.links
    if "mode" not in links.columns:
        raise InputError("the routing graph needs a 'mode' column in links", field="mode")
    nid = nodes["node_id"].to_numpy(np.int64)
    ncountry = pd.Series(_col(nodes, "country", "").fillna("").astype(str).to_numpy(), index=nid)
    nkind = pd.Series(_col(nodes, "kind", "node").fillna("node").astype(str).to_numpy(), index=nid)
    nx = pd.Series(_col(nodes, "x", np.nan).to_numpy(float), index=nid)
    ny = pd.Series(_col(nodes, "y", np.nan).to_numpy(float), index=nid)

    # ---- physical links usable in `year`, not services
    L = links.loc[available_links(links, year)].copy()
    L["mode"] = L["mode"].astype(str)
    T = L.loc[L["mode"] == "transfer"]  # physical transfer links (between two nodes of a hub)
    L = L.loc[~L["mode"].isin([*SERVICE_KIND, "transfer", "connector"])]
    if "length" not in L.columns:
        raise InputError("the routing graph needs link lengths in km ('length')", field="length")
    L["layer"] = _layer(L["mode"], _col(L, "gauge", np.nan))
    fn = L["from_node"].to_numpy(np.int64)
    tn = L["to_node"].to_numpy(np.int64)

    # ---- services (table, or links of a service mode)
    S = _services(network, links, year)

    # ---- vnodes: layer nodes
    pairs = pd.concat(
        [
            pd.DataFrame({"node_id": fn, "layer": L["layer"].to_numpy()}),
            pd.DataFrame({"node_id": tn, "layer": L["layer"].to_numpy()}),
        ]
    ).drop_duplicates(ignore_index=True)
    phys = np.unique(
        np.concatenate(
            [
                pairs["node_id"].to_numpy(),
                S["from_node"].to_numpy(np.int64),
                S["to_node"].to_numpy(np.int64),
            ]
        )
    )
    unknown = np.setdiff1d(phys, nid)
    if len(unknown):
        raise InputError(f"links or services refer to unknown node ids {unknown[:5].tolist()}")
    lay = pairs.assign(role="layer")
    if places not in ("named", "all"):
        raise InputError(f"places must be 'named' or 'all', not {places!r}", field="places")
    if places == "named":
        named = _col(nodes, "name", "").fillna("").astype(str) != ""
        named |= _col(nodes, "point_id", "").fillna("").astype(str) != ""
        named |= nkind.isin(PLACE_KINDS).to_numpy()
        place_phys = np.intersect1d(phys, nid[named.to_numpy()])
    else:
        place_phys = phys
    places = pd.DataFrame({"node_id": place_phys, "layer": "", "role": "place"})
    vn = pd.concat([places, lay], ignore_index=True)
    vn["vnode_id"] = np.arange(len(vn), dtype=np.int64)
    layer_names = np.array(sorted(set(vn["layer"])), dtype=object)
    n_layers = len(layer_names)

    def code(node: np.ndarray, layer: np.ndarray) -> np.ndarray:
        lc = np.searchsorted(layer_names, np.asarray(layer, dtype=object))
        return np.asarray(node, np.int64) * n_layers + lc

    vcodes = code(vn["node_id"].to_numpy(np.int64), vn["layer"].to_numpy(object))
    corder = np.argsort(vcodes)
    vsorted = vcodes[corder]

    def vid(node: np.ndarray, layer: np.ndarray) -> np.ndarray:
        c = code(node, layer)
        pos = np.clip(np.searchsorted(vsorted, c), 0, len(vsorted) - 1)
        assert (vsorted[pos] == c).all()
        return vn["vnode_id"].to_numpy(np.int64)[corder[pos]]

    parts: list[pd.DataFrame] = []
    next_id = len(vn)
    extra_nodes: list[pd.DataFrame] = []

    # ---- move (+ border) links
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

    # ---- hub links between layers of one node
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

    # ---- physical transfer links (a hub drawn as two nodes joined by a transfer link)
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

    # ---- services
    hub_neighbours: dict[int, set[int]] = {}
    for f, t in zip(
        T["from_node"].to_numpy(np.int64), T["to_node"].to_numpy(np.int64), strict=True
    ):
        hub_neighbours.setdefault(int(f), set()).add(int(t))
        hub_neighbours.setdefault(int(t), set()).add(int(f))
    # ... and from the other nodes of the same named place (a port's rail and road nodes)
    groups = _point_groups(network, phys)
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

    # ---- access / egress
    lv_all = lay.assign(vnode_id=vid(lay["node_id"].to_numpy(np.int64), lay["layer"].to_numpy()))
    lv = lv_all.loc[lv_all["node_id"].isin(place_phys)]
    pv = vid(lv["node_id"].to_numpy(np.int64), np.array([""] * len(lv), dtype=object))
    c = ncountry.loc[lv["node_id"].to_numpy(np.int64)].to_numpy()
    # terminal-to-terminal: loading onto / unloading from a ship at the ends is a port event
    parts += _access_egress(
        pv, lv["vnode_id"].to_numpy(), lv["layer"].to_numpy(), lv["node_id"].to_numpy(np.int64), c
    )

    # ---- named places (points) spanning several physical nodes (rail, road and sea nodes of a city)
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

    vl = pd.concat(parts, ignore_index=True)
    for col in ("event_hours", "event_usd", "frequency_per_week", "svc_wait_h"):
        vl[col] = pd.to_numeric(vl[col], errors="coerce") if col in vl else np.nan
    for col in ("event_source", "crossing_id"):
        vl[col] = vl[col].fillna("").astype(str) if col in vl else ""
    vl["vlink_id"] = np.arange(len(vl), dtype=np.int64)
    for col in ("link_id", "node_id", "from_node", "to_node", "from_v", "to_v"):
        vl[col] = vl[col].astype(np.int64)
    for col in (
        "service_id",
        "event",
        "country",
        "from_country",
        "to_country",
        "passage",
        "service_mode",
        "layer",
        "mode",
        "kind",
    ):
        vl[col] = vl[col].fillna("").astype(str)
    vnodes = pd.concat([vn, *extra_nodes], ignore_index=True)
    vnodes["x"] = nx.loc[vnodes["node_id"].to_numpy(np.int64)].to_numpy()
    vnodes["y"] = ny.loc[vnodes["node_id"].to_numpy(np.int64)].to_numpy()
    vnodes["passable"] = vnodes["role"] != "place"
    vnodes["kind"] = nkind.loc[vnodes["node_id"].to_numpy(np.int64)].to_numpy()

    vnet = Network.from_tables(
        nodes=vnodes[["vnode_id", "x", "y", "passable"]].rename(columns={"vnode_id": "node_id"}),
        links=pd.DataFrame(
            {
                "link_id": vl["vlink_id"],
                "from_node": vl["from_v"],
                "to_node": vl["to_v"],
                "km": vl["km"],
            }
        ),
        meta={
            "name": f"routing graph of {network.name}",
            "crs": network.meta.get("crs", "EPSG:4326"),
        },
    )
    graph = compile_network(vnet, check=False, block_zones=None)
    place_of = pd.Series(
        places.index.to_numpy(np.int64), index=places["node_id"].to_numpy(np.int64)
    )
    return RoutingGraph(network, year, graph, vnodes, vl, place_of, point_place)


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


def _point_groups(network: Network, phys: np.ndarray) -> pd.DataFrame:
    """(point_id, node_id) pairs of named places: ``points`` table and ``nodes.point_id``."""
    frames = []
    pts = network.tables.get("points")
    if pts is not None and {"point_id", "node_id"} <= set(pts.columns):
        frames.append(pts[["point_id", "node_id"]])
    nodes = network.nodes
    if "point_id" in nodes.columns:
        pid = nodes["point_id"].fillna("").astype(str).str.split("|")
        ex = pd.DataFrame({"point_id": pid, "node_id": nodes["node_id"].to_numpy(np.int64)})
        frames.append(ex.explode("point_id"))
    if not frames:
        return pd.DataFrame({"point_id": [], "node_id": []})
    g = pd.concat(frames, ignore_index=True)
    g["point_id"] = g["point_id"].fillna("").astype(str).str.strip()
    g = g.loc[(g["point_id"] != "") & g["node_id"].notna()]
    g["node_id"] = g["node_id"].astype(np.int64)
    g = g.loc[g["node_id"].isin(phys)].drop_duplicates()
    return g.sort_values(["point_id", "node_id"]).reset_index(drop=True)


def _gc_km(x1, y1, x2, y2) -> float:
    """Great-circle distance in km (0 when a coordinate is missing)."""
    vals = np.array([x1, y1, x2, y2], dtype=float)
    if np.isnan(vals).any():
        return 0.0
    lon1, lat1, lon2, lat2 = np.radians(vals)
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return float(2 * 6371.0088 * np.arcsin(np.sqrt(h)))


def _node_override(
    network: Network,
    table: str,
    column: str | tuple[str, ...],
    ids: np.ndarray,
    *,
    key: str = "node_id",
) -> np.ndarray:
    """Per-element values from an optional table keyed by ``key`` (NaN where absent).

    ``column`` may list alternative names; the first present is used.
    """
    t = network.tables.get(table)
    names = (column,) if isinstance(column, str) else column
    col = next((c for c in names if t is not None and c in t.columns), None)
    if t is None or col is None or key not in t.columns or not len(ids):
        return np.full(len(ids), np.nan)
    s = pd.to_numeric(t[col], errors="coerce")
    k = pd.to_numeric(t[key], errors="coerce")
    ok = k.notna() & s.notna()
    m = pd.Series(s[ok].to_numpy(float), index=k[ok].to_numpy(np.int64))
    m = m[~m.index.duplicated()]
    return m.reindex(ids).to_numpy(float)


def _text_col(df: pd.DataFrame, name: str) -> pd.Series:
    return _col(df, name, "").fillna("").astype(str)


def _bool_col(df: pd.DataFrame, name: str) -> pd.Series:
    v = _col(df, name, False)
    return v.astype(str).str.strip().str.lower().isin(["true", "1", "yes"])


def _link_text(network: Network, table: str, column: str, ids: np.ndarray) -> np.ndarray:
    """Text column of an optional table keyed by ``link_id`` ('' where absent)."""
    return _keyed_text(network, table, column, ids, "link_id")


def _node_text(network: Network, table: str, column: str, ids: np.ndarray) -> np.ndarray:
    """Text column of an optional table keyed by ``node_id`` ('' where absent)."""
    return _keyed_text(network, table, column, ids, "node_id")


def _keyed_text(network: Network, table: str, column: str, ids: np.ndarray, key: str) -> np.ndarray:
    t = network.tables.get(table)
    ids = np.asarray(ids)
    if t is None or column not in t.columns or key not in t.columns or not len(ids):
        return np.full(len(ids), "", dtype=object)
    k = pd.to_numeric(t[key], errors="coerce")
    ok = k.notna()
    m = pd.Series(t.loc[ok, column].fillna("").astype(str).to_numpy(), index=k[ok].astype(np.int64))
    m = m[~m.index.duplicated()]
    return m.reindex(np.asarray(ids, np.int64)).fillna("").to_numpy(object)


def _service_ids(sl: pd.DataFrame) -> pd.Series:
    """Service id of service links: ``service_id``, else ``name``, else ``link<id>``."""
    ids = pd.Series("link" + sl["link_id"].astype(str), index=sl.index)
    for c in ("name", "service_id"):
        if c in sl.columns:
            v = sl[c].fillna("").astype(str)
            ids = v.where(v != "", ids)
    return ids


def _services(network: Network, links: pd.DataFrame, year: int | None) -> pd.DataFrame:
    cols = [
        "service_id",
        "from_node",
        "to_node",
        "mode",
        "crossing_h",
        "frequency_per_week",
        "wait_h",
        "km",
        "passage",
        "estimate",
    ]
    frames = []
    t = network.tables.get("services")
    if t is not None and len(t) and {"from_node", "to_node"} <= set(t.columns):
        t = t.loc[available_links(t, year)]
        frames.append(
            pd.DataFrame(
                {
                    "service_id": t["service_id"].astype(str),
                    "from_node": t["from_node"].astype(np.int64),
                    "to_node": t["to_node"].astype(np.int64),
                    "mode": _col(t, "mode", "ferry")
                    .astype(str)
                    .str.lower()
                    .map(SERVICE_KIND)
                    .fillna("ferry"),
                    "crossing_h": pd.to_numeric(t["crossing_h"], errors="coerce"),
                    "frequency_per_week": pd.to_numeric(
                        _col(t, "frequency_per_week", np.nan), errors="coerce"
                    ),
                    "wait_h": pd.to_numeric(_col(t, "wait_h", np.nan), errors="coerce"),
                    "km": pd.to_numeric(_col(t, "length", 0.0), errors="coerce").fillna(0.0),
                    "passage": _col(t, "passage", "").fillna("").astype(str),
                    "directed": _col(t, "directed", False).fillna(False).astype(bool),
                    "estimate": _bool_col(t, "estimate"),
                }
            )
        )
    sl = links.loc[
        links["mode"].astype(str).isin(list(SERVICE_KIND)) & available_links(links, year)
    ]
    if len(sl):
        hours = pd.to_numeric(_col(sl, "crossing_h", np.nan), errors="coerce")
        if "free_flow_time" in sl.columns:
            hours = hours.fillna(pd.to_numeric(sl["free_flow_time"], errors="coerce") / 60.0)
        frames.append(
            pd.DataFrame(
                {
                    "service_id": _service_ids(sl),
                    "from_node": sl["from_node"].astype(np.int64),
                    "to_node": sl["to_node"].astype(np.int64),
                    "mode": _col(sl, "service_kind", "")
                    .fillna("")
                    .astype(str)
                    .where(
                        _col(sl, "service_kind", "").fillna("").astype(str) != "",
                        sl["mode"].astype(str),
                    )
                    .str.lower()
                    .map(SERVICE_KIND)
                    .fillna("ferry"),
                    "crossing_h": hours,
                    "frequency_per_week": pd.to_numeric(
                        _col(sl, "frequency_per_week", np.nan), errors="coerce"
                    ),
                    "wait_h": pd.to_numeric(_col(sl, "wait_h", np.nan), errors="coerce"),
                    "km": pd.to_numeric(_col(sl, "length", 0.0), errors="coerce").fillna(0.0),
                    "passage": _col(sl, "passage", "").fillna("").astype(str),
                    "directed": True,
                    "estimate": _text_col(sl, "time_source").str.startswith("estimate"),
                }
            )
        )
    if not frames:
        return pd.DataFrame({c: [] for c in cols})
    S = pd.concat(frames, ignore_index=True)
    bad = S["crossing_h"].isna() | (S["crossing_h"] < 0)
    if bad.any():
        r = S.loc[bad].iloc[0]
        raise InputError(
            "service needs a non-negative crossing time",
            row=str(r["service_id"]),
            field="crossing_h",
        )
    rev = S.loc[~S["directed"]].copy()
    rev["from_node"], rev["to_node"] = (
        S.loc[~S["directed"], "to_node"],
        S.loc[~S["directed"], "from_node"],
    )
    rev["service_id"] = rev["service_id"] + "~r"
    return pd.concat([S, rev], ignore_index=True)[cols]
