"""The corridor lines the facts name run end to end on the embedded network, by rail alone.

Each case is a section of a line the corridor facts describe (Turksib, Dostyk–Moyynty,
Zharyk–Zhezkazgan–Beyneu, Orenburg–Tashkent via Kyzylorda, Beyneu–Aktau/Kuryk, Uzen–Bereket,
the Central Asian main line Turkmenabat–Ashgabat–Turkmenbashi, Tejen–Sarakhs–Mashhad,
Tabriz–Razi–Van, BTK, the Georgian lines to Poti and Batumi, Gilan) that has no published
length of its own: its rail path must exist and be at most ``ratio`` x the great-circle
distance between its ends (a line's own detour is 1.05-1.35 here; a gap in the source graph
sends the path round another line, 2-10x: Aktogay–Ayagoz was 2,146 km for 130 km,
Turkmenabat–Mary 841 for 224, Tabriz–Razi 678 for 172, Aktau–Uzen 1,319 for 134 before the
gaps were closed; see tools/data/connectors.csv and the dead-end rule in
tools/data/landnet.py). Stops are facts points, or places given by their coordinates (the
nearest rail node within 30 km: contracted lines have no node at every town). Lines with a
published length are checked against it in test_facts_lines.py.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from serai import data
from serai.freight.gazetteer import great_circle_km
from serai.network import compile_network
from serai.paths import shortest_paths

# places without a facts point: (lat, lon) of the town (Natural Earth / general knowledge)
PLACES = {
    "semey": (50.41, 80.25),
    "aktobe": (50.28, 57.17),
    "makat": (47.65, 53.35),
    "turkmenabat": (39.08, 63.57),
    "mary": (37.60, 61.83),
    "tejen": (37.38, 60.50),
    "dashoguz": (41.84, 59.97),
    "sarakhs": (36.53, 61.17),
    "tabriz": (38.08, 46.29),
    "van": (38.49, 43.38),
}

SECTIONS = [
    # (name, stops, max ratio to the great circle, section by section)
    ("Turksib Semey–Ayagoz–Aktogay", ["semey", "ayagoz", "aktogay"], 1.3),
    ("Turksib Aktogay–Almaty–Shu", ["aktogay", "almaty", "shu"], 1.3),
    ("Shu–Arys (Turksib south)", ["shu", "arys"], 1.3),
    ("Dostyk–Aktogay–Moyynty", ["dostyk", "aktogay", "moyynty"], 1.2),
    ("Moyynty–Zharyk–Zhezkazgan", ["moyynty", "zharyk", "zhezkazgan"], 1.3),
    (
        "Orenburg–Tashkent line: Tashkent–Arys–Saksaulskaya",
        ["tashkent", "arys", "saksaulskaya"],
        1.3,
    ),
    (
        "Saksaulskaya–Shalkar–Kandyagash–Aktobe",
        ["saksaulskaya", "shalkar", "kandyagash", "aktobe"],
        1.35,
    ),
    ("Kandyagash–Makat–Beyneu", ["kandyagash", "makat", "beyneu"], 1.35),
    ("Beyneu–Mangyshlak–Aktau", ["beyneu", "mangyshlak", "aktau_port"], 1.3),
    ("Mangyshlak–Borzhakty–Kuryk", ["mangyshlak", "borzhakty", "kuryk_port"], 1.35),
    ("Mangyshlak–Uzen–Bolashak", ["mangyshlak", "uzen", "bolashak"], 1.4),
    ("Turkmenabat–Mary–Tejen–Ashgabat", ["turkmenabat", "mary", "tejen", "ashgabat"], 1.3),
    ("Ashgabat–Turkmenbashi", ["ashgabat", "turkmenbashi_port"], 1.3),
    ("Ashgabat–Bereket–Etrek", ["ashgabat", "bereket", "etrek"], 1.3),
    ("Trans-Karakum Ashgabat–Dashoguz", ["ashgabat", "dashoguz"], 1.4),
    ("Tejen–Sarakhs (TM–IR)", ["tejen", "sarakhs"], 1.7),
    ("Tabriz–Razi–Van (IR–TR)", ["tabriz", "van"], 1.45),
    ("Böyük Kəsik–Tbilisi–Poti", ["boyuk_kasik", "tbilisi", "poti_port"], 1.25),
    ("Tbilisi–Batumi", ["tbilisi", "batumi_port"], 1.4),
    ("Baku–Böyük Kəsik", ["baku_old_port", "boyuk_kasik"], 1.4),
    ("Rasht–Anzali", ["rasht", "anzali_port"], 1.3),
]


@pytest.fixture(scope="module")
def net():
    n = data.load_network(2025)
    g = compile_network(n, link_mask=(n.links["mode"] == "rail").to_numpy(), check=False)
    return n, g


def _stop(n, name: str) -> int:
    nodes = n.nodes
    rail = nodes[nodes["mode"] == "rail"]
    hit = rail["point_id"].astype(str).str.split("|").apply(lambda s: name in s)
    if hit.any():
        return int(rail.loc[hit, "node_id"].iat[0])
    lat, lon = PLACES[name]
    d = np.asarray(great_circle_km(lat, lon, rail["y"].to_numpy(), rail["x"].to_numpy()))
    assert d.min() <= 30.0, f"{name}: no rail node within 30 km ({d.min():.0f} km)"
    return int(rail["node_id"].iat[int(np.argmin(d))])


@pytest.mark.parametrize(("name", "stops", "ratio"), SECTIONS, ids=[s[0] for s in SECTIONS])
def test_corridor_section_runs_end_to_end(net, name, stops, ratio):
    n, g = net
    xy = n.nodes.set_index("node_id")
    ids = [_stop(n, s) for s in stops]
    for (a, sa), (b, sb) in itertools.pairwise(zip(ids, stops, strict=True)):
        km = shortest_paths(g, a, cost="length").distance(b)
        gc = float(great_circle_km(xy.at[a, "y"], xy.at[a, "x"], xy.at[b, "y"], xy.at[b, "x"]))
        assert np.isfinite(km), f"{name}: no rail path {sa} -> {sb}"
        assert km <= ratio * gc, f"{name}: {sa} -> {sb} {km:,.0f} km for {gc:,.0f} km"
