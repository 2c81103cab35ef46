"""Row edits of element tables by year: open and close rows, merge closures, stamp sources.

Plain functions over a table (links, nodes, services, expansions, capacities) and a
row mask, used by :func:`serai.scenarios.apply.apply_network`; the one availability
rule that reads the columns they set is :func:`serai.data.status.open_mask`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from serai.scenarios.model import Scenario

__all__: list[str] = []


def _num(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df.columns:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[col], errors="coerce").to_numpy(float)


def _set_int(df: pd.DataFrame, col: str, values: np.ndarray) -> None:
    arr = pd.array(np.where(np.isfinite(values), np.round(values), np.nan), dtype="Float64")
    df[col] = arr.astype("Int64")


def _is_open_by(df: pd.DataFrame, year: int) -> np.ndarray:
    from serai.data.status import open_mask

    return open_mask(df, year)


def _open_rows(df: pd.DataFrame, m: np.ndarray, year: int) -> None:
    """Open rows ``m`` by ``year``: an earlier opening is kept; closures are lifted."""
    if not m.any():
        return
    oy = _num(df, "open_year")
    st = (
        df["status"].fillna("").astype(str).str.lower().to_numpy()
        if "status" in df.columns
        else np.full(len(df), "")
    )
    from serai.data.status import OPEN_STATUS

    open_now = np.isin(st, OPEN_STATUS) & np.isnan(oy)
    new = np.where(np.isnan(oy), float(year), np.minimum(oy, float(year)))
    oy = np.where(m & ~open_now, new, oy)
    _set_int(df, "open_year", oy)
    for c in ("closed_from", "reopen_year", "close_year"):
        if c in df.columns:
            v = _num(df, c)
            v[m] = np.nan
            _set_int(df, c, v)
    if "closure_id" in df.columns:
        cid = df["closure_id"].astype(str).to_numpy(object).copy()
        cid[m] = ""
        df["closure_id"] = pd.array(cid, dtype=df["closure_id"].dtype)


def _close_rows(df: pd.DataFrame, m: np.ndarray, from_year, reopen_year) -> None:
    cf = np.full(len(df), np.nan) if "closed_from" not in df.columns else _num(df, "closed_from")
    ry = np.full(len(df), np.nan) if "reopen_year" not in df.columns else _num(df, "reopen_year")
    new_cf = np.full(len(df), 0.0 if from_year is None else float(from_year))
    new_ry = np.full(len(df), np.nan if reopen_year is None else float(reopen_year))
    _merge_closure(df, m, new_cf, new_ry, cf, ry)


def _merge_closure(df, m, new_cf, new_ry, cf=None, ry=None) -> None:
    """Closed from the earlier date until the later reopening (never: stays closed)."""
    cf = _num(df, "closed_from") if cf is None else cf
    ry = _num(df, "reopen_year") if ry is None else ry
    was = np.isfinite(cf)
    out_cf = np.where(m, np.where(was, np.fmin(cf, new_cf), new_cf), cf)
    never = (was & np.isnan(ry)) | np.isnan(new_ry)
    later = np.fmax(np.where(was, ry, new_ry), new_ry)
    out_ry = np.where(m, np.where(never, np.nan, later), ry)
    _set_int(df, "closed_from", out_cf)
    _set_int(df, "reopen_year", out_ry)


def _stamp(t: pd.DataFrame, rows: np.ndarray, s: Scenario, r: dict, extra: str = "") -> None:
    src = r.get("source") or "estimate"
    note = f"scenario {s.name}: {extra} {r.get('note', '')}".strip()
    for col, val in (("source_id", src), ("note", note)):
        if col in t.columns:
            t[col] = t[col].astype(object)
            t.loc[rows, col] = val
    if "estimate" in t.columns and r.get("estimate"):
        t["estimate"] = t["estimate"].astype(object)
        t.loc[rows, "estimate"] = "true"
