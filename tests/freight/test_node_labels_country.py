"""A node labelled "near <place>" is near a place of its own country, or says the other one.

Before: the Kazakh rail node at the Dostyk crossing (3.9 km from Alashankou, 10 km from
Dostyk) read "near Alashankou" on the flagship Xi'an -> Duisburg route, its border event
included, as if it were in China; 772 nodes were labelled after a town across a border without
saying so (160 of them with a town of their own country within 40 km). Oracle: brute force
over every node of the 2025 network against the gazetteer's and the network's (name, country)
pairs.
"""

from __future__ import annotations

import re

import pytest

data = pytest.importorskip("serai.data")


@pytest.fixture(scope="module")
def labelled():
    from serai.freight import PlaceIndex
    from serai.freight.gazetteer import load_gazetteer
    from serai.freight.legs import node_labels

    net = data.load_network(2025)
    gz = load_gazetteer()
    idx = PlaceIndex.from_nodes(net.nodes, points=net.tables["points"])
    labels = node_labels(net.nodes, idx, gazetteer=gz)
    nodes = net.nodes.set_index("node_id")
    known = set(zip(gz.places["name"].astype(str), gz.places["country"].astype(str), strict=True))
    named = nodes[nodes["name"].fillna("") != ""]
    known |= set(
        zip(named["name"].astype(str), named["country"].fillna("").astype(str), strict=True)
    )
    pts = net.tables["points"].merge(nodes[["country"]], left_on="node_id", right_index=True)
    known |= set(zip(pts["name"].astype(str), pts["country"].astype(str), strict=True))
    return labels, nodes["country"].fillna("").astype(str), known


def test_the_dostyk_crossing_is_near_dostyk(labelled):
    labels, country, _ = labelled
    assert country[10118997] == "KZ"
    assert labels[10118997] == "near Dostyk"


def test_a_near_label_names_its_own_country_or_says_the_other(labelled):
    labels, country, known = labelled
    countries_of: dict[str, set[str]] = {}
    for name, c in known:
        countries_of.setdefault(name, set()).add(c)
    bad = []
    for nid, lab in labels.items():
        c = country[nid]
        if not lab.startswith("near ") or not c:
            continue
        m = re.fullmatch(r"near (.+) \(([A-Z]{2})\)", lab)
        if m and (m.group(1), m.group(2)) in known:  # another country, said
            if m.group(2) == c:
                bad.append((nid, c, lab))
            continue
        where = countries_of.get(lab[5:], set()) - {""}
        if where and c not in where:  # named after a place of another country, unsaid
            bad.append((nid, c, lab))
    assert not bad, (len(bad), bad[:10])
