"""`pytest -n N` over tests/api: the schemathesis file is refused with its reason, up front.

Its tests share node ids (pytest-xdist runs one of each). The guard raised in the workers'
collection, which ended each worker's session: xdist's controller then saw 'workerfinished'
while the first test was running and stopped with an INTERNALERROR assertion naming that
test (tests/api/test_alternatives_default.py, ...), not the reason.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import _selected

pytest.importorskip("xdist")
ROOT = Path(__file__).resolve().parents[1]
FILE = "tests/api/test_schemathesis.py"


def _config(args, ignore=(), ignore_glob=(), cwd=ROOT):
    opts = {"ignore": list(ignore), "ignore_glob": list(ignore_glob)}
    return SimpleNamespace(
        rootpath=ROOT,
        invocation_params=SimpleNamespace(dir=cwd),
        args=list(args),
        getoption=opts.get,
    )


@pytest.mark.parametrize(
    ("args", "ignore", "ignore_glob", "cwd", "want"),
    [
        (["tests/api"], (), (), ROOT, True),
        (["tests"], (), (), ROOT, True),
        ([f"{FILE}::test_openapi_contract"], (), (), ROOT, True),
        (["api"], (), (), ROOT / "tests", True),  # run from tests/
        (["tests/api"], [FILE], (), ROOT, False),
        (["tests"], ["tests/api"], (), ROOT, False),
        (["tests/api"], (), ["*schemathesis*"], ROOT, False),
        (["tests/api/test_api.py", "tests/freight"], (), (), ROOT, False),
    ],
)
def test_which_runs_include_the_file(args, ignore, ignore_glob, cwd, want):
    assert _selected(_config(args, ignore, ignore_glob, cwd), FILE) is want


def test_a_distributed_run_of_it_is_refused_with_the_reason():
    res = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "1", FILE, "-p", "no:cacheprovider", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = res.stdout + res.stderr
    assert res.returncode == 4, out[-3000:]  # usage error, before any worker starts
    assert "INTERNALERROR" not in out
    assert "share node ids" in out and f"--ignore={FILE}" in out
