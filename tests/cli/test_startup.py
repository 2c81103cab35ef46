"""Start-up imports only what the command uses (timings are in BENCHMARKS.md, not here).

Each check runs a fresh interpreter and lists the heavy modules it loaded.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("typer", "rich", "numpy", "pandas", "numba", "scipy", "pyarrow", "shapely", "matplotlib")


def _loaded(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint('LOADED:', *[m for m in {HEAVY!r} if m in sys.modules])"
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    line = [x for x in r.stdout.splitlines() if x.startswith("LOADED:")][-1]
    return line.split()[1:]


def test_import_serai_loads_nothing_heavy():
    assert _loaded("import serai") == []


def test_version_answers_before_typer_is_imported():
    out = _loaded(
        "import sys\nsys.argv = ['serai', '--version']\nfrom serai._entry import main\nmain()"
    )
    assert out == []


def test_help_loads_no_numerical_library():
    code = (
        "import sys\nsys.argv = ['serai', '--help']\nfrom serai._entry import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    loaded = _loaded(code)
    assert "typer" in loaded  # the probe works: help needs Typer
    assert not {"numpy", "pandas", "numba", "scipy", "pyarrow"} & set(loaded), loaded


def test_version_output():
    r = subprocess.run(
        [sys.executable, "-m", "serai", "--version"], capture_output=True, text=True, timeout=300
    )
    from serai import __version__

    assert r.returncode == 0 and r.stdout.strip() == __version__
