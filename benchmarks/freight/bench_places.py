"""Places anywhere: route the 150 most populous cities of the corridor region to Duisburg.

The list (``tests/freight/cities.py``): Natural Earth places of Europe (EU, EFTA, UK, western
Balkans, Ukraine, Belarus, Moldova), Türkiye, the Caucasus, Central Asia, Iran, China and
Russia west of the Urals (lon < 60° E), the 150 largest by population (the larger of NE
``pop_max`` and GeoNames), Duisburg left out. Each is routed to Duisburg (container, default
objective) on the embedded network

* by name: the Natural Earth name as a user would type it (``Xian``, ``Kiev``, ``Ürümqi``);
  a name two listed places share (Suzhou) is also routed as ``name, region``;
* by coordinates: ``lat,lon`` of the place;

and the script reports the success rate, the time per resolution and per routed query, and
every failure with its reason. A route "succeeds" when the router returns one; the resolved
place is also checked to lie within 50 km of the listed one (else it counts as a wrong place).

Run::

    PYTHONPATH=. .venv/bin/python benchmarks/freight/bench_places.py [--year 2025] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--year", type=int, default=None)
    ap.add_argument("--n", type=int, default=150)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    sys.path.insert(0, os.getcwd())
    from serai.data import load_network
    from serai.errors import SeraiError
    from serai.freight import Router, build_routing_graph
    from serai.freight.gazetteer import great_circle_km
    from tests.freight.cities import region_cities

    res: dict = {"load_average_1min_at_start": os.getloadavg()[0], "year": args.year}
    t0 = time.perf_counter()
    router = Router(build_routing_graph(load_network(args.year)))
    res["router_s"] = time.perf_counter() - t0
    cities = region_cities(args.n)
    dup = cities["name"].duplicated(keep=False)
    router.route("Xi'an", "Duisburg")  # warm-up (compilation, cost arrays)
    # same-run baseline: a query between two network places (no first/last mile)
    base = []
    for _ in range(30):
        t = time.perf_counter()
        router.route("Xi'an", "Duisburg")
        base.append((time.perf_counter() - t) * 1000)
    res["baseline_route_ms_median"] = statistics.median(base)

    def attempt(query: str, lat: float, lon: float) -> dict:
        out = {"query": query}
        t = time.perf_counter()
        try:
            p = router.locate(query)
            out["resolve_ms"] = (time.perf_counter() - t) * 1000
            out["resolved"] = p.label
            out["on_network"] = p.on_network
            km = float(great_circle_km(lat, lon, p.lat, p.lon)) if p.lat == p.lat else 0.0
            out["resolved_km_off"] = round(km, 1)
            t = time.perf_counter()
            r = router.route(p, "Duisburg")
            out["route_ms"] = (time.perf_counter() - t) * 1000
            out.update(ok=km <= 50.0, corridor=r.corridor, km=round(r.km), days=round(r.days, 1),
                       access_km=round(r.totals.get("access_km", 0.0), 1))  # fmt: skip
            if km > 50.0:
                out["reason"] = f"resolved to {p.label}, {km:,.0f} km from the listed place"
        except SeraiError as e:
            out.update(ok=False, reason=str(e))
        return out

    by_name, by_coord, qualified = [], [], []
    for c in cities.itertuples(index=False):
        by_name.append({"city": c.name, "country": c.country, **attempt(c.name, c.lat, c.lon)})
        by_coord.append({"city": c.name, "country": c.country,
                         **attempt(f"{c.lat:.5f},{c.lon:.5f}", c.lat, c.lon)})  # fmt: skip
    for c in cities.loc[dup].itertuples(index=False):
        qualified.append({"city": c.name, **attempt(f"{c.name}, {c.admin1}", c.lat, c.lon)})

    def summary(rows: list[dict]) -> dict:
        ok = sum(r["ok"] for r in rows)
        rms = [r["route_ms"] for r in rows if "route_ms" in r]
        ems = [r["resolve_ms"] for r in rows if "resolve_ms" in r]
        return {
            "n": len(rows),
            "ok": ok,
            "rate": ok / len(rows) if rows else 0.0,
            "resolve_ms_median": statistics.median(ems) if ems else None,
            "route_ms_median": statistics.median(rms) if rms else None,
            "route_ms_p90": sorted(rms)[int(0.9 * (len(rms) - 1))] if rms else None,
            "off_network_ends": sum(1 for r in rows if r.get("on_network") is False),
            "failures": [
                {"city": r["city"], "query": r["query"], "reason": r.get("reason", "")}
                for r in rows
                if not r["ok"]
            ],
        }

    res["by_name"] = summary(by_name)
    res["by_coordinates"] = summary(by_coord)
    res["qualified_duplicates"] = qualified
    res["load_average_1min_at_end"] = os.getloadavg()[0]
    for k in ("by_name", "by_coordinates"):
        s = res[k]
        print(f"{k}: {s['ok']}/{s['n']} = {s['rate']:.1%} routed to Duisburg; resolve "
              f"{s['resolve_ms_median']:.2f} ms, route median {s['route_ms_median']:.1f} ms "
              f"(p90 {s['route_ms_p90']:.1f}); {s['off_network_ends']} via a first-mile leg")  # fmt: skip
        for f in s["failures"]:
            print(f"  FAIL {f['city']} ({f['query']}): {f['reason']}")
    b = res["baseline_route_ms_median"]
    print(f"baseline Xi'an -> Duisburg (both on the network): {b:.1f} ms; ratio of the median "
          f"by-name query to it: {res['by_name']['route_ms_median'] / b:.2f}; router build "
          f"{res['router_s']:.1f} s; load average {res['load_average_1min_at_start']:.1f}")  # fmt: skip
    for q in qualified:
        print(f"qualified: {q['query']} -> {q.get('resolved')} ok={q['ok']}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"rows_by_name": by_name, "rows_by_coordinates": by_coord, **res}, fh,
                      ensure_ascii=False, indent=1)  # fmt: skip


if __name__ == "__main__":
    main()
