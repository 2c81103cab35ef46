"""Reading a route back: from the graph edges a search found to a :class:`Route`.

Consecutive virtual links of one mode in one country become a movement leg, hub
links become events (transfer, gauge change, port, boarding, border); every node
gets a readable label (:func:`node_labels`). Plain numpy, no groupby.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from serai.freight import _assembly as asm
from serai.freight.constraints import Constraints
from serai.freight.corridors import corridor_label
from serai.freight.labels import _COMPASS as _COMPASS
from serai.freight.labels import _LABEL_ARRAYS as _LABEL_ARRAYS
from serai.freight.labels import _bearing_labels as _bearing_labels
from serai.freight.labels import _label_arrays as _label_arrays
from serai.freight.labels import _label_of as _label_of
from serai.freight.labels import _target_countries as _target_countries
from serai.freight.labels import node_labels
from serai.freight.params import TIME
from serai.freight.routecost import leg_sums, route_components, route_totals, totals_of
from serai.freight.routeresult import _LEG_COLUMNS, Route

if TYPE_CHECKING:
    from serai.freight.cost import LinkCosts
    from serai.freight.route import Router

__all__ = ["make_route", "node_labels"]

_NT = len(TIME)


def _water_crossings(legs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(country before, country after) of every stretch of sea or ferry legs."""
    out = []
    before = ""
    inside = False
    kinds, modes, countries = (_as_list(legs[c]) for c in ("kind", "mode", "country"))
    for kind, mode, c in zip(kinds, modes, countries, strict=True):
        if kind == "move" and mode in ("sea", "ferry"):
            inside = True
            continue
        if inside and c:
            out.append((before, c))
        inside = False
        before = c or before
    return out


def _as_list(values: Any) -> Any:
    """An object array as a list of its objects (faster to iterate); anything else as is."""
    if isinstance(values, np.ndarray) and values.dtype == object:
        return values.tolist()
    return values


