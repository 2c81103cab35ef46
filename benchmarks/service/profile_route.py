"""Profile route requests end to end inside the ASGI app (no HTTP client, no socket).

    nice .venv/bin/python benchmarks/service/profile_route.py [--n 128] [--kind distinct]
        [--out /tmp/route.prof]

Builds the app (embedded network, router from the disk cache), warms it, then calls the
ASGI app directly with ``POST /api/route`` requests of the load test's ``distinct`` mix
(a search each) under cProfile, and prints the CPU per request and the top functions by
cumulative and own time. What the HTTP server (uvicorn) adds on top is not in it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import POPULAR, all_questions, encode, sequence

from serai.api import Settings, create_app


async def call(app, body: bytes) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/route",
        "raw_path": b"/api/route",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"accept-encoding", b"gzip"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
    }
    sent = False
    out: list[bytes] = []
    status = 0

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)

    async def send(msg):
        nonlocal status
        if msg["type"] == "http.response.start":
            status = msg["status"]
        elif msg["type"] == "http.response.body":
            out.append(msg.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=128)
    ap.add_argument("--kind", default="distinct")
    ap.add_argument("--out", default=None)
    ap.add_argument("--top", type=int, default=40)
    a = ap.parse_args()
    app = create_app(Settings())
    app.state.pool.get(None)
    loop = asyncio.new_event_loop()
    for q in all_questions()[POPULAR + 512 : POPULAR + 600] + all_questions()[:POPULAR]:
        loop.run_until_complete(call(app, encode(q)))
    bodies = [encode(q) for q in sequence(a.kind, a.n)]
    prof = cProfile.Profile()  # the event loop's thread
    inner = cProfile.Profile()  # the answer, computed in a worker thread
    import serai.api.routes as routes

    answer = routes.answer
    routes.answer = lambda *args: inner.runcall(answer, *args)
    c0, t0 = time.process_time(), time.perf_counter()
    prof.enable()
    codes: dict[int, int] = {}
    for b in bodies:
        s, _ = loop.run_until_complete(call(app, b))
        codes[s] = codes.get(s, 0) + 1
    prof.disable()
    routes.answer = answer
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    print(f"{a.kind}: {a.n} requests, CPU {1000 * cpu / a.n:.2f} ms/request (with cProfile), "
          f"wall {1000 * wall / a.n:.2f} ms, status {codes}")  # fmt: skip
    for name, p in (("event loop thread", prof), ("answer (worker thread)", inner)):
        print(f"\n==== {name}")
        st = pstats.Stats(p)
        if a.out:
            st.dump_stats(f"{a.out}.{'loop' if p is prof else 'answer'}")
        st.sort_stats("cumulative").print_stats(a.top)
        st.sort_stats("tottime").print_stats(a.top)


if __name__ == "__main__":
    main()
