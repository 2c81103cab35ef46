"""Check the first/last-mile detour factor (1.3, an estimate) against the OSM highway graph.

For random pairs of nodes of the vendored OSM-derived highway graph (scgraph-data 2.0.0,
``tools/data/raw/highways_*.csv.gz``, © OpenStreetMap contributors, ODbL) that lie 10–300 km
apart, in the main component and inside the corridor box (lon 20–90, lat 35–56), the ratio of
the shortest road distance on that graph to the great-circle distance. The graph keeps only
main roads (longer than a truck using local roads too) and straightens them between its
nodes (shorter than the real road): an observation to compare with, not a value fitted into
the model. Result (seed 11, 400 pairs): median 1.25, quartiles 1.14–1.46; 1.16 for 10–50 km,
1.21 for 50–150 km, 1.29 for 150–300 km.

Run::

    PYTHONPATH=. .venv/bin/python benchmarks/freight/detour_factor.py [--pairs 400] [--seed 11]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=400)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    from serai.freight.access import DETOUR_FACTOR
    from serai.freight.gazetteer import great_circle_km

    nodes = pd.read_csv("tools/data/raw/highways_nodes.csv.gz")
    edges = pd.read_csv("tools/data/raw/highways_edges.csv.gz")
    n = len(nodes)
    pos = pd.Series(np.arange(n), index=nodes["node"].to_numpy())
    u = pos.reindex(edges["u"].to_numpy()).to_numpy()
    v = pos.reindex(edges["v"].to_numpy()).to_numpy()
    ok = ~(np.isnan(u) | np.isnan(v))
    g = coo_matrix(
        (edges["km"].to_numpy()[ok], (u[ok].astype(np.int64), v[ok].astype(np.int64))),
        shape=(n, n),
    ).tocsr()
    main_c = nodes["component"].value_counts().idxmax()
    box = nodes["lon"].between(20, 90) & nodes["lat"].between(35, 56)
    pool = nodes.index[(nodes["component"] == main_c) & box].to_numpy()
    rng = np.random.default_rng(args.seed)
    src = rng.choice(pool, size=args.pairs // 4, replace=False)
    dist = dijkstra(g, directed=False, indices=src, limit=600.0)
    ratios, gcs = [], []
    lat, lon = nodes["lat"].to_numpy(), nodes["lon"].to_numpy()
    for i, s in enumerate(src):
        gc = great_circle_km(lat[s], lon[s], lat[pool], lon[pool])
        ok = np.flatnonzero((gc >= 10) & (gc <= 300) & np.isfinite(dist[i, pool]))
        if not len(ok):
            continue
        pick = rng.choice(ok, size=min(4, len(ok)), replace=False)
        ratios += (dist[i, pool[pick]] / gc[pick]).tolist()
        gcs += gc[pick].tolist()
    r, d = np.array(ratios), np.array(gcs)
    q = np.percentile(r, [25, 50, 75])
    print(f"{len(r)} pairs 10-300 km apart (OSM main-road graph, corridor box): road / great-circle "
          f"median {q[1]:.2f}, quartiles {q[0]:.2f}-{q[2]:.2f}; model factor {DETOUR_FACTOR}")  # fmt: skip
    for lo, hi in ((10, 50), (50, 150), (150, 300)):
        m = (d >= lo) & (d < hi)
        if m.any():
            print(f"  {lo:>3}-{hi:<3} km: n={m.sum():>3}, median {np.median(r[m]):.2f}")


if __name__ == "__main__":
    main()
