"""Caches and GeoPackages under a file-size limit or on a full disk: clear messages.

A cache that cannot be written (numba's compiled code, the routing graph) is a warning
naming the cache file and what to do, and the command goes on without it; the user's own
output then succeeds or fails naming that output. A GeoPackage on a full disk or under a
size limit fails naming the file and the cause in words, not GDAL's SQL text.
Limits are set with ``resource.setrlimit(RLIMIT_FSIZE)`` in a child process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from serai.errors import InputError

resource = pytest.importorskip("resource", reason="file-size limits are POSIX")
ROOT = Path(__file__).resolve().parents[2]
SIOUX = ROOT / "tests" / "data" / "SiouxFalls" / "SiouxFalls_net.tntp"


def _limited(fsize: int):
    def setup() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return setup


def _run(argv, fsize, env=None, cwd=None):
    return subprocess.run(argv, capture_output=True, text=True, check=False, cwd=cwd,
                          env={**os.environ, **(env or {})}, preexec_fn=_limited(fsize),
                          timeout=600)  # fmt: skip


def _serai(args, fsize, env=None, cwd=None):
    code = "from serai.cli import main; main()"
    return _run([sys.executable, "-c", code, *map(str, args)], fsize, env, cwd)


def test_a_compiled_kernel_runs_when_its_cache_cannot_be_written(tmp_path):
    (tmp_path / "kern.py").write_text(
        textwrap.dedent("""
        from serai._jit import njit

        @njit(cache=True)
        def twice(x):
            return 2 * x
    """)
    )
    cache = tmp_path / "numba"
    r = _run([sys.executable, "-c", "import kern; print(kern.twice(21))"], 300,
             env={"NUMBA_CACHE_DIR": str(cache), "SERAI_JIT": "always",
                  "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}, cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "42"
    assert "CacheWarning" in r.stderr and "compiled-code cache not written" in r.stderr
    assert str(cache) in r.stderr and ".nbi" in r.stderr  # the cache file, by name
    assert "file-size limit" in r.stderr and "NUMBA_CACHE_DIR" in r.stderr
    left = [p.name for p in cache.rglob("*") if p.is_file()]
    assert not [n for n in left if ".tmp." in n], left  # no torn temporary file


def test_a_routing_graph_cache_that_cannot_be_written_is_a_warning(tmp_path):
    code = textwrap.dedent("""
        import warnings, numpy as np
        from serai.freight.cache import save_router

        class R:  # any picklable object stands for a router here
            def __init__(self):
                self.a = np.arange(100_000.0)

        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            print(save_router(R(), key="k"))
        print(w[0].category.__name__, w[0].message)
    """)
    r = _run([sys.executable, "-c", code], 4000, env={"SERAI_CACHE_DIR": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    stored, msg = r.stdout.splitlines()
    assert stored == "False"
    assert msg.startswith("CacheWarning ") and str(tmp_path / "router-k.pkl") in msg
    assert "file-size limit" in msg and "SERAI_CACHE_DIR" in msg
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing partial left


@pytest.mark.parametrize(("fsize", "ok"), [(60_000, True), (300, False)])
def test_paths_skim_names_the_cache_and_the_output(tmp_path, fsize, ok):
    """60 kB: the skim (6 kB) is written, the compiled code (> 100 kB) is not cached;
    300 B: the skim itself cannot be written, and the error names it."""
    out = tmp_path / "o"
    out.mkdir()
    cache = tmp_path / "numba"
    r = _serai(["paths", "skim", SIOUX, "--out", out / "skim.csv"], fsize,
               env={"NUMBA_CACHE_DIR": str(cache), "SERAI_JIT": "always"})  # fmt: skip
    warning = [ln for ln in r.stderr.splitlines() if ln.startswith("warning: ")]
    assert len(warning) == 1, r.stderr  # one line per cache folder, no Python source line
    assert str(cache) in warning[0] and "compiled-code cache not written" in warning[0]
    assert "file-size limit" in warning[0] and "Traceback" not in r.stderr
    if ok:
        assert r.returncode == 0, r.stderr
        assert (out / "skim.csv").stat().st_size > 1000
    else:
        assert r.returncode == 2
        err = r.stderr.splitlines()[-1]
        assert err.startswith(f"error: {out / 'skim.csv'}: cannot write: file too large")
        assert sorted(p.name for p in out.iterdir()) == []


def test_network_convert_to_geopackage_under_a_size_limit(tmp_path):
    r = _serai(["network", "convert", SIOUX, tmp_path / "sf.gpkg"], 300)
    assert r.returncode == 2
    assert r.stderr.startswith(f"error: {tmp_path / 'sf.gpkg'}: cannot write the GeoPackage: ")
    assert "file-size limit" in r.stderr and "ulimit -f" in r.stderr
    assert "sqlite3" not in r.stderr and "CREATE TABLE" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("gdal", "says"),
    [
        ("sqlite3_exec(CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL);INSERT "
         "INTO x VALUES ('a;b')) failed: database or disk is full", "disk full"),
        ("Write error: No space left on device", "disk full"),
        ("sqlite3_exec(CREATE TABLE t (a)) failed: attempt to write a readonly database",
         "attempt to write a readonly database"),
    ],
)  # fmt: skip
def test_gdal_write_errors_in_words(tmp_path, gdal, says):
    from serai.network.io.gpkg import gdal_write_error

    err = gdal_write_error(RuntimeError(gdal), tmp_path / "x.gpkg", "the GeoPackage")
    assert isinstance(err, InputError) and err.file == str(tmp_path / "x.gpkg")
    assert says in str(err) and "CREATE TABLE" not in str(err)
    if says == "disk full":
        assert "free space on that disk or write it elsewhere" in str(err)
