"""The legs table of a route with first/last-mile legs, made when it is first read.

:func:`serai.freight.ends.splice` adds a route's first/last-mile legs
(:class:`~serai.freight.access.AccessLeg`) to its legs table. Most answers never read that
table column by column: the API writes its JSON from the parts (each remembered leg's text
made once, :func:`serai.api.wire.legs_text`). :class:`SplicedLegs` keeps the parts (the
legs before, the route's own columns, the legs after) and makes the whole table, the very
columns the splice made before (values, dtypes and value types), on the first read of a
column.

Examples
--------
>>> from serai.freight import Router, build_routing_graph
>>> from tests.freight.toy import toy_network
>>> r = Router(build_routing_graph(toy_network())).route("Almaty", "Duisburg", "container")
>>> legs = SplicedLegs(None, r.leg_data, None)
>>> list(legs) == list(r.leg_data), legs["kind"].tolist() == list(r.leg_data["kind"])
(True, True)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from serai.freight.routeresult import _LEG_COLUMNS

__all__ = ["SplicedLegs", "leg_increments"]

_NUMERIC = frozenset({"km", "hours", "wait_h", "usd", "co2e_kg"})
#: The legs table's columns of texts (object arrays after :func:`make_route`), in its order.
_TEXTS = ("kind", "mode", "layer", "from_name", "to_name", "country", "from_country",
          "to_country", "event", "time_basis", "money_basis")  # fmt: skip
#: The legs table's columns of numbers (floats), in its order.
_NUMBERS = tuple(
    c for c in _LEG_COLUMNS if c in _NUMERIC or c.startswith(("hours_", "usd_", "share_"))
)
_NUMBER_ROW = {c: i for i, c in enumerate(_NUMBERS)}
_NO_NUMBERS = np.empty(0)
_COLUMNS = frozenset(_LEG_COLUMNS)
_NO_ROWS: dict[str, list] = {}


class SplicedLegs(Mapping):
    """The legs table (``Route.leg_data``) of a route spliced with its first/last-mile legs:
    ``first``'s rows, then the route's own columns ``mid``, then ``last``'s rows.

    A read-only mapping of the columns of :data:`~serai.freight.routeresult._LEG_COLUMNS`
    (in that order), all made on the first read of one (a benign race: threads make the
    same columns); :meth:`column_list` reads a column's values from the parts."""

    __slots__ = ("_first", "_last", "_mid", "_n", "_table")

    def __init__(self, first: Any, mid: Mapping[str, Any], last: Any) -> None:
        self._first, self._mid, self._last = first, mid, last
        a = _leg_table(first)[1] if first is not None else 0
        m = _leg_table(last)[1] if last is not None else 0
        self._n = (a, len(mid.get("seq", ())), m)
        self._table: dict[str, Any] | None = None

    @property
    def n_legs(self) -> int:
        """The number of legs (rows)."""
        return sum(self._n)

    def column_list(self, col: str) -> list[Any]:
        """``self[col].tolist()`` (the values of the column made whole: numbers as floats,
        the others the very objects) without making the table."""
        a, n_mid, m = self._n
        if col == "seq":
            return list(range(a + n_mid + m))
        if self._table is not None:
            return self[col].tolist()
        if col in _NUMBER_ROW:
            mid = self._mid[col] if n_mid else _NO_NUMBERS
            if type(mid) is not np.ndarray or mid.dtype != np.float64:
                return self[col].tolist()  # converted to floats as the table converts them
            i = _NUMBER_ROW[col]
            pre = _leg_numbers(self._first)[i].tolist() if a else []
            post = _leg_numbers(self._last)[i].tolist() if m else []
            return [*pre, *mid.tolist(), *post]
        mid = _as_list(self._mid[col]) if n_mid else []
        pre = _leg_table(self._first)[0][col] if a else []
        post = _leg_table(self._last)[0][col] if m else []
        return [*pre, *mid, *post]

    def rows(self, cols: tuple[str, ...]) -> list[tuple[Any, ...]] | None:
        """The table's rows of ``cols`` (``seq`` first) as tuples of values that JSON writes
        as it writes the table's columns' values (None: read the table): the first/last-mile
        legs' rows made once per leg, the route's own rows from its columns' ``tolist``
        (numpy integers and strings as Python ones, the same JSON; its numbers float64
        arrays, copied by the table as they are)."""
        a, n_mid, m = self._n
        mid = self._mid
        if self._table is not None or cols[0] != "seq" or (n_mid and _mixed(mid)):
            return None
        out: list[tuple[Any, ...]] = []
        if a:
            out += [(i, *row) for i, row in enumerate(_leg_rows(self._first, cols))]
        if n_mid:
            vals = [
                v.tolist() if hasattr(v, "tolist") else list(v)
                for v in map(mid.__getitem__, cols[1:])
            ]
            out += zip(range(a, a + n_mid), *vals, strict=True)
        if m:
            b = a + n_mid
            out += [(b + j, *row) for j, row in enumerate(_leg_rows(self._last, cols))]
        return out

    def __getitem__(self, col: str) -> Any:
        table = self._table
        if table is None:
            if col not in _COLUMNS:
                raise KeyError(col)
            table = self._table = self._make()
        return table[col]

    def __iter__(self) -> Iterator[str]:
        return iter(_LEG_COLUMNS)

    def __len__(self) -> int:
        return len(_LEG_COLUMNS)

    def __contains__(self, col: object) -> bool:
        return col in _COLUMNS

    def __repr__(self) -> str:
        return f"SplicedLegs({dict(self)!r})"

    def _make(self) -> dict[str, Any]:
        """The columns: numbers in one (columns, legs) float block, texts in one block of
        objects when the route's are object arrays, the others as object arrays."""
        first, data, last = self._first, self._mid, self._last
        a, n_mid, m = self._n
        pre = _leg_table(first)[0] if a else _NO_ROWS
        post = _leg_table(last)[0] if m else _NO_ROWS
        b = a + n_mid
        n = b + m
        block = np.empty((len(_NUMBERS), n))
        if a:
            block[:, :a] = _leg_numbers(first)
        if n_mid:
            block[:, a:b] = [data[col] for col in _NUMBERS]
        if m:
            block[:, b:] = _leg_numbers(last)
        cols = dict(zip(_NUMBERS, block, strict=True))
        mids = [data[col] for col in _TEXTS] if n_mid else []
        if all(type(x) is np.ndarray and x.dtype == object and x.ndim == 1 for x in mids):
            block = np.empty((len(_TEXTS), n), dtype=object)
            if a:
                block[:, :a] = _leg_texts(first)
            for i, x in enumerate(mids):
                block[i, a:b] = x  # the same objects
            if m:
                block[:, b:] = _leg_texts(last)
            cols.update(zip(_TEXTS, block, strict=True))
        arr = {}
        for col in _LEG_COLUMNS:
            if col == "seq":
                arr[col] = _objects(list(range(n)))
            elif col in cols:
                arr[col] = cols[col]
            else:  # lists, numpy values (kept as numpy scalars)
                mid = _as_list(data[col]) if n_mid else []
                arr[col] = _objects((pre[col] if a else []) + mid + (post[col] if m else []))
        return arr


