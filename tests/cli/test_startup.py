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


def test_assign_on_tntp_loads_no_pandas_and_no_other_command(tmp_path):
    # the TNTP -> assign -> CSV path: numpy readers, the pandas-free gate, the CSV writer
    from tests.conftest import SIOUX

    code = (
        "import sys\nsys.argv = ['serai', 'assign', "
        f"{str(SIOUX / 'SiouxFalls_net.tntp')!r}, '--trips', "
        f"{str(SIOUX / 'SiouxFalls_trips.tntp')!r}, '--out', {str(tmp_path / 'f.csv')!r}]\n"
        "from serai._entry import main\ntry:\n    main()\nexcept SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "others = [m for m in sys.modules if m.startswith('serai.cli.') and m not in "
        "('serai.cli._common', 'serai.cli.assign')]\nassert not others, others"
    )
    loaded = _loaded(code)
    assert "numpy" in loaded and (tmp_path / "f.csv").stat().st_size > 0  # the probe works
    assert not {"pandas", "pyarrow", "numba", "scipy", "rich"} & set(loaded), loaded
