"""Emissions of freight routes (:mod:`serai.freight`): route footprints and per-virtual-link arrays.

Two entry points, both built on the routing graph (``RoutingGraph``) of :mod:`serai.freight`:

- :func:`vlink_emissions`: kg CO2e (WTW) per unit of a commodity on every virtual link, the
  ``emissions_kg_per_unit`` argument of :func:`serai.freight.link_costs` (carbon price in the
  generalised cost), and, divided by nothing at all, a cost array for least-emission routes.
- :func:`route_footprint`: the ISO 14083 footprint (:class:`ChainFootprint`) of one route, one
  TCE per run of move links of one layer, country and service, one HOC per hub event.

How virtual links map to the factor tables (:data:`EVENT_HOC`, :data:`SERVICE_TOC`):
``move`` links are TCEs (mode and country of the link; rail electrified share from the
physical link's ``electrified_share`` or ``electrified`` column, else the country default;
services by their ``service_mode``: ferry and ro-ro -> ``ropax_caspian``, feeder ->
``sea_container_feeder``, sea -> ``sea_container_8000teu``). Hub events: ``port`` ->
``port_container``; ``gauge`` -> ``gauge_change_transshipment``; ``transfer`` ->
``rail_terminal_transshipment``; ``border``/``border_union`` -> ``border_crossing``;
``board``/``alight`` -> ``port_ferry_rail`` from a rail layer, ``port_container`` from the sea
layer, a transshipment when the event is a ``transfer``, nothing for road vehicles driving on;
``access``/``egress`` -> ``port_container`` when their event is ``port``, else nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from serai.emissions.accounting import ChainFootprint, Shipment, account_chain
from serai.emissions.factors import FactorSet, load_factors
from serai.emissions.intensity import hub_factors, leg_factors
from serai.errors import InputError

__all__ = [
    "EVENT_HOC",
    "SERVICE_TOC",
    "link_electrified_share",
    "route_footprint",
    "route_legs",
    "vlink_emissions",
]

#: HOC per hub-event kind of the routing graph (board/alight/access/egress: see module doc).
EVENT_HOC: Mapping[str, str] = {
    "port": "port_container",
    "gauge": "gauge_change_transshipment",
    "transfer": "rail_terminal_transshipment",
    "border": "border_crossing",
    "border_union": "border_crossing",
}

#: (mode, TOC) per service mode of a scheduled service.
SERVICE_TOC: Mapping[str, tuple[str, str]] = {
    "ferry": ("ferry", "ropax_caspian"),
    "roro": ("ferry", "ropax_caspian"),
    "feeder": ("sea", "sea_container_feeder"),
    "sea": ("sea", "sea_container_8000teu"),
}


def link_electrified_share(links: pd.DataFrame) -> np.ndarray:
    """Electrified share per row of a links table (NaN where unknown).

    Reads ``electrified_share`` (0..1) where given, else ``electrified`` (bool, 1/0 or
    yes/no).

    >>> link_electrified_share(pd.DataFrame({"electrified": ["yes", "no", ""]})).tolist()
    [1.0, 0.0, nan]
    """
    n = len(links)
    share = np.full(n, np.nan)
    if "electrified_share" in links.columns:
        share = pd.to_numeric(links["electrified_share"], errors="coerce").to_numpy(
            dtype=np.float64
        )
    if "electrified" in links.columns:
        e = links["electrified"]
        txt = e.astype(str).str.strip().str.lower()
        flag = np.where(
            txt.isin(["true", "yes", "1", "1.0"]),
            1.0,
            np.where(txt.isin(["false", "no", "0", "0.0"]), 0.0, np.nan),
        )
        share = np.where(np.isnan(share), flag, share)
    return share


def _commodity(c):
    if isinstance(c, str):
        from serai.freight import commodity

        return commodity(c)
    return c


def _per_unit(c) -> tuple[float, float | None]:
    """(tonnes, TEU or None) per unit of the commodity."""
    teu = 2.0 * float(c.base_per_unit) if c.handling == "container" else None
    return float(c.tonnes_per_unit), teu


def _hoc_of(kind: np.ndarray, event: np.ndarray, layer: np.ndarray) -> np.ndarray:
    """HOC id per hub virtual link ("" = no hub operation)."""
    hoc = np.array([EVENT_HOC.get(k, "") for k in kind], dtype=object)
    svc = np.isin(kind, ["board", "alight"])
    rail = np.char.startswith(layer.astype(str), "rail")
    hoc[svc & (event == "transfer")] = "rail_terminal_transshipment"
    hoc[svc & (event != "transfer") & rail] = "port_ferry_rail"
    hoc[svc & (event != "transfer") & (layer == "sea")] = "port_container"
    ends = np.isin(kind, ["access", "egress"])
    hoc[ends] = np.where(event[ends] == "port", "port_container", "")
    return hoc


def _move_mode_toc(v: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    mode = v["mode"].astype(str).to_numpy(dtype=object).copy()
    toc = np.full(len(v), "", dtype=object)
    svc = (v["service_id"].astype(str) != "").to_numpy()
    smode = v["service_mode"].astype(str).to_numpy()
    for i in np.flatnonzero(svc):
        if smode[i] not in SERVICE_TOC:
            raise InputError(f"no TOC for service mode '{smode[i]}' (known: {sorted(SERVICE_TOC)})",
                             row=f"vlink_id {v['vlink_id'].iat[i]}", field="service_mode")  # fmt: skip
        mode[i], toc[i] = SERVICE_TOC[smode[i]]
    return mode, toc


def _move_country(v: pd.DataFrame) -> np.ndarray:
    c = v["country"].astype(str).to_numpy(dtype=object)
    return np.where(c == "", v["from_country"].astype(str).to_numpy(dtype=object), c)


def _vlink_share(rg, v: pd.DataFrame) -> np.ndarray:
    links = rg.network.links
    share_by_link = pd.Series(link_electrified_share(links), index=links["link_id"].to_numpy())
    share_by_link = share_by_link[~share_by_link.index.duplicated()]
    return share_by_link.reindex(v["link_id"].to_numpy()).to_numpy(dtype=np.float64)


def vlink_emissions(
    rg, commodity, *, factors: FactorSet | None = None, unknown_country: str = "fallback"
) -> np.ndarray:
    """kg CO2e (WTW) per unit of ``commodity`` on each virtual link (rows of ``rg.vlinks``).

    Parameters
    ----------
    rg : serai.freight.RoutingGraph
    commodity : str or serai.freight.Commodity
        Its ``tonnes_per_unit`` (cargo mass) and, for containers, TEU per unit
        (2 x FEU per unit) scale the intensities.
    factors
        Factor tables (default: the packaged ones).
    unknown_country
        ``"fallback"`` (default) or ``"error"``, as in
        :func:`~serai.emissions.link_emission_intensity`.

    Returns
    -------
    ndarray of float64, shape (len(rg.vlinks),)
        Non-negative and finite. Pass it as ``emissions_kg_per_unit`` to
        :func:`serai.freight.link_costs` to price carbon, or use
        ``rg.graph.edge_values(result)`` as a path cost for least-emission routes.

    Raises
    ------
    InputError
        A move link has a mode, service mode or country the factor tables cannot serve
        (the message names the vlink_id).
    """
    if factors is None:
        factors = load_factors()
    c = _commodity(commodity)
    tonnes, teu = _per_unit(c)
    if teu is None:
        teu = tonnes / factors.load_t_per_teu
    v = rg.vlinks
    out = np.zeros(len(v))
    kind = v["kind"].astype(str).to_numpy()
    mv = np.flatnonzero(kind == "move")
    if len(mv):
        vm = v.iloc[mv]
        mode, toc = _move_mode_toc(vm)
        labels = [f"vlink_id {x}" for x in vm["vlink_id"].to_numpy()]
        lf = leg_factors(
            mode, toc, _move_country(vm), _vlink_share(rg, vm), factors,
            labels=labels, unknown_country=unknown_country,
        )  # fmt: skip
        g = (lf["ttw_factor"] + lf["wtt_factor"]).to_numpy()
        unit = lf["activity_unit"].to_numpy()
        per_unit_km = np.where(unit == "TEUkm", g * teu, g * tonnes)
        out[mv] = per_unit_km * vm["km"].to_numpy(dtype=np.float64) / 1000.0
    hub = np.flatnonzero(kind != "move")
    if len(hub):
        vh = v.iloc[hub]
        hoc = _hoc_of(
            kind[hub], vh["event"].astype(str).to_numpy(), vh["layer"].astype(str).to_numpy()
        )
        has = hoc != ""
        if has.any():
            hf = hub_factors(hoc[has], factors)
            kg = (hf["ttw_factor"] + hf["wtt_factor"]).to_numpy()
            out[hub[has]] = np.where(hf["activity_unit"].to_numpy() == "TEU", kg * teu, kg * tonnes)
    return out


_MISSING = object()


def _node_namer(nodes: pd.DataFrame, needed: np.ndarray) -> Any:
    """``name(node_id) -> str`` for the ``needed`` ids: the node's name, else the id as text."""
    if "name" not in nodes:
        return str
    names = nodes.set_index("node_id")["name"]
    if not names.index.is_unique:  # several rows per id: answered as pandas answers

        def name(node: int) -> str:
            if node not in names.index:
                return str(node)
            return str(names.loc[node])

        return name
    pos = names.index.get_indexer(needed)
    values = names.to_numpy()
    table = {k: values[j] for k, j in zip(needed.tolist(), pos.tolist(), strict=True) if j >= 0}

    def name(node: int) -> str:
        got = table.get(node, _MISSING)
        return str(node) if got is _MISSING else str(got)

    return name


