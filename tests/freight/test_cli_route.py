"""`serai route` on the toy network written to disk."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from serai.cli import app
from serai.freight import Router, build_routing_graph
from serai.network import read_network, write_network
from tests.freight.toy import toy_network


@pytest.fixture(scope="module")
def net_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("toy") / "net"
    write_network(toy_network(), path, format="csv")
    return path


def test_route_json(net_dir):
    res = CliRunner().invoke(
        app,
        [
            "route",
            "--from",
            "Алматы",
            "--to",
            "Duisburg",
            "--network",
            str(net_dir),
            "--avoid-country",
            "RU",
            "--modes",
            "rail,ferry",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["corridor"] == "Middle Corridor (TITR)"
    assert {"days", "km", "usd", "legs"} <= d.keys()
    assert all(leg["country"] != "RU" for leg in d["legs"])


def test_route_geojson_and_no_overwrite(net_dir, tmp_path):
    out = tmp_path / "r.geojson"
    args = [
        "route",
        "--from",
        "Shanghai",
        "--to",
        "Rotterdam",
        "--network",
        str(net_dir),
        "--alternatives",
        "2",
        "--geojson",
        str(out),
    ]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    gj = json.loads(out.read_text())
    assert {f["properties"]["route"] for f in gj["features"]} == {0, 1}
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2 and "already exists" in res.output


def test_route_errors_are_one_line(net_dir):
    res = CliRunner().invoke(
        app, ["route", "--from", "Almatty", "--to", "Duisburg", "--network", str(net_dir)]
    )
    assert res.exit_code == 2
    assert "did you mean" in res.output and "Almaty" in res.output
    res = CliRunner().invoke(
        app,
        [
            "route",
            "--from",
            "Almaty",
            "--to",
            "Duisburg",
            "--network",
            str(net_dir),
            "--avoid-country",
            "KZ",
        ],
    )
    assert res.exit_code == 2
    assert "every route needs country KZ, which is avoided" in res.output


def test_route_pareto_summary(net_dir):
    res = CliRunner().invoke(
        app, ["route", "--from", "Xi'an", "--to", "Istanbul", "--network", str(net_dir), "--pareto"]
    )
    assert res.exit_code == 0, res.output
    assert "routes (pareto)" in res.output
    res = CliRunner().invoke(
        app,
        [
            "route",
            "--from",
            "Xi'an",
            "--to",
            "Istanbul",
            "--network",
            str(net_dir),
            "--pareto",
            "--json",
        ],
    )
    data = json.loads(res.output)
    hours = [d["hours"] for d in data]
    usd = [d["usd"] for d in data]
    assert hours == sorted(hours) and usd == sorted(usd, reverse=True)  # a frontier
    # the CLI answers what the library answers (checked against brute force in test_route.py)
    lib = Router(build_routing_graph(read_network(net_dir))).pareto("Xi'an", "Istanbul")
    assert hours == pytest.approx([round(r.totals["hours"], 4) for r in lib], abs=1e-3)


def test_modes_are_the_library_list(net_dir):
    # --modes takes serai.modes.MODES (as the API's modes do), its help names them all
    from serai.modes import MODES

    res = CliRunner().invoke(app, ["route", "--help"], env={"COLUMNS": "400"})
    assert ",".join(MODES) in res.output
    for modes in ("road,roro,ferry", ",".join(MODES)):
        args = ["route", "--from", "Aktau", "--to", "Alat", "--network", str(net_dir)]
        res = CliRunner().invoke(app, [*args, "--modes", modes, "--objective", "time", "--json"])
        assert res.exit_code == 0, res.output
