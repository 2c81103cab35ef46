"""Cache folder and content hashes, importing only the standard library.

:mod:`serai.freight.cache` keys routers by these hashes, and the ``serai route``
client (:mod:`serai.cli.route_server`) compares them with a running ``serai serve``
before it asks that server, so they must cost milliseconds and import neither numpy
nor pandas.

Examples
--------
>>> from serai._cachekey import code_hash
>>> len(code_hash())
32
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["FORMAT", "cache_dir", "code_hash", "eurasia_path", "source_hash"]

FORMAT = 3  # layout of a router cache entry: bump when it changes


def cache_root() -> Path | None:
    """The cache folder (not created), or None when ``SERAI_CACHE_DIR=off``."""
    env = os.environ.get("SERAI_CACHE_DIR", "").strip()
    if env.lower() in ("off", "0", "none", "false"):
        return None
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "serai"


def cache_dir() -> Path | None:
    """The cache folder (created), or None when ``SERAI_CACHE_DIR=off``."""
    root = cache_root()
    if root is not None:
        root.mkdir(parents=True, exist_ok=True)
    return root


def eurasia_path() -> Path:
    """Folder of the shipped network tables (as :func:`serai.data.eurasia_path`)."""
    import serai

    return Path(serai.__file__).parent / "data" / "eurasia"


def _hash_files(paths: list[Path], h: Any) -> None:
    for p in paths:
        h.update(p.name.encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")


def _files_of(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return [path]


@cache
def code_hash() -> str:
    """Hash of serai's version, Python sources and packaged tables (CSV, JSON, and the
    gazetteer's Parquet: a cached router holds node labels made from it), not the network
    data (:func:`source_hash`)."""
    import serai

    root = Path(serai.__file__).parent
    files = sorted(
        p
        for p in root.rglob("*")
        if p.suffix in (".py", ".csv", ".json", ".parquet")
        and "__pycache__" not in p.parts
        and "eurasia" not in p.parts
        and "static" not in p.parts
    )
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{serai.__version__}|{FORMAT}".encode())
    _hash_files(files, h)
    return h.hexdigest()


@cache
def _source_hash(path: str | None, stamp: tuple) -> str:
    h = hashlib.blake2b(digest_size=16)
    if path is None:
        h.update(b"embedded\0")
        _hash_files(_files_of(eurasia_path()), h)
    else:
        h.update(b"path\0")
        _hash_files(_files_of(Path(path)), h)
    return h.hexdigest()


def source_hash(path: Path | None = None) -> str:
    """Content hash of the network's files (None: the embedded tables)."""
    files = _files_of(eurasia_path() if path is None else Path(path))
    stamp = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    return _source_hash(None if path is None else str(Path(path).resolve()), stamp)
