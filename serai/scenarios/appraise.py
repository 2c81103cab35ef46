"""Appraisal of a scenario against a base: shipper benefits by the rule of a half on
generalised cost, CO2e valued at a carbon price, investment and O&M of the measures,
over a horizon with a discount rate: NPV, BCR, IRR and a sensitivity table.

Method and formulas: ``docs/appraisal.md``. In short, for the scenario year ``Y``:

* user benefit ``U = sum over OD pairs and classes of 1/2 (T0 + T1) (c0 - c1)``, with
  ``T`` the assigned volume (units per year) and ``c`` the generalised cost per unit
  (USD, delays included) of the base (0) and the alternative (1); pairs without a cost
  in either run are left out (and counted);
* CO2e benefit ``E = p (CO2e0 - CO2e1)``, tonnes WTW per year at ``p`` USD per tonne;
* benefits in year ``y >= open`` (the latest opening of the new measures):
  ``(U + E) (1 + g)^(y - Y)``;
* costs: each new measure's capex spread evenly over its build years, O&M every year
  from its opening to the end of its life;
* ``NPV = sum_y (B_y - C_y) / (1 + r)^(y - y0)``, ``BCR = PV(B) / PV(C)``, ``IRR`` the
  rate where the NPV is zero (none when the flows never change sign).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from serai.errors import InputError

__all__ = ["Appraisal", "AppraisalSettings", "appraise", "cashflows", "irr", "npv"]


@dataclass(frozen=True)
class AppraisalSettings:
    """Horizon, discount rate, carbon price and growth of the benefits.

    ``start_year`` defaults to the earliest build year of the new measures,
    ``price_year`` (the year values are discounted to) to ``start_year``.
    """

    horizon_years: int = 30
    discount_rate: float = 0.06
    carbon_price_usd_per_t: float = 80.0
    demand_growth: float = 0.03
    start_year: int | None = None
    price_year: int | None = None

    @classmethod
    def of(cls, scenario_appraisal: dict, **overrides) -> AppraisalSettings:
        keys = {f for f in cls.__dataclass_fields__}
        d = {k: v for k, v in dict(scenario_appraisal).items() if k in keys}
        d.update({k: v for k, v in overrides.items() if v is not None})
        from serai._checks import check_count, check_number

        s = cls(**d)
        check_count(s.horizon_years, "horizon_years", 1, 200)
        check_number(s.discount_rate, "discount_rate", low=-0.5, high=1.0, strict=True)
        if s.discount_rate >= 1.0:
            raise InputError("discount_rate must be between -0.5 and 1", field="discount_rate")
        check_number(s.carbon_price_usd_per_t, "carbon_price_usd_per_t", low=0.0, high=1e9)
        check_number(s.demand_growth, "demand_growth", low=-0.5, high=1.0)
        for name in ("start_year", "price_year"):
            if getattr(s, name) is not None:
                check_count(getattr(s, name), name, 1800, 2200)
        return s


def npv(flows: np.ndarray, rate: float, offsets: np.ndarray) -> float:
    """Present value of yearly net flows at ``offsets`` years from the price year.

    >>> round(npv(np.array([-100.0, 60.0, 60.0]), 0.1, np.arange(3)), 4)
    4.1322
    """
    return float(np.sum(np.asarray(flows, float) / (1.0 + rate) ** np.asarray(offsets, float)))


def irr(flows: np.ndarray, offsets: np.ndarray) -> float:
    """Internal rate of return (NaN when the NPV has no root in (-99%, 1000%)).

    >>> round(irr(np.array([-100.0, 60.0, 60.0]), np.arange(3)), 6)
    0.130662
    """
    from scipy.optimize import brentq

    f = np.asarray(flows, float)
    if not ((f > 0).any() and (f < 0).any()):
        return float("nan")
    lo, hi = -0.99, 10.0
    g = lambda r: npv(f, r, offsets)  # noqa: E731
    if g(lo) * g(hi) > 0:
        return float("nan")
    return float(brentq(g, lo, hi, xtol=1e-12, maxiter=500))


def user_benefits(od_a: pd.DataFrame, od_b: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Rule of a half per OD pair and class: ``1/2 (T0 + T1) (c0 - c1)`` (USD per year).

    Returns the per-group table and counts of the pairs left out.
    """
    keys = ["group", "origin", "destination"]
    a = od_a[[*keys, "assigned", "cost_usd"]].copy()
    b = od_b[[*keys, "assigned", "cost_usd"]].copy()
    m = a.merge(b, on=keys, how="outer", suffixes=("_0", "_1"))
    t0 = pd.to_numeric(m["assigned_0"], errors="coerce").fillna(0.0).to_numpy()
    t1 = pd.to_numeric(m["assigned_1"], errors="coerce").fillna(0.0).to_numpy()
    c0 = pd.to_numeric(m["cost_usd_0"], errors="coerce").to_numpy(float)
    c1 = pd.to_numeric(m["cost_usd_1"], errors="coerce").to_numpy(float)
    ok = np.isfinite(c0) & np.isfinite(c1)
    ben = np.where(ok, 0.5 * (t0 + t1) * (np.nan_to_num(c0) - np.nan_to_num(c1)), 0.0)
    m["benefit_usd"] = ben
    m["used"] = ok
    left_out = {
        "pairs_left_out": int((~ok).sum()),
        "volume_left_out_base": float(t0[~ok].sum()),
        "volume_left_out_alt": float(t1[~ok].sum()),
    }
    g = (
        m.assign(T0=t0, T1=t1)
        .loc[ok]
        .groupby("group", as_index=False)
        .agg(T0=("T0", "sum"), T1=("T1", "sum"), benefit_usd=("benefit_usd", "sum"))
    )
    return g, left_out


