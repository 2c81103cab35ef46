"""Reading and writing networks: one interface, one module per format.

A format is chosen by name (``format="gmns"``) or from the path: a directory is
read as GMNS (``node.csv`` + ``link.csv``), Parquet (``links.parquet``) or CSV
(``links.csv``); a file by its suffix (``.tntp``, ``.geojson``, ``.gpkg``).
Writers never overwrite an existing path unless ``overwrite=True``.

Every reader records where each table came from in ``meta["sources"]`` (table
name to file, or ``"file.gpkg, layer 'links'"``), so validation messages name the
file. Bad input raises :class:`~serai.errors.InputError` naming the file, the row
(1-based data row of the table, a header line not counted) and the field: a
missing required column, a value that is not of its column's type, an invalid
geometry; a missing optional package raises
:class:`~serai.errors.OptionalDependencyError`. Empty cells of declared columns
take the declared default (see ``docs/schema.md``).

Examples
--------
>>> from serai.network.io import formats
>>> sorted(formats())
['csv', 'geojson', 'gmns', 'gpkg', 'parquet', 'tntp']
"""

from __future__ import annotations

import importlib
import inspect
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from serai.errors import InputError, UnknownFormatError

if TYPE_CHECKING:
    import pandas as pd

    from serai.network.core import Network

__all__ = ["formats", "read_demand", "read_flows", "read_network", "write_demand", "write_network"]


@dataclass(frozen=True)
class _Format:
    name: str
    module: str
    suffixes: tuple[str, ...]
    directory: bool  # stored as a directory of files

    def _mod(self):
        return importlib.import_module(f"serai.network.io.{self.module}")

    @property
    def read(self) -> Callable[..., Network]:
        return self._mod().read

    @property
    def write(self) -> Callable[..., None]:
        return self._mod().write


_FORMATS: dict[str, _Format] = {
    f.name: f
    for f in (
        _Format("csv", "tables", (".csv",), True),
        _Format("parquet", "tables", (".parquet",), True),
        _Format("gmns", "gmns", (), True),
        _Format("tntp", "tntp", (".tntp",), False),
        _Format("geojson", "geojson", (".geojson", ".json"), False),
        _Format("gpkg", "gpkg", (".gpkg",), False),
    )
}


def _check_options(fmt: _Format, func: Callable[..., object], options: dict, what: str) -> None:
    """Refuse options the format's reader or writer does not take (a typo is not ignored)."""
    if not options:
        return
    params = inspect.signature(func).parameters
    known = sorted(
        n for n, p in params.items() if p.kind is p.KEYWORD_ONLY and not n.startswith("_")
    )
    for name in options:
        if name not in known:
            raise InputError(
                f"the {fmt.name} {what} takes no option '{name}'; "
                f"known: {', '.join(known) if known else 'none'}"
            )


def formats() -> dict[str, _Format]:
    """Known formats by name."""
    return dict(_FORMATS)


def _by_name(name: str) -> _Format:
    try:
        return _FORMATS[name.lower()]
    except KeyError:
        raise UnknownFormatError(
            f"unknown format '{name}'; known: {', '.join(sorted(_FORMATS))}"
        ) from None


def _detect_read(path: Path) -> _Format:
    if path.is_dir():
        if (path / "link.csv").exists() and (path / "node.csv").exists():
            return _FORMATS["gmns"]
        if (path / "links.parquet").exists():
            return _FORMATS["parquet"]
        if (path / "links.csv").exists():
            return _FORMATS["csv"]
        raise UnknownFormatError(
            "directory holds no network: expected links.csv, links.parquet, or GMNS "
            "node.csv + link.csv",
            file=str(path),
        )
    suffix = path.suffix.lower()
    for f in _FORMATS.values():
        if not f.directory and suffix in f.suffixes:
            return f
    raise UnknownFormatError(
        f"cannot tell the format from the suffix '{suffix}'; pass format= one of "
        f"{', '.join(sorted(_FORMATS))}",
        file=str(path),
    )


def _detect_write(path: Path) -> _Format:
    suffix = path.suffix.lower()
    for f in _FORMATS.values():
        if suffix in f.suffixes:
            return f
    if suffix == "":
        return _FORMATS["csv"]
    raise UnknownFormatError(
        f"cannot tell the output format from the suffix '{suffix}'; pass format=",
        file=str(path),
    )


