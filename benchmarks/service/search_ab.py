"""Kernel CPU of ``ends_search`` from two checkouts on the same recorded searches, in turns.

    .venv/bin/python benchmarks/service/search_capture.py 2000 /tmp/calls.pkl
    .venv/bin/python benchmarks/service/search_ab.py /tmp/calls.pkl --root OTHER_CHECKOUT

``search_capture.py`` records every ``ends_search`` call of the first N questions of
load.py's ``distinct`` mix (after the usual 64 warming questions): arguments, cost and
landmark arrays, results. This script loads ``serai/paths/_alt.py`` of ``--root`` (with its
own ``_kernels.py``) beside this checkout's, replays every call with both, alternating which
goes first, and prints thread CPU per call of each and their ratio, after checking that both
give the same target, settled count, labels of the targets and path (``--aa``: this
checkout against itself).
"""

from __future__ import annotations

import argparse
import importlib.util
import pickle
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _load_other(root: Path):
    """The other checkout's ``_alt`` module, importing its own ``_kernels`` (renamed)."""
    name = "other_kernels"
    src = (root / "serai/paths/_kernels.py").read_text()
    src = src[: src.index("# goal-directed kernels live in _alt")]
    tmp = Path("/tmp") / f"search_ab_{abs(hash(str(root)))}"
    tmp.mkdir(exist_ok=True)
    (tmp / f"{name}.py").write_text(src)
    alt = (root / "serai/paths/_alt.py").read_text()
    alt = alt.replace("from serai.paths._kernels import (", f"from {name} import (")
    (tmp / "other_alt.py").write_text(alt)
    sys.path.insert(0, str(tmp))
    spec = importlib.util.spec_from_file_location("other_alt", tmp / "other_alt.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("calls")
    ap.add_argument("--root", default=None)
    ap.add_argument("--aa", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    from serai.paths import _alt as this

    other = this if a.aa else _load_other(Path(a.root))
    d = pickle.load(open(a.calls, "rb"))
    calls, arrays = d["calls"], d["arrays"]
    n, m = len(d["indptr"]) - 1, len(d["heads"])

    def scratch():
        return (np.empty(n), np.empty(n, np.int64), np.empty(m + 1),
                np.empty(m + 1, np.int32), np.zeros((n + 1, 4)))  # fmt: skip

    s = [scratch(), scratch()]
    mods = [other, this]

    def run(k, c):
        return mods[k].ends_search(d["indptr"], d["heads"], d["tails"], arrays[c["cost"]],
                                   d["passable"], c["src"], c["off"], c["dst"], c["doff"],
                                   c["settle_all"], arrays[c["marks"]], c["n_active"], *s[k])  # fmt: skip

    run(0, calls[0]), run(1, calls[0])
    cpu = np.zeros((2, len(calls)))
    different = 0
    for rnd in range(a.rounds):
        for i, c in enumerate(calls):
            r = [None, None]
            for k in (0, 1) if (i + rnd) % 2 == 0 else (1, 0):
                t = time.thread_time_ns()
                r[k] = run(k, c)
                cpu[k, i] += time.thread_time_ns() - t
            if rnd == 0:
                dst = c["dst"]
                same = r[0] == r[1] and np.array_equal(s[0][0][dst], s[1][0][dst])
                if same and r[0][0] >= 0:
                    p0 = this.trace_root(s[0][1], d["tails"], dst[r[0][0]])
                    p1 = this.trace_root(s[1][1], d["tails"], dst[r[0][0]])
                    same = np.array_equal(p0[0], p1[0]) and p0[1] == p1[1]
                different += not same
    per = cpu.sum(1) / a.rounds / len(calls) / 1e6
    print({"calls": len(calls), "different": different, "ms_per_call": [round(float(x), 4) for x in per],
           "ratio": round(float(per[1] / per[0]), 3),
           "median_call_ratio": round(float(np.median(cpu[1] / cpu[0])), 3)})  # fmt: skip


if __name__ == "__main__":
    main()