def _measure_costs(measures: pd.DataFrame, year: int) -> pd.DataFrame:
    rows = []
    for r in measures.itertuples(index=False):
        open_y = int(r.open_year) if pd.notna(r.open_year) else int(year)
        bs = int(r.build_start) if pd.notna(r.build_start) else open_y - 3
        be = int(r.build_end) if pd.notna(r.build_end) else open_y - 1
        if be < bs:
            be = bs
        life = int(r.life_years) if pd.notna(r.life_years) else None
        rows.append({"measure": r.measure, "name": r.name, "capex_musd": float(r.capex_musd),
                     "om_musd_per_year": float(r.om_musd_per_year), "build_start": bs,
                     "build_end": be, "open_year": open_y, "life_years": life,
                     "source": r.source, "estimate": r.estimate})  # fmt: skip
    return pd.DataFrame(rows, columns=["measure", "name", "capex_musd", "om_musd_per_year", "build_start",
                                       "build_end", "open_year", "life_years", "source", "estimate"])  # fmt: skip


def cashflows(
    benefit_usd_per_year: float,
    co2e_saved_t_per_year: float,
    costs: pd.DataFrame,
    settings: AppraisalSettings,
    scenario_year: int,
) -> pd.DataFrame:
    """Yearly flows (USD): user and CO2e benefits, capex, O&M, net, discount factor, PV.

    Examples
    --------
    >>> costs = pd.DataFrame({"measure": ["m"], "capex_musd": [100.0], "om_musd_per_year": [1.0],
    ...                       "build_start": [2025], "build_end": [2026], "open_year": [2027],
    ...                       "life_years": [None]})
    >>> cf = cashflows(20e6, 1000.0, costs, AppraisalSettings(horizon_years=4, discount_rate=0.1,
    ...                carbon_price_usd_per_t=50.0, demand_growth=0.0), 2027)
    >>> cf[["year", "capex_usd", "om_usd", "user_benefit_usd", "co2_benefit_usd"]].values.tolist()[1:]
    [[2026.0, 50000000.0, 0.0, 0.0, 0.0], [2027.0, 0.0, 1000000.0, 20000000.0, 50000.0], [2028.0, 0.0, 1000000.0, 20000000.0, 50000.0]]
    """
    s = settings
    start = s.start_year if s.start_year is not None else (
        int(costs["build_start"].min()) if len(costs) else int(scenario_year)
    )  # fmt: skip
    years = np.arange(start, start + s.horizon_years)
    price_year = s.price_year if s.price_year is not None else start
    open_y = int(costs["open_year"].max()) if len(costs) else int(scenario_year)
    capex = np.zeros(len(years))
    om = np.zeros(len(years))
    for r in costs.itertuples(index=False):
        n_build = r.build_end - r.build_start + 1
        per = r.capex_musd * 1e6 / n_build
        capex += np.where((years >= r.build_start) & (years <= r.build_end), per, 0.0)
        end = r.open_year + (
            int(r.life_years)
            if r.life_years is not None and r.life_years == r.life_years
            else 10**6
        )
        om += np.where((years >= r.open_year) & (years < end), r.om_musd_per_year * 1e6, 0.0)
    grow = (1.0 + s.demand_growth) ** (years - scenario_year)
    on = years >= open_y
    ub = np.where(on, benefit_usd_per_year * grow, 0.0)
    cb = np.where(on, co2e_saved_t_per_year * s.carbon_price_usd_per_t * grow, 0.0)
    df = 1.0 / (1.0 + s.discount_rate) ** (years - price_year)
    net = ub + cb - capex - om
    return pd.DataFrame({"year": years.astype(float), "user_benefit_usd": ub, "co2_benefit_usd": cb,
                         "capex_usd": capex, "om_usd": om, "net_usd": net, "discount_factor": df,
                         "pv_usd": net * df})  # fmt: skip


