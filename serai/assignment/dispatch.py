"""Small problems run with the kernels interpreted (no numba start-up); the rest compiled.

Loading numba and its cached kernels costs about 0.6-0.9 CPU s per process, more than
a whole SiouxFalls assignment to a gap of 1e-4 run as plain Python (0.1 s).
:func:`_run` runs a small problem (:data:`SMALL_WORK`) with the kernels interpreted
(see :mod:`serai._jit`); it gives up and reruns the problem compiled (the same
kernels, the same numbers; the iterations already reported are not reported again)

- when the first iteration takes more than :data:`FIRST_ITERATION_S` CPU s (the
  problem is too big to interpret), or
- after any iteration, when the iterations still needed, projected from how fast
  the relative gap has been falling (at most ``max_iter``), would cost more CPU time
  interpreted than loading numba does (:data:`NUMBA_LOAD_S`): the time already spent
  is lost either way, so only what remains is compared; or
- when the projection was wrong: an iteration runs :data:`NUMBA_LOAD_S` x 1.5 CPU s
  past the last one, or the interpreted run reaches :data:`SMALL_BUDGET_S` in all.

Which path runs changes nothing but the time: the interpreted kernels perform the
operations numba compiles, in the same order (``tests/assignment/test_jit.py``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

__all__ = [
    "FIRST_ITERATION_S",
    "NUMBA_LOAD_S",
    "SMALL_BUDGET_S",
    "SMALL_WORK",
    "projected_cpu",
]

#: Largest problem (edges x origins) first tried with the kernels interpreted.
SMALL_WORK = 20_000
#: CPU seconds the first interpreted iteration may take.
FIRST_ITERATION_S = 0.3
#: CPU seconds loading numba and serai's cached kernels costs a fresh process (0.6-0.9 s
#: on the development machine, BENCHMARKS.md "Start-up"); an interpreted run continues
#: while the CPU time it still needs is projected below this.
NUMBA_LOAD_S = 0.8
#: CPU seconds an interpreted run may take in all, whatever the projection says.
SMALL_BUDGET_S = 3.0
#: Iterations over which the rate of the gap's fall is measured (the first iteration,
#: which builds the bushes or the first all-or-nothing flows, is never one of them).
_RATE_WINDOW = 5

Progress = Callable[[dict], None]


def projected_cpu(rows: list[dict], target: float, max_iter: int) -> float:
    """CPU seconds the iterations after ``rows`` are projected to take (NaN: unknown yet).

    The relative gap is taken to keep falling geometrically at the rate of the last
    :data:`_RATE_WINDOW` iterations (Algorithm B and the conjugate Frank-Wolfe
    methods do; plain Frank-Wolfe and MSA slow down, so for them this is a lower
    bound); at most ``max_iter`` iterations in all; each costs the mean CPU time of
    those last iterations.

    Examples
    --------
    >>> rows = [{"iteration": i, "gap": 10.0 ** -i, "cpu_s": 0.01 * i} for i in (1, 2, 3, 4)]
    >>> round(projected_cpu(rows, 1e-8, 1000), 6)  # 4 more iterations of 0.01 s
    0.04
    """
    if not rows:
        return math.nan
    last = rows[-1]
    it, gap = int(last["iteration"]), float(last["gap"])
    if gap <= target:
        return 0.0
    left = max(0, int(max_iter) - it)
    if left == 0:
        return 0.0
    if len(rows) < 2:
        return math.nan  # one iteration: no rate yet (the CPU budget still applies)
    first = rows[max(1, len(rows) - 1 - _RATE_WINDOW)] if len(rows) > 2 else rows[0]
    k = it - int(first["iteration"])
    if k <= 0:
        return math.nan
    per_iter = (float(last["cpu_s"]) - float(first["cpu_s"])) / k
    g0 = float(first["gap"])
    if target > 0 and gap > 0 and g0 > gap:
        rate = (math.log(g0) - math.log(gap)) / k  # log-gap fall per iteration
        need = min(left, math.ceil(math.log(gap / target) / rate - 1e-9))
    else:  # not falling (or a target of 0): every iteration left
        need = left
    return need * per_iter


def _run(method: Callable, p: Any, cfg: Any, progress: Progress | None):
    """Run ``method``; a small problem first with the kernels interpreted (see the module)."""
    from serai import _jit

    mode = _jit.jit_mode()
    small = p.m * max(1, len(p.borig)) <= SMALL_WORK
    if mode == "always" or _jit.is_compiled() or (mode == "auto" and not small):
        return method(p, cfg, progress)
    done = [0]
    rows: list[dict] = []
    judge = [mode == "auto"]  # only the interpreted attempt is judged
    start = time.process_time()

    def report(row: dict) -> None:
        if row["iteration"] > done[0]:
            done[0] = row["iteration"]
            if progress is not None:
                progress(row)
        if judge[0]:
            rows.append(row)
            if projected_cpu(rows, cfg.gap, cfg.max_iter) > NUMBA_LOAD_S:
                raise _jit.OverBudget("projected past the cost of loading numba")
            left = SMALL_BUDGET_S - (time.process_time() - start)
            _jit.extend_budget(min(left, 1.5 * NUMBA_LOAD_S))

    try:
        with _jit.interpreted(None if mode == "never" else FIRST_ITERATION_S):
            return method(p, cfg, report)
    except _jit.OverBudget:
        judge[0] = False
        return method(p, cfg, report)
