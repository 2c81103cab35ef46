"""Flows benchmark: equilibrium and capacity LP on the embedded network (2024 demand), peak
memory; column generation vs a plain arc-based LP (highspy) on a reduced network; serai's
all-or-nothing loading vs a networkx baseline on the routing graph.

Run: ``nice .venv/bin/python benchmarks/flows/bench_flows.py [--out benchmarks/flows/results.json]``
Not a test: it prints a table and writes the numbers as JSON (machine, load, command).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from dataclasses import replace

import numpy as np


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def eurasia(year: int) -> dict:
    from serai.data import load_network
    from serai.demand import load_demand
    from serai.flows.model import FlowConfig, build_model, solve

    t = time.perf_counter()
    net = load_network(year)
    dem = load_demand(year)
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    model = build_model(net, dem, FlowConfig(year=year, gap=1e-4))
    build_s = time.perf_counter() - t
    out = {"load_s": load_s, "build_s": build_s, "build_parts_s": model.timings,
           "od_pairs": int(model.problem.n_od), "classes": list(model.problem.names),
           "graph": {"nodes": int(model.problem.graph.n_nodes), "edges": int(model.problem.graph.n_edges)},
           "capacity_units": len(model.capacity.cap)}  # fmt: skip
    import serai.flows.model as fm

    gens = []

    class Recorded(fm.CorridorGenerator):  # keeps the corridor searches of the solve
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            gens.append(self)

    fm.CorridorGenerator, plain = Recorded, fm.CorridorGenerator
    t, c = time.perf_counter(), time.process_time()
    try:
        eq = solve(model)
    finally:
        fm.CorridorGenerator = plain
    out["equilibrium_s"] = time.perf_counter() - t
    # CPU seconds of this process (all its threads): the machine is shared, wall time is not
    out["equilibrium_cpu_s"] = time.process_time() - c
    out["corridor_searches"] = gens[0].searches if gens else []
    # the same equilibrium with corridors at free-flow costs only (the choice sets before)
    free = replace(model, config=replace(model.config, corridors=False))
    t, c = time.perf_counter(), time.process_time()
    eq0 = solve(free)
    out["equilibrium_free_flow_corridors_s"] = time.perf_counter() - t
    out["equilibrium_free_flow_corridors_cpu_s"] = time.process_time() - c
    out["equilibrium_free_flow_corridors_iterations"] = int(eq0.iterations)
    out["equilibrium_gap"] = float(eq.gap)
    out["equilibrium_iterations"] = int(eq.iterations)
    out["equilibrium_routes"] = len(eq.paths)
    lp_model = replace(model, config=replace(model.config, method="lp"))
    t, c = time.perf_counter(), time.process_time()
    lp = solve(lp_model)
    out["lp_s"] = time.perf_counter() - t
    out["lp_cpu_s"] = time.process_time() - c
    out["lp_rounds"] = len(lp.log)
    out["lp_columns"] = len(lp.paths)
    out["lp_optimal"] = bool(lp.optimal)
    out["lp_binding"] = int(lp.units["binding"].sum())
    out["peak_memory_gib"] = peak_gib()
    # all-or-nothing loading: serai (one tree per class and origin) vs networkx
    p = model.problem
    from serai.assignment.logit import shortest_path_generator

    t, c = time.perf_counter(), time.process_time()
    n_routes = sum(1 for _ in shortest_path_generator(p)(p.edge_cost))
    out["aon_serai_s"] = time.perf_counter() - t
    out["aon_serai_cpu_s"] = time.process_time() - c
    import networkx as nx

    g = p.graph
    t = time.perf_counter()
    groups: dict = {}
    for i, (k, o) in enumerate(zip(p.od_class.tolist(), p.od_origin.tolist(), strict=True)):
        groups.setdefault((k, o), []).append(i)
    n_nx = 0
    graphs = {}
    for k in range(p.K):
        G = nx.DiGraph()
        c = p.edge_cost[k]
        ok = np.isfinite(c)
        tails, heads = np.asarray(g.tails)[ok], np.asarray(g.heads)[ok]
        passable = np.asarray(g.passable)
        for a, b, w in zip(tails.tolist(), heads.tolist(), c[ok].tolist(), strict=True):
            if G.has_edge(a, b) and G[a][b]["weight"] <= w:
                continue
            G.add_edge(a, b, weight=w)
        graphs[k] = G
    build_nx = time.perf_counter() - t
    t, c = time.perf_counter(), time.process_time()
    for (k, o), ods in groups.items():
        G = graphs[k]
        # places (non-passable nodes) may not be passed through: the origin's own edges only
        blocked = [v for v in G.nodes if not passable[v] and v != o]
        H = nx.restricted_view(G, [], [(v, w) for v in blocked for w in G.successors(v)])
        _, paths = nx.single_source_dijkstra(H, o, weight="weight")
        n_nx += sum(1 for i in ods if int(p.od_destination[i]) in paths)
    out["aon_networkx_s"] = time.perf_counter() - t
    out["aon_networkx_cpu_s"] = time.process_time() - c
    out["aon_networkx_graph_build_s"] = build_nx
    out["aon_routes"] = [n_routes, n_nx]
    return out


def reduced(seed: int = 0, n: int = 1200, m: int = 4800, n_od: int = 30) -> dict:
    """Column generation vs the arc-based LP on a random network (two classes, 60 units)."""
    import pandas as pd
    from scipy import sparse

    from serai.assignment.logit import ChoiceProblem, Units
    from serai.assignment.vdf import BPR
    from serai.flows.lp import LPConfig, arc_min_cost_flow, min_cost_flow
    from serai.network import Network, compile_network

    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, (n, 2))
    f, t = [], []
    # k nearest neighbours, both ways
    from scipy.spatial import cKDTree

    tree = cKDTree(xy)
    _, nb = tree.query(xy, k=m // n // 2 + 1)
    for a in range(n):
        for b in nb[a, 1:]:
            f += [a, int(b)]
            t += [int(b), a]
    links = pd.DataFrame(
        {
            "link_id": np.arange(1, len(f) + 1),
            "from_node": np.array(f) + 1,
            "to_node": np.array(t) + 1,
        }
    )
    g = compile_network(Network.from_tables(links=links), check=False, block_zones=None)
    L = np.hypot(*(xy[np.asarray(g.tails)] - xy[np.asarray(g.heads)]).T)
    K = 2
    cost = np.vstack([L, 0.7 * L + 1.0])
    U = 60
    oc, oo, odd, oq = [], [], [], []
    for i in range(n_od):
        a, b = rng.choice(n, 2, replace=False)
        oc.append(i % K)
        oo.append(int(g.node_index(int(a) + 1)[0]))
        odd.append(int(g.node_index(int(b) + 1)[0]))
        oq.append(float(rng.uniform(20, 100)))
    # capacities on edges the free-flow routes use, so that many of them bind
    free = ChoiceProblem(g, ("a", "b"), cost, np.ones(K), np.array(oc), np.array(oo),
                         np.array(odd), np.array(oq))  # fmt: skip
    from serai.assignment.logit import shortest_path_generator

    used = np.unique(np.concatenate([e for _, e in shortest_path_generator(free)(cost)]))
    cand = rng.choice(used, min(U, len(used)), replace=False)
    U = len(cand)
    eu = sparse.csr_matrix((np.ones(U), (cand, np.arange(U))), shape=(g.n_edges, U))
    units = Units(np.ones(U), rng.uniform(10, 60, U), (np.ones(U), np.ones(U)), eu,
                  np.vstack([np.ones(U), np.full(U, 2.0)]), BPR())  # fmt: skip
    p = ChoiceProblem(g, ("a", "b"), cost, np.ones(K), np.array(oc), np.array(oo), np.array(odd),
                      np.array(oq), units)  # fmt: skip
    cfg = LPConfig(unmet_factor=3.0)
    t0, c0 = time.perf_counter(), time.process_time()
    cg = min_cost_flow(p, cfg)
    cg_s, cg_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    arc = arc_min_cost_flow(p, cfg)
    arc_s, arc_cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"nodes": n, "edges": int(g.n_edges), "od_pairs": n_od, "units": U,
            "colgen_s": cg_s, "arc_lp_s": arc_s, "colgen_cpu_s": cg_cpu, "arc_lp_cpu_s": arc_cpu, "colgen_objective": cg.objective,
            "arc_objective": arc["objective"], "rel_diff": abs(cg.objective - arc["objective"]) / arc["objective"],
            "colgen_rounds": len(cg.log), "binding": int(cg.units["binding"].sum())}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--out", default="benchmarks/flows/results.json")
    a = ap.parse_args()
    info = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
            "load_before": os.getloadavg(), "command": "nice .venv/bin/python benchmarks/flows/bench_flows.py"}  # fmt: skip
    info["reduced"] = reduced()
    info["eurasia"] = eurasia(a.year)
    info["load_after"] = os.getloadavg()
    with open(a.out, "w", encoding="utf-8") as fh:
        json.dump(info, fh, indent=2, default=float)
    print(json.dumps(info, indent=2, default=float))


if __name__ == "__main__":
    main()
