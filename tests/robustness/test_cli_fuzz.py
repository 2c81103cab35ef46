"""A fast, fixed sample of the generated CLI cases (``cli_cases.py``), run in-process.

Every case: no traceback and no "internal error"; invalid input exits non-zero;
valid input exits 0; an existing output is never changed without ``--overwrite``;
a failed run leaves no file behind. ``make fuzz`` runs every case in a watchdog
process (hangs counted) through the harness.
"""

from __future__ import annotations

import hashlib
import os

import pytest
from typer.testing import CliRunner

from serai.cli import app
from tests.robustness.cli_cases import SLOW, cli_cases, fill
from tests.robustness.harness import make_fixtures

STEP = 9  # one case in 9


def _picked(case) -> bool:
    """A sample that stays the same when commands are added (chosen by the case's own text)."""
    key = "\x00".join(case.argv) + f"|{case.fsize}"
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % STEP == 0


CASES = [c for c in cli_cases() if " ".join(c.argv[:2]) not in SLOW and c.argv[0] not in SLOW]
SAMPLE = [c for c in CASES if _picked(c)]


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    w = tmp_path_factory.mktemp("w")
    make_fixtures(w)
    return w


def _files(folder):
    out = set()
    for dirpath, _, names in os.walk(folder):
        out |= {os.path.join(dirpath, n) for n in names}
    return out


@pytest.mark.parametrize("case", SAMPLE, ids=lambda c: " ".join(c.argv)[:70])
def test_cli_case(case, fixtures, tmp_path, monkeypatch):
    if case.fsize or any("{full}" in a for a in case.argv):
        pytest.skip("size limits and full disks are measured by the harness (per process)")
    o = tmp_path / "o"
    o.mkdir()
    (o / "exists.csv").write_text("precious,user,data\n")
    digest = hashlib.sha256((o / "exists.csv").read_bytes()).hexdigest()
    monkeypatch.chdir(o)
    argv = fill(case.argv, fixtures, o, None)
    before = _files(o)
    result = CliRunner().invoke(app, argv)
    err = result.stderr if result.stderr_bytes is not None else ""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"traceback: {result.exception!r}"
    )
    assert "internal error" not in err, err
    if case.expect == "invalid":
        assert result.exit_code != 0, f"accepted invalid input: {argv}"
        assert err.startswith("error:") or "Usage:" in err or "No such option" in err, err
        assert _files(o) == before, "a failed run left files behind"
    elif case.expect == "valid":
        assert result.exit_code == 0, err
    if "--overwrite" not in argv:
        assert hashlib.sha256((o / "exists.csv").read_bytes()).hexdigest() == digest