def read_network(path: str | Path, *, format: str | None = None, **options: object) -> Network:
    """Read a network from a file or directory.

    Parameters
    ----------
    path
        File (``.tntp``, ``.geojson``, ``.gpkg``) or directory (CSV, Parquet, GMNS).
    format
        Format name, overriding detection from the path.
    **options
        Passed to the format's reader (e.g. ``length_unit="mi"`` for GMNS,
        ``two_way=True`` for hand-drawn GeoJSON); an option the reader does not take
        raises :class:`~serai.errors.InputError`.

    Returns
    -------
    Network
        Not yet validated: call :func:`serai.network.validate`.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("no such file or directory", file=str(p))
    fmt = _by_name(format) if format is not None else _detect_read(p)
    _check_options(fmt, fmt.read, options, "reader")
    return fmt.read(p, **options)


def write_network(
    network: Network,
    path: str | Path,
    *,
    format: str | None = None,
    overwrite: bool = False,
    **options: object,
) -> Path:
    """Write a network; refuses to replace an existing path unless ``overwrite``.

    The files are first written to a temporary folder beside ``path`` and moved
    into place only when the writer has finished, so a failed write leaves no
    partial output and never destroys the file it was to replace. Files a format
    writes beside ``path`` (TNTP's ``_node.tntp``) are checked for clashes too.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    InputError
        If ``path`` (or a file written beside it) exists and ``overwrite`` is
        false, if the network cannot be written in the format, or on an OS error.
    """
    from serai._fs import _special, check_new, os_error, replace_folder

    p = Path(path)
    fmt = _by_name(format) if format is not None else _detect_write(p)
    _check_options(fmt, fmt.write, options, "writer")
    if fmt.directory:
        if p.exists() and not p.is_dir():
            raise InputError("exists and is not a folder", file=str(p))
        if p.is_dir() and any(p.iterdir()) and not overwrite:
            raise InputError("already exists; pass overwrite=True to replace it", file=str(p))
        with replace_folder(p, overwrite=overwrite) as new:
            inner = new / p.name  # same name: writers read the format from the suffix
            _write_staged(fmt, network, inner, p, options)
            for f in list(inner.iterdir()):
                os.rename(f, new / f.name)
            inner.rmdir()
        return p
    if _special(p):
        raise InputError("is a device or FIFO; a network is written to a file", file=str(p))
    check_new(p, overwrite)
    parent = p.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=parent, prefix=".serai-tmp-write-") as tmp:
            staged = Path(tmp) / p.name
            _write_staged(fmt, network, staged, p, options)
            produced = sorted(Path(tmp).iterdir())
            if not overwrite:
                for f in produced:
                    if (parent / f.name).exists():
                        raise InputError(
                            "already exists; pass overwrite=True to replace it",
                            file=str(parent / f.name),
                        )
            for f in produced:
                dest = parent / f.name
                if dest.is_dir() and not dest.is_symlink():
                    raise InputError("is a folder; give a file name", file=str(dest))
                os.replace(f, dest)
    except OSError as exc:
        raise os_error(exc, p) from None
    return p


def _write_staged(fmt: _Format, network: Network, staged: Path, p: Path, options: dict) -> None:
    """Run the format's writer on a staging path; errors name the real output."""
    try:
        fmt.write(network, staged, **options)
    except InputError as exc:  # name the real output, not the staging folder
        file = exc.file.replace(str(staged), str(p)) if exc.file else exc.file
        raise type(exc)(exc.reason, file=file, row=exc.row, field=exc.field) from None
    except OSError:
        raise
    except (ValueError, TypeError, OverflowError, KeyError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cannot write the network as {fmt.name}: {msg}", file=str(p)) from None
    except Exception as exc:
        if type(exc).__module__.split(".")[0] in ("pyarrow", "pyogrio", "shapely"):
            raise InputError(
                f"cannot write the network as {fmt.name}: {exc}", file=str(p)
            ) from None
        raise


def read_demand(path: str | Path) -> pd.DataFrame:
    """Read a demand table: TNTP ``_trips``, or CSV/Parquet with origin, destination, volume.

    A GMNS/DTALite ``demand.csv`` (``o_zone_id``, ``d_zone_id``, ``volume``) is read
    too. A value that is not a number raises :class:`~serai.errors.InputError` naming
    the file, row and field.
    """
    from serai.network.io import tables, tntp
    from serai.network.io._common import check_required, check_unique_columns, checked_table

    p = Path(path)
    if not p.exists():
        raise InputError("no such file", file=str(p))
    if p.suffix.lower() == ".tntp":
        return tntp.read_trips(p)
    df = tables.read_table(p, None)
    gmns = {"o_zone_id": "origin", "d_zone_id": "destination"}
    if set(gmns) <= set(df.columns):
        df = df.rename(columns=gmns)
    check_unique_columns(df, str(p))
    check_required(df, "demand", str(p))
    return checked_table(df, "demand", str(p))


def write_demand(demand: pd.DataFrame, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a demand table (``.tntp``, ``.csv`` or ``.parquet`` by suffix)."""
    from serai._fs import write_with
    from serai.network.io import tables, tntp

    p = Path(path)
    if p.suffix.lower() == ".tntp":
        return write_with(p, lambda tmp: tntp.write_trips(demand, tmp), overwrite=overwrite)
    return write_with(p, lambda tmp: tables.write_table(demand, tmp), overwrite=overwrite)


def read_flows(path: str | Path) -> pd.DataFrame:
    """Read link flows: TNTP ``_flow`` (from_node, to_node, volume, cost) or a table."""
    from serai.network.io import tables, tntp

    p = Path(path)
    if not p.exists():
        raise InputError("no such file", file=str(p))
    if p.suffix.lower() == ".tntp":
        return tntp.read_flows(p)
    return tables.read_table(p, None)
