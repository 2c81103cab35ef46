"""Accounting rules (distance adjustment, TEU-based TOCs, blends) and bad-input errors."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from serai.emissions import Shipment, account_chain, carbon_cost, load_factors
from serai.emissions.factors import TABLES
from serai.errors import InputError

DIESEL_WTW = 17.9 * (1 + 0.62665 / 2.57082)  # g/tkm, diesel container train


def legs(**cols) -> pd.DataFrame:
    base = {"element": ["tce"], "mode": ["rail"], "km": [100.0], "country": ["KZ"]}
    base.update(cols)
    return pd.DataFrame(base)


def test_distance_adjustment_factor_scales_activity_and_is_stated():
    a = account_chain(legs(toc=["rail_container_diesel"]), Shipment("S", mass_t=20.0))
    b = account_chain(
        legs(
            toc=["rail_container_diesel"], distance_adjustment_factor=[1.1], distance_basis=["sfd"]
        ),
        Shipment("S", mass_t=20.0),
    )
    assert a.elements.at[0, "tonne_km"] == 2000.0
    assert b.elements.at[0, "distance_km"] == pytest.approx(110.0)
    assert b.elements.at[0, "tonne_km"] == pytest.approx(2200.0)
    assert b.totals["wtw_kg"] == pytest.approx(1.1 * a.totals["wtw_kg"], rel=1e-12)
    assert a.totals["wtw_kg"] == pytest.approx(2000 * DIESEL_WTW / 1000, rel=1e-12)
    assert b.elements.at[0, "distance_basis"] == "sfd"
    assert any("adjustment" in n for n in b.notes)


def test_explicit_share_overrides_country_default():
    # share 0.6 in KZ: 0.6 x 0.027 x 641.102 + 0.4 x diesel
    fp = account_chain(legs(electrified_share=[0.6]), Shipment("S", mass_t=1.0))
    expected = 0.6 * 0.027 * 641.102 + 0.4 * DIESEL_WTW
    assert fp.elements.at[0, "intensity_g_per_tkm"] == pytest.approx(expected, rel=1e-9)
    assert fp.elements.at[0, "ttw_kg"] == pytest.approx(0.4 * 17.9 * 100 / 1000, rel=1e-12)
    assert "rail_electrification" not in fp.elements.at[0, "factor_ids"]


def test_explicit_electric_and_diesel_tocs_ignore_share():
    e = account_chain(
        legs(toc=["rail_container_electric"], electrified_share=[0.1]), Shipment("S", mass_t=1.0)
    )
    d = account_chain(
        legs(toc=["rail_container_diesel"], electrified_share=[0.9]), Shipment("S", mass_t=1.0)
    )
    assert e.elements.at[0, "electrified_share"] == 1.0 and e.totals["ttw_kg"] == 0.0
    assert e.totals["wtw_kg"] == pytest.approx(100 * 0.027 * 641.102 / 1000, rel=1e-12)
    assert d.elements.at[0, "electrified_share"] == 0.0
    assert d.totals["wtw_kg"] == pytest.approx(100 * DIESEL_WTW / 1000, rel=1e-12)


def test_mass_from_teu_and_teu_from_mass():
    fp = account_chain(legs(mode=["road"], country=["DE"]), Shipment("S", teu=2.0))
    assert fp.totals["mass_t"] == 20.0  # 10 t per TEU (IMO EEOI)
    hub = pd.DataFrame({"element": ["hoc"], "mode": ["transfer"], "hoc": ["port_container"]})
    fp2 = account_chain(hub, Shipment("S", mass_t=25.0))
    assert fp2.totals["teu"] == 2.5 and fp2.totals["wtw_kg"] == pytest.approx(25.0)
    assert np.isnan(fp2.totals["intensity_g_per_tkm"])  # no tonne-km


def _custom(tmp_path: Path) -> Path:
    data = Path(str(resources.files("serai.emissions") / "data"))
    for name in TABLES:
        shutil.copy(data / f"{name}.csv", tmp_path / f"{name}.csv")
    tocs = pd.read_csv(tmp_path / "tocs.csv", dtype=str, keep_default_na=False)
    row = tocs[tocs["toc_id"] == "sea_container_8000teu"].copy()
    row["toc_id"], row["activity_unit"], row["ttw"], row["wtt"] = (
        "sea_teu_test",
        "TEUkm",
        "50",
        "10",
    )
    pd.concat([tocs, row]).to_csv(tmp_path / "tocs.csv", index=False)
    hocs = pd.read_csv(tmp_path / "hocs.csv", dtype=str, keep_default_na=False)
    h = hocs[hocs["hoc_id"] == "port_container"].copy()
    h["hoc_id"], h["activity_unit"], h["ttw"], h["wtt"] = "bulk_test", "tonnes", "0.4", "0.1"
    pd.concat([hocs, h]).to_csv(tmp_path / "hocs.csv", index=False)
    return tmp_path


def test_teu_km_toc_and_per_tonne_hub(tmp_path):
    f = load_factors(_custom(tmp_path))
    chain = pd.DataFrame(
        {
            "element": ["tce", "hoc"],
            "mode": ["sea", "transfer"],
            "toc": ["sea_teu_test", ""],
            "hoc": ["", "bulk_test"],
            "km": [1000.0, 0.0],
        }
    )
    fp = account_chain(chain, Shipment("S", mass_t=18.0, teu=2.0), factors=f)
    e = fp.elements
    assert e.at[0, "activity"] == 2000.0 and e.at[0, "activity_unit"] == "TEUkm"
    assert e.at[0, "tonne_km"] == 18000.0
    assert e.at[0, "wtw_kg"] == pytest.approx(2000 * 60 / 1000)
    assert e.at[0, "intensity_g_per_tkm"] == pytest.approx(120_000 / 18000)
    assert e.at[1, "activity"] == 18.0 and e.at[1, "wtw_kg"] == pytest.approx(18 * 0.5)


def test_carbon_cost_is_price_times_wtw():
    fp = account_chain(legs(), Shipment("S", teu=1))
    c = carbon_cost(fp, 85.0)
    assert c["carbon_cost_usd"].sum() == pytest.approx(85.0 * fp.totals["wtw_kg"] / 1000, rel=1e-12)
    with pytest.raises(InputError, match="carbon price"):
        carbon_cost(fp, -1)


# --- bad input: clear errors naming the row and field


@pytest.mark.parametrize(
    ("cols", "field", "match"),
    [
        ({"toc": ["rail_hyperloop"]}, "toc", "unknown TOC 'rail_hyperloop'"),
        ({"toc": ["ropax_caspian"]}, "toc", "is for mode 'ferry', not 'rail'"),
        ({"element": ["leg"]}, "element", "element must be"),
        ({"mode": ["teleport"]}, "mode", "mode must be one of"),
        ({"mode": ["transfer"]}, "mode", "cannot have mode 'transfer'"),
        ({"km": [-5.0]}, "km", "distance km >= 0"),
        ({"km": [np.nan]}, "km", "distance km >= 0"),
        ({"electrified_share": [1.5]}, "electrified_share", "within 0..1"),
        ({"distance_adjustment_factor": [0.0]}, "distance_adjustment_factor", "> 0"),
        ({"distance_basis": ["guess"]}, "distance_basis", "distance_basis"),
        ({"country": ["XX"]}, "electrified_share", "no default electrified share for country 'XX'"),
    ],
)
def test_bad_leg_names_row_and_field(cols, field, match):
    chain = pd.concat([legs(), legs(**cols)], ignore_index=True)
    chain.index = ["first", "second"]
    with pytest.raises(InputError, match=match) as e:
        account_chain(chain, Shipment("S", teu=1))
    assert e.value.row == "second" and e.value.field == field


def test_electric_leg_in_country_without_grid():
    chain = legs(toc=["rail_container_electric"], country=["QQ"])
    with pytest.raises(InputError, match="no grid intensity for country 'QQ'") as e:
        account_chain(chain, Shipment("S", teu=1))
    assert e.value.row == 0 and e.value.field == "country"


def test_bad_hub_rows():
    hub = pd.DataFrame(
        {"element": ["hoc", "hoc"], "mode": ["transfer", "transfer"], "hoc": ["port_container", ""]}
    )
    with pytest.raises(InputError, match="needs a 'hoc'") as e:
        account_chain(hub, Shipment("S", teu=1))
    assert e.value.row == 1 and e.value.field == "hoc"
    hub.loc[1, "hoc"] = "spaceport"
    with pytest.raises(InputError, match="unknown HOC 'spaceport'"):
        account_chain(hub, Shipment("S", teu=1))


def test_bad_tables_and_shipments():
    with pytest.raises(InputError, match="empty"):
        account_chain(pd.DataFrame(columns=["element", "mode"]), Shipment("S", teu=1))
    with pytest.raises(InputError, match="needs a 'mode' column"):
        account_chain(pd.DataFrame({"element": ["tce"]}), Shipment("S", teu=1))
    with pytest.raises(InputError, match="mass_t and/or teu"):
        Shipment("S")
    with pytest.raises(InputError, match="positive"):
        Shipment("S", mass_t=-1.0)
    with pytest.raises(InputError, match="shipment_id"):
        Shipment(" ", teu=1)


def test_unknown_country_fallback_uses_the_zz_rows():
    chain = legs(country=["QQ"])
    with pytest.raises(InputError, match="no default electrified share for country 'QQ'"):
        account_chain(chain, Shipment("S", mass_t=1.0))
    fp = account_chain(chain, Shipment("S", mass_t=1.0), unknown_country="fallback")
    e = fp.elements.iloc[0]
    assert e["electrified_share"] == 0.0  # ZZ: all diesel
    assert e["wtw_kg"] == pytest.approx(100 * DIESEL_WTW / 1000, rel=1e-12)
    assert "rail_electrification:ZZ" in e["factor_ids"] and bool(e["estimate"])
    el = account_chain(legs(country=["QQ"], toc=["rail_container_electric"]), Shipment("S", mass_t=1.0),
                       unknown_country="fallback").elements.iloc[0]  # fmt: skip
    assert el["grid_g_per_kwh"] == 481.0 and "grid:ZZ" in el["factor_ids"]
    with pytest.raises(InputError, match="unknown_country"):
        account_chain(chain, Shipment("S", mass_t=1.0), unknown_country="guess")
