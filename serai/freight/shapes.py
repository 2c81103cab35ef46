"""Route geometry on the real link shapes (the ``shapes`` table), for maps and GIS output.

The shipped network stores each link's polyline once in ``shapes`` (shape_id,
x, y in order) and both directions of a link point to it through
``links.shape_id``; :class:`ShapeIndex` orients each polyline from the link's
``from_node`` to its ``to_node``. Links without a shape (ferries, transfers,
networks without a ``shapes`` table) are drawn as a straight line between their
end nodes.

Examples
--------
>>> import pandas as pd
>>> from serai.network import Network
>>> nodes = pd.DataFrame({"node_id": [1, 2], "x": [0.0, 2.0], "y": [0.0, 0.0]})
>>> links = pd.DataFrame({"link_id": [10, 11], "from_node": [1, 2], "to_node": [2, 1],
...     "shape_id": [0, 0]})
>>> shapes = pd.DataFrame({"shape_id": [0, 0, 0], "x": [0.0, 1.0, 2.0], "y": [0.0, 1.0, 0.0]})
>>> ix = ShapeIndex.of(Network.from_tables(nodes=nodes, links=links, shapes=shapes))
>>> ix.line([11]).tolist()
[[2.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from serai._jit import njit
from serai.network.geo import cut_geojson_line, degree_gap, unwrap_lon

__all__ = ["ShapeIndex", "leg_records", "route_features", "route_geodataframe", "route_wkt"]

_LOCK = threading.Lock()
_BY_NETWORK: dict[int, tuple[Any, ShapeIndex]] = {}  # id(network) -> (weakref, index)


@dataclass(frozen=True, eq=False)
class ShapeIndex:
    """Oriented polyline of every link, read from the ``shapes`` table (immutable arrays)."""

    link_ids: np.ndarray  # sorted
    start: np.ndarray  # per link: first row in xy, or -1 (no shape)
    stop: np.ndarray
    reverse: np.ndarray  # bool: walk the shape backwards
    end_xy: np.ndarray  # (n, 4): from x, from y, to x, to y
    xy: np.ndarray  # (k, 2) all shape points
    node_ids: np.ndarray  # sorted
    node_xy: np.ndarray  # (n_nodes, 2)
    # per link: its shape touches the antimeridian (x = ±180)
    across: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    # the shape points as JSON text (see line_json), made on first use
    _encoded: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    # node coordinates as JSON text (see point_json), made on first use
    _points: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, network: Any) -> ShapeIndex:
        """The index of ``network`` (built once per network object, thread-safe)."""
        key = id(network)
        with _LOCK:
            hit = _BY_NETWORK.get(key)
        if hit is not None and hit[0]() is network:
            return hit[1]
        ix = cls.build(network)
        with _LOCK:
            _BY_NETWORK[key] = (weakref.ref(network), ix)
            weakref.finalize(network, _BY_NETWORK.pop, key, None)
        return ix

    @classmethod
    def build(cls, network: Any) -> ShapeIndex:
        links = network.links
        nodes = network.nodes
        order = np.argsort(links["link_id"].to_numpy(np.int64), kind="stable")
        L = links.iloc[order]
        ids = L["link_id"].to_numpy(np.int64)
        nxy = nodes.set_index("node_id")[["x", "y"]].astype(float)
        fxy = nxy.reindex(L["from_node"].to_numpy()).to_numpy()
        txy = nxy.reindex(L["to_node"].to_numpy()).to_numpy()
        n = len(L)
        start = np.full(n, -1, np.int64)
        stop = np.full(n, -1, np.int64)
        reverse = np.zeros(n, bool)
        shapes = network.tables.get("shapes")
        xy = np.empty((0, 2))
        if shapes is not None and "shape_id" in L.columns and len(shapes):
            s = shapes.sort_values("shape_id", kind="stable")
            sid = s["shape_id"].to_numpy(np.int64)
            xy = np.column_stack([s["x"].to_numpy(float), s["y"].to_numpy(float)])
            want = pd.to_numeric(L["shape_id"], errors="coerce").to_numpy(float)
            has = np.isfinite(want)
            w = want[has].astype(np.int64)
            a = np.searchsorted(sid, w, "left")
            b = np.searchsorted(sid, w, "right")
            ok = b > a
            idx = np.flatnonzero(has)[ok]
            start[idx], stop[idx] = a[ok], b[ok]
            first, last = xy[a[ok]], xy[b[ok] - 1]
            # degrees across the antimeridian: a Pacific lane's shape may end at x = -180
            # where its node is at x = 180 (serai.network.geo)
            reverse[idx] = degree_gap(last, fxy[idx]) < degree_gap(first, fxy[idx])
        # links whose shape touches the antimeridian: lines through them are unwrapped
        across = np.zeros(n, bool)
        if len(xy):
            at = np.abs(xy[:, 0]) >= 180.0
            if at.any():
                cum = np.r_[0, np.cumsum(at)]
                has = start >= 0
                across[has] = cum[stop[has]] > cum[start[has]]
        for a in (ids, start, stop, reverse, xy, across):
            a.setflags(write=False)
        end_xy = np.column_stack([fxy, txy])
        end_xy.setflags(write=False)
        norder = np.argsort(nodes["node_id"].to_numpy(np.int64), kind="stable")
        node_ids = nodes["node_id"].to_numpy(np.int64)[norder]
        node_xy = np.column_stack(
            [nodes["x"].to_numpy(float)[norder], nodes["y"].to_numpy(float)[norder]]
        )
        for a in (node_ids, node_xy):
            a.setflags(write=False)
        return cls(ids, start, stop, reverse, end_xy, xy, node_ids, node_xy, across)

    def node(self, node_id: int) -> list[float] | None:
        """[lon, lat] of a node (None: unknown or without coordinates)."""
        i = int(np.searchsorted(self.node_ids, node_id))
        if i >= len(self.node_ids) or self.node_ids[i] != node_id:
            return None
        x, y = self.node_xy[i]
        return [float(x), float(y)] if x == x and y == y else None

    def link_line(self, link_id: int) -> np.ndarray:
        """(k, 2) lon/lat of one link, from its from_node to its to_node."""
        i = int(np.searchsorted(self.link_ids, link_id))
        if i >= len(self.link_ids) or self.link_ids[i] != link_id:
            return np.empty((0, 2))
        return self._part(i)

    def _part(self, i: int) -> np.ndarray:
        if self.start[i] < 0:
            return self.end_xy[i].reshape(2, 2)
        part = self.xy[self.start[i] : self.stop[i]]
        return part[::-1] if self.reverse[i] else part

    def line(self, link_ids: Iterable[int]) -> np.ndarray:
        """One polyline through consecutive links (shared end points kept once); a line
        through a link at the antimeridian goes on past ±180° instead of jumping across the
        map (:func:`serai.network.geo.unwrap_lon`)."""
        ids = np.fromiter((int(x) for x in link_ids), np.int64)
        pos = np.searchsorted(self.link_ids, ids)
        ok = pos < len(self.link_ids)
        ok[ok] = self.link_ids[pos[ok]] == ids[ok]
        pos = pos[ok]
        parts = [self._part(int(i)) for i in pos]
        if not parts:
            return np.empty((0, 2))
        wrap = unwrap_lon if len(self.across) and self.across[pos].any() else np.asarray
        if len(parts) == 1:
            return wrap(parts[0])
        # a part starting where the previous one ends drops its first point (the tolerance
        # of numpy.isclose: shapes of neighbouring links meet within ~1e-3 degree)
        first = np.array([p[0] for p in parts[1:]])
        last = np.array([p[-1] for p in parts[:-1]])
        joined = (np.abs(first - last) <= 1e-8 + 1e-5 * np.abs(last)).all(axis=1)
        out = [parts[0]] + [p[1:] if j else p for p, j in zip(parts[1:], joined, strict=True)]
        return wrap(np.vstack(out))

    def line_json(self, link_ids: Iterable[int], decimals: int = 4) -> tuple[bytes, int] | None:
        """:meth:`line` rounded to ``decimals`` as JSON text and its number of points.

        The bytes ``orjson.dumps(np.round(self.line(ids), decimals).tolist())`` gives, cut
        from the text of all shape points encoded once per index (forwards and backwards:
        each oriented link is one slice of it) instead of encoding every point of every
        route (None: none of ``link_ids`` is a link, or orjson is missing). A line through a
        link at the antimeridian is encoded from :meth:`line` (unwrapped).
        """
        return self.lines_json([link_ids], decimals)[0]

    def lines_json(
        self, lines: Sequence[Iterable[int]], decimals: int = 4
    ) -> list[tuple[bytes, int] | None]:
        """:meth:`line_json` of several lines at once (one pass of numpy for all).

        Every oriented link is one byte range of the text of all points (:meth:`_text`),
        with or without its first point: a line is the join of its links' ranges."""
        text = self._text(decimals)
        if text is None:
            return [None] * len(lines)
        lists = [x if isinstance(x, list) else list(x) for x in lines]
        lens = [len(x) for x in lists]
        ids = np.fromiter(itertools.chain.from_iterable(lists), np.int64, count=sum(lens))
        line = np.arange(len(lists), dtype=np.int64).repeat(lens)
        meta = np.zeros((len(lists), 4), np.int64)
        joined = _joined_lines(ids, line, self.link_ids, text.slot, text.rows, self.across,
                               meta, text.raw).tobytes()  # fmt: skip
        out: list[tuple[bytes, int] | None] = []
        for j, (a, b, n, wrapped) in enumerate(meta.tolist()):
            if wrapped:  # across the antimeridian: line() unwraps
                import orjson

                pts = np.round(self.line(lists[j]), decimals).tolist()
                out.append((orjson.dumps(pts), len(pts)))
            else:
                out.append((joined[a:b], n) if b > a else None)
        return out

    def _text(self, decimals: int) -> _Text | None:
        """The text of every oriented link (:class:`_Text`; built once, thread-safe)."""
        key = ("text", decimals)
        hit = self._encoded.get(key)
        if hit is not None:
            return hit
        try:
            import orjson
        except ImportError:  # pragma: no cover - orjson comes with the service extra
            return None
        with _LOCK:
            hit = self._encoded.get(key)
            if hit is None:
                hit = self._encoded[key] = _Text.of(self, decimals, orjson.dumps)
        return hit

    def point_json(self, node_id: int, decimals: int = 4) -> bytes | None:
        """``orjson.dumps(np.round(self.node(node_id), decimals).tolist())`` (kept once per
        node; None when :meth:`node` is None)."""
        hit = self.node_text(node_id, decimals)
        return None if hit is None else hit[1]

    def node_text(self, node_id: int, decimals: int = 4) -> tuple[list[float], bytes] | None:
        """:meth:`node` and :meth:`point_json` of a node (kept once per node; the list is
        shared: not to be changed)."""
        key = (node_id, decimals)
        hit = self._points.get(key)
        if hit is None:
            p = self.node(node_id)
            if p is None:
                return None
            import orjson

            hit = self._points[key] = (p, orjson.dumps(np.round(p, decimals).tolist()))
        return hit

    def _ends(self, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """First and last point of the oriented parts ``pos`` (what :meth:`_part` gives)."""
        start, stop, rev = self.start[pos], self.stop[pos], self.reverse[pos]
        first = self.end_xy[pos, :2].copy()
        last = self.end_xy[pos, 2:].copy()
        has = start >= 0
        if has.any():
            s, e, r = start[has], stop[has] - 1, rev[has]
            first[has] = self.xy[np.where(r, e, s)]
            last[has] = self.xy[np.where(r, s, e)]
        return first, last


@njit(cache=True, nogil=True)
def _joined_lines(ids, line, link_ids, slot, rows, across, meta, buf):
    """The JSON text of lines through the links ``ids`` (line ``line`` each, in order), each
    the join of its links' byte ranges in the text ``buf`` of a :class:`_Text` (``rows``,
    ``slot``: its tables; unknown ids are skipped; a link starting where the previous one of
    its line ends, by ``numpy.isclose`` on the unrounded end points as
    :meth:`ShapeIndex.line` joins them, starts at its second point): ``text``, line
    j ``text[meta[j, 0]:meta[j, 1]]`` (empty: no link found, or a link of it touches the
    antimeridian, ``meta[j, 3]``: not written), ``meta[j, 2]`` its points. ``meta``: zeros,
    a row per line, filled here (one array returned, not two: numba makes each array it
    returns a Python object, about a microsecond)."""
    m = len(ids)
    start = np.empty(m, np.int64)
    stop = np.empty(m, np.int64)
    of = np.empty(m, np.int64)
    # meta, per line: start and end of its text, points, 1 when wrapped
    k = 0
    prev = -1
    prev_line = -1
    for t in range(m):
        v = ids[t]
        if len(slot):  # dense ids: one look-up
            if v < 0 or v >= len(slot) or slot[v] < 0:
                continue
            i = slot[v]
        else:
            i = np.searchsorted(link_ids, v)
            if i >= len(link_ids) or link_ids[i] != v:
                continue
        ln = line[t]
        drop = False
        if prev >= 0 and prev_line == ln:
            drop = True
            for c in range(2):
                y = rows[prev, 6 + c]
                if not (abs(rows[i, 4 + c] - y) <= 1e-8 + 1e-5 * abs(y)):
                    drop = False
        start[k] = np.int64(rows[i, 1] if drop else rows[i, 0])
        stop[k] = np.int64(rows[i, 2])
        of[k] = ln
        meta[ln, 2] += np.int64(rows[i, 3]) - (1 if drop else 0)
        if len(across) and across[i]:
            meta[ln, 3] = 1
        prev, prev_line = i, ln
        k += 1
    size = 0
    for r in range(k):
        if not meta[of[r], 3]:
            size += stop[r] - start[r] + (2 if r == 0 or of[r - 1] != of[r] else 0)
    out = np.empty(size, np.uint8)
    p = 0
    for r in range(k):
        ln = of[r]
        if meta[ln, 3]:
            continue
        if r == 0 or of[r - 1] != ln:
            meta[ln, 0] = p
            out[p] = 91  # [
            p += 1
        w = stop[r] - start[r]
        out[p : p + w] = buf[start[r] : stop[r]]
        p += w
        if r == k - 1 or of[r + 1] != ln:  # each range ends with a comma: the last one is cut
            if out[p - 1] == 44:
                p -= 1
            out[p] = 93  # ]
            p += 1
            meta[ln, 1] = p
    return out[:p]


@dataclass(frozen=True, eq=False)
class _Text:
    """The points of all link shapes as JSON text (rounded, as orjson writes them): the shape
    points forwards, then backwards, then the two end points of each link without a shape,
    each point followed by a comma. Oriented link ``i`` (index in ``ShapeIndex.link_ids``)
    is ``buf[first_byte[i]:end_byte[i]]``, without its first point
    ``buf[second[i]:end_byte[i]]`` (empty for a one-point shape); ``n_pts`` its points,
    ``first``/``last`` its unrounded end points (for the joining rule of ``line()``)."""

    buf: bytes
    first_byte: np.ndarray
    second: np.ndarray
    end_byte: np.ndarray
    n_pts: np.ndarray
    first: np.ndarray
    last: np.ndarray
    # link id -> index in ShapeIndex.link_ids (-1: none), when the ids are dense; else empty
    slot: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    # per link, its fields above in one row (one or two cache lines, not seven): first_byte,
    # second, end_byte, n_pts, first (x, y), last (x, y); and buf as an array
    rows: np.ndarray = field(init=False, repr=False, compare=False)
    raw: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cols = (self.first_byte, self.second, self.end_byte, self.n_pts, self.first, self.last)
        rows = np.column_stack(cols).astype(np.float64).reshape(-1, 8)
        raw = np.frombuffer(self.buf, np.uint8)
        for a in (rows, raw):
            a.setflags(write=False)
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "raw", raw)

    @classmethod
    def of(cls, ix: ShapeIndex, decimals: int, dumps: Any) -> _Text:
        k = len(ix.xy)
        pts = np.round(ix.xy, decimals)
        bare = np.flatnonzero(ix.start < 0)  # links without a shape: a straight segment
        ends = np.round(ix.end_xy[bare].reshape(-1, 2), decimals)
        parts = [dumps(p.tolist())[1:-1] for p in (pts, pts[::-1], ends) if len(p)]
        buf = b",".join(parts) + b"," if parts else b""
        raw = np.frombuffer(buf, np.uint8)
        starts = np.flatnonzero(raw == ord("["))
        stops = np.flatnonzero(raw == ord("]")) + 2  # with the comma after the point
        assert len(starts) == len(stops) == 2 * k + 2 * len(bare)
        s, e, r = ix.start, ix.stop, ix.reverse
        # point j of the shapes is point j forwards and point 2k-1-j in the backwards copy
        p0 = np.where(r, 2 * k - e, s)
        p1 = np.where(r, 2 * k - 1 - s, e - 1)
        p0[bare] = 2 * k + 2 * np.arange(len(bare))
        p1[bare] = p0[bare] + 1
        first_byte, end_byte = starts[p0], stops[p1]
        nxt = np.minimum(p0 + 1, max(len(starts) - 1, 0))
        second = np.where(p1 > p0, starts[nxt] if len(starts) else 0, end_byte)
        first, last = ix._ends(np.arange(len(ix.link_ids)))
        arrays = (first_byte, second, end_byte, p1 - p0 + 1, first, last)
        ids = ix.link_ids
        slot = np.zeros(0, np.int32)
        if len(ids) and ids[0] >= 0 and ids[-1] < 4 * len(ids) + 1024 and (np.diff(ids) > 0).all():
            slot = np.full(int(ids[-1]) + 1, -1, np.int32)
            slot[ids] = np.arange(len(ids), dtype=np.int32)
        for x in (*arrays, slot):
            x.setflags(write=False)
        return cls(buf, *arrays, slot)


