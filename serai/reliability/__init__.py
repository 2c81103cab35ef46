"""Transit-time reliability: distributions of element times and Monte Carlo of routes.

Every element of a route (a border side, a ferry queue, a port dwell, a train's running
time...) has the mean the time model gives it (:mod:`serai.freight.timemodel`) and a
distribution around that mean, sourced or estimated in ``serai/reliability/data``
(:func:`reliability_tables`). :func:`simulate` draws door-to-door times from an
:class:`ElementSet`; :func:`summarise` gives P10, P50, P90, P95, mean, standard
deviation and the probability of arriving within a deadline. See docs/reliability.md.

Examples
--------
>>> from serai.reliability import ElementSet, simulate, summarise
>>> es = ElementSet.build(["border", "queue"], ["lognormal", "exponential"], [40.0, 60.0],
...                       [0.6, 1.0], base_h=200.0)
>>> r = summarise(simulate(es, seed=7), deadline_days=14)
>>> r.p50_days < r.p90_days < r.p95_days
True
"""

from serai.reliability.montecarlo import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    ElementSet,
    Reliability,
    element_draws,
    element_draws_by_month,
    simulate,
    simulate_by_month,
    summarise,
)
from serai.reliability.tables import ReliabilityTables, load_reliability_tables, reliability_tables

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "ElementSet",
    "Reliability",
    "ReliabilityTables",
    "element_draws",
    "element_draws_by_month",
    "load_reliability_tables",
    "reliability_tables",
    "simulate",
    "simulate_by_month",
    "summarise",
]
