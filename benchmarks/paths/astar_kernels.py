"""One-to-one A* of ``PathFinder`` (straight-line bound and landmarks), one checkout per run.

    .venv/bin/python benchmarks/paths/astar_kernels.py ROOT

``ROOT`` is put first on ``sys.path`` (a ``git worktree`` of another commit, or ``.``).
400 random pairs on TNTP Chicago-Sketch (no coordinates: ``method="astar"`` runs Dijkstra
there) and 300 on the embedded Eurasian network (km); thread CPU per query, median of 5
rounds, and the sum of the costs found (the same in both checkouts: the same answers).
"""

from __future__ import annotations

import os
import statistics
import sys
import time


def run(name: str, g, cost: str, pairs: list, astar_factor, PathFinder) -> None:
    import numpy as np

    for method in ("astar", "alt"):
        if method == "astar":
            f = PathFinder(g, cost, factor=astar_factor(g, cost))
        else:
            f = PathFinder(g, cost)
        for o, d in pairs[:5]:  # warm (landmarks chosen)
            try:
                f.distance(o, d, method=method)
            except Exception:
                pass
        runs, total, reached = [], 0.0, 0
        for _ in range(5):
            t = time.thread_time()
            total, reached = 0.0, 0
            for o, d in pairs:
                try:
                    x = f.distance(o, d, method=method)
                except Exception:
                    continue
                if np.isfinite(x):
                    total += x
                    reached += 1
            runs.append((time.thread_time() - t) / len(pairs) * 1000)
        print(f"{name} {method:6s} factor {f.factor:.4g} median ms/query "
              f"{statistics.median(runs):.4f} (runs {[round(x, 4) for x in runs]}) "
              f"sum of costs {total:.6f} reached {reached}")  # fmt: skip


def main() -> None:
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    sys.path.insert(0, root)
    import numpy as np

    import serai.paths._kernels as kernels
    from serai.data import load_eurasia
    from serai.network import compile_network, read_network
    from serai.paths import PathFinder, astar_factor

    print("kernels from", kernels.__file__)
    rng = np.random.default_rng(5)
    net = read_network("../shared/data/tntp/Chicago-Sketch/ChicagoSketch_net.tntp")
    ids = net.nodes["node_id"].to_numpy()
    pairs = [(int(a), int(b)) for a, b in rng.choice(ids, (400, 2))]
    run("Chicago-Sketch", compile_network(net), "free_flow_time", pairs, astar_factor, PathFinder)
    net = load_eurasia()
    ids = net.nodes["node_id"].to_numpy()
    pairs = [(int(a), int(b)) for a, b in rng.choice(ids, (300, 2))]
    run("Eurasia", compile_network(net), "length", pairs, astar_factor, PathFinder)
    print("load", [round(x, 2) for x in os.getloadavg()])


if __name__ == "__main__":
    main()
