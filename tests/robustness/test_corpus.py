"""Corrupted network files: every known defect in every format is refused or flagged.

The fast subset of the corpus (``corpus.py``): every semantic defect in CSV, TNTP and
GeoJSON, and a few byte-level corruptions of each format. ``make fuzz`` runs the
whole corpus (all formats, more byte-level mutations) through the harness.
"""

from __future__ import annotations

import pytest

from serai.network import read_network, validate
from tests.robustness.corpus import FORMATS, SEMANTIC, base_tables, bytewise, semantic, write_raw
from tests.robustness.harness import gate_mismatch, judge_file

FAST_FORMATS = ("csv", "tntp", "geojson")


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("corpus")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_clean_base_is_accepted(tmp_path, fmt):
    nodes, links = base_tables()
    path = write_raw(fmt, nodes, links, tmp_path)
    report = validate(read_network(path))
    assert report.ok, report.errors[:3]


@pytest.mark.parametrize("name", sorted(SEMANTIC))
def test_every_defect_is_refused_or_flagged(corpus_dir, name):
    _, expect, _ = SEMANTIC[name]
    muts = [m for m in semantic(corpus_dir / name, only=name) if m.fmt in FAST_FORMATS]
    for m in muts:
        outcome, detail = judge_file(m.path)
        assert outcome != "foreign", (m.fmt, detail)
        if expect == "reject":
            assert outcome == "rejected", (m.fmt, outcome)
        elif expect == "flag":
            assert outcome in ("rejected", "flagged"), (m.fmt, outcome)
        if outcome in ("accepted", "flagged"):
            assert gate_mismatch(m.path) is None, m.fmt


def test_byte_level_corruption_never_escapes(tmp_path):
    for m in bytewise(tmp_path, n_per_format=8, seed=3):
        outcome, detail = judge_file(m.path)
        assert outcome != "foreign", (m.fmt, m.name, detail)
        if m.expect == "reject":
            assert outcome == "rejected", (m.fmt, m.name, outcome)


def test_tntp_metadata_says_4_nodes_links_use_9(tmp_path):
    nodes, links = base_tables()
    path = write_raw("tntp", nodes, links, tmp_path, {"tntp_nodes": 4})
    outcome, detail = judge_file(path)
    assert outcome == "rejected"
    assert "<NUMBER OF NODES> says 4 nodes" in detail and "row" in detail
