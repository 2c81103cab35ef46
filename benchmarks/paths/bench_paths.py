"""Shortest-path benchmark: serai beside scipy, igraph, networkx and AequilibraE, in one run.

Measured per network (cost: free-flow time on TNTP, km on the OSM graph):

* one-to-all: single-source Dijkstra from a sampled zone to every node (ms per source,
  median over the sampled origins);
* full skim: every zone to every zone (seconds, median over ``--repeats`` runs);
* one-to-one: random zone-to-zone pairs, Dijkstra with early exit and A* (serai with its
  straight-line bound; networkx with the same bound; AequilibraE's haversine A* on the
  geographic graph), beside serai's one-to-all from the same origins.

Every result is checked against scipy (max |diff| and number of reachability mismatches).
Numba compile time is excluded from the timings (each serai function is warmed up on the
graph first) and reported separately: the first call in a fresh process with an empty
numba cache (compile) and with a warm on-disk cache (load).

Zones below TNTP's FIRST THRU NODE may not be passed through. serai and AequilibraE know
this; for scipy, igraph and networkx each blocked zone gets an "origin copy" vertex that owns
its out-links (as ../shared/bench/peers/peer_paths.py does).

Run on demand (not part of the tests), in an environment with the peers installed, e.g.::

    python3 -m venv /work/bench-venv
    /work/bench-venv/bin/pip install aequilibrae==1.7.2 igraph networkx scipy
    /work/bench-venv/bin/pip install -e .
    /work/bench-venv/bin/python benchmarks/paths/bench_paths.py --json bench-paths.json
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

os.environ.setdefault("AEQ_SHOW_PROGRESS", "FALSE")  # no tqdm bars inside AequilibraE

import numpy as np
import pandas as pd

from serai.errors import NoPathError

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
R_KM = 6371.0088


def timed(fn, *a, **k):
    """(wall seconds, result); the process CPU seconds of the call go to ``timed.cpu``.

    CPU time is reported beside wall time because the machine is shared: it is less
    sensitive to other jobs taking the cores (but includes every thread of the process).
    """
    c = time.process_time()
    t = time.perf_counter()
    r = fn(*a, **k)
    timed.cpu = time.process_time() - c
    return time.perf_counter() - t, r


timed.cpu = 0.0


def median_ms(times):
    return 1000.0 * statistics.median(times)


def maxdiff(a, b):
    """(max |a - b| over entries finite in both, number of entries finite in exactly one)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    fin = np.isfinite(a) & np.isfinite(b)
    mism = int(np.sum(np.isfinite(a) != np.isfinite(b)))
    return (float(np.max(np.abs(a[fin] - b[fin]))) if fin.any() else 0.0), mism


# --------------------------------------------------------------------------- cases
@dataclass
class Case:
    """One network, as every library sees it. Node ids are 1..n; zones are 1..zones."""

    name: str
    n: int
    a: np.ndarray  # tail node id per link
    b: np.ndarray  # head node id per link
    cost: np.ndarray  # per link
    zones: int
    blocked: int  # zones 1..blocked may not be passed through
    cost_name: str  # the serai link column used as cost
    net: object  # serai Network
    lon: np.ndarray | None = None  # per node id - 1 (geographic graphs only)
    lat: np.ndarray | None = None
    unit: str = "min"
    note: str = ""
    extra: dict = field(default_factory=dict)


def tntp_case(name: str, folder: str) -> Case:
    from serai.network import read_network

    path = SHARED / "tntp" / folder / f"{name}_net.tntp"
    net = read_network(path)
    links = net.links
    n = int(net.nodes["node_id"].max())
    zones = int(net.meta["number_of_zones"])
    blocked = max(int(net.meta["first_thru_node"]) - 1, 0)
    return Case(
        name=name,
        n=n,
        a=links["from_node"].to_numpy(np.int64),
        b=links["to_node"].to_numpy(np.int64),
        cost=links["free_flow_time"].to_numpy(np.float64),
        zones=zones,
        blocked=blocked,
        cost_name="free_flow_time",
        net=net,
        note=f"TNTP {name}, cost free-flow time (min), FIRST THRU NODE {blocked + 1}",
    )


