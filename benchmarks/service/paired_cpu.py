"""CPU per route answer of two checkouts, asked the same questions in lockstep.

    .venv/bin/python benchmarks/service/paired_cpu.py --root OTHER_CHECKOUT [--n 512]
        [--this CHECKOUT] [--stage]

Starts one process per tree (``--root`` first on ``sys.path``, then this checkout), each
loads its router (masked landmarks chosen in the background, as the service's routers do)
and warms the costs of each objective on 64 other questions, then both answer the first
``--n`` new questions of ``load.py``'s ``distinct`` mix as a route worker process does
(``RouteQuery.model_validate_json``, ``serai.api.routes.answer``, ``slim``),
taking turns question by question (ABBA order): both see the same load at the same time,
which on a shared machine moves the CPU of an answer by a third between runs a minute
apart. Prints the mean process CPU per answer of each and their ratio (this / other).
``--this`` puts another checkout in this one's place (e.g. the two swapped, or the same
tree twice for an A/A run); ``--stage`` also times route assembly (``make_route``, thread
CPU around it) and prints its mean per answer and ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def child(root: str, n: int, stage: bool = False) -> None:
    """Answer questions by index read from stdin; write each one's CPU ms to stdout (and,
    with ``stage``, that of its ``make_route`` calls)."""
    sys.path.insert(0, str(HERE.parents[1]) if root == "." else root)
    sys.path.insert(0, str(HERE))
    from load import POPULAR, all_questions, sequence

    from serai.api import Settings, models
    from serai.api.responses import slim
    from serai.api.routes import answer
    from serai.freight.cache import cached_router

    router = cached_router(None, year=None)
    router.landmarks_in_background = True  # as serai.api.pool sets it for the service
    settings = Settings()
    spent = [0.0]
    if stage:
        from serai.freight import legs
        from serai.freight import route as froute

        def timed(*args, _f=legs.make_route, **kw):
            t = time.thread_time()
            try:
                return _f(*args, **kw)
            finally:
                spent[0] += time.thread_time() - t

        froute.Router._make_route = timed
    for q in all_questions()[POPULAR + 512 : POPULAR + 576]:  # warm: costs of each objective
        answer("route", models.RouteQuery(**q), router, settings)
    qs = [models.RouteQuery(**q).model_dump_json() for q in sequence("distinct", n)]
    print("ready", flush=True)
    for line in sys.stdin:
        spent[0] = 0.0
        c = time.process_time()
        q = models.RouteQuery.model_validate_json(qs[int(line)])
        slim(answer("route", q, router, settings))
        print(1000 * (time.process_time() - c), 1000 * spent[0], flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", required=True, help="the other checkout")
    ap.add_argument("--n", type=int, default=512)
    ap.add_argument("--this", default=".", help="this checkout's place (default: this one)")
    ap.add_argument("--stage", action="store_true", help="also time make_route")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child is not None:
        return child(a.child, a.n, a.stage)
    roots = [a.root, a.this]
    cmd = [sys.executable, __file__, "--root", a.root, "--n", str(a.n)]
    cmd += ["--stage", "--child"] if a.stage else ["--child"]
    procs = [
        subprocess.Popen([*cmd, r], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for r in roots
    ]
    for p in procs:
        if p.stdout.readline().strip() != "ready":
            raise SystemExit("a child did not start")
    cpu: list[list[float]] = [[], []]
    asm: list[list[float]] = [[], []]
    for i in range(a.n):
        for k in (0, 1) if i % 2 == 0 else (1, 0):
            procs[k].stdin.write(f"{i}\n")
            procs[k].stdin.flush()
            total, spent = procs[k].stdout.readline().split()
            cpu[k].append(float(total))
            asm[k].append(float(spent))
    for p in procs:
        p.stdin.close()
        p.wait()
    m = [statistics.fmean(c) for c in cpu]
    paired = statistics.median(b / x for x, b in zip(*cpu, strict=True))
    print(json.dumps({"n": a.n, "roots": roots, "load": [round(x, 2) for x in os.getloadavg()],
                      "mean_cpu_ms": [round(x, 3) for x in m],
                      "ratio_of_means": round(m[1] / m[0], 4),
                      "median_paired_ratio": round(paired, 4)}))  # fmt: skip
    if a.stage:
        s = [statistics.fmean(x) for x in asm]
        print(json.dumps({"make_route_mean_cpu_ms": [round(x, 4) for x in s],
                          "make_route_ratio_of_means": round(s[1] / s[0], 4),
                          "rest_ratio_of_means": round((m[1] - s[1]) / (m[0] - s[0]), 4)}))  # fmt: skip


if __name__ == "__main__":
    main()
