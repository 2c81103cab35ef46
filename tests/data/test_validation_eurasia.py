"""The validation routes on the embedded Eurasian network (published figures as oracles)."""

from __future__ import annotations

from pathlib import Path

import pytest

from serai.data.validation import RouteSpec, compute_route, validate_routes
from serai.data.validation_io import read_validation_inputs

FACTS = Path(__file__).resolve().parents[2] / "tools" / "data" / "facts"


@pytest.fixture(scope="module")
def net():
    data = pytest.importorskip("serai.data")
    if not hasattr(data, "load_eurasia"):
        pytest.skip("no embedded network in this checkout")
    return data.load_eurasia()


@pytest.fixture(scope="module")
def table(net):
    routes, sources = read_validation_inputs(FACTS)
    return validate_routes(net, routes, sources=sources).set_index("route_id")


def test_every_route_is_computed_or_says_why(table):
    ok = table["verdict"].isin(["inside", "near", "miss"])
    assert (table.loc[ok, "model_km"] > 0).all()
    assert (table.loc[~ok, "problem"].str.len() > 0).all()
    # a miss or a failure must be explained in validation_routes.csv, never silently left
    bad = table[table["verdict"].isin(["miss", "no path", "no point"])]
    assert (bad["explanation"].str.len() > 0).all(), bad.index[bad["explanation"] == ""].tolist()


def test_sea_distances_match_published_nautical_miles(table):
    """Independent oracle: PEM/JIFFA 10,600–11,000 nmi via Suez and 13,800–14,000 via the Cape."""
    for rid in ("shanghai_rotterdam_suez_length", "shanghai_rotterdam_cape_length"):
        assert table.at[rid, "verdict"] in ("inside", "near"), rid
    assert (
        table.at["shanghai_rotterdam_cape_length", "model_km"]
        > 1.2 * table.at["shanghai_rotterdam_suez_length", "model_km"]
    )
    assert "EG" in table.at["shanghai_rotterdam_suez_length", "countries"]
    assert "EG" not in table.at["shanghai_rotterdam_cape_length", "countries"]


def test_btk_length_within_a_tenth_of_the_published_band(table):
    assert table.at["btk_length", "verdict"] in ("inside", "near")
    assert set(table.at["btk_length", "countries"].split(";")) == {"AZ", "GE", "TR"}


def test_planned_lines_only_in_their_year(net):
    spec = dict(modes=("rail", "transfer"), optimize="length")
    later = compute_route(net, RouteSpec("b", "bakhty", "ayagoz", network_year=2030, **spec))
    assert later.found and later.length_km == pytest.approx(272, rel=0.05)
    now = compute_route(net, RouteSpec("b", "bakhty", "ayagoz", network_year=2025, **spec))
    assert not now.found or now.length_km > 1.5 * later.length_km


def test_northern_route_avoids_the_caucasus(table):
    countries = set(table.at["xian_duisburg_northern_time", "countries"].split(";"))
    assert {"KZ", "RU", "BY", "PL"} <= countries
    assert not countries & {"AZ", "GE", "TR"}
