"""Freight routing on multimodal networks: commodities, routing graph, generalised cost, queries.

>>> from serai.freight import commodity
>>> commodity("uranium").dg_class
'7'
"""

from __future__ import annotations

from serai.freight.commodities import Commodity, commodity, commodity_table
from serai.freight.corridors import corridor_label
from serai.freight.cost import LinkCosts, link_costs
from serai.freight.params import ParamSet, model_params
from serai.freight.places import PlaceIndex, normalise
from serai.freight.roadtime import road_leg, truck_schedule
from serai.freight.route import Constraints, NoRouteError, Route, Router
from serai.freight.virtual import RoutingGraph, available_links, build_routing_graph

__all__ = [
    "Commodity",
    "Constraints",
    "LinkCosts",
    "NoRouteError",
    "ParamSet",
    "PlaceIndex",
    "Route",
    "Router",
    "RoutingGraph",
    "available_links",
    "build_routing_graph",
    "commodity",
    "commodity_table",
    "corridor_label",
    "link_costs",
    "model_params",
    "normalise",
    "road_leg",
    "truck_schedule",
]
