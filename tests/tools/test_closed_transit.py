"""A line's short pass through a neighbouring country carries no border (tools/data/steps/borders.py).

Hand-made graphs: the oracle is which nodes change country, read off the drawing.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tools.data.steps.borders import _closed_transit


def _graph(countries, edges, kinds=None, km=5.0):
    nodes = pd.DataFrame(
        {
            "node_id": range(1, len(countries) + 1),
            "country": countries,
            "kind": kinds or ["junction"] * len(countries),
            "name": "",
        }
    )
    rows = []
    for u, v in edges:
        for f, t in ((u, v), (v, u)):
            rows.append({"from_node": f, "to_node": t, "mode": "rail", "length": km, "country": ""})
    links = pd.DataFrame(rows)
    links["country"] = [countries[f - 1] for f in links["from_node"]]
    return nodes, links


def _run(nodes, links, **kw):
    return _closed_transit(nodes, links, lambda *_: None, **kw)


def test_a_short_pass_takes_the_country_around_it():
    # KZ 1 - 2 KZ - 3 KG - 4 KG - 5 KZ - 6 KZ: 3-4 is 5 km of line inside KG
    nodes, links = _graph(
        ["KZ", "KZ", "KG", "KG", "KZ", "KZ"], [(1, 2), (2, 3), (3, 4), (4, 5), (5, 6)]
    )
    n2, l2 = _run(nodes, links)
    assert list(n2["country"]) == ["KZ"] * 6
    assert set(l2["country"]) == {"KZ"}
    assert list(nodes["country"]) == ["KZ", "KZ", "KG", "KG", "KZ", "KZ"]  # input untouched


def test_a_long_pass_a_named_place_a_junction_or_two_neighbours_keep_the_border():
    edges = [(1, 2), (2, 3), (3, 4), (4, 5), (5, 6)]
    c = ["KZ", "KZ", "KG", "KG", "KZ", "KZ"]
    # 40 km inside (one 40 km link): a real transit, kept
    nodes, links = _graph(c, edges, km=40.0)
    assert list(_run(nodes, links)[0]["country"]) == c
    # a station in the strip: kept
    nodes, links = _graph(
        c, edges, kinds=["junction", "junction", "station", "junction", "junction", "junction"]
    )
    assert list(_run(nodes, links)[0]["country"]) == c
    # the strip leads on into a third country: not a pass between two sides of one country
    c3 = ["KZ", "KZ", "KG", "KG", "UZ", "UZ"]
    nodes, links = _graph(c3, edges)
    assert list(_run(nodes, links)[0]["country"]) == c3
    # a branch leaves the strip (three links out): kept
    nodes, links = _graph([*c, "KZ"], [*edges, (3, 7)])
    assert list(_run(nodes, links)[0]["country"]) == [*c, "KZ"]


@pytest.mark.parametrize("year", [2025])
def test_taraz_line_stays_in_kazakhstan(year):
    """The shipped network: no rail border crossing between Kazakhstan and Kyrgyzstan on the
    Taraz line (71.1-71.3 E, 42.6-42.8 N), where a 15 km clip of Kyrgyzstan gave a Kazakh
    domestic train two border handovers."""
    from serai.data import load_network

    bc = load_network(year).tables["border_crossings"]
    near = bc[bc["x"].between(71.1, 71.3) & bc["y"].between(42.6, 42.8) & (bc["mode"] == "rail")]
    assert near.empty, near
