"""CPU per route answer with the router's arrays on transparent huge pages, against as mapped.

    .venv/bin/python benchmarks/service/thp_paired.py [--n 1000]

The router cache entry is mapped from its file (``serai.freight.cache._loads_mapped``:
4 kB pages of the page cache) and the masked landmarks too (``load_marks``). This starts two
processes of this checkout answering the first ``--n`` new questions of ``load.py``'s
``distinct`` mix in lockstep (ABBA, as ``paired_cpu.py``): the first as shipped, the second
with the entry read into one anonymous buffer that numpy allocates with
``madvise(MADV_HUGEPAGE)`` (this machine's THP setting is ``madvise``) and the landmarks
copied likewise. Prints each one's AnonHugePages (kB), mean CPU per answer and the ratio.
An experiment: nothing of serai is changed.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import struct
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _huge_pages() -> None:
    """Read router entries and landmarks into THP-advised anonymous memory."""
    import numpy as np

    import serai.freight.cache as cache

    def loads_read(path: Path) -> object:
        with open(path, "rb") as fh:
            buf = np.empty(os.fstat(fh.fileno()).st_size, np.uint8)  # >= 4 MB: MADV_HUGEPAGE
            fh.readinto(memoryview(buf))
        view = memoryview(buf)
        n, stream_len = struct.unpack_from("<QQ", buf, 8)
        head = 24 + 16 * n
        parts = [struct.unpack_from("<QQ", buf, 24 + 16 * i) for i in range(n)]
        return pickle.loads(
            view[head : head + stream_len], buffers=[view[o : o + k] for o, k in parts]
        )

    mapped = cache.load_marks

    def load_marks(router: object, digest: str, shape: tuple[int, ...]) -> object:
        got = mapped(router, digest, shape)
        return None if got is None else np.array(got)

    cache._loads_mapped = loads_read
    cache.load_marks = load_marks


def child(n: int, huge: bool) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    if huge:
        _huge_pages()
    from load import POPULAR, all_questions, sequence

    from serai.api import Settings, models
    from serai.api.responses import slim
    from serai.api.routes import answer
    from serai.freight.cache import cached_router

    router = cached_router(None, year=None)
    settings = Settings()
    for q in all_questions()[POPULAR + 512 : POPULAR + 576]:  # warm: costs of each objective
        answer("route", models.RouteQuery(**q), router, settings)
    qs = [models.RouteQuery(**q).model_dump_json() for q in sequence("distinct", n)]
    with open("/proc/self/smaps_rollup") as fh:
        huge_kb = next(ln.split()[1] for ln in fh if ln.startswith("AnonHugePages"))
    print("ready", huge_kb, flush=True)
    for line in sys.stdin:
        c = time.process_time()
        q = models.RouteQuery.model_validate_json(qs[int(line)])
        slim(answer("route", q, router, settings))
        print(1000 * (time.process_time() - c), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--child", choices=["mapped", "huge"], help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        return child(a.n, a.child == "huge")
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--n", str(a.n), "--child", k],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
        )
        for k in ("mapped", "huge")
    ]  # fmt: skip
    huge_kb = [p.stdout.readline().split()[1] for p in procs]
    cpu: list[list[float]] = [[], []]
    for i in range(a.n):
        for k in (0, 1) if i % 2 == 0 else (1, 0):
            procs[k].stdin.write(f"{i}\n")
            procs[k].stdin.flush()
            cpu[k].append(float(procs[k].stdout.readline()))
    for p in procs:
        p.stdin.close()
        p.wait()
    m = [statistics.fmean(c) for c in cpu]
    print(json.dumps({"n": a.n, "load": round(os.getloadavg()[0], 2),
                      "anon_huge_pages_kB": {"mapped": huge_kb[0], "huge": huge_kb[1]},
                      "mean_cpu_ms": {"mapped": round(m[0], 3), "huge": round(m[1], 3)},
                      "huge / mapped": round(m[1] / m[0], 4),
                      "median_paired_ratio": round(statistics.median(
                          b / x for x, b in zip(*cpu, strict=True)), 4)}))  # fmt: skip


if __name__ == "__main__":
    main()
