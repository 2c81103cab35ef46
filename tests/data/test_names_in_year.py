"""A node's name in a year names only facilities open that year (serai.data.names).

The build names a rail or road node by every facts point snapped to it, so the Alat rail
and road nodes were "... / Baku port (Alat) phase 2 / ..." in every year, and the rail and
road lines at Anaklia's site were "Anaklia deep-sea port" before the port exists: a route
of 2020 through Alat read "Baku port (Alat) phase 2". Oracle: the facts' own statuses
(``tools/data/facts/points.csv``, read here as a plain CSV): Alat phase 2 is planned with
no opening year (trend.az 2025-12-18: design under way), Anaklia deep-sea port planned,
2029 (facts §1.3); the scenario ``caspian-ports-fleet`` opens Alat phase 2 by 2030 (EST).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from serai import data

FACTS = Path(__file__).resolve().parents[2] / "tools" / "data" / "facts" / "points.csv"


def _facts(point_id: str) -> dict:
    with FACTS.open(encoding="utf-8") as fh:
        return next(r for r in csv.DictReader(fh) if r["point_id"] == point_id)


def _named(net, text: str) -> set[int]:
    """Nodes open in the network's year (today's when none) whose name has ``text``."""
    from serai.data.status import open_mask

    nodes = net.nodes[open_mask(net.nodes, net.meta.get("year"))]
    names = nodes["name"].fillna("").astype(str)
    return set(nodes.loc[names.str.contains(text, regex=False), "node_id"].astype(int))


@pytest.mark.skipif(not FACTS.exists(), reason="needs the repository's facts tables")
@pytest.mark.parametrize("year", [None, 2013, 2020, 2025, 2030])
def test_a_planned_expansion_names_no_node(year):
    phase2 = _facts("alat_phase2")
    assert phase2["status"] == "planned" and phase2["open_year"] == ""  # never open, no date
    net = data.load_network(year)
    assert not _named(net, phase2["name"]), year
    # the operating port keeps its name on the same rail and road nodes
    assert len(_named(net, _facts("alat_port")["name"])) >= 2, year


@pytest.mark.skipif(not FACTS.exists(), reason="needs the repository's facts tables")
def test_a_port_not_built_yet_names_no_node_before_it_opens():
    anaklia = _facts("anaklia_port")
    opens = int(anaklia["open_year"])
    assert anaklia["status"] == "planned" and opens == 2029
    for year in (None, 2020, opens - 1):
        assert not _named(data.load_network(year), anaklia["name"]), year
    for year in (opens, 2030):
        # the port node and the rail and road lines at its site
        assert len(_named(data.load_network(year), anaklia["name"])) == 3, year


def test_a_scenario_that_opens_the_expansion_names_it():
    net = data.load_network(scenario="caspian-ports-fleet")
    assert net.meta["year"] == 2030
    assert len(_named(net, "Baku port (Alat) phase 2")) == 2  # its rail and road nodes


def test_a_graph_of_another_year_names_its_nodes_for_that_year():
    """The network of every year given a year by build_routing_graph: the names of that year
    (checked on the nodes it names, not the graph, which is slow to build)."""
    from serai.data.names import named_for_year
    from serai.network import Network

    every = data.load_network()
    assert not _named(every, "Anaklia deep-sea port")
    in_2030 = named_for_year(every, every, 2030)
    assert len(_named(Network(in_2030.tables, {"year": 2030}), "Anaklia deep-sea port")) == 3
    assert not _named(named_for_year(every, every, 2025), "Anaklia deep-sea port")


@pytest.mark.parametrize("year", [None, 2025])
def test_a_node_name_says_each_place_once(year):
    """Two points of one name on a node (Aktau: the city point and its port point, both
    "Aktau port") made "Aktau port / Aktau port" in every route through it."""
    names = data.load_network(year).nodes["name"].fillna("").astype(str)
    parts = names[names.str.contains(" / ", regex=False)].str.split(" / ")
    twice = parts[parts.map(lambda p: len(set(p)) < len(p))]
    assert twice.empty, twice.head().tolist()
    assert (names == "Aktau port").sum() >= 2
