"""BPR powers other than 4 (1.5 as on Hessen, below 1, 0): no negative or NaN flows or times.

Oracles: flow conservation at every node, the relative gap recomputed with scipy's
Dijkstra (tests.assignment.helpers), a second algorithm (BFW) whose Beckmann objective
can only be higher, and, for power 0 (constant times), the all-or-nothing flows.
"""

from __future__ import annotations

import numpy as np
import pytest

from serai.assignment import AssignmentConfig, assign
from serai.network import read_demand
from tests.assignment.helpers import conservation_error, scipy_relative_gap
from tests.conftest import SIOUX


@pytest.fixture(scope="module")
def demand():
    return read_demand(SIOUX / "SiouxFalls_trips.tntp")


def _with_power(net, power: float):
    return net.with_tables(links=net.links.assign(beta=power))


def _check(net, demand, r, gap: float):
    assert r.converged, (r.iterations, r.gap)
    assert np.all(r.class_flows >= 0.0), float(r.class_flows.min())
    links = r.links
    assert np.all(np.isfinite(links[["flow", "time", "cost"]].to_numpy()))
    assert np.isfinite(r.beckmann) and np.isfinite(r.convergence["gap"]).all()
    assert conservation_error(links, demand) < 1e-6 * demand["volume"].sum()
    assert scipy_relative_gap(net, links, demand) <= max(gap, 1e-12) * 1.01


@pytest.mark.parametrize("power", [1.5, 2.5, 1.0, 0.6])
def test_algorithm_b_other_powers(sioux_net, demand, power):
    net = _with_power(sioux_net, power)
    r = assign(net, demand, AssignmentConfig(algorithm="b", gap=1e-10, max_iter=200))
    _check(net, demand, r, 1e-10)
    bfw = assign(net, demand, AssignmentConfig(algorithm="bfw", gap=1e-4, max_iter=2000))
    _check(net, demand, bfw, 1e-4)
    # the objective is convex and B's point is (near) its minimum
    assert r.beckmann <= bfw.beckmann * (1 + 1e-12)
    assert r.beckmann == pytest.approx(bfw.beckmann, rel=1e-3)


def test_power_zero_is_constant_time_all_or_nothing(sioux_net, demand):
    net = _with_power(sioux_net, 0.0)
    r = assign(net, demand, AssignmentConfig(algorithm="b", gap=1e-12))
    aon = assign(net, demand, AssignmentConfig(algorithm="aon"))
    np.testing.assert_allclose(r.links["time"], net.links["free_flow_time"] * 1.15, rtol=1e-12)
    assert r.gap <= 1e-12
    # constant times: the equilibrium cost is the free-flow (x 1.15) least cost
    assert r.convergence["tstt"].iloc[-1] == pytest.approx(aon.convergence["sptt"].iloc[-1])


def test_tiny_flows_never_turn_negative(sioux_net, demand):
    """Many tiny OD volumes next to large ones: rounding in the shifts stays >= 0."""
    d = demand.copy()
    d.loc[d.index % 3 == 0, "volume"] = 1e-9
    net = _with_power(sioux_net, 1.5)
    for alg in ("b", "bfw", "cfw", "fw", "msa"):
        r = assign(net, d, AssignmentConfig(algorithm=alg, gap=1e-9, max_iter=60))
        assert np.all(r.class_flows >= 0.0), (alg, float(r.class_flows.min()))
        assert np.isfinite(r.links["time"]).all() and np.isfinite(r.beckmann), alg


def test_anaheim_power_1_5_has_no_negative_or_nan():
    """Anaheim with every power 1.5: before per-class clamping, Algorithm B left class
    flows of -3e-15 and so NaN times and a NaN objective."""
    from serai.network import read_network
    from tests.conftest import tntp_net

    f = tntp_net("Anaheim", "Anaheim")
    net = _with_power(read_network(f), 1.5)
    d = read_demand(f.with_name("Anaheim_trips.tntp"))
    r = assign(net, d, AssignmentConfig(algorithm="b", gap=1e-10, max_iter=100))
    _check(net, d, r, 1e-10)
