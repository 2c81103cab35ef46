"""`serai emissions ...` through typer's CliRunner, and the legs-file IO."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from serai.cli import app
from serai.emissions import Shipment, account_chain, validate_ileap
from serai.emissions.examples import middle_corridor_example
from serai.emissions.io import account_file, read_legs, write_json
from serai.errors import InputError

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_example_json_matches_the_library():
    res = run("emissions", "example", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    validate_ileap(doc)
    legs, shipment = middle_corridor_example()
    total = account_chain(legs, shipment).totals["wtw_kg"]
    assert float(doc["serai"]["totals"]["co2eWTW"]) == pytest.approx(total, abs=1e-5)


def test_chain_from_csv_table_and_ileap_file(tmp_path):
    legs, _ = middle_corridor_example()
    csv = tmp_path / "legs.csv"
    legs.to_csv(csv, index=False)
    out = tmp_path / "fp.json"
    res = run(
        "emissions", "chain", csv, "--teu", 1, "--mass-t", 10, "--shipment-id", "S1", "--ileap", out
    )
    assert res.exit_code == 0, res.output
    assert "WTW" in res.output and "wrote" in res.output
    doc = json.loads(out.read_text())
    validate_ileap(doc)
    fp = account_file(csv, Shipment("S1", mass_t=10.0, teu=1.0))
    assert float(doc["serai"]["totals"]["co2eWTW"]) == pytest.approx(fp.totals["wtw_kg"], abs=1e-5)
    # never replace a user's file without --overwrite
    before = out.read_text()
    res = run("emissions", "chain", csv, "--teu", 1, "--ileap", out)
    assert res.exit_code == 2 and "already exists" in res.output
    assert out.read_text() == before
    assert run("emissions", "chain", csv, "--teu", 1, "--ileap", out, "--overwrite").exit_code == 0


def test_bad_row_names_file_line_and_field(tmp_path):
    csv = tmp_path / "legs.csv"
    csv.write_text("element,mode,toc,km,country\ntce,rail,,100,KZ\ntce,rail,rail_warp,50,KZ\n")
    res = run("emissions", "chain", csv, "--teu", 1)
    assert res.exit_code == 2
    assert "legs.csv, row 3, field 'toc': unknown TOC 'rail_warp'" in " ".join(res.output.split())
    with pytest.raises(InputError) as e:
        account_file(csv, Shipment("S", teu=1))
    assert (e.value.row, e.value.field) == (3, "toc")


def test_missing_inputs_are_one_line_errors(tmp_path):
    res = run("emissions", "chain", tmp_path / "nope.csv", "--teu", 1)
    assert res.exit_code == 2 and "legs file not found" in res.output
    csv = tmp_path / "legs.csv"
    csv.write_text("element,mode,km\ntce,road,10\n")
    res = run("emissions", "chain", csv)
    assert res.exit_code == 2 and "mass_t and/or teu" in res.output
    assert run("emissions", "factors", "nonsense").exit_code == 2
    res = run("emissions", "factors", "grid")
    assert res.exit_code == 0 and "KZ,Kazakhstan,641.102" in res.output
    with pytest.raises(InputError, match=r"\.csv or \.parquet"):
        read_legs(tmp_path / "legs.csv").pipe(lambda d: d)  # fine
        (tmp_path / "legs.xlsx").write_text("x")
        read_legs(tmp_path / "legs.xlsx")


def test_write_json_refuses_to_overwrite(tmp_path):
    p = write_json({"a": 1}, tmp_path / "x.json")
    with pytest.raises(InputError, match="already exists"):
        write_json({"a": 2}, p)
    assert json.loads(p.read_text()) == {"a": 1}


def test_existing_ileap_file_is_refused_before_anything_is_computed(tmp_path, monkeypatch):
    # a new-user trial: the footprint table came before the refusal; now the output path is
    # checked first (here the legs file is not even read: it does not exist)
    out = tmp_path / "footprint.json"
    out.write_text("precious")
    res = run("emissions", "chain", tmp_path / "nope.csv", "--teu", 1, "--ileap", out)
    assert res.exit_code == 2 and "already exists" in res.stderr, res.output
    assert res.stdout == "" and out.read_text() == "precious"

    def boom():
        raise AssertionError("computed before the output check")

    monkeypatch.setattr("serai.emissions.examples.middle_corridor_example", boom)
    res = run("emissions", "example", "--ileap", out)
    assert res.exit_code == 2 and "already exists" in res.stderr, res.output
    assert res.stdout == ""
