"""CPU of route assembly alone: ``make_route`` and ``splice`` replayed on captured questions.

    .venv/bin/python benchmarks/service/assembly_replay.py [--root OTHER_CHECKOUT] [--n 256]
        [--rounds 7]

Asks the first ``--n`` questions of load.py's ``distinct`` mix through the service's own
``answer()`` (after warming the costs of each objective, as ``request_cpu.py --mix
distinct``), keeping the arguments of every ``make_route`` and ``splice`` call; then calls
them again, all of them per round, ``--rounds`` times, and prints the process CPU per question
of each (the least and the median round). The routes' ~100 virtual links per question are
read from arrays of 132k entries: between two calls of a round the caches hold the other
routes' links, as in the service where the search and the JSON run between them.
``--root`` puts another checkout first on ``sys.path`` (e.g. a git worktree of main):
compare checkouts in alternate runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--root", default=None)
ap.add_argument("--n", type=int, default=256)
ap.add_argument("--rounds", type=int, default=7)
a = ap.parse_args()
if a.root:
    sys.path.insert(0, a.root)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from load import POPULAR, all_questions, sequence  # noqa: E402

from serai.api import Settings, models  # noqa: E402
from serai.api.routes import answer  # noqa: E402
from serai.freight import ends, legs  # noqa: E402
from serai.freight import route as froute  # noqa: E402
from serai.freight.cache import cached_router  # noqa: E402

router = cached_router(None, year=None)
settings = Settings()
for q in all_questions()[POPULAR + 512 : POPULAR + 576]:  # warm: costs of each objective
    answer("route", models.RouteQuery(**q), router, settings)
make_route, splice = legs.make_route, ends.splice
made, spliced = [], []


def _make_route(*args):
    made.append(args)
    return make_route(*args)


def _splice(*args):
    spliced.append(args[1:])
    return splice(*args)


froute.Router._make_route = _make_route
ends.splice = _splice
for q in sequence("distinct", a.n):
    answer("route", models.RouteQuery(**q), router, settings)
froute.Router._make_route = make_route
ends.splice = splice
assert len(made) == len(spliced)
routes = [make_route(*x) for x in made]


def replay(f, calls) -> list[float]:
    out = []
    for _ in range(a.rounds):
        t = time.process_time()
        for x in calls:
            f(*x)
        out.append(1e6 * (time.process_time() - t) / len(calls))
    return out


mr = replay(make_route, made)
sp = replay(splice, [(r, *x) for r, x in zip(routes, spliced, strict=True)])
print(json.dumps({"root": a.root or ".", "serai": legs.__file__, "questions": len(made),
                  "load": [round(x, 2) for x in os.getloadavg()],
                  "make_route_us": [round(min(mr), 1), round(statistics.median(mr), 1)],
                  "splice_us": [round(min(sp), 1), round(statistics.median(sp), 1)]}))  # fmt: skip
