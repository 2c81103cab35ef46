"""Scenarios: changes to the network, capacities, model parameters and demand as data
(TOML files with ``extends``), runs, comparisons, appraisal and sweeps.

A scenario file names what changes (elements opened or closed, borders, capacities,
disruptions by month, time and tariff parameters, added lines, demand growth and new
flows, measures with their costs, claims to check). Its schema is data
(``serai/scenarios/data/schema.csv``); every problem is an error naming the file, the
line and the key. Applying a scenario returns a new network and demand; the one loader
takes it (``serai.data.load_network(year, scenario=...)``,
``serai.demand.load_demand(year, scenario=...)``).

>>> from serai.scenarios import load_scenario
>>> s = load_scenario("wb-2030")
>>> s.year, "base-2030" in s.chain
(2030, True)
"""

from __future__ import annotations

from serai.scenarios._toml import ScenarioFileError
from serai.scenarios.apply import apply_network, scenario_capacities, scenario_params
from serai.scenarios.demand import apply_demand
from serai.scenarios.model import (
    Scenario,
    library_names,
    library_path,
    load_scenario,
    scenario_from_text,
)

__all__ = [
    "Scenario",
    "ScenarioFileError",
    "apply_demand",
    "apply_network",
    "appraise",
    "compare",
    "library_names",
    "library_path",
    "load_scenario",
    "run_scenario",
    "scenario_capacities",
    "scenario_from_text",
    "scenario_params",
    "sweep",
]


def __getattr__(name: str):
    # runs, comparisons, appraisal and sweeps import the flows and Dask: load them on use
    if name == "run_scenario":
        from serai.scenarios.run import run_scenario

        return run_scenario
    if name == "compare":
        from serai.scenarios.compare import compare

        return compare
    if name == "appraise":
        from serai.scenarios.appraise import appraise

        return appraise
    if name == "sweep":
        from serai.scenarios.sweep import sweep

        return sweep
    raise AttributeError(name)
