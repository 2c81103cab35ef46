"""CPU of a route answer's JSON alone (route_json + dumps + gzip), on the routes of new questions.

    .venv/bin/python benchmarks/service/json_cpu.py [--root OTHER_CHECKOUT] [--n 256]
        [--rounds 5] [--out answers.pkl | --check answers.pkl]

Finds the routes of the first ``--n`` new questions of load.py's ``distinct`` mix (as
``serai.api.routes.answer`` does: checks, search), then writes each answer's JSON and gzip
form ``--rounds`` times; prints the least CPU per question of a round (warm caches: the
JSON stage alone, without the search between two answers; ``request_cpu.py --stages``
gives it in the answer's real order). ``--out`` keeps the answers' bytes, ``--check``
compares them with those kept (e.g. by another checkout, ``--root``).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--root", default=None)
ap.add_argument("--n", type=int, default=256)
ap.add_argument("--rounds", type=int, default=5)
ap.add_argument("--out", default=None)
ap.add_argument("--check", default=None)
a = ap.parse_args()
if a.root:
    sys.path.insert(0, a.root)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from load import POPULAR, all_questions, sequence  # noqa: E402

from serai.api import Settings, models  # noqa: E402
from serai.api import routes as R  # noqa: E402
from serai.api.responses import dumps, packed  # noqa: E402
from serai.freight.cache import cached_router  # noqa: E402

router = cached_router(None, year=None)
net = router.rg.network
settings = Settings()
for q in all_questions()[POPULAR + 512 : POPULAR + 576]:  # warm: costs of each objective
    R.answer("route", models.RouteQuery(**q), router, settings)
found = []
for q in (models.RouteQuery(**q) for q in sequence("distinct", a.n)):
    cons = R.constraints_of(router, q, settings)
    found.append((q, R._reliable(q, R._search("route", router, q, cons))))


def one(q, pairs):
    routes = [R.route_json(r, net, q.geometry, rel, encoded=True) for r, rel in pairs]
    return packed(dumps({"query": q.model_dump(), "routes": routes}))


answers = [one(q, f)[0] for q, f in found]
same = None
if a.out:
    with open(a.out, "wb") as f:
        pickle.dump(answers, f)
if a.check:
    with open(a.check, "rb") as f:
        same = sum(x == y for x, y in zip(answers, pickle.load(f), strict=True))
cpu = []
for _ in range(a.rounds):
    c = time.process_time()
    for q, f in found:
        one(q, f)
    cpu.append(1000 * (time.process_time() - c) / len(found))
print(json.dumps({"root": a.root or ".", "questions": len(found), "load": [round(x, 2) for x in os.getloadavg()],
                  "json_gzip_cpu_ms_min": round(min(cpu), 4), "json_gzip_cpu_ms_median": round(sorted(cpu)[len(cpu) // 2], 4),
                  "mean_kB": round(sum(map(len, answers)) / len(answers) / 1000, 2),
                  **({"same_bytes": same} if same is not None else {})}))  # fmt: skip
