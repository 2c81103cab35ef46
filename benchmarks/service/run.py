"""Service benchmarks: bounded load test on localhost, page first load, `serai route` process time.

Run from the repository root (after `make demo`):

    .venv/bin/python benchmarks/service/run.py [--requests 2000] [--concurrency 20]

Starts `serai serve` on a free localhost port (embedded network; routing graph
from the disk cache), warms it, then sends a bounded number of requests from 20
concurrent clients (asyncio + httpx) in two mixes:

* ``repeat``: 24 popular questions drawn at random (answers come from the
  service's response cache after their first request);
* ``distinct``: every request a different question (origin x destination x
  objective x avoided country: no cache hit, a real route search each time).

Then the web page's first load in headless Chromium (navigation to the map's
canvas and the places layer drawn), and `serai route` as a process with a warm
disk cache (wall time of the whole process, 10 runs) with its phases. Prints a
Markdown table for BENCHMARKS.md. Traffic goes to 127.0.0.1 only; the run stops
after --requests requests or --seconds, whichever comes first.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLACES = ["Xi'an", "Almaty", "Shanghai", "Shymkent", "Tashkent", "Aktau", "Baku", "Urumqi"]
DESTS = ["Duisburg", "Constanța", "Poti", "Rotterdam", "Istanbul", "Hamburg", "Mersin", "Batumi"]
OBJECTIVES = ["generalised", "time", "cost", "emissions"]
AVOID = [[], ["RU"], ["IR"], ["RU", "IR"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "serai", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2)
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(proc.stderr.read()) from None
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("server did not start")


def questions(kind: str, n: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    combos = [
        {"origin": o, "destination": d, "objective": obj, "avoid_countries": av, "geometry": True}
        for o, d, obj, av in itertools.product(PLACES, DESTS, OBJECTIVES, AVOID)
    ]
    rng.shuffle(combos)
    if kind == "repeat":
        popular = combos[:24]
        return [rng.choice(popular) for _ in range(n)]
    return combos[:n]


async def load(base: str, qs: list[dict], concurrency: int, seconds: float) -> dict:
    import httpx

    lat: list[float] = []
    server: list[float] = []
    codes: dict[int, int] = {}
    it = iter(qs)
    stop = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        for q in it:
            if time.perf_counter() > stop:
                return
            t = time.perf_counter()
            r = await client.post(base + "/api/route", json=q)
            body = await r.aread()
            lat.append(1000 * (time.perf_counter() - t))
            if r.status_code == 200 and r.headers.get("x-cache") == "miss":
                server.append(json.loads(body)["took_ms"])
            codes[r.status_code] = codes.get(r.status_code, 0) + 1

    t0 = time.perf_counter()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    wall = time.perf_counter() - t0
    lat.sort()
    q = statistics.quantiles(lat, n=100, method="inclusive")
    return {
        "requests": len(lat),
        "median_ms": statistics.median(lat),
        "p90_ms": q[89],
        "p99_ms": q[98],
        "max_ms": lat[-1],
        "per_s": len(lat) / wall,
        "server_median_ms": statistics.median(server) if server else float("nan"),
        "codes": codes,
    }


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    ap.add_argument("--seconds", type=float, default=120)
    a = ap.parse_args()
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    load_before = os.getloadavg()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(port)
    try:
        for q in questions("repeat", 30):  # warm: costs of each objective, the response cache
            urllib.request.urlopen(
                urllib.request.Request(
                    base + "/api/route",
                    data=json.dumps(q).encode(),
                    headers={"Content-Type": "application/json"},
                )
            ).read()
        res = {}
        for kind in ("repeat", "distinct"):
            n = a.requests if kind == "repeat" else min(a.requests, 512)
            c0 = cpu_s(proc.pid)
            res[kind] = asyncio.run(
                load(base, questions(kind, n, seed=2), a.concurrency, a.seconds)
            )
            # the server's CPU per request: what the machine's load does not stretch
            res[kind]["cpu_ms"] = 1000 * (cpu_s(proc.pid) - c0) / res[kind]["requests"]
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
    print(
        f"\n| mix ({a.concurrency} clients) | requests | median ms | p90 ms | p99 ms | max ms "
        "| req/s | server work, median ms (cache misses) | server CPU ms per request "
        "| status codes |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for kind, r in res.items():
        print(
            f"| {kind} | {r['requests']} | {r['median_ms']:.1f} | {r['p90_ms']:.1f} "
            f"| {r['p99_ms']:.1f} | {r['max_ms']:.0f} | {r['per_s']:.0f} "
            f"| {r['server_median_ms']:.1f} | {r['cpu_ms']:.2f} | {r['codes']} |"
        )
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