def osm_case(kind: str, n_zones: int, seed: int) -> Case:
    """The OSM-derived highway/railway graph (scgraph-data 2.0.0, ODbL), both directions.

    Zones are ``n_zones`` random nodes (seeded) of the largest connected component; nodes
    are renumbered so that zones are 1..Z (as in TNTP), the rest follow.
    """
    from serai.network import Network

    root = SHARED / "geo" / "scgraph"
    nodes = pd.read_csv(root / f"{kind}_nodes.csv.gz")
    edges = pd.read_csv(root / f"{kind}_edges.csv.gz")
    big = nodes["component_nodes"].max()
    in_big = nodes.loc[nodes["component_nodes"] == big, "node"].to_numpy()
    rng = np.random.default_rng(seed)
    zone_nodes = rng.choice(in_big, size=n_zones, replace=False)
    rest = np.setdiff1d(nodes["node"].to_numpy(), zone_nodes)
    order = np.concatenate([zone_nodes, rest])
    new_id = pd.Series(np.arange(1, len(order) + 1), index=order)
    xy = nodes.set_index("node").loc[order, ["lon", "lat"]]
    u = new_id.loc[edges["u"]].to_numpy()
    v = new_id.loc[edges["v"]].to_numpy()
    km = edges["km"].to_numpy(np.float64)
    a, b, c = np.concatenate([u, v]), np.concatenate([v, u]), np.concatenate([km, km])
    n = len(order)
    net = Network.from_tables(
        nodes=pd.DataFrame(
            {
                "node_id": np.arange(1, n + 1),
                "x": xy["lon"].to_numpy(),
                "y": xy["lat"].to_numpy(),
                "is_zone": np.arange(1, n + 1) <= n_zones,
            }
        ),
        links=pd.DataFrame(
            {"link_id": np.arange(1, len(a) + 1), "from_node": a, "to_node": b, "length": c}
        ),
        meta={"crs": "EPSG:4326", "name": f"osm-{kind}"},
    )
    return Case(
        name=f"OSM-{kind}",
        n=n,
        a=a,
        b=b,
        cost=c,
        zones=n_zones,
        blocked=0,
        cost_name="length",
        net=net,
        lon=xy["lon"].to_numpy(),
        lat=xy["lat"].to_numpy(),
        unit="km",
        note=(
            f"OSM-derived {kind} graph (scgraph-data 2.0.0, (c) OpenStreetMap contributors, ODbL), "
            f"lon -12..125, lat 18..62, both directions, cost km; {n_zones} zones = random nodes "
            f"(seed {seed}) of the largest component ({big} nodes)"
        ),
    )


