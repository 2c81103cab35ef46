"""Writes that never lose data: every output goes through these helpers.

- A file is written to a temporary file in the target folder and renamed into place
  when complete (:func:`atomic_path`, :func:`write_text`, :func:`write_table`, ...):
  a failed or interrupted write (disk full, permission, file-size limit, Ctrl-C,
  SIGTERM) leaves no partial file and the previous file intact.
- A folder is built new beside the target and swapped in at the end
  (:func:`replace_folder`); the old folder is kept until the swap, and files in it
  that serai did not write there are carried over, never deleted.
- An existing output is replaced only with ``overwrite=True``.

OS errors become :class:`~serai.errors.InputError` naming the file and the cause.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_text(d / "a.txt", "hello")
PosixPath('...a.txt')
>>> write_text(d / "a.txt", "again")
Traceback (most recent call last):
...
serai.errors.InputError: .../a.txt: already exists; pass --overwrite (overwrite=True) to replace it
>>> sorted(p.name for p in d.iterdir())
['a.txt']
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from serai.errors import InputError

__all__ = [
    "MANIFEST",
    "atomic_path",
    "check_new",
    "os_error",
    "replace_folder",
    "write_bytes",
    "write_json",
    "write_table",
    "write_text",
]

#: File listing what serai wrote into a folder output (so a later run may replace it).
MANIFEST = ".serai-written.json"
_TMP = ".serai-tmp-"

_EXISTS = "already exists; pass --overwrite (overwrite=True) to replace it"


def os_error(exc: OSError, path: str | Path, action: str = "cannot write") -> InputError:
    """A clear :class:`InputError` for an OS error on ``path`` (disk full, permission, ...)."""
    return InputError(f"{action}: {_why(exc)}", file=str(path) if str(path) else None)


def _why(exc: OSError) -> str:
    """The cause of an OS error in words (disk full, file-size limit, permission, ...)."""
    code = exc.errno
    if code == errno.ENOSPC:
        why = "no space left on the device (disk full); nothing was written"
    elif code == errno.EDQUOT:
        why = "disk quota exceeded; nothing was written"
    elif code == errno.EFBIG:
        why = "file too large (file-size limit reached); nothing was written"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "permission denied" if code != errno.EROFS else "read-only file system"
    elif code == errno.EISDIR:
        why = "is a directory; give a file name"
    elif code == errno.ENOTDIR:
        why = "a parent of this path is a file, not a folder"
    elif code == errno.ENOENT:
        why = "no such file or folder"
    elif code == errno.ENAMETOOLONG:
        why = "file name too long"
    else:
        why = exc.strerror or str(exc)
    return why


def cache_not_written(exc: OSError, path: str | Path, what: str, env: str) -> None:
    """Warn (:class:`~serai.errors.CacheWarning`) that the cache file ``path`` could not be
    written: the command goes on without it. Says why and what to do (``env``: the
    environment variable that moves the cache)."""
    import warnings

    from serai.errors import CacheWarning

    why = _why(exc).split(";")[0]
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        todo = "free space there or raise the file-size limit (ulimit -f), or set"
    else:
        todo = "make its folder writable, or set"
    warnings.warn(
        f"{path}: {what} not written ({why}); the command goes on without it (made again "
        f"next time): {todo} {env} to a folder with room",
        CacheWarning,
        stacklevel=3,
    )


def check_new(path: str | Path, overwrite: bool = False) -> Path:
    """Raise :class:`InputError` if ``path`` exists (and ``overwrite`` is false) or is unusable.

    Call it before a long computation so the user learns at once, not at the end.
    """
    p = Path(path)
    if str(path) == "" or p.name in ("", ".", ".."):
        raise InputError("an output needs a file name", file=str(path))
    if _special(p):
        return p  # a device or FIFO is written in place (see atomic_path)
    if p.is_dir() and not p.is_symlink():
        raise InputError("is a directory; give a file name", file=str(p))
    if (p.exists() or p.is_symlink()) and not overwrite:
        raise InputError(_EXISTS, file=str(p))
    _probe_parents(p)
    return p


def _probe_parents(p: Path) -> None:
    """The nearest existing folder above ``p`` must be a folder we can create files in."""
    for a in p.absolute().parents:
        if a.exists():
            if not a.is_dir():
                raise InputError("a parent of this path is a file, not a folder", file=str(p))
            try:  # a probe folder, removed at once (/proc, read-only mounts, permissions)
                os.rmdir(tempfile.mkdtemp(prefix=_TMP, dir=a))
            except OSError as exc:
                raise os_error(exc, p) from None
            return


def check_folder(path: str | Path) -> Path:
    """Raise :class:`InputError` if ``path`` cannot be a folder output (a file, under a file,
    the current folder, an empty name). Call it before a long computation."""
    p = Path(path)
    if str(path) == "" or p.name in ("", ".", ".."):
        raise InputError("an output folder needs a name", file=str(path))
    if p.exists() and not p.is_dir():
        raise InputError("exists and is not a folder", file=str(p))
    _probe_parents(p)
    here, target = Path.cwd().resolve(), p.resolve()
    if here == target or target in here.parents:
        raise InputError("is the current folder (or holds it); give another folder", file=str(p))
    return p


def _special(p: Path) -> bool:
    """True for an existing target that is not a regular file or folder (device, FIFO)."""
    import stat

    try:
        mode = p.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextlib.contextmanager
def _no_signals() -> Iterator[None]:
    """Hold SIGINT/SIGTERM (main thread) while a few renames complete."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "pthread_sigmask"
    ):
        yield
        return
    sigs = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@functools.cache
