"""Run store round trips: DuckDB always, PostgreSQL/PostGIS when a server can be started."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from serai.errors import InputError
from serai.scenarios import scenario_from_text
from serai.scenarios.run import ScenarioResult
from serai.store import open_store


@pytest.fixture(scope="module")
def scen():
    return scenario_from_text(
        'extends = "base-2024"\n[[close]]\nelement = "passage:suez"\nsource = "test"\n',
        name="no-suez",
    )


def result(scen, extra_col: bool = False, scale: float = 1.0) -> ScenarioResult:
    links = pd.DataFrame(
        {
            "link_id": np.array([10, 11, 12], dtype=np.int64),
            "service_id": ["", "kuryk_alat_rail_ferry", ""],
            "mode": ["rail", "ferry", "sea"],
            "tonnes": np.array([1.5e6, np.nan, 3.0]) * scale,
            "busy": [True, False, True],
            "geometry": [
                "LINESTRING (71.5 51.1, 71.4 51.2)",
                "",
                "LINESTRING (50 40, 51 41, 52 42)",
            ],
        }
    )
    if extra_col:
        links["co2e_t"] = [1.0, 2.0, 3.0]
    ind = pd.DataFrame({"indicator": ["trans_caspian_tonnes", "btk_tonnes"], "direction": ["total", "total"],
                        "unit": ["t", "t"], "value": [9.1e6 * scale, 1.8e5]})  # fmt: skip
    head = pd.DataFrame({"indicator": ["co2e_t"], "unit": ["t"], "value": [4.2e7 * scale]})
    summary = {"scenario": scen.name, "hash": scen.hash, "year": scen.year, "method": "lp",
               "flows": True, "routes": True, "timings_s": {"total_s": 12.5},
               "data_versions": {"network": "abc"}, "serai_version": "0.1.0"}  # fmt: skip
    empty = pd.DataFrame(columns=["target", "claim", "model"])
    return ScenarioResult(
        scen, {"links": links, "indicators": ind, "headline": head, "targets": empty}, summary
    )


def check_round_trip(st, scen):
    r = result(scen)
    rid = st.record(r, parameters={"note": "test"})
    back = st.get(rid)
    assert back.name == "no-suez" and back.year == 2024 and back.record["status"] == "ok"
    assert (
        back.record["scenario_hash"] == scen.hash and "passage:suez" in back.record["scenario_text"]
    )
    assert sorted(back.table_names) == ["headline", "indicators", "links", "targets"]
    links = back.tables["links"]
    assert links["link_id"].tolist() == [10, 11, 12]
    assert links["tonnes"].iloc[0] == 1.5e6 and pd.isna(links["tonnes"].iloc[1])
    assert links["busy"].tolist() == [True, False, True]
    geo = links["geometry"].tolist()
    assert (
        geo[0].replace(" ", "") == "LINESTRING(71.551.1,71.451.2)".replace(" ", "")
        or "71.5 51.1" in geo[0]
    )
    assert pd.isna(geo[1]) or geo[1] == ""
    pd.testing.assert_frame_equal(
        back.tables["indicators"], r.tables["indicators"], check_dtype=False
    )
    assert len(back.tables["targets"]) == 0
    rec = back.record
    params = (
        rec["parameters"] if isinstance(rec["parameters"], dict) else json.loads(rec["parameters"])
    )
    assert params["note"] == "test" and params["method"] == "lp"
    dv = (
        rec["data_versions"]
        if isinstance(rec["data_versions"], dict)
        else json.loads(rec["data_versions"])
    )
    assert dv == {"network": "abc"}
    # a second run with a new column and wider values: the table grows a column
    rid2 = st.record(result(scen, extra_col=True, scale=2.0))
    l2 = st.get(rid2).tables["links"]
    assert l2["co2e_t"].tolist() == [1.0, 2.0, 3.0]
    assert st.get(rid).tables["links"]["co2e_t"].isna().all()
    # failures are kept with their message
    fid = st.record_failure("broken", "x.toml, line 3: unknown passage 'sues'")
    runs = st.runs()
    assert runs["run_id"].tolist()[0] == fid and set(runs["status"]) == {"ok", "failed"}
    assert st.runs(scenario="no-suez")["run_id"].tolist() == [rid2, rid]
    # references: prefix, scenario name (latest ok run)
    assert st.resolve(rid[:-2]) == rid and st.resolve("no-suez") == rid2
    with pytest.raises(InputError, match="unknown run or scenario"):
        st.resolve("no-sues")
    # plain SQL over the store
    q = st.query("SELECT run_id, SUM(value) AS v FROM serai_indicators GROUP BY run_id ORDER BY v")
    assert q["run_id"].tolist() == [rid, rid2]
    return rid, rid2


def test_duckdb_round_trip(tmp_path, scen):
    st = open_store(tmp_path / "runs.duckdb")
    rid, _rid2 = check_round_trip(st, scen)
    out = st.export(rid, tmp_path / "export")
    assert {p.name for p in out.iterdir()} >= {
        "links.csv",
        "indicators.csv",
        "run.json",
        "scenario.toml",
    }
    assert json.loads((out / "run.json").read_text())["run_id"] == rid
    st.close()
    # the file keeps the runs
    again = open_store(tmp_path / "runs.duckdb")
    assert len(again.runs()) == 3
    again.close()


def test_postgresql_round_trip(pg_server, scen):
    st = open_store(pg_server())
    assert st.kind == "postgresql"
    check_round_trip(st, scen)
    g = st.query("SELECT ST_GeometryType(geometry) AS t, ST_SRID(geometry) AS srid FROM serai_links "
                 "WHERE geometry IS NOT NULL ORDER BY link_id LIMIT 1")  # fmt: skip
    assert g["t"].iloc[0] == "ST_LineString" and int(g["srid"].iloc[0]) == 4326
    st.close()


def test_bad_store_urls(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        open_store(tmp_path / "nope" / "runs.duckdb")
    with pytest.raises(InputError, match="cannot connect"):
        open_store("postgresql://serai@/x?host=/nonexistent-socket-dir&port=1&connect_timeout=2")
