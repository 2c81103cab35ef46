"""Mineral chains on the embedded network: the engine against the obvious ways to do it.

1. Facility choice: serai's layered programme over many-to-many least-cost trees against
   brute force over every facility combination, each leg by ``Router.route`` (pairs cached,
   so each distinct leg is routed once).
2. Element removal: ``removal_objectives`` (numba: only the trees that used the element
   are searched again, one facility programme for all elements) against solving the chain
   again with each element avoided (``ChainModel.solve``, constraints as masks).

Both pairs must give the same objective; the script checks it and prints wall and CPU
seconds, their ratios and the load average.

    .venv/bin/python benchmarks/minerals/bench_chain.py [--json out.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import time

import numpy as np


def timed(fn, *args, **kw):
    """(result, wall seconds, CPU seconds) of fn(*args, **kw)."""
    w, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kw)
    return out, time.perf_counter() - w, time.process_time() - c


def brute_force(model, chain):
    """Best objective over every facility combination; each distinct (product, place, place)
    leg is routed once by ``Router.route``."""
    from serai.minerals.elements import _off_obj

    sol = chain.solution
    req = chain.request
    routed = {}

    def net(s, a, b):
        key = (s, a.vnode, b.vnode)
        if key not in routed:
            leg = sol.legs[s]
            if a.vnode == b.vnode:
                routed[key] = 0.0
            else:
                try:
                    r = model.router.route(
                        a.place,
                        b.place,
                        leg.commodity,
                        objective=req.objective,
                        constraints=leg.constraints,
                    )
                    routed[key] = r.totals["gc_usd"]
                except Exception:
                    routed[key] = np.inf
        return routed[key]

    def leg_value(s, i, j):
        leg = sol.legs[s]
        if leg.pick[i, j, 0] < 0 and np.isfinite(leg.obj[i, j]):
            return 0.0  # facilities on one site
        return min(
            _off_obj(model, a, leg.product, req, leg.commodity)
            + net(s, a, b)
            + _off_obj(model, b, leg.product, req, leg.commodity)
            for a in leg.src_access[i]
            for b in leg.tgt_access[j]
        )

    values = [
        np.array(
            [
                [leg_value(s, i, j) for j in range(len(sol.candidates[s + 1]))]
                for i in range(len(sol.candidates[s]))
            ]
        )
        for s in range(len(sol.legs))
    ]
    best = np.inf
    for combo in itertools.product(*[range(len(c)) for c in sol.candidates]):
        v = sum(
            sol.legs[s].weight * values[s][combo[s], combo[s + 1]] for s in range(len(sol.legs))
        )
        best = min(best, v)
    return best, len(routed)


def naive_removal(model, chain, els):
    from serai.errors import NoPathError
    from serai.minerals.elements import _request_without

    out = []
    for e in els:
        try:
            out.append(model.solve(_request_without(chain, e.avoid)).totals["objective"])
        except NoPathError:
            out.append(np.inf)
    return np.array(out)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--json", default=None)
    p.add_argument("--max-elements", type=int, default=60)
    args = p.parse_args()
    from serai.minerals import ChainModel
    from serai.minerals.elements import chain_elements, removal_objectives

    model = ChainModel.load()
    cases = [
        ("Inkai", "EU fabricator", "uranium", ("RU",), None),
        ("Aktogay", "EU buyer", "copper", (), None),
        ("Northern Katpar", "EU buyer", "tungsten", (), 2000.0),
    ]
    results = []
    for origin, dest, mineral, avoid, tonnes in cases:
        kw = {"avoid_countries": avoid, "tonnes": tonnes}
        model.chain(origin, dest, mineral, **kw)  # warm caches and numba
        chain, w_dp, c_dp = timed(model.chain, origin, dest, mineral, **kw)
        (bf, legs), w_bf, c_bf = timed(brute_force, model, chain)
        n_combos = int(np.prod([len(c) for c in chain.solution.candidates]))
        assert abs(bf - chain.totals["objective"]) <= 1e-6 * max(1.0, bf), (bf, chain.totals)
        els = chain_elements(model, chain)[: args.max_elements]
        removal_objectives(model, chain, els[:2])
        fast, w_k, c_k = timed(removal_objectives, model, chain, els)
        slow, w_n, c_n = timed(naive_removal, model, chain, els)
        same = np.allclose(
            np.where(np.isfinite(fast), fast, -1), np.where(np.isfinite(slow), slow, -1), rtol=1e-9
        )
        assert same
        results.append(
            {
                "case": f"{origin} -> {dest} ({mineral}{', avoid ' + ','.join(avoid) if avoid else ''})",
                "combinations": n_combos,
                "distinct_legs_routed": legs,
                "dp_wall_s": w_dp,
                "dp_cpu_s": c_dp,
                "brute_wall_s": w_bf,
                "brute_cpu_s": c_bf,
                "elements": len(els),
                "kernel_wall_s": w_k,
                "kernel_cpu_s": c_k,
                "resolve_wall_s": w_n,
                "resolve_cpu_s": c_n,
            }
        )
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(
        "| case | combinations (legs routed) | serai s wall (cpu) | brute force s wall (cpu) "
        "| ratio cpu | elements | removal kernel s wall (cpu) | re-solve each s wall (cpu) "
        "| ratio cpu |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['case']} | {r['combinations']} ({r['distinct_legs_routed']}) | "
            f"{r['dp_wall_s']:.2f} ({r['dp_cpu_s']:.2f}) | {r['brute_wall_s']:.2f} "
            f"({r['brute_cpu_s']:.2f}) | {r['brute_cpu_s'] / r['dp_cpu_s']:.0f}x | "
            f"{r['elements']} | {r['kernel_wall_s']:.2f} ({r['kernel_cpu_s']:.2f}) | "
            f"{r['resolve_wall_s']:.2f} ({r['resolve_cpu_s']:.2f}) | "
            f"{r['resolve_cpu_s'] / r['kernel_cpu_s']:.0f}x |"
        )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"load": load, "results": results}, fh, indent=1)


if __name__ == "__main__":
    main()
