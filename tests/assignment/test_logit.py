"""Logit (stochastic) user equilibrium: hand-computed splits, the UE limit, conservation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from serai.assignment import AssignmentConfig, assign
from serai.assignment.logit import LogitConfig, logit_assign
from serai.errors import InputError
from serai.network import Network


def _net(links: dict) -> Network:
    return Network.from_tables(links=pd.DataFrame(links))


def _trips(o=1, d=2, vol=100.0) -> pd.DataFrame:
    return pd.DataFrame({"origin": [o], "destination": [d], "volume": [vol]})


def test_three_disjoint_routes_absolute_theta():
    net = _net(
        {
            "link_id": [1, 2, 3],
            "from_node": [1, 1, 1],
            "to_node": [2, 2, 2],
            "free_flow_time": [10.0, 11.0, 12.5],
        }
    )
    r = logit_assign(net, _trips(), LogitConfig(theta=0.7, scale="absolute", gap=1e-12))
    w = np.exp(-0.7 * np.array([10.0, 11.0, 12.5]))
    assert np.allclose(r.links["flow"].to_numpy(), 100 * w / w.sum(), rtol=1e-9)
    assert r.converged and r.gap <= 1e-12


def test_relative_theta_scales_by_least_cost():
    net = _net(
        {
            "link_id": [1, 2, 3],
            "from_node": [1, 1, 1],
            "to_node": [2, 2, 2],
            "free_flow_time": [200.0, 220.0, 260.0],
        }
    )
    r = logit_assign(net, _trips(), LogitConfig(theta=5.0, scale="relative", gap=1e-12))
    w = np.exp(-5.0 * np.array([200.0, 220.0, 260.0]) / 200.0)  # theta per least cost
    assert np.allclose(r.links["flow"].to_numpy(), 100 * w / w.sum(), rtol=1e-9)


def test_path_size_on_overlapping_routes():
    # 1 -a-> 2 -b-> 3, 1 -a-> 2 -c-> 3 (share link a), 1 -d-> 3; every route costs 10.
    net = _net(
        {
            "link_id": [1, 2, 3, 4],
            "from_node": [1, 2, 2, 1],
            "to_node": [2, 3, 3, 3],
            "free_flow_time": [5.0, 5.0, 5.0, 10.0],
        }
    )
    trips = _trips(1, 3, 100.0)
    r = logit_assign(net, trips, LogitConfig(theta=1.0, scale="absolute", gap=1e-12))
    # PS(a+b) = 5/10 * 1/2 + 5/10 * 1 = 0.75; PS(d) = 1 -> shares 0.3, 0.3, 0.4
    f = r.links.set_index("link_id")["flow"]
    assert f[1] == pytest.approx(60.0, rel=1e-9)
    assert f[2] == pytest.approx(30.0, rel=1e-9)
    assert f[3] == pytest.approx(30.0, rel=1e-9)
    assert f[4] == pytest.approx(40.0, rel=1e-9)
    # without the correction: plain logit, a third each
    r2 = logit_assign(
        net, trips, LogitConfig(theta=1.0, scale="absolute", gap=1e-12, path_size=False)
    )
    f2 = r2.links.set_index("link_id")["flow"]
    assert f2[4] == pytest.approx(100 / 3, rel=1e-9)


def test_congested_two_routes_fixed_point():
    # two parallel BPR links; at the logit equilibrium f1 / f2 = exp(-theta (t1 - t2))
    t0, cap, theta, q = np.array([10.0, 12.0]), np.array([40.0, 60.0]), 0.5, 100.0
    net = _net(
        {
            "link_id": [1, 2],
            "from_node": [1, 1],
            "to_node": [2, 2],
            "free_flow_time": t0,
            "capacity": cap,
            "alpha": [0.15, 0.15],
            "beta": [4.0, 4.0],
        }
    )
    r = logit_assign(net, _trips(vol=q), LogitConfig(theta=theta, scale="absolute", gap=1e-12))

    def t(i, v):
        return t0[i] * (1 + 0.15 * (v / cap[i]) ** 4)

    def residual(f1):
        return np.log(f1 / (q - f1)) + theta * (t(0, f1) - t(1, q - f1))

    f1 = brentq(residual, 1e-9, q - 1e-9, xtol=1e-13)
    f = r.links.set_index("link_id")["flow"]
    assert f[1] == pytest.approx(f1, rel=1e-5)  # the gap is quadratic in the flow error
    assert f[1] + f[2] == pytest.approx(q, rel=1e-12)
    assert r.units["load"].sum() == pytest.approx(q)


BRAESS = {
    "link_id": [1, 2, 3, 4, 5],
    "from_node": [1, 1, 2, 3, 2],
    "to_node": [2, 3, 4, 4, 3],
    "free_flow_time": [1.0, 5.0, 5.0, 1.0, 0.5],
    "capacity": [40.0, 80.0, 80.0, 40.0, 200.0],
    "alpha": [1.0, 0.15, 0.15, 1.0, 0.15],
    "beta": [4.0, 4.0, 4.0, 4.0, 4.0],
}


def test_user_equilibrium_when_dispersion_vanishes():
    net = _net(BRAESS)
    trips = _trips(1, 4, 120.0)
    ue = assign(net, trips, AssignmentConfig(algorithm="b", gap=1e-12))
    v_ue = ue.links.set_index("link_id")["flow"]
    errs = []
    for theta in (20.0, 200.0, 2000.0):
        r = logit_assign(net, trips, LogitConfig(theta=theta, gap=1e-9, max_iter=5000))
        v = r.links.set_index("link_id")["flow"].reindex(v_ue.index)
        errs.append(float(np.abs(v - v_ue).max()))
    # the logit flows approach the UE flows as theta grows
    assert errs[0] > errs[1] > errs[2]
    assert errs[2] < 0.02 * 120.0


def test_conservation_and_gap_multiclass():
    net = _net(BRAESS)
    from serai.assignment import TrafficClass

    cars = TrafficClass("car", _trips(1, 4, 80.0))
    trucks = TrafficClass(
        "truck", pd.DataFrame({"origin": [1, 2], "destination": [4, 4], "volume": [20.0, 10.0]}),
        pce=2.5, time_weight=1.5,
    )  # fmt: skip
    r = logit_assign(net, [cars, trucks], LogitConfig(theta=10.0, gap=1e-8))
    assert r.converged and r.gap <= 1e-8
    per_od = r.paths.groupby(["class", "origin", "destination"])["flow"].sum()
    assert per_od[("car", 1, 4)] == pytest.approx(80.0)
    assert per_od[("truck", 1, 4)] == pytest.approx(20.0)
    assert per_od[("truck", 2, 4)] == pytest.approx(10.0)
    # unit loads are PCE-weighted link flows
    lk = r.links.set_index("link_id")
    load = r.units.set_index("unit")["load"]
    for lid in BRAESS["link_id"]:
        assert load[str(lid)] == pytest.approx(
            lk.loc[lid, "flow_car"] + 2.5 * lk.loc[lid, "flow_truck"]
        )
    # node balance per class at the intermediate nodes
    for cls in ("car", "truck"):
        col = f"flow_{cls}"
        for node in (3,):
            inflow = r.links.loc[r.links["to_node"] == node, col].sum()
            outflow = r.links.loc[r.links["from_node"] == node, col].sum()
            assert inflow == pytest.approx(outflow, abs=1e-9)


def test_bad_config_is_an_input_error():
    with pytest.raises(InputError, match="theta"):
        LogitConfig(theta=0.0)
    with pytest.raises(InputError, match="scale"):
        LogitConfig(scale="log")


def _choice_problem(links: dict, trips: pd.DataFrame):
    from serai.assignment import TrafficClass
    from serai.assignment.logit import plain_problem
    from serai.network.compile import compile_network

    g = compile_network(_net(links), check=False, block_zones=None)
    return plain_problem(g, [TrafficClass("c", trips)])


def _edges_of(p, link_ids) -> np.ndarray:
    lid = np.asarray(p.graph.link_ids)
    return np.array([int(np.flatnonzero(lid == x)[0]) for x in link_ids], np.int64)


def test_wider_search_completes_the_choice_set_at_equilibrium_costs():
    """A generator's ``complete`` search runs when the gap is met, and the equilibrium goes on
    while it adds routes: the result is the equilibrium over every route it can find at the
    final costs, here the same as giving all three routes at the start."""
    from serai.assignment.logit import logit_equilibrium, shortest_path_generator

    # 1 -> 2 directly on two parallel links (10, large; 12, small), or via 3 (13, large):
    # link 1 stays the least-cost route, so least-cost searches never add the detour
    links = {
        "link_id": [1, 2, 3, 4],
        "from_node": [1, 1, 1, 3],
        "to_node": [2, 2, 3, 2],
        "free_flow_time": [10.0, 12.0, 6.5, 6.5],
        "capacity": [1000.0, 20.0, 500.0, 500.0],
        "alpha": [0.15, 0.15, 0.15, 0.15],
        "beta": [4.0, 4.0, 4.0, 4.0],
    }
    p = _choice_problem(links, _trips(1, 2, 100.0))
    cfg = LogitConfig(theta=0.5, scale="absolute", gap=1e-12, max_iter=2000)
    direct1, direct2, via3 = _edges_of(p, [1]), _edges_of(p, [2]), _edges_of(p, [3, 4])
    least = shortest_path_generator(p)
    calls = []

    def gen(costs):
        return least(costs)

    def corridor(costs):  # "the best route avoiding link 1", at the costs it is given
        calls.append(costs[0].copy())
        c = [costs[0][e].sum() for e in (direct2, via3)]
        return [(0, (direct2, via3)[int(np.argmin(c))])]

    gen.complete = corridor
    # at free-flow costs the corridor's best route is link 2 (12 < 13); once link 2 jams it
    # is the route via node 3: found only because the search is repeated at congested costs
    r = logit_equilibrium(p, cfg, generate=gen, initial_paths=[(0, direct1), (0, direct2)])
    full = logit_equilibrium(p, cfg, initial_paths=[(0, direct1), (0, direct2), (0, via3)])
    assert r.converged and len(calls) >= 2
    assert len(r.paths) == 3
    v = r.links.set_index("link_id")["flow"]
    vf = full.links.set_index("link_id")["flow"]
    # (the gap is quadratic in the flow error: 1e-12 leaves ~1e-6 in the flows)
    assert np.allclose(v.to_numpy(), vf.reindex(v.index).to_numpy(), rtol=1e-5)
    assert v[3] > 1.0  # the detour carries flow
    # without the wider search the detour never enters (least-cost routes only: links 1, 2)
    r0 = logit_equilibrium(p, cfg, generate=least, initial_paths=[(0, direct1), (0, direct2)])
    assert r0.links.set_index("link_id")["flow"][3] == 0.0


def test_denormal_path_flow_gives_no_overflow():
    """A route whose logit share underflows (cost 1,500 above the best at theta 1) keeps a
    zero Newton shift: no overflow warning, the other two routes at their hand split."""
    import warnings

    net = _net(
        {
            "link_id": [1, 2, 3],
            "from_node": [1, 1, 1],
            "to_node": [2, 2, 2],
            "free_flow_time": [10.0, 11.0, 710.0],
            "capacity": [1e9, 1e9, 1e9],
            "alpha": [0.15, 0.15, 0.15],
            "beta": [4.0, 4.0, 4.0],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        r = logit_assign(net, _trips(), LogitConfig(theta=1.0, scale="absolute", gap=1e-12))
    f = r.links.set_index("link_id")["flow"]
    w = np.exp(-np.array([10.0, 11.0]))
    assert np.allclose(f[[1, 2]].to_numpy(), 100 * w / w.sum(), rtol=1e-7)
