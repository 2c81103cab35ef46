"""Sea passage tags of the data build: every lane round the Cape of Good Hope is ``cape``."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tools.data.sea import CAPE_CUT, build_sea, meets_meridian_south


def test_meridian_cut():
    lon, lat = CAPE_CUT
    assert meets_meridian_south(np.array([[10.0, -40.0], [30.0, -40.0]]), lon, lat)
    assert meets_meridian_south(np.array([[20.0, -50.0], [30.0, -50.0]]), lon, lat)  # vertex
    assert not meets_meridian_south(np.array([[10.0, -30.0], [30.0, -30.0]]), lon, lat)
    assert not meets_meridian_south(np.array([[18.4, -33.9], [18.4, -40.0]]), lon, lat)
    assert not meets_meridian_south(np.array([[179.0, -60.0], [-179.0, -60.0]]), lon, lat)


def _feature(coords, passage=None):
    props = {"passage": passage} if passage else {}
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "LineString", "coordinates": coords}}  # fmt: skip


def test_lanes_round_south_africa_are_tagged_cape(tmp_path):
    # Indian Ocean (Durban side) -> 40°S 20°E -> Atlantic (Cape Town side), untagged upstream;
    # one lane marnet tags south_africa; a lane west of the cut stays untagged
    feats = [
        _feature([[31.0, -30.0], [25.0, -38.0], [20.0, -40.0]]),
        _feature([[20.0, -40.0], [12.0, -36.0], [10.0, -30.0]]),
        _feature([[31.0, -30.0], [18.0, -35.0], [10.0, -30.0]], "south_africa"),
        _feature([[10.0, -30.0], [0.0, 0.0], [-10.0, 30.0]]),
    ]
    (tmp_path / "marnet_searoute.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8"
    )
    nodes, e, passage, mode = build_sea(tmp_path, log=lambda *a: None)
    lon = nodes["lon"].to_numpy()
    west = np.minimum(lon[e.u], lon[e.v]) <= 10.0 - 1e-9  # the lane north from 10°E, 30°S
    assert set(passage[~west]) == {"cape"}
    assert set(passage[west]) == {""}
    assert set(mode) == {"sea"}


def test_embedded_network_tags_every_lane_round_the_cape():
    # fails on a network built before the cut (routes rounded Africa at 40°S, 20°E untagged)
    pd = pytest.importorskip("pandas")
    from importlib import resources

    folder = resources.files("serai.data") / "eurasia"
    links = pd.read_parquet(folder / "links.parquet", columns=["mode", "shape_id", "passage"])
    shapes = pd.read_parquet(folder / "shapes.parquet")
    sea = links[links["mode"] == "sea"]
    pts = shapes[shapes["shape_id"].isin(sea["shape_id"])]
    crossing = {
        sid for sid, g in pts.groupby("shape_id", sort=False)
        if meets_meridian_south(g[["x", "y"]].to_numpy(float), *CAPE_CUT)
    }  # fmt: skip
    assert crossing
    tags = sea.loc[sea["shape_id"].isin(crossing), "passage"]
    assert set(tags) == {"cape"}, tags.value_counts().to_dict()
