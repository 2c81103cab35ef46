"""Emissions accounting per ISO 14083 / GLEC for transport chains, with iLEAP export.

The API is small:

- :func:`load_factors` -> :class:`FactorSet`: factor tables with provenance (TOCs, HOCs,
  grid intensity, rail electrification, energy carriers), shipped as CSV in
  ``serai/emissions/data``.
- :class:`Shipment` and :func:`account_chain` -> :class:`ChainFootprint`: emissions (TTW,
  WTT, WTW) and intensity per transport chain element and hub operation, plus totals.
  The legs-table contract is documented in :mod:`serai.emissions.accounting`.
- :func:`carbon_cost`: carbon price x WTW per element.
- :func:`link_emission_intensity` and :func:`carbon_cost_per_link`: per-edge arrays for
  least-emission routing or a carbon price in a generalised cost.
- :func:`to_ileap`, :func:`ileap_schema`, :func:`validate_ileap`: iLEAP-shaped JSON;
  :func:`to_pact`, :func:`validate_pact`: the same inside a PACT ProductFootprint.
- :func:`route_footprint`, :func:`route_legs`, :func:`vlink_emissions`: the same for freight
  routes of :mod:`serai.freight` (footprint of a route; kg CO2e per commodity unit on every
  virtual link, the ``emissions_kg_per_unit`` hook of ``serai.freight.link_costs``).
"""

from serai.emissions.accounting import ChainFootprint, Shipment, account_chain
from serai.emissions.cost import carbon_cost, carbon_cost_per_link, link_emission_intensity
from serai.emissions.export import ileap_schema, to_ileap, to_pact, validate_ileap, validate_pact
from serai.emissions.factors import FactorSet, load_factors
from serai.emissions.intensity import BLENDS, DEFAULT_TOC
from serai.emissions.routes import (
    link_electrified_share,
    route_footprint,
    route_legs,
    vlink_emissions,
)

__all__ = [
    "BLENDS",
    "DEFAULT_TOC",
    "ChainFootprint",
    "FactorSet",
    "Shipment",
    "account_chain",
    "carbon_cost",
    "carbon_cost_per_link",
    "ileap_schema",
    "link_electrified_share",
    "link_emission_intensity",
    "load_factors",
    "route_footprint",
    "route_legs",
    "to_ileap",
    "to_pact",
    "validate_ileap",
    "validate_pact",
    "vlink_emissions",
]
