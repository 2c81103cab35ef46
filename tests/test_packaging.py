"""Every data file of the package is shipped: a wheel (``pip install serai``, not only an
editable checkout) carries what the code reads.

The oracle is the package tree itself: each non-Python file under ``serai/`` must match one
of the ``[tool.setuptools.package-data]`` globs of ``pyproject.toml`` (setuptools expands
them with the same glob rules, relative to the package folder).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "serai"


def _shipped() -> set[Path]:
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = conf["tool"]["setuptools"]["package-data"]["serai"]
    return {p for g in globs for p in PKG.glob(g) if p.is_file()}


def _data_files() -> list[Path]:
    return sorted(
        p
        for p in PKG.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    )


def test_every_data_file_is_package_data():
    missing = [str(p.relative_to(ROOT)) for p in _data_files() if p not in _shipped()]
    assert not missing, f"not in package-data (a wheel would lack them): {missing}"


def test_scenario_library_is_inside_the_package():
    from serai.scenarios import library_names, library_path

    assert library_path().resolve().is_relative_to(PKG)
    assert {"base-2024", "base-2030", "wb-2030"} <= set(library_names())
