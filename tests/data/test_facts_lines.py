"""The lines the facts describe, working: each one carries its published length, is reachable end
to end, and opening it shortens what the facts say it shortens (tools/data/facts/lines.csv; the
oracle is the published figure with a band, compared with shortest paths with and without the
line's links, ``links.lines``)."""

from __future__ import annotations

import numpy as np
import pytest

from serai import data
from serai.network import compile_network
from serai.paths import shortest_paths


@pytest.fixture(scope="module")
def nets():
    return {y: data.load_network(y) for y in (2025, 2030)}


def _node(net, point: str, mode: str = "rail") -> int:
    n = net.nodes
    hit = n["point_id"].astype(str).str.split("|").apply(lambda s: point in s) & (n["mode"] == mode)
    assert hit.any(), f"{point} has no {mode} node"
    return int(n.loc[hit, "node_id"].iat[0])


def _km(net, a: str, b: str, *, without: str | None = None, mode: str = "rail") -> float:
    links = net.links
    mask = (links["mode"] == mode).to_numpy()
    if without is not None:  # the sections the line added (its own links, named by its id)
        on = (links["name"].astype(str) == without).to_numpy()
        assert on.any(), f"no link of {without}"
        mask = mask & ~on
    g = compile_network(net, link_mask=mask, check=False)
    return float(
        shortest_paths(g, _node(net, a, mode), cost="length").distances().loc[_node(net, b, mode)]
    )


def test_zhezkazgan_beyneu_shortens_the_east_west_route(nets):
    """Facts §2.1 (uic.org, 2014): Zhezkazgan–Beyneu (988 km) shortens the east–west route by
    about 1,000 km. Dostyk -> Beyneu with and without it; band 700–1,300 km."""
    net = nets[2025]
    with_line = _km(net, "dostyk", "beyneu")
    without = _km(net, "dostyk", "beyneu", without="zhezkazgan_beyneu")
    assert np.isfinite(with_line)
    assert 700 <= without - with_line <= 1_300, (with_line, without)
    # 988 km = the two new sections; the path also runs the older Saksaulskaya–Shalkar section
    shared = _km(net, "saksaulskaya", "shalkar")
    assert _km(net, "zhezkazgan", "beyneu") == pytest.approx(988 + shared, rel=0.05)


@pytest.mark.xfail(
    strict=True,
    reason="measured 960 km saved Almaty -> Urumqi (facts: ~500 km); the line is in the OSM graph "
    "and tagged by path, so 'without' removes shared sections: to be resolved (issue 10 item 4)",
)
def test_zhetygen_altynkol_shortens_almaty_china(nets):
    """Facts §2.1 (dlg.kz): Zhetygen–Korgas shortens Almaty–China by 500 km. Almaty -> Urumqi
    with and without it; band 300–700 km."""
    net = nets[2025]
    links = net.links
    on = links["lines"].astype(str).str.split("|").apply(lambda s: "zhetygen_altynkol" in s)
    sub = type(net)({**net.tables, "links": links[~on.to_numpy()]}, net.meta)
    saved = _km(sub, "almaty", "urumqi") - _km(net, "almaty", "urumqi")
    assert 300 <= saved <= 700, saved


@pytest.mark.parametrize(
    ("line", "published", "year"),
    [("bakhty_ayagoz", 272, 2030), ("cku", 523, 2030), ("kz_tm_ir", 908, 2025)],
)
def test_published_lengths_end_to_end(nets, line, published, year):
    """Bakhty–Ayagoz 272 km (railwaygazette 2024), CKU 523 km (railwaygazette 2025), KZ–TM–IR
    908 km (railturkey 2014): the line is open in its year, reachable end to end, and the
    network path between its ends is its published length (within 5 %)."""
    net = nets[year]
    row = net.tables["facts_lines"].set_index("line_id").loc[line]
    km = _km(net, row["from_point"], row["to_point"])
    assert km == pytest.approx(published, rel=0.05)


@pytest.mark.xfail(
    strict=True,
    reason="no rail path Kazakhstan -> Kars avoiding RU, AZ, AM, GE yet: the Iran–Türkiye link "
    "(Razi–Kapıköy and the Lake Van train ferry) is not complete in the network (issue 10 item 4)",
)
def test_southern_rail_route_exists(nets):
    """Kazakhstan–Turkmenistan–Iran and an Iran–Türkiye rail link make a rail path from
    Kazakhstan to Türkiye that avoids Russia and Azerbaijan."""
    net = nets[2025]
    links = net.links
    nodes = net.nodes.set_index("node_id")
    bad = nodes.index[nodes["country"].isin(["RU", "AZ", "AM", "GE"])]
    mask = (links["mode"] == "rail").to_numpy() & ~links["from_node"].isin(bad).to_numpy()
    mask = mask & ~links["to_node"].isin(bad).to_numpy()
    g = compile_network(net, link_mask=mask, check=False)
    d = shortest_paths(g, _node(net, "beyneu"), cost="length").distances()
    km = float(d.loc[_node(net, "kars")])
    assert np.isfinite(km) and 3_000 < km < 6_000, km
