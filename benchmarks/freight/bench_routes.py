"""Freight routing benchmark on the embedded Eurasian network (run on demand, not a test).

Measured after the network is loaded and the routing graph built (both timed separately):

* single route query: ``Router.route`` between random named places (full answer: search,
  legs table, totals, corridor label), median and 90th percentile in ms; and the search
  alone (least generalised cost to the destination, early exit);
* 100 x 100 generalised-cost matrix between named places (``serai.paths.skim`` over the
  routing graph), seconds;
* networkx on the same routing graph and costs (``nx.dijkstra_path_length`` per pair;
  place nodes may only start a path, as in serai), ms per query, with the max cost difference;
* sea-only: serai (``modes=["sea"]``) beside searoute-py 1.6.0 (``restrictions=["northwest"]``,
  its default) for port pairs: ms per query and the km of both.

Run::

    /work/bench-venv/bin/pip install searoute==1.6.0 networkx
    PYTHONPATH=. /work/bench-venv/bin/python benchmarks/freight/bench_routes.py --json bench-freight.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np


def _machine() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next(
            (ln.split(":", 1)[1].strip() for ln in out.splitlines() if "Model name" in ln), ""
        )
    except OSError:
        model = platform.processor()
    return f"{model}, {os.cpu_count()} logical CPUs, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=200)
    ap.add_argument("--matrix", type=int, default=100)
    ap.add_argument("--sea-pairs", type=int, default=40)
    ap.add_argument("--nx-pairs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    res: dict = {
        "machine": _machine(),
        "command": " ".join([os.path.basename(sys.executable), *sys.argv]),
        "load_average_1min_at_start": os.getloadavg()[0],
    }

    t = time.perf_counter()
    from serai.data import load_eurasia

    net = load_eurasia()
    res["load_s"] = time.perf_counter() - t
    from serai.freight import Router, build_routing_graph
    from serai.paths import skim

    t = time.perf_counter()
    rg = build_routing_graph(net, year=2025)
    res["build_s"] = time.perf_counter() - t
    t = time.perf_counter()
    router = Router(rg)
    lc = router.costs("container_feu")
    cost = router.edge_objective(lc, "generalised")
    res["router_s"] = time.perf_counter() - t
    g = rg.graph
    res["graph"] = {"vnodes": int(g.n_nodes), "vlinks": int(g.n_edges)}

    places = np.array(sorted(rg.point_place.index), dtype=object)
    # warm up numba (compile or load from cache) outside the timings
    router.route(places[0], places[1])

    # ---- single route queries
    pairs = [tuple(rng.choice(places, 2, replace=False)) for _ in range(args.pairs)]
    full, search, ok = [], [], 0
    for o, d in pairs:
        t = time.perf_counter()
        try:
            router.route(o, d, "container_feu")
            ok += 1
        except Exception:
            pass
        full.append(time.perf_counter() - t)
        po, pd_ = rg.place(o), rg.place(d)
        t = time.perf_counter()
        router._tree(cost, po, pd_)
        search.append(time.perf_counter() - t)
    res["route"] = {
        "pairs": len(pairs),
        "routed": ok,
        "median_ms": 1000 * statistics.median(full),
        "p90_ms": 1000 * float(np.quantile(full, 0.9)),
        "search_median_ms": 1000 * statistics.median(search),
    }

    # ---- matrix
    m = places[rng.choice(len(places), min(args.matrix, len(places)), replace=False)]
    vids = np.array([rg.place(p) for p in m], dtype=np.int64)
    skim(g, vids[:2], vids[:2], cost=cost)  # warm
    times = []
    for _ in range(3):
        t = time.perf_counter()
        sk = skim(g, vids, vids, cost=cost)
        times.append(time.perf_counter() - t)
    mat = sk.matrices["cost"]
    res["matrix"] = {
        "size": len(vids),
        "median_s": statistics.median(times),
        "finite_share": float(np.isfinite(mat).mean()),
    }

    # ---- networkx on the same graph
    import networkx as nx

    t = time.perf_counter()
    G = nx.DiGraph()
    tails, heads = g.tails, g.heads
    for e in range(g.n_edges):
        w = float(cost[e])
        if not np.isfinite(w):
            continue
        u, v = int(tails[e]), int(heads[e])
        if not g.passable[u]:
            u = ("src", u)
        if G.has_edge(u, v) and G[u][v]["weight"] <= w:
            continue
        G.add_edge(u, v, weight=w)
    res["nx_build_s"] = time.perf_counter() - t
    nxt, serai_t, diffs = [], [], []
    for o, d in pairs[: args.nx_pairs]:
        po, pd_ = rg.place(o), rg.place(d)
        t = time.perf_counter()
        try:
            ref = nx.dijkstra_path_length(G, ("src", po), pd_)
        except nx.NetworkXNoPath:
            ref = np.inf
        nxt.append(time.perf_counter() - t)
        t = time.perf_counter()
        dist, _ = router._tree(cost, po, pd_)
        serai_t.append(time.perf_counter() - t)
        got = float(dist[pd_])
        if np.isfinite(ref) or np.isfinite(got):
            diffs.append(abs(ref - got))
    res["networkx"] = {
        "pairs": len(nxt),
        "median_ms": 1000 * statistics.median(nxt),
        "serai_search_median_ms": 1000 * statistics.median(serai_t),
        "max_abs_cost_diff": float(max(diffs)) if diffs else 0.0,
    }

    # ---- sea-only vs searoute
    import searoute as sr

    nodes = net.nodes
    ports = nodes.loc[(nodes["kind"] == "port") & nodes["node_id"].isin(rg.place_of.index)]
    ports = ports.loc[[router.places.name(int(i)) != "" for i in ports["node_id"]]]
    pp = ports.sample(n=min(len(ports), 2 * args.sea_pairs), random_state=args.seed)
    pidx = pp["node_id"].to_numpy()
    sea_pairs = list(zip(pidx[0::2], pidx[1::2], strict=False))
    xy = nodes.set_index("node_id")[["x", "y"]]
    sr.searoute(list(xy.loc[sea_pairs[0][0]]), list(xy.loc[sea_pairs[0][1]]))  # warm (loads marnet)
    rows, names = [], []
    for a, b in sea_pairs:
        t = time.perf_counter()
        try:
            r = router.route(int(a), int(b), "container_feu", modes=["sea"], objective="time")
            skm = r.km
        except Exception:
            skm = float("nan")
        st = time.perf_counter() - t
        t = time.perf_counter()
        f = sr.searoute(list(xy.loc[a]), list(xy.loc[b]), units="km", restrictions=["northwest"])
        tt = time.perf_counter() - t
        rows.append((st, tt, skm, float(f["properties"]["length"])))
        names.append(f"{router.places.name(int(a))} -> {router.places.name(int(b))}")
    arr = np.array(rows)
    good = np.isfinite(arr[:, 2])
    rel = (arr[good, 2] - arr[good, 3]) / arr[good, 3]
    worst = int(np.argmax(np.abs(rel)))
    gnames = [n for n, g_ in zip(names, good, strict=True) if g_]
    res["sea"] = {
        "pairs": len(rows),
        "routed": int(good.sum()),
        "serai_median_ms": 1000 * float(np.median(arr[:, 0])),
        "searoute_median_ms": 1000 * float(np.median(arr[:, 1])),
        "speed_ratio": float(np.median(arr[:, 1]) / np.median(arr[:, 0])),
        "km_rel_diff_median": float(np.median(rel)),
        "km_rel_diff_max_abs": float(np.max(np.abs(rel))),
        "worst_pair": {
            "ports": gnames[worst],
            "serai_km": float(arr[good, 2][worst]),
            "searoute_km": float(arr[good, 3][worst]),
        },
    }
    # a named check: Shanghai -> Rotterdam via Suez and via the Cape
    sh, rt = router.resolve("Shanghai"), router.resolve("Rotterdam")
    s1 = router.route(sh, rt, modes=["sea"], objective="time").km
    s2 = router.route(sh, rt, modes=["sea"], objective="time", avoid_passages=["suez"]).km
    q1 = sr.searoute([121.4737, 31.2304], [4.4777, 51.9244], units="km")["properties"]["length"]
    q2 = sr.searoute(
        [121.4737, 31.2304], [4.4777, 51.9244], units="km", restrictions=["northwest", "suez"]
    )["properties"]["length"]
    res["sea"]["shanghai_rotterdam_km"] = {
        "serai_suez": s1,
        "searoute_suez": q1,
        "serai_cape": s2,
        "searoute_cape": q2,
    }
    res["load_average_1min_at_end"] = os.getloadavg()[0]
    print(json.dumps(res, indent=1, default=float))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(res, fh, indent=1, default=float)


if __name__ == "__main__":
    main()
