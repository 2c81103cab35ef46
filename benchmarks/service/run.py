"""Service benchmarks: bounded load test on localhost, page first load, `serai route` process time.

Run from the repository root (after `make demo`):

    .venv/bin/python benchmarks/service/run.py [--requests 2000] [--concurrency 20]

Starts `serai serve` on a free localhost port (embedded network; routing graph
from the disk cache), warms it, then sends a bounded number of requests from 20
concurrent keep-alive connections with the low-overhead generator of
``benchmarks/service/load.py`` (wrk when installed, else raw asyncio sockets; its CPU
reported apart from the server's) in the mixes ``repeat``, ``mixed`` and ``distinct``
(see load.py).

Then the web page's first load in headless Chromium (navigation to the map's
canvas and the places layer drawn), and `serai route` as a process with a warm
disk cache (wall time of the whole process, 10 runs) with its phases. Prints a
Markdown table for BENCHMARKS.md. Traffic goes to 127.0.0.1 only; the run stops
after --requests requests or --seconds, whichever comes first.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import free_port, measure, start_server, table, warm  # noqa: E402


def page_load(base: str) -> list[float]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return []
    chromium = os.environ.get("SERAI_CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).is_file():
        return []
    from tests.web.test_webapp import ARGS

    out = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        for _ in range(5):
            ctx = b.new_context(viewport={"width": 1280, "height": 800})  # empty cache each time
            page = ctx.new_page()
            t = time.perf_counter()
            page.goto(base + "/", wait_until="load")
            page.wait_for_selector("#map canvas.maplibregl-canvas")
            page.wait_for_function("document.querySelector('#commodity').options.length > 1")
            out.append(1000 * (time.perf_counter() - t))
            ctx.close()
        b.close()
    return out


def cli_times(runs: int = 10, cache: str | None = None) -> list[float]:
    cmd = [
        str(Path(sys.executable).parent / "serai"),
        "route",
        "--from",
        "Xi'an",
        "--to",
        "Duisburg",
    ]
    env = {**os.environ, **({"SERAI_CACHE_DIR": cache} if cache else {})}
    env["SERAI_ROUTE_SERVER"] = "off"  # the process itself: it neither asks nor starts a server
    subprocess.run(cmd, check=True, capture_output=True, env=env)  # warm the disk cache
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        out.append(1000 * (time.perf_counter() - t))
    return out


PHASES = r"""
import time; T = t0 = time.perf_counter(); out = {}
def lap(k):
    global t0
    t = time.perf_counter(); out[k] = round(1000 * (t - t0)); t0 = t
import serai.cli; lap("python + import serai.cli")
import pandas, numpy; lap("import numpy, pandas")
import numba; lap("import numba")
from serai.freight.cache import cached_router; from serai.freight.query import RouteRequest, run_request; lap("import serai.freight")
r = cached_router(None); lap("read the cached router (unpickle)")
rs = run_request(r, RouteRequest("Xi'an", "Duisburg")); lap("first route (numba kernels loaded from their cache)")
rs[0].footprint; lap("ISO 14083 footprint for the table")
print(__import__("json").dumps(out))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    a = ap.parse_args()
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    load_before = os.getloadavg()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(port)
    a.client = "wrk" if shutil.which("wrk") else "raw"
    try:
        warm(base)
        rows = [
            measure(proc, port, kind, a.requests, a) for kind in ("repeat", "mixed", "distinct")
        ]
        pages = page_load(base)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    cli = cli_times()
    cold = cli_times(3, cache="off")  # the same command rebuilding the graph every time
    phases = json.loads(
        subprocess.run(
            [sys.executable, "-c", PHASES], capture_output=True, text=True, check=True
        ).stdout
    )
    load_after = os.getloadavg()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}"
    )
    print("\n" + table(rows, a.concurrency))
    if pages:
        print(
            f"\npage first load (5 fresh browser contexts): median {statistics.median(pages):.0f} ms, "
            f"max {max(pages):.0f} ms"
        )
    print(
        f"\n`serai route --from Xi'an --to Duisburg`, warm disk cache, whole process (10 runs): "
        f"median {statistics.median(cli):.0f} ms, min {min(cli):.0f} ms, max {max(cli):.0f} ms; "
        f"cache off (graph rebuilt each time, 3 runs): median {statistics.median(cold):.0f} ms; "
        f"ratio cold/warm {statistics.median(cold) / statistics.median(cli):.1f}"
    )
    print("\nphases of one warm process (ms): " + ", ".join(f"{k} {v}" for k, v in phases.items()))


if __name__ == "__main__":
    main()
