"""Generalised cost of every virtual link for one commodity.

Money (tariff per km, handling, gauge change, border fees) plus time (in motion,
hub dwell, border, transshipment and waiting for a departure) times the
commodity's value of time, plus an optional carbon price times a per-link
emissions array (the hook for :mod:`serai.emissions`). The components are kept
separately so a route can report each of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from serai.errors import InputError
from serai.freight.commodities import Commodity, commodity
from serai.freight.virtual import RoutingGraph

__all__ = ["LinkCosts", "link_costs"]

COMPONENTS = ("usd_tariff", "usd_hub", "hours_motion", "hours_hub", "hours_wait")


@dataclass(frozen=True, eq=False)
class LinkCosts:
    """Per-virtual-link costs (arrays aligned with ``RoutingGraph.vlinks`` rows).

    ``allowed`` is False where the commodity may not use the link (mode,
    service kind or transfer point not allowed); ``gc`` is then ``inf``.
    """

    commodity: Commodity
    usd_tariff: np.ndarray
    usd_hub: np.ndarray
    hours_motion: np.ndarray
    hours_hub: np.ndarray
    hours_wait: np.ndarray
    carbon_usd: np.ndarray
    allowed: np.ndarray
    kg_co2e: np.ndarray | None = None
    carbon_price_usd_per_t: float = 0.0

    @cached_property
    def usd(self) -> np.ndarray:
        return self.usd_tariff + self.usd_hub

    @cached_property
    def hours(self) -> np.ndarray:
        return self.hours_motion + self.hours_hub + self.hours_wait

    @cached_property
    def gc(self) -> np.ndarray:
        """Generalised cost in USD per unit (inf where not allowed)."""
        g = self.usd + self.carbon_usd + self.hours * self.commodity.vot_usd_per_unit_h
        return np.where(self.allowed, g, np.inf)

    def objective(self, name: str) -> np.ndarray:
        """Per-link objective: ``time`` (h), ``cost`` (USD), ``generalised`` (USD) or ``emissions``.

        ``emissions`` is kg CO2e (WTW) per unit; it needs ``kg_co2e``.
        """
        if name == "time":
            # a tiny money term breaks ties between equally fast routes
            v = self.hours + 1e-6 * self.usd
        elif name == "cost":
            v = self.usd + 1e-6 * self.hours
        elif name in ("generalised", "generalized", "gc"):
            v = self.gc
        elif name in ("emissions", "co2e"):
            if self.kg_co2e is None:
                raise InputError(
                    "objective 'emissions' needs the per-link emissions (kg_co2e)",
                    field="objective",
                )
            # a tiny time term breaks ties between equally clean routes
            v = self.kg_co2e + 1e-6 * self.hours
        else:
            raise InputError(
                f"unknown objective '{name}'; use time, cost, generalised or emissions",
                field="objective",
            )
        return np.where(self.allowed, v, np.inf)


def link_costs(
    rg: RoutingGraph,
    commodity_name: str | Commodity,
    *,
    carbon_price_usd_per_t: float = 0.0,
    emissions_kg_per_unit: np.ndarray | None = None,
) -> LinkCosts:
    """Cost components of every virtual link for a commodity.

    Parameters
    ----------
    rg
        Routing graph.
    commodity_name
        Commodity key or :class:`Commodity`.
    carbon_price_usd_per_t
        Price of CO2e in USD per tonne, applied to ``emissions_kg_per_unit``.
    emissions_kg_per_unit
        Optional kg CO2e per unit of the commodity on each virtual link (rows of
        ``rg.vlinks``); without it the carbon term is zero.

    Examples
    --------
    >>> import pandas as pd
    >>> from serai.network import Network
    >>> from serai.freight import build_routing_graph, link_costs
    >>> nodes = pd.DataFrame({"node_id": [1, 2], "x": [0.0, 1.0], "y": [0.0, 0.0]})
    >>> links = pd.DataFrame({"link_id": [1], "from_node": [1], "to_node": [2],
    ...     "mode": ["rail"], "length": [400.0]})
    >>> rg = build_routing_graph(Network.from_tables(nodes=nodes, links=links))
    >>> lc = link_costs(rg, "container")
    >>> move = (rg.vlinks["kind"] == "move").to_numpy()
    >>> float(lc.hours_motion[move][0]), float(lc.usd_tariff[move][0])
    (10.0, 120.0)
    """
    c = commodity(commodity_name)
    v = rg.vlinks
    n = len(v)
    kind = v["kind"].to_numpy()
    mode = v["mode"].to_numpy()
    event = v["event"].to_numpy()
    km = v["km"].to_numpy(float)
    move = kind == "move"

    # ---- motion
    speed = v["speed"].to_numpy(float)
    default_speed = _lookup(mode, c.speed_kmh, np.nan)
    speed = np.where(np.isfinite(speed) & (speed > 0), speed, default_speed)
    fixed = v["hours_fixed"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        hm = np.where(np.isfinite(fixed), fixed, km / speed)
    hours_motion = np.where(move | (kind == "access") | (kind == "egress"), hm, 0.0)
    tariff = _lookup(mode, c.tariff_usd_per_unit_km, np.nan)
    usd_tariff = np.where(move, km * tariff, 0.0)

    # ---- hubs
    ev_h = _lookup(event, c.hub_hours, 0.0)
    ev_u = _lookup(event, c.hub_usd_per_unit, 0.0)
    oh = v["event_hours"].to_numpy(float)
    ou = v["event_usd"].to_numpy(float) * (c.base_per_unit if c.handling == "container" else 1.0)
    hours_hub = np.where(np.isfinite(oh), oh, ev_h)
    usd_hub = np.where(np.isfinite(ou), ou, ev_u)
    wait = v["wait_h"].to_numpy(float)
    hours_wait = np.where(np.isfinite(wait), wait, c.hub_hours.get("sea_wait", 0.0))

    # ---- what the commodity may use
    allowed = np.ones(n, dtype=bool)
    layer_mode = v["layer"].str.split(":").str[0].to_numpy()
    allowed &= ~(move & ~np.isin(mode, list(c.modes)))
    is_svc = v["service_id"].to_numpy() != ""
    allowed &= ~(is_svc & ~np.isin(v["service_mode"].to_numpy(), list(c.service_modes)))
    allowed &= ~((kind == "access") & ~np.isin(layer_mode, list(c.modes)))
    hub = np.isin(kind, ["transfer", "gauge", "port"]) | (
        np.isin(kind, ["board", "alight"]) & np.isin(event, ["transfer", "port"])
    )
    if c.transfer_kinds:
        node_kind = _node_kinds(rg, v["node_id"].to_numpy(np.int64))
        allowed &= ~(hub & ~np.isin(node_kind, list(c.transfer_kinds)))
    allowed &= np.isfinite(hours_motion) & np.isfinite(usd_tariff)

    price = float(carbon_price_usd_per_t)
    if not np.isfinite(price) or price < 0:
        raise InputError(
            f"carbon price must be a finite number >= 0 (USD per t CO2e), got {price}",
            field="carbon_price_usd_per_t",
        )
    carbon = np.zeros(n)
    kg = None
    if emissions_kg_per_unit is not None:
        e = np.asarray(emissions_kg_per_unit, dtype=float)
        if e.shape != (n,):
            raise InputError(f"emissions_kg_per_unit needs one value per virtual link ({n})")
        carbon = e / 1000.0 * float(carbon_price_usd_per_t)
        kg = e

    def clean(a: np.ndarray) -> np.ndarray:
        a = np.where(allowed, np.nan_to_num(a, nan=0.0), 0.0)
        a.setflags(write=False)
        return a

    allowed.setflags(write=False)
    return LinkCosts(
        c,
        clean(usd_tariff),
        clean(usd_hub),
        clean(hours_motion),
        clean(hours_hub),
        clean(hours_wait),
        clean(carbon),
        allowed,
        None if kg is None else clean(kg),
        float(carbon_price_usd_per_t),
    )


def _node_kinds(rg: RoutingGraph, node_ids: np.ndarray) -> np.ndarray:
    nodes = rg.network.nodes
    if "kind" not in nodes.columns:
        return np.full(len(node_ids), "node", dtype=object)
    m = pd.Series(nodes["kind"].astype(str).to_numpy(), index=nodes["node_id"].to_numpy(np.int64))
    m = m[~m.index.duplicated()]
    return m.reindex(node_ids).fillna("").to_numpy(object)


def _lookup(keys: np.ndarray, table, default: float) -> np.ndarray:
    """Vectorised dict lookup (pandas hash map) with a default."""
    return pd.Series(keys).map(dict(table)).fillna(default).to_numpy(float)
