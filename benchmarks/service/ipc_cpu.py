"""The route workers' CPU per new answer in the service against the same answers in one process.

    nice .venv/bin/python benchmarks/service/ipc_cpu.py [--root OTHER_CHECKOUT] [--n 1500]
        [--pairs 1] [--serve-arg=--processes=2]

For each pair, runs (1) the first ``--n`` questions of ``load.py``'s ``distinct`` mix through
the service's own ``answer()`` in one process (``request_cpu.py --mix distinct``: its mean
CPU per answer), then (2) ``serai serve`` (its defaults: uvloop + httptools, one route worker
per core) under wrk, 20 keep-alive connections, the same questions, and prints per answer,
from Linux ``/proc`` (counters read before and after the wrk run):

* the CPU (user + system) of the serving process, of the route workers together, and wrk's;
* the voluntary (the process slept: waiting for a message) and involuntary (it was
  preempted) context switches, and the minor page faults, of each;
* ``workers / in-process``: the ratio of the workers' CPU per answer to the in-process mean,
  i.e. what computing an answer in a forked worker behind the serving process costs on top
  of the answer itself (the worker's loop: reading, unpickling and validating the question,
  writing the reply; and the interference of 3-4 busy processes on the cores: preemptions,
  wake-ups of a process on the other core, caches refilled after a switch).

CPU times of one tree, run back to back (a shared machine: read the pairs, not one run).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from load import free_port, run_wrk, sequence, start_server, warm  # noqa: E402

TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def counters(pid: int) -> dict[str, float]:
    """CPU seconds, context switches and page faults of a process (Linux /proc)."""
    f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    out = {"cpu_ms": 1000 * (int(f[11]) + int(f[12])) / TCK, "minflt": float(f[7])}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        k, _, v = line.partition(":")
        if k == "voluntary_ctxt_switches":
            out["sleeps"] = float(v)
        elif k == "nonvoluntary_ctxt_switches":
            out["preempted"] = float(v)
    return out


def in_process(root: str | None, n: int) -> float:
    """Mean CPU ms per answer of ``request_cpu.py --mix distinct --n n`` (one process)."""
    cmd = [sys.executable, str(HERE / "request_cpu.py"), "--mix", "distinct", "--n", str(n)]
    if root:
        cmd += ["--root", root]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return json.loads(next(x for x in out.splitlines() if x.startswith("{")))["mean_cpu_ms"]


def service(root: str | None, n: int, serve_args: list[str]) -> dict[str, dict[str, float]]:
    """Per-answer counters of the serving process, the workers and wrk under wrk."""
    port = free_port()
    proc = start_server(port, serve_args, root=root)
    try:
        warm(f"http://127.0.0.1:{port}")
        kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        pids = {"serving": [proc.pid], "workers": [int(k) for k in kids]}
        before = {k: [counters(p) for p in v] for k, v in pids.items()}
        load0 = os.getloadavg()[0]
        r = run_wrk(port, sequence("distinct", n + 22), n, 20, 300)
        after = {k: [counters(p) for p in v] for k, v in pids.items()}
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    got = r["requests"]
    out: dict[str, dict[str, float]] = {}
    for k in pids:
        out[k] = {
            f: sum(a[f] - b[f] for a, b in zip(after[k], before[k], strict=True)) / got
            for f in before[k][0]
        }
    out["wrk"] = {"cpu_ms": r["client_cpu_ms"]}
    out["run"] = {"answers": got, "median_ms": r["median_ms"], "load": load0}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=None, help="another checkout (its code and benchmarks)")
    ap.add_argument("--n", type=int, default=1500)
    ap.add_argument("--pairs", type=int, default=1)
    ap.add_argument("--serve-arg", action="append", default=[], help="extra `serai serve` option")
    a = ap.parse_args()
    os.chdir(ROOT)
    for _ in range(a.pairs):
        mean = in_process(a.root, a.n)
        s = service(a.root, a.n, a.serve_arg)
        w = s["workers"]
        print(
            json.dumps(
                {
                    "tree": a.root or str(ROOT),
                    "in_process_ms": mean,
                    "workers_ms": round(w["cpu_ms"], 3),
                    "workers_over_in_process": round(w["cpu_ms"] / mean, 3),
                    "serving_ms": round(s["serving"]["cpu_ms"], 3),
                    "wrk_ms": round(s["wrk"]["cpu_ms"], 3),
                    "per_answer": {
                        k: {f: round(v, 3) for f, v in s[k].items() if f != "cpu_ms"}
                        for k in ("serving", "workers")
                    },
                    **{k: round(v, 2) for k, v in s["run"].items()},
                    "load_after": round(os.getloadavg()[0], 2),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
