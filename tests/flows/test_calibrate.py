"""Calibration inputs and outputs: only facts figures, fitted values written with their observations."""

from __future__ import annotations

import pandas as pd
import pytest

from serai.flows.calibrate import BORDER_WAITS, CHECKS, PARAMS, TARGETS, fit_border_delay
from serai.flows.model import choice_parameters


def test_border_delay_fit_reproduces_the_carec_waits():
    f = fit_border_delay()
    assert 1.0 <= f["beta"] <= 8.0 and f["alpha"] >= 0
    for _, v, c, h, _ in BORDER_WAITS:
        model = 30.5 * (1 + f["alpha"] * (v / c) ** f["beta"])
        assert model == pytest.approx(h, abs=5.0)
    assert "67.4 h" in f["observations"] and "69.7 h" in f["observations"]


def test_targets_are_the_issue_volumes_and_checks_are_never_fitted():
    assert {t[0] for t in TARGETS} == {
        "china_eu_northern_via_kz_teu",
        "kz_cn_rail_tonnes",
        "uranium_titr_t_u3o8",
    }
    assert not ({c[0] for c in CHECKS} & {t[0] for t in TARGETS})
    for t in TARGETS + CHECKS:
        assert "." in t[7], "every observation names its source"
    assert {t[8] for t in TARGETS} == set(PARAMS)  # one constant per target


def test_shipped_choice_parameters_carry_their_observations():
    c = choice_parameters()
    assert {"theta", "asc_rail_border_usd_per_teu", "asc_road_usd_per_t"} <= set(c["parameter"])
    fitted = c.loc[c["fitted"].astype(str).str.lower() == "true"]
    for r in fitted.itertuples(index=False):
        assert isinstance(r.observations, str) and "412,000" in r.observations
    assert (pd.to_numeric(c["value"]) >= 0).all()
