"""Monte Carlo kernel against analytic results (fixed seeds, tolerances from sampling error)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from serai.errors import InputError
from serai.reliability.dists import FAMILIES, analytic_mean_var
from serai.reliability.montecarlo import (
    DAYS_IN_MONTH,
    ElementSet,
    element_draws,
    element_draws_by_month,
    simulate,
    simulate_by_month,
    summarise,
)
from serai.reliability.tables import reliability_tables

N = 200_000
PROBS = (0.10, 0.50, 0.90, 0.95)


def _quantile_tol(dist, p: float, n: int, k: float = 4.0) -> float:
    """k standard errors of the sample p-quantile: sqrt(p(1-p)/n) / f(x_p)."""
    x = dist.ppf(p)
    return k * np.sqrt(p * (1 - p) / n) / dist.pdf(x)


def _check_against(h: np.ndarray, dist) -> None:
    n = len(h)
    assert abs(h.mean() - dist.mean()) < 4 * dist.std() / np.sqrt(n)
    # the sample sd's standard error is sd * sqrt((kurtosis - 1) / 4n) < 0.3% here
    assert abs(h.std() - dist.std()) < 0.01 * dist.std()
    for p in PROBS:
        assert abs(np.quantile(h, p) - dist.ppf(p)) < _quantile_tol(dist, p, n), p


def test_independent_normals_sum_is_normal() -> None:
    means, cvs = np.array([30.0, 50.0, 20.0]), np.array([0.2, 0.1, 0.3])
    es = ElementSet.build(["a", "b", "c"], ["normal"] * 3, means, cvs, base_h=12.0)
    h = simulate(es, draws=N, seed=11)
    sd = np.sqrt(np.sum((means * cvs) ** 2))
    _check_against(h, stats.norm(loc=12.0 + means.sum(), scale=sd))


def test_independent_exponentials_sum_is_gamma() -> None:
    # five waits of 10 h each: Erlang(5, 10 h) plus a fixed 3 h
    es = ElementSet.build([f"w{i}" for i in range(5)], ["exponential"] * 5, [10.0] * 5, base_h=3.0)
    h = simulate(es, draws=N, seed=12)
    _check_against(h, stats.gamma(a=5, loc=3.0, scale=10.0))


def test_exponential_plus_normal_is_exponnorm() -> None:
    # normal(40, 6) + exponential(mean 15): exponentially modified Gaussian, K = 15 / 6
    es = ElementSet.build(["n", "e"], ["normal", "exponential"], [40.0, 15.0], [0.15, 0.0])
    h = simulate(es, draws=N, seed=13)
    _check_against(h, stats.exponnorm(K=15.0 / 6.0, loc=40.0, scale=6.0))


@pytest.mark.parametrize(
    ("family", "mean", "cv"),
    [("lognormal", 60.0, 0.7), ("gamma", 28.0, 0.5), ("uniform", 84.0, 3**-0.5),
     ("window", (24 - 5) ** 2 / 48, 0.0), ("fixed", 7.0, 0.0)],
)  # fmt: skip
def test_each_family_keeps_the_mean_and_its_variance(family: str, mean: float, cv: float) -> None:
    es = ElementSet.build(["x"], [family], [mean], [cv])
    x = simulate(es, draws=N, seed=14)
    m, v = analytic_mean_var(family, mean, cv)
    sd = np.sqrt(v)
    assert abs(x.mean() - m) < 4 * sd / np.sqrt(N) + 1e-12
    assert abs(x.std() - sd) < 0.02 * sd + 1e-12


def test_window_is_the_marmaray_wait() -> None:
    # open 00:00-05:00: no wait with probability 5/24, else uniform up to 19 h
    es = ElementSet.build(["mm"], ["window"], [(24 - 5) ** 2 / 48])
    x = simulate(es, draws=N, seed=15)
    assert abs(np.mean(x == 0) - 5 / 24) < 4 * np.sqrt(5 / 24 * 19 / 24 / N)
    assert x.max() <= 19.0 + 1e-9


def test_correlated_gamma_keeps_its_distribution() -> None:
    # gamma elements in a group are drawn by inversion: same marginal as direct draws
    es = ElementSet.build(["g1", "g2"], ["gamma", "gamma"], [20.0, 20.0], [0.6, 0.6],
                          group=["x", "x"], loading=[0.8, 0.8])  # fmt: skip
    x = element_draws(es, draws=N, seed=16)
    ref = stats.gamma(a=1 / 0.36, scale=20 * 0.36)
    for j in range(2):
        assert abs(np.quantile(x[:, j], 0.9) - ref.ppf(0.9)) < _quantile_tol(ref, 0.9, N)
    rho_s = stats.spearmanr(x[:, 0], x[:, 1]).statistic
    # normal scores correlated 0.64: Spearman = 6/pi asin(0.32)
    assert abs(rho_s - 6 / np.pi * np.arcsin(0.32)) < 0.01


def _two_ferries(correlated: bool, share: float = 0.2, resid: float = 36.0) -> ElementSet:
    # two Caspian boardings, each closed a share of the time; yearly mean = share x resid
    grp = ["caspian", "caspian"] if correlated else ["", ""]
    return ElementSet.build(
        ["ferry 1", "ferry 2"], ["storm", "storm"], [share * resid] * 2, group=grp,
        profile=["flat", "flat"], profiles={"flat": [share] * 12}, offset_h=[0.0, 100.0],
    )  # fmt: skip


def test_correlated_closures_widen_p90_as_computed_by_hand() -> None:
    """Two ferries, each closed 20% of the time; a closure costs U(0, 72 h) (r = 36 h).

    Correlated (one storm closes both): delay 0 with prob 0.8, else 2R (both wait the
    same spell): P90 solves 0.8 + 0.2 P(2R <= t) = 0.9, P(R <= t/2) = 0.5, t = 2 x 36
    = 72 h. Independent: with x = t / 72 (t <= 72), P(T <= t) = 0.64 + 2(0.16) x +
    0.04 x^2 / 2 = 0.9, so 0.02 x^2 + 0.32 x - 0.26 = 0, x = 0.7750, t = 55.8 h.
    """
    x_ind = (-0.32 + np.sqrt(0.32**2 + 4 * 0.02 * 0.26)) / (2 * 0.02)
    p90_ind, p90_cor = 72.0 * x_ind, 72.0
    h_cor = simulate(_two_ferries(True), draws=N, seed=21)
    h_ind = simulate(_two_ferries(False), draws=N, seed=21)
    # densities at the P90: correlated 0.2 x 1/144 per h; independent ~ (0.32 + 0.04x)/72
    tol_cor = 4 * np.sqrt(0.09 / N) / (0.2 / 144)
    tol_ind = 4 * np.sqrt(0.09 / N) / ((0.32 + 0.04 * x_ind) / 72)
    assert abs(np.quantile(h_cor, 0.9) - p90_cor) < tol_cor
    assert abs(np.quantile(h_ind, 0.9) - p90_ind) < tol_ind
    assert np.quantile(h_cor, 0.9) > np.quantile(h_ind, 0.9) + 10.0
    # the mean is the same either way: 2 x 0.2 x 36 h
    for h in (h_cor, h_ind):
        assert abs(h.mean() - 14.4) < 4 * h.std() / np.sqrt(N)


def test_storm_month_is_the_month_the_box_reaches_the_port() -> None:
    # closed all of February and March, open otherwise; the port is 31 days after departure
    prof = {"febmar": [0, 1, 1] + [0] * 9}
    es = ElementSet.build(["port"], ["storm"], [1.0], profile=["febmar"], profiles=prof,
                          offset_h=[31 * 24.0])  # fmt: skip
    jan = element_draws(es, month=1, draws=20_000, seed=3)[:, 0]
    jun = element_draws(es, month=6, draws=20_000, seed=3)[:, 0]
    assert (jan > 0).all()  # a January departure reaches the port on day 31..62: Feb-Mar
    assert (jun == 0).all()
    # the yearly mean of a storm element is its mean
    year = element_draws(es, draws=200_000, seed=4)[:, 0]
    assert abs(year.mean() - 1.0) < 4 * year.std() / np.sqrt(200_000)
    closed = (np.array(prof["febmar"]) * DAYS_IN_MONTH).sum() / 365
    assert abs(np.mean(year > 0) - closed) < 0.01


def test_january_caspian_crossing_is_less_reliable_than_july() -> None:
    """The shipped Caspian rules: a ferry boarding (queue + storm) in January vs July."""
    t = reliability_tables()
    storm, queue = t.rule("caspian_storm"), t.rule("caspian_queue")
    es = ElementSet.build(
        ["queue", "storm"], [queue.family, storm.family], [85.6, 4.0], [queue.cv, 0.0],
        group=[queue.group, storm.group], loading=[queue.loading, storm.loading],
        profile=["", storm.profile], profiles=t.profiles, offset_h=[240.0, 240.0],
    )  # fmt: skip
    p90 = {m: summarise(simulate(es, month=m, seed=5)).p90_days for m in (1, 7)}
    assert p90[1] > p90[7] + 0.5


def test_same_seed_same_draws_other_seed_other_draws() -> None:
    es = ElementSet.build(["a", "b"], ["lognormal", "gamma"], [10.0, 5.0], [0.5, 0.5])
    a, b = simulate(es, seed=1), simulate(es, seed=1)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, simulate(es, seed=2))


element_sets = st.lists(
    st.tuples(
        st.sampled_from(FAMILIES),
        st.floats(0.0, 500.0),
        st.floats(0.01, 0.57),
        st.sampled_from(["", "g", "h"]),
        st.floats(0.0, 1.0),
        st.floats(0.0, 2000.0),
    ),
    min_size=0,
    max_size=8,
)
closures = st.lists(st.floats(0.0, 1.0), min_size=12, max_size=12).filter(lambda p: sum(p) > 0)


def _random_set(rows, shares) -> ElementSet:
    return ElementSet.build(
        [f"e{i}" for i in range(len(rows))], [r[0] for r in rows], [r[1] for r in rows],
        [r[2] for r in rows], group=[r[3] for r in rows], loading=[r[4] for r in rows],
        offset_h=[r[5] for r in rows], profile=["p" if r[0] == "storm" else "" for r in rows],
        profiles={"p": shares}, base_h=10.0,
    )  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(element_sets, closures, st.integers(1, 12) | st.none(), st.integers(0, 2**31))
def test_quantiles_are_ordered(rows, shares, month, seed) -> None:
    """P10 <= P50 <= P90 <= P95 for any elements (every family, storms, groups), month, seed."""
    es = _random_set(rows, shares)
    s = summarise(simulate(es, month=month, draws=500, seed=seed), deadline_days=3.0)
    assert s.p10_days <= s.p50_days <= s.p90_days <= s.p95_days
    assert s.std_days >= 0
    assert 0.0 <= s.on_time_probability <= 1.0


@settings(max_examples=15, deadline=None)
@given(element_sets, closures, st.integers(0, 2**31))
def test_by_month_equals_month_by_month(rows, shares, seed) -> None:
    """Drawing every month at once (non-seasonal draws shared) changes no number."""
    es = _random_set(rows, shares)
    months = (None, 1, 6, 12)
    xs = element_draws_by_month(es, months, draws=300, seed=seed)
    hs = simulate_by_month(es, months, draws=300, seed=seed)
    for m, x, h in zip(months, xs, hs, strict=True):
        one = element_draws(es, month=m, draws=300, seed=seed)
        assert np.array_equal(x, one)
        np.testing.assert_allclose(h, simulate(es, month=m, draws=300, seed=seed), rtol=1e-12)
        np.testing.assert_allclose(h, es.base_h + one.sum(axis=1), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize(
    ("kw", "field"),
    [({"month": 13}, "month"), ({"month": 0}, "month"), ({"draws": 0}, "draws"),
     ({"draws": 1.5}, "draws")],
)  # fmt: skip
def test_bad_arguments_are_input_errors(kw, field) -> None:
    es = ElementSet.build(["a"], ["gamma"], [1.0], [0.5])
    with pytest.raises(InputError) as e:
        simulate(es, **kw)
    assert e.value.field == field


def test_bad_elements_are_input_errors() -> None:
    with pytest.raises(InputError, match="unknown distribution family 'lognorm'; did you mean"):
        ElementSet.build(["a"], ["lognorm"], [1.0], [0.5])
    with pytest.raises(InputError, match="gamma needs cv > 0"):
        ElementSet.build(["a"], ["gamma"], [1.0], [0.0])
    with pytest.raises(InputError, match="mean must be >= 0"):
        ElementSet.build(["a"], ["lognormal"], [-1.0], [0.5])
    with pytest.raises(InputError, match="a storm needs a profile"):
        ElementSet.build(["a"], ["storm"], [1.0])
    with pytest.raises(InputError, match="deadline"):
        summarise(np.ones(3), deadline_days=-2)
