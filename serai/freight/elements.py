"""What each virtual link stands for, as the time and tariff models see it.

:func:`link_elements` reads a :class:`~serai.freight.virtual.RoutingGraph` once and
returns per-link arrays that do not depend on parameters or commodity: rail zone of
the country, sea region, service group, whether the network's own time for the
element is a measurement (used) or an estimate (replaced by the model's parameter),
crossing ids, and gauge changes that lie at a border crossing.

Network values and the model's tables: a time given by the network for an element
(link speed, border-crossing time, gauge-change time, service crossing and wait,
transfer-link time) is used when it is not flagged as an estimate (``*_source``
starting with ``estimate`` or ``placeholder``, or ``estimate=true`` on a service);
otherwise the model's parameter for that element applies. Border crossings whose
``crossing_id`` is in ``border_times.csv`` always take the model's per-side figures
(they are direction-aware; a network's single number is not).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd

from serai.freight.params import _read, zone_of
from serai.freight.virtual import RoutingGraph

__all__ = ["Elements", "link_elements", "sea_region"]

#: Sea regions (lon_min, lon_max, lat_min, lat_max), first match wins; the rest is "deep".
SEA_REGIONS = (
    ("caspian", 46.0, 55.5, 36.0, 47.5),
    ("black_sea", 27.0, 42.0, 40.9, 47.5),
    ("mediterranean", -6.0, 37.0, 30.0, 46.0),
)
GAUGE_AT_BORDER_KM = 15.0


def sea_region(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """``caspian``, ``black_sea``, ``mediterranean`` or ``deep`` for each point.

    >>> sea_region(np.array([50.0, 35.0, 20.0, 80.0]), np.array([42.0, 43.0, 35.0, 5.0])).tolist()
    ['caspian', 'black_sea', 'mediterranean', 'deep']
    """
    lon = np.asarray(lon, float)
    lat = np.asarray(lat, float)
    out = np.full(len(lon), "deep", dtype=object)
    free = np.ones(len(lon), bool)
    for name, x0, x1, y0, y1 in SEA_REGIONS:
        m = free & (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
        out[m] = name
        free &= ~m
    return out


def _is_estimate(src: np.ndarray) -> np.ndarray:
    codes, uniq = pd.factorize(pd.Series(src, dtype=object).fillna("").astype(str).to_numpy(object))
    flag = np.array(
        [u.strip().lower().startswith(("estimate", "placeholder")) for u in uniq], dtype=bool
    )
    return flag[codes] if len(uniq) else np.zeros(len(codes), bool)


@dataclass(frozen=True, eq=False)
class Elements:
    """Per-virtual-link element attributes (arrays aligned with ``rg.vlinks`` rows)."""

    n: int
    kind: np.ndarray
    mode: np.ndarray
    layer_mode: np.ndarray  # rail, road, sea, svc (service layer), "" (place)
    layer_to: np.ndarray  # mode of the layer entered by a hub link ("" otherwise)
    event: np.ndarray
    service_mode: np.ndarray
    service: np.ndarray  # service id without the reverse suffix
    country: np.ndarray
    from_country: np.ndarray
    to_country: np.ndarray
    zone: np.ndarray
    region: np.ndarray  # sea region of the link (moves) or of its node (hubs)
    svc_group: np.ndarray  # caspian_kz, caspian_tm, caspian, black_sea, other
    km: np.ndarray
    net_speed: np.ndarray  # measured link speed (NaN: use the model)
    line: np.ndarray
    marmaray: np.ndarray
    crossing_id: np.ndarray
    crossing_known: np.ndarray  # crossing id listed in border_times.csv
    net_border_h: np.ndarray  # usable network border time (NaN: use the model)
    gauge_at_border: np.ndarray
    net_event_h: np.ndarray  # usable network gauge / transfer time (NaN: use the model)
    net_event_usd: np.ndarray
    svc_crossing_h: np.ndarray
    svc_crossing_measured: np.ndarray
    svc_freq: np.ndarray
    svc_wait_h: np.ndarray
    svc_measured: np.ndarray
    union_crossing: np.ndarray


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def link_elements(rg: RoutingGraph) -> Elements:
    """Element attributes of every virtual link of ``rg`` (cached per routing graph)."""
    hit = _CACHE.get(rg)
    if hit is None:
        hit = _build(rg)
        _CACHE[rg] = hit
    return hit


def _s(v: pd.DataFrame, col: str, default: object = "") -> np.ndarray:
    if col not in v.columns:
        return np.full(len(v), default, dtype=object)
    return v[col].fillna(default).to_numpy(object) if default == "" else v[col].to_numpy()


def _build(rg: RoutingGraph) -> Elements:
    from serai.freight.virtual import customs_union

    v = rg.vlinks
    net = rg.network
    n = len(v)
    kind = v["kind"].to_numpy(object)
    mode = v["mode"].to_numpy(object)
    codes, uniq = pd.factorize(v["layer"].astype(str).to_numpy(object))
    u_from = np.array([u.split(">")[0].split(":")[0] for u in uniq], dtype=object)
    u_to = np.array(
        [u.split(">")[-1].split(":")[0] if ">" in u else "" for u in uniq], dtype=object
    )
    layer_mode = u_from[codes] if len(uniq) else np.full(n, "", dtype=object)
    layer_to = u_to[codes] if len(uniq) else np.full(n, "", dtype=object)
    event = v["event"].to_numpy(object)
    country = v["country"].to_numpy(object)
    fc = v["from_country"].to_numpy(object)
    tc = v["to_country"].to_numpy(object)
    move_country = np.where(country != "", country, fc)
    zone = zone_of(move_country)

    nodes = net.nodes
    nid = nodes["node_id"].to_numpy(np.int64)
    xs = pd.Series(pd.to_numeric(nodes.get("x"), errors="coerce").to_numpy(float), index=nid)
    ys = pd.Series(pd.to_numeric(nodes.get("y"), errors="coerce").to_numpy(float), index=nid)
    xs, ys = xs[~xs.index.duplicated()], ys[~ys.index.duplicated()]
    fn = v["from_node"].to_numpy(np.int64)
    tn = v["to_node"].to_numpy(np.int64)
    x0, y0 = xs.reindex(fn).to_numpy(), ys.reindex(fn).to_numpy()
    x1, y1 = xs.reindex(tn).to_numpy(), ys.reindex(tn).to_numpy()
    region = sea_region((x0 + x1) / 2, (y0 + y1) / 2)

    codes, uniq = pd.factorize(v["service_id"].astype(str).to_numpy(object))
    service = np.array([u.replace("~r", "") for u in uniq], dtype=object)[codes]
    svc = service != ""
    # service group by the sea region and countries of its two ends
    svc_group = np.full(n, "", dtype=object)
    if svc.any():
        moves = v.loc[svc & (kind == "move")]
        groups: dict[str, str] = {}
        for s_id, a, b, ca, cb in zip(
            service[svc & (kind == "move")],
            moves["from_node"].to_numpy(np.int64),
            moves["to_node"].to_numpy(np.int64),
            moves["from_country"].to_numpy(object),
            moves["to_country"].to_numpy(object),
            strict=True,
        ):
            ra = sea_region(np.array([xs.get(a, np.nan)]), np.array([ys.get(a, np.nan)]))[0]
            rb = sea_region(np.array([xs.get(b, np.nan)]), np.array([ys.get(b, np.nan)]))[0]
            if ra == rb == "caspian":
                ends = {ca, cb}
                g = "caspian_tm" if "TM" in ends else "caspian_kz" if "KZ" in ends else "caspian"
            elif ra == rb == "black_sea":
                g = "black_sea"
            else:
                g = "other"
            groups[s_id] = g
        svc_group = np.array([groups.get(s, "") for s in service], dtype=object)

    km = v["km"].to_numpy(float)
    # ---- moves: measured link speeds, line names
    links = net.links
    lid = v["link_id"].to_numpy(np.int64)
    lrow = pd.Series(np.arange(len(links)), index=links["link_id"].to_numpy(np.int64))
    lrow = lrow[~lrow.index.duplicated()]
    pos = lrow.reindex(lid).to_numpy()
    has = np.isfinite(pos)
    pos_i = np.where(has, pos, 0).astype(np.int64)
    speed = v["speed"].to_numpy(float)
    if "speed_source" in links.columns:
        ssrc = np.where(
            has, links["speed_source"].fillna("").astype(str).to_numpy(object)[pos_i], ""
        )
        speed = np.where(_is_estimate(ssrc), np.nan, speed)
    net_speed = np.where((kind == "move") & (speed > 0), speed, np.nan)
    names = (
        links["name"].fillna("").astype(str).to_numpy(object)
        if "name" in links.columns
        else np.full(len(links), "", dtype=object)
    )
    line = np.where(has & (kind == "move"), names[pos_i] if len(names) else "", "").astype(object)
    marmaray = np.array([s.strip().lower() == "marmaray" for s in line], bool)

    # ---- borders
    crossing = _s(v, "crossing_id")
    known = set(_read("border_times.csv")["crossing"].dropna().astype(str)) - {""}
    crossing_known = np.array(
        [c in known or f"{a}-{b}" in known for c, a, b in zip(crossing, fc, tc, strict=True)], bool
    )
    esrc = _s(v, "event_source")
    est = _is_estimate(esrc)
    ev_h = v["event_hours"].to_numpy(float)
    is_border = kind == "border"
    net_border_h = np.where(is_border & ~crossing_known & ~est, ev_h, np.nan)
    cc, cu = pd.factorize(np.concatenate([fc, tc]).astype(str))
    un = np.array([customs_union(c) for c in cu], dtype=object)[cc] if len(cu) else cc
    u_f, u_t = un[:n], un[n:]
    union_crossing = (u_f == u_t) & (u_f != "")

    # ---- gauge changes at a border crossing whose figures include the transshipment
    gauge = kind == "gauge"
    gauge_at_border = np.zeros(n, bool)
    bc = net.tables.get("border_crossings")
    if gauge.any() and bc is not None and {"x", "y"} <= set(bc.columns):
        from serai.freight.params import model_params

        p = model_params().table
        incl = p.loc[
            p["param_id"].str.startswith("border.rail.") & p["includes_gauge"].astype(bool),
            "param_id",
        ]
        with_gauge = {pid.split(".", 4)[4] for pid in incl if pid.count(".") >= 4}
        with_gauge_countries = {pid.split(".")[2] for pid in incl if pid.count(".") == 3}
        b = bc.loc[bc.get("mode", pd.Series("rail", index=bc.index)).astype(str) == "rail"]
        bid = (
            b["crossing_id"].fillna("").astype(str)
            if "crossing_id" in b
            else pd.Series("", index=b.index)
        )
        ca = b.get("country_a", pd.Series("", index=b.index)).astype(str)
        cb = b.get("country_b", pd.Series("", index=b.index)).astype(str)
        pair = (ca + "-" + cb).isin(with_gauge) | (cb + "-" + ca).isin(with_gauge)
        ok = (
            bid.isin(with_gauge)
            | pair
            | ca.isin(with_gauge_countries)
            | cb.isin(with_gauge_countries)
        )
        # a crossing timed by the network's own measured figure: its gauge change counts
        t_net = pd.to_numeric(b.get("time_h", pd.Series(np.nan, index=b.index)), errors="coerce")
        src = b.get("time_source", pd.Series("", index=b.index)).fillna("").astype(str)
        own = t_net.notna() & ~_is_estimate(src.to_numpy(object)) & ~bid.isin(known)
        ok &= ~own
        bx = pd.to_numeric(b.loc[ok, "x"], errors="coerce").to_numpy(float)
        by = pd.to_numeric(b.loc[ok, "y"], errors="coerce").to_numpy(float)
        if len(bx):
            gx, gy = x0[gauge], y0[gauge]
            d = _km(gx[:, None], gy[:, None], bx[None, :], by[None, :])
            gauge_at_border[gauge] = (np.nan_to_num(d, nan=np.inf) <= GAUGE_AT_BORDER_KM).any(
                axis=1
            )
    ev_usd = v["event_usd"].to_numpy(float)
    hub_rows = np.isin(kind, ["gauge", "transfer", "port"])
    net_event_h = np.where(hub_rows & ~est & (ev_h > 0), ev_h, np.nan)
    net_event_usd = np.where(gauge & ~est, ev_usd, np.nan)

    # ---- services
    hf = v["hours_fixed"].to_numpy(float)
    svc_move = svc & (kind == "move")
    svc_est = est
    return Elements(
        n=n,
        kind=kind,
        mode=mode,
        layer_mode=layer_mode,
        layer_to=layer_to,
        event=event,
        service_mode=v["service_mode"].to_numpy(object),
        service=service,
        country=move_country,
        from_country=fc,
        to_country=tc,
        zone=zone,
        region=region,
        svc_group=svc_group,
        km=km,
        net_speed=net_speed,
        line=line,
        marmaray=marmaray,
        crossing_id=crossing,
        crossing_known=crossing_known,
        net_border_h=net_border_h,
        gauge_at_border=gauge_at_border,
        net_event_h=net_event_h,
        net_event_usd=net_event_usd,
        svc_crossing_h=np.where(svc_move, hf, np.nan),
        svc_crossing_measured=svc_move & ~svc_est,
        svc_freq=_s(v, "frequency_per_week", np.nan).astype(float),
        svc_wait_h=_s(v, "svc_wait_h", np.nan).astype(float),
        svc_measured=~svc_est,
        union_crossing=union_crossing,
    )


def _km(x1, y1, x2, y2):
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, float)) for a in (x1, y1, x2, y2))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * np.arcsin(np.sqrt(h))