def _column(values: Any) -> list[Any]:
    """A column as plain Python values: NaN as None, numpy scalars as int/float/bool/str."""
    a = np.asarray(values)
    if a.dtype.kind == "f":
        out = a.tolist()
        if np.isnan(a).any():
            out = [None if v != v else v for v in out]
        return out
    if a.dtype.kind in "iub":
        return a.tolist()
    if a.dtype.kind == "U":
        return a.tolist()
    plain = (str, int, bool)
    return [
        v if type(v) in plain else _clean(v)
        for v in (values.tolist() if hasattr(values, "tolist") else values)
    ]


def leg_records(route: Any, *, drop: Sequence[str] = ("link_ids", "node_path")) -> list[dict]:
    """The legs of a route as JSON-ready dicts (the columns of ``route.legs``; no pandas)."""
    data = getattr(route, "leg_data", None)
    if data is None:
        legs = route.legs.drop(columns=[c for c in drop if c in route.legs.columns])
        legs = legs.astype(object).where(legs.notna(), None)
        return legs.to_dict(orient="records")
    from serai.freight.routeresult import _LEG_COLUMNS

    cols = [c for c in _LEG_COLUMNS if c not in drop and c in data]
    if not len(data.get("seq", ())):
        return []
    values = [_column(data[c]) for c in cols]
    return [dict(zip(cols, row, strict=True)) for row in zip(*values, strict=True)]