def route_legs(route, rg) -> pd.DataFrame:
    """The legs table (transport-chain contract of :mod:`serai.emissions.accounting`) of a route.

    One TCE per run of consecutive move links with the same layer, country, service and
    electrified share; one HOC per hub event that maps to a hub operation; the route's
    first/last-mile road legs (``route.access``) as road TCEs with their hub operations.
    """
    v = rg.vlinks.iloc[np.asarray(route.vlink_rows, dtype=np.int64)].reset_index(drop=True)
    kind = v["kind"].astype(str).to_numpy()
    rows: list[dict] = []
    share = _vlink_share(rg, v)
    is_move = kind == "move"
    mode = np.full(len(v), "", dtype=object)
    toc = np.full(len(v), "", dtype=object)
    if is_move.any():
        mode[is_move], toc[is_move] = _move_mode_toc(v[is_move])
    country = _move_country(v)
    # the country selects grid and electrified share: it only splits rail legs
    group_country = np.where(mode == "rail", country, "")
    hoc = _hoc_of(kind, v["event"].astype(str).to_numpy(), v["layer"].astype(str).to_numpy())
    # the columns read per link, as arrays (a pandas row per link cost ~0.3 ms)
    r_layer, r_svc = v["layer"].to_numpy(), v["service_id"].to_numpy()
    r_from, r_to = v["from_node"].to_numpy(), v["to_node"].to_numpy()
    r_km, r_node, r_country = v["km"].to_numpy(), v["node_id"].to_numpy(), v["country"].to_numpy()
    name = _node_namer(rg.network.nodes, np.unique(np.concatenate([r_from, r_to, r_node])))
    for i in range(len(v)):
        if is_move[i]:
            prev = rows[-1] if rows else None
            same = (
                prev is not None
                and prev["element"] == "tce"
                and prev["_key"] == (r_layer[i], group_country[i], r_svc[i])
                and (
                    prev["electrified_share"] == share[i]
                    or (np.isnan(prev["electrified_share"]) and np.isnan(share[i]))
                )
                and prev["_to"] == r_from[i]
            )
            if same:
                prev["km"] += float(r_km[i])
                prev["_to"] = int(r_to[i])
                prev["to_name"] = name(int(r_to[i]))
                continue
            rows.append(
                {
                    "element": "tce",
                    "mode": mode[i],
                    "toc": toc[i],
                    "hoc": "",
                    "from_name": name(int(r_from[i])),
                    "to_name": name(int(r_to[i])),
                    "km": float(r_km[i]),
                    "country": country[i],
                    "electrified_share": share[i],
                    "_key": (r_layer[i], group_country[i], r_svc[i]),
                    "_to": int(r_to[i]),
                }
            )
        elif hoc[i]:
            node = int(r_node[i]) if int(r_node[i]) >= 0 else int(r_from[i])
            rows.append(
                {
                    "element": "hoc",
                    "mode": "transfer",
                    "toc": "",
                    "hoc": hoc[i],
                    "from_name": name(node),
                    "to_name": "",
                    "km": 0.0,
                    "country": str(r_country[i]),
                    "electrified_share": np.nan,
                    "_key": None,
                    "_to": -1,
                }
            )
    # first/last-mile road legs of places off the network (serai.freight.access)
    for leg in getattr(route, "access", ()):
        extra = [{**e, "_key": None, "_to": -1} for e in leg.emission_rows()]
        rows = extra + rows if leg.side == "first" else rows + extra
    if not rows:
        raise InputError("the route has no leg or hub operation to account")
    return pd.DataFrame(rows).drop(columns=["_key", "_to"])


def route_footprint(
    route,
    rg,
    *,
    factors: FactorSet | None = None,
    shipment: Shipment | None = None,
    unknown_country: str = "fallback",
) -> ChainFootprint:
    """ISO 14083 footprint of a freight route.

    Parameters
    ----------
    route : serai.freight.Route
    rg : serai.freight.RoutingGraph
        The routing graph the route was found on (``router.rg``).
    factors
        Factor tables (default: the packaged ones).
    unknown_country
        As in :func:`vlink_emissions` (default ``"fallback"``).
    shipment
        Default: one unit of the route's commodity (mass ``tonnes_per_unit``; TEU = 2 x FEU
        per unit for containers), id ``"<origin> -> <destination>"``.

    Returns
    -------
    ChainFootprint
        Its WTW total equals the sum of :func:`vlink_emissions` over the route's virtual
        links (same mapping, computed independently per link).
    """
    if shipment is None:
        c = _commodity(route.commodity)
        tonnes, teu = _per_unit(c)
        shipment = Shipment(
            f"{route.origin_name} -> {route.destination_name}",
            mass_t=tonnes,
            teu=teu,
            commodity=c.commodity,
        )
    return account_chain(
        route_legs(route, rg), shipment, factors=factors, unknown_country=unknown_country
    )