# --------------------------------------------------------------------------- peers
class Peers:
    """scipy / igraph / networkx on the blocked CSR graph, AequilibraE on its own Graph."""

    def __init__(self, case: Case):
        from scipy.sparse import csr_matrix

        self.case = case
        nb = case.blocked
        a = case.a - 1
        a = np.where(a < nb, case.n + a, a)  # origin copies own the out-links of blocked zones
        df = pd.DataFrame({"a": a, "b": case.b - 1, "c": case.cost})
        df = df.groupby(["a", "b"], as_index=False)["c"].min()  # parallel links: cheapest
        self.nv = case.n + nb
        self.csr = csr_matrix(
            (df["c"].to_numpy(), (df["a"].to_numpy(), df["b"].to_numpy())),
            shape=(self.nv, self.nv),
        )
        z = np.arange(case.zones)
        self.src = np.where(z < nb, case.n + z, z)
        self.tgt = z.copy()
        coo = self.csr.tocoo()
        self.ea, self.eb, self.ec = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data

    def source(self, node_id):
        return self.case.n + node_id - 1 if node_id <= self.case.blocked else node_id - 1

    # scipy
    def scipy_one(self, node_id):
        from scipy.sparse.csgraph import dijkstra

        return dijkstra(self.csr, directed=True, indices=self.source(node_id))[: self.case.n]

    def scipy_skim(self, chunk):
        from scipy.sparse.csgraph import dijkstra

        z = len(self.src)
        out = np.empty((z, z))
        for i in range(0, z, chunk):
            d = dijkstra(self.csr, directed=True, indices=self.src[i : i + chunk])
            out[i : i + chunk] = d[:, self.tgt]
        return out

    # igraph
    def igraph_build(self):
        import igraph as ig

        g = ig.Graph(n=self.nv, edges=np.column_stack([self.ea, self.eb]).tolist(), directed=True)
        g.es["weight"] = self.ec.tolist()
        self.ig = g

    def igraph_one(self, node_id):
        d = self.ig.distances(
            source=[self.source(node_id)], weights="weight", mode="out", algorithm="dijkstra"
        )[0]
        return np.asarray(d[: self.case.n])

    def igraph_pair(self, o, d):
        return self.ig.distances(
            source=[self.source(o)], target=[d - 1], weights="weight", mode="out"
        )[0][0]

    def igraph_skim(self):
        d = self.ig.distances(
            source=self.src.tolist(), target=self.tgt.tolist(), weights="weight", mode="out"
        )
        return np.asarray(d, dtype=np.float64)

    # networkx
    def nx_build(self):
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(range(self.nv))
        g.add_weighted_edges_from(
            zip(self.ea.tolist(), self.eb.tolist(), self.ec.tolist(), strict=True)
        )
        self.G = g

    def nx_one(self, node_id):
        import networkx as nx

        d = nx.single_source_dijkstra_path_length(self.G, self.source(node_id), weight="weight")
        out = np.full(self.case.n, np.inf)
        for k, v in d.items():
            if k < self.case.n:
                out[k] = v
        return out

    def nx_rows(self, rows):
        out = np.empty((len(rows), len(self.tgt)))
        for k, r in enumerate(rows):
            out[k] = self.nx_one(r + 1)[self.tgt]
        return out

    def nx_pair(self, o, d, astar_factor=None):
        import networkx as nx

        if astar_factor is None:
            return nx.dijkstra_path_length(self.G, self.source(o), d - 1, weight="weight")
        lon, lat, f = self.case.lon, self.case.lat, astar_factor
        lon_r, lat_r = np.radians(lon).tolist(), np.radians(lat).tolist()
        cos_lat = np.cos(np.radians(lat)).tolist()

        def h(u, v):
            dla = lat_r[v] - lat_r[u]
            dlo = lon_r[v] - lon_r[u]
            x = math.sin(dla / 2) ** 2 + cos_lat[u] * cos_lat[v] * math.sin(dlo / 2) ** 2
            return f * 2 * R_KM * math.asin(min(1.0, math.sqrt(x)))

        return nx.astar_path_length(self.G, self.source(o), d - 1, heuristic=h, weight="weight")

    # AequilibraE
    def aeq_build(self):
        import logging

        from aequilibrae.paths import Graph
        from aequilibrae.paths.results import PathResults

        logging.getLogger("aequilibrae").setLevel(logging.CRITICAL)
        c = self.case
        # AequilibraE's A* heuristic is in metres: give it metres on the geographic graph
        self.aeq_scale = 1000.0 if c.lon is not None else 1.0
        df = pd.DataFrame(
            {
                "link_id": np.arange(1, len(c.a) + 1),
                "a_node": c.a,
                "b_node": c.b,
                "direction": np.ones(len(c.a), dtype=np.int8),
                "cost": c.cost * self.aeq_scale,
            }
        )
        g = Graph()
        g.network = df
        g.prepare_graph(np.arange(1, c.zones + 1, dtype=np.int64))
        g.set_graph("cost")
        g.set_skimming(["cost"])
        if c.blocked == 0:
            g.set_blocked_centroid_flows(False)
        elif c.blocked == c.zones:
            g.set_blocked_centroid_flows(True)
        else:
            raise ValueError("partial zone blocking is not expressible in AequilibraE")
        if c.lon is not None:
            ll = pd.DataFrame({"lon": c.lon, "lat": c.lat}, index=np.arange(1, c.n + 1))
            g.lonlat_index = ll.loc[g.all_nodes]
        self.ag = g
        self.apr = PathResults()
        self.apr.prepare(g)

    def aeq_one(self, node_id):
        self.apr.compute_path(int(node_id), int(node_id % self.case.zones) + 1)
        out = np.asarray(self.apr.skims[1 : self.case.n + 1, 0], dtype=np.float64)
        return out / self.aeq_scale

    def aeq_pair(self, o, d, a_star=False):
        self.apr.compute_path(int(o), int(d), early_exit=True, a_star=a_star)
        if self.apr.milepost is None:
            return np.inf
        return float(self.apr.milepost[-1]) / self.aeq_scale

    def aeq_skim(self, cores):
        from aequilibrae.paths import NetworkSkimming

        sk = NetworkSkimming(self.ag)
        sk.set_cores(cores)
        sk.execute()
        m = np.array(sk.results.skims.get_matrix("cost"), dtype=np.float64)
        return m / self.aeq_scale


