"""The minerals tables: validation gate, sources, and the numbers taken from the facts."""

from __future__ import annotations

import math
import re
import shutil
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from serai.errors import InputError
from serai.minerals import load_minerals
from serai.minerals.tables import TABLES

FACTS = Path(__file__).resolve().parents[2].parent / "shared" / "facts" / "corridor-facts.md"


@pytest.fixture(scope="module")
def data():
    return load_minerals()


def _copy(tmp_path: Path) -> Path:
    src = resources.files("serai.minerals.data")
    for t in TABLES:
        with resources.as_file(src.joinpath(f"{t}.csv")) as p:
            shutil.copy(p, tmp_path / f"{t}.csv")
    return tmp_path


def _edit(folder: Path, table: str, fn) -> None:
    f = folder / f"{table}.csv"
    df = pd.read_csv(f, dtype=str, keep_default_na=False)
    fn(df).to_csv(f, index=False)


@pytest.mark.parametrize(
    ("table", "change", "message"),
    [
        ("facilities", lambda d: d.assign(capacity=d["capacity"].where(d.index != 5, "lots")),
         r"facilities\.csv, row 6, field 'capacity': 'lots' is not a number"),
        ("facilities", lambda d: d.assign(stage=d["stage"].where(d.index != 0, "minning")),
         r"row 1, field 'stage': no stage 'uranium:minning'.*did you mean uranium:mine"),
        ("facilities", lambda d: d.assign(status=d["status"].where(d.index != 2, "open")),
         r"row 3, field 'status': 'open' is not one of"),
        ("facilities", lambda d: d.rename(columns={"capacity": "capacity_t"}),
         r"field 'capacity_t': unknown column; did you mean capacity"),
        ("facilities", lambda d: d.assign(lat=d["lat"].where(d.index != 1, "95")),
         r"row 2, field 'lat': 95(\.0)? is not a valid latitude"),
        ("access", lambda d: d.assign(facility_id=d["facility_id"].where(d.index != 0, "aktogai")),
         r"access\.csv, row 1, field 'facility_id': 'aktogai' is not a facilities\.facility_id"),
        ("products", lambda d: d.assign(base_commodity="gold"),
         r"field 'base_commodity': 'gold' is not a freight commodity"),
        ("dg_rules", lambda d: d.assign(applies_to=d["applies_to"].where(d.index != 0, "class:9")),
         r"'class:9' is neither a product nor a dangerous-goods class"),
        ("stages", lambda d: d.assign(t_in_per_t_out=d["t_in_per_t_out"].where(d.index != 1, "")),
         r"stages\.csv, row 2, field 't_in_per_t_out': required for this role"),
        ("facilities", lambda d: d.assign(name=d["name"].where(d.index != 0, "")),
         r"row 1, field 'name': a value is required"),
    ],
)  # fmt: skip
def test_validation_gate_names_file_row_and_field(tmp_path, table, change, message):
    folder = _copy(tmp_path)
    _edit(folder, table, change)
    with pytest.raises(InputError, match=message):
        load_minerals(folder)


def test_missing_table_is_an_error(tmp_path):
    folder = _copy(tmp_path)
    (folder / "ports.csv").unlink()
    with pytest.raises(InputError, match=r"ports\.csv: missing table"):
        load_minerals(folder)


def test_every_row_is_sourced_or_marked_estimate(data):
    for name in ("facilities", "products", "stages", "units", "access", "ports", "dg_rules",
                 "demand"):  # fmt: skip
        t = getattr(data, name)
        assert (t["source"].str.len() > 0).all(), name
        est_text = t["source"].str.contains("EST")
        assert (t.loc[est_text, "estimate"]).all(), f"{name}: EST in source but not estimate"
    fac = data.facilities
    # a row not marked estimate cites the facts
    plain = fac.loc[~fac["estimate"]]
    assert plain["source"].str.contains("corridor-facts").all()


