"""``tools.data.build`` was split into stage modules (``tools.data.steps``): every name it
had is still importable from it, as the very object of its new home, and the CLI entry
(``serai data build``) still finds ``build`` and ``OUT`` there."""

from __future__ import annotations

import importlib

import pytest

build = pytest.importorskip("tools.data.build", reason="tools/ only in a repo checkout")

#: (name, new home) of every module-level name build.py had before the split (main d91cbbf)
MOVED = [
    *[(n, "common") for n in ("HERE", "REPO", "RAW", "FACTS", "OUT", "BROAD_GAUGE",
                              "GAUGE_EXCEPTIONS", "ID_BASE", "TRANSFER_KM", "LINE_SNAP_KM",
                              "ACCESS_DETOUR", "TOWN_POPULATION", "MAX_ACCESS_KM",
                              "_undirected_to_links", "_src", "_gauge", "_in_box", "_LAND",
                              "_land")],
    *[(n, "sources") for n in ("_read_csv", "load_facts", "_points", "_towns", "_speeds",
                               "_point_values")],
    *[(n, "land") for n in ("_ferry_links", "_attach_points", "_final_snaps")],
    *[(n, "water") for n in ("_expansions", "_waterways", "_port_access")],
    *[(n, "lines") for n in ("_rail_distance", "_add_fact_lines", "_tag_lines", "_add_services",
                             "_path_geometry")],
    *[(n, "borders") for n in ("_stamp_closures", "_border_crossings", "_gauge_breaks",
                               "_connectors_table")],
    *[(n, "finish") for n in ("_at_least_great_circle", "_finish_links", "_open_with_lines",
                              "_finish_nodes")],
    *[(n, "write") for n in ("CHECK_YEARS", "_write", "anomalies", "_write_into")],
]  # fmt: skip


@pytest.mark.parametrize(("name", "home"), MOVED, ids=[n for n, _ in MOVED])
def test_old_name_is_the_new_home_object(name, home):
    new = importlib.import_module(f"tools.data.steps.{home}")
    assert getattr(build, name) is getattr(new, name)
    assert name in build.__all__


def test_paths_are_those_of_tools_data():
    # HERE moved one folder down (tools/data/steps/common.py): it must still be tools/data
    assert (build.HERE / "anchors.csv").is_file() and build.HERE.name == "data"
    assert build.OUT == build.REPO / "serai" / "data" / "eurasia"
    assert (build.OUT / "links.parquet").is_file()


def test_the_cli_entry_and_main_are_here():
    assert callable(build.build) and callable(build.main)
