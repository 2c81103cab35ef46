"""`serai assign` end to end on SiouxFalls (the repo copy)."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from serai.cli import app
from serai.network import read_flows
from tests.conftest import SIOUX

NET = str(SIOUX / "SiouxFalls_net.tntp")
TRIPS = str(SIOUX / "SiouxFalls_trips.tntp")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_assign_writes_one_row_per_link(tmp_path, suffix):
    out = tmp_path / f"flows{suffix}"
    log = tmp_path / "log.csv"
    res = CliRunner().invoke(
        app,
        ["assign", NET, "--trips", TRIPS, "--algorithm", "b", "--gap", "1e-9", "--out", str(out),
         "--log", str(log)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "converged" in res.output
    df = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
    assert len(df) == 76
    assert {"from_node", "to_node", "flow", "cost"} <= set(df.columns)
    best = read_flows(SIOUX / "SiouxFalls_flow.tntp")
    m = df.merge(best, on=["from_node", "to_node"])
    assert ((m["flow"] - m["volume"]).abs() / m["volume"]).max() < 1e-6
    assert pd.read_csv(log)["gap"].iloc[-1] <= 1e-9


def test_assign_refuses_to_overwrite_and_bad_algorithm(tmp_path):
    out = tmp_path / "flows.csv"
    out.write_text("keep me")
    res = CliRunner().invoke(app, ["assign", NET, "--trips", TRIPS, "--out", str(out)])
    assert res.exit_code == 2
    assert out.read_text() == "keep me"
    res = CliRunner().invoke(
        app,
        ["assign", NET, "--trips", TRIPS, "--out", str(tmp_path / "x.csv"), "--algorithm", "zz"],
    )
    assert res.exit_code == 2
    assert "unknown assignment algorithm" in res.output


@pytest.mark.parametrize(
    "extra", [[], ["--algorithm", "fw", "--max-iter", "7"], ["--block-zones", "--gap", "1e-6"]]
)
def test_tntp_path_writes_the_bytes_of_the_general_path(tmp_path, extra):
    # the CLI reads TNTP without pandas and writes CSV itself; oracle: the library's
    # general path (pandas tables, validate, compile) and pandas' to_csv
    from serai.assignment import AssignmentConfig, assign
    from serai.network import compile_network, read_demand, read_network

    out, log = tmp_path / "flows.csv", tmp_path / "log.csv"
    res = CliRunner().invoke(
        app, ["assign", NET, "--trips", TRIPS, "--out", str(out), "--log", str(log), *extra]
    )
    assert res.exit_code == 0, res.output
    opts = dict(zip(extra[::2], extra[1::2], strict=False))
    cfg = AssignmentConfig(
        algorithm=opts.get("--algorithm", "b"),
        gap=float(opts.get("--gap", 1e-4)),
        max_iter=int(opts.get("--max-iter", 1000)),
    )
    graph = compile_network(
        read_network(NET), block_zones=True if "--block-zones" in extra else None
    )
    r = assign(graph, read_demand(TRIPS), cfg)
    cols = ["link_id", "from_node", "to_node", "flow", "time", "cost", "voc"]
    want = tmp_path / "want.csv"
    r.links[cols].to_csv(want, index=False)
    assert out.read_bytes() == want.read_bytes()
    got_log = pd.read_csv(log)
    assert got_log.columns.tolist() == r.convergence.columns.tolist()
    assert got_log["iteration"].tolist() == r.convergence["iteration"].tolist()
    assert got_log["gap"].tolist() == r.convergence["gap"].tolist()


def test_tntp_path_refuses_with_the_general_paths_message(tmp_path):
    bad = tmp_path / "x_net.tntp"
    text = (SIOUX / "SiouxFalls_net.tntp").read_text().replace("\t4\t", "\t-4\t", 1)
    bad.write_text(text)
    res = CliRunner().invoke(
        app, ["assign", str(bad), "--trips", TRIPS, "--out", str(tmp_path / "f.csv")]
    )
    assert res.exit_code == 2
    from serai.errors import SeraiError
    from serai.network import read_network, validate

    with pytest.raises(SeraiError) as want:
        validate(read_network(bad), purpose="assignment", raise_on_error=True)
    assert str(want.value).splitlines()[0][:60] in res.output.replace("\n", " ")


def test_plain_lines_drop_terminal_control_characters(capsys):
    from serai.cli._common import echo

    echo("wrote /tmp/x\x1b[31m\x07.csv \u00e9")
    assert capsys.readouterr().out == "wrote /tmp/x[31m.csv \u00e9\n"
