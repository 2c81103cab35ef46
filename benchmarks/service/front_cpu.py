"""CPU per new route question of the serving process, the route workers' loop and wrk, with
the answer itself taken out (real HTTP, stub answers).

    nice .venv/bin/python benchmarks/service/front_cpu.py [--root OTHER_CHECKOUT]
        [--burn-ms 0] [--seconds 6] [--pairs 1]

Serves ``create_app`` (2 route worker processes) with uvicorn as `serai serve` does (its
HTTP protocol when the tree has one), but each worker's ``answer()`` is replaced by a stub
that validates the question as the real one does, burns ``--burn-ms`` of CPU and returns a
~5 kB gzip answer; wrk (20 connections) sends every request a new question (a new origin
name: no cache hit). Prints, per answer, the CPU (Linux schedstat, all threads; wrk's from
getrusage) of the serving process, of the workers minus the burn (reading, unpickling, validating, replying)
and of wrk. No routing graph is loaded. ``--burn-ms 0``: the loop is saturated by HTTP and
the hand-over alone (thousands of answers a second); ``--burn-ms 2``: answers at about the
rate of real ones (each process sleeps and wakes between events, as under the load test).
``--pairs N --root R``: N runs of this tree and of ``R`` alternated (a shared machine).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SERVER = r"""
import gzip, os, sys, time
sys.path.insert(0, os.getcwd())
import uvicorn
import serai.api.workers as W
from serai.api import Settings, create_app
BURN = float(sys.argv[2]) / 1000
GZ = gzip.compress(os.urandom(2600).hex().encode(), 1)[:5200]

def stub(kind, model, q_json, year):
    from serai.api import models as m
    from serai.api.responses import slim
    end = time.process_time() + BURN
    getattr(m, model).model_validate_json(q_json)
    while time.process_time() < end:
        pass
    return "ok", slim((b"{}" * 15000, GZ))

W._child_answer = stub
app = create_app(Settings(route_processes=2))
try:
    from serai.api.http_protocol import protocol
    kw = {"http": protocol()}
except ImportError:  # a tree without it: uvicorn's own
    kw = {}
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
            access_log=False, **kw)
"""

LUA = r"""
local counter, threads = 0, 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function init(args) prefix = (args[1] or "x") .. "_" .. tid end
request = function()
  counter = counter + 1
  local body = '{"origin":"Xi\'an ' .. prefix .. '_' .. counter .. '","destination":"Duisburg",'
    .. '"objective":"time","avoid_countries":["RU","IR"],"geometry":true}'
  return wrk.format("POST", "/api/route", {["Content-Type"]="application/json",
    ["Accept-Encoding"]="gzip", ["Host"]="127.0.0.1"}, body)
end
"""


def cpu_ns(pids: list[int]) -> int:
    """CPU time of all threads of ``pids`` (Linux schedstat, ns)."""
    total = 0
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").iterdir():
            total += int((task / "schedstat").read_text().split()[0])
    return total


def run(root: Path, burn: float, seconds: float, tmp: Path, tag: int) -> dict:
    from load import free_port

    port = free_port()
    server = tmp / "server.py"
    server.write_text(SERVER)
    env = dict(os.environ, PYTHONPATH=str(root))
    proc = subprocess.Popen([sys.executable, str(server), str(port), str(burn)], cwd=root,
                            env=env, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        kids = [
            int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        ]
        lua = tmp / "distinct.lua"
        lua.write_text(LUA)
        wrk = ["wrk", "-t2", "-c20", "-s", str(lua), f"http://127.0.0.1:{port}"]
        subprocess.run([*wrk[:1], "-d1s", *wrk[1:], "--", f"w{tag}"], capture_output=True)
        s0, k0 = cpu_ns([proc.pid]), cpu_ns(kids)
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cmd = [*wrk[:1], f"-d{seconds:g}s", *wrk[1:], "--", f"m{tag}"]
        out = subprocess.run(cmd, capture_output=True, text=True).stdout
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        s1, k1 = cpu_ns([proc.pid]), cpu_ns(kids)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    n = int(next(x for x in out.splitlines() if "requests in" in x).split()[0])
    wrk_s = sum(getattr(ru1, f) - getattr(ru0, f) for f in ("ru_utime", "ru_stime"))
    return {"tree": str(root), "answers": n,
            "serving_ms": round((s1 - s0) / 1e6 / n, 4),
            "worker_loop_ms": round((k1 - k0) / 1e6 / n - burn, 4),
            "wrk_ms": round(1000 * wrk_s / n, 4), "load": round(os.getloadavg()[0], 2)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", type=Path, default=None, help="another checkout, alternated")
    ap.add_argument("--burn-ms", type=float, default=0.0)
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--pairs", type=int, default=1)
    a = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    trees = [ROOT] + ([a.root.resolve()] if a.root else [])
    with tempfile.TemporaryDirectory(prefix="serai-front-") as tmp:
        for i in range(a.pairs):
            for tree in trees:
                print(
                    run(tree, a.burn_ms, a.seconds, Path(tmp), i * 1000 + os.getpid()), flush=True
                )


if __name__ == "__main__":
    main()
