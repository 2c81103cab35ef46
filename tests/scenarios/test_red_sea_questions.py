"""The red-sea-closure scenario's flagship questions: each variant answers its own question."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def routes():
    pytest.importorskip("serai.data")
    from serai.scenarios import load_scenario
    from serai.scenarios.run import run_scenario

    res = run_scenario(load_scenario("red-sea-closure"), flows=False)
    return res.tables["routes"].set_index(["question", "variant"])


@pytest.mark.parametrize("group", ["Xi'an -> Duisburg (FEU)", "Shanghai -> Rotterdam (FEU)"])
def test_sea_questions_with_the_red_sea_closed(routes, group):
    # "sea via Cape" avoids passages the scenario closed: answered (it said "passage 'suez'
    # is not on this network"); "sea via Suez" cannot be answered (it printed the Cape route)
    cape = routes.loc[(group, "sea via Cape")]
    assert cape["corridor"] == "Sea via Cape"
    assert 45 < float(cape["days"]) < 65
    suez = routes.loc[(group, "sea via Suez")]
    assert suez["corridor"] == "no route"
    assert "no route sea via Suez" in suez["note"]


def test_headline_without_flows_says_why_it_is_empty():
    from io import StringIO
    from types import SimpleNamespace

    import pandas as pd
    from rich.console import Console

    from serai.cli.scenario import _headline

    c = Console(file=StringIO(), width=100)
    _headline(c, SimpleNamespace(tables={"headline": pd.DataFrame(columns=["indicator"])}))
    assert "no figures without the flows" in c.file.getvalue()
