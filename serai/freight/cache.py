"""Routers cached on disk per network content, year and code version.

Building the routing graph of the embedded network and the router's lookup
tables takes a few seconds; reading them back from a pickle takes about a tenth
of a second. :func:`cached_router` keys a cache entry by

* a content hash of the network's source files (the embedded tables, or the
  file or folder given by ``path``),
* the year,
* a hash of serai's own code and data tables (so an upgrade or an edit never
  reads a graph built by other code).

An entry holds the whole :class:`~serai.freight.Router`, including the cost
arrays of the commodities it has served, as a pickle (protocol 5) whose array
buffers are stored out of band after it, each aligned; reading an entry maps the
file into memory (copy-on-write) and the arrays are views of that mapping, so a
hit reads only the pages a query touches and processes share them; :func:`save_router` writes it again
when a call warmed a new commodity, so the second call for a commodity is as
fast as the first call for the default one. Writes go to a temporary file in
the cache folder and are renamed into place (``os.replace``), so concurrent
writers never leave a torn file and readers see either the old or the new
entry. A file that cannot be read (truncated, written by another Python) is
rebuilt. Locks and thread-local scratch held by a router are not stored: they
are made anew on load.

The folder is ``$SERAI_CACHE_DIR``, else ``$XDG_CACHE_HOME/serai``, else
``~/.cache/serai``; ``SERAI_CACHE_DIR=off`` turns the cache off. Only the
newest :data:`KEEP` entries are kept (older ones, written by serai, are removed).

Examples
--------
>>> import os, tempfile
>>> from serai.freight.cache import cache_dir
>>> os.environ["SERAI_CACHE_DIR"] = tempfile.mkdtemp()
>>> cache_dir().is_dir()
True
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import mmap
import os
import pickle
import struct
import tempfile
import threading
import types
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from serai._cachekey import FORMAT, cache_dir, code_hash, source_hash
from serai._cachekey import _files_of as _files_of
from serai._cachekey import _hash_files as _hash_files

__all__ = [
    "KEEP",
    "cache_dir",
    "cached_router",
    "clear_cache",
    "router_key",
    "save_router",
    "source_hash",
]

KEEP = 6  # newest entries kept
_FORMAT = FORMAT  # bump (in serai._cachekey) when the entry layout changes
_MAGIC = b"SERAIRC3"  # entry: magic, n buffers, stream length, (offset, size) per buffer
_ALIGN = 64


def router_key(path: Path | None = None, *, year: int | None = None) -> str:
    """Cache key of the router of ``path`` (None: the embedded network) in ``year``."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{source_hash(path)}|year={year}|code={code_hash()}".encode())
    return h.hexdigest()


def _new_lock() -> Any:
    return threading.Lock()


def _new_rlock() -> Any:
    return threading.RLock()


def _mappingproxy(d: dict) -> types.MappingProxyType:
    return types.MappingProxyType(d)


class _Pickler(pickle.Pickler):
    dispatch_table = copyreg.dispatch_table.copy()
    dispatch_table[types.MappingProxyType] = lambda m: (_mappingproxy, (dict(m),))
    dispatch_table[type(threading.Lock())] = lambda _: (_new_lock, ())
    dispatch_table[type(threading.RLock())] = lambda _: (_new_rlock, ())
    dispatch_table[threading.local] = lambda _: (threading.local, ())

    def reducer_override(self, obj: Any) -> Any:
        """Object arrays of strings as (distinct strings, int32 codes): unpickling a few
        thousand strings and taking them by code is ~10x faster than unpickling each of
        hundreds of thousands of strings (the router's per-link labels)."""
        if type(obj).__name__ != "ndarray" or type(obj).__module__ != "numpy":
            return NotImplemented
        return _reduce_str_array(obj)


def _str_array(uniques: list[str], codes: Any, shape: tuple[int, ...], order: str) -> Any:
    """An object array of ``uniques[codes]`` in ``shape`` (``order`` "C" or "F")."""
    import numpy as np

    u = np.empty(len(uniques), dtype=object)
    u[:] = uniques
    return u[np.asarray(codes, dtype=np.intp)].reshape(shape, order=order)


def _reduce_str_array(a: Any) -> Any:
    if a.dtype.kind != "O" or a.size < 64:
        return NotImplemented
    order = "F" if a.flags.f_contiguous and not a.flags.c_contiguous else "C"
    flat = a.ravel(order=order)
    if not all(type(x) is str for x in flat):
        return NotImplemented
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(flat)
    if len(uniques) >= 2**31:  # pragma: no cover
        return NotImplemented
    return (_str_array, (list(uniques), codes.astype(np.int32), a.shape, order))


