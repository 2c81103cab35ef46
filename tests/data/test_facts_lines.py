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


def test_zhezkazgan_beyneu_has_its_published_length(nets):
    """Facts §2.1 (uic.org, 2014): Zhezkazgan–Beyneu is 988 km (its two new sections; the
    path also runs the older Saksaulskaya–Shalkar section), reachable end to end."""
    net = nets[2025]
    shared = _km(net, "saksaulskaya", "shalkar")
    assert _km(net, "zhezkazgan", "beyneu") == pytest.approx(988 + shared, rel=0.05)


@pytest.mark.xfail(
    strict=True,
    reason="measured 403 km saved Dostyk -> Beyneu (2,663 km with the line, 3,066 without, via "
    "Almaty–Shu–Arys–Kyzylorda); the facts' ~1,000 km does not say between which points; the "
    "earlier pass (issue 10, first session) came from a Turksib cut north of Almaty, joined "
    "since. Open: which origin the published saving refers to",
)
def test_zhezkazgan_beyneu_shortens_the_east_west_route(nets):
    """Facts §2.1 (uic.org, 2014): Zhezkazgan–Beyneu shortens the east–west route by about
    1,000 km. Dostyk -> Beyneu with and without it; band 700–1,300 km."""
    net = nets[2025]
    with_line = _km(net, "dostyk", "beyneu")
    without = _km(net, "dostyk", "beyneu", without="zhezkazgan_beyneu")
    assert np.isfinite(with_line)
    assert 700 <= without - with_line <= 1_300, (with_line, without)


def _without(net, line: str):
    """``net`` without the links that carry facts line ``line`` (``links.lines``)."""
    links = net.links
    on = links["lines"].astype(str).str.split("|").apply(lambda s: line in s).to_numpy()
    assert on.any(), f"no link of {line}"
    return type(net)({**net.tables, "links": links[~on]}, net.meta)


def _to_country(net, a: str, country: str) -> float:
    """Rail km from point ``a`` to the nearest rail node of ``country``."""
    links = net.links
    g = compile_network(net, link_mask=(links["mode"] == "rail").to_numpy(), check=False)
    d = shortest_paths(g, _node(net, a), cost="length").distances()
    n = net.nodes
    ids = n.loc[(n["mode"] == "rail") & (n["country"] == country), "node_id"]
    return float(d.reindex(ids).min())


def test_zhetygen_altynkol_shortens_almaty_china(nets):
    """Facts §2.1 (dlg.kz): Zhetygen–Korgas shortens Almaty–China by 500 km (and §4.4, KTZ
    2023: via Altynkol instead of Dostyk, 500 km shorter). Almaty to the Chinese rail network,
    with and without the line (Altynkol vs Dostyk); band 300–700 km."""
    net = nets[2025]
    with_line = _to_country(net, "almaty", "CN")
    saved = _to_country(_without(net, "zhetygen_altynkol"), "almaty", "CN") - with_line
    assert 300 <= saved <= 700, (with_line, saved)


def test_almaty_bypass_takes_transit_off_the_almaty_hub(nets):
    """Facts §2.1: the Almaty bypass (Zhetygen–Kazybek Bek, 74 km, 2025) cuts the Almaty hub's
    load by 40 %: with it, the shortest rail path Altynkol -> Shu no longer runs through the
    Almaty-1 junction; without it, it does (and is longer)."""
    net = nets[2025]
    via = _km(net, "altynkol", "almaty") + _km(net, "almaty", "shu")
    assert _km(net, "altynkol", "shu") < via - 1.0
    without = _without(net, "almaty_bypass")
    assert _km(without, "altynkol", "shu") == pytest.approx(via, abs=1.0)


def test_zangezur_opens_a_rail_path_azerbaijan_turkiye_without_georgia(nets):
    """Facts §2.2–2.3: Horadiz–Aghband, TRIPP (Meghri), the Nakhchivan railway and
    Kars–Iğdır–Dilucu (to be built by 2030) join mainland Azerbaijan to Türkiye by rail without
    Georgia (or Russia); in 2025 the rail paths run through Georgia (BTK) or Russia."""
    for year, reachable in ((2025, False), (2030, True)):
        net = nets[year]
        links = net.links
        ge = net.nodes.loc[net.nodes["country"].isin(["GE", "RU"]), "node_id"]
        mask = (links["mode"] == "rail").to_numpy()
        mask = (
            mask & ~links["from_node"].isin(ge).to_numpy() & ~links["to_node"].isin(ge).to_numpy()
        )
        g = compile_network(net, link_mask=mask, check=False)
        d = shortest_paths(g, _node(net, "horadiz"), cost="length").distances()
        assert np.isfinite(float(d.loc[_node(net, "kars")])) == reachable, year


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


def test_southern_rail_route_exists(nets):
    """Kazakhstan–Turkmenistan–Iran, the Iran–Türkiye rail link (Razi–Kapıköy–Van) and the Lake
    Van train ferry (Tatvan–Van) make a rail path from Kazakhstan to Türkiye that avoids Russia,
    Azerbaijan, Armenia and Georgia; without the lake ferry there is none (Nakhchivan is AZ)."""
    net = nets[2025]
    links = net.links
    nodes = net.nodes.set_index("node_id")
    bad = nodes.index[nodes["country"].isin(["RU", "AZ", "AM", "GE"])]
    train_ferry = (links["mode"] == "ferry") & (links["service_kind"] == "ferry")
    mask = ((links["mode"] == "rail") | train_ferry).to_numpy()
    mask = mask & ~links["from_node"].isin(bad).to_numpy() & ~links["to_node"].isin(bad).to_numpy()
    g = compile_network(net, link_mask=mask, check=False)
    km = float(
        shortest_paths(g, _node(net, "beyneu"), cost="length").distances().loc[_node(net, "kars")]
    )
    # Beyneu -> Bolashak -> Etrek -> Gorgan -> Tabriz -> Razi -> Van ~> Tatvan -> Kars: the facts'
    # KZ–TM–IR–Türkiye through route is 6,336 km from eastern Kazakhstan (KZ ~3,185 km of it)
    assert np.isfinite(km) and 3_000 < km < 6_000, km
    lake = (links["name"] == "lake_van_train_ferry").to_numpy()
    assert lake.any()
    g = compile_network(net, link_mask=mask & ~lake, check=False)
    d = shortest_paths(g, _node(net, "beyneu"), cost="length").distances()
    assert not np.isfinite(float(d.loc[_node(net, "kars")]))
