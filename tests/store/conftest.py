"""A real PostgreSQL/PostGIS server for the store tests, started in a temporary folder when
the server and PostGIS are installed (skipped with the reason otherwise)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.live import free_port


def _pg_bin() -> Path | None:
    for root in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (root / "initdb").exists() and (root / "pg_ctl").exists():
            return root
    p = shutil.which("initdb")
    return Path(p).parent if p else None


def _postgis_available(bindir: Path) -> bool:
    try:
        share = subprocess.run([str(bindir / "pg_config"), "--sharedir"], capture_output=True,
                               text=True, check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        share = ""
    cands = [Path(share) / "extension"] if share else []
    cands += list(Path("/usr/share/postgresql").glob("*/extension"))
    return any((c / "postgis.control").exists() for c in cands)


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server on a Unix socket in a temporary folder: yields a function making a new database URL."""
    try:
        import psycopg
    except ImportError:
        pytest.skip("psycopg is not installed (pip install 'serai[store]')")
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip(
            "PostgreSQL server not installed (Debian: apt-get install -y postgresql postgis)"
        )
    if not _postgis_available(bindir):
        pytest.skip("PostGIS not installed (Debian: apt-get install -y postgis)")
    run_as: list[str] = []
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # the server refuses to run as root
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL")
        run_as = ["runuser", "-u", "postgres", "--"]
    tmp = Path(tempfile.mkdtemp(prefix="serai-pg-"))
    if run_as:
        shutil.chown(tmp, user="postgres")
    data, port = tmp / "data", free_port()
    try:
        subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "serai",
                        "--no-sync", "-E", "UTF8"], check=True, capture_output=True)  # fmt: skip
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(tmp / "log"), "-o",
             f"-p {port} -k {tmp} -c listen_addresses='' -c fsync=off", "start"],
            check=True, capture_output=True,
        )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        pytest.skip(f"could not start PostgreSQL: {exc.stderr.decode(errors='replace')[-300:]}")
    admin = f"postgresql://serai@/postgres?host={tmp}&port={port}"

    def new_db() -> str:
        name = "t_" + uuid.uuid4().hex[:8]
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f"CREATE DATABASE {name}")
        return f"postgresql://serai@/{name}?host={tmp}&port={port}"

    try:
        yield new_db
    finally:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)  # fmt: skip
        shutil.rmtree(tmp, ignore_errors=True)
