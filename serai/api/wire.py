"""A route answer's legs and GeoJSON features written as JSON bytes (the API's fast path).

:func:`serai.api.routes.route_json` with ``encoded=True`` puts these bytes in the answer as
``orjson.Fragment`` pieces: each leg's JSON is written once (``legs`` and the properties of
its feature share it) from the columns of ``route.leg_data``, by one ``orjson.dumps`` of the
legs as lists of values and a compiled pass putting the keys in (:func:`_keyed`: no dict per
leg); a line's coordinates are joined from the text of each link's shape encoded once per
network, in a compiled pass (:meth:`serai.freight.shapes.ShapeIndex.lines_json`); a hub
event's point and the points of a straight segment (services, first/last-mile legs) are the
nodes' text kept once (:meth:`~serai.freight.shapes.ShapeIndex.node_text`).
``orjson.dumps`` of the answer gives the very bytes of the answer built value by value
(``route_json(..., encoded=False)``); ``tests/api/test_route_wire.py`` checks it.

Examples
--------
>>> from serai.freight import Router, build_routing_graph
>>> from tests.freight.toy import toy_network
>>> r = Router(build_routing_graph(toy_network())).route("Almaty", "Duisburg", "container")
>>> legs = leg_json(r)
>>> import orjson
>>> [orjson.loads(x)["kind"] for x in legs][:2]
['transfer', 'move']
>>> orjson.loads(features_json(r, r.routing_graph.network, legs))[1]["geometry"]["type"]
'LineString'
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

from serai._jit import njit

try:  # (imported once: an import statement in a function costs a microsecond per call)
    import orjson
except ImportError:  # pragma: no cover - orjson comes with the service extra
    orjson = None  # type: ignore[assignment]

__all__ = ["features_json", "leg_json", "legs_text"]

_DROP = ("link_ids", "node_path")


def leg_json(route: Any) -> list[bytes] | None:
    """Each leg of ``route`` as the JSON bytes ``orjson.dumps`` writes of its
    :func:`~serai.freight.shapes.leg_records` dict (None: no ``leg_data``, orjson missing,
    or a value orjson does not take even cleaned as leg_records cleans it: the caller then
    builds the records value by value)."""
    got = legs_text(route)
    return None if got is None else got[1]


def legs_text(route: Any) -> tuple[bytes, list[bytes]] | None:
    """``(b"[leg,leg,...]", [leg, leg, ...])``: the JSON list of the legs of :func:`leg_json`
    and each leg's bytes in it (None as there).

    No dict per leg: the legs are written by one ``orjson.dumps`` as lists of values (numpy
    scalars, NaN and pd.NA cleaned as :func:`~serai.freight.shapes.leg_records` cleans them)
    and the keys put in by a compiled pass over the text (:func:`_keyed`), which also finds
    where each leg starts and ends. The rows of a route with first/last-mile legs
    (:class:`~serai.freight.spliced.SplicedLegs`) are read from its parts
    (:meth:`~serai.freight.spliced.SplicedLegs.rows`), without making its columns."""
    data = getattr(route, "leg_data", None)
    if data is None or orjson is None:
        return None
    fr = _freight()
    have = tuple(data)
    cols = _COLS.get(have)
    if cols is None:  # the columns written, in the table's order (once per set of columns)
        cols = tuple(c for c in fr.leg_columns if c not in _DROP and c in data)
        if len(_COLS) >= 64:
            _COLS.clear()  # a dict shared by threads: clear and set are atomic
        _COLS[have] = cols
    table = data.rows(cols) if type(data) is fr.SplicedLegs else None
    if table is not None:
        n = len(table)
    else:
        n = len(data.get("seq", ()))
        values = [
            v.tolist() if hasattr(v, "tolist") else list(v) for v in map(data.__getitem__, cols)
        ]
        table = list(zip(*values, strict=True))
    if not n:
        return b"[]", []
    try:
        rows = orjson.dumps(table, default=fr.clean)
    except TypeError:  # a value orjson does not take, even cleaned (integers past 64 bits)
        return None
    keys, key_at = _keys(cols)
    at = np.empty(2 * n, np.int64)
    out = _keyed(np.frombuffer(rows, np.uint8), keys, key_at, n, _CLASS, at)
    if not len(out):  # pragma: no cover - every row has a value per column
        return None
    text = out.tobytes()
    at = at.tolist()
    return text, [text[at[i] : at[i + 1]] for i in range(0, 2 * n, 2)]


class _Freight:
    """What this module takes from :mod:`serai.freight` (imported on first use, once)."""

    def __init__(self) -> None:
        from serai.freight.routeresult import _LEG_COLUMNS
        from serai.freight.shapes import ShapeIndex, _clean, encoded_moves, leg_geometry
        from serai.freight.spliced import SplicedLegs

        self.leg_columns, self.clean, self.SplicedLegs = _LEG_COLUMNS, _clean, SplicedLegs
        self.ShapeIndex, self.encoded_moves = ShapeIndex, encoded_moves
        self.leg_geometry = leg_geometry


@cache
def _freight() -> _Freight:
    return _Freight()


_KEYS: dict[tuple[str, ...], tuple[Any, Any]] = {}
_COLS: dict[tuple[str, ...], tuple[str, ...]] = {}  # a legs table's keys -> columns written


def _keys(cols: tuple[str, ...]) -> tuple[Any, Any]:
    """The text put before each value of a leg (``{"seq":``, ``,"kind":``, ...) as one byte
    array, and where each one starts (and the last one ends)."""
    hit = _KEYS.get(cols)
    if hit is None:
        import orjson

        texts = [(b"{" if j == 0 else b",") + orjson.dumps(c) + b":" for j, c in enumerate(cols)]
        at = np.cumsum([0] + [len(t) for t in texts]).astype(np.int64)
        hit = (np.frombuffer(b"".join(texts), np.uint8), at)
        for a in hit:
            a.setflags(write=False)
        _KEYS[cols] = hit
    return hit


# the bytes that matter in the text of rows: quote, [ and {, ] and }, comma
_CLASS = np.zeros(256, np.uint8)
_CLASS[[34, 91, 123, 93, 125, 44]] = [1, 3, 3, 4, 4, 5]
_CLASS.setflags(write=False)


@njit(cache=True, nogil=True)
def _keyed(src, keys, key_at, n_rows, cls, at):  # pragma: no cover - compiled
    """The JSON text ``src`` of a list of rows (lists of values, ``len(key_at) - 1`` each)
    written as a list of objects: each row's ``[`` and the commas between its values replaced
    by the keys' texts (``keys[key_at[j]:key_at[j + 1]]``), its ``]`` by ``}``. Returns the
    text (empty when a row has not one value per key) and writes the start and end of each
    object to ``at`` (``2 * n_rows``: one array returned, not two: numba makes each array
    it returns a Python object, about a microsecond). ``cls``: :data:`_CLASS`."""
    n_cols = len(key_at) - 1
    m = len(src)
    out = np.empty(m + n_rows * (len(keys) - n_cols), np.uint8)
    bad = out[:0]
    k = 0
    row = 0
    col = 0
    depth = 0
    i = 0
    while i < m:
        c = src[i]
        t = cls[c]
        if t == 0:
            out[k] = c
            k += 1
            i += 1
            continue
        if t == 1:  # a string, to its closing quote (not one after a backslash)
            out[k] = c
            k += 1
            i += 1
            while i < m:
                c = src[i]
                out[k] = c
                k += 1
                i += 1
                if c == 92:
                    out[k] = src[i]
                    k += 1
                    i += 1
                elif c == 34:
                    break
            continue
        i += 1
        if t == 3:
            depth += 1
            if depth == 2:  # a row starts: its first key
                if row >= n_rows:
                    return bad
                at[2 * row] = k
                col = 0
                for j in range(key_at[0], key_at[1]):
                    out[k] = keys[j]
                    k += 1
                continue
        elif t == 4:
            depth -= 1
            if depth == 1:  # the row ends
                if col != n_cols - 1:
                    return bad
                out[k] = 125
                k += 1
                at[2 * row + 1] = k
                row += 1
                continue
        elif t == 5 and depth == 2:  # the next value of the row: its key
            col += 1
            if col >= n_cols:
                return bad
            for j in range(key_at[col], key_at[col + 1]):
                out[k] = keys[j]
                k += 1
            continue
        out[k] = c
        k += 1
    if row != n_rows or k != len(out):
        return bad
    return out


def features_json(
    route: Any, network: Any, legs: Sequence[bytes], decimals: int = 4
) -> bytes | None:
    """The JSON list of the route's GeoJSON features (those of
    :func:`~serai.freight.shapes.route_features`, in the same bytes), with ``legs``
    (:func:`leg_json`) as their properties; None without orjson."""
    if orjson is None:  # pragma: no cover - orjson comes with the service extra
        return None
    fr = _freight()
    leg_geometry = fr.leg_geometry
    ix = fr.ShapeIndex.of(network)
    data = route.leg_data
    if type(data) is fr.SplicedLegs:  # the columns read from its parts (the same objects)
        n_legs = data.n_legs
        if not n_legs:
            return b"[]"
        kinds, link_ids, node_path, a, b = map(
            data.column_list, ("kind", "link_ids", "node_path", "from_node", "to_node")
        )
        seq = list(range(n_legs))
    else:
        n_legs = len(data.get("seq", ()))
        if not n_legs:
            return b"[]"
        kinds = _values(data["kind"])
        link_ids, node_path = data.get("link_ids", ()), data.get("node_path", ())
        seq, a, b = (_values(data[c]) for c in ("seq", "from_node", "to_node"))
    lines = fr.encoded_moves(ix, kinds, link_ids, decimals)
    point = ix.point_json
    out = [b"["]  # pieces joined once at the end (no copy of a line per concatenation)
    sep = 0  # the first feature's opening has no comma before it, the others' one
    for i in range(n_legs):
        text = lines.get(i)
        if text is not None:
            out += (_OPEN_LINE[sep], text, _PROPS, legs[i], b"}")
        elif kinds[i] != "move" and a[i] >= 0:  # a hub event at a network node
            text = point(int(a[i]), decimals)
            if text is None:
                continue
            out += (_OPEN_POINT[sep], text, _PROPS, legs[i], b"}")
        elif not len(link_ids[i]) and kinds[i] == "move":  # services, first/last-mile legs
            text = _segment(ix, route, a[i], node_path[i], b[i], decimals)
            if text is None:
                continue
            out += (_OPEN_LINE[sep], text, _PROPS, legs[i], b"}")
        else:  # point by point: a place off the network
            props = {"kind": kinds[i], "seq": seq[i], "from_node": a[i], "to_node": b[i]}
            g = leg_geometry(ix, route, props, link_ids[i], node_path[i], n_legs, decimals)
            if g is None:
                continue
            out += (_OPEN[sep], orjson.dumps(g), _PROPERTIES, legs[i], b"}")
        sep = 1
    out.append(b"]")
    return b"".join(out)


_FEATURE = b'{"type":"Feature","geometry":'
_LINE = b'{"type":"LineString","coordinates":'
_POINT = b'{"type":"Point","coordinates":'
_PROPERTIES = b',"properties":'
# a feature's text up to its coordinates, first or after another; from them to its properties
_OPEN = (_FEATURE, b"," + _FEATURE)
_OPEN_LINE = (_FEATURE + _LINE, b"," + _FEATURE + _LINE)
_OPEN_POINT = (_FEATURE + _POINT, b"," + _FEATURE + _POINT)
_PROPS = b"}" + _PROPERTIES


def _segment(ix: Any, route: Any, a: Any, path: Any, b: Any, decimals: int) -> bytes | None:
    """The coordinates of a straight line through a leg's nodes, as
    :func:`~serai.freight.shapes.leg_geometry` draws a movement leg without links (a place off
    the network, node ``-1``, at the route's place; a point equal to the previous one left
    out; None under 2 points), from the nodes' text kept once (:meth:`ShapeIndex.node_text`)."""
    nodes = [a, *path, b]
    last = len(nodes) - 1
    pts = [
        ix.node_text(int(n), decimals) if n >= 0 else _place(route, j < last, decimals)
        for j, n in enumerate(nodes)
    ]
    keep = [
        p[1]
        for j, p in enumerate(pts)
        if p is not None and (j == 0 or pts[j - 1] is None or p[0] != pts[j - 1][0])
    ]
    return b"[" + b",".join(keep) + b"]" if len(keep) >= 2 else None


def _place(route: Any, origin: bool, decimals: int) -> tuple[list[float], bytes] | None:
    """[lon, lat] of the route's origin (or destination) place and its text, or None."""
    p = getattr(route, "origin_place" if origin else "destination_place", None)
    if p is None or not (p.lon == p.lon and p.lat == p.lat):
        return None
    xy = [float(p.lon), float(p.lat)]
    key = (xy[0].hex(), xy[1].hex(), decimals)  # hex: -0.0 is not 0.0
    text = _PLACES.get(key)
    if text is None:
        import orjson

        text = orjson.dumps(np.round(xy, decimals).tolist())
        if len(_PLACES) >= 10_000:  # places typed as coordinates make it grow
            _PLACES.clear()
        _PLACES[key] = text
    return xy, text


_PLACES: dict[tuple[str, str, int], bytes] = {}  # a place's point as text, by lon, lat


def _values(v: Any) -> list[Any]:
    return v.tolist() if hasattr(v, "tolist") else list(v)
