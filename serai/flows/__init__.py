"""Corridor flows: demand on the freight routing graph with capacities.

Two methods on one model (:mod:`serai.flows.model`): a logit equilibrium with
congestion at ferries, ports, borders and rail sections, and the least-cost
flows under hard capacities with unmet demand and the dual price of every
binding capacity (the bottleneck ranking). Results are tables keyed by the
network's ids (:class:`FlowResult`), including ``indicators``.
"""

from __future__ import annotations

from serai.flows.api import run_flows, write_result
from serai.flows.capacity import capacity_table
from serai.flows.model import FlowConfig, build_model
from serai.flows.results import FlowResult

__all__ = ["FlowConfig", "FlowResult", "build_model", "capacity_table", "run_flows", "write_result"]
