"""Equilibrium on TNTP networks against the best-known solutions shipped with them.

Oracles: the best-known link flows (``_flow.tntp``) and the Beckmann objective of
those flows, evaluated independently here with numpy. Chicago-Sketch's generalised
cost adds 0.04 min/mile x length and 0.02 min/cent x toll (its README).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from serai.assignment import AssignmentConfig, assign
from serai.network import read_demand, read_flows, read_network
from tests.assignment.helpers import conservation_error, scipy_relative_gap
from tests.conftest import SIOUX, tntp_net

WEIGHTS = {"SiouxFalls": (0.0, 0.0), "Anaheim": (0.0, 0.0), "ChicagoSketch": (0.04, 0.02)}


def best_known_objective(net, best: pd.DataFrame, length_w: float, toll_w: float) -> float:
    m = best.merge(net.links, on=["from_node", "to_node"], validate="one_to_one")
    v, c, t0 = m["volume"], m["capacity"], m["free_flow_time"]
    a, b = m["alpha"], m["beta"]
    integral = t0 * (v + a * c / (b + 1) * (v / c) ** (b + 1))
    return float((integral + (length_w * m["length"] + toll_w * m["toll"]) * v).sum())


def check(name: str, folder, alg: str, gap: float, flow_rel: tuple[float, float] | None):
    net = read_network(folder / f"{name}_net.tntp")
    demand = read_demand(folder / f"{name}_trips.tntp")
    best = read_flows(folder / f"{name}_flow.tntp")
    lw, tw = WEIGHTS[name]
    cfg = AssignmentConfig(algorithm=alg, gap=gap, max_iter=5000, length_weight=lw, toll_weight=tw)
    r = assign(net, demand, cfg)
    assert r.converged, (name, alg, r.gap)
    assert r.gap <= gap
    assert r.disconnected.empty
    # Beckmann objective never below the best-known solution's
    ref = best_known_objective(net, best, lw, tw)
    assert r.beckmann >= ref * (1 - 1e-12), (r.beckmann, ref)
    assert r.beckmann <= ref * (1 + 10 * gap)
    assert conservation_error(r.links, demand) < 1e-6
    # the gap recomputed independently (scipy Dijkstra) agrees
    indep = scipy_relative_gap(net, r.links, demand)
    assert indep == pytest.approx(r.gap, rel=1e-3, abs=1e-12)
    m = r.links.merge(best, on=["from_node", "to_node"], validate="one_to_one")
    sel = m["volume"] > 1
    rel = ((m["flow"] - m["volume"]).abs() / m["volume"])[sel]
    print(f"{name} {alg} gap {r.gap:.2e}: flow rel err max {rel.max():.2e} mean {rel.mean():.2e}")
    if flow_rel is not None:
        assert rel.max() < flow_rel[0] and rel.mean() < flow_rel[1]
    return r


@pytest.mark.parametrize(
    ("alg", "gap", "flow_rel"),
    [
        ("b", 1e-10, (1e-6, 1e-7)),
        ("bfw", 1e-4, (0.05, 5e-3)),
        ("cfw", 1e-4, (0.05, 5e-3)),
        ("fw", 1e-3, (0.2, 0.05)),
        ("msa", 5e-3, None),
    ],
)
def test_sioux_falls(alg, gap, flow_rel):
    check("SiouxFalls", SIOUX, alg, gap, flow_rel)


@pytest.mark.slow
def test_anaheim():
    folder = tntp_net("Anaheim", "Anaheim").parent
    check("Anaheim", folder, "b", 1e-10, (1e-5, 1e-7))
    check("Anaheim", folder, "bfw", 1e-4, None)


@pytest.mark.slow
def test_chicago_sketch():
    folder = tntp_net("ChicagoSketch", "Chicago-Sketch").parent
    r = check("ChicagoSketch", folder, "b", 1e-8, (1e-3, 1e-5))
    assert r.iterations < 30


def test_sioux_falls_algorithm_b_keeps_improving():
    net = read_network(SIOUX / "SiouxFalls_net.tntp")
    demand = read_demand(SIOUX / "SiouxFalls_trips.tntp")
    r = assign(net, demand, AssignmentConfig(algorithm="b", gap=1e-12, max_iter=200))
    log = r.convergence
    assert r.converged
    assert np.all(np.diff(log["beckmann"]) <= 1e-9)
    assert log["gap"].iloc[-1] <= 1e-12
