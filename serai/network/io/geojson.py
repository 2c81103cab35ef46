"""GeoJSON: one FeatureCollection holding nodes (Points) and links (LineStrings).

Layout written
--------------
- Every node is a ``Point`` feature, every link a ``LineString`` feature; the
  property ``"table"`` (``"nodes"`` or ``"links"``) tells them apart, the other
  properties are the table's columns (node ``x``/``y`` are the Point coordinates).
- A link's line is its ``geometry`` column when the network has one (WKT
  ``LINESTRING`` text in the network CRS, see ``docs/schema.md``), else its shape
  in the ``shapes`` table (``links.shape_id``), else the straight segment between
  its end nodes; ``null`` when none is known.
- Everything else goes in the foreign member ``"serai"`` of the collection:
  ``meta`` (network metadata), ``columns`` (column order and pandas dtype of every
  table, so a round trip restores them) and ``tables`` (non-spatial tables such as
  ``modes`` or ``demand``, as column lists).
- Coordinates are written as they are. RFC 7946 assumes WGS84 longitude/latitude;
  a network in another CRS keeps it in ``serai.meta.crs`` and readers other than
  serai will misplace it.

Reading a GeoJSON that serai did not write: Points become nodes and LineStrings
links (unless a ``table`` property says otherwise); a line that is not just the
straight segment between its end nodes is kept in ``links.geometry``; the CRS is
WGS84. Hand-drawn files may leave out ``link_id`` (links are numbered 1, 2, ...)
and ``from_node``/``to_node``: a line's first and last points must then be exactly
node Points, and with no Point at all nodes are made at the distinct line ends;
each part of a MultiLineString becomes a link; a missing ``length`` is the line's
length on the sphere (km); ``two_way=True`` adds the reverse of every line.

Examples
--------
>>> import pandas as pd, tempfile, pathlib
>>> from serai.network import Network, read_network, write_network
>>> net = Network.from_tables(
...     nodes=pd.DataFrame({"node_id": [1, 2], "x": [49.8, 44.8], "y": [40.4, 41.7]}),
...     links=pd.DataFrame({"link_id": [7], "from_node": [1], "to_node": [2],
...                         "length": [550.0], "mode": ["rail"]}))
>>> path = pathlib.Path(tempfile.mkdtemp()) / "baku-tbilisi.geojson"
>>> _ = write_network(net, path)
>>> back = read_network(path)
>>> back.links[["link_id", "from_node", "to_node", "length", "mode"]].equals(
...     net.links[["link_id", "from_node", "to_node", "length", "mode"]])
True
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from serai.errors import InputError
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

_SPATIAL = ("nodes", "links")
FORMAT_VERSION = 1


# ----------------------------------------------------------------------------- write


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values, missing values as None."""
    obj = df.astype(object)
    obj = obj.where(df.notna(), None)
    recs = obj.to_dict("records")
    for r in recs:
        for k, v in r.items():
            if isinstance(v, np.generic):
                r[k] = v.item()
            if isinstance(r[k], float) and not math.isfinite(r[k]):
                r[k] = None
    return recs


def _node_coords(nodes: pd.DataFrame) -> dict[int, tuple[float, float]]:
    if not {"x", "y"} <= set(nodes.columns):
        return {}
    ok = nodes["x"].notna() & nodes["y"].notna()
    sub = nodes.loc[ok]
    return dict(
        zip(
            sub["node_id"].astype("int64").tolist(),
            zip(sub["x"].astype(float).tolist(), sub["y"].astype(float).tolist(), strict=True),
            strict=True,
        )
    )


def _link_lines(network: Network) -> list[list[list[float]] | None]:
    src = (network.meta.get("sources") or {}).get("links", "links")
    return [[list(p) for p in line] if line else None for line in link_lines(network, src)]


