"""The output-folder check made before a scenario run, compare or appraisal follows the
rule of the writer (:func:`serai._fs.replace_folder`): an existing output is replaced only
with ``overwrite``, even one serai wrote there by an earlier run. A check that let such a
file through let ``serai scenario run`` compute for minutes, then fail when writing (and
record nothing)."""

from __future__ import annotations

import pytest

from serai._fs import replace_folder
from serai.errors import InputError
from serai.scenarios.run import RESULT_FILES, check_out


def _earlier_run(out):
    with replace_folder(out) as new:  # what a run writes: its tables and summary.json
        (new / "routes.csv").write_text("question\n", encoding="utf-8")
        (new / "summary.json").write_text("{}", encoding="utf-8")


def test_a_folder_an_earlier_run_wrote_is_refused_before_the_run(tmp_path):
    out = tmp_path / "out"
    _earlier_run(out)
    # the oracle: the writer refuses it
    with pytest.raises(InputError, match="pass --overwrite"):
        with replace_folder(out) as new:
            (new / "routes.csv").write_text("question\n", encoding="utf-8")
    # so the check before the run refuses it too, naming the folder and the files
    with pytest.raises(InputError, match=r"already holds routes\.csv, summary\.json") as e:
        check_out(out, RESULT_FILES, overwrite=False)
    assert str(out) in str(e.value)
    check_out(out, RESULT_FILES, overwrite=True)  # with --overwrite: go on


def test_patterns_and_files_the_run_does_not_write(tmp_path):
    out = tmp_path / "out"
    _earlier_run(out)
    check_out(out, ("appraisal.json",), overwrite=False)  # nothing of it there
    with pytest.raises(InputError, match=r"routes\.csv"):
        check_out(out, ("*.csv", "compare.md"), overwrite=False)
    check_out(tmp_path / "new", RESULT_FILES, overwrite=False)  # absent: fine
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="not a folder"):
        check_out(tmp_path / "f", RESULT_FILES, overwrite=False)
