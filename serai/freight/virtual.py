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

The inputs besides nodes and links are read in :mod:`serai.freight.vinputs`; each
family of virtual links is built in :mod:`serai.freight.vlinks`. Every name that
was importable from this module still is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from serai.errors import InputError
from serai.freight.vinputs import OPEN_STATUS as OPEN_STATUS
from serai.freight.vinputs import (
    SERVICE_KIND,
    _col,
    _point_groups,
    _services,
    available_links,
    customs_union,
)
from serai.freight.vinputs import SERVICE_MODES as SERVICE_MODES
from serai.freight.vlinks import (
    _access_egress,
    hub_links,
    move_links,
    point_links,
    service_links,
    transfer_links,
)
from serai.network.compile import Graph, compile_network
from serai.network.core import Network

__all__ = ["RoutingGraph", "available_links", "build_routing_graph", "customs_union"]


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
        lookup = self.__dict__.get("_place_lookup")
        if lookup is None:  # {node id or point id: vnode}, made once (a pandas lookup per
            # call was a tenth of a millisecond); a benign race: every thread makes the same
            lookup = dict(zip(self.place_of.index.tolist(), self.place_of.tolist(), strict=True))
            lookup.update(zip(self.point_place.index.tolist(), self.point_place.tolist(),
                              strict=True))  # fmt: skip
            object.__setattr__(self, "_place_lookup", lookup)
        try:
            return int(lookup[key if isinstance(key, str) else int(key)])
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
        today's network. A year different from the network's is an error, and so is
        a year outside those the network covers (:func:`serai.data.years.check_year`).
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
    elif loaded is None:  # the network of every year: the year must be one it covers
        from serai.data.years import check_year, network_years

        year = check_year(year, network_years(network))
        from serai.data.names import named_for_year

        network = named_for_year(network, network, year)  # its nodes named for the year
    if loaded is not None and year is not None and int(loaded) != int(year):
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

    p, e, next_id = move_links(network, L, fn, tn, ncountry, vid, next_id)
    parts += p
    extra_nodes += e
    parts += hub_links(network, pairs, ncountry, vid)
    parts += transfer_links(network, T, pairs, ncountry, vid)
    groups = _point_groups(network, phys)
    p, e, next_id = service_links(S, T, groups, pairs, ncountry, nx, ny, vid, next_id)
    parts += p
    extra_nodes += e

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
    point_place, p, e, next_id = point_links(groups, lv_all, ncountry, next_id)
    parts += p
    extra_nodes += e

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