def _indicators(cf: pd.DataFrame, s: AppraisalSettings) -> dict:
    df = cf["discount_factor"].to_numpy()
    pv_b = float(((cf["user_benefit_usd"] + cf["co2_benefit_usd"]) * df).sum())
    pv_c = float(((cf["capex_usd"] + cf["om_usd"]) * df).sum())
    price_year = s.price_year if s.price_year is not None else int(cf["year"].iloc[0])
    offsets = cf["year"].to_numpy() - price_year
    return {
        "npv_usd": pv_b - pv_c,
        "pv_benefits_usd": pv_b,
        "pv_costs_usd": pv_c,
        "bcr": pv_b / pv_c if pv_c > 0 else float("nan"),
        "irr": irr(cf["net_usd"].to_numpy(), offsets),
    }


@dataclass(frozen=True, eq=False)
class Appraisal:
    """Result of :func:`appraise`: ``summary`` (NPV, BCR, IRR, ...), ``tables``
    (``cashflows``, ``benefits_by_group``, ``measures``, ``sensitivity``) and the settings."""

    base: str
    alt: str
    settings: AppraisalSettings
    summary: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def write(self, out: str | os.PathLike, *, overwrite: bool = False) -> Path:
        import dataclasses
        import json

        from serai._fs import replace_folder

        out = Path(out)
        with replace_folder(out, overwrite=overwrite) as tmp:
            for name, df in self.tables.items():
                df.to_csv(Path(tmp) / f"{name}.csv", index=False)
            (Path(tmp) / "appraisal.json").write_text(
                json.dumps({"base": self.base, "alt": self.alt, "settings": dataclasses.asdict(self.settings),
                            "summary": self.summary}, indent=2, default=str), encoding="utf-8",
            )  # fmt: skip
        return out


def _measures_of(run) -> pd.DataFrame:
    try:
        t = run.tables["measures"]
    except KeyError:
        t = None
    cols = ["measure", "name", "capex_musd", "om_musd_per_year", "build_start", "build_end",
            "open_year", "life_years", "source", "estimate"]  # fmt: skip
    if t is None or not len(t):
        return pd.DataFrame(columns=cols)
    for c in cols:
        if c not in t.columns:
            t[c] = np.nan
    return t[cols]


def _value(run, table: str, key: str) -> float:
    t = run.tables[table]
    m = t["indicator"] == key
    return float(t.loc[m, "value"].iloc[0]) if m.any() else float("nan")


def _year(run) -> int:
    s = run.summary if isinstance(run.summary, dict) else {}
    if s.get("year") is not None:
        return int(s["year"])
    return int(run.scenario.year if getattr(run, "scenario", None) is not None else run.year)


