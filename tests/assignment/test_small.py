"""Assignment on small networks with hand-computed answers, awkward shapes and bad input."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from numba import njit

from serai.assignment import ALGORITHMS, AssignmentConfig, TrafficClass, assign
from serai.errors import InputError, SeraiError
from serai.network import compile_network
from tests.assignment.helpers import conservation_error, network, trips

EQ_ALGOS = ["msa", "fw", "cfw", "bfw", "b"]


def _tight(alg: str) -> AssignmentConfig:
    gap = {"msa": 1e-4, "fw": 1e-6, "cfw": 1e-7, "bfw": 1e-7, "b": 1e-12}[alg]
    return AssignmentConfig(algorithm=alg, gap=gap, max_iter=20000)


def two_routes():
    # route A: 1->3->2, time 10 + 0.1 v ; route B: 1->4->2, time 15 + 0.15 v (BPR power 1)
    return network(
        [
            (1, 3, 10.0, 100.0, 1.0, 1.0),
            (3, 2, 0.0, 100.0, 0.15, 4.0),  # zero free-flow time
            (1, 4, 15.0, 100.0, 1.0, 1.0),
            (4, 2, 0.0, 100.0, 0.15, 4.0),
        ],
        zones=(1, 2),
    )


@pytest.mark.parametrize("alg", EQ_ALGOS)
def test_two_routes_hand_equilibrium(alg):
    # 10 + 0.1 a = 15 + 0.15 b, a + b = 150  ->  b = 40, a = 110, time 21
    r = assign(two_routes(), trips((1, 2, 150.0)), _tight(alg))
    assert r.converged
    f = r.links.set_index("link_id")["flow"]
    tol = 0.05 if alg == "msa" else 1e-3
    assert f[1] == pytest.approx(110.0, abs=tol)
    assert f[3] == pytest.approx(40.0, abs=tol)
    assert r.convergence["gap"].iloc[-1] <= _tight(alg).gap


def test_all_or_nothing_uses_free_flow_paths():
    r = assign(two_routes(), trips((1, 2, 150.0)), AssignmentConfig(algorithm="aon"))
    assert r.links.set_index("link_id")["flow"].tolist() == [150.0, 150.0, 0.0, 0.0]
    assert r.iterations == 1
    # gap of the AON solution: TSTT = 150 * 25 = 3750, SPTT = 150 * 15
    assert r.gap == pytest.approx((3750 - 2250) / 3750)


def aequilibrae_minimal():
    # ../shared/bench/peers/RESULTS-aequilibrae-1.7.2.md, "Minimal reproduction":
    # node 5 has only incoming links; constant costs (power 0).
    cheap = [(1, 3), (3, 5), (4, 5), (4, 2), (2, 4), (3, 1)]
    dear = [(3, 6), (6, 4), (4, 6), (6, 3)]
    links = [(a, b, 1.0, 10.0, 0.0, 0.0) for a, b in cheap]
    links += [(a, b, 50.0, 10.0, 0.0, 0.0) for a, b in dear]
    return network(links, zones=(1, 2))


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_aequilibrae_minimal_reproduction_cost_is_102(alg):
    r = assign(aequilibrae_minimal(), trips((1, 2, 7.0)), AssignmentConfig(algorithm=alg, gap=0))
    links = r.links.set_index(["from_node", "to_node"])
    used = links.index[links["flow"] > 0].tolist()
    assert sorted(used) == [(1, 3), (3, 6), (4, 2), (6, 4)]
    assert links.loc[used, "flow"].tolist() == [7.0] * 4
    # SPTT / demand = the 1 -> 2 least cost
    assert r.convergence["sptt"].iloc[-1] / 7.0 == pytest.approx(102.0)
    assert links.loc[(3, 5), "flow"] == 0.0  # never against a link's direction


@pytest.mark.parametrize("alg", EQ_ALGOS)
def test_zones_that_may_not_be_passed_through(alg):
    # zone 3 sits on the short path 1->3->2 but may not be passed through
    links = [
        (1, 3, 1.0, 100.0, 0.15, 4.0),
        (3, 2, 1.0, 100.0, 0.15, 4.0),
        (1, 4, 5.0, 100.0, 0.15, 4.0),
        (4, 2, 5.0, 100.0, 0.15, 4.0),
    ]
    demand = trips((1, 2, 10.0), (3, 2, 4.0))
    r = assign(network(links, zones=(1, 2, 3), blocked=(3,)), demand, _tight(alg))
    f = r.links.set_index(["from_node", "to_node"])["flow"]
    assert f[(1, 3)] == 0.0
    assert f[(3, 2)] == pytest.approx(4.0)  # a zone may still be an origin
    assert f[(1, 4)] == pytest.approx(10.0)
    # the same network with zones passable takes the short path
    g = compile_network(network(links, zones=(1, 2, 3), blocked=(3,)), block_zones=False)
    r2 = assign(g, demand, _tight(alg))
    assert r2.links.set_index(["from_node", "to_node"])["flow"][(1, 3)] == pytest.approx(10.0)


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_disconnected_pairs_are_reported(alg):
    links = [
        (1, 2, 1.0, 10.0, 0.15, 4.0),
        (2, 1, 1.0, 10.0, 0.15, 4.0),
        (5, 1, 1.0, 10.0, 0.0, 0.0),
    ]
    demand = trips((1, 2, 3.0), (1, 5, 2.5), (2, 5, 1.0), (5, 2, 4.0))
    r = assign(network(links, zones=(1, 2, 5)), demand, AssignmentConfig(algorithm=alg, gap=1e-9))
    d = r.disconnected.sort_values(["origin", "destination"])
    assert d[["origin", "destination"]].values.tolist() == [[1, 5], [2, 5]]
    assert d["volume"].tolist() == [2.5, 1.0]
    f = r.links.set_index(["from_node", "to_node"])["flow"]
    assert f[(1, 2)] == pytest.approx(7.0)  # 3 from 1 plus 4 from 5 via 1
    assert f[(5, 1)] == pytest.approx(4.0)


def test_intrazonal_and_zero_volume_are_ignored():
    r = assign(two_routes(), trips((1, 1, 9.0), (1, 2, 0.0), (1, 2, 150.0)))
    assert r.intrazonal_volume == 9.0
    assert r.links["flow"].iloc[[0, 2]].sum() == pytest.approx(150.0)


@pytest.mark.parametrize("alg", EQ_ALGOS)
def test_multiclass_barred_link_and_pce(alg):
    # trucks (pce 2) may not use route A; cars equilibrate on the shared capacity:
    # 10 + 0.1 a = 15 + 0.15 (b + 2 * 10), a + b = 100  ->  b = 8, a = 92, both 19.2
    net = two_routes()
    g = compile_network(net)
    allowed = ~np.isin(g.link_ids, [1, 2])
    cars = TrafficClass("car", trips((1, 2, 100.0)))
    trucks = TrafficClass("truck", trips((1, 2, 10.0)), pce=2.0, allowed=allowed)
    r = assign(g, [cars, trucks], _tight(alg))
    f = r.links.set_index("link_id")
    assert (f.loc[[1, 2], "flow_truck"] == 0.0).all()
    tol = 0.05 if alg == "msa" else 1e-3
    assert f.loc[3, "flow_truck"] == pytest.approx(10.0)
    assert f.loc[1, "flow_car"] == pytest.approx(92.0, abs=tol)
    assert f.loc[3, "flow"] == pytest.approx(8.0 + 20.0, abs=tol)
    assert f.loc[1, "time"] == pytest.approx(19.2, abs=tol)


def test_multiclass_toll_weight_and_identical_classes():
    # a toll on route A; class "rich" ignores it, class "poor" weighs it heavily
    net = two_routes().with_tables(links=two_routes().links.assign(toll=[100.0, 0.0, 0.0, 0.0]))
    poor = TrafficClass("poor", trips((1, 2, 20.0)), toll_weight=1.0)
    rich = TrafficClass("rich", trips((1, 2, 20.0)), toll_weight=0.0)
    r = assign(net, [poor, rich], AssignmentConfig(algorithm="b", gap=1e-12))
    f = r.links.set_index("link_id")
    assert f.loc[1, "flow_poor"] == 0.0
    assert f.loc[1, "flow_rich"] == pytest.approx(20.0)
    assert f.loc[1, "cost_poor"] == pytest.approx(f.loc[1, "time"] + 100.0)
    # two identical classes give the flows of one class with their summed demand
    one = assign(net, trips((1, 2, 150.0)), AssignmentConfig(algorithm="b", gap=1e-12))
    a = TrafficClass("a", trips((1, 2, 50.0)))
    b = TrafficClass("b", trips((1, 2, 100.0)))
    two = assign(net, [a, b], AssignmentConfig(algorithm="b", gap=1e-12))
    np.testing.assert_allclose(two.links["flow"], one.links["flow"], atol=1e-6)


def grid(n: int = 5):
    """A congested n x n grid with two-way links and zones on the border."""
    rng = np.random.default_rng(3)
    links = []
    for i in range(n):
        for j in range(n):
            u = i * n + j + 1
            for di, dj in ((0, 1), (1, 0)):
                if i + di < n and j + dj < n:
                    v = (i + di) * n + j + dj + 1
                    for a, b in ((u, v), (v, u)):
                        links.append((a, b, rng.uniform(1, 5), rng.uniform(20, 60), 0.15, 4.0))
    zones = [1, n, n * n - n + 1, n * n, (n // 2) * n + 1]
    demand = trips(*[(o, d, 25.0) for o in zones for d in zones if o != d])
    return network(links, zones=zones), demand


def test_algorithms_agree_and_conserve_flow():
    net, demand = grid()
    ref = assign(net, demand, AssignmentConfig(algorithm="b", gap=1e-12))
    assert ref.converged
    assert conservation_error(ref.links, demand) < 1e-6
    for alg, gap in (("msa", 1e-3), ("fw", 1e-4), ("cfw", 1e-5), ("bfw", 1e-5)):
        r = assign(net, demand, AssignmentConfig(algorithm=alg, gap=gap, max_iter=5000))
        assert r.converged, alg
        assert conservation_error(r.links, demand) < 1e-6
        assert r.beckmann >= ref.beckmann * (1 - 1e-12)
        assert r.beckmann == pytest.approx(ref.beckmann, rel=10 * gap)
        # link times at near-equilibrium are close (flows need not be unique)
        np.testing.assert_allclose(r.links["time"], ref.links["time"], rtol=100 * gap)
    log = ref.convergence
    assert list(log.columns[:5]) == ["iteration", "gap", "tstt", "sptt", "beckmann"]
    assert (log["time_s"] >= 0).all()
    assert np.all(np.diff(log["beckmann"].to_numpy()) <= 1e-9 * log["beckmann"].iloc[0])


def test_conical_vdf_with_algorithm_b_and_bfw():
    net, demand = grid()
    net = net.with_tables(links=net.links.assign(conical_alpha=4.0))
    b = assign(net, demand, AssignmentConfig(algorithm="b", gap=1e-10, vdf="conical"))
    f = assign(net, demand, AssignmentConfig(algorithm="bfw", gap=1e-5, vdf="conical"))
    assert b.converged and f.converged
    assert f.beckmann >= b.beckmann * (1 - 1e-12)
    assert f.beckmann == pytest.approx(b.beckmann, rel=1e-4)


@dataclass(frozen=True)
class Linear:
    """A user VDF (not built in): t = t0 + slope * v."""

    name: str = "linear"
    columns: tuple[str, ...] = ("slope",)
    defaults: tuple[float, ...] = (0.1,)
    code: int = -1

    def time(self, v, t0, cap, params):
        return t0 + params[0] * v

    def derivative(self, v, t0, cap, params):
        return params[0] + 0.0 * v

    def integral(self, v, t0, cap, params):
        return t0 * v + params[0] * v * v / 2


@njit
def _linear_scalar(v, t0, cap, slope, _unused):
    return t0 + slope * v, slope


@dataclass(frozen=True)
class LinearNumba(Linear):
    """The same VDF with a numba scalar, so Algorithm B can run it too."""

    name: str = "linear-numba"
    scalar: object = _linear_scalar


def test_user_vdf_without_editing_the_engine():
    # 10 + 0.1 a = 15 + 0.05 b, a + b = 150 -> a = 83.33, b = 66.67
    net = two_routes()
    net = net.with_tables(links=net.links.assign(slope=[0.1, 0.0, 0.05, 0.0]))
    demand = trips((1, 2, 150.0))
    r = assign(net, demand, AssignmentConfig(algorithm="fw", gap=1e-10, vdf=Linear()))
    f = r.links.set_index("link_id")["flow"]
    assert f[1] == pytest.approx(250 / 3, abs=1e-4)
    with pytest.raises(InputError, match="numba 'scalar'"):
        assign(net, demand, AssignmentConfig(algorithm="b", vdf=Linear()))
    rb = assign(net, demand, AssignmentConfig(algorithm="b", gap=1e-12, vdf=LinearNumba()))
    assert rb.converged
    assert rb.links.set_index("link_id")["flow"][1] == pytest.approx(250 / 3, abs=1e-8)
    assert rb.links.set_index("link_id")["time"][1] == pytest.approx(10 + 25 / 3, abs=1e-8)


def test_bad_input_is_reported():
    net = two_routes()
    with pytest.raises(InputError, match="volume"):
        assign(net, trips((1, 2, -1.0)))
    with pytest.raises(InputError, match="unknown node"):
        assign(net, trips((1, 99, 1.0)))
    with pytest.raises(InputError, match="unknown assignment algorithm"):
        AssignmentConfig(algorithm="tapas")
    with pytest.raises(InputError, match="capacity"):
        assign(net.with_tables(links=net.links.drop(columns="capacity")), trips((1, 2, 1.0)))
    with pytest.raises(SeraiError, match=r"row 3, id 3, field 'capacity'"):  # validation
        assign(net.with_tables(links=net.links.assign(capacity=[1.0, 1.0, 0.0, 1.0])),
               trips((1, 2, 1.0)))  # fmt: skip
    # one gate: what `serai network validate --for assignment` refuses (issue 12)
    with pytest.raises(InputError, match=r"row 3, id 3, field 'capacity': missing") as exc:
        assign(net.with_tables(links=net.links.assign(capacity=[1.0, 1.0, np.nan, 1.0])),
               trips((1, 2, 1.0)))  # fmt: skip
    assert exc.value.field == "capacity"
    with pytest.raises(InputError, match="id 2, field 'conical_alpha': must be a number greater"):
        assign(net.with_tables(links=net.links.assign(conical_alpha=[2.0, 0.5, 2.0, 2.0])),
               trips((1, 2, 1.0)), AssignmentConfig(vdf="conical"))  # fmt: skip
    with pytest.raises(InputError, match="no column 'volume'"):
        assign(net, pd.DataFrame({"origin": [1], "destination": [2]}))
    with pytest.raises(InputError, match="unique"):
        assign(net, [TrafficClass("x", trips((1, 2, 1.0)))] * 2)


def test_config_is_frozen():
    cfg = AssignmentConfig()
    with pytest.raises(AttributeError):
        cfg.gap = 1.0  # type: ignore[misc]
    assert AssignmentConfig(algorithm="Frank-Wolfe").algorithm == "fw"


def test_demand_as_a_mapping_of_columns_is_the_table():
    t = trips((1, 2, 150.0), (1, 2, 30.0))
    cfg = AssignmentConfig(algorithm="b", gap=1e-10)
    want = assign(two_routes(), t, cfg)
    cols = {c: t[c].to_numpy() for c in t.columns}
    got = assign(two_routes(), cols, cfg)
    np.testing.assert_array_equal(got.class_flows, want.class_flows)
    pd.testing.assert_frame_equal(got.links, want.links)
    text = {**cols, "volume": np.array(["150", "x"], dtype=object)}  # via pandas' coercion
    with pytest.raises(InputError, match="volume must be a finite number >= 0, got 'x'"):
        assign(two_routes(), text, cfg)
    for bad in ({**cols, "volume": cols["volume"][:1]}, {**cols, "origin": 1},
                {**cols, "destination": [[1], [2, 3]]}):  # fmt: skip
        with pytest.raises(InputError, match="must be columns"):
            assign(two_routes(), bad, cfg)
    with pytest.raises(InputError, match="has no column 'volume'"):
        assign(two_routes(), {"origin": [1], "destination": [2]}, cfg)
