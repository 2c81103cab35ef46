"""Assignments running at once in threads, and in a process pool, give the flows of a lone run.

One compiled graph is shared by every thread (graphs are immutable; every assignment
keeps its own arrays). Oracle: the same assignment run alone (exact equality: the
methods are deterministic).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from serai.assignment import AssignmentConfig, TrafficClass, assign
from serai.network import compile_network, read_demand
from tests.concurrency import run_threads
from tests.conftest import SIOUX

CONFIGS = {
    "b": AssignmentConfig(algorithm="b", gap=1e-9),
    "bfw": AssignmentConfig(algorithm="bfw", gap=1e-12, max_iter=40),
    "fw": AssignmentConfig(algorithm="fw", gap=1e-12, max_iter=15),
}


@pytest.fixture(scope="module")
def problem(sioux_net):
    graph = compile_network(sioux_net)
    demand = read_demand(SIOUX / "SiouxFalls_trips.tntp")
    return graph, demand


def _classes(demand):
    half = demand.assign(volume=demand["volume"] / 2)
    return [TrafficClass("car", half), TrafficClass("truck", half, pce=2.0, toll_weight=0.5)]


def _flows(graph, demand, name: str, multiclass: bool = False) -> np.ndarray:
    d = _classes(demand) if multiclass else demand
    return assign(graph, d, CONFIGS[name]).class_flows


def test_assignments_in_threads_match_lone_runs(problem):
    graph, demand = problem
    cases = [(name, mc) for name in CONFIGS for mc in (False, True)]
    expected = [_flows(graph, demand, n, mc) for n, mc in cases]
    calls = [lambda n=n, mc=mc: _flows(graph, demand, n, mc) for n, mc in cases]
    for per_thread in run_threads(calls, n_threads=4, rounds=2):
        for (n, mc), got, exp in zip(cases, per_thread, expected, strict=True):
            assert not isinstance(got, Exception), got
            np.testing.assert_array_equal(got, exp, err_msg=f"{n} multiclass={mc}")


def test_assignments_in_a_process_pool_match(problem):
    graph, demand = problem
    with ProcessPoolExecutor(2) as pool:
        futures = {n: pool.submit(_flows, graph, demand, n, True) for n in ("b", "bfw")}
        got = {n: f.result(timeout=300) for n, f in futures.items()}
    for n, flows in got.items():
        np.testing.assert_array_equal(flows, _flows(graph, demand, n, True), err_msg=n)
