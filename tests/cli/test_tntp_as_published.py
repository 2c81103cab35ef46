"""TNTP files as published: Berlin-Tiergarten (zero lengths, zero free-flow times, b = 0 on
connectors) runs unmodified through `serai assign`.

Oracle: TAP-B (spartalab/tap-b 040135a, ../shared/bench/peers/tap-b) on the same files
reached gap 2.75e-12 with Beckmann objective 683234.569267269 (its log, this machine).
"""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from serai.cli import app
from tests.conftest import tntp_net

TAPB_OBJECTIVE = 683234.569267269


def test_berlin_tiergarten_runs_as_published(tmp_path):
    net_f = tntp_net("berlin-tiergarten", "Berlin-Tiergarten")
    trips_f = net_f.with_name("berlin-tiergarten_trips.tntp")
    out, log = tmp_path / "flows.csv", tmp_path / "log.csv"
    r = CliRunner().invoke(
        app,
        ["assign", str(net_f), "--trips", str(trips_f), "--gap", "1e-10", "--out", str(out),
         "--log", str(log)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    flows = pd.read_csv(out)
    conv = pd.read_csv(log)
    assert len(flows) == 766
    assert (flows["flow"] >= 0).all() and flows["time"].notna().all()
    assert conv["gap"].iloc[-1] <= 1e-10
    assert conv["beckmann"].iloc[-1] == pytest.approx(TAPB_OBJECTIVE, rel=1e-10)
