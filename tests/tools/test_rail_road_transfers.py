"""Rail <-> road transfers only where a box can be lifted (issue 11).

Named points of kind ``border`` or ``junction`` (facts §1: Saryagash "border checkpoint to
Uzbekistan", Beyneu and Ayagoz "junction") get no rail-road transfer link: before, every
named point served by both networks got one, and routes from Tashkent trucked a box 22 km
across the Uzbek-Kazakh road border to put it on a train at Saryagash.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

land = pytest.importorskip("tools.data.steps.land", reason="tools/ only in a repo checkout")

REPO = Path(__file__).resolve().parents[2]
POINTS = REPO / "tools" / "data" / "facts" / "points.csv"
LINKS = REPO / "serai" / "data" / "eurasia" / "links.parquet"


def test_border_and_junction_points_get_no_transfer():
    pts = pd.DataFrame(
        {
            "point_id": ["tashkent", "saryagash", "beyneu", "brest", "aktau_port", "moscow", "kg"],
            "kind": ["city", "border", "junction", "gauge_change", "port", "", None],
        }
    )
    ids = ["saryagash", "tashkent", "beyneu", "brest", "aktau_port", "moscow", "kg", "unknown"]
    # hand list: drop the border checkpoint and the junction, keep cities, ports, breaks of
    # gauge, anchors without a kind and ids the table does not know
    assert land.rail_road_transfer_points(pts, ids) == [
        "tashkent", "brest", "aktau_port", "moscow", "kg", "unknown"]  # fmt: skip


def test_shipped_network_has_no_transfer_at_checkpoints_or_junctions():
    # needs the network rebuilt from tools/data (serai data build) after this rule
    if not LINKS.exists() or not POINTS.exists():
        pytest.skip("embedded network or facts points not in this checkout")
    links = pd.read_parquet(LINKS, columns=["origin", "name", "from_node", "to_node"])
    xfer = links.loc[links["origin"] == "rail_road_transfer"]
    kinds = pd.read_csv(POINTS).drop_duplicates("point_id").set_index("point_id")["kind"]
    at = set(xfer["name"])
    assert at, "no rail-road transfer at all"
    bad = sorted(p for p in at if kinds.get(p, "") in land.NO_TRANSFER_KINDS)
    assert bad == []
    # the cities on either side of the Saryagash checkpoint keep theirs
    assert {"tashkent", "shymkent", "almaty"} <= at
