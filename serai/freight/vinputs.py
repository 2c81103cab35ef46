"""What the routing graph reads from a physical network besides nodes and links.

Availability by year (:func:`available_links`), customs unions
(:func:`customs_union`), the service table or service-mode links
(:func:`_services`), named points spanning several nodes (:func:`_point_groups`),
and the optional per-element override tables (``border_crossings``,
``gauge_breaks``) read by :func:`_node_override` and :func:`_link_text`.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from serai.errors import InputError
from serai.network.core import Network

__all__ = ["OPEN_STATUS", "SERVICE_KIND", "SERVICE_MODES", "available_links", "customs_union"]

SERVICE_MODES = ("ferry", "roro", "feeder")
# service kinds of the facts tables -> routing service modes
SERVICE_KIND = {
    "ferry": "ferry",
    "rail_ferry": "ferry",
    "roro": "roro",
    "ro_ro": "roro",
    "ro_pax": "roro",
    "ropax": "roro",
    "feeder": "feeder",
    "container_feeder": "feeder",
}
OPEN_STATUS = ("open", "operational", "existing", "")
# which layers a service carries without transshipment
_NATIVE = {"ferry": ("rail",), "roro": ("road",), "feeder": ("sea",)}


@cache
def _unions() -> dict[str, str]:
    with resources.files("serai.freight.data").joinpath("customs_unions.csv").open("rb") as fh:
        t = pd.read_csv(fh)
    out = {}
    for _, r in t.iterrows():
        for c in str(r["countries"]).split(";"):
            out[c.strip()] = f"{r['union']}:{r['border_event']}"
    return out


def customs_union(country: str) -> str:
    """``'EU:none'``, ``'EAEU:border_union'`` or ``''`` for a country code."""
    return _unions().get(country, "")


def _col(df: pd.DataFrame, name: str, default) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([default] * len(df), index=df.index)


def available_links(df: pd.DataFrame, year: int | None) -> np.ndarray:
    """Mask of rows usable in ``year``: open, or opening by then, and not closed.

    The one availability rule of :func:`serai.data.status.open_mask`: ``open``,
    ``operational`` and empty count as open; a row with another ``status``
    (planned, under_construction) and no ``open_year`` is unusable; dated
    closures (``closed_from`` .. ``reopen_year``, or ``close_year``) apply;
    ``year=None`` keeps only rows that are open today.
    """
    from serai.data.status import open_mask

    return open_mask(df, year)


def _point_groups(network: Network, phys: np.ndarray) -> pd.DataFrame:
    """(point_id, node_id) pairs of named places: ``points`` table and ``nodes.point_id``."""
    frames = []
    pts = network.tables.get("points")
    if pts is not None and {"point_id", "node_id"} <= set(pts.columns):
        frames.append(pts[["point_id", "node_id"]])
    nodes = network.nodes
    if "point_id" in nodes.columns:
        pid = nodes["point_id"].fillna("").astype(str).str.split("|")
        ex = pd.DataFrame({"point_id": pid, "node_id": nodes["node_id"].to_numpy(np.int64)})
        frames.append(ex.explode("point_id"))
    if not frames:
        return pd.DataFrame({"point_id": [], "node_id": []})
    g = pd.concat(frames, ignore_index=True)
    g["point_id"] = g["point_id"].fillna("").astype(str).str.strip()
    g = g.loc[(g["point_id"] != "") & g["node_id"].notna()]
    g["node_id"] = g["node_id"].astype(np.int64)
    g = g.loc[g["node_id"].isin(phys)].drop_duplicates()
    return g.sort_values(["point_id", "node_id"]).reset_index(drop=True)


def _gc_km(x1, y1, x2, y2) -> float:
    """Great-circle distance in km (0 when a coordinate is missing)."""
    vals = np.array([x1, y1, x2, y2], dtype=float)
    if np.isnan(vals).any():
        return 0.0
    lon1, lat1, lon2, lat2 = np.radians(vals)
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return float(2 * 6371.0088 * np.arcsin(np.sqrt(h)))


def _node_override(
    network: Network,
    table: str,
    column: str | tuple[str, ...],
    ids: np.ndarray,
    *,
    key: str = "node_id",
) -> np.ndarray:
    """Per-element values from an optional table keyed by ``key`` (NaN where absent).

    ``column`` may list alternative names; the first present is used.
    """
    t = network.tables.get(table)
    names = (column,) if isinstance(column, str) else column
    col = next((c for c in names if t is not None and c in t.columns), None)
    if t is None or col is None or key not in t.columns or not len(ids):
        return np.full(len(ids), np.nan)
    s = pd.to_numeric(t[col], errors="coerce")
    k = pd.to_numeric(t[key], errors="coerce")
    ok = k.notna() & s.notna()
    m = pd.Series(s[ok].to_numpy(float), index=k[ok].to_numpy(np.int64))
    m = m[~m.index.duplicated()]
    return m.reindex(ids).to_numpy(float)


def _text_col(df: pd.DataFrame, name: str) -> pd.Series:
    return _col(df, name, "").fillna("").astype(str)


def _bool_col(df: pd.DataFrame, name: str) -> pd.Series:
    v = _col(df, name, False)
    return v.astype(str).str.strip().str.lower().isin(["true", "1", "yes"])


def _link_text(network: Network, table: str, column: str, ids: np.ndarray) -> np.ndarray:
    """Text column of an optional table keyed by ``link_id`` ('' where absent)."""
    return _keyed_text(network, table, column, ids, "link_id")


def _node_text(network: Network, table: str, column: str, ids: np.ndarray) -> np.ndarray:
    """Text column of an optional table keyed by ``node_id`` ('' where absent)."""
    return _keyed_text(network, table, column, ids, "node_id")


def _keyed_text(network: Network, table: str, column: str, ids: np.ndarray, key: str) -> np.ndarray:
    t = network.tables.get(table)
    ids = np.asarray(ids)
    if t is None or column not in t.columns or key not in t.columns or not len(ids):
        return np.full(len(ids), "", dtype=object)
    k = pd.to_numeric(t[key], errors="coerce")
    ok = k.notna()
    m = pd.Series(t.loc[ok, column].fillna("").astype(str).to_numpy(), index=k[ok].astype(np.int64))
    m = m[~m.index.duplicated()]
    return m.reindex(np.asarray(ids, np.int64)).fillna("").to_numpy(object)


def _service_ids(sl: pd.DataFrame) -> pd.Series:
    """Service id of service links: ``service_id``, else ``name``, else ``link<id>``."""
    ids = pd.Series("link" + sl["link_id"].astype(str), index=sl.index)
    for c in ("name", "service_id"):
        if c in sl.columns:
            v = sl[c].fillna("").astype(str)
            ids = v.where(v != "", ids)
    return ids


def _services(network: Network, links: pd.DataFrame, year: int | None) -> pd.DataFrame:
    cols = [
        "service_id",
        "from_node",
        "to_node",
        "mode",
        "crossing_h",
        "frequency_per_week",
        "wait_h",
        "km",
        "passage",
        "estimate",
    ]
    frames = []
    t = network.tables.get("services")
    if t is not None and len(t) and {"from_node", "to_node"} <= set(t.columns):
        t = t.loc[available_links(t, year)]
        frames.append(
            pd.DataFrame(
                {
                    "service_id": t["service_id"].astype(str),
                    "from_node": t["from_node"].astype(np.int64),
                    "to_node": t["to_node"].astype(np.int64),
                    "mode": _col(t, "mode", "ferry")
                    .astype(str)
                    .str.lower()
                    .map(SERVICE_KIND)
                    .fillna("ferry"),
                    "crossing_h": pd.to_numeric(t["crossing_h"], errors="coerce"),
                    "frequency_per_week": pd.to_numeric(
                        _col(t, "frequency_per_week", np.nan), errors="coerce"
                    ),
                    "wait_h": pd.to_numeric(_col(t, "wait_h", np.nan), errors="coerce"),
                    "km": pd.to_numeric(_col(t, "length", 0.0), errors="coerce").fillna(0.0),
                    "passage": _col(t, "passage", "").fillna("").astype(str),
                    "directed": _col(t, "directed", False).fillna(False).astype(bool),
                    "estimate": _bool_col(t, "estimate"),
                }
            )
        )
    sl = links.loc[
        links["mode"].astype(str).isin(list(SERVICE_KIND)) & available_links(links, year)
    ]
    if len(sl):
        hours = pd.to_numeric(_col(sl, "crossing_h", np.nan), errors="coerce")
        if "free_flow_time" in sl.columns:
            hours = hours.fillna(pd.to_numeric(sl["free_flow_time"], errors="coerce") / 60.0)
        frames.append(
            pd.DataFrame(
                {
                    "service_id": _service_ids(sl),
                    "from_node": sl["from_node"].astype(np.int64),
                    "to_node": sl["to_node"].astype(np.int64),
                    "mode": _col(sl, "service_kind", "")
                    .fillna("")
                    .astype(str)
                    .where(
                        _col(sl, "service_kind", "").fillna("").astype(str) != "",
                        sl["mode"].astype(str),
                    )
                    .str.lower()
                    .map(SERVICE_KIND)
                    .fillna("ferry"),
                    "crossing_h": hours,
                    "frequency_per_week": pd.to_numeric(
                        _col(sl, "frequency_per_week", np.nan), errors="coerce"
                    ),
                    "wait_h": pd.to_numeric(_col(sl, "wait_h", np.nan), errors="coerce"),
                    "km": pd.to_numeric(_col(sl, "length", 0.0), errors="coerce").fillna(0.0),
                    "passage": _col(sl, "passage", "").fillna("").astype(str),
                    "directed": True,
                    "estimate": _text_col(sl, "time_source").str.startswith("estimate"),
                }
            )
        )
    if not frames:
        return pd.DataFrame({c: [] for c in cols})
    S = pd.concat(frames, ignore_index=True)
    bad = S["crossing_h"].isna() | (S["crossing_h"] < 0)
    if bad.any():
        r = S.loc[bad].iloc[0]
        raise InputError(
            "service needs a non-negative crossing time",
            row=str(r["service_id"]),
            field="crossing_h",
        )
    rev = S.loc[~S["directed"]].copy()
    rev["from_node"], rev["to_node"] = (
        S.loc[~S["directed"], "to_node"],
        S.loc[~S["directed"], "from_node"],
    )
    rev["service_id"] = rev["service_id"] + "~r"
    return pd.concat([S, rev], ignore_index=True)[cols]