def appraise(base, alt, *, settings: AppraisalSettings | None = None, **overrides) -> Appraisal:
    """Appraise run ``alt`` against run ``base`` (both :class:`ScenarioResult` or stored runs).

    The costs are those of the measures of ``alt`` that ``base`` does not have.
    Settings: ``settings``, else the alternative scenario's ``[appraisal]`` table with
    keyword overrides (``discount_rate=0.04``, ...).
    """
    if "od" not in base.tables or "od" not in alt.tables:
        raise InputError("appraisal needs the flows of both runs (run them with flows)")
    year_b, year_a = _year(base), _year(alt)
    if year_b != year_a:
        raise InputError(
            f"the base is for {year_b} and the alternative for {year_a}: appraise two runs of "
            "the same year", field="year",
        )  # fmt: skip
    if settings is None:
        sc = getattr(alt, "scenario", None)
        settings = AppraisalSettings.of(dict(sc.appraisal) if sc is not None else {}, **overrides)
    by_group, left = user_benefits(base.tables["od"], alt.tables["od"])
    u = float(by_group["benefit_usd"].sum())
    co2_saved = _value(base, "headline", "co2e_t") - _value(alt, "headline", "co2e_t")
    co2_saved = 0.0 if not np.isfinite(co2_saved) else co2_saved
    mb, ma = _measures_of(base), _measures_of(alt)
    new = ma.loc[~ma["measure"].isin(set(mb["measure"]))]
    costs = _measure_costs(new, year_a)
    cf = cashflows(u, co2_saved, costs, settings, year_a)
    ind = _indicators(cf, settings)
    summary = {
        "base": _name(base),
        "alt": _name(alt),
        "year": year_a,
        "user_benefit_usd_per_year": u,
        "co2e_saved_t_per_year": co2_saved,
        "co2_benefit_usd_per_year": co2_saved * settings.carbon_price_usd_per_t,
        "capex_usd": float(costs["capex_musd"].sum() * 1e6) if len(costs) else 0.0,
        "om_usd_per_year": float(costs["om_musd_per_year"].sum() * 1e6) if len(costs) else 0.0,
        "measures": costs["measure"].tolist(),
        "estimated_costs": [
            str(m) for m, e in zip(costs["measure"], costs["estimate"], strict=True) if _true(e)
        ],
        **left,
        **ind,
    }
    sens = sensitivity(u, co2_saved, costs, settings, year_a)
    return Appraisal(_name(base), _name(alt), settings, summary,
                     {"cashflows": cf, "benefits_by_group": by_group, "measures": costs, "sensitivity": sens})  # fmt: skip


def _true(v) -> bool:
    return str(v).strip().lower() in ("true", "1", "yes")


def _name(r) -> str:
    return r.scenario.name if getattr(r, "scenario", None) is not None else r.name


def sensitivity(
    u: float, co2: float, costs: pd.DataFrame, s: AppraisalSettings, year: int
) -> pd.DataFrame:
    """NPV, BCR and IRR when one of demand growth, carbon price and discount rate changes."""
    import dataclasses

    cases = [("base case", "", s)]
    for g in (s.demand_growth - 0.02, 0.0, s.demand_growth + 0.02):
        if abs(g - s.demand_growth) > 1e-12:
            cases.append(("demand growth", f"{g:.1%}/yr", dataclasses.replace(s, demand_growth=g)))
    for p in (0.0, s.carbon_price_usd_per_t / 2, s.carbon_price_usd_per_t * 2, 200.0):
        if abs(p - s.carbon_price_usd_per_t) > 1e-9:
            cases.append(
                ("carbon price", f"{p:g} USD/t", dataclasses.replace(s, carbon_price_usd_per_t=p))
            )
    for r in (0.03, s.discount_rate - 0.02, s.discount_rate + 0.02, 0.10):
        if abs(r - s.discount_rate) > 1e-12 and r > -0.5:
            cases.append(("discount rate", f"{r:.1%}", dataclasses.replace(s, discount_rate=r)))
    rows = []
    seen = set()
    for what, val, ss in cases:
        if (what, val) in seen:
            continue
        seen.add((what, val))
        ind = _indicators(cashflows(u, co2, costs, ss, year), ss)
        rows.append({"vary": what, "value": val, **ind})
    return pd.DataFrame(rows)
