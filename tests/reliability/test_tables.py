"""The reliability tables: declared columns, checks with file/row/field, coverage of the time model."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from serai.errors import InputError
from serai.reliability.montecarlo import DAYS_IN_MONTH
from serai.reliability.tables import load_reliability_tables, reliability_tables


def _copy(tmp_path: Path) -> Path:
    src = resources.files("serai.reliability.data")
    for name in ("distributions.csv", "seasons.csv"):
        with resources.as_file(src.joinpath(name)) as f:
            shutil.copy(f, tmp_path / name)
    return tmp_path


def _edit(path: Path, name: str, fn) -> None:
    df = pd.read_csv(path / name, dtype=str, keep_default_na=False)
    fn(df)
    df.to_csv(path / name, index=False)


def test_shipped_tables_are_declared_sourced_and_consistent() -> None:
    t = reliability_tables()
    d = t.distributions
    assert d["rule_id"].is_unique
    # every rule says where its spread comes from: a source with a year, or an estimate
    measured = d["basis"] == "measured"
    assert (d.loc[measured, "source"] != "").all()
    assert (d.loc[measured, "year"] != "").all()
    assert (d["note"].str.len() > 20).all()
    est = d.loc[~measured, "note"]
    assert est.str.contains("EST|time model|random arrival|exponential", regex=True).all()


def test_caspian_profile_matches_the_facts_and_the_time_model() -> None:
    """Nov-Dec ~50% closed (Kuryk), 10 storm days in one January (facts §7).

    The time model's yearly storm delay (ferry.weather.caspian, 4.0 h) rests on the same
    figures: (30.5 + 10) / 365 = 11% of the year closed, times a 36 h residual spell.
    """
    share = reliability_tables().profiles["caspian"]
    assert share[10] == share[11] == 0.5
    assert abs(share[0] - 10 / 31) < 1e-3
    closed_days = float((share * DAYS_IN_MONTH).sum())
    assert abs(closed_days - (30.5 + 10)) < 0.1
    assert abs(4.0 / (closed_days / 365) - 36.0) < 0.1


def _set(col: str, *values: str):
    """An edit putting ``values`` in the first rows of ``col``."""

    def edit(d: pd.DataFrame) -> None:
        d.loc[: len(values) - 1, col] = list(values)

    return edit


def _rename(d: pd.DataFrame) -> None:
    d.columns = ["cvv" if c == "cv" else c for c in d.columns]


@pytest.mark.parametrize(
    ("name", "edit", "field", "row"),
    [
        ("distributions.csv", _set("family", "lognorm"), "family", 1),
        ("distributions.csv", _rename, "cvv", None),
        ("distributions.csv", _set("cv", "-1"), "cv", 1),
        ("distributions.csv", _set("scope", "global"), "scope", 1),
        ("distributions.csv", _set("profile", "caspain"), "profile", 1),
        ("distributions.csv", _set("rule_id", "x", "x"), "rule_id", 2),
        ("seasons.csv", _set("month", "13"), "month", 1),
        ("seasons.csv", _set("closed_share", "abc"), "closed_share", 1),
    ],
)
def test_bad_tables_are_input_errors_naming_the_place(tmp_path, name, edit, field, row) -> None:
    folder = _copy(tmp_path)
    _edit(folder, name, edit)
    with pytest.raises(InputError) as e:
        load_reliability_tables(folder)
    assert e.value.field == field
    assert e.value.row == row
    assert name in str(e.value.file)


def test_a_copied_folder_reads_like_the_shipped_tables(tmp_path) -> None:
    t = load_reliability_tables(_copy(tmp_path))
    s = reliability_tables()
    assert t.distributions.equals(s.distributions)
    assert all(np.array_equal(t.profiles[k], s.profiles[k]) for k in s.profiles)


def test_missing_table_is_an_input_error(tmp_path) -> None:
    with pytest.raises(InputError, match="missing table"):
        load_reliability_tables(tmp_path)