def _facts() -> str:
    if not FACTS.exists():
        pytest.skip(f"facts file not found: {FACTS}")
    return FACTS.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("facility", "column", "value", "text"),
    [
        ("navoiyuran", "output", 3800, ">3.8 kt (2023"),
        ("balkhash", "capacity", 250000, "Balkhash copper smelter | 250 → 300 kt/yr by 2028"),
        ("aktogay", "output", 2 * 113900, "Aktogay 113.9 kt"),
        ("bozshakol", "output", 2 * 53400, "Bozshakol 53.4 kt"),
        ("northern_katpar", "capacity", 12000, "12,000 t/yr tungsten"),
        ("kairakty_apt", "capacity", 12500, "design >12,500 t APT/yr"),
        ("china_separation", "capacity", 254000, "smelting/separation 254,000 t"),
    ],
)
def test_figures_from_the_facts(data, facility, column, value, text):
    assert data.facilities.loc[facility, column] == pytest.approx(value)
    assert text in _facts()


def test_kazakh_mine_outputs_fit_in_the_group_total(data):
    # corridor-facts 5.1: Kazatomprom group 21,112 tU in 2023 (100% basis)
    assert "21,112 tU (2023" in _facts()
    fac = data.facilities
    kz = fac.loc[
        (fac["mineral"] == "uranium") & (fac["stage"] == "mine") & (fac["country"] == "KZ")
    ]
    assert kz["output"].sum() <= 21112


def test_stage_factors_are_the_stoichiometry(data):
    U, Ox, F, W, N, H, Nd = 238.03, 16.00, 19.00, 183.84, 14.007, 1.008, 144.24
    u3o8 = 3 * U / (3 * U + 8 * Ox)
    uf6 = U / (U + 6 * F)
    assert data.per_t("uranium_uoc", "tU") == pytest.approx(u3o8, rel=1e-4)
    assert data.per_t("uranium_uf6_natural", "tU") == pytest.approx(uf6, rel=1e-4)
    st = data.stages.set_index(["mineral", "stage"])["t_in_per_t_out"]
    assert st["uranium", "conversion"] == pytest.approx(uf6 / u3o8 / 0.995, rel=1e-4)
    xp, xt, xf = 0.045, 0.0025, 0.00711
    fp = (xp - xt) / (xf - xt)
    assert st["uranium", "enrichment"] == pytest.approx(fp, rel=1e-4)

    def v(x):
        return (2 * x - 1) * math.log(x / (1 - x))

    swu = v(xp) + (fp - 1) * v(xt) - fp * v(xf)
    assert data.per_t("uranium_uf6_enriched", "tSWU") == pytest.approx(swu * uf6, rel=1e-3)
    apt = 10 * (N + 4 * H) + 2 * H + 12 * W + 42 * Ox + 4 * (2 * H + Ox)
    assert data.per_t("tungsten_apt", "tWO3") == pytest.approx(12 * (W + 3 * Ox) / apt, rel=1e-3)
    assert st["tungsten", "powder"] == pytest.approx(apt / (12 * W) / 0.98, rel=1e-3)
    nd2o3 = 2 * Nd / (2 * Nd + 3 * Ox)
    assert st["rare_earths", "metal"] == pytest.approx(1 / (nd2o3 * 0.97), rel=1e-3)


def test_demand_rows_follow_from_the_facts(data):
    d = data.demand.set_index("scenario")
    u = data.per_t("uranium_uoc", "tU")
    assert d.loc["us_uranium_from_kz_2023", "tonnes_per_year"] == pytest.approx(3800 / u, rel=1e-3)
    assert d.loc["us_uranium_from_kz_2025", "tonnes_per_year"] == pytest.approx(
        3800 / 0.22 * 0.24 / u, rel=1e-3
    )
    facts = _facts()
    assert "~3,800 t (~10 Mlb)/yr 2022–23" in facts
    assert "~24% (Tokayev, 2025-09-22); 22% in 2023" in facts


def test_checks_are_the_facts_validation_rows(data):
    facts = _facts()
    ck = data.checks
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| (V1[6-8]) \|.*$", facts, re.M)}
    assert "2,300 t (2023); quota 3,500 t" in rows["V16"]
    assert ck.loc["V16_volume", "value"] == 2300 and ck.loc["V16_quota", "value"] == 3500
    assert "22–24%" in rows["V17"]
    assert (ck.loc["V17_share", "low"], ck.loc["V17_share", "high"]) == (0.22, 0.24)
    assert "92% (2023)" in rows["V18"] and ck.loc["V18_share", "value"] == 0.92
