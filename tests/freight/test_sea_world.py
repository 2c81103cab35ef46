"""The embedded sea network beyond Eurasia: the Pacific across the antimeridian, the Panama
Canal, US/Japan/Korea/Canada ports, the Sea of Azov ports without containers and the
Kuryk - Alat crossing, checked against great-circle bounds and hand computations."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from serai.freight import Router, build_routing_graph
from serai.freight.cost import link_costs, ports_refusing
from serai.network.geo import degree_gap


def _gc(a, b):
    """Great-circle km between (lon, lat) points (independent of the build's haversine)."""
    lon1, lat1, lon2, lat2 = map(np.radians, (a[0], a[1], b[0], b[1]))
    c = np.sin(lat1) * np.sin(lat2) + np.cos(lat1) * np.cos(lat2) * np.cos(lon2 - lon1)
    return float(6371.0 * np.arccos(np.clip(c, -1.0, 1.0)))


@pytest.fixture(scope="module")
def router(eurasia_router_2025):  # tests/freight/conftest.py: built once per test process
    return eurasia_router_2025


def _port(router, code):
    n = router.rg.network.nodes
    hit = n.loc[n["unlocode"] == code]
    assert len(hit) == 1, f"port {code} is not on the network"
    return int(hit["node_id"].iat[0]), (float(hit["x"].iat[0]), float(hit["y"].iat[0]))


def _sea(router, a, b, **kw):
    (na, pa), (nb, pb) = _port(router, a), _port(router, b)
    r = router.route(na, nb, "container", modes=["sea"], objective="time", **kw)
    moves = r.legs[r.legs["kind"] == "move"]
    return r, float(moves["km"].sum()), _gc(pa, pb)


def test_shanghai_los_angeles_crosses_the_pacific(router):
    r, km, gc = _sea(router, "CNSHA", "USLAX")
    # great circle 10,450 km: a sea route is longer, but not by a detour round a continent
    assert gc <= km <= 1.08 * gc, (km, gc)
    assert not {"suez", "cape", "panama", "malacca"} & set(r.passages)


def test_shanghai_los_angeles_near_searoute():
    # the searoute package (same Eurostat marnet) as a second routing of the same lanes
    sr = pytest.importorskip("searoute")
    from serai.data import load_eurasia

    n = load_eurasia().nodes
    xy = {c: n.loc[n["unlocode"] == c, ["x", "y"]].to_numpy(float)[0] for c in ("CNSHA", "USLAX")}
    ref = sr.searoute(list(xy["CNSHA"]), list(xy["USLAX"])).properties["length"]
    rg = Router(build_routing_graph(load_eurasia(), year=2025))
    _, km, _ = _sea(rg, "CNSHA", "USLAX")
    assert abs(km - ref) <= 0.05 * ref, (km, ref)


def test_shanghai_houston_goes_through_panama_unless_avoided(router):
    r, km, _ = _sea(router, "CNSHA", "USHOU")
    assert "panama" in r.passages
    # lower bound: the great circles Shanghai -> Balboa and Colon -> Houston (hand oracle)
    balboa, colon = (-79.55, 8.94), (-79.89, 9.37)
    _, sha = _port(router, "CNSHA")
    _, hou = _port(router, "USHOU")
    lower = _gc(sha, balboa) + _gc(colon, hou)
    assert lower <= km <= 1.10 * lower, (km, lower)
    r2, km2, _ = _sea(router, "CNSHA", "USHOU", avoid_passages=["panama"])
    assert "panama" not in r2.passages
    assert km2 > km + 5_000  # round the Cape or through Suez: far longer
    assert {"cape", "suez"} & set(r2.passages)
    # without Panama, Suez and the Cape of Good Hope: round South America (Cape Horn)
    r3, km3, _ = _sea(router, "CNSHA", "USHOU", avoid_passages=["panama", "suez", "cape"])
    assert not {"panama", "suez", "cape"} & set(r3.passages)
    horn = (-67.3, -56.0)
    assert km3 >= _gc(sha, horn) + _gc(horn, hou) and km3 > km


def test_pacific_and_atlantic_ports_are_sea_nodes(router):
    for code in ("USLAX", "USLGB", "USOAK", "USSEA", "USTIW", "USHOU", "USSAV", "USNYC",
                 "USBAL", "JPUKB", "JPTYO", "KRPUS", "CAVAN", "CAHAL"):  # fmt: skip
        _port(router, code)
    assert router.rg.network.nodes.query("unlocode == 'KRPUS'")["name"].iat[0] == "Busan"


def test_xiamen_baltimore_by_sea_is_the_shorter_way(router):
    r, km, gc = _sea(router, "CNXMN", "USBAL")
    assert gc <= km
    # via Panama (about 20,400 km with searoute) rather than Suez (22,100 km on this network
    # before the Pacific was joined)
    assert "panama" in r.passages and km < 21_500, (km, r.passages)


def test_busan_rotterdam(router):
    r, km, _ = _sea(router, "KRPUS", "NLRTM")
    assert "suez" in r.passages
    # lower bound: great circles through the capes and straits every such ship passes
    # (Singapore Strait, Dondra Head, Bab-el-Mandeb, Suez, Port Said, Gibraltar, Ushant);
    # searoute (same marnet) gives 20,179 km
    _, pus = _port(router, "KRPUS")
    _, rtm = _port(router, "NLRTM")
    way = [pus, (103.8, 1.2), (80.6, 5.9), (43.4, 12.6), (32.55, 29.95), (32.3, 31.25),
           (-5.6, 35.95), (-5.1, 48.5), rtm]  # fmt: skip
    lower = sum(_gc(a, b) for a, b in itertools.pairwise(way))
    assert lower <= km <= 1.08 * lower, (km, lower)


def test_route_lines_across_the_antimeridian_stay_on_the_map(router):
    from serai.freight.shapes import ShapeIndex, route_features

    r, km, _ = _sea(router, "CNSHA", "USLAX")
    feats = route_features(r, router.rg.network)
    lines = [f["geometry"]["coordinates"] for f in feats if f["geometry"]["type"] == "LineString"]
    pts = np.array([p for line in lines for p in line], float)
    assert len(pts) > 10
    # no segment jumps across the world map; the line runs east past 180 degrees
    for line in lines:
        assert (np.abs(np.diff(np.asarray(line, float)[:, 0])) <= 180.0).all()
    assert pts[:, 0].max() > 180.0
    # the drawn line is as long as the route (haversine along it, within 1 %)
    lon, lat = np.radians(pts[:, 0]), np.radians(pts[:, 1])
    h = (
        np.sin(np.diff(lat) / 2) ** 2
        + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(np.diff(lon) / 2) ** 2
    )
    drawn = float((2 * 6371.0 * np.arcsin(np.sqrt(h))).sum())
    assert abs(drawn - km) <= 0.01 * km, (drawn, km)
    # the encoded (HTTP API) features are the same line
    enc = route_features(r, router.rg.network, encoded=True)
    import orjson

    assert orjson.dumps(enc) == orjson.dumps(feats)
    # every link touching the antimeridian is oriented from its from-node
    ix = ShapeIndex.of(router.rg.network)
    links = router.rg.network.links
    touching = links["link_id"].to_numpy()[
        np.isin(links["link_id"].to_numpy(), ix.link_ids[ix.across])
    ]
    assert len(touching) >= 20
    xy = router.rg.network.nodes.set_index("node_id")[["x", "y"]]
    for lid, f in zip(touching, links.set_index("link_id").loc[touching, "from_node"], strict=True):
        assert float(degree_gap(ix.link_line(int(lid))[0], xy.loc[f].to_numpy(float))) < 1e-3


def test_sea_of_azov_ports_refuse_containers(router):
    net = router.rg.network
    refused = ports_refusing(net, "container")
    names = set(net.nodes.set_index("node_id").loc[refused, "unlocode"])
    assert names == {"RUTAG", "RURND", "RUAZO", "RUYEY", "UAMPW", "UAERD"}
    assert not len(ports_refusing(net, "bulk"))
    v = router.rg.vlinks
    # every port call there: transfers land <> sea, and starts/ends (access, egress) at the port
    at = np.isin(v["node_id"].to_numpy(np.int64), refused) & (v["event"] == "port").to_numpy()
    assert at.any()
    assert not link_costs(router.rg, "container").allowed[at].any()
    assert link_costs(router.rg, "grain").allowed[at].any()
    # the flagship question: Almaty -> Constanta leaves no box at an Azov port
    r = router.route("Almaty", "Constanța", "container")
    ports = {n for p in r.legs["node_path"] for n in p}
    assert not ports & set(refused.tolist())
    g = router.route("Taganrog", "Constanța", "grain", modes=["rail", "road", "sea"])
    assert set(g.legs["node_path"].explode().dropna().astype(int)) & set(refused.tolist())


def test_no_box_lands_at_an_azov_port_through_its_rail_or_road_transfer(router):
    """The port's transfers to rail and road sit on the land node (``node_id``), not the
    port's: Almaty -> Kyiv (2025) shipped its FEU Novorossiysk -> Berdyansk and on by rail."""
    refused = ports_refusing(router.rg.network, "container")
    v = router.rg.vlinks
    ends = np.isin(v["from_node"].to_numpy(np.int64), refused) | np.isin(
        v["to_node"].to_numpy(np.int64), refused
    )
    port_call = ends & (v["event"] == "port").to_numpy() & (v["kind"] != "move").to_numpy()
    assert (port_call & (v["kind"] == "port").to_numpy()).any()  # the transfers sea <> land
    assert not link_costs(router.rg, "container").allowed[port_call].any()
    assert link_costs(router.rg, "grain").allowed[port_call].all()
    r = router.route("Almaty", "Kyiv", "container")
    assert not {n for p in r.legs["node_path"] for n in p} & set(refused.tolist())


def test_kuryk_alat_crossing_is_near_the_great_circle(router):
    net = router.rg.network
    links = net.links
    n = net.nodes.set_index("node_id")
    for svc, lo, hi in (
        ("kuryk_alat_rail_ferry", 1.05, 1.20),
        ("aktau_alat_rail_ferry", 1.05, 1.25),
    ):
        row = links.loc[links["name"] == svc].iloc[0]
        a, b = n.loc[row["from_node"]], n.loc[row["to_node"]]
        gc = _gc((a["x"], a["y"]), (b["x"], b["y"]))
        assert lo * gc <= float(row["length"]) <= hi * gc, (svc, row["length"], gc)


SHIPMENTS = """id,origin,destination,commodity,quantity
sha_lax,Shanghai,Los Angeles,container,1
pus_van,Busan,"Vancouver, British Columbia",container,1
sha_rtm,Shanghai,Rotterdam,container,1
"""


def _check_cut_line(parts, km):
    """Parts of one route's geometry for GIS: every longitude in [-180, 180], the parts cut
    at the antimeridian meet there at the same latitude, the geodesic length (WGS84, pyproj)
    is the route's km within 0.5 %."""
    geod = pytest.importorskip("pyproj").Geod(ellps="WGS84")
    parts = [np.asarray(p, float) for p in parts]
    allxy = np.vstack(parts)
    assert (np.abs(allxy[:, 0]) <= 180.0).all()
    joins = 0
    for a, b in itertools.pairwise(parts):
        if abs(a[-1, 0]) == 180.0 and b[0, 0] == -a[-1, 0]:
            assert a[-1, 1] == b[0, 1]
            joins += 1
        else:  # legs follow one another: the next starts where this one ends
            assert np.allclose(a[-1], b[0], atol=1e-3), (a[-1], b[0])
    for p in parts:
        assert (np.abs(np.diff(p[:, 0])) <= 180.0).all()  # no part runs across the map
    length = sum(geod.line_length(p[:, 0], p[:, 1]) for p in parts) / 1000.0
    assert length == pytest.approx(km, rel=0.005), (length, km)
    return joins


def test_gis_outputs_are_cut_at_the_antimeridian(router, tmp_path):
    shapely = pytest.importorskip("shapely")
    pyogrio = pytest.importorskip("pyogrio")
    from serai.freight.batch import parse_shipments, read_shipments, route_batch, write_results
    from serai.freight.shapes import route_features, route_wkt

    src = tmp_path / "shipments.csv"
    src.write_text(SHIPMENTS, encoding="utf-8")
    good, bad = parse_shipments(read_shipments(src))
    assert not bad
    res = route_batch(good, lambda y: router).set_index("id")
    assert (res["status"] == "ok").all(), res["error"].tolist()
    net = router.rg.network
    for sid in ("sha_lax", "pus_van"):
        row = res.loc[sid]
        geom = shapely.from_wkt(row["geometry"])
        parts = [shapely.get_coordinates(g) for g in geom.geoms]
        assert _check_cut_line(parts, row["km"]) == 1, sid
    # the same row routed alone: its GeoDataFrame and node-to-node GeoJSON are cut too
    for sid in ("sha_lax", "pus_van"):
        s = next(s for s in good if s.id == sid)
        r = router.route(s.origin, s.destination, "container")
        assert r.km == pytest.approx(res.loc[sid, "km"], abs=0.1)
        gdf = r.to_geodataframe()
        lines = gdf[gdf.geom_type != "Point"].geometry
        assert (lines.geom_type == "MultiLineString").sum() == 1
        parts = [shapely.get_coordinates(p) for g in lines for p in getattr(g, "geoms", [g])]
        assert _check_cut_line(parts, r.km) == 1
        feats = r.to_geojson(net.nodes)["features"]
        gj = [f["geometry"] for f in feats if f["geometry"]["type"] != "Point"]
        assert [g["type"] for g in gj].count("MultiLineString") == 1
        parts = [
            c
            for g in gj
            for c in ([g["coordinates"]] if g["type"] == "LineString" else g["coordinates"])
        ]
        assert (np.abs(np.vstack(parts)[:, 0]) <= 180.0).all()
        # the map's line (HTTP API) stays continuous past 180
        cont = route_features(r, net)
        assert max(max(p[0] for p in f["geometry"]["coordinates"]) for f in cont
                   if f["geometry"]["type"] == "LineString") > 180.0  # fmt: skip
    # a route not crossing 180: the file geometry is the map's line, byte for byte
    r = router.route("Shanghai", "Rotterdam", "container")
    legs = [f["geometry"]["coordinates"] for f in route_features(r, net)
            if f["geometry"]["type"] == "LineString"]  # fmt: skip
    body = ", ".join("(" + ", ".join(f"{x:.4f} {y:.4f}" for x, y in p) + ")" for p in legs)
    assert route_wkt(r, net) == f"MULTILINESTRING ({body})" == res.loc["sha_rtm", "geometry"]
    assert route_features(r, net, cut=True) == route_features(r, net)
    # GeoPackage and GeoJSON files as GIS reads them back
    for suffix in (".gpkg", ".geojson"):
        out = tmp_path / f"results{suffix}"
        write_results(res.reset_index(), out)
        back = pyogrio.read_dataframe(out)
        assert len(back) == 3
        b = back.geometry.bounds
        assert b["minx"].min() >= -180.0 and b["maxx"].max() <= 180.0
        assert [len(g.geoms) for g in back.geometry] == [
            len(shapely.from_wkt(w).geoms) for w in res["geometry"]
        ]


def test_montreal_is_reached_up_the_st_lawrence(router):
    """Montréal (CAMTR) is a container port at the head of the St Lawrence lane (marnet's,
    cut at Montréal). Lower bounds: great circles through hand coordinates of Québec
    (71.21 W, 46.81 N, on the river: every ship to Montréal passes it) and, from Halifax,
    of the Cabot Strait (59.8 W, 47.4 N)."""
    quebec, montreal, cabot = (-71.21, 46.81), (-73.55, 45.51), (-59.8, 47.4)
    _, mtl = _port(router, "CAMTR")
    assert _gc(mtl, montreal) < 5.0
    r, km, _ = _sea(router, "NLRTM", "CAMTR")
    _, rtm = _port(router, "NLRTM")
    lower = _gc(rtm, quebec) + _gc(quebec, montreal)
    assert lower <= km <= 1.10 * lower, (km, lower)
    assert "st_lawrence" in r.passages
    r, km, _ = _sea(router, "CAHAL", "CAMTR")
    _, hal = _port(router, "CAHAL")
    lower = _gc(hal, cabot) + _gc(cabot, quebec) + _gc(quebec, montreal)
    assert lower <= km <= 1.25 * lower, (km, lower)
    # a container port: boxes may be landed there
    node, _ = _port(router, "CAMTR")
    assert node not in set(ports_refusing(router.rg.network, "container").tolist())
    box = router.route("Rotterdam", "Montréal", "container")
    assert box.destination_name.startswith("Montr") and "st_lawrence" in box.passages
