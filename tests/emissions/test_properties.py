"""Properties of the accounting that must hold for any input (hypothesis)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serai.emissions import Shipment, account_chain, load_factors, to_ileap, validate_ileap

F = load_factors()
COUNTRIES = sorted(set(F.grid.index) & set(F.rail_electrification.index))
legs_st = st.lists(
    st.tuples(
        st.sampled_from(["rail", "road", "sea", "ferry", "inland_waterway"]),
        st.sampled_from(COUNTRIES),
        st.floats(0.0, 5000.0, allow_nan=False),
        st.one_of(st.none(), st.floats(0.0, 1.0)),
    ),
    min_size=1,
    max_size=6,
)


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "element": "tce",
            "mode": [r[0] for r in rows],
            "country": [r[1] for r in rows],
            "km": [r[2] for r in rows],
            "electrified_share": [float("nan") if r[3] is None else r[3] for r in rows],
        }
    )


@settings(max_examples=30, deadline=None)
@given(legs_st, st.floats(0.1, 40.0))
def test_linear_in_mass_and_additive_over_legs(rows, mass):
    legs = frame(rows)
    one = account_chain(legs, Shipment("S", mass_t=1.0))
    fp = account_chain(legs, Shipment("S", mass_t=mass))
    assert fp.totals["wtw_kg"] == pytest.approx(mass * one.totals["wtw_kg"], rel=1e-9, abs=1e-12)
    # the total is the sum of single-leg chains
    parts = sum(
        account_chain(legs.iloc[[i]], Shipment("S", mass_t=mass)).totals["wtw_kg"]
        for i in range(len(legs))
    )
    assert fp.totals["wtw_kg"] == pytest.approx(parts, rel=1e-9, abs=1e-12)
    e = fp.elements
    assert (e["wtw_kg"] >= 0).all()
    assert ((e["wtw_kg"] - e["ttw_kg"] - e["wtt_kg"]).abs() < 1e-9).all()


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(COUNTRIES), st.floats(1.0, 3000.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_splitting_a_leg_changes_nothing_and_share_is_monotone_in_grid(country, km, a, share):
    whole = frame([("rail", country, km, share)])
    split = frame([("rail", country, a * km, share), ("rail", country, (1 - a) * km, share)])
    w = account_chain(whole, Shipment("S", teu=1)).totals["wtw_kg"]
    s = account_chain(split, Shipment("S", teu=1)).totals["wtw_kg"]
    assert s == pytest.approx(w, rel=1e-9)
    # WTW is linear in the electrified share, between the all-diesel and all-electric values
    lo = account_chain(frame([("rail", country, km, 0.0)]), Shipment("S", teu=1)).totals["wtw_kg"]
    hi = account_chain(frame([("rail", country, km, 1.0)]), Shipment("S", teu=1)).totals["wtw_kg"]
    assert w == pytest.approx(lo + share * (hi - lo), rel=1e-9, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(legs_st)
def test_every_export_validates(rows):
    validate_ileap(to_ileap(account_chain(frame(rows), Shipment("S", mass_t=7.5, teu=1))))
