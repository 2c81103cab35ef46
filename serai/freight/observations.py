"""Published transit times and tariffs, and the model's value for each: what the user sees.

``observations.csv`` (``serai/freight/data``) lists every published figure of the facts
that a route answer can be compared with, each with the query a user would type
(``serai route --from ... --to ... --year 2025``, default objective), the scope of
the published figure, its band, and its set, decided before any fitting:

``calibration``
    Fitted by ``serai data calibrate``.
``validation``
    Never seen by the fit; the validation report counts how many are inside their band.
``reference``
    No published value: one side of a relation.
``input``
    The figure is a model input (an element's parameter): shown, not counted.
``not_compared``
    Published, but not comparable with a route answer (the reason is on the row).

Scopes: ``door_to_door`` (the whole answer), ``terminal_to_terminal`` (without the
dwell at the origin and destination terminals), ``port_to_port`` (sailing and port
calls), ``country:XX`` (time in a country, its border sides included),
``border_side:XX:in|out``, ``service_crossing``. Tariffs are the route's USD per unit.

``relations.csv`` holds relations between two rows (a ratio with its band), such as
the World Bank's "three times longer than the Northern route".

A single published value gets a band of +-10% (:data:`POINT_BAND`), the same for every
row. Verdicts: ``inside`` the band, ``near`` within 10% of it, ``miss`` otherwise.
The calibration weighs each observation by its band, never narrower than +-10%.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from serai.errors import InputError, NoPathError
from serai.freight.params import MONEY, TIME, Terms
from serai.freight.routecost import apply_exact_rests

__all__ = [
    "POINT_BAND",
    "SETS",
    "cli_command",
    "evaluate",
    "load_observations",
    "load_relations",
    "observation_band",
    "relation_table",
    "scope_weights",
    "verdict",
]

POINT_BAND = 0.10
NEAR = 0.10
SETS = ("calibration", "validation", "reference", "input", "not_compared")
QUERY_SETS = ("calibration", "validation", "reference", "input")
_NT = len(TIME)


def _read(name: str) -> pd.DataFrame:
    from importlib import resources

    with resources.files("serai.freight.data").joinpath(name).open("rb") as fh:
        return pd.read_csv(fh, keep_default_na=False, dtype=str)


def _num(s: pd.Series, name: str, file: str) -> pd.Series:
    v = pd.to_numeric(s.replace("", None), errors="coerce")
    bad = s.ne("") & v.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"'{s.iloc[i]}' is not a number", file=file, row=i + 1, field=name)
    return v


@cache
def load_observations() -> pd.DataFrame:
    """The observations table, checked (sets, scopes, numbers, queries)."""
    t = _read("observations.csv")
    f = "observations.csv"
    for col in ("value", "low", "high", "network_year"):
        t[col] = _num(t[col], col, f)
    bad = ~t["set"].isin(SETS)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"set must be one of {', '.join(SETS)}", file=f, row=i + 1, field="set")
    dup = t["obs_id"].duplicated()
    if dup.any():
        raise InputError(f"duplicate obs_id '{t['obs_id'][dup].iloc[0]}'", file=f, field="obs_id")
    q = t["set"].isin(QUERY_SETS)
    for i in np.flatnonzero((q & ((t["origin"] == "") | (t["destination"] == ""))).to_numpy()):
        raise InputError("a compared row needs origin and destination", file=f, row=int(i) + 1)
    for i, sc in enumerate(t["scope"]):
        if q.iloc[i]:
            _check_scope(str(sc), f, i + 1)
    return t


@cache
def load_relations() -> pd.DataFrame:
    """The relations table (ratios between two observations), checked."""
    t = _read("relations.csv")
    f = "relations.csv"
    for col in ("value", "low", "high"):
        t[col] = _num(t[col], col, f)
    ids = set(load_observations()["obs_id"])
    for i, r in enumerate(t.itertuples(index=False), start=1):
        for side in (r.numerator, r.denominator):
            if side not in ids:
                raise InputError(f"unknown observation '{side}'", file=f, row=i)
    return t


def _check_scope(scope: str, file: str, row: int) -> None:
    head = scope.split(":")[0]
    ok = head in ("door_to_door", "terminal_to_terminal", "port_to_port", "service_crossing")
    ok |= head == "country" and len(scope.split(":")) == 2
    ok |= head == "border_side" and len(scope.split(":")) == 3
    if not ok:
        raise InputError(f"unknown scope '{scope}'", file=file, row=row, field="scope")


def observation_band(row: Mapping[str, Any]) -> tuple[float, float]:
    """Published band (low, high); a single value gets +-:data:`POINT_BAND`.

    >>> observation_band({"value": 100.0, "low": float("nan"), "high": float("nan")})
    (90.0, 110.0)
    >>> observation_band({"value": float("nan"), "low": 13.0, "high": 20.0})
    (13.0, 20.0)
    """
    v, lo, hi = (float(row.get(k, np.nan)) for k in ("value", "low", "high"))
    if np.isnan(lo) and np.isnan(hi):
        return v * (1 - POINT_BAND), v * (1 + POINT_BAND)
    return (lo if not np.isnan(lo) else v), (hi if not np.isnan(hi) else v)


def verdict(model: float, lo: float, hi: float) -> tuple[str, float]:
    """``inside``, ``near`` (within 10% of the band) or ``miss``, and the signed distance.

    >>> verdict(21.0, 13.0, 20.0)
    ('near', 0.05)
    """
    if not np.isfinite(model) or not np.isfinite(lo):
        return "no value", float("nan")
    if lo <= model <= hi:
        return "inside", 0.0
    edge = lo if model < lo else hi
    dev = (model - edge) / edge
    return ("near" if abs(dev) <= NEAR else "miss"), round(float(dev), 6)


def _items(v: object) -> tuple[str, ...]:
    return tuple(x.strip() for x in str(v or "").split(";") if x.strip())


def request_of(row: Mapping[str, Any]) -> Any:
    """The :class:`~serai.freight.query.RouteRequest` of an observation row."""
    from serai.freight.query import RouteRequest

    modes = _items(row.get("modes"))
    return RouteRequest(
        origin=str(row["origin"]),
        destination=str(row["destination"]),
        commodity=str(row.get("commodity") or "container_feu"),
        year=int(row["network_year"]) if pd.notna(row.get("network_year")) else None,
        avoid_countries=_items(row.get("avoid_countries")),
        avoid_passages=_items(row.get("avoid_passages")),
        via=_items(row.get("via")),
        modes=modes or None,
    )


def cli_command(row: Mapping[str, Any]) -> str:
    """The ``serai route`` command a user would type for an observation.

    >>> cli_command({"origin": "Xi'an", "destination": "Duisburg", "via": "Brest",
    ...              "network_year": 2025, "commodity": "container_feu"})
    'serai route --from "Xi\\'an" --to Duisburg --year 2025 --via Brest'
    """

    def q(s: str) -> str:
        return f'"{s}"' if any(c in s for c in " '") else s

    req = request_of(row)
    parts = ["serai route", f"--from {q(req.origin)}", f"--to {q(req.destination)}"]
    if req.year is not None:
        parts.append(f"--year {req.year}")
    if req.commodity not in ("container_feu", "container"):
        parts.append(f"--commodity {req.commodity}")
    parts += [f"--via {q(v)}" for v in req.via]
    for c in req.avoid_countries:
        parts.append(f"--avoid-country {c}")
    for p in req.avoid_passages:
        parts.append(f"--avoid-passage {p}")
    if req.modes:
        parts.append(f"--modes {','.join(req.modes)}")
    return " ".join(parts)


def scope_weights(
    scope: str,
    quantity: str,
    kind: np.ndarray,
    mode: np.ndarray,
    country: np.ndarray,
    from_country: np.ndarray,
    to_country: np.ndarray,
    service: np.ndarray,
) -> np.ndarray:
    """Weight (0/1) of each component of each route row in the observed quantity.

    Returns an array (len(COMPONENTS), rows). Tariffs take every money component of
    every row; times take the time components the scope covers.
    """
    m = len(kind)
    w = np.zeros((_NT + len(MONEY), m))
    if quantity == "tariff":
        w[_NT:] = 1.0
        return w
    head, *rest = scope.split(":")
    if head == "door_to_door":
        w[:_NT] = 1.0
    elif head == "terminal_to_terminal":
        w[:_NT] = ~np.isin(kind, ["access", "egress"])
    elif head == "port_to_port":
        w[:_NT] = (kind == "move") & (mode == "sea")
    elif head == "service_crossing":
        w[TIME.index("motion")] = (kind == "move") & (service != "")
    elif head == "country":
        c = rest[0]
        border = kind == "border"
        w[:_NT] = (~border) & (country == c)
        w[TIME.index("border_out")] = np.where(
            border, from_country == c, w[TIME.index("border_out")]
        )
        w[TIME.index("border_in")] = np.where(border, to_country == c, w[TIME.index("border_in")])
    elif head == "border_side":
        c, side = rest
        border = kind == "border"
        k = TIME.index("border_in" if side == "in" else "border_out")
        w[k] = border & ((to_country if side == "in" else from_country) == c)
    else:
        raise InputError(f"unknown scope '{scope}'", field="scope")
    return w


def _unit_div(unit: str) -> float:
    return {"days": 24.0, "h": 1.0, "USD": 1.0, "share": 1.0}.get(unit, 1.0)


@dataclass(frozen=True, eq=False)
class RouteRecord:
    """An observation's route, ready to be re-evaluated for new parameter values."""

    obs_id: str
    rows: np.ndarray
    kind: np.ndarray
    mode: np.ndarray
    weights: np.ndarray
    commodity: Any
    crew: str
    unit_div: float
    market: bool = True  # False: the route starts in the import zone (no premium)

    def value_from(self, comps: np.ndarray) -> float:
        return float((self.weights * comps).sum() / self.unit_div)

    def value(self, terms: Terms, values: np.ndarray, params: Any) -> float:
        """Model value for a parameter vector, the route kept fixed (``terms`` of its rows)."""
        from serai.freight.tariffs import money_scale

        comps, _ = terms.evaluate(values)
        comps[_NT:] *= money_scale(self.commodity, values, params)
        if not self.market:
            comps[MONEY.index("market") + _NT] = 0.0
        apply_exact_rests(comps, self.kind, self.mode, self.crew)
        return self.value_from(comps)