def _mixed(mid: Mapping[str, Any]) -> bool:
    """Not every column of numbers of ``mid`` a float64 array (then read column by column)."""
    for col in _NUMBERS:
        x = mid[col]
        if type(x) is not np.ndarray or x.dtype != np.float64:
            return True
    return False


def leg_increments(leg: Any) -> tuple[Any, ...]:
    """What a leg adds to a route's totals, in the order :func:`~serai.freight.ends.splice`
    adds them: km, hours, usd, gc_usd, usd_tariff, usd_hub, usd_border, hours_motion,
    hours_rest, hours_dwell, hours_border_out, hours_border_in, hours_hub, usd_carbon,
    co2e_kg, then hours and money by basis (tuples). Made once per leg (a leg is frozen;
    the same values as its properties give)."""
    got = leg.__dict__.get("_increments")
    if got is None:
        got = (
            leg.km, leg.hours, leg.usd, leg.gc_usd, leg.usd_tariff, leg.component("usd_hub"),
            leg.component("usd_border"), leg.hours_motion, leg.hours_rest,
            leg.component("hours_dwell"), leg.component("hours_border_out"),
            leg.component("hours_border_in"), leg.hours_hub, leg.carbon_usd, leg.co2e_kg,
            tuple(leg.hours_by_basis), tuple(leg.usd_by_basis),
        )  # fmt: skip
        object.__setattr__(leg, "_increments", got)  # not a field: eq, hash and repr ignore it
    return got


def _leg_rows(leg: Any, cols: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """The leg's rows of ``cols[1:]`` as the table spliced with it holds them (numbers as
    floats, :func:`_leg_numbers`; the others the values of :func:`_leg_table`), made once
    per leg and columns."""
    memo = leg.__dict__.get("_rows")
    if memo is None:
        memo = {}
        object.__setattr__(leg, "_rows", memo)  # not a field: eq, hash and repr ignore it
    got = memo.get(cols)
    if got is None:
        table, _ = _leg_table(leg)
        numbers = _leg_numbers(leg).tolist()
        vals = [numbers[_NUMBER_ROW[c]] if c in _NUMBER_ROW else table[c] for c in cols[1:]]
        got = memo[cols] = list(zip(*vals, strict=True))
    return got


def _leg_table(leg: Any) -> tuple[dict[str, list], int]:
    """The leg's rows of the legs table as {column: values} (and their number), made once per
    leg (a leg is frozen; remembered legs are spliced into many routes)."""
    got = leg.__dict__.get("_table")
    if got is None:
        rows = leg.rows()
        got = ({col: [r.get(col) for r in rows] for col in _LEG_COLUMNS}, len(rows))
        object.__setattr__(leg, "_table", got)  # not a field: eq, hash and repr ignore it
    return got


def _leg_numbers(leg: Any) -> np.ndarray:
    """The leg's rows of the legs table's columns of numbers (:data:`_NUMBERS`, legs), as
    floats, made once per leg (as :func:`_leg_table`)."""
    got = leg.__dict__.get("_numbers")
    if got is None:
        table, _ = _leg_table(leg)
        got = np.array([table[col] for col in _NUMBERS], dtype=float)
        got.setflags(write=False)
        object.__setattr__(leg, "_numbers", got)  # not a field, as _table
    return got


def _leg_texts(leg: Any) -> np.ndarray:
    """The leg's rows of the legs table's text columns (:data:`_TEXTS`, legs) as an object
    array of the values of :func:`_leg_table`, made once per leg."""
    got = leg.__dict__.get("_texts")
    if got is None:
        table, k = _leg_table(leg)
        got = np.empty((len(_TEXTS), k), dtype=object)
        for i, col in enumerate(_TEXTS):
            for j, v in enumerate(table[col]):
                got[i, j] = v
        got.setflags(write=False)
        object.__setattr__(leg, "_texts", got)  # not a field, as _table
    return got


def _as_list(values: Any) -> list[Any]:
    """``list(values)``: the same items (an object array's own objects, read by ``tolist``,
    which is faster than iterating; other arrays item by item, numpy scalars as before)."""
    if isinstance(values, np.ndarray) and values.dtype == object and values.ndim == 1:
        return values.tolist()
    return list(values)


def _objects(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