class _Codes:
    """Integer codes of the virtual-link columns that cut a route into legs (one per column
    set, made once): comparing small ints is what makes a legs table cheap."""

    def __init__(self, cols: Mapping[str, np.ndarray]) -> None:
        kind = cols["kind"]
        self.kind = kind
        # bit 0: first/last-mile end (access, egress); bit 1: alighting; bit 2: a movement
        self.flag = (
            np.isin(kind, ["access", "egress"]).astype(np.int8)
            | (kind == "alight").astype(np.int8) << 1
            | (kind == "move").astype(np.int8) << 2
        )
        self.road = (kind == "move") & (cols["mode"] == "road")  # road hauls: exact rests
        self.layer = pd.factorize(cols["layer"])[0].astype(np.int32)
        self.country = pd.factorize(cols["country"])[0].astype(np.int32)
        svc = cols["service_id"]
        raw = svc.astype(str)  # what the legs table shows: str of the id ...
        self.svc_len = np.char.str_len(raw).astype(np.int64)  # ... (its width) ...
        clean = np.empty(len(raw), dtype=object)
        clean[:] = [x.replace("~r", "") for x in raw.tolist()]  # ... both directions one id
        self.svc = clean
        self.has_svc = clean != ""
        self.from_node = np.asarray(cols["from_node"], np.int64)
        self.to_node = np.asarray(cols["to_node"], np.int64)
        # for the compiled pass (serai.freight._assembly): a movement once an end's kind
        # is its event, a sea leg (a sea link without a service), a row ending a road haul
        ends = (self.flag & 1) != 0
        self.move = (kind == "move") | (ends & (cols["event"] == "move"))
        self.sea = (cols["mode"] == "sea") & ~self.has_svc
        self.ends_haul = ~self.road & (kind != "border")
        self.has_passage = np.array([bool(x) for x in cols["passage"].tolist()], dtype=bool)
        bits = (
            self.svc_len << asm.WIDTH
            | self.flag.astype(np.int64) & 3
            | self.move * asm.MOVE
            | self.sea * asm.SEA
            | self.road * asm.ROAD
            | self.ends_haul * asm.ENDS_HAUL
            | self.has_passage * asm.PASSAGE
        )
        width = int(self.country.max(initial=0)) + 2  # codes from -1 (a missing value)
        group = (self.layer.astype(np.int64) + 1) * width + (self.country + 1)
        self.links = asm.link_table(bits, group, np.asarray(cols["link_id"], np.int64),
                                    self.from_node, self.to_node)  # fmt: skip
        # a leg's kind (an end's is its event, else "transfer") and mode ("ferry": a
        # movement with a service) from its first row
        self.leg_kind = kind.copy()
        self.leg_kind[ends] = np.where(cols["event"][ends] != "", cols["event"][ends], "transfer")
        # a leg is a movement (its kind "move"), as a bool per row (a comparison of objects
        # per route was a few microseconds)
        self.leg_move = self.leg_kind == "move"
        self.leg_move.setflags(write=False)
        self.leg_mode = cols["mode"].copy()
        self.leg_mode[self.move & self.has_svc] = "ferry"
        self._cols = cols
        self._event_text: np.ndarray | None = None
        self._labels: tuple[Any, np.ndarray, np.ndarray] | None = None
        self._blocks: tuple[Any, np.ndarray, np.ndarray] | None = None

    def event_text(self) -> np.ndarray:
        """The event text of a leg from its first row: "" for a movement; a hub event (a leg
        of one row): "border A>B (event)", "kind:event" or its kind. Made once (a benign
        race: threads make the same array)."""
        got = self._event_text
        if got is None:
            cols = self._cols
            got = _event_texts(self.move, self.leg_kind, cols["event"],
                               cols["from_country"], cols["to_country"])  # fmt: skip
            got.setflags(write=False)
            self._event_text = got
        return got

    def blocks(self, labels: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """The text columns a leg takes from its first row (kind, mode, layer, service id,
        from name, country, from country, event text) and from its last (to name, to
        country), one (links, columns) object array each, a link's texts side by side (the
        eight of its first row in one 64-byte aligned cache line): a route's legs take them
        in two gathers. Made once per labels Series (a benign race, as :meth:`labels`)."""
        got = self._blocks
        if got is None or got[0] is not labels:
            cols = self._cols
            from_names, to_names = self.labels(labels)
            rows_first = (self.leg_kind, self.leg_mode, cols["layer"], self.svc, from_names,
                          cols["country"], cols["from_country"], self.event_text())  # fmt: skip
            n = len(self.leg_kind)
            first, last = _aligned_objects(n, len(rows_first)), _aligned_objects(n, 2)
            for out, rows in ((first, rows_first), (last, (to_names, cols["to_country"]))):
                for i, x in enumerate(rows):
                    out[:, i] = x  # the same objects
                out.setflags(write=False)
            got = self._blocks = (labels, first, last)
        return got[1], got[2]

    def labels(self, labels: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """Labels of every virtual link's from and to node (:func:`_label_of`), made once
        per labels Series (a benign race: threads make the same arrays)."""
        got = self._labels
        if got is None or got[0] is not labels:
            both = _label_of(labels, np.concatenate([self.from_node, self.to_node]))
            n = len(self.from_node)
            got = self._labels = (labels, both[:n], both[n:])
        return got[1], got[2]


def _aligned_objects(n: int, k: int) -> np.ndarray:
    """An (n, k) object array (of None) whose rows start on 64-byte boundaries when
    ``k * 8`` is a multiple of 64."""
    buf = np.empty(n * k + 8, dtype=object)
    lo = (-buf.ctypes.data % 64) // buf.itemsize
    return buf[lo : lo + n * k].reshape(n, k)


_CODES: dict[int, tuple[np.ndarray, _Codes]] = {}
_CODES_LOCK = threading.Lock()


def _event_texts(
    move: np.ndarray, kind: np.ndarray, event: np.ndarray, from_c: np.ndarray, to_c: np.ndarray
) -> np.ndarray:
    """A leg's event text: '' for a move, 'border A>B (event)' at a border, else
    'kind:event' (or the kind alone when the event is empty or the kind itself)."""
    out = np.empty(len(kind), dtype=object)
    out[:] = [
        ""
        if m
        else f"border {a}>{b} ({e})"
        if k == "border"
        else f"{k}:{e}"
        if e != "" and e != k
        else k
        for m, k, e, a, b in zip(move.tolist(), kind.tolist(), event.tolist(), from_c.tolist(),
                                 to_c.tolist(), strict=True)
    ]  # fmt: skip
    return out


def _codes(cols: Mapping[str, np.ndarray]) -> _Codes:
    """:class:`_Codes` of a router's columns (made once per column set, thread-safe)."""
    kind = cols["kind"]
    hit = _CODES.get(id(kind))
    if hit is None or hit[0] is not kind:
        with _CODES_LOCK:
            hit = _CODES.get(id(kind))
            if hit is None or hit[0] is not kind:
                if len(_CODES) >= 8:
                    _CODES.clear()
                hit = _CODES[id(kind)] = (kind, _Codes(cols))
    return hit[1]


def _legs(
    cols: Mapping[str, np.ndarray],
    rows: np.ndarray,
    rc: tuple[np.ndarray, np.ndarray, np.ndarray],
    labels: pd.Series,
    kg_co2e: np.ndarray | None = None,
) -> dict[str, Any]:
    """Group the virtual links of a route into movement legs and hub events (numpy, no groupby).

    ``rc`` is :func:`~serai.freight.routecost.route_components` of the rows. The cuts come
    from integer codes of the columns (:class:`_Codes`); every sum of the legs is one
    ``reduceat`` over a stack of the per-link values (the same additions, in the same order,
    as one ``reduceat`` per column). Per-leg lists (link ids, node path, passages) are cut
    from lists of the whole route made once.
    """
    comps, hb, ub = rc
    cd = _codes(cols)
    hours = comps[:_NT].sum(axis=0)
    usd = comps[_NT:].sum(axis=0)
    co2 = kg_co2e[rows] if kg_co2e is not None else np.full(len(rows), np.nan)
    flag = cd.flag[rows]
    # events with neither time nor money (alighting a rail ferry) carry no information
    drop = ((flag & 3) != 0) & (hours == 0) & (usd == 0) & ~(co2 > 0)
    if drop.any():
        keep = ~drop
        rows, flag, hours, usd, co2 = rows[keep], flag[keep], hours[keep], usd[keep], co2[keep]
        comps, hb, ub = comps[:, keep], hb[:, keep], ub[:, keep]
    r = rows
    if not len(r):
        empty = {c: np.empty(0, dtype=object) for c in _LEG_COLUMNS}
        empty["km"] = np.empty(0)
        return empty
    kind = cols["kind"][r]
    event = cols["event"][r]
    ends = (flag & 1) != 0
    if ends.any():
        kind[ends] = np.where(event[ends] != "", event[ends], "transfer")
        is_move = kind == "move"
    else:
        is_move = (flag & 4) != 0
    layer_c, country_c = cd.layer[r], cd.country[r]
    n = len(r)
    brk = np.ones(n, dtype=bool)
    brk[1:] = ~(is_move[1:] & is_move[:-1] & (layer_c[1:] == layer_c[:-1])
                & (country_c[1:] == country_c[:-1]))  # fmt: skip
    start = np.flatnonzero(brk)
    stop = np.empty(len(start), np.int64)
    stop[:-1] = start[1:]
    stop[-1] = n
    last = stop - 1
    rs, rl = r[start], r[last]
    fn, tn = cols["from_node"][r], cols["to_node"][r]
    svc = cd.svc[rs].astype(f"<U{max(1, int(cd.svc_len[rs].max()))}")
    mode = cols["mode"][rs]
    k0 = kind[start]
    mv = is_move[start]
    mode[mv & cd.has_svc[rs]] = "ferry"
    fc, tc = cols["from_country"][rs], cols["to_country"][rl]
    ev0 = event[start]
    ev_txt = _event_texts(mv, k0, ev0, fc, tc)
    lid = cols["link_id"][r].tolist()
    path = np.empty(2 * n, np.int64)
    path[0::2], path[1::2] = fn, tn
    path = path.tolist()
    psg = cols["passage"][r].tolist()
    link_ids, node_path, passages = [], [], []
    for a, b in zip(start.tolist(), stop.tolist(), strict=True):
        if b - a == 1:  # a hub event or a one-link leg: most legs
            x, u, v, p = lid[a], path[2 * a], path[2 * a + 1], psg[a]
            link_ids.append([x] if x >= 0 else [])
            node_path.append([u] if u == v else [u, v])
            passages.append(";".join((p,)) if p else "")
            continue
        link_ids.append([x for x in lid[a:b] if x >= 0])
        node_path.append(list(dict.fromkeys(path[2 * a : 2 * b])))
        passages.append(";".join(dict.fromkeys(x for x in psg[a:b] if x)))
    from_node, to_node = fn[start], tn[last]
    from_names, to_names = cd.labels(labels)
    # one reduceat for every sum: km, hours, waits, USD, CO2e, components, provenance
    nc = len(comps)
    stack = np.empty((5 + nc + 2 * len(hb), n))
    stack[0] = cols["km"][r]
    stack[1] = hours
    stack[2] = comps[TIME.index("schedule")] + comps[TIME.index("queue")]
    stack[3] = usd
    stack[4] = co2
    stack[5 : 5 + nc] = comps
    stack[5 + nc : 5 + nc + len(hb)] = hb
    stack[5 + nc + len(hb) :] = ub
    red = np.add.reduceat(stack, start, axis=1)
    data = {
        "seq": np.arange(len(start)),
        "kind": k0,
        "mode": mode,
        "layer": cols["layer"][rs],
        "service_id": svc,
        "from_node": from_node,
        "to_node": to_node,
        "from_name": from_names[rs],
        "to_name": to_names[rl],
        "country": cols["country"][rs],
        "from_country": fc,
        "to_country": tc,
        "passage": passages,
        "km": red[0],
        "hours": red[1],
        "wait_h": red[2],
        "usd": red[3],
        "co2e_kg": red[4],
        "event": ev_txt,
        "link_ids": link_ids,
        "node_path": node_path,
        **leg_sums(red[5 : 5 + nc], red[5 + nc :]),
    }
    return data


def line_names(router: Router, rows: np.ndarray) -> set[str]:
    """Names of the physical links used (for named lines such as ``cku``)."""
    if router._link_names is None:
        return set()
    names = _row_line_names(router)
    named = router.__dict__.get("_row_named")
    if named is None or named[0] is not names:
        named = router._row_named = (names, names != "")  # a benign race, as below
    return set(names[rows[named[1][rows]]].tolist())


def _row_line_names(router: Router) -> np.ndarray:
    """The line name of every virtual link ('' for none), made once per router: the name of
    its physical link when that is a non-empty str."""
    got = router.__dict__.get("_row_line_names")
    if got is None:
        ids = np.asarray(router._cols["link_id"], np.int64)
        keys, names = router._link_names
        pos = np.clip(np.searchsorted(keys, ids), 0, max(len(keys) - 1, 0))
        hit = (keys[pos] == ids) & (ids >= 0) if len(keys) else np.zeros(len(ids), bool)
        got = np.full(len(ids), "", dtype=object)
        got[hit] = [str(x) if isinstance(x, str) and x else "" for x in names[pos[hit]].tolist()]
        got.setflags(write=False)
        router._row_line_names = got  # a benign race: every thread makes the same array
    return got


def _place_name(router: Router, target: Any) -> str:
    """``router.places.name(target) or str(target)``, remembered per router (a pandas
    lookup per route was a tenth of a millisecond)."""
    memo = router.__dict__.get("_place_names")
    if memo is None:
        memo = router.__dict__.setdefault("_place_names", {})
    key = (type(target), target)
    got = memo.get(key)
    if got is None:
        got = router.places.name(target) or str(target)
        if len(memo) >= 65536:
            memo.clear()
        memo[key] = got
    return got


def make_route(
    router: Router,
    edges: np.ndarray,
    o: Any,
    d: Any,
    lc: LinkCosts,
    objective: str,
    cons: Constraints,
) -> Route:
    """The :class:`Route` of an edge sequence found by a search: legs, totals, corridor."""
    rows = router.rg.graph.link_rows[np.asarray(edges, np.int64)]
    em = lc.kg_co2e
    c = lc.commodity
    cd = _codes(router._cols)
    tab = asm.rows_of(router, lc, cd.links) if asm.plain(lc) else None
    got = None if tab is None else asm.route_parts(router._cols, cd, rows, lc, router.labels, tab)
    if got is not None:
        cols, tot, km, sea_km, move = got
        k = len(lc.comps)
        totals = {
            "km": km,
            **totals_of(tot[:k], tot[k : k + 3], tot[k + 3 : k + 6], c.vot_usd_per_unit_h,
                        tot[k + 6]),
            "co2e_kg": tot[k + 7],
        }  # fmt: skip
    else:  # costs of another dtype: the numpy path
        rc = route_components(lc, rows, router._cols["kind"][rows], None, cd.road[rows])
        cols = _legs(router._cols, rows, rc, router.labels, em)
        move = cols["kind"] == "move"
        lkm, lmode = np.asarray(cols["km"], float), cols["mode"]
        km = float(lkm[move].sum())
        sea_km = float(lkm[move & (lmode == "sea")].sum())
        totals = {
            "km": km,
            **route_totals(*rc, c.vot_usd_per_unit_h, float(lc.carbon_usd[rows].sum())),
            "co2e_kg": float(em[rows].sum()) if em is not None else float("nan"),
        }
    lcountry, lsvc = cols["country"], cols["service_id"]
    countries = tuple(dict.fromkeys(x for x in lcountry[move] if x))
    psg = rows[cd.has_passage[rows]]
    passages = tuple(dict.fromkeys(router._cols["passage"][psg].tolist())) if len(psg) else ()
    services = tuple(dict.fromkeys(x for x in lsvc[move] if x))
    ferry_pairs = _water_crossings(cols)
    lines = line_names(router, rows)
    label = corridor_label(countries, passages, ferry_pairs, sea_km / km if km else 0.0, lines)
    return _new_route(
        origin=o,
        destination=d,
        origin_name=_place_name(router, o),
        destination_name=_place_name(router, d),
        commodity=c.commodity,
        unit=c.unit,
        objective=objective,
        vlink_rows=rows,
        leg_data=MappingProxyType(cols),
        totals=MappingProxyType(totals),
        corridor=label,
        countries=countries,
        passages=passages,
        services=services,
        constraints=cons,
        routing_graph=router.rg if em is not None else None,
        pricing=(router.rg, c, lc.crew, lc.params),
    )


def _new_route(**values: Any) -> Route:
    """``Route(**values)`` without the frozen dataclass's ``__init__`` (a ``setattr`` per
    field): the fields not given take their defaults (made once: immutable values)."""
    new = object.__new__(Route)
    state = new.__dict__
    state.update(_route_defaults())
    state.update(values)
    return new


def _route_defaults() -> dict[str, Any]:
    got = _ROUTE_DEFAULTS.get(Route)
    if got is None:
        import dataclasses

        got = {}
        for f in dataclasses.fields(Route):
            if f.default is not dataclasses.MISSING:
                got[f.name] = f.default
            elif f.default_factory is not dataclasses.MISSING:
                got[f.name] = f.default_factory()
        _ROUTE_DEFAULTS[Route] = got
    return got


_ROUTE_DEFAULTS: dict[type, dict[str, Any]] = {}