# --------------------------------------------------------------------------- compile probe
PROBE = r"""
import time, json, sys
t0 = time.perf_counter()
import numpy as np, pandas as pd
from serai.network import Network, compile_network
from serai.paths import shortest_path, shortest_paths, skim
t_import = time.perf_counter() - t0
net = Network.from_tables(
    nodes=pd.DataFrame({"node_id": [1, 2, 3], "x": [0.0, 0.1, 0.2], "y": [0.0, 0.0, 0.1]}),
    links=pd.DataFrame({"link_id": [1, 2, 3], "from_node": [1, 2, 1], "to_node": [2, 3, 3],
                        "length": [12.0, 13.0, 40.0]}))
g = compile_network(net)
out = {"import_s": t_import}
for name, fn in [
    ("shortest_paths", lambda: shortest_paths(g, 1, cost="length")),
    ("shortest_path_dijkstra", lambda: shortest_path(g, 1, 3, cost="length", method="dijkstra")),
    ("shortest_path_astar", lambda: shortest_path(g, 1, 3, cost="length", method="astar")),
    ("skim", lambda: skim(g, [1, 2], [2, 3], cost="length", fields=["length"])),
]:
    t = time.perf_counter(); fn(); out[name] = time.perf_counter() - t
print(json.dumps(out))
"""


