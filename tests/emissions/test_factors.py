"""Factor tables: provenance of every row, and clear errors for bad tables."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from serai.emissions import load_factors
from serai.emissions.factors import TABLES
from serai.errors import InputError

DATA = Path(str(resources.files("serai.emissions") / "data"))


def test_no_factor_without_source_year_and_estimate_flag():
    f = load_factors()
    prov = f.provenance()
    assert len(prov) == sum(len(f.table(t)) for t in TABLES)
    assert (prov["source"].str.strip().str.len() > 10).all()
    assert (prov["year"].astype(str).str.strip() != "").all()
    assert prov["estimate"].map(type).eq(bool).all()
    years = prov["year"].astype(str)
    assert years.str.fullmatch(r"(19|20)\d\d|n\.s\.").all(), years[
        ~years.str.fullmatch(r"(19|20)\d\d|n\.s\.")
    ]


def test_every_estimate_gives_its_reasoning():
    f = load_factors()
    for name in TABLES:
        t = f.table(name)
        est = t[t["estimate"]]
        notes = est["note"].fillna("").str.strip()
        assert (notes.str.len() > 15).all(), (
            f"{name}: estimates without a note: {list(est.index[notes.str.len() <= 15])}"
        )


def test_required_coverage_of_corridor_countries():
    f = load_factors()
    corridor = [
        "KZ",
        "CN",
        "RU",
        "BY",
        "PL",
        "DE",
        "AZ",
        "GE",
        "TR",
        "UZ",
        "TM",
        "IR",
        "KG",
        "AM",
        "BG",
        "RO",
        "NL",
    ]
    assert set(corridor) <= set(f.grid.index)
    assert set(corridor) <= set(f.rail_electrification.index)
    assert f.rail_electrification.at["KZ", "electrified_share"] == 0.25  # corridor-facts section 6
    assert f.grid["g_co2e_per_kwh"].between(0, 1200).all()


def test_hub_and_toc_tables_have_the_brief_ids():
    f = load_factors()
    assert {"rail_container_electric", "rail_container_diesel", "sea_container_8000teu", "ropax_caspian",
            "truck_40t_diesel"} <= set(f.tocs.index)  # fmt: skip
    assert {"port_container", "rail_terminal_transshipment", "gauge_change_transshipment",
            "border_crossing"} <= set(f.hocs.index)  # fmt: skip


def test_electric_tocs_have_zero_ttw_and_fuel_tocs_positive():
    t = load_factors().tocs
    assert (t.loc[t["energy_carrier"] == "Electric", "ttw"] == 0).all()
    assert (t.loc[t["energy_carrier"] != "Electric", "ttw"] > 0).all()


def _copy_tables(tmp_path: Path) -> Path:
    for name in TABLES:
        shutil.copy(DATA / f"{name}.csv", tmp_path / f"{name}.csv")
    return tmp_path


def test_custom_folder_loads_like_the_package(tmp_path):
    f = load_factors(_copy_tables(tmp_path))
    pd.testing.assert_frame_equal(f.tocs, load_factors().tocs)
    assert f.origin == str(tmp_path)


def test_row_without_source_names_file_row_and_field(tmp_path):
    folder = _copy_tables(tmp_path)
    t = pd.read_csv(folder / "hocs.csv", dtype=str, keep_default_na=False)
    t.loc[2, "source"] = ""
    t.to_csv(folder / "hocs.csv", index=False)
    with pytest.raises(InputError) as e:
        load_factors(folder)
    assert e.value.row == 4 and e.value.field == "source" and "hocs.csv" in e.value.file


def test_bad_estimate_flag_and_negative_value(tmp_path):
    folder = _copy_tables(tmp_path)
    t = pd.read_csv(folder / "tocs.csv", dtype=str, keep_default_na=False)
    t.loc[0, "estimate"] = "maybe"
    t.to_csv(folder / "tocs.csv", index=False)
    with pytest.raises(InputError, match="estimate must be true or false"):
        load_factors(folder)
    t.loc[0, "estimate"] = "false"
    t.loc[1, "ttw"] = "-3"
    t.to_csv(folder / "tocs.csv", index=False)
    with pytest.raises(InputError, match="negative factor") as e:
        load_factors(folder)
    assert e.value.row == 3 and e.value.field == "ttw"


def test_missing_table_and_bad_load_factor(tmp_path):
    with pytest.raises(InputError, match="factor table not found"):
        load_factors(tmp_path)
    with pytest.raises(InputError, match="load_t_per_teu"):
        load_factors(load_t_per_teu=0)
    assert load_factors(load_t_per_teu=14.0).load_t_per_teu == 14.0
