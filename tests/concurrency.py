"""Helpers for the thread and process tests: run calls concurrently, never hang the suite."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

#: A thread still running after this many seconds counts as a hang.
HANG_S = 120.0


def run_threads(
    calls: Sequence[Callable[[], Any]], n_threads: int, rounds: int = 1
) -> list[list[Any]]:
    """Run every call ``rounds`` times spread over ``n_threads`` threads started together.

    Thread ``i`` runs the calls in a rotated order (so that different threads run
    different queries at the same moment). Returns, per thread, the results in the
    order of ``calls`` (each call's last result); an exception in a call is returned as
    its result. Fails (AssertionError) when a thread does not finish within HANG_S.
    """
    results: list[list[Any]] = [[None] * len(calls) for _ in range(n_threads)]
    start = threading.Barrier(n_threads)

    def work(i: int) -> None:
        start.wait()
        order = [(j + 7 * i) % len(calls) for j in range(len(calls))]
        for _ in range(rounds):
            for j in order:
                try:
                    results[i][j] = calls[j]()
                except Exception as exc:  # reported to the test as a result
                    results[i][j] = exc

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(n_threads)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + HANG_S
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    hung = sum(t.is_alive() for t in threads)
    assert hung == 0, f"{hung} of {n_threads} threads still running after {HANG_S:.0f} s (hang)"
    return results