def _clean(v: Any) -> Any:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if v != v else float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.str_):
        return str(v)
    return v


def route_features(
    route: Any,
    network: Any,
    *,
    decimals: int = 4,
    encoded: bool = False,
    records: list[dict] | None = None,
    cut: bool = False,
) -> list[dict[str, Any]]:
    """GeoJSON features of a route: one LineString per movement leg (real link shapes),
    one Point per hub event, with the leg's columns as properties.

    First- and last-mile legs (node ``-1``: a place off the network) start or end at the
    place's coordinates (``route.origin_place`` / ``route.destination_place``).
    ``encoded=True`` (for orjson, the HTTP API): the coordinates of lines on link shapes
    are ``orjson.Fragment`` (JSON text joined from pieces encoded once per link,
    :meth:`ShapeIndex.line_json`); ``orjson.dumps`` writes the same bytes as without.
    ``records``: the route's :func:`leg_records` when the caller has them already (used
    as the properties, not copied).
    ``cut=True`` (files for GIS): a leg crossing the antimeridian is a ``MultiLineString``
    cut at 180° (:func:`serai.network.geo.cut_antimeridian`), every longitude in
    [-180, 180]; by default (maps, the HTTP API) it is one continuous ``LineString`` that
    goes on past ±180°.
    """
    if cut and encoded:
        raise ValueError("cut=True gives plain coordinates: use it without encoded=True")
    ix = ShapeIndex.of(network)
    data = route.leg_data
    n_legs = len(data.get("seq", ()))
    link_ids, node_path = data.get("link_ids", ()), data.get("node_path", ())
    feats = []
    records = leg_records(route) if records is None else records
    encoded_lines = encoded_moves(ix, records, link_ids, decimals) if encoded else {}
    for i, props in enumerate(records):
        got = encoded_lines.get(i)
        if got is not None:
            import orjson

            geom = {"type": "LineString", "coordinates": orjson.Fragment(got)}
        else:
            geom = leg_geometry(ix, route, props, link_ids[i], node_path[i], n_legs, decimals)
            if geom is None:
                continue
            if cut and geom["type"] == "LineString":
                geom = _cut(geom, decimals)
        feats.append({"type": "Feature", "geometry": geom, "properties": props})
    return feats


