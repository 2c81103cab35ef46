"""Flows jobs, the scenario library and the run store over HTTP: answers equal the library's."""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd
import pytest

from tests.store.test_store import result as stored_result

DEMAND = pd.DataFrame(
    [
        ("containers", "CN_XIY", "DE_W", 60000.0, "TEU", 2024),
        ("grain", "KZ_NORTH", "UZ_TAS", 1.0e6, "t", 2024),
    ],
    columns=["group", "origin", "destination", "volume", "unit", "year"],
)


def _wait(client, job: dict, seconds: float = 600) -> dict:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        job = client.get(f"/api/jobs/{job['id']}").json()
        if job["state"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job['id']} still {job['state']} after {seconds} s")


@pytest.fixture(scope="module")
def eurasia(tmp_path_factory):
    from fastapi.testclient import TestClient

    from serai.api import Settings, create_app

    store = tmp_path_factory.mktemp("runs") / "runs.duckdb"
    with TestClient(create_app(Settings(runs_store=str(store)))) as c:
        yield c, store


def test_flows_job_equals_library(eurasia):
    from serai.data import load_network
    from serai.demand import Demand
    from serai.flows import FlowConfig, run_flows

    client, _ = eurasia
    body = {"year": 2024, "method": "lp", "demand_csv": DEMAND.to_csv(index=False)}
    r = client.post("/api/jobs/flows", json=body)
    assert r.status_code == 202, r.text
    job = _wait(client, r.json())
    assert job["state"] == "done", job
    res = client.get(job["result_url"]).json()
    want = run_flows(
        load_network(2024), Demand(DEMAND, 2024, "test"), FlowConfig(year=2024, method="lp")
    )
    got_ind = pd.DataFrame(res["tables"]["indicators"])
    assert got_ind["indicator"].tolist() == want.indicators["indicator"].tolist()
    np.testing.assert_allclose(got_ind["value"], want.indicators["value"], rtol=1e-9, atol=1e-6)
    od = pd.DataFrame(res["tables"]["od"])
    assert sorted(od["volume"]) == sorted(DEMAND["volume"])  # the demand sent, all of it
    np.testing.assert_allclose(od["assigned"] + od["unmet"], od["volume"], rtol=1e-9)
    assert res["summary"]["method"] == "lp" and res["summary"]["year"] == 2024
    # tables as CSV: the JSON table
    csv = client.get(job["result_url"], params={"format": "csv", "table": "links"})
    links = pd.read_csv(io.StringIO(csv.text))
    assert len(links) == len(res["tables"]["links"]) == len(want.links)
    assert links["tonnes"].sum() == pytest.approx(want.links["tonnes"].sum(), rel=1e-9)
    # the map: loaded links on their shapes (both directions summed), elements as points
    fc = client.get(res["geojson_url"]).json()
    lines = [f for f in fc["features"] if f["properties"]["layer"] == "flow"]
    pts = [f for f in fc["features"] if f["properties"]["layer"] == "element"]
    assert sum(f["properties"]["tonnes"] for f in lines) == pytest.approx(
        want.links["tonnes"].sum(), rel=1e-3
    )
    assert {f["properties"]["capacity_id"] for f in pts} <= set(want.elements["capacity_id"])
    assert len(pts) >= 0.8 * want.elements["capacity_id"].nunique()
    for f in pts:  # inside the network's extent
        lon, lat = f["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"method": "simplex"}, "method"),
        ({"year": 1800}, "year"),
        ({"demand_csv": "group,origin\ncontainers,CN_XIY\n"}, "demand_csv"),
    ],
)
def test_flows_job_refuses_bad_input(eurasia, body, field):
    client, _ = eurasia
    r = client.post("/api/jobs/flows", json=body)
    if r.status_code == 422:
        p = r.json()
        assert p.get("field") == field or any(e["field"] == field for e in p["errors"]), p
        return
    job = _wait(client, r.json())  # a bad demand file fails the job, naming the field
    assert job["state"] == "failed" and "demand" in job["error"].lower(), job


def test_scenario_library(eurasia):
    client, _ = eurasia
    lib = client.get("/api/scenarios").json()
    names = {s["name"]: s for s in lib}
    assert names["base-2024"]["year"] == 2024 and names["base-2024"]["title"]


def test_runs_from_the_store(tmp_path):
    from fastapi.testclient import TestClient

    from serai.api import Settings, create_app
    from serai.scenarios import scenario_from_text
    from serai.store import open_store

    url = tmp_path / "runs.duckdb"
    app = create_app(Settings(runs_store=str(url)))
    with TestClient(app) as client:
        assert client.get("/api/runs").json() == [] and not url.exists()  # nothing created
        scen = scenario_from_text('extends = "base-2024"\n', name="plain")
        with open_store(url) as st:
            res = stored_result(scen)
            rid = st.record(res)
        runs = client.get("/api/runs").json()
        assert [r["run_id"] for r in runs] == [rid] and runs[0]["scenario"] == "plain"
        one = client.get(f"/api/runs/{rid[:10]}").json()
        assert one["run"]["run_id"] == rid and set(one["tables"]) == set(res.tables)
        assert one["run"]["summary"]["method"] == "lp"
        got = client.get("/api/runs/plain/tables/indicators").json()  # latest run of a scenario
        assert [x["value"] for x in got] == res.tables["indicators"]["value"].tolist()
        csv = client.get(f"/api/runs/{rid}/tables/links", params={"format": "csv"})
        assert pd.read_csv(io.StringIO(csv.text))["mode"].tolist() == ["rail", "ferry", "sea"]
        bad = client.get(f"/api/runs/{rid}/tables/linkz")
        assert bad.status_code == 422 and bad.json()["field"] == "table"
        assert "links" in bad.json()["detail"]
        bad = client.get("/api/runs/nosuchrun")
        assert bad.status_code == 422 and bad.json()["field"] == "run"


def test_chain_job_equals_library(eurasia):
    from serai.api.chain_job import _MODELS

    client, _ = eurasia
    body = {"product": "uranium", "origin": "Inkai", "destination": "US converter", "year": 2030}
    r = client.post("/api/jobs/chain", json=body)
    assert r.status_code == 202, r.text
    job = _wait(client, r.json())
    assert job["state"] == "done", job
    got = client.get(job["result_url"]).json()
    model = _MODELS[2030][1]  # the job's model (its caches warm): the library called directly
    want = model.chain("Inkai", "US converter", "uranium").to_dict()
    assert got["facilities"] == want["facilities"] and got["facilities"][0] == "inkai"
    assert got["days"] == pytest.approx(want["days"], abs=1e-6)
    assert got["usd_per_t"] == pytest.approx(want["usd_per_t"], abs=1e-6)
    assert [x["corridor"] for x in got["legs"]] == [x["corridor"] for x in want["legs"]]
    assert [x["corridor"] for x in got["tables"]["legs"]] == [x["corridor"] for x in want["legs"]]
    csv = client.get(job["result_url"], params={"format": "csv", "table": "stages"})
    assert pd.read_csv(io.StringIO(csv.text))["facility_id"].tolist() == [
        s["facility_id"] for s in want["stages"]
    ]
    r = client.post("/api/jobs/chain", json={**body, "destination": "Atlantis converter"})
    job = _wait(client, r.json())
    assert job["state"] == "failed" and "Atlantis" in job["error"], job
