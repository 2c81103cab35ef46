"""Helpers shared by the format modules: checked casting, JSON-safe metadata, WKT lines.

Row numbers in errors are 1-based data rows of the table (a header line is not
counted), the same numbering :func:`serai.network.validate` uses. Readers fill the
empty cells of a declared column with its declared default (``alpha`` 0.15, ``mode``
road, ...), the value the column would have if it were absent.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from serai.errors import InputError
from serai.network.core import coerce_table
from serai.schema import table_schema

__all__ = [
    "check_required",
    "check_unique_columns",
    "checked_table",
    "column_dtypes",
    "jsonable_meta",
    "line_to_wkt",
    "link_lines",
    "restore_dtypes",
    "wkt_to_line",
]


def check_unique_columns(
    df: pd.DataFrame, file: str, rename: Mapping[str, str] | None = None
) -> None:
    """Raise :class:`InputError` if two columns have the same name (after renaming)."""
    rename = rename or {}
    seen = pd.Index(df.columns)
    dup = seen[seen.duplicated()]
    if len(dup):
        name = str(dup[0])
        raw = [k for k, v in rename.items() if v == name and k in rename]
        also = f" (also given as '{raw[0]}')" if raw else ""
        raise InputError(f"the column appears twice{also}", file=file, field=name)


def check_required(
    df: pd.DataFrame, table: str, file: str, rename: Mapping[str, str] | None = None
) -> None:
    """Raise :class:`InputError` if a required column of ``table`` is absent.

    ``rename`` maps serai column names to the names used in the file, so the
    error names the field the user sees.
    """
    try:
        required = table_schema(table).required
    except KeyError:
        return
    rename = rename or {}
    for col in required:
        if col not in df.columns:
            raise InputError("required column is missing", file=file, field=rename.get(col, col))


def checked_table(
    df: pd.DataFrame,
    table: str,
    file: str,
    rename: Mapping[str, str] | None = None,
    rows: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Cast the declared columns of ``df``; raise on a value that is not of its type.

    Empty cells stay missing (validation decides whether that is allowed); a
    non-empty cell that cannot be cast (``"abc"`` in a number column, ``1.5`` in an
    id) raises :class:`InputError` naming the file, the row and the field.

    Parameters
    ----------
    df
        The table as read (any dtypes).
    table
        Declared table name (undeclared tables are returned unchanged).
    file
        Source file, for the message.
    rename
        serai column name to the field name in the file.
    rows
        Row number to report for each row of ``df`` (default ``1..n``).
    """
    out = coerce_table(df, table)
    try:
        schema = table_schema(table)
    except KeyError:
        return out
    rename = rename or {}
    out = _fill_defaults(df, out, schema)
    for spec in schema.columns:
        if spec.name not in df.columns or spec.dtype not in ("int64", "float64", "bool"):
            continue
        before = df[spec.name]
        given = before.notna().to_numpy()
        if before.dtype == object or pd.api.types.is_string_dtype(before.dtype):
            given = given & before.astype(str).str.strip().ne("").to_numpy()
        lost = given & out[spec.name].isna().to_numpy()
        if spec.dtype == "float64":  # "nan" written on purpose is a missing value, not an error
            text = before.astype(str).str.strip().str.lower()
            lost &= ~text.isin(["nan", "na", "none", "null"]).to_numpy()
        bad = np.flatnonzero(lost)
        if len(bad):
            i = int(bad[0])
            what = {"int64": "a whole number", "float64": "a number", "bool": "true or false"}
            more = f" ({len(bad) - 1} more in this column)" if len(bad) > 1 else ""
            raise InputError(
                f"not {what[spec.dtype]}: {before.iloc[i]!r}{more}",
                file=file,
                row=int(rows[i]) if rows is not None else i + 1,
                field=rename.get(spec.name, spec.name),
            )
    for spec in schema.columns:
        if spec.check == "wkt" and spec.name in out.columns:
            for i, text in enumerate(out[spec.name].tolist()):
                if isinstance(text, str) and text.strip():
                    try:
                        wkt_to_line(text)
                    except ValueError as exc:
                        raise InputError(
                            str(exc),
                            file=file,
                            row=int(rows[i]) if rows is not None else i + 1,
                            field=rename.get(spec.name, spec.name),
                        ) from None
    return out


