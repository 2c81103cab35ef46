"""Border status for freight by country pair, mode, place and year (table ``border_status``).

A row closes (``status=closed``) the crossings between ``country_a`` and
``country_b`` for one ``mode`` (``rail``, ``road`` or ``all``) from
``closed_from`` until ``reopen_year`` (empty: still closed); an optional box
(``lon_min, lat_min, lon_max, lat_max``) limits it to the crossings inside.
:func:`link_closures` stamps those dates on the border links of a network, so
the one availability rule (:func:`serai.data.status.open_mask`) drops them,
and a scenario reopens a border by giving it a ``reopen_year``
(:func:`reopen_border`).

Examples
--------
>>> import pandas as pd
>>> nodes = pd.DataFrame({"node_id": [1, 2, 3], "x": [36.0, 36.2, 36.4], "y": [50.0, 50.1, 50.2],
...                       "country": ["RU", "UA", "UA"]})
>>> links = pd.DataFrame({"link_id": [1, 2], "from_node": [1, 2], "to_node": [2, 3],
...                       "mode": ["rail", "rail"]})
>>> bs = pd.DataFrame({"status_id": ["ru_ua"], "country_a": ["RU"], "country_b": ["UA"],
...                    "mode": ["all"], "status": ["closed"], "closed_from": [2022],
...                    "reopen_year": [None]})
>>> link_closures(links, nodes, bs)[["closed_from", "closure_id"]].values.tolist()
[[2022.0, 'ru_ua'], [nan, '']]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["link_closures", "reopen_border"]


def _num(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df.columns:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[col], errors="coerce").to_numpy(float)


def link_closures(
    links: pd.DataFrame, nodes: pd.DataFrame, border_status: pd.DataFrame
) -> pd.DataFrame:
    """Closure of every link by the border-status rows: ``closed_from``, ``reopen_year``, ``closure_id``.

    Only rail and road links whose end nodes lie in two different countries
    are matched. When several rows match one link, the earliest closure wins. A
    link that opens after a closure began (its own ``open_year`` later than
    ``closed_from``: a new line agreed across that border, such as TRIPP through
    Armenia) is not closed by it.
    """
    n = nodes.set_index("node_id")
    ca = n["country"].reindex(links["from_node"]).fillna("").astype(str).to_numpy()
    cb = n["country"].reindex(links["to_node"]).fillna("").astype(str).to_numpy()
    mx = (
        n["x"].reindex(links["from_node"]).to_numpy(float)
        + n["x"].reindex(links["to_node"]).to_numpy(float)
    ) / 2
    my = (
        n["y"].reindex(links["from_node"]).to_numpy(float)
        + n["y"].reindex(links["to_node"]).to_numpy(float)
    ) / 2
    mode = links["mode"].astype(str).to_numpy()
    cross = np.isin(mode, ["rail", "road"]) & (ca != cb) & (ca != "") & (cb != "")
    opens = (
        pd.to_numeric(links["open_year"], errors="coerce").to_numpy(float)
        if "open_year" in links.columns
        else np.full(len(links), np.nan)
    )
    closed_from = np.full(len(links), np.nan)
    reopen = np.full(len(links), np.nan)
    cid = np.full(len(links), "", dtype=object)
    bs = border_status
    if bs is None or not len(bs):
        return pd.DataFrame({"closed_from": closed_from, "reopen_year": reopen, "closure_id": cid})
    st = bs["status"].astype(str).str.lower().to_numpy()
    cf, ry = _num(bs, "closed_from"), _num(bs, "reopen_year")
    box = np.column_stack([_num(bs, c) for c in ("lon_min", "lat_min", "lon_max", "lat_max")])
    for k in range(len(bs)):
        if st[k] != "closed":
            continue
        a, b, m = str(bs["country_a"].iat[k]), str(bs["country_b"].iat[k]), str(bs["mode"].iat[k])
        hit = cross & (((ca == a) & (cb == b)) | ((ca == b) & (cb == a)))
        if m not in ("all", ""):
            hit &= mode == m
        if np.isfinite(box[k]).all():
            lo0, la0, lo1, la1 = box[k]
            hit &= (mx >= lo0) & (mx <= lo1) & (my >= la0) & (my <= la1)
        start = cf[k] if np.isfinite(cf[k]) else -np.inf
        hit &= ~(opens > start)  # built after the closure began: not closed by it
        take = hit & ~(closed_from <= start)  # earliest closure wins
        closed_from[take] = start
        reopen[take] = ry[k]
        cid[take] = str(bs["status_id"].iat[k]) if "status_id" in bs.columns else f"row{k + 1}"
    closed_from[np.isinf(closed_from)] = 0.0
    return pd.DataFrame({"closed_from": closed_from, "reopen_year": reopen, "closure_id": cid})


def reopen_border(net, country_a: str, country_b: str, year: int, *, mode: str = "all"):
    """A copy of ``net`` where the closed crossings between two countries reopen in ``year``.

    The border links (by ``closure_id`` pair) and the ``border_status`` rows get
    ``reopen_year = year``; nothing else changes. Use it before choosing a year
    (:func:`serai.data.load_network` with ``scenario=``).
    """
    from serai.network.core import Network

    pair = {country_a, country_b}
    tables = dict(net.tables)
    bs = tables.get("border_status")
    ids: set[str] = set()
    if bs is not None and len(bs):
        bs = bs.copy()
        m = np.array(
            [
                {str(a), str(b)} == pair and (mode == "all" or str(mm) in (mode, "all"))
                for a, b, mm in zip(bs["country_a"], bs["country_b"], bs["mode"], strict=True)
            ]
        )
        # the shipped table is read as text (pandas 3 'str' columns): the year as the
        # column holds it (the one availability rule reads it as a number either way)
        ry = bs["reopen_year"] if "reopen_year" in bs.columns else pd.Series(np.nan, bs.index)
        text = pd.api.types.is_string_dtype(ry.dtype) and not pd.api.types.is_object_dtype(ry)
        bs["reopen_year"] = ry
        bs.loc[m, "reopen_year"] = str(int(year)) if text else year
        ids = set(bs.loc[m, "status_id"].astype(str))
        tables["border_status"] = bs
    links = tables["links"]
    if "closure_id" in links.columns and ids:
        links = links.copy()
        hit = links["closure_id"].astype(str).isin(ids).to_numpy()
        if mode != "all":
            hit &= links["mode"].astype(str).to_numpy() == mode
        ry = pd.to_numeric(links["reopen_year"], errors="coerce").astype(float)
        ry[hit] = float(year)
        links["reopen_year"] = pd.array(ry.round().astype("Int64"), dtype="Int64")
        tables["links"] = links
    return Network(tables, dict(net.meta))
