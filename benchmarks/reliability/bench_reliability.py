"""Reliability Monte Carlo timings on the embedded network (not a test; results in BENCHMARKS.md).

1. One route (Xi'an -> Duisburg, Middle Corridor, 21 random elements): 10,000 draws after
   warm-up, split into reading the route's elements and simulating; beside it the route
   query itself and a straightforward reference (one ``scipy.stats`` ``rvs`` call per
   element, independent, no seasons) as a ratio.
2. The flagship table by month: every answered question of the route report x (12 months
   + the year), 10,000 draws each (routers and answers built before the clock starts).

Run::

    PYTHONPATH=. nice .venv/bin/python benchmarks/reliability/bench_reliability.py
"""

from __future__ import annotations

import os
import platform
import statistics
import time

import numpy as np
import pandas as pd


def _median_ms(fn, n: int) -> float:
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return 1000 * statistics.median(ts)


def _scipy_reference(es, draws: int, seed: int) -> np.ndarray:
    """One scipy.stats rvs call per element (independent; storms as their yearly mean)."""
    from scipy import stats

    rng = np.random.default_rng(seed)
    tot = np.full(draws, es.base_h)
    for fam, m, c in zip(es.family, es.mean, es.cv, strict=True):
        name = ("fixed", "normal", "lognormal", "gamma", "exponential", "uniform", "window",
                "storm")[fam]  # fmt: skip
        if name == "lognormal":
            s = np.sqrt(np.log1p(c * c))
            tot += stats.lognorm(s=s, scale=m * np.exp(-s * s / 2)).rvs(draws, random_state=rng)
        elif name == "gamma":
            tot += stats.gamma(a=1 / c**2, scale=m * c**2).rvs(draws, random_state=rng)
        elif name == "uniform":
            w = np.sqrt(3) * c * m
            tot += stats.uniform(loc=m - w, scale=2 * w).rvs(draws, random_state=rng)
        elif name == "exponential":
            tot += stats.expon(scale=m).rvs(draws, random_state=rng)
        else:
            tot += m
    return tot


def main(draws: int = 10_000, repeats: int = 20) -> None:
    from serai.data import load_network
    from serai.freight import Router, build_routing_graph
    from serai.freight.report import FLAGSHIP, answer_flagship
    from serai.reliability import element_draws
    from serai.reliability.report import by_month, flagship_reliability
    from serai.reliability.routes import route_elements, route_reliability

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}")  # fmt: skip
    t = time.perf_counter()
    routers = {
        y: Router(build_routing_graph(load_network(y))) for y in sorted({q.year for q in FLAGSHIP})
    }
    print(f"routers built in {time.perf_counter() - t:.1f} s (not timed below)")
    router = routers[2025]
    kw = {"modes": ["rail", "road", "ferry"], "avoid_countries": ["RU", "IR"]}
    route = router.route("Xi'an", "Duisburg", **kw)
    es = route_elements(route).elements
    route_reliability(route, month=1)  # warm-up (imports, scipy special functions)
    load0 = os.getloadavg()[0]
    q_ms = _median_ms(lambda: router.route("Xi'an", "Duisburg", **kw), repeats)
    el_ms = _median_ms(lambda: route_elements(route), repeats)
    sim_ms = _median_ms(lambda: element_draws(es, month=1, draws=draws).sum(axis=1), repeats)
    all_ms = _median_ms(lambda: route_reliability(route, month=1, draws=draws), repeats)
    ref_ms = _median_ms(lambda: _scipy_reference(es, draws, 1), repeats)
    print(f"route: {route.corridor}, {route.days:.1f} days, {len(es)} random elements, "
          f"{draws:,} draws, median of {repeats}, load {load0:.1f}")  # fmt: skip
    print(f"  route query (context)            {q_ms:8.1f} ms")
    print(f"  read the route's elements        {el_ms:8.1f} ms")
    print(f"  simulate (month 1)               {sim_ms:8.1f} ms")
    print(f"  route.reliability() end to end   {all_ms:8.1f} ms   (target < 200 ms)")
    print(f"  scipy.stats rvs per element      {ref_ms:8.1f} ms   (ratio to simulate: "
          f"{ref_ms / sim_ms:.2f}x; independent, no seasons)")  # fmt: skip

    answers = answer_flagship(routers)
    flagship_reliability(answers[:1], months=(1,), draws=100)  # warm-up
    load1 = os.getloadavg()[0]
    table, _, secs = flagship_reliability(answers, draws=draws)
    n_routes = table["question"].astype(str).add(table["variant"]).nunique()
    # reference: the same table with one full simulation per route and month
    t = time.perf_counter()
    for a in answers:
        if a.route is not None:
            es = route_elements(a.route).elements
            for m in (None, *range(1, 13)):
                element_draws(es, month=m, draws=draws).sum(axis=1)
    ref = time.perf_counter() - t
    print(f"flagship table: {n_routes} routes x 13 departure periods = {len(table)} simulations "
          f"of {draws:,} draws in {secs:.2f} s (target < 10 s); one full simulation per route "
          f"and month: {ref:.2f} s ({ref / secs:.1f}x); load {load1:.1f} -> "
          f"{os.getloadavg()[0]:.1f}")  # fmt: skip
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(by_month(table).drop(columns=["model_days"]).to_string(index=False))
        wide = by_month(table, "p50_days")
        print("P50 by month:")
        print(wide.drop(columns=["model_days", "p90_days", "mean_days", "std_days"])
              .to_string(index=False))  # fmt: skip


if __name__ == "__main__":
    main()
