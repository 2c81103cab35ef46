"""A year outside those the network covers is refused the same way by every entry point.

Oracle: the embedded network's range is recomputed here from the parquet tables
(min and max ``open_year`` of nodes, links and border crossings) and must equal what the
loader declares; each entry point (Python loader, routing graph, CLI commands with
``--year``, HTTP endpoints and job submissions) must refuse the years just outside it,
1990, 2200, -5, with serai's own error naming the argument and the range, and accept
the range's two ends.
"""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from serai import data
from serai.cli import app
from serai.data.years import covered_years, network_years
from serai.errors import InputError
from serai.freight import build_routing_graph
from tests.freight.toy import toy_network

pytestmark = pytest.mark.skipif(
    not hasattr(data, "load_network"), reason="embedded network not installed"
)


def _span_from_tables() -> tuple[int, int]:
    years = []
    for name in ("nodes", "links", "border_crossings", "expansions"):
        f = data.eurasia_path() / f"{name}.parquet"
        if f.exists():
            t = pd.read_parquet(f)
            if "open_year" in t.columns:
                years += pd.to_numeric(t["open_year"], errors="coerce").dropna().tolist()
    return int(min(years)), int(max(years))


LO, HI = _span_from_tables()
BAD = [LO - 1, HI + 1, 1990, 2200, -5]
RANGE = f"{LO}..{HI}"


def test_the_embedded_range_is_the_span_of_its_recorded_openings():
    assert network_years(data.load_network()) == (LO, HI) == covered_years()
    assert LO <= 2017 and HI >= 2030  # the observations' network years, the planned lines
    assert data.load_network(2025).meta["years"] == [LO, HI]  # kept when cut to a year


@pytest.mark.parametrize("year", BAD)
def test_the_loader_refuses_a_year_outside(year):
    with pytest.raises(InputError) as e:
        data.load_network(year)
    assert e.value.field == "year" and RANGE in str(e.value) and str(year) in str(e.value)


@pytest.mark.parametrize("year", ["abc", 2025.5, True])
def test_the_loader_refuses_a_year_that_is_not_a_whole_number(year):
    with pytest.raises(InputError, match=r"whole number|must be a number") as e:
        data.load_network(year)
    assert e.value.field == "year"


def test_the_loader_accepts_both_ends():
    assert data.load_network(LO).meta["year"] == LO
    assert data.load_network(HI).meta["year"] == HI
    assert data.load_network("2025").meta["year"] == 2025  # a table cell or a form


def test_a_routing_graph_of_a_year_the_network_does_not_cover_is_refused():
    with pytest.raises(InputError) as e:
        build_routing_graph(data.load_network(), year=1990)
    assert e.value.field == "year" and RANGE in str(e.value)
    # a network that declares no years (TNTP, tests) is taken as it is in any year...
    assert build_routing_graph(toy_network(), year=1990).network is not None
    # ... unless it declares them
    toy = toy_network()
    declared = type(toy)(dict(toy.tables), {**toy.meta, "years": [2020, 2024]})
    with pytest.raises(InputError, match=r"2020\.\.2024"):
        build_routing_graph(declared, year=2025)


def _cli(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize(
    "argv",
    [
        ["route", "--from", "Almaty", "--to", "Duisburg"],
        ["places", "resolve", "Almaty"],
        ["chain", "--product", "uranium", "--from", "Inkai", "--to", "US converter"],
        ["data", "check"],
        ["serve", "--port", "0"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
@pytest.mark.parametrize("year", [1990, 2200, -5])
def test_every_command_refuses_the_year_before_any_work(argv, year):
    r = _cli(*argv, "--year", str(year))
    assert r.exit_code == 2, r.output
    assert "--year" in r.output and RANGE in r.output and "Traceback" not in r.output


def test_batch_and_flows_refuse_it_before_writing(tmp_path):
    ship = tmp_path / "s.csv"
    ship.write_text("id,origin,destination\na,Almaty,Poti\n", encoding="utf-8")
    r = _cli("route", "--batch", str(ship), "--out", str(tmp_path / "o.csv"), "--year", "1990")
    assert r.exit_code == 2 and RANGE in r.output and not (tmp_path / "o.csv").exists()
    r = _cli("flows", "--out", str(tmp_path / "f"), "--year", str(HI + 1), "--no-map")
    assert r.exit_code == 2 and RANGE in r.output and not (tmp_path / "f").exists()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    pytest.importorskip("fastapi", reason="the service extra (fastapi) is not installed")
    from fastapi.testclient import TestClient

    from serai.api import Settings, create_app

    store = tmp_path_factory.mktemp("years")
    with TestClient(create_app(Settings(store=store, runs_store=str(store / "r.duckdb")))) as c:
        yield c


def _refused(r, year) -> None:
    assert r.status_code == 422, r.text
    p = r.json()
    assert p["field"] == "year" and RANGE in p["detail"], p
    with pytest.raises(InputError) as e:  # the same words as the Python API's
        data.load_network(year)
    assert p["detail"] == str(e.value)


@pytest.mark.parametrize("year", BAD)
def test_the_service_refuses_it_the_same_way(client, year):
    _refused(client.get("/api/route", params={"from": "Almaty", "to": "Poti", "year": year}), year)
    body = {"origin": "Almaty", "destination": "Poti", "year": year}
    _refused(client.post("/api/route", json=body), year)
    _refused(client.get("/api/places", params={"q": "Alm", "year": year}), year)


def test_jobs_are_refused_at_submission(client):
    jobs = len(client.get("/api/jobs").json())
    _refused(client.post("/api/jobs/flows", json={"year": 1990}), 1990)
    body = {"year": HI + 1, "shipments": [{"origin": "Almaty", "destination": "Poti"}]}
    _refused(client.post("/api/jobs/batch", json=body), HI + 1)
    assert len(client.get("/api/jobs").json()) == jobs  # no failed job left behind


def test_a_scenario_of_a_year_outside_is_refused_naming_its_file(tmp_path):
    f = tmp_path / "late.toml"
    f.write_text('name = "late"\ntitle = "late"\nextends = "base-2024"\nyear = 2040\n')
    with pytest.raises(InputError) as e:
        data.load_network(scenario=f)
    assert e.value.field == "year" and RANGE in str(e.value) and "late.toml" in str(e.value)
    r = _cli("scenario", "run", str(f), "--no-flows", "--out", str(tmp_path / "o"))
    assert r.exit_code == 2 and "late.toml" in r.output and RANGE in r.output, r.output
    assert not (tmp_path / "o").exists()


def test_batch_rows_outside_the_years_are_refused_by_the_same_gate(tmp_path):
    ship = tmp_path / "s.csv"
    ship.write_text(
        "id,origin,destination,year\na,Almaty,Poti,1995\nb,Almaty,Poti,2150\n"
        "c,Almaty,Poti,inf\nd,Almaty,Poti,2025\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.csv"
    r = _cli("route", "--batch", str(ship), "--out", str(out))
    assert r.exit_code == 1, r.output  # some rows failed, the others routed
    got = pd.read_csv(out).set_index("id")
    assert got.loc["d", "status"] == "ok"
    for row in ("a", "b"):
        assert got.loc[row, "status"] != "ok" and RANGE in got.loc[row, "error"], got.loc[row]
    assert "not a year" in got.loc["c", "error"]
