"""Scenario benchmarks (not tests): a full scenario run, the run store's share of it, and a
sweep on a LocalCluster with 1 and 2 workers.

    PYTHONPATH=. .venv/bin/python benchmarks/scenarios/bench_scenarios.py run --scenario wb-2030
    PYTHONPATH=. .venv/bin/python benchmarks/scenarios/bench_scenarios.py store --scenario base-2024
    PYTHONPATH=. .venv/bin/python benchmarks/scenarios/bench_scenarios.py sweep --members 20

Each prints the machine's load average before and after (the machine is shared: compare
ratios, not seconds) and writes a JSON line to benchmarks/scenarios/results.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def emit(rec: dict) -> None:
    rec = {
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "time": time.strftime("%Y-%m-%d %H:%M"),
        **rec,
    }
    print(json.dumps(rec, indent=2))
    with open(HERE / "results.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(rec) + "\n")


def bench_run(args) -> None:
    from serai.scenarios import run_scenario

    l0 = load()
    t = time.perf_counter()
    r = run_scenario(args.scenario, method=args.method)
    wall = time.perf_counter() - t
    emit({"bench": "scenario run (flows + indicators + flagship routes)", "scenario": args.scenario,
          "method": args.method, "wall_s": round(wall, 2), "stages_s": r.summary["timings_s"],
          "cpu_s": round(time.process_time(), 2), "load_before": l0, "load_after": load()})  # fmt: skip


def bench_store(args) -> None:
    from serai.scenarios import run_scenario
    from serai.store import open_store

    l0 = load()
    t = time.perf_counter()
    r = run_scenario(args.scenario, method=args.method)
    run_s = time.perf_counter() - t
    out = {}
    with tempfile.TemporaryDirectory() as d:
        st = open_store(Path(d) / "runs.duckdb")
        ts = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            st.record(r)
            ts.append(time.perf_counter() - t)
        st.close()
        out["duckdb_record_s"] = sorted(ts)[len(ts) // 2]
    if args.postgres:
        st = open_store(args.postgres)
        ts = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            st.record(r)
            ts.append(time.perf_counter() - t)
        st.close()
        out["postgres_record_s"] = sorted(ts)[len(ts) // 2]
    rows = sum(len(v) for v in r.tables.values())
    emit({"bench": "run store overhead", "scenario": args.scenario, "run_s": round(run_s, 2),
          "result_rows": rows, **{k: round(v, 3) for k, v in out.items()},
          **{k.replace("_record_s", "_share_of_run"): round(v / run_s, 4) for k, v in out.items()},
          "load_before": l0, "load_after": load()})  # fmt: skip


def bench_sweep(args) -> None:
    from serai.scenarios import library_names
    from serai.scenarios.sweep import sweep

    names = library_names()
    members = [names[i % len(names)] for i in range(args.members)]
    res = {}
    for w in args.workers:
        l0 = load()
        with tempfile.TemporaryDirectory() as d:
            s = sweep(
                members,
                workers=w,
                method=args.method,
                flows=args.flows,
                store=Path(d) / "runs.duckdb",
            )
        ok = int((s.members["status"] == "ok").sum())
        res[w] = {"wall_s": round(s.elapsed_s, 1), "ok": ok, "failed": len(members) - ok,
                  "member_s_median": round(float(s.members["elapsed_s"].median()), 2),
                  "load_before": l0, "load_after": load()}  # fmt: skip
        print(w, res[w], flush=True)
    ws = sorted(res)
    ratio = res[ws[0]]["wall_s"] / res[ws[-1]]["wall_s"] if len(ws) > 1 else None
    emit({"bench": "sweep on a LocalCluster", "members": len(members), "flows": args.flows,
          "method": args.method, "by_workers": res,
          f"speedup_{ws[-1]}_vs_{ws[0]}": round(ratio, 2) if ratio else None})  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = p.add_subparsers(dest="what", required=True)
    a = sub.add_parser("run")
    a.add_argument("--scenario", default="wb-2030")
    a.add_argument("--method", default="equilibrium")
    a.set_defaults(fn=bench_run)
    b = sub.add_parser("store")
    b.add_argument("--scenario", default="base-2024")
    b.add_argument("--method", default="equilibrium")
    b.add_argument("--repeat", type=int, default=5)
    b.add_argument("--postgres", default=None, help="postgresql:// URL to time as well")
    b.set_defaults(fn=bench_store)
    c = sub.add_parser("sweep")
    c.add_argument("--members", type=int, default=20)
    c.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    c.add_argument("--method", default="equilibrium")
    c.add_argument("--no-flows", dest="flows", action="store_false")
    c.set_defaults(fn=bench_sweep)
    args = p.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
