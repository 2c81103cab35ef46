"""One network per year whatever the entry point: the README's route questions asked through the
CLI (typer CliRunner) and the Python API, with and without a year, give the same answer.

Oracle: the four answers of a question must agree (corridor, km, days, USD) — they
come from four code paths (CLI without/with --year, API without/with a year).
A year different from the loaded network's is refused. Issue 10: with any --year,
Alat (and every Caspian ferry) vanished, so the Middle Corridor answers below failed.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from serai import data
from serai.cli import app
from serai.errors import InputError
from serai.freight import Router, build_routing_graph

pytestmark = pytest.mark.skipif(
    not hasattr(data, "load_network"), reason="embedded network not installed"
)

# (CLI options, API keywords, expected corridor substring or None)
QUESTIONS = [
    (
        ["--from", "Xi'an", "--to", "Duisburg", "--commodity", "container"],
        dict(origin="Xi'an", destination="Duisburg", commodity="container"),
        None,
    ),
    (
        ["--from", "Xi'an", "--to", "Duisburg", "--avoid-country", "RU,IR", "--modes", "rail,road,ferry"],
        dict(origin="Xi'an", destination="Duisburg", avoid_countries=["RU", "IR"], modes=["rail", "road", "ferry"]),
        "Middle Corridor",
    ),
    (
        ["--from", "Shymkent", "--to", "Poti", "--commodity", "uranium", "--avoid-country", "RU,IR"],
        dict(origin="Shymkent", destination="Poti", commodity="uranium", avoid_countries=["RU", "IR"]),
        "Middle Corridor",
    ),
    (
        ["--from", "Shanghai", "--to", "Rotterdam", "--modes", "sea", "--avoid-passage", "suez",
         "--avoid-passage", "panama"],
        dict(origin="Shanghai", destination="Rotterdam", modes=["sea"], avoid_passages=["suez", "panama"]),
        "Cape",
    ),
]  # fmt: skip
YEAR = 2025


@pytest.fixture(scope="module")
def routers():
    return {
        None: Router(build_routing_graph(data.load_network())),
        YEAR: Router(build_routing_graph(data.load_network(YEAR))),
    }


def _cli(args: list[str], year: int | None) -> dict:
    extra = ["--year", str(YEAR)] if year is not None else []
    res = CliRunner().invoke(app, ["route", *args, *extra, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def _api(router: Router, kw: dict) -> dict:
    kw = dict(kw)
    origin, dest = kw.pop("origin"), kw.pop("destination")
    commodity = kw.pop("commodity", "container_feu")
    return router.route(origin, dest, commodity, **kw).to_dict()


def _key(d: dict) -> tuple:
    return (d["corridor"], round(d["km"], 1), round(d["days"], 2), round(d["usd"], 0))


@pytest.mark.parametrize(("args", "kw", "corridor"), QUESTIONS, ids=lambda v: None)
def test_same_answer_everywhere(routers, args, kw, corridor):
    answers = {
        "cli": _cli(args, None),
        "cli --year": _cli(args, YEAR),
        "api": _api(routers[None], kw),
        "api year": _api(routers[YEAR], kw),
    }
    keys = {name: _key(d) for name, d in answers.items()}
    assert len(set(keys.values())) == 1, keys
    if corridor is not None:
        assert corridor in answers["cli --year"]["corridor"], keys


def test_routing_graph_takes_the_year_of_the_network():
    net = data.load_network(YEAR)
    assert build_routing_graph(net).year == YEAR
    assert build_routing_graph(net, year=YEAR).year == YEAR
    with pytest.raises(InputError, match="loaded for 2025"):
        build_routing_graph(net, year=2030)


def test_planned_expansion_does_not_close_the_port():
    """Alat phase 2 (planned, no date) is an element of its own; Alat itself stays open."""
    net = data.load_network()
    exp = net.tables["expansions"].set_index("element_id")
    assert exp.at["alat_phase2", "status"] == "planned"
    port = int(exp.at["alat_phase2", "node_id"])
    for year in (2020, 2025, 2030):
        y = data.load_network(year)
        assert port in set(y.nodes["node_id"]), year
        ferries = y.links[(y.links["mode"] == "ferry") & (y.links["to_node"] == port)]
        assert len(ferries) >= 2, year
        assert "alat_phase2" not in set(y.tables["expansions"]["element_id"])


def test_uranium_reaches_a_us_port_avoiding_russia(routers):
    """A mineral chain can end at a US East coast port (issue 10, 'done when')."""
    r = routers[YEAR].route("Shymkent", "Baltimore", "uranium", avoid_countries=["RU"])
    assert "RU" not in r.countries and r.countries[-1] == "US"
    assert r.km > 12_000  # Kazakhstan -> Baltimore is at least ~10,000 km great circle


def test_inland_waterways_carry_bulk_not_container_liners(routers):
    """The Volga–Don is the Caspian's only water exit and an inland waterway: grain sails it
    (river–sea ships), a container liner cannot (issue 10 item 3)."""
    from serai.freight import NoRouteError

    r = routers[YEAR].route("Aktau", "Constanța", "grain", modes=["sea", "inland_waterway"])
    modes = set(r.legs.loc[r.legs["kind"] == "move", "mode"])
    assert "inland_waterway" in modes, modes
    with pytest.raises(NoRouteError):
        routers[YEAR].route("Aktau", "Constanța", "container_feu", modes=["sea", "inland_waterway"])
