"""`serai scenario` and `serai runs` through typer's CliRunner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from serai.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})


def test_check_reports_file_line_key_and_exit_2(tmp_path):
    p = tmp_path / "typo.toml"
    p.write_text('extends = "base-2024"\n\n[[close]]\nelemnt = "passage:suez"\n', encoding="utf-8")
    r = run("scenario", "check", "red-sea-closure", p)
    assert r.exit_code == 2
    assert "red-sea-closure: ok" in r.output
    assert (
        "line 4" in r.output
        and "close[1].elemnt" in r.output
        and "did you mean element" in r.output
    )
    assert "Traceback" not in r.output


def test_list_and_show():
    r = run("scenario", "list")
    assert r.exit_code == 0 and "wb-2030" in r.output and "do-nothing-2030" in r.output
    r = run("scenario", "show", "red-sea-closure")
    assert (
        r.exit_code == 0
        and "passage:suez" in r.output
        and "base-2024 -> red-sea-closure" in r.output
    )


def test_run_routes_only_then_runs_commands(tmp_path):
    store = tmp_path / "out" / "runs.duckdb"  # a folder nobody made yet (README: out/runs.duckdb)
    out = tmp_path / "red"
    r = run("scenario", "run", "red-sea-closure", "--no-flows", "--out", out, "--store", store)
    assert r.exit_code == 0, r.output
    assert store.is_file()  # `scenario run` writes runs: it made the store's folder
    assert "Sea via Cape" in r.output
    names = {p.name for p in out.iterdir()}
    assert {"routes.csv", "headline.csv", "changes.csv", "summary.json", "scenario.toml"} <= names
    assert json.loads((out / "summary.json").read_text())["scenario"] == "red-sea-closure"
    # a folder holding a file of the user's with a result's name is refused at once (before
    # the run) without --overwrite (a folder serai wrote too: tests/scenarios/test_check_out.py)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "routes.csv").write_text("my own routes\n", encoding="utf-8")
    r = run("scenario", "run", "red-sea-closure", "--no-flows", "--out", mine, "--store", "none")
    assert r.exit_code == 2 and "overwrite" in r.output and "routes.csv" in r.output
    assert (mine / "routes.csv").read_text(encoding="utf-8") == "my own routes\n"
    r = run(
        "scenario", "run", "base-2024", "--no-flows", "--out", tmp_path / "base", "--store", store
    )
    assert r.exit_code == 0, r.output
    r = run("runs", "list", "--store", store)
    assert r.exit_code == 0 and "red-sea-closure" in r.output and "base-2024" in r.output
    r = run("runs", "show", "red-sea-closure", "--store", store)
    assert r.exit_code == 0 and "scenario_hash" in r.output and "routes" in r.output
    r = run("runs", "show", "red-sea-closure", "--store", store, "--table", "routes")
    assert r.exit_code == 0 and "Shanghai" in r.output
    r = run("runs", "export", "red-sea-closure", "--out", tmp_path / "exp", "--store", store)
    assert r.exit_code == 0 and (tmp_path / "exp" / "routes.csv").exists()
    r = run(
        "runs", "diff", "base-2024", "red-sea-closure", "--store", store, "--out", tmp_path / "diff"
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "diff" / "routes.csv").exists() and (
        tmp_path / "diff" / "compare.md"
    ).exists()
    r = run("runs", "show", "nope", "--store", store)
    assert r.exit_code == 2 and "unknown run or scenario" in r.output


def test_a_reading_command_does_not_make_the_store_folder(tmp_path):
    """Only the commands that write runs make a missing store folder; a reader refuses it."""
    import pytest

    from serai.cli.scenario import open_store_opt
    from serai.errors import InputError

    missing = tmp_path / "nowhere" / "runs.duckdb"
    with pytest.raises(InputError, match="folder of the run store does not exist"):
        open_store_opt(str(missing))
    assert not missing.parent.exists()
    st = open_store_opt(str(missing), writes=True)
    assert missing.parent.is_dir()
    assert open_store_opt("none", writes=True) is None
    del st
    r = run(
        "scenario",
        "compare",
        "base-2024",
        "red-sea-closure",
        "--store",
        tmp_path / "gone" / "x.duckdb",
    )
    assert r.exit_code != 0
    assert "folder of the run store does not exist" in r.output
    assert not (tmp_path / "gone").exists()


def test_runs_diff_refuses_its_out_folder_before_reading_runs(tmp_path):
    # as `scenario compare`: a user's file in --out is refused first (here the store and
    # its runs do not even exist)
    out = tmp_path / "diff"
    out.mkdir()
    (out / "compare.md").write_text("mine\n")
    store = tmp_path / "none" / "runs.duckdb"
    r = run("runs", "diff", "a", "b", "--store", store, "--out", out)
    assert r.exit_code == 2 and "already holds compare.md" in r.output, r.output
    assert (out / "compare.md").read_text() == "mine\n"