def write(network: Network, path: Path, **_: object) -> None:
    """Write a network as one GeoJSON FeatureCollection (see the module docstring)."""
    for name in _SPATIAL:
        if "table" in network.tables[name].columns:
            raise InputError(
                "a column named 'table' clashes with the GeoJSON 'table' property",
                file=str(path),
                field="table",
            )
    features: list[dict[str, Any]] = []
    nodes = network.nodes
    props = nodes.drop(columns=[c for c in ("x", "y") if c in nodes.columns])
    has_xy = {"x", "y"} <= set(nodes.columns)
    xs = nodes["x"].to_numpy(dtype=float, na_value=np.nan) if has_xy else None
    ys = nodes["y"].to_numpy(dtype=float, na_value=np.nan) if has_xy else None
    for i, rec in enumerate(_records(props)):
        geom = None
        if has_xy and math.isfinite(xs[i]) and math.isfinite(ys[i]):
            geom = {"type": "Point", "coordinates": [float(xs[i]), float(ys[i])]}
        features.append(
            {"type": "Feature", "geometry": geom, "properties": {"table": "nodes", **rec}}
        )
    links = network.links
    lines = _link_lines(network)
    lprops = links.drop(columns=[c for c in ("geometry",) if c in links.columns])
    for rec, line in zip(_records(lprops), lines, strict=True):
        geom = {"type": "LineString", "coordinates": line} if line else None
        features.append(
            {"type": "Feature", "geometry": geom, "properties": {"table": "links", **rec}}
        )
    other = {
        name: {
            "columns": list(map(str, df.columns)),
            "rows": [list(r.values()) for r in _records(df)],
        }
        for name, df in network.tables.items()
        if name not in _SPATIAL
    }
    doc = {
        "type": "FeatureCollection",
        "features": features,
        "serai": {
            "format_version": FORMAT_VERSION,
            "meta": jsonable_meta(network.meta),
            "columns": column_dtypes(network.tables),
            "tables": other,
        },
    }
    with path.open("w", encoding="utf-8") as fh:
        # json.dumps uses the C encoder; json.dump to a stream does not (10x slower)
        fh.write(json.dumps(doc, allow_nan=False, separators=(",", ":")))
        fh.write("\n")


# ------------------------------------------------------------------------------ read


def _is_xy(p: object) -> bool:
    return (
        isinstance(p, list)
        and len(p) >= 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p[:2])
        and all(math.isfinite(v) for v in p[:2])
    )


def _table_of(feature: dict, k: int, file: str) -> str:
    props = feature.get("properties") or {}
    name = props.get("table")
    if isinstance(name, str) and name:
        return name
    gtype = (feature.get("geometry") or {}).get("type")
    if gtype == "Point":
        return "nodes"
    if gtype in ("LineString", "MultiLineString"):
        return "links"
    raise InputError(
        f"feature {k} has no 'table' property and a {gtype or 'null'} geometry; "
        "expected a Point (node) or a LineString (link)",
        file=file,
        row=k,
        field="geometry",
    )


def _line_coords(geom: dict | None, row: int, k: int, file: str) -> list[list] | None:
    """The parts of a (Multi)LineString, each a list of (x, y); None for no geometry."""
    if geom is None:
        return None
    gtype = geom.get("type")
    coords = geom.get("coordinates")
    if gtype == "LineString":
        parts = [coords]
    elif gtype == "MultiLineString" and isinstance(coords, list) and coords:
        parts = coords
    else:
        raise InputError(
            f"a link needs a LineString geometry, got {gtype!r} (feature {k})",
            file=file,
            row=row,
            field="geometry",
        )
    for part in parts:
        if not isinstance(part, list) or len(part) < 2 or not all(_is_xy(p) for p in part):
            raise InputError(
                f"invalid LineString coordinates (feature {k}): need two or more [x, y] numbers",
                file=file,
                row=row,
                field="geometry",
            )
    return [[(float(p[0]), float(p[1])) for p in part] for part in parts]


def _one_part(
    recs: list[dict], parts: list[list[list] | None], drawn: bool, file: str
) -> tuple[list[dict], list[list | None]]:
    """One line per link: a hand-drawn MultiLineString becomes one link per part."""
    out_recs, out_lines = [], []
    for row, (rec, ps) in enumerate(zip(recs, parts, strict=True), start=1):
        if ps is None:
            out_recs.append(rec)
            out_lines.append(None)
        elif len(ps) == 1 or drawn:
            for part in ps:
                out_recs.append(dict(rec))
                out_lines.append(part)
        else:
            raise InputError(
                f"a link with from_node/to_node needs one LineString, got {len(ps)} parts",
                file=file,
                row=row,
                field="geometry",
            )
    return out_recs, out_lines


_EARTH_KM = 6371.0088  # mean Earth radius (IUGG)


def _geodesic_km(line: list) -> float:
    """Length of a lon/lat polyline on the sphere (haversine), in km."""
    xy = np.radians(np.asarray(line, dtype=float))
    lon, lat = xy[:, 0], xy[:, 1]
    h = (
        np.sin(np.diff(lat) / 2) ** 2
        + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(np.diff(lon) / 2) ** 2
    )
    return float(np.sum(2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))))


