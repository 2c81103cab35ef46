"""CSV and Parquet networks: a directory with one file per table plus ``network.json``.

Layout
------
``nodes.csv``, ``links.csv``, ``modes.csv``, ... (or ``.parquet``): one file per
table, named after it, columns as in ``docs/schema.md`` plus any columns of the
user's own. ``network.json`` holds the network metadata (name, CRS, ...) and, under
``_columns``, the dtype of every column, so a CSV round trip gives back integers,
floats and booleans of user columns too (empty text cells read back as ``""``).
A directory is read as Parquet when it holds ``links.parquet``, else as CSV.

A cell that is not of its column's declared type (``abc`` as a length, ``1.5`` as
an id) raises :class:`~serai.errors.InputError` naming the file, the row (1-based,
header not counted) and the field; a missing required column likewise.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from serai.errors import InputError
from serai.network.core import Network
from serai.network.io._common import (
    check_required,
    check_unique_columns,
    checked_table,
    column_dtypes,
    read_meta,
    restore_dtypes,
)
from serai.schema import table_names

__all__ = ["read", "read_table", "write", "write_table"]

_META_FILE = "network.json"


def _suffix_for(path: Path) -> str:
    return ".parquet" if path.suffix.lower() == ".parquet" else ".csv"


def read_table(path: Path, table: str | None) -> pd.DataFrame:
    """Read one table file (CSV or Parquet by suffix), casting declared columns."""
    try:
        if path.suffix.lower() == ".parquet":
            df = pd.read_parquet(path)
        else:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read table: {exc}", file=str(path)) from None
    df.columns = [str(c).strip() for c in df.columns]
    check_unique_columns(df, str(path))
    return checked_table(df, table, str(path)) if table else df


def write_table(df: pd.DataFrame, path: Path) -> None:
    """Write one table (CSV or Parquet by suffix)."""
    if path.suffix.lower() == ".parquet":
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False)


def read(path: Path, **_: object) -> Network:
    """Read a CSV or Parquet network directory."""
    suffix = ".parquet" if (path / "links.parquet").exists() else ".csv"
    meta = read_meta(path / _META_FILE)
    dtypes = meta.pop("_columns", {})
    tables: dict[str, pd.DataFrame] = {}
    sources: dict[str, str] = {}
    for f in sorted(path.glob(f"*{suffix}")):
        name = f.stem
        df = read_table(f, name if name in table_names() else None)
        tables[name] = restore_dtypes(df, dtypes.get(name, {})) if suffix == ".csv" else df
        sources[name] = str(f)
    if "links" not in tables:
        raise InputError(f"no links{suffix} in the directory", file=str(path))
    meta.setdefault("name", path.name.removesuffix(suffix))
    meta["sources"] = sources
    links = tables.pop("links")
    check_required(links, "links", sources["links"])
    nodes = tables.pop("nodes", None)
    return Network.from_tables(nodes=nodes, links=links, meta=meta, **tables)


def _jsonable_meta(network: Network) -> dict:
    out = {}
    for k, v in network.meta.items():
        if k == "sources" or k.startswith("_"):
            continue
        try:
            json.dumps(v)
        except TypeError:
            continue
        out[k] = v
    return out


def write(network: Network, path: Path, **_: object) -> None:
    """Write a network as a directory of CSV or Parquet files (by the path's suffix)."""
    suffix = _suffix_for(path)
    path.mkdir(parents=True)
    for name, df in network.tables.items():
        write_table(df, path / f"{name}{suffix}")
    meta = _jsonable_meta(network)
    meta["_columns"] = column_dtypes(network.tables)  # restores the dtypes of user columns
    (path / _META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