def _dumps(obj: Any) -> list[Any]:
    """An entry as chunks: header, pickle stream, then each out-of-band buffer aligned."""
    buf = io.BytesIO()
    buffers: list[pickle.PickleBuffer] = []
    _Pickler(buf, protocol=5, buffer_callback=buffers.append).dump(obj)
    stream = buf.getvalue()
    raws = [b.raw() for b in buffers]
    head = 24 + 16 * len(raws)
    offsets, pos = [], head + len(stream)
    for r in raws:
        pos = -(-pos // _ALIGN) * _ALIGN
        offsets.append((pos, r.nbytes))
        pos += r.nbytes
    chunks: list[Any] = [
        _MAGIC + struct.pack("<QQ", len(raws), len(stream))
        + b"".join(struct.pack("<QQ", o, n) for o, n in offsets),
        stream,
    ]  # fmt: skip
    end = head + len(stream)
    for (o, _), r in zip(offsets, raws, strict=True):
        if o > end:
            chunks.append(b"\0" * (o - end))
        chunks.append(r)
        end = o + r.nbytes
    return chunks


def _loads_mapped(path: Path) -> Any:
    """Read an entry written by :func:`_dumps`; arrays are views of a private mapping."""
    with path.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size < 24:
            raise ValueError("not a router entry")
        mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_COPY)
    view = memoryview(mm)
    if bytes(view[:8]) != _MAGIC:
        raise ValueError("not a router entry")
    n, stream_len = struct.unpack_from("<QQ", mm, 8)
    head = 24 + 16 * n
    if head + stream_len > size:
        raise ValueError("truncated router entry")
    buffers = []
    for i in range(n):
        o, k = struct.unpack_from("<QQ", mm, 24 + 16 * i)
        if o + k > size:
            raise ValueError("truncated router entry")
        buffers.append(view[o : o + k])
    return pickle.loads(view[head : head + stream_len], buffers=buffers)


def _write_atomic(target: Path, data: bytes | list[Any]) -> None:
    """Write ``data`` (bytes, or chunks written in turn) beside ``target``; rename it into place."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in [data] if isinstance(data, bytes | bytearray) else data:
                fh.write(chunk)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _warm_signature(router: Any) -> tuple:
    """What a router has computed beyond its construction (cost arrays by commodity, the
    search landmarks of objective arrays, the row tables of route assembly)."""
    for _ in range(5):
        try:
            costs = sorted(map(repr, list(getattr(router, "_costs", {}))))
            marks = sorted(map(repr, list(getattr(router, "_landmarks", {}))))
            rows = sorted(map(repr, list(getattr(router, "_row_tables", {}))))
            return (*costs, *(f"landmarks {m}" for m in marks), *(f"rows {r}" for r in rows))
        except RuntimeError:  # another thread added a commodity meanwhile
            continue
    return ()


# router -> (cache key, warm signature when stored); kept outside the router so that
# storing never changes the object other threads may be using or pickling
_META: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_META_LOCK = threading.Lock()


def _meta(router: Any) -> tuple[str | None, tuple | None]:
    with _META_LOCK:
        return _META.get(router, (None, None))


def _set_meta(router: Any, key: str, sig: tuple) -> None:
    with _META_LOCK:
        _META[router] = (key, sig)


def _entry(key: str) -> Path | None:
    root = cache_dir()
    return None if root is None else root / f"router-{key}.pkl"


def _prune(root: Path, keep: int = KEEP) -> None:
    entries = sorted(root.glob("router-*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
    for p in entries[keep:]:
        p.unlink(missing_ok=True)
    live = {p.name[len("router-") : -len(".pkl")] for p in entries[:keep]}
    for p in root.glob("marks-*.npy"):  # landmarks of masks (load_marks) of removed routers
        if p.name.split("-")[1] not in live:
            p.unlink(missing_ok=True)


def _marks_entry(router: Any, digest: str) -> Path | None:
    """The file of a router's landmark array named ``digest`` (None: no cache, or a router
    not loaded or built through it: then its key is unknown)."""
    key = _meta(router)[0]
    root = cache_dir()
    return None if key is None or root is None else root / f"marks-{key}-{digest}.npy"


def load_marks(router: Any, digest: str, shape: tuple[int, ...]) -> Any | None:
    """A read-only float array of ``shape`` stored by :func:`store_marks` for ``router``
    under ``digest``, mapped from the file (pages shared between processes); None when
    missing or of another shape or type."""
    import numpy as np

    entry = _marks_entry(router, digest)
    if entry is None or not entry.is_file():
        return None
    try:
        got = np.load(entry, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return None
    if got.shape != shape or got.dtype != np.float64:
        return None
    return np.asarray(got)


def store_marks(router: Any, digest: str, values: Any) -> None:
    """Keep a float array computed for ``router`` (the search landmarks of a mask: see
    :func:`serai.freight.search.masked_landmarks`) beside its cache entry, under ``digest``
    (which must name everything the values depend on besides the router's key). Written
    atomically; removed with the router's entry; never fails the caller."""
    import numpy as np

    entry = _marks_entry(router, digest)
    if entry is None:
        return
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(values), allow_pickle=False)
    try:
        _write_atomic(entry, buf.getvalue())
    except OSError:
        pass


