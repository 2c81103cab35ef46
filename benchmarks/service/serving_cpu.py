"""CPU of the serving process per new route question, without HTTP sockets or a load generator.

    .venv/bin/python benchmarks/service/serving_cpu.py [--root OTHER_CHECKOUT] [--n 600]
        [--processes 2] [--concurrency 8] [--identity] [--profile FILE]

Builds the service's ASGI app (``create_app``, ``--processes`` route workers forked at its
start-up, the embedded network from the disk cache), warms it as ``load.py`` does (costs and
masks of each objective and avoid set), then sends the first ``--n`` questions of
``load.py``'s ``distinct`` mix (each new: a real search in a worker) straight to the app as
ASGI calls (``POST /api/route``, ``Accept-Encoding: gzip`` unless ``--identity``),
``--concurrency`` at a time, and prints the serving process's CPU per question
(``time.process_time``: its own threads, not the workers'): what the serving process does
for a new question besides HTTP parsing and socket writes (the front door / middleware
stack, validation, caches, the hand-over to a worker and back, the response). Robust under
load (CPU, not wall time); compare checkouts with ``--root``, runs alternated.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--root", default=None, help="another checkout first on sys.path")
ap.add_argument("--n", type=int, default=600)
ap.add_argument("--processes", type=int, default=2)
ap.add_argument("--concurrency", type=int, default=8)
ap.add_argument("--identity", action="store_true", help="a client without gzip")
ap.add_argument("--profile", default=None, help="cProfile of the serving process here")
a = ap.parse_args()
if a.root:
    sys.path.insert(0, a.root)
sys.path.insert(1, str(Path(__file__).resolve().parent))

from load import POPULAR, all_questions, encode, sequence  # noqa: E402

from serai.api import Settings, create_app  # noqa: E402

app = create_app(Settings(route_processes=a.processes))
statuses: dict[int, int] = {}


async def call(body: bytes) -> None:
    msgs = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict:
        return msgs.pop() if msgs else {"type": "http.disconnect"}

    async def send(m: dict) -> None:
        if m["type"] == "http.response.start":
            statuses[m["status"]] = statuses.get(m["status"], 0) + 1

    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode())]  # fmt: skip
    if not a.identity:
        headers.append((b"accept-encoding", b"gzip"))
    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
             "http_version": "1.1", "server": ("127.0.0.1", 8000),
             "client": ("127.0.0.1", 50000), "scheme": "http", "method": "POST",
             "root_path": "", "path": "/api/route", "raw_path": b"/api/route",
             "query_string": b"", "headers": headers, "state": {}}  # fmt: skip
    await app(scope, receive, send)


async def main() -> dict:
    todo: asyncio.Queue = asyncio.Queue()
    out: asyncio.Queue = asyncio.Queue()
    await todo.put({"type": "lifespan.startup"})

    async def lsend(m: dict) -> None:
        await out.put(m)

    life = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, todo.get, lsend)
    )
    started = await out.get()
    assert started["type"] == "lifespan.startup.complete", started
    seen, warm = set(), []
    for q in all_questions()[POPULAR + 512 :]:
        k = (q["objective"], tuple(q["avoid_countries"]))
        if k not in seen:
            seen.add(k)
            warm.append(q)
    await asyncio.gather(*(call(encode(q)) for q in warm))
    statuses.clear()
    bodies = [encode(q) for q in sequence("distinct", a.n)]
    gate = asyncio.Semaphore(a.concurrency)

    async def one(b: bytes) -> None:
        async with gate:
            await call(b)

    prof = None
    if a.profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    c, w = time.process_time(), time.perf_counter()
    await asyncio.gather(*(one(b) for b in bodies))
    cpu, wall = time.process_time() - c, time.perf_counter() - w
    if prof is not None:
        prof.disable()
        prof.dump_stats(a.profile)
    await todo.put({"type": "lifespan.shutdown"})
    await out.get()
    await life
    return {"root": a.root or ".", "questions": a.n, "statuses": statuses,
            "serving_cpu_ms": round(1000 * cpu / a.n, 3), "wall_s": round(wall, 2),
            "load": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip


try:
    import uvloop

    result = uvloop.run(main())
except ImportError:  # uvicorn's default loop without uvloop
    result = asyncio.run(main())
print(json.dumps(result))
