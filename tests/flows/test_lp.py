"""Capacity LP by column generation: against the arc-based LP, finite differences, feasibility."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from serai.assignment.logit import ChoiceProblem, Units
from serai.assignment.vdf import BPR
from serai.flows.lp import LPConfig, arc_min_cost_flow, min_cost_flow
from serai.network import Network, compile_network


def random_problem(seed: int, n: int = 10, m: int = 34, K: int = 2, n_od: int = 6):
    rng = np.random.default_rng(seed)
    # a ring (connected both ways) plus random chords
    f = list(range(n)) + list(range(1, n)) + [0]
    t = [*list(range(1, n)), 0, *list(range(n))]
    while len(f) < m:
        a, b = rng.integers(0, n, 2)
        if a != b:
            f.append(int(a))
            t.append(int(b))
    links = pd.DataFrame(
        {
            "link_id": np.arange(1, len(f) + 1),
            "from_node": np.array(f) + 1,
            "to_node": np.array(t) + 1,
        }
    )
    g = compile_network(Network.from_tables(links=links), check=False, block_zones=None)
    me = g.n_edges
    cost = rng.uniform(1.0, 10.0, size=(K, me))
    cost[1] *= rng.uniform(0.5, 2.0)
    # class 1 barred from a few edges
    cost[1, rng.choice(me, 3, replace=False)] = np.inf
    # units: single edges and one pair of edges sharing a capacity
    cand = rng.choice(me, 8, replace=False)
    rows, cols = list(cand[:6]), list(range(6))
    rows += [int(cand[6]), int(cand[7])]
    cols += [6, 6]
    U = 7
    eu = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(me, U))
    use = np.vstack([np.ones(U), np.full(U, 2.5)])
    cap = rng.uniform(5.0, 40.0, U)
    od_class, od_o, od_d, od_q = [], [], [], []
    for _ in range(n_od):
        for k in range(K):
            a, b = rng.choice(n, 2, replace=False)
            od_class.append(k)
            od_o.append(int(g.node_index(int(a) + 1)[0]))
            od_d.append(int(g.node_index(int(b) + 1)[0]))
            od_q.append(float(rng.uniform(5, 30)))
    units = Units(
        t0=np.ones(U), cap=cap, params=(np.full(U, 0.15), np.full(U, 4.0)), edge_unit=eu,
        use=use, vdf=BPR(), names=tuple(f"u{j}" for j in range(U)),
    )  # fmt: skip
    return ChoiceProblem(
        graph=g, names=("a", "b"), edge_cost=cost, weight=np.ones(K),
        od_class=np.array(od_class), od_origin=np.array(od_o), od_destination=np.array(od_d),
        od_volume=np.array(od_q), units=units,
    )  # fmt: skip


def with_cap(p: ChoiceProblem, cap: np.ndarray) -> ChoiceProblem:
    u = p.units
    nu = Units(u.t0, cap, u.params, u.edge_unit, u.use, u.vdf, u.names)
    return ChoiceProblem(
        p.graph, p.names, p.edge_cost, p.weight, p.od_class, p.od_origin, p.od_destination,
        p.od_volume, nu,
    )  # fmt: skip


SEEDS = range(8)


@pytest.mark.parametrize("seed", SEEDS)
def test_column_generation_matches_arc_lp(seed):
    p = random_problem(seed)
    cfg = LPConfig(unmet_factor=3.0)
    r = min_cost_flow(p, cfg)
    a = arc_min_cost_flow(p, cfg)
    assert r.optimal
    assert r.objective == pytest.approx(a["objective"], rel=1e-8, abs=1e-6)
    assert r.unmet["unmet"].sum() == pytest.approx(a["unmet"].sum(), abs=1e-6) or (
        r.objective == pytest.approx(a["objective"], rel=1e-8)
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_capacities_never_exceeded_and_conservation(seed):
    p = random_problem(seed)
    r = min_cost_flow(p, LPConfig(unmet_factor=3.0))
    u = r.units
    assert (u["load"] <= u["capacity"] * (1 + 1e-9) + 1e-7).all()
    # recompute the loads from the path flows independently
    counts = (p.units.edge_unit != 0).astype(float)
    load = np.zeros(p.units.n)
    for row, e in zip(r.paths.itertuples(), r.path_edges, strict=True):
        k = int(p.od_class[row.od])
        load += row.flow * np.asarray(counts[e].sum(axis=0)).ravel() * p.units.use[k]
    assert np.allclose(load, u["load"], atol=1e-7)
    # per OD: routes + unmet = demand; per class and node: flow balance
    met = r.paths.groupby("od")["flow"].sum().reindex(range(p.n_od), fill_value=0.0)
    assert np.allclose(met + r.unmet["unmet"], p.od_volume, atol=1e-7)
    g = p.graph
    for k in range(p.K):
        net_out = np.zeros(g.n_nodes)
        np.add.at(net_out, g.tails, r.class_flows[k])
        np.subtract.at(net_out, g.heads, r.class_flows[k])
        supply = np.zeros(g.n_nodes)
        mine = p.od_class == k
        served = p.od_volume[mine] - r.unmet["unmet"].to_numpy()[mine]
        np.add.at(supply, p.od_origin[mine], served)
        np.subtract.at(supply, p.od_destination[mine], served)
        assert np.allclose(net_out, supply, atol=1e-7)
    # nothing uses a barred edge
    assert not (r.class_flows[np.isinf(p.edge_cost)] > 1e-9).any()


@pytest.mark.parametrize("seed", SEEDS)
def test_duals_bracket_finite_differences(seed):
    p = random_problem(seed)
    cfg = LPConfig(unmet_factor=3.0)
    r = min_cost_flow(p, cfg)
    cap = p.units.cap.copy()
    delta = 1e-3
    checked = 0
    for j in range(p.units.n):
        up = cap.copy()
        up[j] += delta
        dn = cap.copy()
        dn[j] -= delta
        z_up = min_cost_flow(with_cap(p, up), cfg).objective
        z_dn = min_cost_flow(with_cap(p, dn), cfg).objective
        right = (r.objective - z_up) / delta  # saving per unit of extra capacity
        left = (z_dn - r.objective) / delta
        dual = r.units["dual"].iloc[j]
        # the optimal cost is convex in capacity: the dual lies between the one-sided slopes
        assert right - 1e-5 <= dual <= left + 1e-5
        if abs(left - right) < 1e-6:  # non-degenerate: the dual is the derivative
            assert dual == pytest.approx(0.5 * (left + right), abs=1e-5)
            checked += 1
        if not r.units["binding"].iloc[j]:
            assert right == pytest.approx(0.0, abs=1e-6)
    assert checked >= 1


def test_duals_rank_binding_capacity_on_a_hand_case():
    # 1 -> 2 by a cheap capacitated link (cost 1, cap 60) or a dear one (cost 4)
    links = pd.DataFrame({"link_id": [1, 2], "from_node": [1, 1], "to_node": [2, 2]})
    g = compile_network(Network.from_tables(links=links), check=False, block_zones=None)
    eu = sparse.csr_matrix(([1.0], ([0], [0])), shape=(2, 1))
    units = Units(np.ones(1), np.array([60.0]), (np.ones(1), np.ones(1)), eu, np.ones((1, 1)),
                  BPR(), ("cheap",))  # fmt: skip
    cost = np.array([[1.0, 4.0]])[:, np.argsort(g.link_ids)]  # graph edge order
    cost = np.array([[1.0 if lid == 1 else 4.0 for lid in g.link_ids]])
    p = ChoiceProblem(g, ("all",), cost, np.ones(1), np.array([0]), g.node_index(1),
                      g.node_index(2), np.array([100.0]), units)  # fmt: skip
    r = min_cost_flow(p)
    assert r.objective == pytest.approx(60 * 1 + 40 * 4)
    assert r.units["dual"].iloc[0] == pytest.approx(3.0)
    assert r.unmet["unmet"].iloc[0] == pytest.approx(0.0)
    # capacity so scarce and the alternative so dear that demand goes unmet
    cost2 = np.array([[1.0 if lid == 1 else 50.0 for lid in g.link_ids]])
    p2 = ChoiceProblem(g, ("all",), cost2, np.ones(1), np.array([0]), g.node_index(1),
                       g.node_index(2), np.array([100.0]), units)  # fmt: skip
    r2 = min_cost_flow(p2, LPConfig(unmet_cost=10.0))
    assert r2.unmet["unmet"].iloc[0] == pytest.approx(40.0)
    assert r2.units["dual"].iloc[0] == pytest.approx(9.0)


def test_the_highs_banner_is_not_printed(capfd):
    """HiGHS 1.16 prints 'Running HiGHS ...' to the C stdout when the first Highs() of a
    process is made, whatever output_flag says (it showed in `make demo`'s flows step)."""
    import subprocess
    import sys

    pytest.importorskip("highspy")
    code = "from serai.flows.lp import _highs\n_highs(); print('after', flush=True); _highs()\n"
    subprocess.run([sys.executable, "-c", code], check=True)  # its fds 1 and 2 are capfd's
    out, err = capfd.readouterr()
    assert out == "after\n" and "HiGHS" not in err