def read(path: Path, *, two_way: bool = False, **_: object) -> Network:
    """Read a GeoJSON FeatureCollection of nodes and links (see the module docstring).

    Parameters
    ----------
    path
        The file.
    two_way
        For a hand-drawn file (lines without ``from_node``/``to_node``): add the
        reverse of every line as a link too (new ids after the largest).
    """
    file = str(path)
    try:
        with path.open(encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", file=file) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", file=file, row=exc.lineno) from None
    except RecursionError:
        raise InputError("invalid GeoJSON: nested too deeply", file=file) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise InputError("expected a GeoJSON FeatureCollection", file=file)
    features = doc.get("features")
    if not isinstance(features, list):
        raise InputError("the FeatureCollection has no 'features' list", file=file)
    extra = doc.get("serai") if isinstance(doc.get("serai"), dict) else {}
    columns: dict[str, dict[str, str]] = extra.get("columns") or {}
    if not isinstance(columns, dict) or not all(isinstance(v, dict) for v in columns.values()):
        raise InputError("bad 'serai.columns' member: expected table -> {column: dtype}", file=file)

    recs: dict[str, list[dict]] = {"nodes": [], "links": []}
    parts: list[list[list] | None] = []
    for k, feat in enumerate(features, start=1):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            raise InputError(f"feature {k} is not a GeoJSON Feature", file=file, row=k)
        if not isinstance(feat.get("properties") or {}, dict):
            raise InputError(f"feature {k}: 'properties' is not an object", file=file, row=k)
        if not isinstance(feat.get("geometry") or {}, dict):
            raise InputError(
                f"feature {k}: 'geometry' is not an object", file=file, row=k, field="geometry"
            )
        table = _table_of(feat, k, file)
        props = dict(feat.get("properties") or {})
        props.pop("table", None)
        geom = feat.get("geometry") or None
        if table == "nodes":
            row = len(recs["nodes"]) + 1
            if geom is not None:
                if geom.get("type") != "Point" or not _is_xy(geom.get("coordinates")):
                    raise InputError(
                        f"a node needs a Point geometry with [x, y] numbers (feature {k})",
                        file=file,
                        row=row,
                        field="geometry",
                    )
                props["x"], props["y"] = (float(v) for v in geom["coordinates"][:2])
            recs["nodes"].append(props)
        elif table == "links":
            row = len(recs["links"]) + 1
            parts.append(_line_coords(geom, row, k, file))
            recs["links"].append(props)
        else:
            recs.setdefault(table, []).append(props)

    drawn = not extra and not any(
        "from_node" in r or "to_node" in r for r in recs["links"]
    )  # a hand-drawn file: link ends come from the lines
    recs["links"], lines = _one_part(recs["links"], parts, drawn, file)
    tables: dict[str, pd.DataFrame] = {}
    for name, rows in recs.items():
        order = list(columns.get(name, {}))
        df = pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
        cols = [c for c in order if c in df.columns or not rows]
        cols += [c for c in df.columns if c not in cols]
        tables[name] = df.reindex(columns=cols)
    other = extra.get("tables") or {}
    if not isinstance(other, dict):
        raise InputError("bad 'serai.tables' member: expected an object", file=file)
    for name, spec in other.items():
        cols = spec.get("columns") if isinstance(spec, dict) else None
        rows = spec.get("rows") if isinstance(spec, dict) else None
        if not isinstance(cols, list) or not isinstance(rows, list):
            raise InputError(f"serai table '{name}' needs 'columns' and 'rows' lists", file=file)
        for i, r in enumerate(rows, start=1):
            if not isinstance(r, list) or len(r) != len(cols):
                raise InputError(
                    f"serai table '{name}': expected a list of {len(cols)} values",
                    file=file,
                    row=i,
                )
        tables[name] = pd.DataFrame(rows, columns=[str(c) for c in cols])

    nodes, links = tables.pop("nodes"), tables.pop("links")
    if drawn:
        nodes, links, lines = _ends_from_lines(nodes, links, lines, file, two_way=two_way)
    check_required(links, "links", file)
    if len(nodes) and "node_id" not in nodes.columns:
        raise InputError("nodes have no 'node_id' property", file=file, field="node_id")
    nodes = checked_table(nodes, "nodes", file) if len(nodes.columns) else None
    links = checked_table(links, "links", file)
    links = _attach_geometry(links, lines, nodes, "geometry" in columns.get("links", {}), extra)
    out = {"nodes": nodes, "links": links}
    out.update({n: checked_table(df, n, file) for n, df in tables.items()})
    for name, df in out.items():
        if df is not None and name in columns:
            out[name] = restore_dtypes(df, columns[name])
    meta = extra.get("meta") or {}
    if not isinstance(meta, dict):
        raise InputError("bad 'serai.meta' member: expected an object", file=file)
    meta = dict(meta)
    if not extra:
        meta["crs"] = "EPSG:4326"  # RFC 7946
    meta.setdefault("name", path.stem)
    meta["sources"] = {name: file for name in out if out[name] is not None}
    return Network.from_tables(meta=meta, **out)


