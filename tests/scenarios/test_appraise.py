"""Appraisal formulas against a case computed by hand (docs/appraisal.md)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from serai.errors import InputError
from serai.scenarios.appraise import AppraisalSettings, appraise, user_benefits


def run(name: str, od: pd.DataFrame, co2e_t: float, measures: list[dict], year: int = 2027):
    cols = ["measure", "name", "capex_musd", "om_musd_per_year", "build_start", "build_end",
            "open_year", "life_years", "source", "estimate"]  # fmt: skip
    m = pd.DataFrame(measures, columns=cols)
    tables = {
        "od": od,
        "headline": pd.DataFrame({"indicator": ["co2e_t"], "unit": ["t"], "value": [co2e_t]}),
        "measures": m,
    }
    return SimpleNamespace(
        name=name, year=year, summary={"year": year}, tables=tables, scenario=None
    )


OD_BASE = pd.DataFrame(
    {
        "group": ["containers", "grain", "grain"],
        "origin": ["A", "A", "A"],
        "destination": ["B", "C", "D"],
        "assigned": [1.0e6, 2.0e6, 1.0e4],
        "cost_usd": [50.0, 10.0, np.nan],  # A-D has no route in the base
    }
)
OD_ALT = pd.DataFrame(
    {
        "group": ["containers", "grain", "grain"],
        "origin": ["A", "A", "A"],
        "destination": ["B", "C", "D"],
        "assigned": [1.2e6, 2.0e6, 1.0e4],
        "cost_usd": [40.0, 12.0, 8.0],
    }
)
MEASURE = {"measure": "m1", "name": "a line", "capex_musd": 30.0, "om_musd_per_year": 1.0,
           "build_start": 2025, "build_end": 2026, "open_year": 2027, "life_years": None,
           "source": "", "estimate": True}  # fmt: skip


def test_rule_of_a_half_by_hand():
    g, left = user_benefits(OD_BASE, OD_ALT)
    by = dict(zip(g["group"], g["benefit_usd"], strict=True))
    assert by["containers"] == pytest.approx(0.5 * (1.0e6 + 1.2e6) * (50 - 40))  # 11e6
    assert by["grain"] == pytest.approx(0.5 * (2e6 + 2e6) * (10 - 12))  # -4e6 (dearer)
    assert left == {"pairs_left_out": 1, "volume_left_out_base": 1e4, "volume_left_out_alt": 1e4}


def test_npv_bcr_irr_by_hand():
    base = run("base", OD_BASE, 1_000_000.0, [])
    alt = run("alt", OD_ALT, 900_000.0, [MEASURE])
    s = AppraisalSettings(
        horizon_years=5, discount_rate=0.10, carbon_price_usd_per_t=50.0, demand_growth=0.0
    )
    ap = appraise(base, alt, settings=s)
    # benefits 11e6 - 4e6 (rule of a half) + 100,000 t x 50 USD = 12e6 a year from 2027;
    # capex 15e6 in 2025 and 2026; O&M 1e6 a year from 2027; discounted to 2025 at 10%
    pv_b = 12 / 1.1**2 + 12 / 1.1**3 + 12 / 1.1**4
    pv_c = 15 + 15 / 1.1 + 1 / 1.1**2 + 1 / 1.1**3 + 1 / 1.1**4
    assert ap.summary["user_benefit_usd_per_year"] == pytest.approx(7e6)
    assert ap.summary["co2_benefit_usd_per_year"] == pytest.approx(5e6)
    assert ap.summary["pv_benefits_usd"] == pytest.approx(pv_b * 1e6)
    assert ap.summary["pv_costs_usd"] == pytest.approx(pv_c * 1e6)
    assert ap.summary["npv_usd"] == pytest.approx((pv_b - pv_c) * 1e6)
    assert ap.summary["npv_usd"] / 1e6 == pytest.approx(-3.767843, abs=1e-5)
    assert ap.summary["bcr"] == pytest.approx(pv_b / pv_c)
    # IRR: roots of -15 x^4 - 15 x^3 + 11 x^2 + 11 x + 11 = 0 with x = 1 + r (numpy, independent)
    roots = np.roots([-15, -15, 11, 11, 11])
    x = [r.real for r in roots if abs(r.imag) < 1e-12 and r.real > 0]
    assert len(x) == 1 and ap.summary["irr"] == pytest.approx(x[0] - 1, abs=1e-9)
    cf = ap.tables["cashflows"]
    assert cf["year"].tolist() == [2025, 2026, 2027, 2028, 2029]
    assert (cf["net_usd"] / 1e6).tolist() == pytest.approx([-15, -15, 11, 11, 11])


def test_growth_and_sensitivity_rows():
    base = run("base", OD_BASE, 1_000_000.0, [])
    alt = run("alt", OD_ALT, 900_000.0, [MEASURE])
    s = AppraisalSettings(
        horizon_years=5, discount_rate=0.10, carbon_price_usd_per_t=50.0, demand_growth=0.05
    )
    ap = appraise(base, alt, settings=s)
    ben = (
        ap.tables["cashflows"]["user_benefit_usd"] + ap.tables["cashflows"]["co2_benefit_usd"]
    ) / 1e6
    assert ben.tolist() == pytest.approx([0, 0, 12, 12 * 1.05, 12 * 1.05**2])
    sens = ap.tables["sensitivity"]
    assert set(sens["vary"]) == {"base case", "demand growth", "carbon price", "discount rate"}
    zero_carbon = sens.loc[(sens["vary"] == "carbon price") & (sens["value"] == "0 USD/t")].iloc[0]
    pv_u = (7 / 1.1**2 + 7 * 1.05 / 1.1**3 + 7 * 1.05**2 / 1.1**4) * 1e6
    assert zero_carbon["pv_benefits_usd"] == pytest.approx(pv_u)
    lower_r = sens.loc[(sens["vary"] == "discount rate") & (sens["value"] == "8.0%")].iloc[0]
    assert lower_r["npv_usd"] > ap.summary["npv_usd"]


def test_only_new_measures_are_costed_and_years_must_match():
    shared = {**MEASURE, "measure": "old", "capex_musd": 999.0}
    base = run("base", OD_BASE, 1e6, [shared])
    alt = run("alt", OD_ALT, 9e5, [shared, MEASURE])
    ap = appraise(base, alt, settings=AppraisalSettings(horizon_years=5, discount_rate=0.1))
    assert ap.summary["measures"] == ["m1"] and ap.summary["capex_usd"] == pytest.approx(30e6)
    with pytest.raises(InputError, match="same year"):
        appraise(run("b", OD_BASE, 1e6, [], year=2024), alt)


def test_no_irr_without_a_sign_change():
    base = run("base", OD_BASE, 1e6, [])
    alt = run("alt", OD_ALT, 9e5, [])  # benefits, no cost
    ap = appraise(base, alt, settings=AppraisalSettings(horizon_years=3, discount_rate=0.1))
    assert np.isnan(ap.summary["irr"]) and np.isnan(ap.summary["bcr"])
