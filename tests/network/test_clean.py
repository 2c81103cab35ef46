"""The pandas-free TNTP path refuses, warns and compiles exactly as the general path.

Oracle: the general path on the same file, ``read_network`` + ``validate`` +
``compile_network`` (pandas tables). For every TNTP file of the corrupted-file
corpus (every semantic defect, byte-level corruptions, broken ``_node.tntp``
files) and the real networks at hand: a file the reader refuses is refused by
:func:`~serai.network.io.tntp.graph_if_clean` with the same error; a graph is
made only when the general path finds no error and no warning, and it is the
general path's graph, array for array. A gate that answered True on everything
would fail the first assertion; one that answered False on everything fails the
count of graphs made.
"""

from __future__ import annotations

import numpy as np
import pytest

from serai.errors import SeraiError
from serai.network import compile_network, read_network, validate
from serai.network.clean import no_problems
from serai.network.io import tntp
from tests.conftest import SIOUX, tntp_root
from tests.robustness.corpus import base_tables, bytewise, semantic, write_raw


def _same_graph(a, b) -> None:
    for f in ("node_ids", "indptr", "heads", "tails", "link_ids", "link_rows", "passable",
              "is_zone"):  # fmt: skip
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)
        assert getattr(a, f).dtype == getattr(b, f).dtype, f
    np.testing.assert_array_equal(a.x, b.x)  # NaN == NaN here
    np.testing.assert_array_equal(a.y, b.y)
    assert list(a.costs) == list(b.costs)
    for c in a.costs:
        np.testing.assert_array_equal(a.costs[c], b.costs[c], err_msg=c)
    assert a.geographic == b.geographic and a.meta["name"] == b.meta["name"]
    np.testing.assert_array_equal(a.meta["_id_order"], b.meta["_id_order"])


def _compare(path, purpose: str, block_zones=None) -> str:
    """'refused' | 'fallback' | 'graph' after checking the fast path against the general one."""
    try:
        net = read_network(path)
    except SeraiError as exc:
        with pytest.raises(type(exc)) as got:
            tntp.graph_if_clean(path, purpose=purpose)
        assert str(got.value) == str(exc)
        return "refused"
    fast = tntp.graph_if_clean(path, purpose=purpose, block_zones=block_zones)
    if fast is None:
        return "fallback"
    report = validate(net, purpose=purpose)
    assert report.problems == (), (path, report.problems[:3])
    graph, meta = fast
    _same_graph(graph, compile_network(net, block_zones=block_zones))
    assert meta == dict(net.meta)
    return "graph"


def _node_file_defects(folder):
    """Broken ``_node.tntp`` files beside a good ``_net.tntp``."""
    edits = {
        "dup_node_line": lambda rows: [*rows, rows[3]],
        "huge_x": lambda rows: [rows[0].replace(rows[0].split("\t")[1], "1e13", 1), *rows[1:]],
        "inf_y": lambda rows: [*rows[:5], "6\t-96.7\tinf\t;", *rows[6:]],
        "unknown_node": lambda rows: [*rows, "999\t1.0\t2.0\t;"],
        "missing_node": lambda rows: rows[1:],
        "text": lambda rows: [*rows, "7\tabc\t2\t;"],
    }
    for name, edit in edits.items():
        nodes, links = base_tables()
        path = write_raw("tntp", nodes, links, folder / name)
        nf = path.with_name(path.name.replace("_net", "_node"))
        head, *rows = nf.read_text().splitlines()
        nf.write_text("\n".join([head, *edit(rows)]) + "\n")
        yield name, path


@pytest.mark.parametrize("purpose", ["assignment", "any"])
def test_corrupted_tntp_files_get_the_general_paths_answer(tmp_path, purpose):
    seen = {"refused": 0, "fallback": 0, "graph": 0}
    cases = [(m.name, m.path) for m in semantic(tmp_path / "sem") if m.fmt == "tntp"]
    cases += [(m.name, m.path) for m in bytewise(tmp_path / "bytes", 24, seed=5)
              if m.fmt == "tntp"]  # fmt: skip
    cases += list(_node_file_defects(tmp_path / "nodes"))
    cases.append(("clean", write_raw("tntp", *base_tables(), tmp_path / "clean")))
    for _name, path in cases:
        seen[_compare(path, purpose)] += 1
    assert seen["refused"] >= 10 and seen["fallback"] >= 5 and seen["graph"] >= 2, seen


@pytest.mark.parametrize("block_zones", [None, True, False])
def test_siouxfalls_graph_is_the_compiled_networks(block_zones):
    assert _compare(SIOUX / "SiouxFalls_net.tntp", "assignment", block_zones) == "graph"


# zero free-flow times (Chicago's connectors) and zero lengths (Berlin) call for a warning:
# those networks take the general path
@pytest.mark.parametrize(
    ("name", "want"),
    [("Anaheim", "graph"), ("Chicago-Sketch", "fallback"), ("Berlin-Tiergarten", "fallback")],
)
def test_shared_tntp_networks(name, want):
    root = tntp_root()
    if root is None:
        pytest.skip("shared TNTP data not found (set SERAI_TNTP_ROOT or place ../shared/data/tntp)")
    path = next((root / name).glob("*_net.tntp"))
    assert _compare(path, "assignment") == want


def test_no_problems_answers_false_on_what_it_does_not_check():
    nodes = {"node_id": np.array([1, 2])}
    links = {"link_id": np.array([1]), "from_node": np.array([1]), "to_node": np.array([2])}
    assert no_problems({"nodes": nodes, "links": links})
    assert not no_problems({"nodes": nodes, "links": links}, crs="EPSG:3857")
    assert not no_problems({"nodes": nodes, "links": {**links, "mode": np.array(["road"])}})
    assert not no_problems({"nodes": nodes, "links": {**links, "status": np.array(["x"])}})
    assert not no_problems({"nodes": nodes, "links": links, "modes": {}})
    assert not no_problems({"nodes": nodes, "links": links}, purpose="assignment")
    loop = {**links, "to_node": np.array([1])}
    assert not no_problems({"nodes": nodes, "links": loop})  # a self-loop warning is due
