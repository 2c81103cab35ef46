"""The data build joins marnet's Pacific lanes across the antimeridian (180°) into one node,
with each lane's length and shape on its own side."""

from __future__ import annotations

import json

import numpy as np

from serai.network.geo import degree_gap, lon_gap, unwrap_lon
from tools.data.geo import haversine_km
from tools.data.sea import build_sea


def _feature(coords, passage=None):
    props = {"passage": passage} if passage else {}
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "LineString", "coordinates": coords}}  # fmt: skip


def _build(tmp_path, feats):
    (tmp_path / "marnet_searoute.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8"
    )
    return build_sea(tmp_path, log=lambda *a: None)


def test_lanes_cut_at_the_antimeridian_meet_in_one_node(tmp_path):
    # Japan side (east of 180) -> the antimeridian at 40N -> US side, as marnet cuts them;
    # a lane east of 180 that never reaches it, and a side branch on the western half
    feats = [
        _feature([[140.0, 35.0], [160.0, 38.0], [180.0, 40.0]]),
        _feature([[-180.0, 40.0], [-150.0, 38.0], [-120.0, 34.0]]),
        _feature([[-150.0, 38.0], [-155.0, 20.0]]),
    ]
    nodes, e, _, mode = _build(tmp_path, feats)
    lon = nodes["lon"].to_numpy()
    at = np.flatnonzero(np.abs(lon) == 180.0)
    used = set(e.u) | set(e.v)
    at_used = [k for k in at if k in used]
    assert len(at_used) == 1  # one node for (180, 40) and (-180, 40)
    k = at_used[0]
    assert ((e.u == k) | (e.v == k)).sum() == 2  # the lane on each side ends there
    # one connected sea: Japan reaches the US
    from tools.data import graphops as go

    comp = go.components(e.n, e.u, e.v)
    assert len(set(comp[np.r_[e.u, e.v]])) == 1
    # lengths: great-circle along each side's vertices (oracle: haversine by hand), never
    # the 360-degree way round
    east = haversine_km(160.0, 38.0, 180.0, 40.0) + haversine_km(140.0, 35.0, 160.0, 38.0)
    west = haversine_km(-180.0, 40.0, -150.0, 38.0)
    ke = [i for i in range(len(e.u)) if k in (e.u[i], e.v[i])]
    kms = sorted(float(e.km[i]) for i in ke)
    assert np.allclose(kms, sorted([float(east), float(west)]), rtol=1e-6)
    # and the whole way is near the great circle from 140E to 150W (not 360 degrees round)
    gc = float(haversine_km(140.0, 35.0, -150.0, 38.0))
    assert gc <= sum(kms) <= 1.05 * gc
    # every segment of every shape stays on its own side (no jump across the map)
    for g in e.geom:
        assert (np.abs(np.diff(g[:, 0])) <= 180.0).all()
    assert set(mode) == {"sea"}


def test_degree_helpers():
    assert lon_gap(np.array([-360.0, 359.0, -181.0])).tolist() == [0.0, -1.0, 179.0]
    assert float(degree_gap([180.0, 0.0], [-179.0, 0.0])) == 1.0
    xy = np.array([[170.0, 0.0], [180.0, 0.0], [-180.0, 0.0], [-170.0, 5.0], [-160.0, 5.0]])
    u = unwrap_lon(xy)
    assert (np.abs(np.diff(u[:, 0])) <= 180.0).all()
    assert u[:, 0].tolist() == [170.0, 180.0, 180.0, 190.0, 200.0]
    # westwards across it, and a line that never crosses is returned as it is
    assert unwrap_lon(xy[::-1])[:, 0].tolist() == [-160.0, -170.0, -180.0, -180.0, -190.0]
    flat = np.array([[10.0, 0.0], [20.0, 0.0]])
    assert unwrap_lon(flat) is flat
