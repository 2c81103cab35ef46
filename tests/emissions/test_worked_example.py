"""Worked example computed by hand: one TEU (10 t) Xi'an -> Duisburg via the Middle Corridor.

Every expected number below is computed here from the factor values written out as
literals (and checked against the shipped tables first), not by the engine.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from serai.emissions import account_chain, load_factors
from serai.emissions.examples import middle_corridor_example

# --- factor values, typed from serai/emissions/data/*.csv (checked in test_factor_literals)
RAIL_ELEC_KWH_PER_TKM = 0.027  # LIPASTO 2016 container train, electric
RAIL_DIESEL_TTW = 17.9  # g/tkm, LIPASTO 2016 container train, diesel
DIESEL_WTT_RATIO = 0.62665 / 2.57082  # DESNZ 2025 diesel WTT / TTW per litre
FERRY_TTW, FERRY_WTT = 173.0, 30.0  # GLEC v3.0 Ro-Pax 5,000-9,999 GT VLSFO, g/tkm
FEEDER_TTW = 36.75  # DESNZ-style container ship 0-999 TEU, g/tkm
HFO_WTT_RATIO = (258.6 - 223.3) / 223.3  # GLEC v3.0 Ro-Pax HFO WTW/TTW
GRID = {"CN": 544.355, "KZ": 641.102, "AZ": 532.902, "GE": 111.551, "RO": 255.877,
        "HU": 233.037, "AT": 147.573, "DE": 365.477}  # fmt: skip
SHARE = {
    "CN": 0.7484,
    "KZ": 0.25,
    "AZ": 0.43,
    "GE": 1.0,
    "RO": 0.3055,
    "HU": 0.40,
    "AT": 0.7347,
    "DE": 0.6252,
}
HUB_KG_PER_TEU = {  # (ttw, wtt)
    "gauge_change_transshipment": (3.5, 3.5),
    "port_container": (5.0, 5.0),
    "border_crossing": (0.0, 0.0),
    "rail_terminal_transshipment": (3.5, 3.5),
}

MASS_T, TEU = 10.0, 1.0

# (element, country or hub, km) in chain order, written out independently of examples.py
CHAIN = [
    ("rail", "CN", 3300.0),
    ("hub", "gauge_change_transshipment", 0),
    ("rail", "KZ", 3000.0),
    ("hub", "port_container", 0),
    ("ferry", "", 497.0),
    ("hub", "port_container", 0),
    ("rail", "AZ", 500.0),
    ("hub", "border_crossing", 0),
    ("rail", "GE", 360.0),
    ("hub", "port_container", 0),
    ("feeder", "", 1150.0),
    ("hub", "port_container", 0),
    ("rail", "RO", 750.0),
    ("rail", "HU", 400.0),
    ("rail", "AT", 380.0),
    ("rail", "DE", 700.0),
    ("hub", "rail_terminal_transshipment", 0),
]


def hand_element(kind: str, key: str, km: float) -> tuple[float, float, float]:
    """(tonne_km, ttw_kg, wtt_kg) of one element, by hand."""
    if kind == "hub":
        ttw, wtt = HUB_KG_PER_TEU[key]
        return 0.0, TEU * ttw, TEU * wtt
    tkm = MASS_T * km
    if kind == "rail":
        s = SHARE[key]
        ttw_g = (1 - s) * RAIL_DIESEL_TTW
        wtt_g = s * RAIL_ELEC_KWH_PER_TKM * GRID[key] + (1 - s) * RAIL_DIESEL_TTW * DIESEL_WTT_RATIO
    elif kind == "ferry":
        ttw_g, wtt_g = FERRY_TTW, FERRY_WTT
    else:  # feeder
        ttw_g, wtt_g = FEEDER_TTW, FEEDER_TTW * HFO_WTT_RATIO
    return tkm, tkm * ttw_g / 1000, tkm * wtt_g / 1000


@pytest.fixture(scope="module")
def footprint():
    legs, shipment = middle_corridor_example()
    return account_chain(legs, shipment)


def test_factor_literals_match_the_tables():
    f = load_factors()
    assert f.tocs.at["rail_container_electric", "kwh_per_unit"] == RAIL_ELEC_KWH_PER_TKM
    assert f.tocs.at["rail_container_diesel", "ttw"] == RAIL_DIESEL_TTW
    assert f.energy_carriers.at["Diesel", "wtt_to_ttw"] == pytest.approx(DIESEL_WTT_RATIO, rel=1e-5)
    assert f.energy_carriers.at["HFO", "wtt_to_ttw"] == pytest.approx(HFO_WTT_RATIO, rel=1e-5)
    assert (f.tocs.at["ropax_caspian", "ttw"], f.tocs.at["ropax_caspian", "wtt"]) == (
        FERRY_TTW,
        FERRY_WTT,
    )
    assert f.tocs.at["sea_container_feeder", "ttw"] == FEEDER_TTW
    for c, g in GRID.items():
        assert f.grid.at[c, "g_co2e_per_kwh"] == g
    for c, s in SHARE.items():
        assert f.rail_electrification.at[c, "electrified_share"] == s
    for h, (ttw, wtt) in HUB_KG_PER_TEU.items():
        assert (f.hocs.at[h, "ttw"], f.hocs.at[h, "wtt"]) == (ttw, wtt)


def test_example_chain_is_the_hand_chain():
    legs, shipment = middle_corridor_example()
    assert (shipment.mass_t, shipment.teu) == (MASS_T, TEU)
    assert len(legs) == len(CHAIN)
    for (_, row), (kind, key, km) in zip(legs.iterrows(), CHAIN, strict=True):
        if kind == "hub":
            assert row["element"] == "hoc" and row["hoc"] == key
        else:
            assert row["element"] == "tce" and row["km"] == km
            if kind == "rail":
                assert row["country"] == key and math.isnan(row["electrified_share"])
            assert (
                row["toc"]
                == {"rail": "", "ferry": "ropax_caspian", "feeder": "sea_container_feeder"}[kind]
            )


def test_each_leg_and_hub_matches_the_hand_computation(footprint):
    e = footprint.elements
    for i, (kind, key, km) in enumerate(CHAIN):
        tkm, ttw, wtt = hand_element(kind, key, km)
        row = e.iloc[i]
        assert row["tonne_km"] == pytest.approx(tkm, rel=1e-12), (i, kind, key)
        assert row["ttw_kg"] == pytest.approx(ttw, rel=1e-9, abs=1e-12), (i, kind, key)
        assert row["wtt_kg"] == pytest.approx(wtt, rel=1e-9, abs=1e-12), (i, kind, key)
        assert row["wtw_kg"] == pytest.approx(ttw + wtt, rel=1e-9, abs=1e-12), (i, kind, key)
        if kind == "hub":
            assert math.isnan(row["intensity_g_per_tkm"])
        else:
            assert row["intensity_g_per_tkm"] == pytest.approx((ttw + wtt) * 1000 / tkm, rel=1e-9)


def test_spot_values_by_hand(footprint):
    """A few legs with the arithmetic spelled out."""
    e = footprint.elements.set_index("element_id")
    # KZ rail, 3,000 km x 10 t = 30,000 tkm; share 0.25:
    # electric 0.027 x 641.102 = 17.309754 g/tkm; diesel 17.9 x (1 + 0.243755) = 22.263219 g/tkm
    # WTW = 0.25 x 17.309754 + 0.75 x 22.263219 = 21.024853 g/tkm -> 630.75 kg
    assert e.loc["E03", "wtw_kg"] == pytest.approx(630.7456, abs=1e-3)
    assert e.loc["E03", "ttw_kg"] == pytest.approx(0.75 * 17.9 * 30, rel=1e-12)  # 402.75 kg
    # Caspian ferry, 497 km x 10 t = 4,970 tkm x (173.0 + 30.0) g = 1,008.91 kg
    assert e.loc["E05", "wtw_kg"] == pytest.approx(1008.91, rel=1e-12)
    # Georgia fully electric: 3,600 tkm x 0.027 x 111.551 = 10.8428 kg, all WTT
    assert e.loc["E09", "ttw_kg"] == 0.0
    assert e.loc["E09", "wtw_kg"] == pytest.approx(3600 * 0.027 * 111.551 / 1000, rel=1e-12)
    # four container port handlings at 10 kg/TEU
    assert e.loc[["E04", "E06", "E10", "E12"], "wtw_kg"].tolist() == [10.0] * 4


def test_totals_are_sums_and_intensity(footprint):
    expected = [hand_element(*c) for c in CHAIN]
    tkm = sum(x[0] for x in expected)
    ttw = sum(x[1] for x in expected)
    wtt = sum(x[2] for x in expected)
    t = footprint.totals
    assert t["tonne_km"] == pytest.approx(tkm, rel=1e-12)
    assert tkm == 10.0 * 11037.0
    assert t["ttw_kg"] == pytest.approx(ttw, rel=1e-9)
    assert t["wtt_kg"] == pytest.approx(wtt, rel=1e-9)
    assert t["wtw_kg"] == pytest.approx(ttw + wtt, rel=1e-9)
    assert t["hub_wtw_kg"] == pytest.approx(7 + 10 + 10 + 0 + 10 + 10 + 7, rel=1e-12)
    assert t["intensity_g_per_tkm"] == pytest.approx((ttw + wtt) * 1000 / tkm, rel=1e-9)
    assert t["transport_wtw_kg"] + t["hub_wtw_kg"] == pytest.approx(t["wtw_kg"], rel=1e-12)
    assert 0 < t["estimate_share_wtw"] < 1


def test_summary_has_total_row(footprint):
    s = footprint.summary()
    assert s.iloc[-1]["element_id"] == "TOTAL"
    assert s.iloc[-1]["wtw_kg"] == pytest.approx(footprint.elements["wtw_kg"].sum(), rel=1e-12)
    assert len(s) == len(CHAIN) + 1


def test_every_element_cites_sources(footprint):
    e = footprint.elements
    assert (e["sources"].str.len() > 10).all()
    assert (e["factor_ids"].str.len() > 0).all()
    rail = e[e["mode"] == "rail"]
    assert rail["factor_ids"].str.contains("rail_electrification:").all()
    assert np.all(
        rail["electrified_share"].to_numpy()
        == pd.Series([SHARE[c] for c in rail["country"]]).to_numpy()
    )
