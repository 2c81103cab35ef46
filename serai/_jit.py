"""numba for serai's kernels, with a cheaper first use per process.

Every kernel module takes ``njit`` from here (``from serai._jit import njit``); kernels
are compiled once and cached on disk (``cache=True``).

Why: the first call of any numba function in a process loads numba's typing and
lowering registries; one of them, ``numba.np.arraymath``, asks at import time whether
a BLAS is available by importing ``scipy.linalg.cython_blas``, which imports all of
``scipy.linalg`` (about 0.25 CPU s here, a third of a small ``serai assign``). serai's
kernels use no BLAS. That one question is answered here by whether scipy's
``linalg`` package is installed (found, not imported); the first real BLAS use in the
process (none in serai) still goes through numba's full check, which is put back
after that one call.
"""

from __future__ import annotations

import importlib.util
import sys

import numba
from numba import njit

__all__ = ["njit", "numba"]


def _cheap_blas_probe() -> None:
    if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules:
        return  # already paid, or nothing to save
    try:
        import numba.np.linalg as la
    except Exception:  # a numba without this layout: leave it alone
        return
    original = getattr(la, "ensure_blas", None)
    if original is None:
        return

    def ensure_blas() -> None:
        la.ensure_blas = original  # every later caller gets numba's own check
        try:
            found = importlib.util.find_spec("scipy.linalg") is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise ImportError("scipy 0.16+ is required for linear algebra")

    la.ensure_blas = ensure_blas


_cheap_blas_probe()