def _ends_from_lines(
    nodes: pd.DataFrame,
    links: pd.DataFrame,
    lines: list[list | None],
    file: str,
    *,
    two_way: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame, list[list | None]]:
    """Complete a hand-drawn file: link ids, ends and lengths from the lines, nodes at line ends.

    Each line's first and last point must be exactly a node's Point (or, with no
    Point at all, nodes are made at the distinct line ends, numbered 1, 2, ... in
    order of appearance). A missing ``length`` is the line's length on the sphere
    in km (the coordinates are WGS84 longitude/latitude).
    """
    if not len(links):
        return nodes, links, lines
    links = links.copy()
    if "link_id" not in links.columns:
        links.insert(0, "link_id", np.arange(1, len(links) + 1, dtype=np.int64))
    ends: list[tuple] = []
    for i, line in enumerate(lines, start=1):
        if line is None:
            raise InputError(
                "a link without from_node/to_node needs a line to take its ends from",
                file=file,
                row=i,
                field="geometry",
            )
        ends.append((line[0], line[-1]))
    if not len(nodes):
        points = list(dict.fromkeys(p for pair in ends for p in pair))
        nodes = pd.DataFrame(
            {
                "node_id": np.arange(1, len(points) + 1, dtype=np.int64),
                "x": [p[0] for p in points],
                "y": [p[1] for p in points],
            }
        )
    if not {"node_id", "x", "y"} <= set(nodes.columns):
        raise InputError("nodes have no 'node_id' property", file=file, field="node_id")
    at = {}
    for nid, x, y in zip(nodes["node_id"], nodes["x"], nodes["y"], strict=True):
        if pd.notna(x) and pd.notna(y):
            at.setdefault((float(x), float(y)), nid)
    for col, k in (("from_node", 0), ("to_node", 1)):
        vals = []
        for i, pair in enumerate(ends, start=1):
            if pair[k] not in at:
                raise InputError(
                    f"no node at the line's {'first' if k == 0 else 'last'} point {pair[k]}",
                    file=file,
                    row=i,
                    field=col,
                )
            vals.append(at[pair[k]])
        links[col] = vals
    if "length" not in links.columns:
        links["length"] = [_geodesic_km(line) for line in lines]
    if two_way:
        back = links.copy()
        ids = pd.to_numeric(links["link_id"], errors="coerce")
        start = int(ids.max()) + 1 if ids.notna().any() else 1
        back["link_id"] = np.arange(start, start + len(back), dtype=np.int64)
        back["from_node"], back["to_node"] = links["to_node"], links["from_node"]
        links = pd.concat([links, back], ignore_index=True)
        lines = lines + [line[::-1] for line in lines]
    return nodes, links, lines


def _attach_geometry(
    links: pd.DataFrame,
    lines: list[list | None],
    nodes: pd.DataFrame | None,
    had_geometry: bool,
    extra: dict,
) -> pd.DataFrame:
    """Keep link lines as WKT in ``links.geometry`` when they carry information."""
    if extra and not had_geometry and "shapes" in (extra.get("tables") or {}):
        return links  # serai drew the lines from the shapes table
    if not extra:
        coords = _node_coords(nodes) if nodes is not None else {}
        straight = True
        for line, a, b in zip(lines, links["from_node"], links["to_node"], strict=True):
            if line is None:
                continue
            ends = (
                coords.get(int(a)) if pd.notna(a) else None,
                coords.get(int(b)) if pd.notna(b) else None,
            )
            if len(line) != 2 or (line[0], line[-1]) != ends:
                straight = False
                break
        if straight:
            return links
    out = links.copy()
    out["geometry"] = [line_to_wkt(line) if line else "" for line in lines]
    return out
