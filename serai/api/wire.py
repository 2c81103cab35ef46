"""A route answer's legs and GeoJSON features written as JSON bytes (the API's fast path).

:func:`serai.api.routes.route_json` with ``encoded=True`` puts these bytes in the answer as
``orjson.Fragment`` pieces: each leg's JSON is written once (``legs`` and the properties of
its feature share it) from the columns of ``route.leg_data`` (no dict per leg kept, no
per-value cleaning), a line's coordinates are joined from the text of each link's shape
encoded once per network (:meth:`serai.freight.shapes.ShapeIndex.lines_json`), a hub
event's point is the node's text kept once (:meth:`~serai.freight.shapes.ShapeIndex.point_json`).
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
from typing import Any

__all__ = ["features_json", "leg_json"]

_DROP = ("link_ids", "node_path")


def leg_json(route: Any) -> list[bytes] | None:
    """Each leg of ``route`` as the JSON bytes ``orjson.dumps`` writes of its
    :func:`~serai.freight.shapes.leg_records` dict (None: no ``leg_data``, orjson missing,
    or a value orjson does not take as it is, e.g. a numpy scalar in an object column:
    the caller then cleans the records value by value)."""
    data = getattr(route, "leg_data", None)
    if data is None:
        return None
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson comes with the service extra
        return None
    from serai.freight.routeresult import _LEG_COLUMNS
    from serai.freight.shapes import _column

    cols = [c for c in _LEG_COLUMNS if c not in _DROP and c in data]
    if not len(data.get("seq", ())):
        return []
    dumps = orjson.dumps
    # numbers and strings as Python values (NaN is written null, as the records' None);
    # a column of objects that orjson does not take as they are (numpy integers after the
    # first/last-mile splice) is cleaned value by value, as leg_records does
    values = []
    for c in cols:
        v = data[c]
        x = v.tolist() if hasattr(v, "tolist") else list(v)
        if getattr(v, "dtype", None) is None or v.dtype.kind == "O":
            try:
                dumps(x)
            except TypeError:
                x = _column(v)
        values.append(x)
    rows = [dict(zip(cols, row, strict=True)) for row in zip(*values, strict=True)]
    try:
        text = dumps(rows)  # one call: a fifth of the CPU of one per leg
    except TypeError:  # numpy scalars, pd.NA, integers past 64 bits
        return None
    # each leg's text starts with '{"seq":' (its first column), which no string value can
    # hold (a quote inside a string is written \"): the list is cut there
    if cols[0] == "seq":
        parts = text[1:-1].split(b',{"seq":')
        if len(parts) == len(rows):
            return [parts[0]] + [b'{"seq":' + x for x in parts[1:]]
    return [dumps(r) for r in rows]


def features_json(
    route: Any, network: Any, legs: Sequence[bytes], decimals: int = 4
) -> bytes | None:
    """The JSON list of the route's GeoJSON features (those of
    :func:`~serai.freight.shapes.route_features`, in the same bytes), with ``legs``
    (:func:`leg_json`) as their properties; None without orjson."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson comes with the service extra
        return None
    from serai.freight.shapes import ShapeIndex, encoded_moves, leg_geometry

    ix = ShapeIndex.of(network)
    data = route.leg_data
    n_legs = len(data.get("seq", ()))
    if not n_legs:
        return b"[]"
    kinds = _values(data["kind"])
    link_ids, node_path = data.get("link_ids", ()), data.get("node_path", ())
    lines = encoded_moves(ix, kinds, link_ids, decimals)
    seq, a, b = (_values(data[c]) for c in ("seq", "from_node", "to_node"))
    point = ix.point_json
    out = [b"["]  # pieces joined once at the end (no copy of a line per concatenation)
    for i in range(n_legs):
        text = lines.get(i)
        if text is not None:
            geom = (_LINE, text, b"}")
        elif kinds[i] != "move" and a[i] >= 0:  # a hub event at a network node
            text = point(int(a[i]), decimals)
            if text is None:
                continue
            geom = (_POINT, text, b"}")
        else:  # point by point: services, first/last-mile legs, a place off the network
            props = {"kind": kinds[i], "seq": seq[i], "from_node": a[i], "to_node": b[i]}
            g = leg_geometry(ix, route, props, link_ids[i], node_path[i], n_legs, decimals)
            if g is None:
                continue
            geom = (orjson.dumps(g),)
        if len(out) > 1:
            out.append(b",")
        out += (_FEATURE, *geom, _PROPERTIES, legs[i], b"}")
    out.append(b"]")
    return b"".join(out)


_FEATURE = b'{"type":"Feature","geometry":'
_LINE = b'{"type":"LineString","coordinates":'
_POINT = b'{"type":"Point","coordinates":'
_PROPERTIES = b',"properties":'


def _values(v: Any) -> list[Any]:
    return v.tolist() if hasattr(v, "tolist") else list(v)
