"""Place names as their sources spell them: no "l" read for a capital "I".

Natural Earth 4.0.0 spells Sol-Iletsk (Orenburg oblast, by the Kazakh border) "Sol-lletsk",
a lowercase L for the I, in its name, ASCII name and ls_name; node labels of the embedded
network near it read "near Sol-lletsk". Oracle: GeoNames 491019, the record Natural Earth
itself names for the place ("Sol'-Iletsk", alternate name "Sol-Iletsk"), in
``tools/data/raw/geonames_places.jsonl.gz``.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from serai.freight.gazetteer import load_gazetteer
from serai.freight.resolver import search_places

RAW = Path(__file__).resolve().parents[2] / "tools" / "data" / "raw"
# a word that starts with "l" and a consonant, or with "ll": the shape of the misreading
# ("Sol-lletsk"); no place name of the sources has it otherwise
MISREAD = re.compile(r"(?:^|[\s\-'\u2019(])(?:l[^aeiouyl'\u2019\s.]|ll)")


@pytest.fixture(scope="module")
def gz():
    return load_gazetteer()


def _geonames(gid: int) -> dict:
    path = RAW / "geonames_places.jsonl.gz"
    if not path.is_file():
        pytest.skip("tools/data/raw only in a checkout")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["geonameid"] == gid:
                return rec
    raise AssertionError(f"GeoNames {gid} not in {path}")


def test_sol_iletsk_is_spelt_as_geonames_spells_it(gz):
    rec = _geonames(491019)
    assert "Sol-Iletsk" in rec["alternatenames"]
    (name,) = gz.places.loc[gz.places["geonameid"] == 491019, "name"]
    assert name == "Sol-Iletsk"
    top = search_places("Sol-Iletsk", gazetteer=gz).iloc[0]
    assert (top["name"], top["country"]) == ("Sol-Iletsk", "RU")


def test_a_node_by_sol_iletsk_is_labelled_with_its_name(gz):
    from serai.freight import PlaceIndex
    from serai.freight.labels import node_labels

    # 4.5 km from the town (51.1603 N, 55.0 E), no named place of the network: the gazetteer
    nodes = pd.DataFrame({"node_id": [1], "name": [""], "country": ["RU"], "x": [55.05],
                          "y": [51.2]})  # fmt: skip
    assert node_labels(nodes, PlaceIndex.from_nodes(nodes), gazetteer=gz)[1] == "near Sol-Iletsk"


def test_no_name_has_a_lowercase_l_for_a_capital_i(gz):
    names = gz.places["name"].astype(str)
    assert not names[names.str.contains(MISREAD)].tolist()
    import serai

    table = pd.read_parquet(Path(serai.__file__).parent / "data" / "places" / "names.parquet")
    texts = table["text"].astype(str)
    assert not texts[texts.str.contains(MISREAD)].tolist()
    assert not table["key"].eq("sollletsk").any()  # the misspelling is no name to search
