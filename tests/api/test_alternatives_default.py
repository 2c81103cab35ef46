"""One alternatives question, three entry points, one answer.

``Router.alternatives`` once defaulted to ``distinct_corridors=False`` while ``serai route
--alternatives`` and ``POST /api/alternatives`` list one route per corridor: on the toy
network Shanghai -> Rotterdam the Python API listed "Sea via Cape" third where the CLI and
the service list the Middle Corridor. Each entry point here runs with its own defaults.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from serai.cli import app

QUESTION = {"origin": "Shanghai", "destination": "Rotterdam", "commodity": "container", "k": 3}


@pytest.fixture(scope="module")
def library(toy_dir):
    from serai.freight.query import load_network, make_router

    router = make_router(load_network(toy_dir))
    q = QUESTION
    return router.alternatives(q["origin"], q["destination"], q["commodity"], k=q["k"])


def _key(corridor, days, usd, km):
    return corridor, round(days, 3), round(usd, 2), round(km, 1)


def test_library_cli_and_service_list_the_same_alternatives(library, toy_dir, client):
    q = QUESTION
    want = [_key(r.corridor, r.days, r.usd, r.km) for r in library]
    # the question's point: one route per corridor, the Middle Corridor listed (toy network)
    assert [w[0] for w in want] == [
        "Sea via Suez",
        "Northern (via Russia)",
        "Middle Corridor (TITR)",
    ]
    res = CliRunner().invoke(
        app,
        [
            "route", "--from", q["origin"], "--to", q["destination"],
            "--commodity", q["commodity"], "--alternatives", str(q["k"]),
            "--network", str(toy_dir), "--no-server", "--json",
        ],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    cli = [_key(d["corridor"], d["days"], d["usd"], d["km"]) for d in json.loads(res.output)]
    r = client.post("/api/alternatives", json={**q, "geometry": False})
    assert r.status_code == 200, r.text
    api = [_key(d["corridor"], d["days"], d["usd"], d["km"]) for d in r.json()["routes"]]
    assert cli == want
    assert api == want


def test_same_corridor_is_the_opt_in(library, toy_dir):
    """``distinct_corridors=False`` is ``--same-corridor``: both list the same routes."""
    from serai.freight.query import load_network, make_router

    q = QUESTION
    router = make_router(load_network(toy_dir))
    lib = router.alternatives(
        q["origin"], q["destination"], q["commodity"], k=q["k"], distinct_corridors=False
    )
    res = CliRunner().invoke(
        app,
        [
            "route", "--from", q["origin"], "--to", q["destination"],
            "--commodity", q["commodity"], "--alternatives", str(q["k"]),
            "--network", str(toy_dir), "--no-server", "--json", "--same-corridor",
        ],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    cli = [d["corridor"] for d in json.loads(res.output)]
    assert cli == [r.corridor for r in lib]
    assert cli != [r.corridor for r in library]  # the toy question tells the two apart