def has_marks_store(router: Any) -> bool:
    """Does ``router`` store arrays beside a cache entry (:func:`store_marks`): a cache
    folder, and a router loaded or built through it (its key known)?"""
    return _marks_entry(router, "") is not None


CLAIM_STALE_S = 120.0  # a claim older than this was left by a process that died


def claim_marks(router: Any, digest: str) -> bool:
    """Claim the computing of ``router``'s array ``digest`` for this process: False when
    another process holds a claim (it is computing them: read them once stored); True
    otherwise (also with no cache to share them through), then :func:`release_marks`
    once stored. A claim older than :data:`CLAIM_STALE_S` (its process died) is taken
    over. Many processes (the service's route workers) thus choose a mask's landmarks
    once between them."""
    import time

    entry = _marks_entry(router, digest)
    if entry is None:
        return True
    claim = entry.with_name(f".{entry.stem}.claim")
    for _ in range(2):
        try:
            os.close(os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            return True
        except FileExistsError:
            try:
                if time.time() - claim.stat().st_mtime < CLAIM_STALE_S:
                    return False
                claim.unlink(missing_ok=True)  # stale: its process died
            except OSError:
                continue
        except OSError:  # a folder that cannot be written: nothing to share
            return True
    return False


def release_marks(router: Any, digest: str) -> None:
    """Drop this process's :func:`claim_marks` of ``digest``."""
    entry = _marks_entry(router, digest)
    if entry is not None:
        entry.with_name(f".{entry.stem}.claim").unlink(missing_ok=True)


def load_cached(key: str) -> Any | None:
    """The router stored under ``key``, or None (missing or unreadable)."""
    entry = _entry(key)
    if entry is None or not entry.is_file():
        return None
    try:
        router = _loads_mapped(entry)
    except Exception:  # torn, foreign or stale entry: rebuild
        return None
    _set_meta(router, key, _warm_signature(router))
    os.utime(entry)  # most recently used
    return router


def save_router(router: Any, key: str | None = None) -> bool:
    """Store ``router`` under ``key`` (default: the key it was loaded or built with).

    Writes only when the router computed something since it was stored (a new
    commodity's costs); returns True when it wrote.
    """
    known_key, stored_sig = _meta(router)
    key = key or known_key
    if key is None:
        return False
    entry = _entry(key)
    if entry is None:
        return False
    sig = _warm_signature(router)
    if entry.is_file() and key == known_key and stored_sig == sig:
        return False
    try:
        data = _dumps(router)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        # a router that cannot be stored still answers: warn once, never fail the command
        import warnings

        warnings.warn(f"routing graph not cached (cannot be stored: {exc})", stacklevel=2)
        return False
    try:
        _write_atomic(entry, data)
    except OSError as exc:  # disk full, file-size limit, permission: answer without the cache
        from serai._fs import cache_not_written

        cache_not_written(exc, entry, "routing-graph cache", "SERAI_CACHE_DIR")
        return False
    _set_meta(router, key, sig)
    _prune(entry.parent)
    return True


def cached_router(
    path: Path | None = None,
    *,
    year: int | None = None,
    build: Callable[[], Any] | None = None,
    progress: Callable[[str], Any] | None = None,
) -> Any:
    """The router of ``path`` (None: the embedded network) in ``year``, from the cache if there.

    On a miss the router is built (``build()`` or ``make_router(load_network(path,
    year=year), year=year)``), stored, and returned. Call :func:`save_router`
    after serving a request to keep cost arrays computed on the way.
    ``progress(message)``, when given, returns a context manager shown while
    building (the CLI passes a rich spinner).

    Returns
    -------
    Router
        Remembered with its key (outside the object), for :func:`save_router`.
    """
    key = router_key(path, year=year)
    router = load_cached(key)
    if router is not None:
        return router
    if build is None:
        from serai.freight.query import load_network, make_router

        def build() -> Any:
            return make_router(load_network(path, year=year), year=year)

    if progress is None:
        router = build()
    else:
        with progress(
            f"building the routing graph ({'embedded network' if path is None else path}, year {year or 'today'}); cached for the next call"
        ):
            router = build()
    if cache_dir() is not None:
        save_router(router, key)
    return router


def clear_cache() -> int:
    """Remove every cached router; returns how many files were removed."""
    root = cache_dir()
    if root is None:
        return 0
    n = 0
    for p in root.glob("router-*.pkl"):
        p.unlink(missing_ok=True)
        n += 1
    for p in root.glob(".router-*.tmp"):
        p.unlink(missing_ok=True)
    for p in [*root.glob("marks-*.npy"), *root.glob(".marks-*.claim")]:
        p.unlink(missing_ok=True)
    return n