def _umask() -> int:
    """The process umask, read without changing it (``os.umask`` sets it: not thread-safe)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o022


def _set_mode(tmp: Path, target: Path) -> None:
    """Give the finished temporary file the mode a plain write would have: the replaced
    file's, else 0o666 less the umask (``mkstemp`` creates files readable by the owner only)."""
    with contextlib.suppress(OSError):
        if tmp.is_file():
            mode = target.stat().st_mode & 0o777 if target.is_file() else 0o666 & ~_umask()
            os.chmod(tmp, mode)


@contextlib.contextmanager
def atomic_path(
    path: str | Path, *, overwrite: bool = False, suffix: str | None = None
) -> Iterator[Path]:
    """A temporary path in the target folder, renamed to ``path`` when the block succeeds.

    The temporary file keeps the target's suffix (writers that choose the format from
    it still work). On any error, Ctrl-C or SIGTERM the temporary file is removed and
    an existing ``path`` is untouched; OS errors become :class:`InputError`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("a,b\\n1,2\\n")
    >>> out.read_text()
    'a,b\\n1,2\\n'
    """
    p = Path(path)
    if _special(p):  # /dev/stdout, a FIFO: written in place, never replaced by a rename
        try:
            yield p
        except OSError as exc:
            raise os_error(exc, p) from None
        return
    p = check_new(path, overwrite)
    parent = p.parent if str(p.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(
            prefix=_TMP, suffix=suffix if suffix is not None else "".join(p.suffixes), dir=parent
        )
        os.close(fd)
    except OSError as exc:
        raise os_error(exc, p) from None
    tmp = Path(name)
    try:
        yield tmp
        if not tmp.exists():
            raise InputError("the writer produced no file", file=str(p))
        with _no_signals():
            if not overwrite and (p.exists() or p.is_symlink()):
                raise InputError(_EXISTS, file=str(p))  # appeared meanwhile
            _set_mode(tmp, p)
            os.replace(tmp, p)
    except OSError as exc:
        raise os_error(exc, p) from None
    except BaseException:
        raise
    finally:
        with contextlib.suppress(OSError):
            if tmp.exists():
                tmp.unlink()
    return


def _wrap_writer_errors(p: Path, write: Callable[[Path], Any]) -> Callable[[Path], Any]:
    def run(tmp: Path) -> Any:
        try:
            return write(tmp)
        except InputError:
            raise
        except OSError:
            raise
        except (ValueError, TypeError, OverflowError) as exc:  # the library refused the data
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InputError(f"cannot write: {msg}", file=str(p)) from None
        except Exception as exc:  # pyarrow.ArrowException and the like
            if type(exc).__module__.split(".")[0] in ("pyarrow", "pyogrio", "shapely"):
                raise InputError(f"cannot write: {exc}", file=str(p)) from None
            raise

    return run


def write_with(path: str | Path, write: Callable[[Path], Any], *, overwrite: bool = False) -> Path:
    """Run ``write(tmp_path)`` and move the result to ``path`` (see :func:`atomic_path`)."""
    p = Path(path)
    with atomic_path(p, overwrite=overwrite) as tmp:
        _wrap_writer_errors(p, write)(tmp)
    return p


def write_bytes(path: str | Path, data: bytes, *, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return write_with(path, lambda t: t.write_bytes(data), overwrite=overwrite)


def write_text(path: str | Path, text: str, *, overwrite: bool = False) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return write_bytes(path, text.encode("utf-8"), overwrite=overwrite)


def write_json(path: str | Path, doc: Any, *, overwrite: bool = False, **dumps: Any) -> Path:
    """Write ``doc`` as UTF-8 JSON (NaN and infinities refused) atomically."""
    opts = {"ensure_ascii": False, "indent": 1, "allow_nan": False} | dumps
    try:
        text = json.dumps(doc, **opts)
    except (TypeError, ValueError) as exc:
        raise InputError(f"cannot write as JSON: {exc}", file=str(path)) from None
    return write_text(path, text + "\n", overwrite=overwrite)


def write_table(df: Any, path: str | Path, *, overwrite: bool = False, **kw: Any) -> Path:
    """Write a DataFrame as ``.csv`` or ``.parquet`` (by suffix) atomically."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise InputError("a table output must end in .csv or .parquet", file=str(p))

    def write(tmp: Path) -> None:
        if suffix == ".parquet":
            df.to_parquet(tmp, index=False, **kw)
        else:
            df.to_csv(tmp, index=False, **kw)

    return write_with(p, write, overwrite=overwrite)


def _written(folder: Path) -> set[str]:
    try:
        names = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return {str(n) for n in names} if isinstance(names, list) else set()
    except (OSError, ValueError):
        return set()


def _carry(src: Path, dst: Path) -> None:
    """Put a copy of ``src`` at ``dst`` (hard links where possible: no data is copied)."""
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
    elif src.is_dir():
        shutil.copytree(src, dst, symlinks=True, copy_function=_link_or_copy)
    else:
        _link_or_copy(src, dst)


def _link_or_copy(src: str | Path, dst: str | Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


@contextlib.contextmanager
def replace_folder(
    path: str | Path,
    *,
    overwrite: bool = False,
    keep_others: bool = True,
    owned: tuple[str, ...] = (),
) -> Iterator[Path]:
    """Build a folder output in a new folder beside ``path``; swap it in when the block succeeds.

    Rules:

    - ``path`` absent or empty: the new folder simply takes its place.
    - ``path`` holds files: without ``overwrite`` a file of the new build that is
      already there is an error raised before anything is moved (existing outputs are
      replaced only with ``--overwrite``; ``owned`` patterns excepted). With
      ``overwrite`` clashing files are replaced.
    - Files of ``path`` the new build does not produce and that serai did not write
      are carried over (hard links), never deleted (``keep_others``); files serai
      wrote there before and no longer produces are dropped.
    - The old folder stays in place until the swap (two renames with SIGINT/SIGTERM
      held); on any error or interruption the new folder is removed and the old one is
      untouched.

    ``owned``: file-name patterns (``"*.parquet"``) of files in ``path`` to treat as
    written by serai even without a manifest (a folder the project itself generates).
    """
    import fnmatch

    p = Path(path)
    if str(path) == "":
        raise InputError("an output folder needs a name", file=str(path))
    if p.exists() and not p.is_dir():
        raise InputError("exists and is not a folder", file=str(p))
    here, target = Path.cwd().resolve(), p.resolve()
    if here == target or target in here.parents:
        raise InputError("is the current folder (or holds it); give another folder", file=str(p))
    parent = p.parent if str(p.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        new = Path(tempfile.mkdtemp(prefix=f"{_TMP}{p.name}-", dir=parent))
    except OSError as exc:
        raise os_error(exc, p) from None
    old: Path | None = None
    try:
        yield new
        produced = sorted(f.name for f in new.iterdir())
        existing = sorted(f.name for f in p.iterdir()) if p.is_dir() else []
        ours = _written(p) if existing else set()
        ours |= {n for n in existing for pat in owned if fnmatch.fnmatch(n, pat)}
        if existing and not overwrite:
            owned_now = {n for n in existing for pat in owned if fnmatch.fnmatch(n, pat)}
            clash = [n for n in produced if n in existing and n not in owned_now and n != MANIFEST]
            if clash:
                raise InputError(
                    f"already holds {', '.join(clash[:5])}{' ...' if len(clash) > 5 else ''}; "
                    "pass --overwrite (overwrite=True) to replace them",
                    file=str(p),
                )
        (new / MANIFEST).write_text(
            json.dumps([n for n in produced if n != MANIFEST]), encoding="utf-8"
        )
        if keep_others:
            for name in existing:
                if name in produced or name == MANIFEST or name in ours:
                    continue
                _carry(p / name, new / name)
        with _no_signals():
            if p.exists():
                old = Path(tempfile.mkdtemp(prefix=f"{_TMP}{p.name}-old-", dir=parent))
                old.rmdir()
                os.rename(p, old)
            try:
                os.rename(new, p)
            except OSError:
                if old is not None:
                    os.rename(old, p)  # put the old one back
                    old = None
                raise
    except OSError as exc:
        raise os_error(exc, p) from None
    finally:
        if new.exists() and new != p:
            shutil.rmtree(new, ignore_errors=True)
        if old is not None and old.exists():
            shutil.rmtree(old, ignore_errors=True)
