"""Load and build times of the embedded Eurasian network (run on demand, not in the tests).

    .venv/bin/python benchmarks/data/bench_eurasia.py [--build]

Loads are timed in fresh subprocesses (imports excluded, median of 5): ``load_eurasia()``,
the generic Parquet reader ``read_network(serai/data/eurasia)`` (casts every column
through the schema) and, as the "raw inputs" peer, reading the OSM-derived rail + road
CSVs the build starts from. ``--build`` also times ``serai data build`` into a temp folder
and checks that it reproduces the shipped files byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SNIPPETS = {
    "load_eurasia()": (
        "import serai.network, pyarrow.parquet, pandas\nfrom serai.data import load_eurasia",
        "load_eurasia()",
    ),
    "read_network(parquet dir)": (
        "from serai.network import read_network\nfrom serai.data import eurasia_path",
        "read_network(eurasia_path())",
    ),
    "raw OSM rail+road CSVs (pandas)": (
        "import pandas as pd",
        "[pd.read_csv(f'tools/data/raw/{k}_{t}.csv.gz') for k in ('railways', 'highways') "
        "for t in ('nodes', 'edges')]",
    ),
}


def _time(setup: str, stmt: str) -> float:
    code = f"{setup}\nimport time\nt=time.perf_counter()\n{stmt}\nprint(time.perf_counter()-t)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    res = {}
    for name, (setup, stmt) in SNIPPETS.items():
        res[name] = statistics.median(_time(setup, stmt) for _ in range(5))
    base = res["load_eurasia()"]
    for name, s in res.items():
        print(f"{name:35s} {s:7.3f} s  ({s / base:5.1f} x load_eurasia)")
    if "--build" in sys.argv:
        sys.path.insert(0, str(REPO))
        from tools.data.build import OUT, build

        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            build(Path(tmp), log=lambda *_: None)
            secs = time.perf_counter() - t
            same = all(
                hashlib.sha256(f.read_bytes()).digest()
                == hashlib.sha256((OUT / f.name).read_bytes()).digest()
                for f in Path(tmp).glob("*.parquet")
            )
        print(f"build: {secs:.1f} s; identical to the shipped files: {same}")
        res["build_s"] = secs
        res["reproducible"] = same
    print(json.dumps(res))


if __name__ == "__main__":
    main()
