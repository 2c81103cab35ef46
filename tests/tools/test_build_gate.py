"""`serai data build` refuses a network with anomalies: the previous build is kept.

The gate (``tools.data.build._write``) runs the `serai data check` counts on the new tables,
today and in 2030 (planned lines open), before the new folder replaces the old one.
"""

from __future__ import annotations

import pandas as pd
import pytest

from serai.errors import InputError
from tools.data import build


def _tables(length_km: float, status: str = "operational") -> dict:
    nodes = pd.DataFrame({"node_id": [1, 2], "x": [0.0, 1.0], "y": [0.0, 0.0],
                          "country": ["AA", "AA"], "kind": "junction", "mode": "rail",
                          "status": "operational"})  # fmt: skip
    links = pd.DataFrame({"link_id": [1, 2], "from_node": [1, 2], "to_node": [2, 1],
                          "mode": "rail", "length": length_km, "speed": 50.0,
                          "free_flow_time": length_km / 50.0 * 60.0, "status": status,
                          "open_year": [2028, 2028] if status != "operational" else None})  # fmt: skip
    return {"nodes": nodes, "links": links}


@pytest.fixture(autouse=True)
def _no_land(monkeypatch):
    # the water-over-land class needs Natural Earth polygons; these tables have no water links
    monkeypatch.setattr("serai.data.check.default_land_path", lambda: None)


def test_a_clean_network_is_written(tmp_path):
    out = tmp_path / "net"
    counts = build._write(out, _tables(112.0), log=lambda _m: None)
    assert set(counts) == {None, 2030} and sum(counts[None].values()) == 0
    assert (out / "links.parquet").exists()


@pytest.mark.parametrize("status", ["operational", "planned"])
def test_anomalies_fail_and_keep_the_previous_build(tmp_path, status):
    """A 50 km link between nodes 111 km apart is a short link (class short_link); a planned
    one only counts in 2030, and still fails the build."""
    out = tmp_path / "net"
    build._write(out, _tables(112.0), log=lambda _m: None)
    before = (out / "links.parquet").read_bytes()
    with pytest.raises(InputError, match=r"short_link 2.*previous build is kept"):
        build._write(out, _tables(50.0, status), log=lambda _m: None)
    assert (out / "links.parquet").read_bytes() == before
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert names == ["links.parquet", "network.json", "nodes.parquet"]
    # written anyway when asked (to inspect a failed build)
    counts = build._write(out, _tables(50.0, status), check=False, log=lambda _m: None)
    assert counts == {} and (out / "links.parquet").read_bytes() != before