def _fill_defaults(raw: pd.DataFrame, out: pd.DataFrame, schema) -> pd.DataFrame:
    """Empty cells of a declared column that has a default take the default."""
    for spec in schema.columns:
        if spec.default is None or spec.name not in out.columns or spec.dtype == "bool":
            continue  # bool columns get their default in coerce_table
        col = out[spec.name]
        if spec.dtype == "string":
            before = raw[spec.name]
            empty = before.isna() | before.astype(str).str.strip().eq("")
        else:
            empty = col.isna()
        if empty.any():
            filled = col.astype(object).where(~empty.to_numpy(), spec.default)
            out[spec.name] = filled.astype(col.dtype if spec.dtype != "int64" else np.int64)
    return out


def read_meta(path) -> dict:
    """Metadata JSON object of a network folder (empty if the file is absent)."""
    if not path.exists():
        return {}
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", file=str(path)) from None
    except (RecursionError, UnicodeDecodeError) as exc:
        why = "nested too deeply" if isinstance(exc, RecursionError) else "not UTF-8 text"
        raise InputError(f"invalid JSON: {why}", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    if not isinstance(meta, dict):
        raise InputError("expected a JSON object of metadata", file=str(path))
    return meta


def jsonable_meta(meta: Mapping[str, object]) -> dict:
    """Metadata worth writing: JSON-serialisable entries, without ``sources`` and ``_private``."""
    out = {}
    for k, v in meta.items():
        if k == "sources" or k.startswith("_"):
            continue
        try:
            json.dumps(v)
        except (TypeError, ValueError):
            continue
        out[k] = v
    return out


def column_dtypes(tables: Mapping[str, pd.DataFrame]) -> dict[str, dict[str, str]]:
    """Column order and pandas dtype of every table (written beside text formats)."""
    return {name: {str(c): str(df[c].dtype) for c in df.columns} for name, df in tables.items()}


_BOOL_TEXT = {"true": True, "1": True, "1.0": True, "false": False, "0": False, "0.0": False}


def restore_dtypes(df: pd.DataFrame, dtypes: Mapping[str, str]) -> pd.DataFrame:
    """Cast columns back to the dtypes recorded when the file was written.

    Text formats give back strings; this restores integers, floats and booleans
    of the columns the user brought. A column whose values no longer fit the
    recorded dtype is left as read.
    """
    out = df.copy()
    dtypes = {c: d for c, d in dtypes.items() if isinstance(d, str)}
    for col, dtype in dtypes.items():
        if col not in out.columns:
            continue
        s = out[col]
        if str(s.dtype) == dtype and not (dtype in ("str", "string", "object") and s.isna().any()):
            continue
        try:
            if dtype in ("bool", "boolean"):
                if s.dtype != bool:
                    given = s.notna()
                    mapped = s.astype(str).str.strip().str.lower().map(_BOOL_TEXT)
                    if mapped[given].isna().any():
                        continue
                    s = mapped.astype("boolean")
                out[col] = s.astype(dtype)
            elif dtype.lower().startswith(("int", "uint", "float")):
                num = pd.to_numeric(s, errors="coerce")
                if (num.isna() & s.notna() & s.astype(str).str.strip().ne("")).any():
                    continue
                if not dtype.lower().startswith("float") and (num.abs() >= 2**63).any():
                    continue
                out[col] = num.astype(dtype)
            elif dtype in ("str", "string", "object"):
                # text formats cannot tell an empty cell from a missing one: both read
                # back as "" (as declared text columns do)
                out[col] = s.astype(object).where(s.notna(), "").astype(dtype)
            else:
                out[col] = s.astype(dtype)
        except (TypeError, ValueError, OverflowError):
            continue  # keep what the file holds rather than fail on a cosmetic dtype
    return out[
        [c for c in dtypes if c in out.columns] + [c for c in out.columns if c not in dtypes]
    ]


# ---------------------------------------------------------------------------------------
# WKT LineStrings (the ``links.geometry`` column): just what the formats need, no shapely.

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_WKT_LINE = re.compile(r"^\s*LINESTRING\s*(Z|M|ZM)?\s*\((.*)\)\s*$", re.IGNORECASE | re.DOTALL)
_POINT = re.compile(rf"^\s*({_NUM})\s+({_NUM})(?:\s+{_NUM}){{0,2}}\s*$")


def wkt_to_line(text: str) -> list[tuple[float, float]]:
    """Coordinates of a WKT ``LINESTRING`` (Z and M values are dropped).

    Raises
    ------
    ValueError
        If the text is not a LineString with at least two points.

    Examples
    --------
    >>> wkt_to_line("LINESTRING (30 10, 10.5 30, 40 40)")
    [(30.0, 10.0), (10.5, 30.0), (40.0, 40.0)]
    """
    m = _WKT_LINE.match(text)
    if not m:
        raise ValueError(f"not a WKT LINESTRING: {text[:60]!r}")
    coords = []
    for part in m.group(2).split(","):
        p = _POINT.match(part)
        if not p:
            raise ValueError(f"bad coordinate {part.strip()[:40]!r} in the LINESTRING")
        coords.append((float(p.group(1)), float(p.group(2))))
    if len(coords) < 2:
        raise ValueError("a LINESTRING needs at least two points")
    if not all(math.isfinite(c) for xy in coords for c in xy):
        raise ValueError("a LINESTRING coordinate is not finite")
    return coords


def line_to_wkt(coords: Sequence[Sequence[float]]) -> str:
    """WKT text of a line; numbers are written exactly (``repr``) so they round-trip.

    Examples
    --------
    >>> line_to_wkt([(30, 10), (10.5, 30)])
    'LINESTRING (30.0 10.0, 10.5 30.0)'
    """
    return "LINESTRING (" + ", ".join(f"{float(x)!r} {float(y)!r}" for x, y, *_ in coords) + ")"


def link_lines(network, file: str = "links") -> list[list[tuple[float, float]] | None]:
    """The line of every link, for the formats that draw them (GeoJSON, GeoPackage).

    In order of preference: the link's ``geometry`` (WKT), its shape in the ``shapes``
    table (``links.shape_id``; one row per vertex, shared by both directions, so the
    vertices are reversed when the shape is drawn from the ``to_node`` end), or the
    straight segment between its end nodes. ``None`` when none is known.
    """
    links, nodes = network.links, network.nodes
    n = len(links)
    out: list[list[tuple[float, float]] | None] = [None] * n
    if {"x", "y"} <= set(nodes.columns):
        xy = nodes.drop_duplicates("node_id").set_index("node_id")[["x", "y"]].astype(float)
        a = xy.reindex(links["from_node"].to_numpy()).to_numpy()
        b = xy.reindex(links["to_node"].to_numpy()).to_numpy()
    else:
        a = b = np.full((n, 2), np.nan)
    ok = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
    for i in np.flatnonzero(ok):
        out[i] = [(float(a[i, 0]), float(a[i, 1])), (float(b[i, 0]), float(b[i, 1]))]
    shapes = network.tables.get("shapes")
    if (
        shapes is not None
        and "shape_id" in links.columns
        and {"shape_id", "x", "y"} <= set(shapes.columns)
        and len(shapes)
    ):
        sid = pd.to_numeric(shapes["shape_id"], errors="coerce").to_numpy(dtype=float)
        order = np.argsort(sid, kind="stable")
        sid = sid[order]
        sx = shapes["x"].to_numpy(dtype=float)[order]
        sy = shapes["y"].to_numpy(dtype=float)[order]
        keys, start, count = np.unique(sid, return_index=True, return_counts=True)
        want = pd.to_numeric(links["shape_id"], errors="coerce").to_numpy(dtype=float)
        pos = np.searchsorted(keys, want)
        pos = np.clip(pos, 0, max(len(keys) - 1, 0))
        has = np.isfinite(want) & (keys[pos] == want) & (count[pos] >= 2)
        for i in np.flatnonzero(has):
            j0, m = start[pos[i]], count[pos[i]]
            line = list(zip(sx[j0 : j0 + m].tolist(), sy[j0 : j0 + m].tolist(), strict=True))
            if ok[i]:
                d_from = (line[0][0] - a[i, 0]) ** 2 + (line[0][1] - a[i, 1]) ** 2
                d_to = (line[0][0] - b[i, 0]) ** 2 + (line[0][1] - b[i, 1]) ** 2
                if d_to < d_from:
                    line.reverse()
            out[i] = line
    if "geometry" in links.columns:
        for i, text in enumerate(links["geometry"].tolist()):
            if isinstance(text, str) and text.strip():
                try:
                    out[i] = wkt_to_line(text)
                except ValueError as exc:
                    raise InputError(str(exc), file=file, row=i + 1, field="geometry") from None
    return out
