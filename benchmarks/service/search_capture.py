"""Record every ``ends_search`` call of the first N questions of load.py's ``distinct`` mix.

    .venv/bin/python benchmarks/service/search_capture.py 2000 /tmp/calls.pkl

After the usual 64 warming questions, each question goes through the service's ``answer()``
with ``serai.paths._kernels.ends_search`` wrapped: its arguments, the cost and landmark
arrays (once each), its results and the labels of the targets go into a pickle that
``search_ab.py`` replays with two checkouts' kernels.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))


def main() -> None:
    from load import POPULAR, all_questions, sequence

    from serai.api import Settings, models
    from serai.api.routes import answer
    from serai.freight.cache import cached_router
    from serai.paths import _kernels as k

    router = cached_router(None, year=None)
    settings = Settings()
    for q in all_questions()[POPULAR + 512 : POPULAR + 576]:  # warm: costs of each objective
        answer("route", models.RouteQuery(**q), router, settings)
    qs = sequence("distinct", int(sys.argv[1]))
    arrays: dict = {}
    calls: list = []
    now = [0]
    kernel = k.ends_search

    def record(*args):
        (_, _, _, cost, _, src, off, dst, doff, settle_all, marks, n_active, dist) = args[:13]
        for a in (cost, marks):
            arrays.setdefault(id(a), a)
        j, settled = kernel(*args)
        calls.append({"q": now[0], "cost": id(cost), "marks": id(marks), "src": src.copy(),
                      "off": off.copy(), "dst": dst.copy(), "doff": doff.copy(),
                      "settle_all": settle_all, "n_active": n_active, "j": j,
                      "settled": settled, "dd": dist[dst].copy()})  # fmt: skip
        return j, settled

    k.ends_search = record
    for i, q in enumerate(qs):
        now[0] = i
        try:
            answer("route", models.RouteQuery(**q), router, settings)
        except Exception as e:  # (a question the service refuses: not searched)
            print("refused", i, e)
    g = router.rg.graph
    print({"calls": len(calls), "arrays": len(arrays), "nodes": g.n_nodes, "edges": len(g.heads)})
    with open(sys.argv[2], "wb") as f:
        pickle.dump({"qs": qs, "calls": calls, "arrays": arrays, "indptr": g.indptr,
                     "heads": g.heads, "tails": g.tails, "passable": g.passable}, f,
                    protocol=5)  # fmt: skip


if __name__ == "__main__":
    main()
