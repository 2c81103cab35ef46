"""A quick, pandas-free proof that :func:`~serai.network.validate` would find nothing.

:func:`no_problems` takes a network's tables as numpy columns (what a reader would
make its DataFrames of) and answers True only when every check of
:func:`~serai.network.validate` passes with neither an error nor a warning. It
never reports: on anything it does not handle (a column it does not know how to
check, a code column, a geometry, a CRS) or any doubt it answers False, and the
caller takes the full path (pandas tables, :func:`~serai.network.validate`), whose
messages the user then sees. So a fast path guarded by it refuses and warns exactly
as the full path does (``tests/network/test_clean.py`` holds it to that on the
corrupted-file corpus).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from serai.network.validate import _MAX_ABS, _SHARE, _WARN_ZERO, _YEAR
from serai.schema import table_schema

__all__ = ["no_problems"]

_GEOGRAPHIC = {"EPSG:4326", "WGS84", "OGC:CRS84"}


def _numeric_ok(v: np.ndarray, table: str, name: str, check: str) -> bool:
    """The ``>0`` / ``>=0`` / ``>1`` family of checks (with ``?``: may be missing)."""
    with np.errstate(invalid="ignore"):
        if (np.isinf(v) | (np.abs(v) > _MAX_ABS)).any():
            return False
        base = check.rstrip("?")
        nan = np.isnan(v)
        if base == ">1":
            bad = v <= 1
        elif base == ">0":
            bad = v <= 0 if (table, name) not in _WARN_ZERO else v < 0
        else:
            bad = v < 0
        if bad.any():
            return False
        if not check.endswith("?") and base != ">1" and nan.any():
            return False
        if (table, name) in _SHARE and (v > 1).any():
            return False
        if (table, name) in _WARN_ZERO and (v == 0).any():
            return False  # a warning is due
        if check.endswith("?") and name == "capacity" and nan.any() and not nan.all():
            return False  # "capacity missing" warning
    return True


def _table_ok(tables: Mapping[str, Mapping[str, np.ndarray]], table: str, geographic: bool) -> bool:
    cols = tables[table]
    schema = table_schema(table)
    if any(c not in cols for c in schema.required):
        return False
    lengths = {len(v) for v in cols.values()}
    if len(lengths) > 1 or lengths == {0} or not lengths:
        return False
    for spec in schema.columns:
        if spec.name not in cols:
            continue
        v = np.asarray(cols[spec.name])
        check = spec.check
        if (table, spec.name) in _YEAR or spec.name in ("status", "toc", "hoc", "geometry"):
            return False
        if spec.dtype == "int64":
            if v.dtype.kind not in "iu":
                return False
        elif spec.dtype == "float64":
            if v.dtype.kind != "f":
                return False
            if spec.required and np.isnan(v).any():
                return False
        elif spec.dtype == "bool":
            if v.dtype.kind != "b":
                return False
        elif check:  # a text column with a check (mode, geometry, ...): not handled here
            return False
        if not check:
            continue
        if check == "unique":
            if len(np.unique(v)) != len(v):
                return False
        elif check.startswith("ref:"):
            ref_table, ref_col = check[4:].split(".")
            if ref_table not in tables or ref_col not in tables[ref_table]:
                return False
            if not np.isin(v, np.asarray(tables[ref_table][ref_col])).all():
                return False
        elif check.rstrip("?") in (">0", ">=0", ">1"):
            if v.dtype.kind not in "iuf" or not _numeric_ok(v.astype(np.float64), table,
                                                             spec.name, check):  # fmt: skip
                return False
        elif check in ("lon", "lat"):
            with np.errstate(invalid="ignore"):
                if geographic:
                    if (np.abs(v) > (180.0 if check == "lon" else 90.0)).any():
                        return False
                elif (np.isinf(v) | (np.abs(np.nan_to_num(v)) > _MAX_ABS)).any():
                    return False
        else:
            return False
    return True


def no_problems(
    tables: Mapping[str, Mapping[str, np.ndarray]],
    *,
    crs: object = None,
    purpose: str = "any",
) -> bool:
    """True only if :func:`~serai.network.validate` would report no error and no warning.

    Parameters
    ----------
    tables
        ``nodes`` and ``links`` (and nothing else), each a mapping of column name to a
        numpy array, with the values and dtypes the network's DataFrames would have.
    crs
        The network's CRS (``None``: unknown planar coordinates).
    purpose
        As for :func:`~serai.network.validate`.

    Examples
    --------
    >>> import numpy as np
    >>> nodes = {"node_id": np.array([1, 2])}
    >>> links = {"link_id": np.array([1]), "from_node": np.array([1]),
    ...          "to_node": np.array([2]), "length": np.array([2.5])}
    >>> no_problems({"nodes": nodes, "links": links})
    True
    >>> no_problems({"nodes": nodes, "links": {**links, "length": np.array([0.0])}})
    False
    """
    if set(tables) != {"nodes", "links"} or purpose not in ("any", "assignment"):
        return False
    geographic = crs is not None and str(crs).upper() in _GEOGRAPHIC
    if crs is not None and not geographic:
        return False  # a projected CRS: checked with pyproj by the full path
    if not all(_table_ok(tables, t, geographic) for t in ("nodes", "links")):
        return False
    links = tables["links"]
    if purpose == "assignment":
        for col in ("free_flow_time", "capacity"):
            v = links.get(col)
            if v is None or np.asarray(v).dtype.kind != "f" or np.isnan(v).any():
                return False
    return not (np.asarray(links["from_node"]) == np.asarray(links["to_node"])).any()
