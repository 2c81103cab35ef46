"""Route query time on the embedded 2025 network, for comparing two checkouts (not a test).

Run it with each checkout first on the path and compare the ratio (the machine is shared)::

    PYTHONPATH=/path/to/checkout .venv/bin/python benchmarks/freight/bench_route_compare.py
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np


def main(n: int = 150, seed: int = 7) -> None:
    import serai
    from serai.data import load_network
    from serai.freight import Router, build_routing_graph

    rg = build_routing_graph(load_network(2025))
    router = Router(rg)
    router.costs("container_feu")
    places = np.array(sorted(rg.point_place.index), dtype=object)
    router.route(places[0], places[1])  # warm up numba
    rng = np.random.default_rng(seed)
    pairs = [tuple(rng.choice(places, 2, replace=False)) for _ in range(n)]
    ts = []
    for o, d in pairs:
        t = time.perf_counter()
        try:
            router.route(o, d, "container_feu")
        except Exception:  # unreachable pairs are timed too
            pass
        ts.append(time.perf_counter() - t)
    print(
        f"{serai.__file__}: route median {1000 * statistics.median(ts):.2f} ms, "
        f"p90 {1000 * float(np.quantile(ts, 0.9)):.2f} ms, load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