def encoded_moves(
    ix: ShapeIndex, records: Sequence[Any], link_ids: Sequence[Any], decimals: int = 4
) -> dict[int, bytes]:
    """The coordinates of the movement legs drawn on link shapes as JSON text, by leg index
    (:meth:`ShapeIndex.lines_json`, all legs in one pass; legs with fewer than 2 points on
    shapes are left out: :func:`leg_geometry` draws them). ``records``: each leg's
    ``kind`` (a mapping with that key, or the value itself)."""
    kinds = [p["kind"] if isinstance(p, dict) else p for p in records]
    legs = [i for i, k in enumerate(kinds) if k == "move" and len(link_ids[i])]
    got = ix.lines_json([link_ids[i] for i in legs], decimals)
    return {i: g[0] for i, g in zip(legs, got, strict=True) if g is not None and g[1] >= 2}


def leg_geometry(
    ix: ShapeIndex,
    route: Any,
    props: Any,
    link_ids: Any,
    node_path: Any,
    n_legs: int,
    decimals: int = 4,
) -> dict[str, Any] | None:
    """The GeoJSON geometry of one leg (``props``: its ``kind``, ``seq``, ``from_node`` and
    ``to_node``), point by point: a movement leg's line on its links' shapes, or a straight
    line through its nodes (services, first/last-mile legs); a hub event's point; None when
    there is nothing to draw."""

    def place_xy(origin: bool) -> list[float] | None:
        p = getattr(route, "origin_place" if origin else "destination_place", None)
        if p is None or not (p.lon == p.lon and p.lat == p.lat):
            return None
        return [float(p.lon), float(p.lat)]

    def node_xy(node: Any, origin: bool) -> list[float] | None:
        node = int(node)
        return place_xy(origin) if node < 0 else ix.node(node)

    if props["kind"] == "move":
        line = ix.line(link_ids) if len(link_ids) else np.empty((0, 2))
        if len(line) < 2:  # services (ferries) and first/last-mile legs: straight segments
            pts = [node_xy(props["from_node"], True)]
            pts += [node_xy(n, True) for n in node_path]
            pts += [node_xy(props["to_node"], False)]
            pts = [p for j, p in enumerate(pts) if p is not None and (j == 0 or p != pts[j - 1])]
            line = np.array(pts, float).reshape(-1, 2)
        if len(line) < 2:
            return None
        return {"type": "LineString", "coordinates": np.round(line, decimals).tolist()}
    p = node_xy(props["from_node"], props["seq"] < n_legs / 2)
    if p is None:
        return None
    return {"type": "Point", "coordinates": np.round(p, decimals).tolist()}


