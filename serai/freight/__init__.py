"""Freight routing on multimodal networks: commodities, routing graph, generalised cost, queries.

>>> from serai.freight import commodity
>>> commodity("uranium").dg_class
'7'
"""

from __future__ import annotations

from serai.freight.commodities import Commodity, commodity, commodity_table, hub_costs, mode_costs
from serai.freight.corridors import corridor_label
from serai.freight.cost import LinkCosts, link_costs
from serai.freight.places import PlaceIndex, normalise
from serai.freight.route import Constraints, NoRouteError, Route, Router
from serai.freight.virtual import RoutingGraph, available_links, build_routing_graph

__all__ = [
    "Commodity",
    "Constraints",
    "LinkCosts",
    "NoRouteError",
    "PlaceIndex",
    "Route",
    "Router",
    "RoutingGraph",
    "available_links",
    "build_routing_graph",
    "commodity",
    "commodity_table",
    "corridor_label",
    "hub_costs",
    "link_costs",
    "mode_costs",
    "normalise",
]