def route_record(router: Any, route: Any, row: Mapping[str, Any]) -> RouteRecord:
    """The :class:`RouteRecord` of an observation row and the route that answers it."""
    v = router.rg.vlinks
    rows = np.asarray(route.vlink_rows, np.int64)
    sub = v.iloc[rows]
    svc = sub["service_id"].astype(str).to_numpy(object)
    country = sub["country"].astype(str).to_numpy(object)
    fc = sub["from_country"].astype(str).to_numpy(object)
    w = scope_weights(
        str(row["scope"]),
        str(row["quantity"]),
        sub["kind"].to_numpy(object),
        sub["mode"].to_numpy(object),
        country,
        fc,
        sub["to_country"].astype(str).to_numpy(object),
        svc,
    )
    from serai.freight.commodities import commodity

    start = route.origin_place if route.origin_place is not None else route.origin
    market = router.costs_from(start, route.commodity).variant == ""
    return RouteRecord(
        str(row["obs_id"]),
        rows,
        sub["kind"].to_numpy(object),
        sub["mode"].to_numpy(object),
        w,
        commodity(route.commodity),
        "single",
        _unit_div(str(row["unit"])),
        market,
    )


def evaluate(
    routers: Mapping[int | None, Any],
    observations: pd.DataFrame | None = None,
    *,
    sets: Sequence[str] = QUERY_SETS,
) -> tuple[pd.DataFrame, dict[str, tuple[Any, RouteRecord]]]:
    """Answer every observation's query and compare the model value with the band.

    Parameters
    ----------
    routers
        A :class:`~serai.freight.Router` per network year (the observation's
        ``network_year``).
    observations
        Default: :func:`load_observations`.
    sets
        Which sets to compute.

    Returns
    -------
    table, routes
        One row per observation (published band, model value, verdict, the route's
        door-to-door days, USD, km, corridor and the shares of its time and money
        resting on estimates) and, per observation id, its route and record.
    """
    from serai.freight.query import run_request

    obs = load_observations() if observations is None else observations
    out, routes = [], {}
    for row in obs.to_dict("records"):
        if row["set"] not in sets:
            continue
        rec: dict[str, Any] = {
            k: row[k] for k in ("obs_id", "set", "quantity", "name", "scope", "unit", "basis")
        }
        rec["year"] = row["year"]
        rec["source"] = row["source"]
        rec["reason"] = row["reason"]
        rec["command"] = cli_command(row)
        lo, hi = observation_band(row)
        rec.update(published_value=row["value"], published_low=lo, published_high=hi)
        year = int(row["network_year"]) if pd.notna(row["network_year"]) else None
        try:
            router = routers[year]
            route = run_request(router, request_of(row))[0]
        except (InputError, NoPathError) as err:
            rec.update(model_value=np.nan, verdict="no route", deviation=np.nan, problem=str(err))
            out.append(rec)
            continue
        r = route_record(router, route, row)
        routes[row["obs_id"]] = (route, r)
        lc = router.costs_from(
            route.origin_place if route.origin_place is not None else route.origin,
            route.commodity,
        )
        from serai.freight.routecost import route_components

        comps, _, _ = route_components(lc, r.rows, r.kind, r.mode)
        value = r.value_from(comps)
        v, dev = verdict(value, lo, hi) if row["set"] != "reference" else ("", np.nan)
        t = route.totals
        rec.update(
            model_value=value,
            verdict=v,
            deviation=dev,
            problem="",
            corridor=route.corridor,
            days=t["days"],
            usd=t["usd"],
            km=t["km"],
            unit_of_route=route.unit,
            share_hours_estimate=t["share_hours_estimate"],
            share_usd_estimate=t["share_usd_estimate"],
            share_hours_calibrated=t["share_hours_calibrated"],
            share_usd_calibrated=t["share_usd_calibrated"],
        )
        out.append(rec)
    return pd.DataFrame(out), routes


def relation_table(table: pd.DataFrame, relations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Model ratios of the relations, from an :func:`evaluate` table."""
    rel = load_relations() if relations is None else relations
    val = dict(zip(table["obs_id"], table["model_value"], strict=True))
    out = []
    for r in rel.to_dict("records"):
        a, b = val.get(r["numerator"], np.nan), val.get(r["denominator"], np.nan)
        model = a / b if np.isfinite(a) and np.isfinite(b) and b else np.nan
        lo, hi = observation_band(r)
        v, dev = verdict(model, lo, hi)
        out.append({**r, "published_low": lo, "published_high": hi, "model_value": model,
                    "verdict": v, "deviation": dev})  # fmt: skip
    return pd.DataFrame(out)
