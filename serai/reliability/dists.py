"""Distribution families of element times, parameterised by their mean.

Every element of a route has a mean time (hours) given by the time model
(:mod:`serai.freight.timemodel`); its distribution keeps that mean and adds a shape:
the coefficient of variation ``cv`` (standard deviation / mean) for most families.
Draws are made from standard normal variates ``z`` (so that elements can be
correlated through a Gaussian copula) or, for independent gamma elements, directly.

Families (:data:`FAMILIES`):

``fixed``
    No variation: the mean.
``normal``
    ``mean + cv * mean * z`` (may be negative; used for tests and by users, not by the
    shipped tables).
``lognormal``
    ``mean * exp(s z - s^2 / 2)`` with ``s^2 = ln(1 + cv^2)``: a positive, right-skewed
    time (border crossings, ferry queues, speed factors).
``gamma``
    Shape ``1 / cv^2``, scale ``mean * cv^2`` (dwell times).
``exponential``
    Gamma with ``cv = 1`` drawn by inversion (memoryless waits; congestion queues).
``uniform``
    ``mean * (1 + sqrt(3) cv (2u - 1))``: with ``cv = 1/sqrt(3)`` the wait for a
    departure of a service every ``2 * mean`` hours by a random arrival, ``U(0, 2 mean)``.
``window``
    Wait for a daily time window open ``w`` hours a day by a random arrival:
    ``0`` with probability ``w / 24``, else ``24 - a`` for an arrival ``a`` after the
    window; ``w = 24 - sqrt(48 mean)`` so that the mean is kept (the Marmaray tunnel's
    night window for freight trains).
``storm``
    Weather closure: with probability ``closed`` (by month, a seasonal profile) the
    port is closed and the element waits the rest of the spell, ``U(0, 2 r)``;
    ``r = annual_mean / mean(closed)`` so that the yearly average of the element is its
    mean. Drawn in :mod:`serai.reliability.montecarlo` (needs the month).

Examples
--------
>>> import numpy as np
>>> from serai.reliability.dists import family_code, sample_from_normals
>>> z = np.random.default_rng(1).standard_normal((200_000, 1))
>>> x = sample_from_normals(np.array([family_code("lognormal")]), np.array([10.0]),
...                         np.array([0.5]), z)
>>> round(float(x.mean()), 1), round(float(x.std() / x.mean()), 2)
(10.0, 0.5)
"""

from __future__ import annotations

import numpy as np

from serai.errors import InputError

__all__ = [
    "FAMILIES",
    "analytic_mean_var",
    "family_code",
    "lognormal_sigma",
    "sample_from_normals",
    "window_hours",
]

#: Distribution families, in code order.
FAMILIES = ("fixed", "normal", "lognormal", "gamma", "exponential", "uniform", "window", "storm")
_CODE = {f: i for i, f in enumerate(FAMILIES)}
FIXED, NORMAL, LOGNORMAL, GAMMA, EXPONENTIAL, UNIFORM, WINDOW, STORM = range(len(FAMILIES))
_SQRT3 = float(np.sqrt(3.0))


def family_code(name: str) -> int:
    """Integer code of a family name (InputError with the known names otherwise).

    >>> family_code("gamma")
    3
    """
    try:
        return _CODE[str(name)]
    except KeyError:
        import difflib

        near = difflib.get_close_matches(str(name), FAMILIES, n=2)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise InputError(
            f"unknown distribution family '{name}'{hint} (known: {', '.join(FAMILIES)})",
            field="family",
        ) from None


def lognormal_sigma(cv: np.ndarray | float) -> np.ndarray:
    """Log-scale standard deviation of a lognormal with coefficient of variation ``cv``."""
    return np.sqrt(np.log1p(np.square(np.asarray(cv, float))))


