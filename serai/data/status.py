"""When an element is usable: status, opening year and dated closure, in one place.

Every table of elements (nodes, links, services, facts lines, border status
rows) may carry ``status`` (``operational`` | ``under_construction`` |
``planned``; ``open``/``existing``/empty read as operational), ``open_year``,
``closed_from`` (first year closed) and ``reopen_year`` (first year open
again; empty = still closed). ``close_year`` is read as ``closed_from``.

``year=None`` is today's network as recorded: operational elements, minus those
closed and not reopened. A year: elements opened by then (``open_year <= year``;
undated ones only when operational), minus those closed in that year.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"status": ["operational", "planned", "operational", "operational"],
...                    "open_year": [None, 2028, None, None],
...                    "closed_from": [None, None, 2022, 2022],
...                    "reopen_year": [None, None, None, 2024]})
>>> open_mask(df, None).tolist()
[True, False, False, False]
>>> open_mask(df, 2023).tolist(), open_mask(df, 2030).tolist()
([True, False, False, False], [True, True, False, True])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["OPEN_STATUS", "closed_in", "open_mask"]

OPEN_STATUS = ("open", "operational", "existing", "")


def _num(df: pd.DataFrame, name: str) -> np.ndarray:
    if name not in df.columns:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=float)


def closed_in(df: pd.DataFrame, year: int | None) -> np.ndarray:
    """Rows closed in ``year`` by ``closed_from`` / ``reopen_year`` (``close_year`` alias).

    A row of a border-status table (``status`` ``closed``) without ``closed_from``
    is closed in every year.
    """
    cf = _num(df, "closed_from")
    cy = _num(df, "close_year")
    cf = np.where(np.isnan(cf), cy, cf)
    ry = _num(df, "reopen_year")
    shut_status = (
        df["status"].astype(str).str.strip().str.lower().eq("closed").to_numpy()
        if "status" in df.columns
        else np.zeros(len(df), bool)
    )
    with np.errstate(invalid="ignore"):
        if year is None:
            dated = np.isfinite(cf) & np.isnan(ry)
        else:
            dated = (cf <= year) & (np.isnan(ry) | (ry > year))
        undated = shut_status & np.isnan(cf) & (np.isnan(ry) | (year is not None and ry > year))
    return dated | undated


def open_mask(df: pd.DataFrame, year: int | None) -> np.ndarray:
    """Rows of ``df`` usable in ``year`` (see the module doc)."""
    if "status" in df.columns:
        status = df["status"].fillna("").astype(str).str.strip().str.lower()
        is_open = status.isin(OPEN_STATUS).to_numpy()
    else:
        is_open = np.ones(len(df), bool)
    oy = _num(df, "open_year")
    with np.errstate(invalid="ignore"):
        opened = is_open if year is None else np.where(np.isnan(oy), is_open, oy <= year)
    return np.asarray(opened, bool) & ~closed_in(df, year)
