"""The layered graph of a minerals chain: one stage matrix of objective values per leg
(facilities of one stage x facilities of the next), solved by dynamic programming.

Plain functions on arrays (split from :mod:`serai.minerals.engine`).

Examples
--------
>>> import numpy as np
>>> mats = [np.array([[1.0, 4.0]]), np.array([[2.0], [0.5]])]
>>> fw, bw = dp_values(mats, [1.0, 1.0])
>>> float(fw[-1][0]), float(bw[0][0])
(3.0, 3.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["dp_values", "trace"]


def dp_values(mats: list[np.ndarray], weights: list[float]) -> tuple[list, list]:
    """Forward and backward values of the layered graph (stage matrices [f, g])."""
    fw = [np.zeros(mats[0].shape[0])]
    for m, w in zip(mats, weights, strict=True):
        fw.append(np.min(fw[-1][:, None] + w * m, axis=0))
    bw = [np.zeros(mats[-1].shape[1])]
    for m, w in zip(reversed(mats), reversed(weights), strict=True):
        bw.insert(0, np.min(w * m + bw[0][None, :], axis=1))
    return fw, bw


def trace(sol: Any, fixed: tuple[int, int] | None = None) -> list[int]:
    """Facility index per stage of the best chain (through stage/facility ``fixed``), from a
    solution's legs (``obj``, ``weight``) and its forward and backward values."""
    legs = sol.legs
    n = len(legs) + 1
    pick = [0] * n
    if fixed is None:
        pick[-1] = int(np.argmin(sol.forward[-1]))
        start = n - 1
    else:
        k, f = fixed
        pick[k] = f
        for s in range(k, n - 1):  # forward from the fixed stage along the backward values
            leg = legs[s]
            pick[s + 1] = int(np.argmin(leg.weight * leg.obj[pick[s]] + sol.backward[s + 1]))
        start = k
    for s in range(start, 0, -1):
        leg = legs[s - 1]
        pick[s - 1] = int(np.argmin(sol.forward[s - 1] + leg.weight * leg.obj[:, pick[s]]))
    return pick
