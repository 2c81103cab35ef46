"""Volume-delay functions (VDFs): link travel time as a function of flow.

A VDF is any object with the :class:`VolumeDelay` protocol: vectorised
``time``, ``derivative`` and ``integral`` over numpy arrays, the link columns it
reads (``columns``, with ``defaults`` when a column is absent), and optionally a
numba ``scalar`` function ``(v, t0, cap, p0, p1) -> (t, dt)`` (``@njit``; p0, p1 the
first two parameter columns, 0 when absent) that Algorithm B calls inside its
kernels. Built-in VDFs (:class:`BPR`, :class:`Conical`) carry a ``code`` the
cached kernels dispatch on; a user VDF (``code = -1``) needs no change to the
engine: pass the object as ``AssignmentConfig(vdf=...)``. The link-based methods
use its numpy functions; Algorithm B compiles kernels around its ``scalar`` once
per process (a few seconds, not cached on disk).

Examples
--------
>>> import numpy as np
>>> bpr = BPR()
>>> t = bpr.time(np.array([0.0, 100.0]), np.array([10.0, 10.0]), np.array([100.0, 100.0]),
...              (np.array([0.15, 0.15]), np.array([4.0, 4.0])))
>>> t.tolist()
[10.0, 11.5]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from serai.errors import InputError

__all__ = ["BPR", "Conical", "VolumeDelay", "vdf_by_name"]

Params = Sequence[np.ndarray]

_TINY_VC = 1e-9  # volume/capacity at which a power < 1 BPR derivative is taken for zero flow


@runtime_checkable
class VolumeDelay(Protocol):
    """Protocol every volume-delay function implements.

    ``v`` is the link flow (in PCE units), ``t0`` the free-flow time, ``cap`` the
    capacity and ``params`` one array per entry of ``columns`` (per link).
    """

    name: str
    columns: tuple[str, ...]
    defaults: tuple[float, ...]
    code: int  # 0 BPR, 1 conical, -1 user-defined

    def time(self, v: np.ndarray, t0: np.ndarray, cap: np.ndarray, params: Params) -> np.ndarray:
        """Travel time at flow ``v``."""

    def derivative(
        self, v: np.ndarray, t0: np.ndarray, cap: np.ndarray, params: Params
    ) -> np.ndarray:
        """d time / d flow at ``v``."""

    def integral(
        self, v: np.ndarray, t0: np.ndarray, cap: np.ndarray, params: Params
    ) -> np.ndarray:
        """Integral of time from 0 to ``v`` (the Beckmann objective term)."""


def _first_bad(bad: np.ndarray, link_ids: np.ndarray | None) -> str:
    i = int(np.flatnonzero(bad)[0])
    return f"link {int(link_ids[i])}" if link_ids is not None else f"edge {i}"


def _check_capacity(cap: np.ndarray, name: str, link_ids: np.ndarray | None) -> None:
    bad = ~np.isfinite(cap) | (cap <= 0)
    if bad.any():
        raise InputError(
            f"{_first_bad(bad, link_ids)}: the {name} volume-delay function needs a positive "
            f"capacity ({int(bad.sum())} link(s) without one)",
            field="capacity",
        )


@dataclass(frozen=True)
class BPR:
    """Bureau of Public Roads: ``t = t0 (1 + alpha (v / cap) ** beta)``.

    ``alpha`` and ``beta`` come per link from the columns named in ``columns``
    (TNTP ``b`` and ``power``). ``beta = 0`` gives a constant time
    ``t0 (1 + alpha)``.
    """

    alpha_column: str = "alpha"
    beta_column: str = "beta"
    name: str = "bpr"
    code: int = 0

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.alpha_column, self.beta_column)

    @property
    def defaults(self) -> tuple[float, ...]:
        return (0.15, 4.0)

    def check(self, t0, cap, params, link_ids=None) -> None:
        """Raise :class:`~serai.errors.InputError` naming the first unusable link."""
        _check_capacity(cap, self.name, link_ids)
        for col, arr in zip(self.columns, params, strict=True):
            bad = ~np.isfinite(arr) | (arr < 0)
            if bad.any():
                raise InputError(
                    f"{_first_bad(bad, link_ids)}: BPR '{col}' must be a number >= 0", field=col
                )

    # Flows below 0 (rounding) count as 0: a non-integer power of a negative is NaN.
    def time(self, v, t0, cap, params):
        a, b = params
        return t0 * (1.0 + a * np.power(np.maximum(v, 0.0) / cap, b))

    def derivative(self, v, t0, cap, params):
        a, b = params
        x = np.maximum(v, 0.0) / cap
        # power < 1: infinite at 0, taken at a tiny flow (as the Algorithm B kernels do)
        x = np.where((x <= 0.0) & (b < 1.0), _TINY_VC, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            d = t0 * a * b * np.power(x, b - 1.0) / cap
        d = np.where((b == 0.0) | (a == 0.0), 0.0, d)
        return np.where((x <= 0.0) & (b > 1.0), 0.0, d)

    def integral(self, v, t0, cap, params):
        a, b = params
        v = np.maximum(v, 0.0)
        return t0 * (v + a * cap / (b + 1.0) * np.power(v / cap, b + 1.0))


@dataclass(frozen=True)
class Conical:
    """Spiess (1990) conical delay: ``t = t0 (2 + sqrt(a^2 (1-x)^2 + b^2) - a (1-x) - b)``.

    ``x = v / cap``, ``a > 1`` per link from ``alpha_column``, ``b = (2a - 1) / (2a - 2)``.
    """

    alpha_column: str = "conical_alpha"
    default_alpha: float = 4.0
    name: str = "conical"
    code: int = 1

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.alpha_column,)

    @property
    def defaults(self) -> tuple[float, ...]:
        return (self.default_alpha,)

    def check(self, t0, cap, params, link_ids=None) -> None:
        """Raise :class:`~serai.errors.InputError` naming the first unusable link."""
        _check_capacity(cap, self.name, link_ids)
        (a,) = params
        bad = ~np.isfinite(a) | (a <= 1.0)
        if bad.any():
            raise InputError(
                f"{_first_bad(bad, link_ids)}: conical '{self.alpha_column}' must be > 1",
                field=self.alpha_column,
            )

    @staticmethod
    def _b(a):
        return (2.0 * a - 1.0) / (2.0 * a - 2.0)

    def time(self, v, t0, cap, params):
        (a,) = params
        b = self._b(a)
        y = 1.0 - v / cap
        return t0 * (2.0 + np.sqrt(a * a * y * y + b * b) - a * y - b)

    def derivative(self, v, t0, cap, params):
        (a,) = params
        b = self._b(a)
        y = 1.0 - v / cap
        return t0 / cap * (a - a * a * y / np.sqrt(a * a * y * y + b * b))

    def integral(self, v, t0, cap, params):
        (a,) = params
        b = self._b(a)

        def prim(x):  # antiderivative in x = v / cap
            u = a * (1.0 - x)
            r = np.sqrt(u * u + b * b)
            root = -(u * r + b * b * np.log(u + r)) / (2.0 * a)
            return (2.0 - b - a) * x + a * x * x / 2.0 + root

        x = v / cap
        return t0 * cap * (prim(x) - prim(np.zeros_like(x)))


_BUILTIN: dict[str, Callable[[], VolumeDelay]] = {"bpr": BPR, "conical": Conical}


def vdf_by_name(name: str | VolumeDelay) -> VolumeDelay:
    """A built-in VDF by name (``"bpr"``, ``"conical"``), or the object itself.

    Examples
    --------
    >>> vdf_by_name("bpr").name
    'bpr'
    """
    if not isinstance(name, str):
        if not isinstance(name, VolumeDelay):
            raise InputError(
                "a volume-delay function needs name, columns, defaults, code, time, "
                "derivative and integral (see serai.assignment.vdf.VolumeDelay)"
            )
        return name
    try:
        return _BUILTIN[name.lower()]()
    except KeyError:
        raise InputError(
            f"unknown volume-delay function '{name}'; built in: {', '.join(sorted(_BUILTIN))}"
        ) from None
