"""Freight demand between zones by commodity group: synthesis from sourced control totals,
growth to any year, and user demand files (CSV/Parquet long tables, OMX matrices).

>>> from serai.demand import load_demand
>>> d = load_demand(2024)
>>> d.table.columns.tolist()[:5]
['group', 'origin', 'destination', 'volume', 'unit']
"""

from __future__ import annotations

from serai.demand.io import Demand, load_demand, read_demand, write_demand
from serai.demand.synthesis import BASE_YEAR, furness, grow, synthesize
from serai.demand.tables import expand_set, groups, growth_table, totals_table, weights_table, zones

__all__ = [
    "BASE_YEAR",
    "Demand",
    "expand_set",
    "furness",
    "groups",
    "grow",
    "growth_table",
    "load_demand",
    "read_demand",
    "synthesize",
    "totals_table",
    "weights_table",
    "write_demand",
    "zones",
]
