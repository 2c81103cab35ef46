"""Bounded load test of `serai serve` on localhost with a low-overhead load generator.

Run from the repository root:

    nice .venv/bin/python benchmarks/service/load.py [--requests 2000] [--concurrency 20]
        [--client auto|wrk|raw] [--mixes repeat,mixed,distinct] [--serve-arg=--processes=2]

Starts `serai serve` on a free 127.0.0.1 port (embedded network, routing graph from the
disk cache), warms it (costs of each objective, the popular questions once), then sends
``--requests`` route requests (``POST /api/route`` with geometry, ``Accept-Encoding: gzip``
like a browser) from ``--concurrency`` keep-alive connections, each sending its next
request when the answer came (closed loop), for each mix:

* ``repeat``: drawn at random from 24 popular questions (after the warm-up every answer
  comes from the service's response cache);
* ``mixed``: 80 % drawn from the 24 popular questions, 20 % a question asked once
  (a realistic repeated mix: a few corridors asked by many users, and the odd new one);
* ``distinct``: every request a question asked once (a real route search each time:
  origin x destination x objective x avoided countries, 4,096 questions).

The load generator is ``wrk`` (C; Debian package ``wrk``) when installed, else a lean
asyncio client on raw sockets (pre-encoded requests, no HTTP library). Its CPU time is
measured and reported apart from the server's (user + system, /proc), with the load
average before and after each mix: on a 2-core machine a generator written with an HTTP
library in Python costs about as much CPU as the server and takes it from the server.
Traffic goes to 127.0.0.1 only; each mix stops after ``--requests`` answers or
``--seconds``, whichever comes first.

``--think-ms T`` makes each client wait T ms after each answer before its next question
(20 users each asking about once a second, as locust users do): the server is then far
from saturated and the latency is about one request's own time. Without it (the default)
the loop is saturated: 20 clients always waiting share the 2 cores, and by Little's law
each waits about 20 x (CPU per answer, server + generator) / 2 (the ``N x CPU / cores``
column). The two readings answer different questions; report them side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ORIGINS = ["Xi'an", "Almaty", "Shanghai", "Shymkent", "Tashkent", "Aktau", "Baku", "Urumqi",
           "Chongqing", "Lanzhou", "Bishkek", "Samarkand", "Ashgabat", "Tbilisi", "Kashgar",
           "Astana"]  # fmt: skip
DESTS = ["Duisburg", "Constanța", "Poti", "Rotterdam", "Istanbul", "Hamburg", "Mersin", "Batumi",
         "Warsaw", "Budapest", "Vienna", "Antwerp", "Genoa", "Prague", "Łódź", "Ankara"]  # fmt: skip
OBJECTIVES = ["generalised", "time", "cost", "emissions"]
AVOID = [[], ["RU"], ["IR"], ["RU", "IR"]]
POPULAR = 24


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# runs `serai serve` with uvloop and httptools made unimportable: uvicorn falls back to
# asyncio and h11 (how the service ran before they were in the service extra)
_PLAIN = (
    "import sys; sys.modules['uvloop'] = sys.modules['httptools'] = None; "
    "sys.argv = ['serai', *sys.argv[1:]]; from serai._entry import main; main()"
)


def start_server(
    port: int, extra: list[str] = (), *, root: str | None = None, plain: bool = False
) -> subprocess.Popen:
    """`serai serve` on 127.0.0.1:``port`` (``root``: another checkout first on the path;
    ``plain``: without uvloop/httptools)."""
    env = dict(os.environ)
    if root:
        env["PYTHONPATH"] = os.pathsep.join([root, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    head = ["-c", _PLAIN] if plain else ["-m", "serai"]
    proc = subprocess.Popen(
        [sys.executable, *head, "serve", "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=root or None,
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


def all_questions(seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    combos = [
        {"origin": o, "destination": d, "objective": obj, "avoid_countries": av, "geometry": True}
        for o, d, obj, av in itertools.product(ORIGINS, DESTS, OBJECTIVES, AVOID)
    ]
    rng.shuffle(combos)
    return combos


def sequence(kind: str, n: int, seed: int = 2) -> list[dict]:
    """``n`` questions of a mix, in order (the popular ones are the first 24 of the shuffle;
    questions asked once come from the rest, never repeated across mixes of one run)."""
    qs = all_questions()
    popular, rest = qs[:POPULAR], qs[POPULAR:]
    rng = random.Random(seed)
    fresh = iter(rest[{"repeat": 0, "mixed": 0, "distinct": 1024}[kind] :])
    out = []
    for _ in range(n):
        if kind == "repeat" or (kind == "mixed" and rng.random() < 0.8):
            out.append(rng.choice(popular))
        else:
            out.append(next(fresh))
    return out


def encode(q: dict) -> bytes:
    return json.dumps(q, ensure_ascii=False, separators=(",", ":")).encode()


def cpu_s(pid: int, children: bool = True) -> float:
    """CPU seconds (user + system) of a process and (``children``) its children processes
    (Linux /proc)."""
    total = 0.0
    for p in [pid, *(_children(pid) if children else ())]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int(Path(d, "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                out.append(int(d.name))
    return out


def memory_mb(pid: int) -> list[tuple[str, int, float, float, float]]:
    """(role, pid, RSS, PSS, private MB) of the server and each child process (Linux
    smaps_rollup): RSS counts pages shared copy-on-write with the first process in every
    forked one (serving lanes, or route workers of older trees); PSS splits them between the processes sharing them (the sum of PSS is what
    the service takes); private is what a process has to itself."""
    out = []
    for role, p in [("first", pid), *(("forked", c) for c in _children(pid))]:
        try:
            text = Path(f"/proc/{p}/smaps_rollup").read_text()
        except OSError:
            continue
        kb = {}
        for line in text.splitlines()[1:]:
            k, _, v = line.partition(":")
            kb[k] = int(v.split()[0]) if v.split() else 0
        private = kb.get("Private_Clean", 0) + kb.get("Private_Dirty", 0)
        out.append((role, p, kb.get("Rss", 0) / 1024, kb.get("Pss", 0) / 1024, private / 1024))
    return out


def _quantiles(lat_ms: list[float]) -> dict:
    lat = sorted(lat_ms)
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else lat * 99
    return {
        "median_ms": statistics.median(lat),
        "mean_ms": statistics.fmean(lat),
        "p90_ms": q[89],
        "p99_ms": q[98],
        "max_ms": lat[-1],
    }


# ---------------------------------------------------------------- generators
WRK_LUA = r"""
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } serai_ts;
           int clock_gettime(int, serai_ts *); ]]
