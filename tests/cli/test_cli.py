"""The CLI through typer's CliRunner: convert, validate, info, paths skim; and python -m serai."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from serai.cli import app
from serai.network import compile_network, read_network, validate
from serai.paths import skim
from tests.conftest import SIOUX

SF = SIOUX / "SiouxFalls_net.tntp"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def _bad_csv_network(tmp_path):
    d = tmp_path / "bad"
    d.mkdir()
    (d / "nodes.csv").write_text("node_id,x,y\n1,44.8,41.7\n2,49.8,40.4\n2,45.0,41.0\n3,200,41\n")
    (d / "links.csv").write_text(
        "link_id,from_node,to_node,length,mode\n"
        "1,1,2,550,rail\n"
        "2,2,9,10,rail\n"  # node 9 does not exist
        "3,2,1,-5,road\n"  # negative length
        "4,1,3,7,hovercraft\n"  # unknown mode
    )
    return d


def test_validate_bad_csv_exit_2_one_line_per_problem(tmp_path):
    d = _bad_csv_network(tmp_path)
    result = run("network", "validate", d)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    nodes, links = d / "nodes.csv", d / "links.csv"
    expected = [
        f"error: {nodes}, row 3, field 'node_id': duplicate id 2",
        f"error: {nodes}, row 4, id 3, field 'x': longitude 200.0 is out of range [-180, 180]",
        f"error: {links}, row 2, id 2, field 'to_node': refers to node 9, which does not exist",
        f"error: {links}, row 3, id 3, field 'length': must be a positive number, got -5.0",
        f"error: {links}, row 4, id 4, field 'mode': unknown mode 'hovercraft'",
    ]
    assert sorted(lines[:-1]) == sorted(expected)
    assert lines[-1] == f"{d}: 5 error(s), 0 warning(s)"
    # the same problems the library finds, no more, no less
    assert len(validate(read_network(d)).errors) == len(expected)


def test_validate_unreadable_value_is_one_line_exit_2(tmp_path):
    d = _bad_csv_network(tmp_path)
    (d / "links.csv").write_text("link_id,from_node,to_node,length\n1,1,2,far\n")
    result = run("network", "validate", d)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {d / 'links.csv'}, row 1, field 'length': not a number: 'far'"
    ]


def test_validate_clean_network_exit_0():
    result = run("network", "validate", SF)
    assert result.exit_code == 0, result.output
    assert "ok:" in result.stdout and "0 error(s)" in result.stdout


def test_info_summarises(tmp_path):
    result = run("network", "info", SF)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in ("SiouxFalls", "nodes", "24", "76", "links: road", "-96.7934", "0 error(s)"):
        assert text in out
    bad = run("network", "info", _bad_csv_network(tmp_path))
    assert (
        bad.exit_code == 0 and "5 error(s)" in bad.stdout and "serai network validate" in bad.stdout
    )


@pytest.mark.parametrize(
    "chain",
    [
        ("sf.gpkg", "sf_gmns", "sf.geojson", "sf_csv"),
        ("sf.parquet", "sf_back_net.tntp"),
    ],
)
def test_convert_between_formats(tmp_path, chain):
    src = SF
    for name in chain:
        dst = tmp_path / name
        args = ["network", "convert", src, dst]
        if name.endswith("_gmns"):
            args += ["--to", "gmns"]
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert f"wrote {dst} (24 nodes, 76 links)" in result.stdout
        src = dst
    a, b = read_network(SF), read_network(src)
    cols = ["link_id", "from_node", "to_node", "capacity", "length", "free_flow_time", "beta"]
    pd.testing.assert_frame_equal(b.links[cols], a.links[cols], rtol=1e-12)
    np.testing.assert_allclose(b.nodes[["x", "y"]], a.nodes[["x", "y"]])


def test_convert_refuses_to_overwrite(tmp_path):
    dst = tmp_path / "out.geojson"
    dst.write_text("precious")
    result = run("network", "convert", SF, dst)
    assert result.exit_code == 2
    assert "already exists" in result.stderr and "Traceback" not in result.output
    assert dst.read_text() == "precious"
    assert run("network", "convert", SF, dst, "--overwrite").exit_code == 0
    assert len(read_network(dst).links) == 76


def test_missing_input_is_one_line(tmp_path):
    result = run("network", "info", tmp_path / "nope.tntp")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'nope.tntp'}: no such file or directory"


def test_paths_skim_matches_library(tmp_path):
    out = tmp_path / "skim.csv"
    result = run("paths", "skim", SF, "--cost", "free_flow_time", "--field", "length", "--out", out)
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out)
    want = skim(
        compile_network(read_network(SF)), cost="free_flow_time", fields=["length"]
    ).to_frame()
    assert len(got) == 24 * 24
    pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-12)
    # an independent spot value: 1 -> 2 is the direct link (free-flow time 6, length 6)
    row = got[(got.origin == 1) & (got.destination == 2)].iloc[0]
    assert (row.iloc[2], row.length) == (6.0, 6.0)
    again = run("paths", "skim", SF, "--out", out)
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_python_dash_m_serai_help():
    proc = subprocess.run(
        [sys.executable, "-m", "serai", "--help"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "network" in proc.stdout and "paths" in proc.stdout


def test_reader_options_pass_through_and_typos_are_refused(tmp_path):
    d = tmp_path / "gm"
    d.mkdir()
    (d / "node.csv").write_text("node_id,x_coord,y_coord\n1,0,0\n2,0,1\n")
    (d / "link.csv").write_text(
        "link_id,from_node_id,to_node_id,length,free_speed,allowed_uses\n1,1,2,2.5,50,road\n"
    )
    out = tmp_path / "gm.geojson"
    result = run("network", "convert", d, out, "-o", "length_unit=mi", "-o", "speed_unit=mph")
    assert result.exit_code == 0, result.output
    link = read_network(out).links.iloc[0]
    assert link.length == pytest.approx(2.5 * 1.609344) and link.free_flow_time == pytest.approx(
        3.0
    )
    bad = run("network", "info", d, "--option", "lenght_unit=mi")
    assert bad.exit_code == 2
    assert (
        "the gmns reader takes no option 'lenght_unit'; known: length_unit, speed_unit"
        in bad.stderr
    )
    assert run("network", "validate", d, "-o", "nonsense").exit_code == 2


def test_convert_refuses_an_existing_output_before_reading(tmp_path):
    # the output is checked first: a missing input is not reported (nor read) then
    dst = tmp_path / "out.geojson"
    dst.write_text("precious")
    result = run("network", "convert", tmp_path / "nope.tntp", dst)
    assert result.exit_code == 2 and "already exists" in result.stderr, result.output
    assert dst.read_text() == "precious"


def test_route_written_to_a_pipe_keeps_whole_names(tmp_path):
    """Output to a file or a pipe is not cut to 80 columns ('Alasha…' for Alashankou): a
    script or `> out.txt` gets the names whole; $COLUMNS still sets the width."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env.update(SERAI_ROUTE_SERVER="off")
    cmd = [sys.executable, "-m", "serai", "route", "--from", "Xi'an", "--to", "Duisburg"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    rows = [ln for ln in r.stdout.splitlines() if ln.startswith("│")]
    assert rows and not any("…" in ln for ln in rows)
    assert any("│ Alashankou " in ln for ln in rows)
    narrow = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                            env={**env, "COLUMNS": "80"}, cwd=tmp_path)  # fmt: skip
    table = [ln for ln in narrow.stdout.splitlines() if ln.startswith(("│", "┃"))]
    assert table and max(len(ln) for ln in table) <= 80
