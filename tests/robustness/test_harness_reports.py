"""The CLI harness tells a failed ``route --batch``'s complete report from a partial write.

A batch whose every row is refused exits 1 and writes the whole results file (each row
with its error and row number): that is a report, not a partial file. A truncated or
incomplete file at the same place is still a partial file.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from serai.cli import app
from tests.robustness.cli_cases import Case, batch_cases
from tests.robustness.harness import _run_cli_cases, complete_report, make_fixtures


@pytest.fixture(scope="module")
def w(tmp_path_factory):
    w = tmp_path_factory.mktemp("w")
    make_fixtures(w)
    return w


@pytest.fixture(scope="module")
def report(w, tmp_path_factory):
    """The real results file of a batch whose two rows are both refused (exit 1)."""
    out = tmp_path_factory.mktemp("o") / "routes.csv"
    res = CliRunner().invoke(app, ["route", "--batch", str(w / "bad_ship.csv"), "--out", str(out)])
    assert res.exit_code == 1 and out.is_file()
    return out.read_text(encoding="utf-8")


def test_a_refused_batch_writes_a_complete_report(w, report, tmp_path):
    p = tmp_path / "routes.csv"
    p.write_text(report, encoding="utf-8")
    assert complete_report(p, w / "bad_ship.csv")
    # one row per input row: the same file is not the report of a three-row input
    three = tmp_path / "three.csv"
    three.write_text((w / "bad_ship.csv").read_text() + "c,Almaty,Baku,container,1,,,,,\n")
    assert not complete_report(p, three)


@pytest.mark.parametrize("cut", ["mid_row", "row_boundary", "no_rows", "header_only_text"])
def test_a_truncated_report_is_not_complete(w, report, tmp_path, cut):
    lines = report.splitlines(keepends=True)
    text = {
        "mid_row": report[: len(report) - len(lines[-1]) // 2],  # the last row cut short
        "row_boundary": "".join(lines[:-1]),  # the last row missing
        "no_rows": lines[0],
        "header_only_text": lines[0].rstrip("\n"),
    }[cut]
    p = tmp_path / "routes.csv"
    p.write_text(text, encoding="utf-8")
    assert not complete_report(p, w / "bad_ship.csv")


def test_other_formats_are_read_back(w, tmp_path):
    feats = [{"type": "Feature", "geometry": None,
              "properties": {"row": r, "status": "error", "error": "x"}} for r in (2, 3)]  # fmt: skip
    p = tmp_path / "r.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    assert complete_report(p, w / "bad_ship.csv")
    p.write_text(json.dumps({"type": "FeatureCollection", "features": feats})[:-20])
    assert not complete_report(p, w / "bad_ship.csv")


class _Pool:
    """Stands in for the harness's worker: writes ``text`` to the case's output, exits 1."""

    def __init__(self, text: str) -> None:
        self.text = text

    def run(self, job, timeout):
        argv = job["argv"]
        out = argv[argv.index("--out") + 1]
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(self.text)
        return {"code": 1, "err": "error: every row refused\n"}


def _counts(w, tmp_path, text, case):
    res = _run_cli_cases([case], _Pool(text), tmp_path, w, None, lambda *_: None)
    return res["counts"]


def test_the_harness_counts_a_report_and_flags_a_truncated_file(w, report, tmp_path):
    case = next(c for c in batch_cases() if "{w}/bad_ship.csv" in c.argv)
    assert case.report == ("{o}/routes.csv", "{w}/bad_ship.csv")
    c = _counts(w, tmp_path / "a", report, case)
    assert (c["partial_files"], c["failure_reports"]) == (0, 1)
    c = _counts(w, tmp_path / "b", report[:-30], case)  # a truly truncated write
    assert (c["partial_files"], c["failure_reports"]) == (1, 0)
    # a command that does not write a report by design: any file it leaves is partial
    plain = Case(list(case.argv), case.expect, case.note)
    c = _counts(w, tmp_path / "c", report, plain)
    assert (c["partial_files"], c["failure_reports"]) == (1, 0)


def test_the_fixture_store_answers_and_an_empty_table_name_is_refused(w):
    """The runs of the fixture store (base lines of the runs cases) are there; an empty
    ``--table`` was taken as "no table" (exit 0), found once the base line could succeed."""
    pytest.importorskip("duckdb", reason="the run store is an extra")
    store = str(w / "runs.duckdb")
    r = CliRunner().invoke(app, ["runs", "show", "fz-a", "--store", store, "--table", "headline"])
    assert r.exit_code == 0 and r.stdout.startswith("indicator,unit,value\nco2e_t,t,"), r.output
    r = CliRunner().invoke(app, ["runs", "diff", "fz-a", "fz-b", "--store", store])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["runs", "show", "fz-a", "--store", store, "--table", ""])
    assert r.exit_code == 2 and "unknown table ''" in r.stderr
