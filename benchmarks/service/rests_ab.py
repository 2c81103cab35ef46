"""Route assembly with the old and the new truck-rest read-back, alternated in one process.

    SERAI_CACHE_DIR=... .venv/bin/python benchmarks/service/rests_ab.py

Captures the ``make_route`` calls of the first 256 questions of the load test's
``distinct`` mix (as ``request_cpu.py --mix distinct``), then calls ``make_route`` on each,
alternately with the pre-change ``route_components`` (tests/freight/_assembly_reference.py:
``exact_rests``, a Python loop over the route's rows) and with this checkout's
(``routecost._haul_rests``), 6 rounds; prints thread CPU ms per route of each and the ratio.
"""

from __future__ import annotations

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "..", "tests", "freight")]

import _assembly_reference as ref  # noqa: E402
from load import POPULAR, all_questions, sequence  # noqa: E402

from serai.api import Settings, models  # noqa: E402
from serai.api.routes import answer  # noqa: E402
from serai.freight import legs  # noqa: E402
from serai.freight import route as froute  # noqa: E402
from serai.freight.cache import cached_router  # noqa: E402

router = cached_router(None, year=None)
settings = Settings()
for q in all_questions()[POPULAR + 512 : POPULAR + 576]:
    answer("route", models.RouteQuery(**q), router, settings)
calls = []
make_route = legs.make_route


def capture(self, *args):
    calls.append(args)
    return make_route(self, *args)


froute.Router._make_route = capture
for q in sequence("distinct", 256):
    answer("route", models.RouteQuery(**q), router, settings)
froute.Router._make_route = make_route
new_rc = legs.route_components


def old_rc(lc, rows, kind, mode, road=None):
    return ref.route_components(lc, rows, kind, router._cols["mode"][rows])


cpu = {"old": 0.0, "new": 0.0}
for rnd in range(6):
    for args in calls:
        for v in ("old", "new") if rnd % 2 else ("new", "old"):
            legs.route_components = old_rc if v == "old" else new_rc
            t = time.thread_time()
            make_route(router, *args)
            cpu[v] += time.thread_time() - t
legs.route_components = new_rc
n = 6 * len(calls)
print(f"make_route CPU ms per route: old rests {1000 * cpu['old'] / n:.3f}, "
      f"new {1000 * cpu['new'] / n:.3f}, ratio {cpu['new'] / cpu['old']:.3f}, "
      f"load {os.getloadavg()[0]:.2f}")  # fmt: skip
