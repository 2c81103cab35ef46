"""The corridor fact tables (tools/data/facts): schema, provenance, ranges, references."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from serai.errors import InputError
from tools.data.facts.load import (
    FACTS_DIR,
    TABLES,
    check_facts,
    load_facts,
    model_values,
    split_list,
)


@pytest.fixture(scope="module")
def facts():
    return load_facts(FACTS_DIR)


def test_every_table_parses_without_problems():
    tables, problems = check_facts(FACTS_DIR)
    assert [str(p) for p in problems] == []
    assert set(tables) == set(TABLES)


def test_declared_columns_present(facts):
    schema = pd.read_csv(FACTS_DIR / "schema.csv", dtype=str, keep_default_na=False)
    for name, df in facts.items():
        declared = schema.loc[schema["table"] == name, "column"].tolist()
        assert declared, name
        assert [c for c in declared if c not in df.columns] == [], name


def test_every_row_has_a_source_or_a_reasoned_estimate(facts):
    known = set(facts["sources"]["source_id"])
    for name, df in facts.items():
        if "source_id" not in df or "estimate" not in df:
            continue
        for i, row in df.iterrows():
            ids = split_list(row["source_id"])
            assert all(s in known for s in ids), (name, i, ids)
            if bool(row["estimate"]):
                assert isinstance(row["note"], str) and len(row["note"]) > 10, (name, i)
            else:
                assert ids, (name, i)


def test_coordinates_in_range_and_in_the_region(facts):
    p = facts["points"]
    assert p["lat"].between(-90, 90).all() and p["lon"].between(-180, 180).all()
    # everything but Singapore lies in the Eurasian box of the embedded network
    inner = p[p["point_id"] != "singapore_port"]
    assert inner["lat"].between(25, 60).all()
    assert inner["lon"].between(-10, 125).all()


def test_points_match_corridor_facts_spot_values(facts):
    """Spot values copied from corridor-facts.md §1 (independent of the loader)."""
    p = facts["points"].set_index("point_id")
    assert (p.at["dostyk", "lat"], p.at["dostyk", "lon"]) == (45.2540, 82.4855)
    assert (p.at["aktau_port", "lat"], p.at["aktau_port", "lon"]) == (43.6823, 51.2129)
    assert p.at["alat_port", "estimate"]  # EST-snap
    assert p.at["constanta_port", "unlocode"] == "ROCND"


def test_statuses_and_years_valid(facts):
    for name in ("points", "lines", "services", "border_crossings", "gauge_breaks"):
        df = facts[name]
        assert set(df["status"]) <= {"operational", "under_construction", "planned"}, name
        years = df["open_year"].dropna()
        assert years.between(1850, 2040).all(), name
        # anything not yet open must not claim an opening year in the past of its figures
        pending = df[df["status"] != "operational"]
        assert (pending["open_year"].dropna() >= 2025).all(), name


def test_issue_lines_present_with_time_attributes(facts):
    lines = facts["lines"].set_index("line_id")
    for lid, year in [
        ("bakhty_ayagoz", 2027),
        ("darbaza_maktaaral", 2026),
        ("cku", 2030),
        ("horadiz_aghband", 2026),
        ("kars_dilucu", 2029),
        ("dostyk_moyynty_2nd_track", 2025),
        ("almaty_bypass", 2025),
    ]:
        assert lines.at[lid, "open_year"] == year, lid
    assert "tripp_armenia" in lines.index
    pts = facts["points"].set_index("point_id")
    assert pts.at["anaklia_port", "status"] == "planned"
    assert pts.at["kuryk_sarzha", "open_year"] == 2025


def test_one_model_value_per_attribute(facts):
    a = facts["attributes"]
    used = a[a["use"].astype(bool)]
    assert not used.duplicated(["element", "attribute"]).any()
    assert used["value"].notna().all()


def test_disagreeing_sources_are_all_kept(facts):
    a = facts["attributes"]
    btk = a[(a["element"] == "line:btk") & (a["attribute"] == "length_km")]
    assert sorted(btk["value"].astype(float)) == [829.0, 849.0, 850.0]
    ba = a[(a["element"] == "line:bakhty_ayagoz") & (a["attribute"] == "length_km")]
    assert sorted(ba["value"].astype(float)) == [270.0, 272.0, 295.0, 297.0, 303.0]


def test_model_values_pivot(facts):
    pts = model_values(facts, "point")
    assert pts.at["alat_port", "capacity"] == 15.0
    assert pts.at["alat_port", "capacity_teu"] == 100000.0
    modes = model_values(facts, "mode")
    assert modes.at["rail:KZ", "border_time_h"] == 69.7


def test_validation_routes_bands_consistent(facts):
    r = facts["validation_routes"]
    both = r.dropna(subset=["low", "high"])
    assert (both["low"] <= both["high"]).all()
    with_value = r.dropna(subset=["value", "low", "high"])
    assert (
        (with_value["value"] >= with_value["low"]) & (with_value["value"] <= with_value["high"])
    ).all()
    # nmi → km conversions in the sea rows
    rows = r.set_index("route_id")
    assert rows.at["shanghai_rotterdam_suez_length", "low"] == pytest.approx(10600 * 1.852, abs=1)
    assert rows.at["shanghai_rotterdam_cape_length", "high"] == pytest.approx(14000 * 1.852, abs=1)


# --- bad input gets a clear error naming file, row and field ------------------------------


def _copy(tmp_path):
    d = tmp_path / "facts"
    shutil.copytree(FACTS_DIR, d, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return d


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unknown_source_is_reported(tmp_path):
    d = _copy(tmp_path)
    _edit(d / "lines.csv", "ulagat_aktogay,false", "no_such_source,false")
    with pytest.raises(InputError) as e:
        load_facts(d)
    assert e.value.file == "lines.csv" and e.value.row == 1 and e.value.field == "source_id"


def test_unsourced_non_estimate_is_reported(tmp_path):
    d = _copy(tmp_path)
    _edit(d / "lines.csv", "ulagat_aktogay,false", ",false")
    _, problems = check_facts(d)
    assert any(p.file == "lines.csv" and p.row == 1 and p.field == "source_id" for p in problems)


def test_estimate_without_reasoning_is_reported(tmp_path):
    d = _copy(tmp_path)
    text = (d / "points.csv").read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(text) if line.startswith("ayagoz,"))
    text[row] = text[row].rsplit(",true,", 1)[0] + ",true,"
    (d / "points.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    _, problems = check_facts(d)
    assert any(p.file == "points.csv" and p.row == row and p.field == "note" for p in problems)


def test_bad_coordinate_and_status_reported(tmp_path):
    d = _copy(tmp_path)
    _edit(d / "points.csv", "45.2540,82.4855", "145.2540,82.4855")
    _edit(d / "lines.csv", "304,1520,,,operational,1959", "304,1520,,,open,1959")
    _, problems = check_facts(d)
    msgs = {(p.file, p.field) for p in problems}
    assert ("points.csv", "lat") in msgs
    assert ("lines.csv", "status") in msgs


def test_unquoted_comma_reported(tmp_path):
    d = _copy(tmp_path)
    with (d / "tariffs.csv").open("a", encoding="utf-8") as fh:
        fh.write("x,xian,duisburg,,FEU,USD,1,,,2020,ey_titr,false,note, with comma\n")
    _, problems = check_facts(d)
    assert any(p.file == "tariffs.csv" and "fields" in p.message for p in problems)


def test_unknown_point_reference_reported(tmp_path):
    d = _copy(tmp_path)
    _edit(d / "validation_routes.csv", "kars,marabda;akhalkalaki", "kars,marabda;nowhere")
    _, problems = check_facts(d)
    assert any(p.file == "validation_routes.csv" and p.field == "via" for p in problems)
