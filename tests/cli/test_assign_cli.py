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