def compile_probe():
    """First-call cost of each serai entry point in fresh processes: cold and warm numba cache."""
    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, NUMBA_CACHE_DIR=tmp)
        for label in ("cold cache (compile)", "warm cache (load)"):
            out = subprocess.run(
                [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
            )
            res[label] = json.loads(out.stdout.strip().splitlines()[-1])
    return res


# --------------------------------------------------------------------------- serai
class Serai:
    def __init__(self, case: Case):
        from serai.network import compile_network

        self.case = case
        self.build_s, self.g = timed(compile_network, case.net)
        self.zone_ids = np.arange(1, case.zones + 1)

    def one(self, node_id):
        from serai.paths import shortest_paths

        return shortest_paths(self.g, int(node_id), cost=self.case.cost_name)

    def skim(self):
        from serai.paths import skim

        return skim(self.g, self.zone_ids, self.zone_ids, cost=self.case.cost_name)

    def pair(self, o, d, method, factor=None):
        from serai.paths import shortest_path

        return shortest_path(
            self.g, int(o), int(d), cost=self.case.cost_name, method=method, factor=factor
        )


# --------------------------------------------------------------------------- main
def machine():
    info = {"python": platform.python_version(), "platform": platform.platform()}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            k, _, v = line.partition(":")
            if k.strip() in ("Model name", "CPU(s)", "Thread(s) per core", "CPU family", "Model"):
                info[k.strip()] = v.strip()
    except OSError:
        pass
    try:
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        info["memory_GiB"] = round(int(mem) / 2**20, 1)
    except OSError:
        pass
    for pkg in ("serai", "numpy", "numba", "scipy", "igraph", "networkx", "aequilibrae"):
        try:
            info[pkg] = version(pkg)
        except PackageNotFoundError:
            info[pkg] = "absent"
    return info


def run_case(case: Case, args, rec: dict):
    Z = case.zones
    rng = np.random.default_rng(args.seed)
    sample = np.sort(rng.choice(np.arange(1, Z + 1), size=min(args.samples, Z), replace=False))
    pairs = []
    while len(pairs) < args.pairs:
        o, d = rng.integers(1, Z + 1, size=2)
        if o != d:
            pairs.append((int(o), int(d)))
    peers = Peers(case)
    print(
        f"# {case.name}: {case.n} nodes, {len(case.a)} links, {Z} zones, blocked zones "
        f"{case.blocked}; {len(sample)} sampled origins, {len(pairs)} OD pairs\n#   {case.note}"
    )
    rec.update(
        network=case.name,
        nodes=case.n,
        links=len(case.a),
        zones=Z,
        blocked=case.blocked,
        note=case.note,
    )
    # ---------------- scipy reference
    t_ref = time.perf_counter()
    ref_rows = {int(o): peers.scipy_one(int(o)) for o in sample}
    ref_full = peers.scipy_skim(args.chunk)
    np.fill_diagonal(ref_full, 0.0)
    pair_ref = {}
    for o, _ in pairs:
        if o not in pair_ref:
            pair_ref[o] = peers.scipy_one(o)
    print(f"#   scipy reference computed in {time.perf_counter() - t_ref:.1f}s")
    sys.stdout.flush()

    def check_row(row, o, all_nodes=False):
        ref = ref_rows[o]
        row = np.array(row, dtype=np.float64)
        if not all_nodes:
            row, ref = row[:Z], ref[:Z]
        row[o - 1] = 0.0
        ref = ref.copy()
        ref[o - 1] = 0.0
        md, mism = maxdiff(row, ref)
        return md + 1e9 * mism

    def report(lib, key, value, unit, check, extra="", cpu=None):
        rec[f"{lib}:{key}"] = value
        rec[f"{lib}:{key}:check"] = check
        if cpu is not None:
            rec[f"{lib}:{key}:cpu"] = cpu
        c = f" (cpu {cpu:10.4f})" if cpu is not None else " " * 17
        print(
            f"{case.name:<14} {lib:<31} {key:<11} {value:11.4f}{c} {unit:<3} "
            f"max|diff| vs scipy {check:.1e}{extra}"
        )
        sys.stdout.flush()

    def one_to_all(lib, fn, all_nodes=False, budget=None):
        gc.collect()
        fn(int(sample[0]))  # warm-up (numba compile, caches)
        times, cpus, check = [], [], 0.0
        t_start = time.perf_counter()
        for o in sample:
            dt, row = timed(fn, int(o))
            times.append(dt)
            cpus.append(timed.cpu)
            check = max(check, check_row(row, int(o), all_nodes))
            if budget and time.perf_counter() - t_start > budget and len(times) >= 3:
                break
        note = f"  ({len(times)} sources)" if len(times) < len(sample) else ""
        report(lib, "one-to-all", median_ms(times), "ms", check, note, median_ms(cpus))
        return median_ms(times)

    def full_skim(lib, call):
        gc.collect()
        dt, m = timed(call)
        runs, cpus = [dt], [timed.cpu]
        if dt < args.repeat_if_below:
            for _ in range(args.repeats - 1):
                runs.append(timed(call)[0])
                cpus.append(timed.cpu)
        m = np.array(m, dtype=np.float64)
        np.fill_diagonal(m, 0.0)
        md, mism = maxdiff(m, ref_full)
        report(
            lib,
            "full skim",
            statistics.median(runs),
            "s",
            md + 1e9 * mism,
            f"  (runs {len(runs)})",
            statistics.median(cpus),
        )
        rec[f"{lib}:full skim:runs"] = runs
        return statistics.median(runs)

    def one_to_one(lib, fn, budget=None):
        gc.collect()
        fn(*pairs[0])  # warm-up
        times, cpus, check = [], [], 0.0
        t_start = time.perf_counter()
        for o, d in pairs:
            dt, c = timed(fn, o, d)
            times.append(dt)
            cpus.append(timed.cpu)
            md, mism = maxdiff([c], [pair_ref[o][d - 1]])
            check = max(check, md + 1e9 * mism)
            if budget and time.perf_counter() - t_start > budget and len(times) >= 3:
                break
        note = f"  ({len(times)} pairs)" if len(times) < len(pairs) else ""
        report(lib, "one-to-one", median_ms(times), "ms", check, note, median_ms(cpus))
        return median_ms(times)

    libs = args.libs
    # ---------------- serai
    if "serai" in libs:
        from serai.paths import PathFinder, astar_factor

        s = Serai(case)
        rec["serai:build_s"] = s.build_s
        print(f"#   serai compile_network (validation + CSR) {s.build_s:.2f}s")
        t_first, _ = timed(s.one, int(sample[0]))
        t_first_skim, _ = timed(s.skim)
        rec["serai:first one-to-all s"] = t_first
        rec["serai:first skim s"] = t_first_skim
        print(
            f"#   serai first calls in this process (numba cache loaded): one-to-all "
            f"{t_first:.3f}s, skim {t_first_skim:.3f}s"
        )
        one_to_all("serai", lambda o: s.one(o).dist, all_nodes=True)
        full_skim("serai", lambda: s.skim().matrices[case.cost_name])
        t_f, factor = timed(astar_factor, s.g, case.cost_name)
        rec["serai:astar_factor"] = factor
        rec["serai:astar_factor_s"] = t_f
        finder = PathFinder(s.g, case.cost_name, factor=factor)

        def path_cost(method, public):
            def run(o, d):
                try:
                    if public:
                        return s.pair(o, d, method, factor).cost
                    return finder.path(o, d, method=method).cost
                except NoPathError:
                    return np.inf

            return run

        # the baseline of the 3x target: one-to-all from the same origins as the OD pairs
        gc.collect()
        base_pub = median_ms([timed(s.one, o)[0] for o, _ in pairs])
        base_ws = median_ms([timed(finder.tree, o)[0] for o, _ in pairs])
        cpu_ws = []
        for o, _ in pairs:
            timed(finder.tree, o)
            cpu_ws.append(timed.cpu)
        rec["serai:PathFinder.tree OD origins cpu ms"] = median_ms(cpu_ws)
        rec["serai:one-to-all OD origins ms"] = base_pub
        rec["serai:PathFinder.tree OD origins ms"] = base_ws
        print(
            f"#   serai one-to-all from the OD origins: shortest_paths {base_pub:.4f} ms, "
            f"PathFinder.tree {base_ws:.4f} ms"
        )
        methods = ["dijkstra", "bidirectional"] + (["astar"] if factor > 0 else [])
        ratios = []
        for method in methods:
            pub = one_to_one(f"serai {method}", path_cost(method, True))
            ws = one_to_one(f"serai PathFinder {method}", path_cost(method, False))
            rec[f"serai:speedup {method}"] = base_pub / pub
            rec[f"serai:speedup PathFinder {method}"] = base_ws / ws
            cpu_ratio = rec["serai:PathFinder.tree OD origins cpu ms"] / max(
                rec[f"serai PathFinder {method}:one-to-one:cpu"], 1e-9
            )
            rec[f"serai:speedup PathFinder {method} cpu"] = cpu_ratio
            ratios.append(
                f"{method} {base_pub / pub:.2f}x / {base_ws / ws:.2f}x (cpu {cpu_ratio:.2f}x)"
            )
        # ALT (landmarks) only through the workspace: the landmarks are its set-up
        t_lm, _ = timed(finder._landmarks)
        rec["serai:alt landmarks s"] = t_lm
        print(f"#   serai PathFinder ALT: {finder.n_landmarks} landmarks in {t_lm:.2f}s")
        ws = one_to_one("serai PathFinder alt", path_cost("alt", False))
        rec["serai:speedup PathFinder alt"] = base_ws / ws
        cpu_ratio = rec["serai:PathFinder.tree OD origins cpu ms"] / max(
            rec["serai PathFinder alt:one-to-one:cpu"], 1e-9
        )
        rec["serai:speedup PathFinder alt cpu"] = cpu_ratio
        ratios.append(f"alt - / {base_ws / ws:.2f}x (cpu {cpu_ratio:.2f}x)")
        bound = f"A* factor {factor:.6f} ({t_f * 1000:.1f} ms)" if factor > 0 else "no A* bound"
        print(
            f"#   {bound}; one-to-one speed-up over one-to-all (shortest_path / PathFinder): "
            + ", ".join(ratios)
        )
        rec["serai:factor"] = factor
        s = finder = None
    # ---------------- scipy
    if "scipy" in libs:
        one_to_all("scipy", peers.scipy_one)
        full_skim("scipy", lambda: peers.scipy_skim(args.chunk))
    # ---------------- igraph
    if "igraph" in libs:
        bs, _ = timed(peers.igraph_build)
        rec["igraph:build_s"] = bs
        one_to_all("igraph", peers.igraph_one)
        full_skim("igraph", peers.igraph_skim)
        one_to_one("igraph", peers.igraph_pair)
        peers.ig = None
    # ---------------- networkx
    if "networkx" in libs:
        bs, _ = timed(peers.nx_build)
        rec["networkx:build_s"] = bs
        nx_ms = one_to_all("networkx", peers.nx_one, budget=args.nx_budget)
        est = nx_ms / 1000 * Z
        if est > args.nx_skim_max_s:
            rows = sample[: max(3, int(args.nx_skim_max_s / (nx_ms / 1000)) // 2)] - 1
            dt, m = timed(peers.nx_rows, rows)
            skim_s = dt / len(rows) * Z
            m[np.arange(len(rows)), rows] = 0.0
            md, mism = maxdiff(m, ref_full[rows])
            report(
                "networkx",
                "full skim",
                skim_s,
                "s",
                md + 1e9 * mism,
                f"  (extrapolated from {len(rows)} rows)",
            )
            rec["networkx:full skim:note"] = f"extrapolated from {len(rows)} rows"
        else:
            full_skim("networkx", lambda: peers.nx_rows(np.arange(Z)))
        one_to_one("networkx dijkstra", lambda o, d: peers.nx_pair(o, d), budget=args.nx_budget)
        if case.lon is not None and rec.get("serai:factor", 0) > 0:
            f = rec["serai:factor"]
            one_to_one("networkx astar", lambda o, d: peers.nx_pair(o, d, f), budget=args.nx_budget)
        peers.G = None
    # ---------------- AequilibraE
    if "aequilibrae" in libs:
        bs, _ = timed(peers.aeq_build)
        rec["aequilibrae:build_s"] = bs
        one_to_all("aequilibrae", peers.aeq_one)
        for cores in (1, 2):
            full_skim(f"aequilibrae {cores}thr", lambda c=cores: peers.aeq_skim(c))
        one_to_one("aequilibrae dijkstra", lambda o, d: peers.aeq_pair(o, d))
        if case.lon is not None:
            one_to_one("aequilibrae astar", lambda o, d: peers.aeq_pair(o, d, a_star=True))
        peers.ag = peers.apr = None


def main(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--networks",
        nargs="+",
        default=["ChicagoSketch", "OSM-highways"],
        help="ChicagoSketch, Anaheim, SiouxFalls, OSM-highways, OSM-railways",
    )
    p.add_argument(
        "--libs", nargs="+", default=["serai", "scipy", "igraph", "networkx", "aequilibrae"]
    )
    p.add_argument("--samples", type=int, default=50, help="origins for one-to-all timing")
    p.add_argument("--pairs", type=int, default=200, help="random OD pairs for one-to-one")
    p.add_argument("--osm-zones", type=int, default=250, help="zones on the OSM graphs")
    p.add_argument("--repeats", type=int, default=3, help="full-skim runs (median)")
    p.add_argument("--repeat-if-below", type=float, default=60.0)
    p.add_argument("--chunk", type=int, default=32, help="scipy skim: origins per call")
    p.add_argument(
        "--nx-budget", type=float, default=60.0, help="networkx: seconds per measurement"
    )
    p.add_argument("--nx-skim-max-s", type=float, default=60.0)
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--no-compile-probe", action="store_true")
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)

    info = machine()
    print("# " + ", ".join(f"{k}: {v}" for k, v in info.items()))
    out = {"machine": info, "argv": sys.argv, "cases": []}
    if not args.no_compile_probe:
        probe = compile_probe()
        out["compile_probe"] = probe
        for label, r in probe.items():
            print(
                f"# serai first calls, fresh process, {label}: "
                + ", ".join(f"{k} {v:.3f}s" for k, v in r.items())
            )
    sys.stdout.flush()
    tntp = {
        "ChicagoSketch": "Chicago-Sketch",
        "Anaheim": "Anaheim",
        "SiouxFalls": "SiouxFalls",
    }
    for name in args.networks:
        t0 = time.perf_counter()
        if name in tntp:
            case = tntp_case(name, tntp[name])
        elif name.startswith("OSM-"):
            case = osm_case(name[4:], args.osm_zones, args.seed)
        else:
            raise SystemExit(f"unknown network {name}")
        print(f"# {name} loaded in {time.perf_counter() - t0:.1f}s")
        rec: dict = {}
        run_case(case, args, rec)
        out["cases"].append(rec)
        if args.json:
            Path(args.json).write_text(json.dumps(out, indent=1, default=float))


if __name__ == "__main__":
    main()
