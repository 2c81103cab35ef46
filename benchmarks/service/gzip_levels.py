"""CPU and size of gzip compressors on the service's route answers (choosing ``packed``'s).

    .venv/bin/python benchmarks/service/gzip_levels.py [--n 256]

Computes the JSON answers of the first ``--n`` questions of ``load.py``'s ``distinct`` mix
(``serai.api.routes.answer``, geometry on) and compresses each with zlib (``gzip``) at
levels 1-6, ISA-L (``isal.igzip``, levels 0-3) and zlib-ng (``zlib_ng.gzip_ng``) when
importable; prints the best of 7 passes of CPU per answer and the mean compressed size.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import time
from pathlib import Path

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--n", type=int, default=256)
a = ap.parse_args()
sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import sequence  # noqa: E402

from serai.api import Settings, models  # noqa: E402
from serai.api.routes import answer  # noqa: E402
from serai.freight.cache import cached_router  # noqa: E402

router = cached_router(None, year=None)
settings = Settings()
datas = [answer("route", models.RouteQuery(**q), router, settings)[0]
         for q in sequence("distinct", a.n)]  # fmt: skip
compressors = {f"zlib {lv}": (lambda d, lv=lv: gzip.compress(d, lv, mtime=0)) for lv in range(1, 7)}
try:
    from isal import igzip

    for lv in range(4):
        compressors[f"isal {lv}"] = lambda d, lv=lv: igzip.compress(d, lv, mtime=0)
except ImportError:
    pass
try:
    from zlib_ng import gzip_ng

    for lv in (1, 2, 6):
        compressors[f"zlib-ng {lv}"] = lambda d, lv=lv: gzip_ng.compress(d, lv, mtime=0)
except ImportError:
    pass
print(f"{len(datas)} answers, mean {statistics.fmean(map(len, datas)) / 1000:.1f} kB of JSON")
print("| compressor, level | CPU ms per answer | mean kB |")
print("|---|---:|---:|")
for name, fn in compressors.items():
    best = float("inf")
    for _ in range(7):
        c = time.process_time()
        out = [fn(d) for d in datas]
        best = min(best, time.process_time() - c)
    assert all(gzip.decompress(o) == d for o, d in zip(out, datas, strict=True))
    size = statistics.fmean(map(len, out)) / 1000
    print(f"| {name} | {1000 * best / len(datas):.3f} | {size:.2f} |")
