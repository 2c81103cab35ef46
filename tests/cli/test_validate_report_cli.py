"""`serai data validate-report` end to end on a small synthetic network written to disk."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from serai.cli import app
from serai.network import Network, write_network


def _write_inputs(tmp_path):
    nodes = pd.DataFrame(
        {"node_id": [1, 2, 3], "x": [50.0, 51, 52], "y": [40.0, 41, 42], "point_id": ["p", "", "q"]}
    )
    links = pd.DataFrame(
        {
            "link_id": [1, 2, 3, 4],
            "from_node": [1, 2, 2, 3],
            "to_node": [2, 3, 1, 2],
            "mode": ["rail"] * 4,
            "length": [100.0, 60.0, 100.0, 60.0],
            "free_flow_time": [120.0, 60.0, 120.0, 60.0],
        }
    )
    write_network(Network.from_tables(nodes=nodes, links=links), tmp_path / "net", format="csv")
    facts = tmp_path / "facts"
    facts.mkdir()
    (facts / "sources.csv").write_text(
        "source_id,citation,year,quality,note\ns1,example.org/line,2024,secondary,\n",
        encoding="utf-8",
    )
    cols = (
        "route_id,name,origin,destination,via,modes,avoid_countries,avoid_passages,optimize,"
        "network_year,metric,value,low,high,unit,basis,year,source_id,estimate,note,explanation"
    )
    (facts / "validation_routes.csv").write_text(
        cols
        + "\nlen,P–Q line,p,q,,rail,,,length,2025,length_km,160,155,170,km,line length,2024,s1,false,,"
        + "\ntime,P–Q time,p,q,,rail,,,time,2025,time_h,,10,12,h,door–door,2024,s1,false,,waits not modelled\n",
        encoding="utf-8",
    )
    return tmp_path / "net", facts


def test_validate_report_writes_markdown(tmp_path):
    net, facts = _write_inputs(tmp_path)
    out = tmp_path / "docs" / "validation.md"
    args = [
        "data",
        "validate-report",
        "--network",
        str(net),
        "--facts",
        str(facts),
        "--out",
        str(out),
    ]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "2 routes" in res.output and "1 inside" in res.output and "1 miss" in res.output
    md = out.read_text(encoding="utf-8")
    # 100 + 60 km; 120 + 60 min = 3 h against a 10–12 h door–door band
    assert (
        "| P–Q line | 2025 | 160 | 3.0 h | – | 155–170 km (160) | line length | inside | example.org/line |"
        in md
    )
    assert "miss (-70.0%)" in md and "waits not modelled" in md
    # a second run replaces its own report
    assert CliRunner().invoke(app, args).exit_code == 0


def test_validate_report_refuses_foreign_file_and_bad_input(tmp_path):
    net, facts = _write_inputs(tmp_path)
    out = tmp_path / "mine.md"
    out.write_text("hand-written\n", encoding="utf-8")
    args = [
        "data",
        "validate-report",
        "--network",
        str(net),
        "--facts",
        str(facts),
        "--out",
        str(out),
    ]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2 and "--overwrite" in res.output
    assert out.read_text(encoding="utf-8") == "hand-written\n"
    text = (
        (facts / "validation_routes.csv")
        .read_text(encoding="utf-8")
        .replace(",160,155,", ",16O,155,")
    )
    (facts / "validation_routes.csv").write_text(text, encoding="utf-8")
    res = CliRunner().invoke(app, [*args, "--overwrite"])
    assert res.exit_code == 2
    assert "row 1" in res.output and "value" in res.output


def test_validate_report_uses_tables_shipped_with_the_network(tmp_path, monkeypatch):
    # outside a repository checkout (no tools/data/facts here) and no --facts: the routes and
    # sources shipped with the network
    monkeypatch.chdir(tmp_path)
    net_dir, facts = _write_inputs(tmp_path)
    from serai.network import read_network

    routes = pd.read_csv(facts / "validation_routes.csv", dtype=str, keep_default_na=False)
    sources = pd.read_csv(facts / "sources.csv", dtype=str, keep_default_na=False)
    routes[["value", "low", "high", "network_year"]] = routes[
        ["value", "low", "high", "network_year"]
    ].apply(pd.to_numeric)
    net = read_network(net_dir).with_tables(validation_routes=routes, sources=sources)
    write_network(net, tmp_path / "net2", format="parquet")
    out = tmp_path / "v.md"
    res = CliRunner().invoke(
        app,
        ["data", "validate-report", "--network", str(tmp_path / "net2"), "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "| P–Q line | 2025 | 160 |" in out.read_text(encoding="utf-8")


def test_validate_report_refuses_a_missing_facts_folder(tmp_path):
    # an explicit --facts that is not a folder was ignored (the tables shipped with the network
    # were used instead, exit 0: CLI harness); only the default may fall back
    net, _ = _write_inputs(tmp_path)
    out = tmp_path / "v.md"
    args = ["data", "validate-report", "--network", str(net), "--out", str(out)]
    res = CliRunner().invoke(app, [*args, "--facts", str(tmp_path / "missing")])
    assert res.exit_code == 2
    assert "--facts" in res.output and "missing" in res.output
    assert not out.exists()
