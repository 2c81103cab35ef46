"""Validation routes on small synthetic networks: hand-computed lengths and a brute-force oracle."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from serai.data.validation import (
    RouteSpec,
    compute_route,
    point_nodes,
    route_link_mask,
    validate_routes,
    validation_markdown,
)
from serai.errors import InputError
from serai.network import Network


def _both_ways(rows):
    out = []
    for r in rows:
        out.append(r)
        back = dict(r)
        back["from_node"], back["to_node"] = r["to_node"], r["from_node"]
        out.append(back)
    for i, r in enumerate(out, start=1):
        r["link_id"] = i
    return out


@pytest.fixture()
def net():
    """Rail: A(1,KZ) - 2(KZ) - 3(RU) - B(5,DE), and 2 - V(4,GE) - 5; planned 2-5 (2030).
    Sea: A'(10) -suez- 11 - B'(12), and A' -cape- B'. Transfers A-A', B-B' (0 km, 120 min)."""
    nodes = pd.DataFrame(
        {
            "node_id": [1, 2, 3, 4, 5, 10, 11, 12],
            "x": [70.0, 60, 45, 44, 7, 51, 32, 4],
            "y": [45.0, 47, 54, 41, 51, 43, 31, 52],
            "country": ["KZ", "KZ", "RU", "GE", "DE", "", "", ""],
            "point_id": ["a", "", "", "v", "b", "a", "", "b"],
        }
    )
    L = [
        dict(from_node=1, to_node=2, mode="rail", length=100.0, free_flow_time=100.0, country="KZ"),
        dict(
            from_node=2, to_node=3, mode="rail", length=200.0, free_flow_time=200.0, country="KZ;RU"
        ),
        dict(from_node=3, to_node=5, mode="rail", length=300.0, free_flow_time=300.0, country="RU"),
        dict(
            from_node=2, to_node=4, mode="rail", length=250.0, free_flow_time=125.0, country="KZ;GE"
        ),
        dict(
            from_node=4, to_node=5, mode="rail", length=400.0, free_flow_time=200.0, country="GE;DE"
        ),
        dict(
            from_node=2,
            to_node=5,
            mode="rail",
            length=150.0,
            free_flow_time=150.0,
            country="KZ;DE",
            status="planned",
            open_year=2030,
        ),
        dict(
            from_node=10,
            to_node=11,
            mode="sea",
            length=500.0,
            free_flow_time=1000.0,
            passage="suez",
        ),
        dict(from_node=11, to_node=12, mode="sea", length=300.0, free_flow_time=600.0),
        dict(
            from_node=10,
            to_node=12,
            mode="sea",
            length=2000.0,
            free_flow_time=4000.0,
            passage="cape",
        ),
        dict(from_node=1, to_node=10, mode="transfer", length=0.0, free_flow_time=120.0),
        dict(from_node=5, to_node=12, mode="transfer", length=0.0, free_flow_time=120.0),
    ]
    links = pd.DataFrame(_both_ways(L))
    links["status"] = links.get("status", pd.Series(dtype=object)).fillna("operational")
    links["passage"] = links["passage"].fillna("")
    links["country"] = links["country"].fillna("")
    return Network.from_tables(nodes=nodes, links=links)


def test_point_nodes_lists_every_snapped_node(net):
    assert point_nodes(net) == {"a": [1, 10], "v": [4], "b": [5, 12]}


def test_hand_computed_rail_lengths(net):
    rail = ("rail",)
    r = compute_route(
        net, RouteSpec("r", "a", "b", modes=rail, optimize="length", network_year=2025)
    )
    assert r.found and r.length_km == 600.0  # 100 + 200 + 300 via Russia
    assert r.node_ids.tolist() == [1, 2, 3, 5]
    assert r.time_h == pytest.approx(600 / 60)
    # avoiding Russia forces the Georgian branch: 100 + 250 + 400
    r = compute_route(
        net,
        RouteSpec(
            "r", "a", "b", modes=rail, avoid_countries=("RU",), optimize="length", network_year=2025
        ),
    )
    assert r.length_km == 750.0 and "RU" not in r.countries
    # a via point gives the same
    r = compute_route(
        net, RouteSpec("r", "a", "b", via=("v",), modes=rail, optimize="length", network_year=2025)
    )
    assert r.length_km == 750.0 and r.node_ids.tolist() == [1, 2, 4, 5]
    assert r.km_by_mode == {"rail": 750.0}


def test_optimize_time_picks_the_faster_branch(net):
    r = compute_route(
        net, RouteSpec("r", "a", "b", modes=("rail",), optimize="time", network_year=2025)
    )
    assert r.node_ids.tolist() == [1, 2, 4, 5]  # 100 + 125 + 200 min beats 600 min
    assert r.time_h == pytest.approx(425 / 60) and r.length_km == 750.0


def test_network_year_opens_planned_links(net):
    spec = dict(modes=("rail",), optimize="length")
    assert (
        compute_route(net, RouteSpec("r", "a", "b", network_year=2025, **spec)).length_km == 600.0
    )
    assert (
        compute_route(net, RouteSpec("r", "a", "b", network_year=2030, **spec)).length_km == 250.0
    )
    assert (
        compute_route(net, RouteSpec("r", "a", "b", network_year=None, **spec)).length_km == 250.0
    )


def test_sea_passages_and_port_candidates(net):
    sea = ("sea",)
    r = compute_route(net, RouteSpec("s", "a", "b", modes=sea, optimize="length"))
    assert r.length_km == 800.0 and r.node_ids.tolist() == [10, 11, 12]  # via Suez
    r = compute_route(
        net, RouteSpec("s", "a", "b", modes=sea, avoid_passages=("suez",), optimize="length")
    )
    assert r.length_km == 2000.0  # round the Cape
    # with rail and sea allowed, the best node combination is chosen (rail 600 < sea 800)
    r = compute_route(
        net, RouteSpec("s", "a", "b", modes=("rail", "sea"), optimize="length", network_year=2025)
    )
    assert r.length_km == 600.0


def test_missing_point_and_no_path_are_reported_not_raised(net):
    r = compute_route(net, RouteSpec("x", "a", "nowhere"))
    assert not r.found and "nowhere" in r.problem
    r = compute_route(net, RouteSpec("x", "a", "v", modes=("sea",)))
    assert not r.found and "no path" in r.problem


def test_mask_respects_modes_countries_passages_years(net):
    m = route_link_mask(
        net, RouteSpec("x", "a", "b", modes=("rail",), avoid_countries=("GE",), network_year=2025)
    )
    kept = net.links[m]
    assert set(kept["mode"]) == {"rail"}
    assert not kept["country"].str.contains("GE").any()
    assert not (kept["open_year"] == 2030).any()


def test_bad_optimize_is_an_input_error():
    with pytest.raises(InputError):
        RouteSpec("x", "a", "b", optimize="cheapest")


def test_dynamic_programme_matches_brute_force_on_random_graphs():
    """Oracle: networkx Dijkstra over every combination of candidate nodes."""
    rng = np.random.default_rng(7)
    for trial in range(5):
        n = 40
        g = nx.gnm_random_graph(n, 120, seed=trial)
        rows = []
        for u, v in g.edges:
            w = float(rng.integers(1, 50))
            rows += [
                dict(from_node=u + 1, to_node=v + 1, length=w, free_flow_time=w, mode="rail"),
                dict(from_node=v + 1, to_node=u + 1, length=w, free_flow_time=w, mode="rail"),
            ]
        links = pd.DataFrame(rows)
        links["link_id"] = np.arange(1, len(links) + 1)
        cands = {p: rng.choice(n, size=3, replace=False) + 1 for p in ("o", "m", "d")}
        point = [""] * n
        for p, ids in cands.items():
            for i in ids:
                point[i - 1] = (point[i - 1] + ";" + p).strip(";")
        nodes = pd.DataFrame({"node_id": np.arange(1, n + 1), "point_id": point})
        net = Network.from_tables(nodes=nodes, links=links)
        r = compute_route(net, RouteSpec("t", "o", "d", via=("m",), optimize="length"))
        dg = nx.DiGraph()
        for a, b, w in zip(links.from_node, links.to_node, links.length, strict=True):
            dg.add_edge(a, b, weight=w)
        best = np.inf
        for o, m, d in itertools.product(cands["o"], cands["m"], cands["d"]):
            try:
                c = nx.dijkstra_path_length(dg, o, m) + nx.dijkstra_path_length(dg, m, d)
            except (nx.NetworkXNoPath, nx.NodeNotFound):
                continue
            best = min(best, c)
        if np.isfinite(best):
            assert r.found and r.length_km == pytest.approx(best)
            assert int(r.node_ids[0]) in cands["o"] and int(r.node_ids[-1]) in cands["d"]
            assert set(r.node_ids.tolist()) & set(cands["m"].tolist())
        else:
            assert not r.found


def _routes():
    return pd.DataFrame(
        [
            dict(
                route_id="in",
                name="A–B rail",
                origin="a",
                destination="b",
                via="",
                modes="rail",
                optimize="length",
                network_year=2025,
                metric="length_km",
                value=600,
                low=None,
                high=None,
                basis="line length",
                source_id="s1",
            ),
            dict(
                route_id="near",
                name="A–B via V",
                origin="a",
                destination="b",
                via="v",
                modes="rail",
                optimize="length",
                network_year=2025,
                metric="length_km",
                value=None,
                low=600,
                high=700,
                basis="line length",
                source_id="s1;s2",
            ),
            dict(
                route_id="miss",
                name="A–B sea days",
                origin="a",
                destination="b",
                via="",
                modes="sea",
                avoid_passages="suez",
                optimize="time",
                network_year=2025,
                metric="time_days",
                value=None,
                low=27,
                high=35,
                basis="days",
                source_id="s2",
                explanation="synthetic speeds",
            ),
            dict(
                route_id="lb",
                name="lower bound",
                origin="a",
                destination="b",
                via="",
                modes="rail",
                optimize="length",
                network_year=2025,
                metric="length_km",
                value=None,
                low=500,
                high=None,
                basis="lower bound",
                source_id="s1",
            ),
            dict(
                route_id="gone",
                name="nowhere",
                origin="a",
                destination="zz",
                via="",
                modes="rail",
                optimize="length",
                network_year=2025,
                metric="time_h",
                value=5,
                low=None,
                high=None,
                basis="",
                source_id="",
            ),
        ]
    )


def test_validate_routes_verdicts(net):
    sources = pd.DataFrame(
        {"source_id": ["s1", "s2"], "citation": ["example.org/one", "example.org/two"]}
    )
    t = validate_routes(net, _routes(), sources=sources).set_index("route_id")
    assert t.at["in", "model_value"] == 600.0 and t.at["in", "verdict"] == "inside"
    # 750 km vs 600–700 km: +7.1 % above the band, within the 10 % tolerance
    assert t.at["near", "verdict"] == "near"
    assert t.at["near", "deviation"] == pytest.approx(50 / 700)
    # sea only (no transfers): the cape link takes 4000 min ≈ 2.8 days, far below 27–35 days
    assert t.at["miss", "model_value"] == pytest.approx(4000 / 60 / 24)
    assert t.at["miss", "verdict"] == "miss"
    assert t.at["lb", "verdict"] == "inside"  # 600 >= 500, no upper bound
    assert t.at["gone", "verdict"] == "no point"
    assert t.at["near", "sources"] == "example.org/one; example.org/two"
    md = validation_markdown(t.reset_index())
    assert "| A–B via V | 2025 | 750 | 7.1 h | – |" in md
    assert "near (+7.1%)" in md and "synthetic speeds" in md and "not in the network: zz" in md
    assert "1 inside" not in md and "2 inside" in md


def test_validate_routes_rejects_unknown_metric(net):
    bad = _routes().iloc[:1].assign(metric="cost_usd")
    with pytest.raises(InputError) as e:
        validate_routes(net, bad)
    assert e.value.field == "metric" and e.value.row == 1


# --- files --------------------------------------------------------------------------------


def test_read_inputs_from_the_repo_facts():
    from pathlib import Path

    from serai.data.validation_io import read_validation_inputs

    facts = Path(__file__).resolve().parents[2] / "tools" / "data" / "facts"
    routes, sources = read_validation_inputs(facts)
    assert "btk_length" in set(routes["route_id"])
    assert routes.set_index("route_id").at["btk_length", "high"] == 850.0
    assert set(routes["source_id"].str.split(";").explode()) - {""} <= set(sources["source_id"])


def test_read_inputs_bad_number_names_row_and_field(tmp_path):
    from serai.data.validation_io import read_validation_inputs

    cols = "route_id,name,origin,destination,via,modes,optimize,network_year,metric,value,low,high,basis,source_id"
    (tmp_path / "validation_routes.csv").write_text(
        cols
        + "\nr,R,a,b,,rail,length,2025,length_km,12,,,x,s\nq,Q,a,b,,rail,length,2025,length_km,abc,,,x,s\n",
        encoding="utf-8",
    )
    (tmp_path / "sources.csv").write_text("source_id,citation\ns,example.org\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_validation_inputs(tmp_path)
    assert e.value.row == 2 and e.value.field == "value"
    (tmp_path / "validation_routes.csv").write_text(
        cols + "\nr,R,a,b,,rail,length,2025,length_km,12,,,x,s\n", encoding="utf-8"
    )
    (tmp_path / "sources.csv").write_text("source_id\ns\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_validation_inputs(tmp_path)
    assert e.value.field == "citation" and e.value.file.endswith("sources.csv")


def test_write_report_never_replaces_a_foreign_file(tmp_path):
    from serai.data.validation_io import GENERATED_MARK, write_report

    out = tmp_path / "docs" / "validation.md"
    write_report("# one\n", out)
    assert out.read_text(encoding="utf-8").startswith(GENERATED_MARK)
    write_report("# two\n", out)  # our own file: replaced
    assert "# two" in out.read_text(encoding="utf-8")
    mine = tmp_path / "notes.md"
    mine.write_text("my notes\n", encoding="utf-8")
    with pytest.raises(InputError):
        write_report("# x\n", mine)
    assert mine.read_text(encoding="utf-8") == "my notes\n"
    write_report("# x\n", mine, overwrite=True)
    assert "# x" in mine.read_text(encoding="utf-8")


def test_border_and_gauge_stop_times_from_side_tables(net):
    """A 1520→1435 change at node 3 (no time) and at node 2 (2 h), and a KZ–RU crossing of 30 h."""
    links = net.links.copy()
    links["gauge"] = np.where(links["mode"] == "rail", 1520, np.nan)
    links.loc[(links["from_node"] == 3) & (links["to_node"] == 5), "gauge"] = 1435
    links.loc[(links["from_node"] == 2) & (links["to_node"] == 4), "gauge"] = 1435
    links.loc[(links["from_node"] == 4) & (links["to_node"] == 5), "gauge"] = 1435
    border = pd.DataFrame(
        {"node_a": [3], "node_b": [2], "time_h": [30.0], "crossing_id": ["kz_ru"]}
    )
    gauge = pd.DataFrame({"node_id": [2], "transshipment_h": [2.0], "gauge_break_id": ["g2"]})
    net2 = net.with_tables(links=links, border_crossings=border, gauge_breaks=gauge)
    spec = dict(modes=("rail",), optimize="length", network_year=2025)
    r = compute_route(net2, RouteSpec("r", "a", "b", **spec))  # 1-2-3-5: crossing 2→3, change at 3
    assert r.stop_h == 30.0 and r.stops == ("kz_ru 30 h", "gauge change at node 3 ?")
    r = compute_route(net2, RouteSpec("r", "a", "b", via=("v",), **spec))  # 1-2-4-5: change at 2
    assert r.stop_h == 2.0 and r.stops == ("g2 2 h",)
    t = validate_routes(net2, _routes().iloc[:2])
    assert t["model_stop_h"].tolist() == [30.0, 2.0]
    md = validation_markdown(t)
    assert "| A–B rail | 2025 | 600 | 10.0 h | 40.0 h |" in md


def test_rows_resting_on_facts_links_are_marked(net):
    links = net.links.copy()
    links["origin"] = np.where(
        links["from_node"].isin([3]) | links["to_node"].isin([3]), "facts", "osm"
    )
    t = validate_routes(net.with_tables(links=links), _routes().iloc[:2])
    # A–B rail runs 1-2-3-5: 500 of its 600 km touch node 3 (facts links)
    assert t["facts_share"].tolist() == pytest.approx([500 / 600, 0.0])
    md = validation_markdown(t)
    assert "| inside † |" in md and "1 row(s) rest mostly on facts links" in md
