"""Batch routing: every good row routed as a single query would be, bad rows reported by number."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from serai.cli import app
from serai.errors import InputError
from serai.freight import Router, build_routing_graph
from serai.freight.batch import combine, parse_shipments, read_shipments, route_batch, write_results
from serai.network import write_network
from tests.freight.toy import toy_network

CSV = """id,origin,destination,commodity,quantity,avoid_countries,modes
a,Almaty,Duisburg,container,3,RU,
b,Алматы,Constanța,container,2,,rail;ferry
c,Atlantis,Duisburg,container,1,,
d,Almaty,Duisburg,copper,x,,
e,Shanghai,Rotterdam,container,10,,
f,Xi'an,Duisburg,unobtainium,1,,
g,Almaty,Duisburg,container,1,RU;KZ,
"""


@pytest.fixture(scope="module")
def router():
    return Router(build_routing_graph(toy_network()))


@pytest.fixture()
def shipments(tmp_path):
    p = tmp_path / "shipments.csv"
    p.write_text(CSV, encoding="utf-8")
    return p


def test_rows_match_single_queries_and_bad_rows_are_numbered(router, shipments):
    good, bad = parse_shipments(read_shipments(shipments), file=str(shipments))
    assert [s.id for s in good] == ["a", "b", "c", "e", "g"]
    assert {b["row"]: b["error"] for b in bad}.keys() == {5, 7}
    assert "quantity" in bad[0]["error"] and "unobtainium" in bad[1]["error"]
    res = combine(route_batch(good, lambda y: router), bad)
    assert res["row"].tolist() == [2, 3, 4, 5, 6, 7, 8]
    by = res.set_index("id")
    # the same numbers as a single query (independent call of the router)
    one = router.route("Almaty", "Duisburg", "container", avoid_countries=["RU"])
    assert by.loc["a", "status"] == "ok"
    assert by.loc["a", "days"] == pytest.approx(one.days, abs=1e-3)
    assert by.loc["a", "usd_total"] == pytest.approx(3 * one.usd, abs=0.02)
    assert by.loc["a", "co2e_t_total"] == pytest.approx(3 * one.co2e_kg / 1000, abs=1e-4)
    assert "RU" not in by.loc["a", "countries"].split("-")
    # unknown place: named field and a suggestion; no route: the cutting constraint named
    assert by.loc["c", "status"] == "error" and "field 'origin'" in by.loc["c", "error"]
    assert "KZ" in by.loc["g", "error"]
    # geometry follows the legs: starts near Almaty, ends near Duisburg
    wkt = by.loc["a", "geometry"]
    assert wkt.startswith("MULTILINESTRING ((76.9000 43.2000")
    assert wkt.endswith("6.8000 51.4000))")


def test_unknown_column_is_an_error_with_a_suggestion(tmp_path):
    df = pd.DataFrame({"origin": ["A"], "destination": ["B"], "avoid_country": ["RU"]})
    with pytest.raises(InputError, match=r"avoid_country.*avoid_countries"):
        parse_shipments(df)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx", ".gpkg"])
def test_formats_round_trip(router, shipments, tmp_path, suffix):
    good, bad = parse_shipments(read_shipments(shipments))
    res = combine(route_batch(good, lambda y: router), bad)
    out = tmp_path / f"results{suffix}"
    write_results(res, out)
    with pytest.raises(InputError, match="overwrite"):
        write_results(res, out)
    if suffix == ".gpkg":
        import pyogrio
        import pyogrio.raw
        import shapely

        info = pyogrio.read_info(out)
        assert info["features"] == len(res)
        assert info["geometry_type"] == "MultiLineString"
        _meta, _fids, geom, _fields = pyogrio.raw.read(out)
        ok = res["status"].to_numpy() == "ok"
        geoms = shapely.from_wkb(geom)
        assert shapely.is_missing(geoms[~ok]).all()
        assert shapely.equals_exact(geoms[ok], shapely.from_wkt(res["geometry"][ok]), 1e-6).all()
        return
    back = read_shipments(out) if suffix != ".parquet" else pd.read_parquet(out)
    assert len(back) == len(res)
    assert list(back.columns) == list(res.columns)
    assert [str(x) for x in back["status"]] == res["status"].tolist()
    assert not list(tmp_path.glob(".results*"))  # no temporary file left


def test_cli_batch(tmp_path, shipments, monkeypatch):
    monkeypatch.setenv("SERAI_CACHE_DIR", str(tmp_path / "cache"))
    net = tmp_path / "net"
    write_network(toy_network(), net, format="csv")
    out = tmp_path / "out.csv"
    args = ["route", "--batch", str(shipments), "--out", str(out), "--network", str(net)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 1, res.output  # some rows failed
    assert "3 of 7 shipments routed" in res.output
    for row, sid in ((4, "c"), (5, "d"), (7, "f"), (8, "g")):
        assert f"row {row} (id {sid})" in res.output
    df = pd.read_csv(out)
    assert df.loc[df["status"] == "ok", "id"].tolist() == ["a", "b", "e"]
    res2 = CliRunner().invoke(app, args)
    assert res2.exit_code == 2 and "overwrite" in res2.output
    res3 = CliRunner().invoke(app, ["route", "--batch", str(shipments), "--network", str(net)])
    assert res3.exit_code == 2 and "--out" in res3.output


def test_a_rejected_row_keeps_the_quantity_and_year_the_user_typed(router, tmp_path):
    """A row rejected at the first checks (here: an unknown objective) is written with the
    user's own quantity and year, as a routed row is; a quantity that is no number stays
    empty (its error names it)."""
    p = tmp_path / "ship.csv"
    p.write_text(
        "id,origin,destination,quantity,year,objective\n"
        "a,Almaty,Duisburg,40,2024,fastest!\n"
        "b,Almaty,Duisburg,x,2024,\n"
        "c,Almaty,Duisburg,3,2024,\n",
        encoding="utf-8",
    )
    good, bad = parse_shipments(read_shipments(p), file=str(p))
    res = combine(route_batch(good, lambda y: router), bad).set_index("id")
    assert res.loc["a", "status"] == "error" and "objective" in res.loc["a", "error"]
    assert res.loc["a", "quantity"] == 40.0 and res.loc["a", "year"] == 2024
    assert pd.isna(res.loc["b", "quantity"]) and res.loc["b", "year"] == 2024
    assert res.loc["c", "quantity"] == 3.0 and res.loc["c", "year"] == 2024
    out = write_results(res.reset_index(), tmp_path / "res.csv")
    back = pd.read_csv(out).set_index("id")
    assert back.loc["a", "quantity"] == 40.0 and back.loc["a", "year"] == 2024