def _cut(geom: dict[str, Any], decimals: int) -> dict[str, Any]:
    """A LineString cut at the antimeridian (crossing latitudes rounded as the points)."""
    got = cut_geojson_line(geom)
    if got is geom or got["type"] != "MultiLineString":
        return got
    return {
        "type": "MultiLineString",
        "coordinates": [np.round(p, decimals).tolist() for p in got["coordinates"]],
    }


def route_wkt(route: Any, network: Any, *, decimals: int = 4) -> str:
    """The route's path as a WKT MULTILINESTRING (one part per movement leg; a leg crossing
    the antimeridian in two parts meeting at ±180°, every longitude in [-180, 180])."""
    parts: list[Sequence] = []
    for f in route_features(route, network, decimals=decimals, cut=True):
        g = f["geometry"]
        if g["type"] == "LineString":
            parts.append(g["coordinates"])
        elif g["type"] == "MultiLineString":
            parts.extend(g["coordinates"])
    parts = [p for p in parts if len(p) >= 2]
    if not parts:
        return "MULTILINESTRING EMPTY"
    body = ", ".join(
        "(" + ", ".join(f"{x:.{decimals}f} {y:.{decimals}f}" for x, y in p) + ")" for p in parts
    )
    return f"MULTILINESTRING ({body})"


def route_geodataframe(route: Any, network: Any) -> Any:
    """Legs and hub events of a route as a GeoDataFrame (EPSG:4326); needs GeoPandas.

    A leg crossing the antimeridian is a MultiLineString cut at ±180° (every longitude in
    [-180, 180]); the others are LineStrings (Points for hub events)."""
    try:
        import geopandas as gpd
        import shapely
    except ImportError:
        from serai.errors import OptionalDependencyError

        raise OptionalDependencyError("geopandas", "gis") from None
    feats = route_features(route, network, decimals=6, cut=True)
    props = pd.DataFrame([f["properties"] for f in feats])
    geoms = [shapely.geometry.shape(f["geometry"]) for f in feats]
    return gpd.GeoDataFrame(props, geometry=geoms, crs="EPSG:4326")
