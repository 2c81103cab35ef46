"""Base-year demand from control totals (gravity / entropy synthesis) and growth to any year.

Each control total ``T`` between an origin set ``A`` and a destination set ``B``
of zones (``totals.csv``) is spread over the zone pairs by the doubly
constrained entropy-maximising gravity model (Wilson 1970):

``T_ij = a_i b_j O_i D_j exp(-beta d_ij / dbar)``, ``sum_j T_ij = O_i = T w_i / sum w``,
``sum_i T_ij = D_j = T w_j / sum w``

with zone weights ``w`` (``weights.csv``; 1 when not listed), great-circle
distances ``d_ij`` (``dbar`` their mean over the pairs) and the balancing
factors ``a``, ``b`` found by iterative proportional fitting (Furness). The
distances come from the zone coordinates, not the network, so the base demand
does not move when the network is rebuilt. Growth (``growth.csv``) compounds a
yearly rate per group and zone pattern from the figure's year to the target
year; totals that start later (``first_year``) or stop (``last_year``) are
switched on and off by year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from serai.demand.tables import (
    TONNES_U3O8_PER_TU,
    expand_set,
    groups,
    growth_table,
    totals_table,
    weights_table,
    zones,
)
from serai.errors import InputError

__all__ = ["BASE_YEAR", "furness", "grow", "synthesize"]

BASE_YEAR = 2024
_SCALE = {"t": 1.0, "kt": 1e3, "Mt": 1e6, "TEU": 1.0, "kTEU": 1e3, "tU": 1.0}


def furness(
    o: np.ndarray, d: np.ndarray, seed: np.ndarray, *, tol: float = 1e-12, max_iter: int = 1000
) -> np.ndarray:
    """Doubly constrained balancing of ``seed`` to row sums ``o`` and column sums ``d``.

    Examples
    --------
    >>> import numpy as np
    >>> m = furness(np.array([3.0, 1.0]), np.array([2.0, 2.0]), np.ones((2, 2)))
    >>> m.sum(axis=1).round(9).tolist(), m.sum(axis=0).round(9).tolist()
    ([3.0, 1.0], [2.0, 2.0])
    """
    if not np.isclose(o.sum(), d.sum(), rtol=1e-9):
        raise InputError("furness: row and column totals differ")
    t = seed.astype(float).copy()
    for _ in range(max_iter):
        rs = t.sum(axis=1)
        t *= np.where(rs > 0, o / np.where(rs > 0, rs, 1), 0.0)[:, None]
        cs = t.sum(axis=0)
        t *= np.where(cs > 0, d / np.where(cs > 0, cs, 1), 0.0)[None, :]
        err = np.abs(t.sum(axis=1) - o).max(initial=0.0)
        if err <= tol * max(o.sum(), 1.0):
            break
    return t


def _gc_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


def _weight_lookup(w: pd.DataFrame) -> dict[tuple[str, str], list[tuple[str, float]]]:
    """``(zone, group) -> [(role, weight), ...]`` in file order (role and group may be ``*``)."""
    out: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for z, role, grp, wt in zip(w["zone_id"], w["role"], w["group"], w["weight"], strict=True):
        out.setdefault((str(z), str(grp)), []).append((str(role), float(wt)))
    return out


def _weights(zs: list[str], group: str, role: str, w: dict) -> np.ndarray:
    """Zone weights: the first row of the group (else of group ``*``) for the role or ``*``."""
    out = np.ones(len(zs))
    for i, z in enumerate(zs):
        for grp in (group, "*"):
            hit = [wt for r, wt in w.get((z, grp), ()) if r in (role, "*")]
            if hit:
                out[i] = hit[0]
                break
    return out


def _to_group_unit(value: float, unit: str, group: str, row: int) -> float:
    g = groups().loc[group]
    if unit not in _SCALE:
        raise InputError(
            f"unknown unit '{unit}' (use t, kt, Mt, TEU, kTEU or tU)", file="totals.csv",
            row=row, field="unit",
        )  # fmt: skip
    v = float(value) * _SCALE[unit]
    if unit == "tU":
        if group != "uranium":
            raise InputError("tU is for uranium only", file="totals.csv", row=row, field="unit")
        v *= TONNES_U3O8_PER_TU
    if g["unit"] == "TEU" and unit in ("t", "kt", "Mt"):
        v /= float(g["tonnes_per_unit"])
    if g["unit"] == "t" and unit in ("TEU", "kTEU"):
        raise InputError(
            f"group '{group}' is in tonnes; give its total in t, kt or Mt", file="totals.csv",
            row=row, field="unit",
        )  # fmt: skip
    return v


def synthesize(
    year: int = BASE_YEAR,
    *,
    beta: float = 1.0,
    totals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Demand between zones by commodity group in ``year`` (long table).

    Parameters
    ----------
    year
        Target year: totals active that year, grown from the year of their figure.
    beta
        Distance deterrence of the gravity model (per mean distance of a total's pairs).
    totals
        Control totals (default: the shipped ``totals.csv``).

    Returns
    -------
    DataFrame
        ``group``, ``origin``, ``destination`` (zone ids), ``volume`` (per year, in
        the group's unit), ``unit``, ``year``, ``total_id``, ``estimate``.

    Examples
    --------
    >>> from serai.demand import synthesize
    >>> d = synthesize(2024)
    >>> sorted(d["group"].unique())[:3]
    ['containers', 'copper', 'grain']
    >>> round(d.loc[d["total_id"] == "kz_u_us", "volume"].sum())  # 3,800 tU as t U3O8
    4481
    """
    if not (np.isfinite(beta) and beta >= 0):
        raise InputError(f"beta must be >= 0, got {beta}", field="beta")
    z = zones()
    t = totals_table() if totals is None else totals
    w = _weight_lookup(weights_table())
    frames = []
    for i, r in enumerate(t.itertuples(index=False)):
        row = i + 2
        fy = getattr(r, "first_year", np.nan)
        ly = getattr(r, "last_year", np.nan)
        if pd.notna(fy) and year < int(fy):
            continue
        if pd.notna(ly) and year > int(ly):
            continue
        org = expand_set(r.origin, z, file="totals.csv", row=row)
        dst = expand_set(r.destination, z, file="totals.csv", row=row)
        total = _to_group_unit(r.value, r.unit, r.group, row)
        wo = _weights(org, r.group, "o", w)
        wd = _weights(dst, r.group, "d", w)
        lo, ld = (
            z.loc[org, ["lat", "lon"]].to_numpy(float),
            z.loc[dst, ["lat", "lon"]].to_numpy(float),
        )
        dist = _gc_km(lo[:, 0][:, None], lo[:, 1][:, None], ld[:, 0][None, :], ld[:, 1][None, :])
        same = np.array(org)[:, None] == np.array(dst)[None, :]
        dbar = dist[~same].mean() if (~same).any() else 1.0
        seed = np.exp(-beta * dist / max(dbar, 1e-9)) * (~same)
        rows_o = total * wo / wo.sum()
        cols_d = total * wd / wd.sum()
        m = furness(rows_o, cols_d, seed)
        ii, jj = np.nonzero(m > 0)
        frames.append(
            pd.DataFrame(
                {
                    "group": r.group,
                    "origin": np.array(org)[ii],
                    "destination": np.array(dst)[jj],
                    "volume": m[ii, jj],
                    "base_year": int(r.year),
                    "total_id": r.total_id,
                    "estimate": str(r.estimate).lower() == "true",
                }
            )
        )
    d = pd.concat(frames, ignore_index=True)
    d["volume"] = d["volume"] * grow(d, year)
    d["unit"] = groups().loc[d["group"], "unit"].to_numpy()
    d["year"] = int(year)
    return d[["group", "origin", "destination", "volume", "unit", "year", "total_id", "estimate"]]


