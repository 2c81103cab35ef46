"""Monte Carlo of a route's door-to-door time from its elements (vectorised numpy).

A route's time is ``base_h`` (the part without variation: truck rests under the
driving-time rules and elements whose rule is ``fixed``) plus one draw of every
random element (:class:`ElementSet`). Elements are independent unless they share a
correlation group: a group's elements are linked by a one-factor Gaussian copula,
each with its loading on the group's common factor (two elements with loadings ``a``
and ``b`` have normal scores correlated ``a * b``; loading 1 for both: they move
together, as every Caspian port closes in the same storm).

Seasonal elements (family ``storm``) depend on the month in which the box reaches
them: the departure day is drawn uniformly in the month asked for (or in the year),
and each draw's elapsed time up to the element (the mean time before it plus the
deviations of the elements before it in that draw) gives its calendar day.

Examples
--------
Two independent exponential waits of 10 h and 20 h and 5 h without variation:

>>> import numpy as np
>>> from serai.reliability.montecarlo import ElementSet, simulate, summarise
>>> es = ElementSet.build(["a", "b"], ["exponential", "exponential"], [10.0, 20.0],
...                       base_h=5.0)
>>> h = simulate(es, draws=200_000, seed=1)
>>> abs(float(h.mean()) - 35.0) < 0.2   # sampling error: sd 22.4 / sqrt(200,000) = 0.05
True
>>> s = summarise(h, deadline_days=2.0)
>>> s.p50_days <= s.p90_days <= s.p95_days
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from serai.errors import InputError
from serai.reliability.dists import STORM, family_code, sample_from_normals

__all__ = [
    "DAYS_IN_MONTH",
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "ElementSet",
    "Reliability",
    "element_draws",
    "element_draws_by_month",
    "simulate",
    "simulate_by_month",
    "summarise",
]

#: Days of each month (a year of 365 days).
DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], float)
_MONTH_END = np.cumsum(DAYS_IN_MONTH)
_MONTH_START = _MONTH_END - DAYS_IN_MONTH
DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 20261206
MAX_DRAWS = 2_000_000


def _arr(x: Any, n: int, dtype: Any, name: str, default: Any) -> np.ndarray:
    if x is None:
        return np.full(n, default, dtype=dtype)
    a = np.asarray(x, dtype=dtype)
    if a.ndim == 0:
        a = np.full(n, a.item(), dtype=dtype)
    if a.shape != (n,):
        raise InputError(f"{name} needs {n} values, got {a.shape}", field=name)
    return a


@dataclass(frozen=True, eq=False)
class ElementSet:
    """The random elements of one route (arrays, one entry per element) and its base time.

    Attributes
    ----------
    name
        Label of each element (parameter id and where it is).
    family
        Family code (:data:`serai.reliability.dists.FAMILIES`).
    mean
        Mean hours (for ``storm``: the yearly mean).
    cv
        Coefficient of variation (ignored by ``fixed``, ``exponential``, ``window``,
        ``storm``).
    group
        Correlation group index into ``group_names`` (-1: independent).
    loading
        Loading on the group's common factor (0..1; ignored without a group).
    offset_h
        Mean hours from departure to the element (orders elements; months of seasonal
        elements).
    profile
        Row of ``profiles`` (monthly closure shares) of a ``storm`` element, else -1.
    base_h
        Hours without variation.
    group_names
        Name of each group.
    profile_names, profiles
        Name and (P, 12) monthly closure share of each seasonal profile.
    rule
        The rule (row of the distributions table) behind each element.
    """

    name: np.ndarray
    family: np.ndarray
    mean: np.ndarray
    cv: np.ndarray
    group: np.ndarray
    loading: np.ndarray
    offset_h: np.ndarray
    profile: np.ndarray
    base_h: float
    group_names: tuple[str, ...] = ()
    profile_names: tuple[str, ...] = ()
    profiles: np.ndarray = field(default_factory=lambda: np.empty((0, 12)))
    rule: np.ndarray | None = None

    @classmethod
    def build(
        cls,
        name: Sequence[str],
        family: Sequence[str] | np.ndarray,
        mean: Sequence[float] | np.ndarray,
        cv: Sequence[float] | np.ndarray | float | None = None,
        *,
        group: Sequence[str] | None = None,
        loading: Sequence[float] | np.ndarray | float | None = None,
        offset_h: Sequence[float] | np.ndarray | None = None,
        profile: Sequence[str] | None = None,
        profiles: Mapping[str, Sequence[float]] | None = None,
        base_h: float = 0.0,
        rule: Sequence[str] | None = None,
    ) -> ElementSet:
        """Build and check an element set from lists (family names, group names).

        ``group`` names a correlation group per element ('' = none), ``loading`` gives
        each element's loading on its group's factor (default 1); ``profile`` names the seasonal profile of each
        ``storm`` element in ``profiles`` (12 monthly closure shares).
        """
        n = len(name)
        fam = (
            np.array([family_code(f) for f in family], np.int8)
            if len(family)
            else np.empty(0, np.int8)
        )
        if fam.shape != (n,):
            raise InputError(f"family needs {n} values", field="family")
        m = _arr(mean, n, float, "mean", 0.0)
        c = _arr(cv, n, float, "cv", 0.0)
        off = _arr(offset_h, n, float, "offset_h", 0.0)
        gnames = [str(g) if g else "" for g in (group or [""] * n)]
        if len(gnames) != n:
            raise InputError(f"group needs {n} values", field="group")
        names = tuple(dict.fromkeys(g for g in gnames if g))
        gidx = np.array([names.index(g) if g else -1 for g in gnames], np.int64)
        load = _arr(loading, n, float, "loading", 1.0)
        pnames_in = [str(p) if p else "" for p in (profile or [""] * n)]
        profiles = dict(profiles or {})
        pnames = tuple(dict.fromkeys(p for p in pnames_in if p))
        for p in pnames:
            if p not in profiles:
                raise InputError(f"unknown seasonal profile '{p}'", field="profile")
        ptab = (
            np.array([np.asarray(profiles[p], float) for p in pnames], float).reshape(-1, 12)
            if pnames
            else np.empty((0, 12))
        )
        pidx = np.array([pnames.index(p) if p else -1 for p in pnames_in], np.int64)
        es = cls(
            name=np.array(list(name), dtype=object),
            family=fam,
            mean=m,
            cv=c,
            group=gidx,
            loading=load,
            offset_h=off,
            profile=pidx,
            base_h=float(base_h),
            group_names=names,
            profile_names=pnames,
            profiles=ptab,
            rule=np.array(list(rule), dtype=object) if rule is not None else None,
        )
        es.check()
        return es

    def check(self) -> None:
        """Raise InputError when a value cannot be simulated."""
        n = len(self.name)
        for a, nm in ((self.mean, "mean"), (self.cv, "cv"), (self.offset_h, "offset_h")):
            if not np.all(np.isfinite(a)):
                i = int(np.flatnonzero(~np.isfinite(a))[0])
                raise InputError(f"element '{self.name[i]}': {nm} is not finite", field=nm)
        if not np.isfinite(self.base_h):
            raise InputError("base hours are not finite", field="base_h")
        if np.any(self.cv < 0):
            i = int(np.flatnonzero(self.cv < 0)[0])
            raise InputError(f"element '{self.name[i]}': cv must be >= 0", field="cv")
        nonneg = self.family != family_code("normal")
        if np.any((self.mean < 0) & nonneg):
            i = int(np.flatnonzero((self.mean < 0) & nonneg)[0])
            raise InputError(f"element '{self.name[i]}': mean must be >= 0", field="mean")
        needs_cv = np.isin(self.family, [family_code("gamma")]) & (self.mean > 0)
        if np.any(needs_cv & (self.cv <= 0)):
            i = int(np.flatnonzero(needs_cv & (self.cv <= 0))[0])
            raise InputError(f"element '{self.name[i]}': gamma needs cv > 0", field="cv")
        if np.any((self.family == family_code("uniform")) & (self.cv > 1 / np.sqrt(3) + 1e-9)):
            i = int(np.flatnonzero((self.family == family_code("uniform")) & (self.cv > 0.5774))[0])
            raise InputError(
                f"element '{self.name[i]}': a uniform time needs cv <= 1/sqrt(3) (no negative times)",
                field="cv",
            )
        storm = self.family == STORM
        if np.any(storm & (self.profile < 0)):
            i = int(np.flatnonzero(storm & (self.profile < 0))[0])
            raise InputError(f"element '{self.name[i]}': a storm needs a profile", field="profile")
        if len(self.profiles):
            p = self.profiles
            if not np.all((p >= 0) & (p <= 1)):
                raise InputError("closure shares must lie in 0..1", field="closed_share")
            closed = (p * DAYS_IN_MONTH).sum(axis=1) / 365.0
            used = np.unique(self.profile[storm & (self.mean > 0)])
            if np.any(closed[used] <= 0):
                raise InputError(
                    "a storm element with a positive mean needs a profile closed some of the year",
                    field="closed_share",
                )
        if not np.all((self.loading >= 0) & (self.loading <= 1)):
            raise InputError("a loading on a group's factor must lie in 0..1", field="loading")
        if self.group.shape != (n,) or self.profile.shape != (n,):
            raise InputError("element arrays differ in length")

    def __len__(self) -> int:
        return len(self.name)

    @property
    def mean_h(self) -> float:
        """Mean door-to-door hours over the year (base plus the elements' means)."""
        return float(self.base_h + self.mean.sum())

    def storm_residual_h(self) -> np.ndarray:
        """Mean residual spell (hours) of each storm element (0 for other elements)."""
        out = np.zeros(len(self.name))
        storm = np.flatnonzero(self.family == STORM)
        if len(storm):
            closed = (self.profiles * DAYS_IN_MONTH).sum(axis=1) / 365.0
            out[storm] = self.mean[storm] / closed[self.profile[storm]]
        return out

    def table(self) -> Any:
        """The elements as a DataFrame (name, rule, family, mean_h, cv, group, offset_h)."""
        import pandas as pd

        from serai.reliability.dists import FAMILIES

        return pd.DataFrame(
            {
                "element": self.name,
                "rule": self.rule if self.rule is not None else [""] * len(self.name),
                "family": [FAMILIES[f] for f in self.family],
                "mean_h": self.mean,
                "cv": self.cv,
                "group": [self.group_names[g] if g >= 0 else "" for g in self.group],
                "loading": np.where(self.group >= 0, self.loading, 0.0),
                "offset_h": self.offset_h,
            }
        )


def check_month(month: int | None) -> int | None:
    """The month (1..12) or None; InputError otherwise."""
    mi = _month_index(month)
    return None if mi is None else mi + 1


def _month_index(month: int | None) -> int | None:
    if month is None:
        return None
    try:
        m = int(month)
    except (TypeError, ValueError):
        raise InputError(f"month must be 1..12, not {month!r}", field="month") from None
    if m != month or not 1 <= m <= 12:
        raise InputError(f"month must be 1..12, not {month!r}", field="month")
    return m - 1


def _check_draws(draws: int) -> int:
    try:
        n = int(draws)
    except (TypeError, ValueError):
        raise InputError(f"draws must be a whole number, not {draws!r}", field="draws") from None
    if n != draws or not 1 <= n <= MAX_DRAWS:
        raise InputError(f"draws must be 1..{MAX_DRAWS}, not {draws!r}", field="draws")
    return n


def element_draws(
    es: ElementSet, *, month: int | None = None, draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> np.ndarray:  # fmt: skip
    """Draws (draws, E) of every element's hours for departures in ``month`` (1..12).

    ``month=None``: departures spread over the year. The same ``seed`` gives the same
    draws (common random numbers across routes and months).
    """
    return element_draws_by_month(es, (month,), draws=draws, seed=seed)[0]


def element_draws_by_month(
    es: ElementSet, months: Sequence[int | None], *, draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> list[np.ndarray]:  # fmt: skip
    """:func:`element_draws` for each month of ``months``, drawing what the month does not change once.

    Only the seasonal (storm) elements depend on the month of departure; every other
    element's draws, and the random numbers of the storms, are made once. Each array is
    exactly ``element_draws(es, month=m, draws=draws, seed=seed)``.

    >>> es = ElementSet.build(["a", "s"], ["gamma", "storm"], [10.0, 2.0], [0.5, 0],
    ...                       profile=["", "w"], profiles={"w": [0.5] + [0] * 11})
    >>> jan, jul = element_draws_by_month(es, (1, 7), draws=1000)
    >>> bool((jan[:, 0] == jul[:, 0]).all()), bool(jul[:, 1].max() == 0 < jan[:, 1].max())
    (True, True)
    >>> bool((jan == element_draws(es, month=1, draws=1000)).all())
    True
    """
    return list(_draws_by_month(es, months, draws, seed, copy=True))


def simulate_by_month(
    es: ElementSet, months: Sequence[int | None], *, draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> list[np.ndarray]:  # fmt: skip
    """:func:`simulate` for each month of ``months`` (door-to-door hours per month).

    Equal to ``[simulate(es, month=m, draws=draws, seed=seed) for m in months]`` at a
    fraction of the cost: only the seasonal elements are drawn again for each month
    (a route without one is simulated once).
    """
    n = _check_draws(draws)
    if not len(es):
        for m in months:
            _month_index(m)
        return [np.full(n, es.base_h) for _ in months]
    storm = es.family == STORM
    out: list[np.ndarray] = []
    fixed_sum: np.ndarray | None = None
    for xt in _draws_by_month(es, months, n, seed, copy=False, transposed=True):
        if fixed_sum is None:
            fixed_sum = es.base_h + xt[~storm].sum(axis=0)
        out.append(fixed_sum + xt[storm].sum(axis=0) if storm.any() else fixed_sum.copy())
    return out


def _draws_by_month(
    es: ElementSet, months: Sequence[int | None], draws: int, seed: int, *, copy: bool,
    transposed: bool = False,
):  # fmt: skip
    """Yield the draws of each month: (draws, E), or (E, draws) when ``transposed``.

    Without ``copy``, one buffer is reused: each array is valid until the next is yielded.
    """
    mis = [_month_index(m) for m in months]
    n = _check_draws(draws)
    rng = np.random.default_rng(seed)
    E = len(es)
    # one row per element (contiguous per element)
    z = rng.standard_normal((E, n))
    grouped = es.group >= 0
    G = len(es.group_names)
    if G and grouped.any():
        zg = rng.standard_normal((G, n))
        a = es.loading[grouped][:, None]
        z[grouped] = a * zg[es.group[grouped]] + np.sqrt(1.0 - a * a) * z[grouped]
    xt = sample_from_normals(es.family, es.mean, es.cv, z.T, rng=rng, independent=~grouped).T
    storm = np.flatnonzero(es.family == STORM)
    if len(storm):
        u0, v = _storm_numbers(es, storm, n, rng)
    for mi in mis:
        if len(storm):
            _storms(es, xt, z, storm, mi, u0, v)
        x = xt.copy() if copy and len(mis) > 1 else xt
        yield x if transposed else x.T


def _storm_numbers(
    es: ElementSet, storm: np.ndarray, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform departure times within the period and the residual-spell scores of each storm."""
    u0 = rng.random(n)
    # second channel for the residual spell: shared in a group as the closure is
    v = rng.standard_normal((len(storm), n))
    g = es.group[storm]
    if (g >= 0).any():
        vg = rng.standard_normal((len(es.group_names), n))
        a = es.loading[storm][g >= 0][:, None]
        v[g >= 0] = a * vg[g[g >= 0]] + np.sqrt(1.0 - a * a) * v[g >= 0]
    return u0, v


def _storms(
    es: ElementSet, xt: np.ndarray, z: np.ndarray, storm: np.ndarray, mi: int | None,
    u0: np.ndarray, v: np.ndarray,
) -> None:  # fmt: skip
    """Fill the rows ``storm`` of ``xt`` (E, draws) with closure waits, in route order."""
    from scipy.special import ndtr

    # departure hour of the year
    if mi is None:
        dep_h = u0 * 365.0 * 24.0
    else:
        dep_h = (_MONTH_START[mi] + u0 * DAYS_IN_MONTH[mi]) * 24.0
    resid = es.storm_residual_h()
    order = np.argsort(es.offset_h[storm], kind="stable")
    for k in order:
        j = storm[k]
        before = es.offset_h < es.offset_h[j]
        # elapsed time in each draw: the mean time before j plus the deviations before j
        dev = before.astype(float) @ xt - es.mean[before].sum()
        doy = np.mod((dep_h + es.offset_h[j] + dev) / 24.0, 365.0)
        mon = np.minimum(np.searchsorted(_MONTH_END, doy, side="right"), 11)
        # high scores are late: closed in the top ``closed share`` of the weather factor
        closed = ndtr(z[j]) > 1.0 - es.profiles[es.profile[j], mon]
        xt[j] = np.where(closed, 2.0 * resid[j] * ndtr(v[k]), 0.0)


def simulate(
    es: ElementSet, *, month: int | None = None, draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> np.ndarray:  # fmt: skip
    """Door-to-door hours of ``draws`` simulated trips departing in ``month`` (1..12 or None)."""
    return simulate_by_month(es, (month,), draws=draws, seed=seed)[0]


@dataclass(frozen=True)
class Reliability:
    """Summary of simulated door-to-door times (days).

    ``on_time_probability`` is the share of draws arriving within ``deadline_days``
    (None without a deadline). ``model_days`` is the deterministic answer of the time
    model (the route's ``days``); ``mean_days`` is the simulated mean (equal to it
    within sampling error for departures spread over the year, except where a
    congestion or seasonal term moves it: see docs/reliability.md).
    """

    p10_days: float
    p50_days: float
    p90_days: float
    p95_days: float
    mean_days: float
    std_days: float
    on_time_probability: float | None
    deadline_days: float | None = None
    month: int | None = None
    draws: int = 0
    seed: int = DEFAULT_SEED
    model_days: float | None = None
    samples_days: np.ndarray | None = field(default=None, repr=False, compare=False)
    drivers: tuple[tuple[str, float], ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the issue's keys first, then how it was computed)."""
        r = lambda v: None if v is None else round(float(v), 4)  # noqa: E731
        return {
            "p10_days": r(self.p10_days),
            "p50_days": r(self.p50_days),
            "p90_days": r(self.p90_days),
            "p95_days": r(self.p95_days),
            "mean_days": r(self.mean_days),
            "std_days": r(self.std_days),
            "on_time_probability": r(self.on_time_probability),
            "deadline_days": r(self.deadline_days),
            "month": self.month,
            "draws": self.draws,
            "seed": self.seed,
            "model_days": r(self.model_days),
            "drivers": [{"element": n, "share_of_variance": round(s, 4)} for n, s in self.drivers],
        }

    def line(self) -> str:
        """One line for a table caption."""
        when = f"departing in month {self.month}" if self.month else "departing any day of the year"
        s = (
            f"reliability ({when}, {self.draws:,} draws): P10 {self.p10_days:.1f}, "
            f"P50 {self.p50_days:.1f}, P90 {self.p90_days:.1f}, P95 {self.p95_days:.1f} days; "
            f"mean {self.mean_days:.1f} ± {self.std_days:.1f}"
        )
        if self.on_time_probability is not None:
            s += f"; P(within {self.deadline_days:g} days) = {self.on_time_probability:.0%}"
        return s


def check_deadline(deadline_days: float | None) -> float | None:
    if deadline_days is None:
        return None
    try:
        d = float(deadline_days)
    except (TypeError, ValueError):
        raise InputError(
            f"deadline must be a number of days, not {deadline_days!r}", field="deadline"
        ) from None
    if not np.isfinite(d) or d <= 0 or d > 3650:
        raise InputError(f"deadline must be 0..3650 days, not {deadline_days!r}", field="deadline")
    return d


def summarise(
    hours: np.ndarray, *, deadline_days: float | None = None, month: int | None = None,
    seed: int = DEFAULT_SEED, model_days: float | None = None, keep_samples: bool = False,
    drivers: tuple[tuple[str, float], ...] = (),
) -> Reliability:  # fmt: skip
    """Quantiles, mean, standard deviation and on-time probability of simulated hours."""
    d = check_deadline(deadline_days)
    days = np.asarray(hours, float) / 24.0
    q = np.quantile(days, [0.10, 0.50, 0.90, 0.95])
    return Reliability(
        p10_days=float(q[0]),
        p50_days=float(q[1]),
        p90_days=float(q[2]),
        p95_days=float(q[3]),
        mean_days=float(days.mean()),
        std_days=float(days.std(ddof=1)) if len(days) > 1 else 0.0,
        on_time_probability=None if d is None else float(np.mean(days <= d)),
        deadline_days=d,
        month=month,
        draws=len(days),
        seed=seed,
        model_days=model_days,
        samples_days=days if keep_samples else None,
        drivers=drivers,
    )


def variance_drivers(
    x: np.ndarray, names: np.ndarray, top: int = 5
) -> tuple[tuple[str, float], ...]:
    """The elements with the largest share of the total variance (covariances split evenly).

    Share of element ``e`` = cov(x_e, total) / var(total) (these add up to 1).
    """
    if x.shape[1] == 0:
        return ()
    tot = x.sum(axis=1)
    vt = tot.var()
    if vt <= 0:
        return ()
    xc = x - x.mean(axis=0)
    share = (xc * (tot - tot.mean())[:, None]).mean(axis=0) / vt
    # merge elements with the same label
    agg: dict[str, float] = {}
    for nm, s in zip(names, share, strict=True):
        agg[str(nm)] = agg.get(str(nm), 0.0) + float(s)
    best = sorted(agg.items(), key=lambda kv: -kv[1])[:top]
    return tuple((k, v) for k, v in best if v > 0.005)
