"""GeoPackage (via pyogrio): layers ``nodes`` (Points) and ``links`` (LineStrings).

Layout
------
- ``nodes``: one Point per node (``x``, ``y``); nodes without coordinates have no
  geometry (NULL). The other columns are attribute fields.
- ``links``: one LineString per link: the ``geometry`` column (WKT) when the
  network has one, else its shape in the ``shapes`` table (``links.shape_id``),
  else the straight segment between the end nodes.
- every other table (``modes``, ``demand``, ...) is an attribute-only layer of the
  same name (GeoPackage "attributes" table).
- network metadata and every table's column dtypes are kept as JSON in the
  dataset metadata item ``serai`` (GeoPackage metadata extension), and the network
  CRS is the layers' spatial reference.

Reading a GeoPackage that serai did not write works the same way: layers named
``nodes`` and ``links`` are required; link lines that are not the straight segment
between their end nodes are kept in ``links.geometry``; the CRS comes from the
layers.

Needs the optional packages ``pyogrio`` and ``shapely`` (``pip install 'serai[geo]'``);
they are imported only when a GeoPackage is read or written.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from serai.errors import InputError, OptionalDependencyError, SeraiError
from serai.network.core import Network
from serai.network.io._common import (
    check_required,
    checked_table,
    column_dtypes,
    jsonable_meta,
    line_to_wkt,
    link_lines,
    restore_dtypes,
)

__all__ = ["read", "write"]

_META_KEY = "serai"


def _deps() -> tuple[Any, Any]:
    try:
        import pyogrio.raw as raw
    except ImportError:
        raise OptionalDependencyError("pyogrio", "geo") from None
    try:
        import shapely
    except ImportError:
        raise OptionalDependencyError("shapely", "geo") from None
    return raw, shapely


def _where(path: Path, layer: str) -> str:
    return f"{path}, layer '{layer}'"


# ----------------------------------------------------------------------------- write


def _fields(df: pd.DataFrame) -> tuple[list[np.ndarray], list[str], list[np.ndarray | None]]:
    """Column arrays for OGR: numbers, booleans and text, with a mask for missing values."""
    data, names, masks = [], [], []
    for col in df.columns:
        s = df[col]
        missing = s.isna().to_numpy()
        if pd.api.types.is_bool_dtype(s.dtype):
            arr = s.fillna(False).to_numpy(dtype=bool)
        elif pd.api.types.is_integer_dtype(s.dtype):
            arr = s.fillna(0).to_numpy(dtype=np.int64)
        elif pd.api.types.is_float_dtype(s.dtype):
            arr = s.to_numpy(dtype=np.float64, na_value=np.nan)
            missing = np.zeros(len(s), dtype=bool)  # NaN is written as NULL
        else:
            arr = np.array(
                [None if m else str(v) for v, m in zip(s, missing, strict=True)], dtype=object
            )
        data.append(arr)
        names.append(str(col))
        masks.append(missing if missing.any() else None)
    return data, names, masks


def write(network: Network, path: Path, **_: object) -> None:
    """Write a network as a GeoPackage (see the module docstring)."""
    with warnings.catch_warnings():
        # a network with an unknown CRS (e.g. TNTP) is written without one, knowingly
        warnings.filterwarnings("ignore", message=".*'crs' was not provided.*")
        try:
            _write(network, path)
        except (SeraiError, OSError):
            raise
        except Exception as exc:  # pyogrio's own errors (CRSError, FieldError, ...)
            field = "crs" if "crs" in type(exc).__name__.lower() else None
            raise gdal_write_error(exc, path, "the GeoPackage", field=field) from None


#: GDAL/SQLite messages of a full disk or a file-size limit, and the errno they mean
_GDAL_OS = (("disk is full", "ENOSPC"), ("no space left", "ENOSPC"),
            ("file too large", "EFBIG"), ("quota exceeded", "EDQUOT"))  # fmt: skip


def _io_cause(path: Path) -> int | None:
    """errno of a write failure that SQLite calls a "disk I/O error": a file-size limit in
    force (EFBIG), else a (nearly) full disk (ENOSPC), else unknown (None)."""
    import errno
    import shutil

    try:
        import resource
    except ImportError:  # not on Windows
        resource = None  # type: ignore[assignment]
    if (
        resource is not None
        and resource.getrlimit(resource.RLIMIT_FSIZE)[0] != resource.RLIM_INFINITY
    ):
        return errno.EFBIG
    try:
        if shutil.disk_usage(path.parent).free < 1 << 20:
            return errno.ENOSPC
    except OSError:
        pass
    return None


def gdal_write_error(
    exc: Exception, path: str | Path, what: str, field: str | None = None
) -> InputError:
    """A clear :class:`InputError` for a GDAL write failure: a full disk or a size limit in
    words with what to do (not GDAL's SQL text); otherwise GDAL's reason, first line."""
    import errno
    import re

    from serai._fs import _why

    text = str(exc)
    low = text.lower()
    code = next((getattr(errno, c) for k, c in _GDAL_OS if k in low), None)
    if code is None and "disk i/o error" in low:  # SQLite's word for EFBIG, ENOSPC, EIO
        code = _io_cause(Path(path))
    if code is not None:
        todo = (
            "raise the file-size limit (ulimit -f) or write it elsewhere"
            if code == errno.EFBIG
            else "free space on that disk or write it elsewhere"
        )
        return InputError(f"cannot write {what}: {_why(OSError(code, ''))}; {todo}", file=str(path))
    m = re.search(r"sqlite3_\w+\(.*\) failed: (.*)$", text, re.S)  # GDAL quotes its SQL first
    reason = (m.group(1) if m else text).strip().splitlines()[0] if text.strip() else repr(exc)
    return InputError(f"cannot write {what}: {reason[:300]}", file=str(path), field=field)


def _write(network: Network, path: Path) -> None:
    raw, shapely = _deps()
    crs = network.meta.get("crs")
    crs = None if crs is None else str(crs)
    nodes = network.nodes
    if {"x", "y"} <= set(nodes.columns):
        x = nodes["x"].to_numpy(dtype=float, na_value=np.nan)
        y = nodes["y"].to_numpy(dtype=float, na_value=np.nan)
        ok = np.isfinite(x) & np.isfinite(y)
        pts = np.full(len(nodes), None, dtype=object)
        pts[ok] = shapely.points(x[ok], y[ok])
        props = nodes.drop(columns=["x", "y"])
    else:
        pts = np.full(len(nodes), None, dtype=object)
        props = nodes
    meta = {
        "meta": jsonable_meta(network.meta),
        "columns": column_dtypes(network.tables),
        "format_version": 1,
    }
    data, names, masks = _fields(props)
    raw.write(
        path,
        shapely.to_wkb(pts),
        data,
        names,
        field_mask=masks,
        layer="nodes",
        driver="GPKG",
        geometry_type="Point",
        crs=crs,
        dataset_metadata={_META_KEY: json.dumps(meta)},
    )
    links = network.links
    lines = _link_lines(network, shapely)
    data, names, masks = _fields(
        links.drop(columns=[c for c in ("geometry",) if c in links.columns])
    )
    raw.write(
        path,
        shapely.to_wkb(lines),
        data,
        names,
        field_mask=masks,
        layer="links",
        driver="GPKG",
        geometry_type="LineString",
        crs=crs,
    )
    for name, df in network.tables.items():
        if name in ("nodes", "links"):
            continue
        data, names, masks = _fields(df)
        raw.write(path, None, data, names, field_mask=masks, layer=name, driver="GPKG")


def _link_lines(network: Network, shapely: Any) -> np.ndarray:
    src = (network.meta.get("sources") or {}).get("links", "links")
    out = np.full(len(network.links), None, dtype=object)
    for i, line in enumerate(link_lines(network, src)):
        if line:
            out[i] = line
    have = np.array([o is not None for o in out], dtype=bool)
    if have.any():
        out[have] = [shapely.linestrings(c) for c in out[have]]
    return out


# ------------------------------------------------------------------------------ read


def _layer(
    raw: Any, shapely: Any, path: Path, layer: str
) -> tuple[pd.DataFrame, np.ndarray | None, dict]:
    try:
        info, _, geom, data = raw.read(path, layer=layer)
    except Exception as exc:  # pyogrio raises DataSourceError, DataLayerError, ...
        raise InputError(f"cannot read the layer: {exc}", file=_where(path, layer)) from None
    df = pd.DataFrame({str(n): d for n, d in zip(info["fields"], data, strict=True)})
    shapes = None
    if geom is not None:
        try:
            shapes = shapely.from_wkb(geom)
        except Exception as exc:  # shapely.errors.GEOSException
            raise InputError(
                f"invalid geometry: {exc}", file=_where(path, layer), field="geometry"
            ) from None
    return df, shapes, info


def read(path: Path, **_: object) -> Network:
    """Read a GeoPackage with ``nodes`` and ``links`` layers (see the module docstring)."""
    with warnings.catch_warnings():
        # GDAL's notes on a damaged file (bad application_id, WAL retry) come before our error
        warnings.filterwarnings("ignore", category=RuntimeWarning, module="pyogrio")
        return _read(path)


def _read(path: Path) -> Network:
    raw, shapely = _deps()
    import pyogrio

    try:
        layers = [str(n) for n, _ in pyogrio.list_layers(path)]
        ds_meta = (
            pyogrio.read_info(path, layer=layers[0]).get("dataset_metadata") if layers else None
        )
    except Exception as exc:
        raise InputError(f"not a readable GeoPackage: {exc}", file=str(path)) from None
    for required in ("nodes", "links"):
        if required not in layers:
            raise InputError(
                f"no '{required}' layer (layers: {', '.join(layers) or 'none'})", file=str(path)
            )
    extra: dict = {}
    if ds_meta and _META_KEY in ds_meta:
        try:
            extra = json.loads(ds_meta[_META_KEY])
        except json.JSONDecodeError:
            extra = {}
    dtypes = extra.get("columns") or {}

    nodes, pts, ninfo = _layer(raw, shapely, path, "nodes")
    nf = _where(path, "nodes")
    if pts is not None:
        types = shapely.get_type_id(pts)
        bad = np.flatnonzero(~(shapely.is_missing(pts) | shapely.is_empty(pts) | (types == 0)))
        if len(bad):
            raise InputError(
                "a node needs a Point geometry", file=nf, row=int(bad[0]) + 1, field="geometry"
            )
        valid = ~(shapely.is_missing(pts) | shapely.is_empty(pts))
        x = np.full(len(pts), np.nan)
        y = np.full(len(pts), np.nan)
        x[valid] = shapely.get_x(pts[valid])
        y[valid] = shapely.get_y(pts[valid])
        if valid.any() or "x" not in nodes.columns:
            nodes["x"], nodes["y"] = x, y
    if "node_id" not in nodes.columns:
        raise InputError("required column is missing", file=nf, field="node_id")
    nodes = checked_table(nodes, "nodes", nf)

    links, lines, _ = _layer(raw, shapely, path, "links")
    lf = _where(path, "links")
    check_required(links, "links", lf)
    links = checked_table(links, "links", lf)
    if lines is not None:
        links = _attach_geometry(
            links,
            lines,
            nodes,
            shapely,
            lf,
            had="geometry" in dtypes.get("links", {}),
            ours=bool(extra),
        )

    tables: dict[str, pd.DataFrame] = {}
    sources = {"nodes": nf, "links": lf}
    for name in layers:
        if name in ("nodes", "links"):
            continue
        df, _, _ = _layer(raw, shapely, path, name)
        tables[name] = checked_table(df, name, _where(path, name))
        sources[name] = _where(path, name)
    out = {"nodes": nodes, "links": links, **tables}
    out = {n: restore_dtypes(df, dtypes.get(n, {})) for n, df in out.items()}
    meta = dict(extra.get("meta") or {})
    if not extra:
        meta["crs"] = ninfo.get("crs")
    meta.setdefault("name", path.stem)
    meta["sources"] = sources
    return Network.from_tables(meta=meta, **out)


def _attach_geometry(
    links: pd.DataFrame,
    lines: np.ndarray,
    nodes: pd.DataFrame,
    shapely: Any,
    file: str,
    *,
    had: bool,
    ours: bool,
) -> pd.DataFrame:
    """Keep link lines as WKT in ``links.geometry`` when they carry information."""
    if ours and not had:
        return links
    present = ~(shapely.is_missing(lines) | shapely.is_empty(lines))
    types = shapely.get_type_id(lines)
    multi = present & (types == 5)
    if multi.any():  # a MultiLineString of one part is a LineString
        parts = shapely.get_num_geometries(lines[multi])
        if (parts != 1).any():
            i = int(np.flatnonzero(multi)[np.flatnonzero(parts != 1)[0]])
            raise InputError(
                "a link needs a single LineString", file=file, row=i + 1, field="geometry"
            )
        lines = lines.copy()
        lines[multi] = shapely.get_geometry(lines[multi], 0)
        types = shapely.get_type_id(lines)
    bad = np.flatnonzero(present & (types != 1))
    if len(bad):
        raise InputError(
            "a link needs a LineString geometry", file=file, row=int(bad[0]) + 1, field="geometry"
        )
    coords = [
        shapely.get_coordinates(g).tolist() if p else None
        for g, p in zip(lines, present, strict=True)
    ]
    if not ours:
        xy = {}
        if {"x", "y"} <= set(nodes.columns):
            xy = {
                int(i): (float(a), float(b))
                for i, a, b in zip(nodes["node_id"], nodes["x"], nodes["y"], strict=True)
            }
        straight = all(
            c is None
            or (len(c) == 2 and tuple(c[0]) == xy.get(int(f)) and tuple(c[-1]) == xy.get(int(t)))
            for c, f, t in zip(coords, links["from_node"], links["to_node"], strict=True)
        )
        if straight:
            return links
    out = links.copy()
    out["geometry"] = [line_to_wkt(c) if c else "" for c in coords]
    return out