local ts = ffi.new("serai_ts")
local function now()  -- CLOCK_MONOTONIC, seconds
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end
local bodies = {%(bodies)s}
local quota = %(quota)d
local marker = "%(marker)s"
threads = {}
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  thread:set("nthreads", %(threads)d)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  i = tid
  got, hits, misses, first, last = 0, 0, 0, 0, 0
end
local think_ms = %(think_ms)d
if think_ms > 0 then
  function delay() return think_ms end  -- a user's wait between an answer and the next question
end
local headers = {["Content-Type"] = "application/json", ["Accept-Encoding"] = "gzip"}
function request()
  if first == 0 then first = now() end
  local b = bodies[(i %% #bodies) + 1]
  i = i + nthreads
  return wrk.format("POST", "/api/route", headers, b)
end
function response(status, hdrs, body)
  got = got + 1
  last = now()
  local c = hdrs["x-cache"] or hdrs["X-Cache"]
  if c == "hit" then hits = hits + 1 elseif c == "miss" then misses = misses + 1 end
  if got == quota then
    local f = io.open(marker, "a"); f:write("done\n"); f:close()
    wrk.thread:stop()
  end
end
function done(summary, latency, requests)
  local h, m, t0, t1 = 0, 0, math.huge, 0
  for _, t in ipairs(threads) do
    h = h + t:get("hits"); m = m + t:get("misses")
    t0 = math.min(t0, t:get("first")); t1 = math.max(t1, t:get("last"))
  end
  local e = summary.errors
  io.write(string.format(
    '\nJSON {"requests": %%d, "span_s": %%.6f, "p50": %%d, "p90": %%d, "p99": %%d, "max": %%d, ' ..
    '"mean": %%.1f, "hits": %%d, "misses": %%d, "errors": {"connect": %%d, "read": %%d, ' ..
    '"write": %%d, "status": %%d, "timeout": %%d}}\n',
    summary.requests, t1 - t0, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, h, m,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def _lua_string(b: bytes) -> str:
    s = b.decode()
    eq = "="
    while f"]{eq}]" in s:
        eq += "="
    return f"[{eq}[{s}]{eq}]"


def run_wrk(
    port: int, qs: list[dict], n: int, concurrency: int, seconds: float, think_ms: int = 0
) -> dict:
    """wrk, closed loop: each thread stops at its share of the requests (then SIGINT makes
    wrk print at once instead of sleeping out ``-d``); the rate is over the span from the
    first request sent to the last answer read (monotonic clock, LuaJIT ffi)."""
    import signal

    threads = 2 if concurrency >= 2 else 1
    per_thread = n // threads
    bodies = qs  # those past the first n are only sent while a thread stops
    tmp = Path(tempfile.mkdtemp(prefix="serai-wrk-"))
    marker = tmp / "done"
    script = tmp / "load.lua"
    script.write_text(
        WRK_LUA
        % {
            "bodies": ",\n".join(_lua_string(encode(q)) for q in bodies),
            "quota": per_thread,
            "threads": threads,
            "marker": str(marker),
            "think_ms": think_ms,
        }
    )
    try:
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cmd = ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{int(seconds)}s", "--timeout",
               "30s", "-s", str(script), f"http://127.0.0.1:{port}"]  # fmt: skip
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        while proc.poll() is None:
            if marker.exists() and marker.read_text().count("done") >= threads:
                proc.send_signal(signal.SIGINT)
                break
            time.sleep(0.05)
        stdout, stderr = proc.communicate(timeout=seconds + 60)
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    lines = [x for x in stdout.splitlines() if x.startswith("JSON ")]
    if not lines:
        raise SystemExit(f"wrk failed: {stderr or stdout}")
    r = json.loads(lines[0][5:])
    n = r["requests"]
    client_cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    return {
        "client": "wrk",
        "requests": n,
        "median_ms": r["p50"] / 1000,
        "p90_ms": r["p90"] / 1000,
        "p99_ms": r["p99"] / 1000,
        "max_ms": r["max"] / 1000,
        "mean_ms": r["mean"] / 1000,
        "per_s": n / r["span_s"] if r["span_s"] > 0 else float("nan"),
        "wall_s": r["span_s"],
        "hits": r["hits"],
        "misses": r["misses"],
        "errors": {k: v for k, v in r["errors"].items() if v},
        "client_cpu_ms": 1000 * client_cpu / max(n, 1),
    }


async def _raw(
    port: int, reqs: list[bytes], concurrency: int, seconds: float, think_ms: int = 0
) -> dict:
    lat: list[float] = []
    hits = misses = 0
    codes: dict[int, int] = {}
    it = iter(reqs)
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal hits, misses
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for req in it:
                if time.perf_counter() > stop:
                    return
                t = time.perf_counter()
                writer.write(req)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for h in head.split(b"\r\n")[1:]:
                    k, _, v = h.partition(b":")
                    k = k.lower()
                    if k == b"content-length":
                        length = int(v)
                    elif k == b"x-cache":
                        v = v.strip()
                        hits += v == b"hit"
                        misses += v == b"miss"
                await reader.readexactly(length)
                lat.append(1000 * (time.perf_counter() - t))
                code = int(head[9:12])
                codes[code] = codes.get(code, 0) + 1
                if think_ms:
                    await asyncio.sleep(think_ms / 1000)
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - t0
    return {"lat": lat, "wall": wall, "hits": hits, "misses": misses, "codes": codes}


def run_raw(
    port: int, qs: list[dict], n: int, concurrency: int, seconds: float, think_ms: int = 0
) -> dict:
    """A lean closed-loop client: asyncio streams, requests encoded up front."""
    reqs = []
    for q in qs[:n]:
        body = encode(q)
        reqs.append(
            b"POST /api/route HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Accept-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
    c0 = time.process_time()
    r = asyncio.run(_raw(port, reqs, concurrency, seconds, think_ms))
    client_cpu = time.process_time() - c0
    n = len(r["lat"])
    errors = {str(k): v for k, v in r["codes"].items() if k != 200}
    return {
        "client": "raw asyncio",
        "requests": n,
        **_quantiles(r["lat"]),
        "per_s": n / r["wall"],
        "wall_s": r["wall"],
        "hits": r["hits"],
        "misses": r["misses"],
        "errors": {"status": errors} if errors else {},
        "client_cpu_ms": 1000 * client_cpu / max(n, 1),
    }


def warm(base: str) -> None:
    """Costs of every objective, the edge masks of every avoid set, the popular answers."""
    qs = all_questions()
    seen = set()
    warmers = []
    for q in qs[POPULAR + 512 :]:
        k = (q["objective"], tuple(q["avoid_countries"]))
        if k not in seen:
            seen.add(k)
            warmers.append(q)
    for q in warmers + qs[:POPULAR]:
        req = urllib.request.Request(
            base + "/api/route", data=encode(q), headers={"Content-Type": "application/json"}
        )
        try:
            urllib.request.urlopen(req, timeout=60).read()
        except OSError as exc:  # a question without a route still warms the costs
            print(f"warm-up: {q['origin']} -> {q['destination']}: {exc}", file=sys.stderr)


def measure(proc: subprocess.Popen, port: int, kind: str, n: int, a: argparse.Namespace) -> dict:
    # wrk may send a request past its share on each connection as a thread stops: n answers
    # are counted, and the questions past them are of the same mix (never a repeat)
    qs = sequence(kind, n + a.concurrency + 2)
    load0 = os.getloadavg()[0]
    c0, p0 = cpu_s(proc.pid), cpu_s(proc.pid, children=False)
    run = run_wrk if a.client == "wrk" else run_raw
    r = run(port, qs, n, a.concurrency, a.seconds, a.think_ms)
    per = 1000 / max(r["requests"], 1)
    r["server_cpu_ms"] = per * (cpu_s(proc.pid) - c0)
    r["serving_cpu_ms"] = per * (cpu_s(proc.pid, children=False) - p0)
    r["load"] = (load0, os.getloadavg()[0])
    r["mix"] = kind if not a.think_ms else f"{kind}, think {a.think_ms} ms"
    # Little's law for a closed loop without think time: N clients always waiting share the
    # cores, so each waits about N x (machine CPU per answer) / cores
    r["little_ms"] = a.concurrency * (r["server_cpu_ms"] + r["client_cpu_ms"]) / os.cpu_count()
    return r


def schedule(pid: int, how: str) -> None:
    """Scheduling of the served processes for an experiment (``--sched``)."""
    if "batch" in how:
        for tid in os.listdir(f"/proc/{pid}/task"):
            os.sched_setscheduler(int(tid), os.SCHED_BATCH, os.sched_param(0))
    if "pin" in how:
        kids = _children(pid)
        for tid in os.listdir(f"/proc/{pid}/task"):
            os.sched_setaffinity(int(tid), {0})
        for i, c in enumerate(kids):
            os.sched_setaffinity(c, {0} if i == 0 else {1})


def table(rows: list[dict], concurrency: int) -> str:
    out = [
        f"| mix ({concurrency} clients) | generator | requests | median (mean) ms | p90 ms | p99 ms "
        "| max ms | req/s | server CPU ms/req (first process) | generator CPU ms/req "
        "| N x CPU / cores ms | cache hits | load before-after | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['mix']} | {r['client']} | {r['requests']} | {r['median_ms']:.1f} ({r['mean_ms']:.1f}) "
            f"| {r['p90_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.0f} | {r['per_s']:.0f} "
            f"| {r['server_cpu_ms']:.2f} ({r['serving_cpu_ms']:.2f}) | {r['client_cpu_ms']:.2f} "
            f"| {r['little_ms']:.1f} | {r['hits']} "
            f"| {r['load'][0]:.2f}-{r['load'][1]:.2f} | {r['errors'] or 'none'} |"
        )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument(
        "--think-ms",
        type=int,
        default=0,
        help="each client waits this long after an answer before its next question "
        "(like locust users; 0: saturated closed loop)",
    )
    ap.add_argument("--client", choices=["auto", "wrk", "raw"], default="auto")
    ap.add_argument("--mixes", default="repeat,mixed,distinct")
    ap.add_argument("--serve-arg", action="append", default=[], help="extra `serai serve` option")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON here")
    ap.add_argument(
        "--root", help="serve another checkout (e.g. a git worktree of an older commit)"
    )
    ap.add_argument("--plain", action="store_true", help="serve without uvloop and httptools")
    ap.add_argument(
        "--sched",
        choices=["none", "batch", "pin", "batchpin"],
        default="none",
        help="after the warm-up: the serving process SCHED_BATCH (batch), and/or pinned to "
        "core 0 with the first route worker, the others on core 1 (pin)",
    )
    a = ap.parse_args()
    if a.client == "auto":
        a.client = "wrk" if shutil.which("wrk") else "raw"
    os.chdir(ROOT)
    port = free_port()
    proc = start_server(port, a.serve_arg, root=a.root, plain=a.plain)
    rows = []
    try:
        warm(f"http://127.0.0.1:{port}")
        schedule(proc.pid, a.sched)
        for kind in a.mixes.split(","):
            rows.append(measure(proc, port, kind, a.requests, a))
        mem = memory_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; tree {a.root or ROOT}; serve "
        f"{' '.join(a.serve_arg) or '(defaults)'}{' without uvloop/httptools' if a.plain else ''}"
        f"{'; sched ' + a.sched if a.sched != 'none' else ''}"
    )
    print(table(rows, a.concurrency))
    if mem:
        print("memory after the mixes, MB: " + "; ".join(
            f"{role} {pid}: RSS {rss:.0f}, PSS {pss:.0f}, private {priv:.0f}"
            for role, pid, rss, pss, priv in mem
        ) + f"; PSS total {sum(m[3] for m in mem):.0f}")  # fmt: skip
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
