"""The years a network covers, and the one check of every year argument.

A network may declare the years it covers (``meta["years"] = [first, last]``).
The embedded Eurasian network covers the years of the openings it records
(``open_year`` of nodes, links, border crossings and expansions,
:func:`opening_span`): before the first, what is open today is not dated, so the
network of an earlier year would be today's network less what opened later, not
that year's network; after the last, no change is recorded, so a later year would
be the last year's network under another name. It records openings from 2013 (the
Uzen-Bolashak line, towards Turkmenistan) to 2030 (the China-Kyrgyzstan-Uzbekistan,
Nakhchivan and TRIPP lines of the facts): it covers 2013..2030.

:func:`check_year` refuses a year outside that range (:class:`serai.errors.InputError`
naming the argument and the range). It is the gate of every entry point:
:func:`serai.data.load_network` (CLI, Python API, service), a year asked of
:func:`serai.freight.build_routing_graph` for a network loaded without one, the
CLI's ``--year`` before any work (:func:`covered_years`), the service's router pool
and job submissions. A network that declares no years (a TNTP or test network) is
taken as it is for any year in 1800..2200.

Examples
--------
>>> from serai.data.years import check_year
>>> check_year(2025, (2013, 2030))
2025
>>> check_year(1990, (2013, 2030))
Traceback (most recent call last):
...
serai.errors.InputError: field 'year': year 1990 is outside the years the network covers, 2013..2030; give a year in 2013..2030, or none for today's network
>>> check_year("abc", (2013, 2030), field="--year")
Traceback (most recent call last):
...
serai.errors.InputError: field '--year': year must be a whole number, got 'abc'
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from serai.errors import InputError

__all__ = [
    "DATED_TABLES",
    "SANE_YEARS",
    "check_year",
    "covered_years",
    "network_years",
    "opening_span",
    "whole_year",
]

DATED_TABLES = ("nodes", "links", "border_crossings", "expansions")
SANE_YEARS = (1800, 2200)  # a network declaring no years: the tables' own year check


def opening_span(tables: Any) -> tuple[int, int] | None:
    """First and last ``open_year`` of the :data:`DATED_TABLES` in ``tables`` (a
    mapping of name to DataFrame); None when nothing is dated.

    >>> import pandas as pd
    >>> opening_span({"links": pd.DataFrame({"open_year": [None, 2014, 2030]}),
    ...               "nodes": pd.DataFrame({"open_year": [2013]})})
    (2013, 2030)
    >>> opening_span({"links": pd.DataFrame({"length": [1.0]})}) is None
    True
    """
    import pandas as pd

    lo, hi = None, None
    for name in DATED_TABLES:
        t = tables.get(name)
        if t is None or "open_year" not in getattr(t, "columns", ()):
            continue
        v = pd.to_numeric(t["open_year"], errors="coerce").dropna()
        if len(v):
            lo = int(v.min()) if lo is None else min(lo, int(v.min()))
            hi = int(v.max()) if hi is None else max(hi, int(v.max()))
    return None if lo is None else (lo, hi)


def network_years(net: Any) -> tuple[int, int] | None:
    """The years ``net`` declares it covers (``meta["years"]``); None: none declared.

    >>> from types import SimpleNamespace
    >>> network_years(SimpleNamespace(meta={"years": [2013, 2030]}))
    (2013, 2030)
    >>> network_years(SimpleNamespace(meta={})) is None
    True
    """
    years = (getattr(net, "meta", None) or {}).get("years")
    if not years:
        return None
    a, b = years
    return int(a), int(b)


@cache
def covered_years(path: Path | None = None) -> tuple[int, int] | None:
    """:func:`network_years` of the network at ``path`` (None: the embedded one).

    The embedded network's span is read from the ``open_year`` columns alone (a
    tenth of loading the network), so a command or the service checks a year
    before it loads or builds anything.
    """
    if path is not None:
        from serai.network import read_network

        return network_years(read_network(path))
    import pyarrow.parquet as pq

    from serai.data import eurasia_path

    root = eurasia_path()
    tables = {}
    for name in DATED_TABLES:
        f = root / f"{name}.parquet"
        if f.exists() and "open_year" in pq.read_schema(f).names:
            tables[name] = pq.read_table(f, columns=["open_year"]).to_pandas()
    return opening_span(tables)


def whole_year(year: Any, *, field: str = "year") -> int:
    """``year`` as an int (``"2025"`` from a form or a table cell too); its range is
    checked by :func:`check_year` once the network is known."""
    from serai._checks import check_number

    if isinstance(year, str):  # never "abc" or "2025.5"
        text = year.strip()
        if not text.lstrip("-").isdigit() or len(text) > 12:
            raise InputError(f"year must be a whole number, got {year!r}", field=field)
        year = int(text)
    return int(check_number(year, field, low=None, integer=True, label="year"))


def check_year(year: Any, years: tuple[int, int] | None, *, field: str = "year") -> int:
    """``year`` as an int inside ``years`` (a network's :func:`network_years`; None:
    1800..2200), else :class:`~serai.errors.InputError` naming ``field`` and the range."""
    y = whole_year(year, field=field)
    lo, hi = years if years is not None else SANE_YEARS
    if lo <= y <= hi:
        return y
    if years is None:
        raise InputError(f"year {y} is outside {lo}..{hi}", field=field)
    raise InputError(
        f"year {y} is outside the years the network covers, {lo}..{hi}; give a year in "
        f"{lo}..{hi}, or none for today's network",
        field=field,
    )
