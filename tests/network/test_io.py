"""Round trips through every writer, format detection, overwrite refusal and bad input."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest

from serai.errors import InputError, OptionalDependencyError, UnknownFormatError
from serai.network import Network, compile_network, read_network, validate, write_network
from serai.network.io import formats
from serai.network.io._common import wkt_to_line
from serai.paths import skim

# Formats that hold every table and column a network has (TNTP only holds its own columns).
FULL = {
    "csv": "net",
    "parquet": "net.parquet",
    "geojson": "net.geojson",
    "gpkg": "net.gpkg",
    "gmns": "gmns_net",
}


def rich_net() -> Network:
    """A small network using every kind of column: declared, user, nullable, geometry."""
    nodes = pd.DataFrame(
        {
            "node_id": [1, 2, 3, 4],
            "x": [49.867, 44.793, 41.636, np.nan],
            "y": [40.409, 41.715, 41.641, np.nan],
            "name": ["Baku", "Tbilisi", "Batumi", "Nowhere"],
            "is_zone": [True, False, True, False],
            "passable": [False, True, True, True],
            "kind": ["port", "node", "port", "junction"],
            "elevation_m": [-28.0, 490.5, 3.0, np.nan],  # user float column
            "code": ["AZ-BAK", "GE-TBS", "GE-BUS", ""],  # user text column
        }
    )
    links = pd.DataFrame(
        {
            "link_id": [10, 11, 12, 13],
            "from_node": [1, 2, 3, 2],
            "to_node": [2, 3, 2, 4],
            "mode": ["rail", "rail", "road", "road"],
            "length": [551.25, 355.0, 360.5, 1.0],
            "free_flow_time": [780.0, 420.0, 300.0, 0.0],
            "capacity": [12.0, 12.0, 2000.0, 500.0],
            "speed": [45.0, np.nan, 72.1, 60.0],
            "toll": [0.0, 15.5, 0.0, 0.0],
            "link_type": ["main", "main", "highway", "access"],
            "geometry": [
                "LINESTRING (49.867 40.409, 47.1 41.2, 44.793 41.715)",
                "",
                "LINESTRING (41.636 41.641, 43.0 42.0, 44.793 41.715)",
                "",
            ],
            "tracks": pd.array([2, 1, None, None], dtype="Int64"),  # nullable user int
            "electrified": [True, False, False, False],  # user bool
            "operator": ["ADY", "GR", "", "x"],  # user text
        }
    )
    modes = pd.DataFrame(
        {"mode": ["rail", "road", "ferry"], "description": ["Railway.", "Road.", "Ro-Ro."]}
    )
    demand = pd.DataFrame({"origin": [1, 3], "destination": [3, 1], "volume": [120.5, 80.0]})
    return Network.from_tables(
        nodes=nodes,
        links=links,
        modes=modes,
        demand=demand,
        meta={"name": "caucasus", "crs": "EPSG:4326", "year": 2024},
    )


def _lines(series: pd.Series) -> list:
    return [wkt_to_line(t) if isinstance(t, str) and t.strip() else None for t in series]


def assert_same_network(back: Network, net: Network) -> None:
    assert sorted(back.tables) == sorted(net.tables)
    for name, df in net.tables.items():
        got = back.tables[name]
        assert list(got.columns) == list(df.columns), name
        assert got.dtypes.astype(str).to_dict() == df.dtypes.astype(str).to_dict(), name
        cols = [c for c in df.columns if c != "geometry"]
        pd.testing.assert_frame_equal(got[cols], df[cols], check_exact=False, rtol=1e-12)
        if "geometry" in df.columns:
            # straight or missing lines may come back drawn from the node coordinates
            for a, b in zip(_lines(got["geometry"]), _lines(df["geometry"]), strict=True):
                if b is not None:
                    np.testing.assert_allclose(a, b, rtol=1e-12)
    assert back.meta["year"] == 2024 and back.meta["crs"] == "EPSG:4326"
    assert back.name == "caucasus"


def test_every_registered_format_has_a_module():
    for f in formats().values():
        assert callable(f.read) and callable(f.write)


@pytest.mark.parametrize("fmt", sorted(FULL))
def test_roundtrip_keeps_every_table_and_dtype(tmp_path, fmt):
    net = rich_net()
    assert validate(net).ok
    out = write_network(net, tmp_path / FULL[fmt], format=fmt)
    back = read_network(out)
    assert_same_network(back, net)
    # the reader says where each table came from (validation messages name the file)
    assert set(back.meta["sources"]) == set(net.tables)
    assert all(str(tmp_path) in s for s in back.meta["sources"].values())


@pytest.mark.parametrize("fmt", [*sorted(FULL), "tntp"])
def test_sioux_falls_through_every_format_gives_the_same_skim(tmp_path, fmt, sioux_net):
    name = "SF_net.tntp" if fmt == "tntp" else FULL[fmt]
    back = read_network(write_network(sioux_net, tmp_path / name, format=fmt))
    cols = ["link_id", "from_node", "to_node", "capacity", "length", "free_flow_time", "alpha"]
    pd.testing.assert_frame_equal(back.links[cols], sioux_net.links[cols], rtol=1e-12)
    np.testing.assert_allclose(back.nodes["x"], sioux_net.nodes["x"])
    np.testing.assert_array_equal(back.nodes["is_zone"], sioux_net.nodes["is_zone"])
    a = skim(compile_network(sioux_net), cost="free_flow_time", fields=["length"])
    b = skim(compile_network(back), cost="free_flow_time", fields=["length"])
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame(), rtol=1e-12)


def test_tntp_roundtrip_of_its_own_columns(tmp_path):
    net = rich_net()
    back = read_network(write_network(net, tmp_path / "c_net.tntp"))
    for col in ("from_node", "to_node", "length", "free_flow_time", "toll"):
        np.testing.assert_array_equal(back.links[col], net.links[col])
    assert list(back.links["link_id"]) == [1, 2, 3, 4]  # TNTP numbers links by line
    # text link types become number codes, listed in a comment line
    assert list(back.links["link_type"]) == ["3", "3", "2", "1"]
    assert "~ link_type codes: 1=access, 2=highway, 3=main" in (tmp_path / "c_net.tntp").read_text()
    # TNTP writes 0 for an unknown speed and reads it back as unknown
    np.testing.assert_array_equal(back.links["capacity"], net.links["capacity"])
    np.testing.assert_array_equal(back.links["speed"], net.links["speed"])
    np.testing.assert_array_equal(back.nodes["node_id"], net.nodes["node_id"])
    np.testing.assert_array_equal(back.nodes["x"], net.nodes["x"])


# ------------------------------------------------------------------------ detection


def test_format_detection_by_suffix_and_directory_contents(tmp_path):
    net = rich_net()
    made = {
        "csv": write_network(net, tmp_path / "plain"),  # no suffix: CSV directory
        "parquet": write_network(net, tmp_path / "p.parquet"),
        "geojson": write_network(net, tmp_path / "n.geojson"),
        "gpkg": write_network(net, tmp_path / "n.gpkg"),
        "gmns": write_network(net, tmp_path / "g", format="gmns"),
        "tntp": write_network(net, tmp_path / "x_net.tntp"),
    }
    assert (made["csv"] / "links.csv").exists()
    assert (made["parquet"] / "links.parquet").exists()
    assert (made["gmns"] / "link.csv").exists() and (made["gmns"] / "node.csv").exists()
    from serai.network.io import _detect_read

    for name, path in made.items():
        assert _detect_read(path).name == name
    plain_json = tmp_path / "n.json"
    plain_json.write_text((tmp_path / "n.geojson").read_text())
    assert len(read_network(plain_json).links) == 4
    # a directory that is GMNS by its file names even under another name
    assert read_network(tmp_path / "g").meta["sources"]["links"].endswith("link.csv")


def test_unknown_suffix_and_empty_directory(tmp_path):
    (tmp_path / "net.xyz").write_text("x")
    with pytest.raises(UnknownFormatError, match=r"net.xyz: cannot tell the format"):
        read_network(tmp_path / "net.xyz")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UnknownFormatError, match="directory holds no network"):
        read_network(tmp_path / "empty")
    with pytest.raises(UnknownFormatError, match="unknown format 'shp'"):
        write_network(rich_net(), tmp_path / "a", format="shp")


@pytest.mark.parametrize("fmt", [*sorted(FULL), "tntp"])
def test_write_refuses_to_overwrite(tmp_path, fmt):
    net = rich_net()
    target = tmp_path / ("t_net.tntp" if fmt == "tntp" else FULL[fmt])
    write_network(net, target, format=fmt)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    stamp = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    with pytest.raises(InputError, match="already exists"):
        write_network(net, target, format=fmt)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    assert all(p.stat().st_mtime_ns == t for p, t in stamp.items())
    write_network(net, target, format=fmt, overwrite=True)
    assert len(read_network(target, format=fmt).links) == 4


# ---------------------------------------------------------------------- GMNS mapping


def test_gmns_units_lanes_uses_zones_and_two_way_links(tmp_path):
    d = tmp_path / "gm"
    d.mkdir()
    (d / "node.csv").write_text(
        "node_id,x_coord,y_coord,zone_id,node_type\n"
        "1,69.2,41.3,1,\n"  # zone: zone_id == node_id
        "2,69.3,41.4,,\n"
        "3,69.4,41.5,1,\n"  # belongs to zone 1 but is not its centroid
        "4,69.5,41.6,,centroid\n"
    )
    (d / "link.csv").write_text(
        "link_id,from_node_id,to_node_id,length,free_speed,capacity,lanes,allowed_uses,"
        "directed,vdf_alpha,vdf_beta,geometry\n"
        '1,1,2,2.5,50,1800,2,"auto,truck",true,0.15,4,\n'
        '2,2,3,1,25,900,,truck,false,0.5,2,"LINESTRING (69.3 41.4, 69.35 41.5, 69.4 41.5)"\n'
        "3,3,4,0.5,30,1000,1,truck,1,,,\n"
    )
    (d / "config.csv").write_text("long_length,speed\nmi,mph\n")
    net = read_network(d)
    links = net.links.set_index("link_id")
    # miles -> km, mph -> km/h, capacity per lane x lanes (missing lanes = 1)
    np.testing.assert_allclose(links.loc[[1, 2, 3], "length"], [2.5 * 1.609344, 1.609344, 0.804672])
    np.testing.assert_allclose(links.loc[[1, 2, 3], "speed"], [80.4672, 40.2336, 48.28032])
    np.testing.assert_allclose(links.loc[[1, 2, 3], "capacity"], [3600.0, 900.0, 1000.0])
    # no vdf_fftt: time = length / speed in minutes (2.5 mi at 50 mph = 3 min)
    np.testing.assert_allclose(links.loc[[1, 2, 3], "free_flow_time"], [3.0, 2.4, 1.0])
    assert list(links.loc[[1, 2], "mode"]) == ["auto", "truck"]
    assert links.loc[1, "allowed_uses"] == "auto,truck"
    # link 2 is two-way: a reverse link with a new id and the reversed shape
    assert len(links) == 4
    rev = links.loc[4]
    assert (rev.from_node, rev.to_node, rev.alpha, rev.beta) == (3, 2, 0.5, 2.0)
    assert wkt_to_line(rev.geometry) == wkt_to_line(links.loc[2, "geometry"])[::-1]
    nodes = net.nodes.set_index("node_id")
    assert list(nodes["is_zone"]) == [True, False, False, True]
    assert "zone_id" in nodes.columns  # it says more than which nodes are zones: kept
    assert set(net.modes["mode"]) == {"auto", "truck"}
    assert validate(net).ok


def test_gmns_default_units_are_metres_and_kmh(tmp_path):
    d = tmp_path / "gm"
    d.mkdir()
    (d / "node.csv").write_text("node_id,x_coord,y_coord\n1,0,0\n2,0,1\n")
    (d / "link.csv").write_text(
        "link_id,from_node_id,to_node_id,length,free_speed,allowed_uses\n1,1,2,1500,90,road\n"
    )
    link = read_network(d).links.iloc[0]
    assert link.length == pytest.approx(1.5) and link.speed == 90.0
    assert link.free_flow_time == pytest.approx(1.0)
    written = write_network(read_network(d), tmp_path / "out", format="gmns")
    text = (written / "link.csv").read_text()
    assert "1500.0" in text and "vdf_fftt" in text
    assert (written / "config.csv").read_text().splitlines()[1].split(",")[1:4] == [
        "m",
        "m",
        "kph",
    ]


def test_gmns_capacity_is_written_per_lane(tmp_path):
    net = rich_net()
    links = net.links.assign(lanes=[2, 1, 4, 1])
    out = write_network(net.with_tables(links=links), tmp_path / "g", format="gmns")
    gm = pd.read_csv(out / "link.csv")
    np.testing.assert_allclose(gm["capacity"], [6.0, 12.0, 500.0, 500.0])
    np.testing.assert_allclose(read_network(out).links["capacity"], links["capacity"])


# ------------------------------------------------------------------ GeoJSON mapping


def _fc(features):
    return {"type": "FeatureCollection", "features": features}


def _pt(i, x, y):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [x, y]},
        "properties": {"node_id": i},
    }


def _ln(i, a, b, coords):
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coords},
        "properties": {"link_id": i, "from_node": a, "to_node": b, "length": 1.0},
    }


def test_geojson_written_by_others_points_are_nodes_lines_are_links(tmp_path):
    p = tmp_path / "other.geojson"
    straight = _fc([_pt(1, 0.0, 0.0), _pt(2, 1.0, 1.0), _ln(5, 1, 2, [[0.0, 0.0], [1.0, 1.0]])])
    p.write_text(json.dumps(straight))
    net = read_network(p)
    assert list(net.nodes["node_id"]) == [1, 2] and list(net.nodes["x"]) == [0.0, 1.0]
    assert "geometry" not in net.links.columns  # nothing more than the node coordinates
    assert net.meta["crs"] == "EPSG:4326"
    bent = _fc([_pt(1, 0.0, 0.0), _pt(2, 1.0, 1.0), _ln(5, 1, 2, [[0, 0], [0.5, 0.9], [1, 1]])])
    p.write_text(json.dumps(bent))
    links = read_network(p).links
    assert wkt_to_line(links.loc[0, "geometry"]) == [(0, 0), (0.5, 0.9), (1, 1)]


def test_geojson_layout(tmp_path):
    p = write_network(rich_net(), tmp_path / "n.geojson")
    doc = json.loads(p.read_text())
    tables = [f["properties"]["table"] for f in doc["features"]]
    assert tables == ["nodes"] * 4 + ["links"] * 4
    assert doc["features"][0]["geometry"] == {"type": "Point", "coordinates": [49.867, 40.409]}
    assert doc["features"][3]["geometry"] is None  # node without coordinates
    assert doc["features"][5]["geometry"]["coordinates"] == [[44.793, 41.715], [41.636, 41.641]]
    assert set(doc["serai"]["tables"]) == {"modes", "demand"}


# ---------------------------------------------------------------------- bad input


def _csv_net(tmp_path, links_text, nodes_text="node_id,x,y\n1,0,0\n2,1,1\n"):
    d = tmp_path / "bad"
    d.mkdir()
    (d / "nodes.csv").write_text(nodes_text)
    (d / "links.csv").write_text(links_text)
    return d


def test_csv_non_number_names_file_row_field(tmp_path):
    d = _csv_net(tmp_path, "link_id,from_node,to_node,length\n1,1,2,3.5\n2,2,1,abc\n3,2,1,x\n")
    with pytest.raises(InputError) as err:
        read_network(d)
    assert str(err.value) == (
        f"{d / 'links.csv'}, row 2, field 'length': not a number: 'abc' (1 more in this column)"
    )
    assert (err.value.row, err.value.field) == (2, "length")


def test_csv_fractional_id_and_missing_column(tmp_path):
    d = _csv_net(tmp_path, "link_id,from_node,to_node\n1,1,2\n2,1.5,1\n")
    with pytest.raises(
        InputError, match=r"links.csv, row 2, field 'from_node': not a whole number: '1.5'"
    ):
        read_network(d)
    d2 = tmp_path / "b2"
    d2.mkdir()
    (d2 / "links.csv").write_text("link_id,from,to_node\n1,1,2\n")
    with pytest.raises(
        InputError, match=r"links.csv, field 'from_node': required column is missing"
    ):
        read_network(d2)


def test_gmns_bad_input_names_the_gmns_field(tmp_path):
    d = tmp_path / "gm"
    d.mkdir()
    (d / "node.csv").write_text("node_id,x_coord,y_coord\n1,0,0\n2,0,north\n")
    (d / "link.csv").write_text("link_id,from_node_id,to_node_id\n1,1,2\n")
    with pytest.raises(
        InputError, match=r"node.csv, row 2, field 'y_coord': not a number: 'north'"
    ):
        read_network(d)
    (d / "node.csv").write_text("node_id,x_coord,y_coord\n1,0,0\n2,0,1\n")
    (d / "link.csv").write_text(
        "link_id,from_node_id,to_node_id,capacity\n1,1,2,1800\n2,2,1,lots\n"
    )
    with pytest.raises(
        InputError, match=r"link.csv, row 2, field 'capacity': not a number: 'lots'"
    ):
        read_network(d)
    (d / "link.csv").write_text("link_id,from_node_id,to\n1,1,2\n")
    with pytest.raises(
        InputError, match=r"link.csv, field 'to_node_id': required column is missing"
    ):
        read_network(d)
    (d / "link.csv").write_text("link_id,from_node_id,to_node_id,directed\n1,1,2,maybe\n")
    with pytest.raises(InputError, match=r"link.csv, row 1, field 'directed': not true or false"):
        read_network(d)
    (d / "link.csv").write_text("link_id,from_node_id,to_node_id\n1,1,2\n")
    (d / "config.csv").write_text("long_length,speed\nfurlong,mph\n")
    with pytest.raises(InputError, match=r"link.csv, field 'long_length': unknown unit 'furlong'"):
        read_network(d)


def test_geojson_bad_input(tmp_path):
    p = tmp_path / "bad.geojson"
    p.write_text("{not json")
    with pytest.raises(InputError, match=r"bad.geojson, row 1: invalid JSON"):
        read_network(p)
    p.write_text(json.dumps({"type": "Feature"}))
    with pytest.raises(InputError, match="expected a GeoJSON FeatureCollection"):
        read_network(p)
    one_point_line = _ln(5, 1, 2, [[0.0, 0.0]])
    p.write_text(
        json.dumps(
            _fc([_pt(1, 0, 0), _pt(2, 1, 1), _ln(4, 1, 2, [[0, 0], [1, 1]]), one_point_line])
        )
    )
    with pytest.raises(
        InputError,
        match=r"bad.geojson, row 2, field 'geometry': invalid LineString coordinates \(feature 4\)",
    ):
        read_network(p)
    p.write_text(json.dumps(_fc([_pt(1, 0, 0), _pt(2, "east", 1)])))
    with pytest.raises(
        InputError, match=r"bad.geojson, row 2, field 'geometry': a node needs a Point"
    ):
        read_network(p)
    bad_len = _ln(4, 1, 2, [[0, 0], [1, 1]])
    bad_len["properties"]["length"] = "far"
    p.write_text(json.dumps(_fc([_pt(1, 0, 0), _pt(2, 1, 1), bad_len])))
    with pytest.raises(
        InputError, match=r"bad.geojson, row 1, field 'length': not a number: 'far'"
    ):
        read_network(p)
    no_ends = _ln(4, 1, 2, [[0, 0], [1, 1]])
    del no_ends["properties"]["to_node"]
    p.write_text(json.dumps(_fc([no_ends])))
    with pytest.raises(
        InputError, match=r"bad.geojson, field 'to_node': required column is missing"
    ):
        read_network(p)


def test_bad_wkt_geometry_names_link_row(tmp_path):
    net = rich_net()
    links = net.links.assign(geometry=["", "LINESTRING (1 2)", "", ""])
    bad = net.with_tables(links=links)
    for name in ("x.geojson", "x.gpkg"):
        with pytest.raises(
            InputError, match=r"row 2, field 'geometry': a LINESTRING needs at least two"
        ):
            write_network(bad, tmp_path / name)


def test_gpkg_bad_input(tmp_path):
    pytest.importorskip("pyogrio")
    p = tmp_path / "bad.gpkg"
    p.write_text("not a geopackage")
    with pytest.raises(InputError, match=r"bad.gpkg: not a readable GeoPackage"):
        read_network(p)
    import pyogrio.raw

    q = tmp_path / "nolinks.gpkg"
    pyogrio.raw.write(q, None, [np.array([1, 2])], ["node_id"], layer="nodes", driver="GPKG")
    with pytest.raises(InputError, match=r"nolinks.gpkg: no 'links' layer \(layers: nodes\)"):
        read_network(q)
    write_network(rich_net(), tmp_path / "ok.gpkg")
    links = pyogrio.raw.read(tmp_path / "ok.gpkg", layer="links")
    r = tmp_path / "badlen.gpkg"
    pyogrio.raw.write(r, None, [np.array([1, 2])], ["node_id"], layer="nodes", driver="GPKG")
    data = [
        np.array(["1", "2"], dtype=object),
        np.array([1, 2]),
        np.array([2, 1]),
        np.array(["3", "far"], dtype=object),
    ]
    pyogrio.raw.write(
        r, None, data, ["link_id", "from_node", "to_node", "length"], layer="links", driver="GPKG"
    )
    with pytest.raises(
        InputError, match=r"badlen.gpkg, layer 'links', row 2, field 'length': not a number: 'far'"
    ):
        read_network(r)
    assert links[0]["geometry_type"] == "LineString"


def test_missing_optional_dependency_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyogrio", None)
    monkeypatch.setitem(sys.modules, "pyogrio.raw", None)
    with pytest.raises(OptionalDependencyError, match=r"pip install 'serai\[geo\]'"):
        write_network(rich_net(), tmp_path / "x.gpkg")
    assert not (tmp_path / "x.gpkg").exists()


@pytest.mark.parametrize("fmt", sorted(FULL))
def test_validation_names_the_source_file_of_each_format(tmp_path, fmt):
    net = rich_net()
    links = net.links.assign(length=[551.25, -1.0, 360.5, 1.0], to_node=[2, 3, 2, 99])
    out = write_network(net.with_tables(links=links), tmp_path / FULL[fmt], format=fmt)
    back = read_network(out)
    lines = {str(p) for p in validate(back).errors}
    src = {
        "csv": f"{out / 'links.csv'}",
        "parquet": f"{out / 'links.parquet'}",
        "geojson": f"{out}",
        "gpkg": f"{out}, layer 'links'",
        "gmns": f"{out / 'link.csv'}",
    }[fmt]
    assert lines == {
        f"error: {src}, row 2, id 11, field 'length': must be a positive number, got -1.0",
        f"error: {src}, row 4, id 13, field 'to_node': refers to node 99, which does not exist",
    }


def test_geojson_hand_drawn_lines_get_ids_and_ends(tmp_path):
    def line(coords):
        return {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": coords},
            "properties": {"length": 2.0},
        }

    p = tmp_path / "drawn.geojson"
    p.write_text(
        json.dumps(
            _fc([line([[0, 0], [1, 0]]), line([[1, 0], [1, 1], [2, 2]]), line([[2, 2], [0, 0]])])
        )
    )
    net = read_network(p)
    assert list(net.nodes["node_id"]) == [1, 2, 3]
    assert list(zip(net.nodes["x"], net.nodes["y"], strict=True)) == [(0, 0), (1, 0), (2, 2)]
    assert list(net.links["link_id"]) == [1, 2, 3]
    assert list(net.links["from_node"]) == [1, 2, 3] and list(net.links["to_node"]) == [2, 3, 1]
    assert validate(net).ok
    # with node Points given, line ends must land exactly on them
    p.write_text(
        json.dumps(
            _fc([_pt(7, 0, 0), _pt(8, 1, 0), line([[0, 0], [1, 0]]), line([[1, 0], [5, 5]])])
        )
    )
    with pytest.raises(
        InputError,
        match=r"drawn.geojson, row 2, field 'to_node': no node at the line's last point \(5.0, 5.0\)",
    ):
        read_network(p)


def test_failed_write_leaves_the_old_file_and_no_debris(tmp_path):
    net = rich_net()
    target = tmp_path / "keep.gpkg"
    write_network(net, target)
    before = target.read_bytes()
    bad = net.with_tables(links=net.links.assign(geometry=["", "LINESTRING (1 2)", "", ""]))
    with pytest.raises(InputError, match="field 'geometry'"):
        write_network(bad, target, overwrite=True)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.gpkg"]


def test_tntp_node_file_beside_is_never_overwritten(tmp_path):
    mine = tmp_path / "c_node.tntp"
    mine.write_text("my own node file")
    with pytest.raises(InputError, match=r"c_node.tntp: already exists"):
        write_network(rich_net(), tmp_path / "c_net.tntp")
    assert mine.read_text() == "my own node file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c_node.tntp"]


def test_write_creates_missing_folders(tmp_path):
    out = write_network(rich_net(), tmp_path / "a" / "b" / "net.geojson")
    assert len(read_network(out).links) == 4


def test_gmns_field_given_twice_is_named(tmp_path):
    d = tmp_path / "gm"
    d.mkdir()
    (d / "node.csv").write_text("node_id,x_coord,x,y_coord\n1,0,0,0\n2,1,1,1\n")
    (d / "link.csv").write_text("link_id,from_node_id,to_node_id\n1,1,2\n")
    with pytest.raises(
        InputError,
        match=r"node.csv, field 'x': the column appears twice \(also given as 'x_coord'\)",
    ):
        read_network(d)


def test_geojson_malformed_serai_member(tmp_path):
    p = write_network(rich_net(), tmp_path / "n.geojson")
    doc = json.loads(p.read_text())
    doc["serai"]["tables"]["modes"]["rows"][1] = ["road"]
    p.write_text(json.dumps(doc))
    with pytest.raises(
        InputError, match=r"n.geojson, row 2: serai table 'modes': expected a list of 2 values"
    ):
        read_network(p)


def test_read_demand_csv_and_gmns_names(tmp_path):
    from serai.network import read_demand

    p = tmp_path / "demand.csv"
    p.write_text("o_zone_id,d_zone_id,volume\n1,2,10.5\n2,1,3\n")
    d = read_demand(p)
    assert list(d.columns[:3]) == ["origin", "destination", "volume"]
    assert d["volume"].tolist() == [10.5, 3.0] and d["origin"].dtype == np.int64
    p.write_text("origin,destination,volume\n1,2,10.5\n2,1,lots\n")
    with pytest.raises(
        InputError, match=r"demand.csv, row 2, field 'volume': not a number: 'lots'"
    ):
        read_demand(p)
    p.write_text("origin,volume\n1,2\n")
    with pytest.raises(
        InputError, match=r"demand.csv, field 'destination': required column is missing"
    ):
        read_demand(p)


def test_geojson_hand_drawn_multilines_lengths_and_two_way(tmp_path):
    one_degree_km = np.pi * 6371.0088 / 180  # arc of 1 degree on the mean-radius sphere
    multi = {
        "type": "Feature",
        "geometry": {
            "type": "MultiLineString",
            "coordinates": [[[0, 0], [1, 0]], [[1, 0], [1, 1], [1, 2]]],
        },
        "properties": {"name": "two parts"},
    }
    p = tmp_path / "drawn.geojson"
    p.write_text(json.dumps(_fc([multi])))
    net = read_network(p, two_way=True)
    links = net.links
    assert list(links["link_id"]) == [1, 2, 3, 4]
    assert list(zip(links["from_node"], links["to_node"], strict=True)) == [
        (1, 2),
        (2, 3),
        (2, 1),
        (3, 2),
    ]
    np.testing.assert_allclose(links["length"], [1, 2, 1, 2] * np.array(one_degree_km), rtol=1e-12)
    assert list(links["name"]) == ["two parts"] * 4
    assert wkt_to_line(links.loc[3, "geometry"]) == [(1, 2), (1, 1), (1, 0)]
    assert validate(net).ok
    # a MultiLineString of several parts cannot be one link between given ends
    multi["properties"].update(from_node=1, to_node=3, link_id=1)
    p.write_text(json.dumps(_fc([_pt(1, 0, 0), _pt(3, 1, 2), multi])))
    with pytest.raises(
        InputError,
        match=r"drawn.geojson, row 1, field 'geometry': a link with from_node/to_node needs one LineString, got 2 parts",
    ):
        read_network(p)


def test_gpkg_unknown_crs_is_an_input_error(tmp_path):
    pytest.importorskip("pyogrio")
    net = rich_net()
    bad = Network(net.tables, {**net.meta, "crs": "my-own-crs"})
    with pytest.raises(InputError) as err:
        write_network(bad, tmp_path / "x.gpkg")
    assert err.value.file == str(tmp_path / "x.gpkg") and err.value.field == "crs"
    assert "cannot write the GeoPackage" in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_links_are_drawn_from_the_shapes_table_in_their_direction(tmp_path):
    """A shape is shared by both directions: the link 2 -> 1 gets its vertices reversed."""
    nodes = pd.DataFrame({"node_id": [1, 2, 3], "x": [0.0, 2.0, 5.0], "y": [0.0, 0.0, 0.0]})
    links = pd.DataFrame(
        {
            "link_id": [1, 2, 3],
            "from_node": [1, 2, 2],
            "to_node": [2, 1, 3],
            "shape_id": pd.array([7, 7, None], dtype="Int64"),
        }
    )
    shapes = pd.DataFrame({"shape_id": [7, 7, 7], "x": [0.0, 1.0, 2.0], "y": [0.0, 0.5, 0.0]})
    net = Network.from_tables(nodes=nodes, links=links, shapes=shapes)
    doc = json.loads(write_network(net, tmp_path / "s.geojson").read_text())
    lines = [
        f["geometry"]["coordinates"] for f in doc["features"] if f["properties"]["table"] == "links"
    ]
    assert lines == [
        [[0.0, 0.0], [1.0, 0.5], [2.0, 0.0]],
        [[2.0, 0.0], [1.0, 0.5], [0.0, 0.0]],
        [[2.0, 0.0], [5.0, 0.0]],  # no shape: straight
    ]
    assert_frames = read_network(tmp_path / "s.geojson")
    pd.testing.assert_frame_equal(assert_frames.tables["shapes"], net.tables["shapes"])
    assert "geometry" not in assert_frames.links.columns  # the shapes table stays the truth
    pyogrio = pytest.importorskip("pyogrio.raw")
    import shapely

    write_network(net, tmp_path / "s.gpkg")
    geoms = shapely.from_wkb(pyogrio.read(tmp_path / "s.gpkg", layer="links")[2])
    assert [shapely.get_coordinates(g).tolist() for g in geoms] == lines


@pytest.mark.parametrize("fmt", sorted(FULL))
def test_embedded_network_roundtrips_exactly(tmp_path, fmt):
    data = pytest.importorskip("serai.data", reason="embedded network not in this checkout")
    try:
        raw = data.load_eurasia()
    except (FileNotFoundError, OSError) as exc:
        pytest.skip(f"embedded network not built: {exc}")
    t = dict(raw.tables)  # a slice keeps the test fast: 3000 links, their nodes and shapes
    t["links"] = t["links"].iloc[:3000]
    ends = pd.concat([t["links"]["from_node"], t["links"]["to_node"]])
    t["nodes"] = t["nodes"][t["nodes"]["node_id"].isin(ends)]
    t["shapes"] = t["shapes"][t["shapes"]["shape_id"].isin(t["links"]["shape_id"].dropna())]
    net = Network.from_tables(meta=raw.meta, **t)  # declared dtypes
    assert net.links["shape_id"].notna().any() and len(net.tables) > 8
    back = read_network(write_network(net, tmp_path / FULL[fmt], format=fmt))
    assert sorted(back.tables) == sorted(net.tables)
    for name, df in net.tables.items():
        assert list(back.tables[name].columns) == list(df.columns), name
        pd.testing.assert_frame_equal(
            back.tables[name].reset_index(drop=True),
            df.reset_index(drop=True),
            rtol=1e-12,
            obj=name,
        )


def test_bad_wkt_in_a_file_is_reported_when_read(tmp_path):
    d = _csv_net(
        tmp_path,
        'link_id,from_node,to_node,geometry\n1,1,2,\n2,2,1,"LINESTRING (1 1, 0 zero)"\n',
    )
    with pytest.raises(
        InputError, match=r"links.csv, row 2, field 'geometry': bad coordinate '0 zero'"
    ):
        read_network(d)
    g = tmp_path / "gm"
    g.mkdir()
    (g / "node.csv").write_text("node_id,x_coord,y_coord\n1,0,0\n2,0,1\n")
    (g / "link.csv").write_text("link_id,from_node_id,to_node_id,geometry\n1,1,2,POINT (0 0)\n")
    with pytest.raises(
        InputError, match=r"link.csv, row 1, field 'geometry': not a WKT LINESTRING"
    ):
        read_network(g)