def _match(pattern: str, zone: str, where: dict[str, tuple[str, str]]) -> int:
    """Specificity of a growth pattern for a zone: 2 zone id, 1 region/country, 0 '*', -1 no."""
    if pattern == "*":
        return 0
    if pattern == zone:
        return 2
    if pattern in where.get(zone, ()):
        return 1
    return -1


def grow(d: pd.DataFrame, year: int) -> np.ndarray:
    """Growth factor of each row of ``d`` (group, origin, destination, base_year) to ``year``."""
    g = growth_table()
    z = zones()
    where = {
        str(k): (str(r), str(c)) for k, r, c in zip(z.index, z["region"], z["country"], strict=True)
    }
    rules: dict[str, list[tuple]] = {}
    for gr in g.itertuples(index=False):
        rules.setdefault(str(gr.group), []).append(
            (
                str(gr.origin),
                str(gr.destination),
                int(gr.from_year),
                int(gr.to_year),
                float(gr.rate),
            )
        )
    cache: dict[tuple, float] = {}
    keys = zip(d["group"], d["origin"], d["destination"], d["base_year"], strict=True)
    out = np.ones(len(d))
    for i, (grp, o, dst, y0) in enumerate(keys):
        key = (grp, o, dst, int(y0))
        if key not in cache:
            best, pick = -1, None
            for rule in rules.get(grp, ()):
                so, sd = _match(rule[0], o, where), _match(rule[1], dst, where)
                if so < 0 or sd < 0:
                    continue
                if so + sd > best:
                    best, pick = so + sd, rule
            f = 1.0
            if pick is not None:
                y0 = int(y0)
                lo, hi = (y0 + 1, year) if year >= y0 else (year + 1, y0)
                for y in range(lo, hi + 1):
                    if pick[2] <= y <= pick[3]:
                        f *= 1.0 + pick[4]
                if year < y0:
                    f = 1.0 / f
            cache[key] = f
        out[i] = cache[key]
    return out
