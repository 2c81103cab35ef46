"""Volume-delay functions: derivative and integral against numerical oracles."""

from __future__ import annotations

import numpy as np
import pytest

from serai.assignment import BPR, Conical, vdf_by_name
from serai.assignment import _kernels as kn
from serai.errors import InputError

RNG = np.random.default_rng(7)
V = RNG.uniform(0.0, 300.0, 50)
T0 = RNG.uniform(0.5, 20.0, 50)
CAP = RNG.uniform(50.0, 200.0, 50)

CASES = [
    (BPR(), (RNG.uniform(0.0, 1.0, 50), RNG.choice([0.0, 1.0, 2.0, 4.0, 5.5], 50))),
    (Conical(), (RNG.uniform(1.5, 10.0, 50),)),
]


@pytest.mark.parametrize(("vdf", "params"), CASES, ids=["bpr", "conical"])
def test_derivative_matches_finite_difference(vdf, params):
    h = 1e-4
    fd = (vdf.time(V + h, T0, CAP, params) - vdf.time(V - h, T0, CAP, params)) / (2 * h)
    np.testing.assert_allclose(vdf.derivative(V, T0, CAP, params), fd, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(("vdf", "params"), CASES, ids=["bpr", "conical"])
def test_integral_matches_quadrature(vdf, params):
    grid = np.linspace(0.0, 1.0, 4001)
    vals = np.array([vdf.time(V * s, T0, CAP, params) for s in grid])  # (grid, links)
    quad = np.trapezoid(vals, grid, axis=0) * V
    np.testing.assert_allclose(vdf.integral(V, T0, CAP, params), quad, rtol=1e-6)


@pytest.mark.parametrize(("vdf", "params"), CASES, ids=["bpr", "conical"])
def test_kernel_matches_numpy(vdf, params):
    p0 = params[0]
    p1 = params[1] if len(params) > 1 else np.zeros_like(p0)
    t = np.empty(len(V))
    dt = np.empty(len(V))
    kn.vdf_all(vdf.code, V, T0, CAP, p0, p1, t, dt)
    np.testing.assert_allclose(t, vdf.time(V, T0, CAP, params), rtol=1e-12)
    np.testing.assert_allclose(dt, vdf.derivative(V, T0, CAP, params), rtol=1e-10, atol=1e-15)


def test_bpr_power_zero_is_constant():
    params = (np.array([0.15]), np.array([0.0]))
    t = BPR().time(np.array([0.0, 1e6]), np.array([2.0, 2.0]), np.array([10.0, 10.0]), params)
    assert t.tolist() == [2.3, 2.3]


def test_conical_at_capacity_is_twice_free_flow():
    t = Conical().time(np.array([100.0]), np.array([3.0]), np.array([100.0]), (np.array([4.0]),))
    assert t[0] == pytest.approx(6.0)


def test_lookup_and_bad_names():
    assert vdf_by_name("BPR").name == "bpr"
    with pytest.raises(InputError, match="unknown volume-delay"):
        vdf_by_name("akcelik")
    with pytest.raises(InputError, match="volume-delay function needs"):
        vdf_by_name(object())  # type: ignore[arg-type]
