"""Kernels run as plain Python (small problems, no numba start-up) give the compiled numbers.

Oracle: the same kernels compiled by numba, in the same process after the
interpreted runs (a fresh interpreter: once numba is loaded, serai never
interprets again). Also: a run past its CPU budget is rerun compiled and its
iterations are reported once each; a small ``serai assign`` never imports numba.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import SIOUX

REPO = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    import numpy as np
    from serai import _jit
    from serai.assignment import ALGORITHMS, AssignmentConfig, TrafficClass, assign
    from serai.network import compile_network, read_demand, read_network

    folder = sys.argv[1]
    graph = compile_network(read_network(folder + "/SiouxFalls_net.tntp"))
    demand = read_demand(folder + "/SiouxFalls_trips.tntp")
    half = demand.assign(volume=demand["volume"] / 2)
    two = [TrafficClass("car", half), TrafficClass("truck", half, pce=2.0, toll_weight=0.5)]
    cases = [(a, False) for a in ALGORITHMS] + [("b", True), ("bfw", True)]

    def run(a, mc):
        cfg = AssignmentConfig(algorithm=a, gap=1e-5, max_iter=25)
        r = assign(graph, two if mc else demand, cfg)
        return r.iterations, r.class_flows

    os.environ["SERAI_JIT"] = "never"
    interp = [run(a, mc) for a, mc in cases]
    out = {"numba_after_interpreted": "numba" in sys.modules}
    os.environ["SERAI_JIT"] = "always"
    comp = [run(a, mc) for a, mc in cases]
    out["compiled"] = _jit.is_compiled()
    out["cases"] = [
        [a, mc, i0, i1, float(np.max(np.abs(f0 - f1))), float(np.max(np.abs(f1)))]
        for (a, mc), (i0, f0), (i1, f1) in zip(cases, interp, comp)
    ]
    # numba loaded: one thread interpreting while another runs compiled, at once
    import threading
    mixed = {}

    def worker(name, interpret):
        got = []
        for a, mc in cases[-3:]:
            if interpret:
                with _jit.interpreted(None):
                    got.append(run(a, mc))
            else:
                got.append(run(a, mc))
        mixed[name] = got

    ts = [threading.Thread(target=worker, args=(n, n == "interpreted"))
          for n in ("interpreted", "compiled")]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out["mixed"] = [
        float(np.max(np.abs(f - comp[len(cases) - 3 + j][1])))
        for name in ("interpreted", "compiled") for j, (_, f) in enumerate(mixed[name])
    ]
    print(json.dumps(out))
    """
)

FALLBACK = textwrap.dedent(
    """
    import json, sys
    from serai import _jit
    from serai.assignment import AssignmentConfig, assign, dispatch
    from serai.network import compile_network, read_demand, read_network

    folder = sys.argv[1]
    graph = compile_network(read_network(folder + "/SiouxFalls_net.tntp"))
    demand = read_demand(folder + "/SiouxFalls_trips.tntp")
    dispatch.FIRST_ITERATION_S = 0.02  # spent within the first iteration
    seen = []
    r = assign(graph, demand, AssignmentConfig(algorithm="b", gap=1e-8),
               progress=lambda row: seen.append(row["iteration"]))
    print(json.dumps({"seen": seen, "iterations": r.iterations, "compiled": _jit.is_compiled()}))
    """
)


def _run(script: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "SERAI_JIT"}
    out = subprocess.run(
        [sys.executable, "-c", script, str(SIOUX)],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=600, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_interpreted_kernels_give_the_compiled_flows():
    got = _run(SCRIPT)
    assert got["numba_after_interpreted"] is False  # really interpreted: numba not loaded
    assert got["compiled"] is True
    for algorithm, multiclass, it0, it1, diff, scale in got["cases"]:
        assert it0 == it1, (algorithm, multiclass)
        # same operations in the same order; only library sums may round differently
        assert diff <= 1e-9 * scale, (algorithm, multiclass, diff)
    assert len(got["mixed"]) == 6 and max(got["mixed"]) <= 1e-9 * max(c[5] for c in got["cases"])


def test_run_past_its_budget_is_rerun_compiled_and_reported_once():
    got = _run(FALLBACK)
    assert got["compiled"] is True
    assert got["seen"] == list(range(1, got["iterations"] + 1))


def test_projection_of_the_cpu_still_needed():
    from serai.assignment.dispatch import projected_cpu

    def rows(gaps, step=0.1):
        return [{"iteration": i + 1, "gap": g, "cpu_s": step * (i + 1)} for i, g in enumerate(gaps)]

    assert projected_cpu([], 1e-4, 100) != projected_cpu([], 1e-4, 100)  # NaN: no rate yet
    assert projected_cpu(rows([1e-2]), 1e-4, 100) != projected_cpu(rows([1e-2]), 1e-4, 100)
    # a decade per iteration from 1e-2: 1e-8 is 6 iterations of 0.1 s away
    assert abs(projected_cpu(rows([1, 1e-1, 1e-2]), 1e-8, 1000) - 0.6) < 1e-9
    assert abs(projected_cpu(rows([1, 1e-1, 1e-2]), 1e-8, 5) - 0.2) < 1e-9  # max_iter caps
    assert projected_cpu(rows([1, 1e-1, 1e-5]), 1e-4, 100) == 0.0  # converged
    # not falling, or a target of 0: every iteration left
    assert abs(projected_cpu(rows([1e-2, 1e-2]), 1e-4, 10) - 0.8) < 1e-9
    assert abs(projected_cpu(rows([1, 1e-1]), 0.0, 10) - 0.8) < 1e-9
