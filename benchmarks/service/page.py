"""The web page's first load in headless Chromium, against a fresh `serai serve`.

    nice .venv/bin/python benchmarks/service/page.py [--loads 7] [--root OTHER_CHECKOUT]
        [--plain]

Starts `serai serve` on a free 127.0.0.1 port (as benchmarks/service/load.py: ``--root``
serves another checkout, ``--plain`` without uvloop/httptools), then loads the page
``--loads`` times, each in a fresh browser context (empty cache), and times (1) until the
map's canvas is there and the commodities list is filled (the measure of earlier runs)
and (2) until the network has been idle for 500 ms (every layer and list fetched; the
500 ms are subtracted). Needs Debian's chromium and the playwright package.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from load import free_port, start_server  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--loads", type=int, default=7)
    ap.add_argument("--root")
    ap.add_argument("--plain", action="store_true")
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from tests.web.test_webapp import ARGS, CHROMIUM

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(port, root=a.root, plain=a.plain)
    ready, idle = [], []
    load0 = os.getloadavg()[0]
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            for i in range(a.loads + 1):  # the first load warms the server's file cache
                ctx = b.new_context(viewport={"width": 1280, "height": 800})
                page = ctx.new_page()
                t = time.perf_counter()
                page.goto(base + "/", wait_until="load")
                page.wait_for_selector("#map canvas.maplibregl-canvas")
                page.wait_for_function("document.querySelector('#commodity').options.length > 1")
                t1 = time.perf_counter()
                page.wait_for_load_state("networkidle")
                t2 = time.perf_counter()
                if i:
                    ready.append(1000 * (t1 - t))
                    idle.append(1000 * (t2 - t) - 500)
                ctx.close()
            b.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(
        f"tree {a.root or ROOT}{' (without uvloop/httptools)' if a.plain else ''}; load "
        f"{load0:.2f}-{os.getloadavg()[0]:.2f}; {a.loads} loads\n"
        f"map + commodities: median {statistics.median(ready):.0f} ms, max {max(ready):.0f} ms\n"
        f"network idle: median {statistics.median(idle):.0f} ms, max {max(idle):.0f} ms"
    )


if __name__ == "__main__":
    main()