def window_hours(mean: np.ndarray | float) -> np.ndarray:
    """Hours a day a window is open for a random arrival to wait ``mean`` hours on average.

    >>> round(float(window_hours((24 - 5) ** 2 / 48)), 6)
    5.0
    """
    return 24.0 - np.sqrt(48.0 * np.clip(np.asarray(mean, float), 0.0, 12.0))


def _ndtr(z: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr

    return ndtr(z)


def sample_from_normals(
    family: np.ndarray,
    mean: np.ndarray,
    cv: np.ndarray,
    z: np.ndarray,
    rng: np.random.Generator | None = None,
    independent: np.ndarray | None = None,
) -> np.ndarray:
    """Draws (n, E) of E elements from standard normals ``z`` (n, E).

    ``family``, ``mean`` and ``cv`` have one entry per element. Gamma elements marked
    ``independent`` are drawn directly from ``rng`` (faster than inverting the gamma
    distribution); other gamma elements invert ``ndtr(z)``, which keeps their
    correlation. ``storm`` elements are left at zero (drawn by the simulation, which
    knows the month).
    """
    family = np.asarray(family)
    mean = np.asarray(mean, float)
    cv = np.asarray(cv, float)
    zt = np.asarray(z, float).T  # one row per element: contiguous when z is a transposed view
    n = zt.shape[1]
    out = np.zeros(zt.shape, float)
    for code in np.unique(family):
        cols = np.flatnonzero(family == code)
        m, c = mean[cols][:, None], cv[cols][:, None]
        zc = zt[cols]
        if code == FIXED:
            out[cols] = m
        elif code == NORMAL:
            out[cols] = m + c * m * zc
        elif code == LOGNORMAL:
            s = lognormal_sigma(c)
            out[cols] = m * np.exp(s * zc - 0.5 * s * s)
        elif code == EXPONENTIAL:
            # -log(1 - u) with u = ndtr(z): log of the upper tail, ndtr(-z), keeps precision
            out[cols] = -m * np.log(_ndtr(-zc))
        elif code == UNIFORM:
            out[cols] = m * (1.0 + _SQRT3 * c * (2.0 * _ndtr(zc) - 1.0))
        elif code == WINDOW:
            w = window_hours(m)
            a = 24.0 * _ndtr(zc)
            out[cols] = np.where(a < w, 0.0, 24.0 - a)
        elif code == GAMMA:
            k = 1.0 / np.square(c)
            theta = m * np.square(c)
            ind = (
                np.asarray(independent, bool)[cols]
                if independent is not None
                else np.zeros(len(cols), bool)
            )
            if ind.any():
                if rng is None:
                    raise ValueError("independent gamma elements need an rng")
                ci = np.flatnonzero(ind)
                out[cols[ci]] = rng.gamma(k[ci], theta[ci], size=(len(ci), n))
            if (~ind).any():
                from scipy.special import gammaincinv

                cc = np.flatnonzero(~ind)
                out[cols[cc]] = theta[cc] * gammaincinv(k[cc], _ndtr(zc[cc]))
        elif code == STORM:
            out[cols] = 0.0
        else:  # pragma: no cover - codes come from family_code
            raise ValueError(f"unknown family code {code}")
    return out.T


def analytic_mean_var(family: str, mean: float, cv: float) -> tuple[float, float]:
    """Mean and variance of one element (not for ``storm``, which depends on the month).

    >>> analytic_mean_var("uniform", 84.0, 3 ** -0.5)
    (84.0, 2352.0)
    """
    if family == "fixed":
        return mean, 0.0
    if family in ("normal", "lognormal", "gamma", "uniform"):
        return mean, (cv * mean) ** 2
    if family == "exponential":
        return mean, mean**2
    if family == "window":
        w = float(window_hours(mean))
        # E[W^2] = int_w^24 (24 - a)^2 da / 24 = (24 - w)^3 / 72
        return mean, (24.0 - w) ** 3 / 72.0 - mean**2
    raise InputError(f"no closed form for family '{family}'", field="family")
