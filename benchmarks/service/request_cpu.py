"""CPU per route request of the service's own work (route search + JSON), one process per tree.

    .venv/bin/python benchmarks/service/request_cpu.py [--root OTHER_CHECKOUT]
        [--mix fixed|distinct] [--n 256] [--profile /tmp/answer.prof]

Runs 64 (origin, destination) questions (avoiding Russia, geometry on) through what
``POST /api/route`` does after parsing: ``Router.route``, the JSON answer and its gzip
form; prints the median wall and the process CPU (user+system) per request. CPU time is
what a loaded machine stretches least, so two checkouts run one after the other compare as
a ratio (``--root`` puts another checkout first on ``sys.path``, e.g. a ``git worktree`` of
an older commit; its routing graph comes from the disk cache keyed by its code).

``--mix distinct`` runs instead the first ``--n`` new questions of the load test's
``distinct`` mix (``load.py``: 16 origins, several off the network, x 16 destinations x 4
objectives x 4 avoid-sets) through the service's own ``answer()`` (checks, route, JSON with
geometry, gzip), after warming the costs of each objective on 64 other questions; each
question is asked once (no answer cache). ``--profile FILE`` writes a cProfile of them;
``--stages`` prints the thread CPU of each stage (search, route assembly, first/last-mile
legs, splice, JSON, gzip, checks) per question, timed around the functions.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--root", default=None)
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--mix", choices=("fixed", "distinct"), default="fixed")
ap.add_argument("--n", type=int, default=256)
ap.add_argument("--profile", default=None)
ap.add_argument("--stages", action="store_true", help="CPU of each stage (distinct mix)")
a = ap.parse_args()
if a.root:
    sys.path.insert(0, a.root)

try:  # serai/api split into one module per resource
    from serai.api import responses as api
    from serai.api.routes import route_json
except ImportError:  # an older checkout (--root): everything in serai.api.app
    from serai.api import app as api

    route_json = api.route_json
from serai.freight.cache import cached_router  # noqa: E402

ORIGINS = ["Xi'an", "Almaty", "Shanghai", "Shymkent", "Tashkent", "Aktau", "Baku", "Urumqi"]
DESTS = ["Duisburg", "Constanța", "Poti", "Rotterdam", "Istanbul", "Hamburg", "Mersin", "Batumi"]
router = cached_router(None, year=None)
net = router.rg.network
ENCODED = hasattr(api, "packed")  # this checkout writes route geometry from encoded shapes


def request(o: str, d: str) -> bytes:
    from serai.freight.checks import check_codes
    from serai.freight.route import Constraints

    check_codes(router, avoid_countries=["RU"])
    router.locate(o)
    router.locate(d)  # the API checks both places first (field names in errors)
    r = router.route(o, d, "container", constraints=Constraints.make(avoid_countries=["RU"]))
    if ENCODED:  # what the API writes: geometry from the encoded shapes, gzip of the answer
        return api.packed(api.dumps({"routes": [route_json(r, net, True, encoded=True)]}))
    body = {"routes": [route_json(r, net, True)]}
    if hasattr(api, "dumps"):
        data = api.dumps(body)
    else:
        data = json.dumps(api._clean(body), ensure_ascii=False, separators=(",", ":")).encode()
    return api._packed(data) if hasattr(api, "_packed") else data


def distinct() -> tuple[list, list]:
    """(wall ms, CPU ms) of each of the first ``--n`` new questions of load.py's mix."""
    import os

    from serai.api import Settings, models
    from serai.api.routes import answer

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from load import POPULAR, all_questions, sequence

    settings = Settings()
    for q in all_questions()[POPULAR + 512 : POPULAR + 576]:  # warm: costs of each objective
        answer("route", models.RouteQuery(**q), router, settings)
    qs = [models.RouteQuery(**q) for q in sequence("distinct", a.n)]
    if a.stages:
        stages()
    prof = None
    if a.profile:
        import cProfile

        prof = cProfile.Profile()
    wall, cpu = [], []
    for q in qs:
        t, c = time.perf_counter(), time.process_time()
        if prof is not None:
            prof.runcall(answer, "route", q, router, settings)
        else:
            answer("route", q, router, settings)
        wall.append(1000 * (time.perf_counter() - t))
        cpu.append(1000 * (time.process_time() - c))
    if prof is not None:
        prof.dump_stats(a.profile)
    return wall, cpu


STAGE_CPU: dict[str, float] = {}


def stages() -> None:
    """Wrap the stages of an answer with thread-CPU timers (in this checkout's modules)."""
    import serai.api.routes as routes
    from serai.freight import ends, legs
    from serai.freight import route as froute
    from serai.paths import _kernels

    def wrap(owner, name, label):
        f = getattr(owner, name)
        if f is None:
            return

        def timed(*args, **kw):
            t = time.thread_time()
            try:
                return f(*args, **kw)
            finally:
                STAGE_CPU[label] = STAGE_CPU.get(label, 0.0) + time.thread_time() - t

        setattr(owner, name, timed)

    for kernel in ("ends_search", "dijkstra"):
        if hasattr(_kernels, kernel):
            wrap(_kernels, kernel, "search kernels (numba)")
    froute.Router._make_route = legs.make_route
    wrap(froute.Router, "_make_route", "route assembly (make_route)")
    wrap(ends, "endpoints", "first/last-mile legs (endpoints)")
    wrap(ends, "splice", "splice of first/last-mile legs")
    wrap(routes, "route_json", "JSON of the route (route_json)")
    wrap(routes, "dumps", "JSON encoding (dumps)")
    wrap(routes, "packed", "gzip")
    wrap(routes, "constraints_of", "request checks (constraints_of)")


if a.mix == "distinct":
    wall, cpu = distinct()
else:
    pairs = list(itertools.product(ORIGINS, DESTS))
    request(*pairs[0])
    wall, cpu = [], []
    for _ in range(a.rounds):
        for o, d in pairs:
            t, c = time.perf_counter(), time.process_time()
            request(o, d)
            wall.append(1000 * (time.perf_counter() - t))
            cpu.append(1000 * (time.process_time() - c))
print(json.dumps({"root": a.root or ".", "serai": api.__file__, "mix": a.mix,
                  "requests": len(wall), "load": [round(x, 2) for x in __import__("os").getloadavg()],
                  "median_wall_ms": round(statistics.median(wall), 2),
                  "median_cpu_ms": round(statistics.median(cpu), 2),
                  "mean_cpu_ms": round(statistics.fmean(cpu), 2)}))  # fmt: skip
if STAGE_CPU:
    total = sum(cpu)
    for k, v in sorted(STAGE_CPU.items(), key=lambda kv: -kv[1]):
        print(f"  {k:36s} {1000 * v / len(cpu):6.2f} ms/question {100000 * v / total:5.1f} %")
