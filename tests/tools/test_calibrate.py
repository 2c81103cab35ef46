"""`serai data calibrate`: the shipped fitted parameters are reproduced from the tables.

A network rebuild or a change of the parameter or observation tables needs a new
calibration (`serai data calibrate`), or this test fails.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from serai.cli import app
from serai.freight.params import model_params, prior_params
from tools.calibrate.fit import DATA, calibrate, check


@pytest.fixture(scope="module")
def refit():
    return calibrate(log=lambda _m: None)


def test_refit_reproduces_the_shipped_parameters(refit):
    assert check(refit) == []
    # the fitted values are written with the observations they rest on, never hand-edited
    shipped = pd.read_csv(DATA / "calibrated.csv", keep_default_na=False)
    cal = set(
        pd.read_csv(DATA / "observations.csv", keep_default_na=False).query("set == 'calibration'")[
            "obs_id"
        ]
    )
    for r in shipped.itertuples(index=False):
        assert set(r.observations.split(";")) <= cal
        assert model_params().value(r.param_id) == pytest.approx(r.value)
        assert model_params().basis_of(r.param_id) == "calibrated"
        assert prior_params().value(r.param_id) == pytest.approx(r.prior)
        assert r.low <= r.value <= r.high


def test_fit_improves_every_residual_sum_and_is_shipped(refit):
    assert refit.cost_after < refit.cost_before
    fit = pd.read_csv(DATA / "calibration_fit.csv", keep_default_na=False)
    np.testing.assert_allclose(
        fit["model_fitted"].to_numpy(float), refit.fit["model_fitted"].to_numpy(float), rtol=1e-4
    )
    # the fit reads the calibration rows only
    obs = pd.read_csv(DATA / "observations.csv", keep_default_na=False)
    assert set(refit.fit["obs_id"]) == set(obs.loc[obs["set"] == "calibration", "obs_id"])


def test_cli_check_writes_nothing(refit, monkeypatch):
    before = (DATA / "calibrated.csv").read_bytes()
    monkeypatch.setattr("tools.calibrate.fit.calibrate", lambda **kw: refit)
    res = CliRunner().invoke(app, ["data", "calibrate", "--check"])
    assert res.exit_code == 0, res.output
    assert "reproduced" in res.output
    assert (DATA / "calibrated.csv").read_bytes() == before


def test_routes_settle_on_a_fixed_point(refit):
    # the fitted values choose the very routes they were fitted on; observations whose routes
    # alternated between rounds (a cycle) were fitted on all their routes and are named
    assert refit.route_status == "converged"
    fit = pd.read_csv(DATA / "calibration_fit.csv", keep_default_na=False)
    assert set(fit.loc[fit["route_fitted"] == "alternated", "obs_id"]) == set(refit.alternating)
    assert set(fit["route_fitted"]) <= {"fixed", "alternated"}
