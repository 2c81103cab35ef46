"""Exposure of a chain, as numbers: where it runs, what it crosses, what it cannot lose.

* **By country**: tonne-km, hours, value-days (value of the goods in transit x days),
  USD and kg CO2e per tonne of final product in each country (``sea`` for open water).
* **Chokepoints** used (``chokepoints.csv``): sea passages (Bosporus, Suez, ...) and
  water crossings served by scheduled services (Caspian, Black Sea).
* **Critical elements**: every element of the chain's routes -- a line section (the
  physical links between two branch points), a hub node (port, gauge change, border,
  transfer), a service, a passage or a chokepoint -- is removed in turn and the whole
  chain is solved again, facility choice included. The searches run in numba
  (:func:`serai.minerals._kernels.removal_costs`): only the least-cost trees that used
  the element are searched again, then the layered facility problem is re-solved for
  all elements at once with numpy. An element is critical when its loss cuts the chain
  or raises its objective by more than ``threshold``.
* **Premiums**: days, USD and CO2e per tonne of avoiding each country of concern
  (default Russia, China, Iran), all of them together, and each chokepoint used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from serai.errors import InputError, NoPathError
from serai.minerals.elements import (
    Element,
    _request_without,
    chain_elements,
    removal_objectives,
)
from serai.minerals.engine import ChainModel
from serai.minerals.result import Chain

__all__ = ["DEFAULT_CONCERN", "Element", "Exposure", "chain_elements", "exposure"]

#: Countries of concern by default (the issue's dashboard: Russia, China, Iran).
DEFAULT_CONCERN = ("RU", "CN", "IR")


@dataclass(frozen=True, eq=False)
class Exposure:
    """The exposure tables of one chain (see the module docstring)."""

    chain: Chain
    by_country: pd.DataFrame
    chokepoints: pd.DataFrame
    elements: pd.DataFrame
    premiums: pd.DataFrame
    concern: tuple[str, ...]
    threshold: float

    @property
    def critical(self) -> pd.DataFrame:
        """Elements whose loss cuts the chain or raises its objective beyond the threshold."""
        e = self.elements
        return e.loc[e["critical"]] if len(e) else e

    def to_dict(self) -> dict[str, Any]:
        def rec(df: pd.DataFrame) -> list[dict]:
            d = df.replace([np.inf, -np.inf], np.nan)
            return d.astype(object).where(d.notna(), None).to_dict(orient="records")

        return {
            "concern": list(self.concern),
            "threshold": self.threshold,
            "by_country": rec(self.by_country),
            "chokepoints": rec(self.chokepoints),
            "critical_elements": rec(self.critical),
            "elements_tested": len(self.elements),
            "premiums": rec(self.premiums),
        }


# ---------------------------------------------------------------------- exposure
def _by_country(chain: Chain) -> pd.DataFrame:
    t = chain.legs_table()
    if not len(t):
        return pd.DataFrame()
    t = t.assign(country=t["country"].replace("", "sea"))
    t["hours_x"] = t["hours"]
    g = t.groupby("country").agg(
        tonne_km=("tonne_km_per_t_final", "sum"),
        hours=("hours_x", "sum"),
        value_days=("value_days_per_t_final", "sum"),
        usd=("usd_per_t_final", "sum"),
        co2e_kg=("co2e_kg_per_t_final", "sum"),
    )
    for c in ("tonne_km", "hours", "value_days"):
        tot = g[c].sum()
        g[f"{c}_share"] = g[c] / tot if tot > 0 else 0.0
    return g.sort_values("tonne_km", ascending=False).reset_index()


def _countries_used(model: ChainModel, chain: Chain) -> set[str]:
    """Countries a chain depends on: its facilities, the countries its routes touch and
    those of the sea passages it uses (as the router's country mask counts them)."""
    from serai.freight.route import passage_countries

    pc = passage_countries()
    rg = model.router.rg
    out = {s.country for s in chain.stages}
    for leg in chain.legs:
        if leg.route is not None:
            v = rg.vlinks.iloc[np.asarray(leg.route.vlink_rows, np.int64)]
            for c in ("country", "from_country", "to_country"):
                out |= set(v[c])
            for p in set(v["passage"]):
                out |= set(pc.get(p, ()))
        for a in (leg.from_access, leg.to_access):
            if a is not None:
                out.add(a.country)
    return {c for c in out if c}


def _solve_or_none(model: ChainModel, req) -> Chain | None:
    try:
        return model.solve(req)
    except NoPathError:
        return None


def _premium_row(avoid: str, kind: str, base: Chain, c: Chain | None, note: str = "") -> dict:
    if c is None:
        return {
            "avoid": avoid,
            "kind": kind,
            "feasible": False,
            "days": np.nan,
            "usd_per_t": np.nan,
            "co2e_kg_per_t": np.nan,
            "d_days": np.nan,
            "d_usd": np.nan,
            "d_co2e_kg": np.nan,
            "facilities": "",
            "note": note or "no chain",
        }
    return {
        "avoid": avoid,
        "kind": kind,
        "feasible": True,
        "days": c.days,
        "usd_per_t": c.usd_per_t,
        "co2e_kg_per_t": c.co2e_kg_per_t,
        "d_days": c.days - base.days,
        "d_usd": c.usd_per_t - base.usd_per_t,
        "d_co2e_kg": c.co2e_kg_per_t - base.co2e_kg_per_t,
        "facilities": " > ".join(c.facilities),
        "note": note,
    }


def exposure(
    model: ChainModel,
    chain: Chain,
    *,
    concern: Sequence[str] = DEFAULT_CONCERN,
    threshold: float = 0.10,
    elements: bool = True,
    premiums: bool = True,
    detail: int = 12,
) -> Exposure:
    """Exposure of ``chain`` (found by ``model``): shares, chokepoints, critical elements,
    premiums.

    Parameters
    ----------
    concern
        Countries of concern (ISO2) whose avoidance is priced.
    threshold
        Relative rise of the chain's objective above which the loss of an element makes
        it critical (0.10 = 10%).
    elements, premiums
        Compute the element removals and the premiums (the costly parts).
    detail
        Critical elements re-solved in full (days, USD, CO2e and the new facilities).
    """
    concern = tuple(str(c).strip().upper() for c in concern)
    bad = [c for c in concern if len(c) != 2 or not c.isalpha()]
    if bad:
        raise InputError(f"'{bad[0]}' is not an ISO2 country code", field="concern")
    by_country = _by_country(chain)
    els = chain_elements(model, chain)
    choke = [e for e in els if e.kind in ("chokepoint", "passage")]
    chokepoints = pd.DataFrame(
        {
            "chokepoint": [e.element_id.split(":", 1)[1] for e in choke],
            "name": [e.label for e in choke],
            "legs": [",".join(map(str, e.legs)) for e in choke],
        }
    )
    base = float(chain.totals["objective"])
    edf = pd.DataFrame(
        columns=[
            "element",
            "kind",
            "label",
            "country",
            "km",
            "legs",
            "objective",
            "change",
            "cut",
            "critical",
        ]
    )
    if elements and els:
        after = removal_objectives(model, chain, els)
        change = np.where(np.isfinite(after), (after - base) / base if base > 0 else 0.0, np.inf)
        edf = pd.DataFrame(
            {
                "element": [e.element_id for e in els],
                "kind": [e.kind for e in els],
                "label": [e.label for e in els],
                "country": [e.country for e in els],
                "km": [e.km for e in els],
                "legs": [",".join(map(str, e.legs)) for e in els],
                "objective": after,
                "change": change,
                "cut": ~np.isfinite(after),
                "critical": (~np.isfinite(after)) | (change > threshold),
            }
        ).sort_values(["cut", "change"], ascending=[False, False], kind="stable")
        edf = edf.reset_index(drop=True)
        extra = {"days": [], "usd_per_t": [], "co2e_kg_per_t": [], "facilities": []}
        by_id = {e.element_id: e for e in els}
        for k, r in enumerate(edf.itertuples(index=False)):
            c = None
            if r.critical and not r.cut and k < detail:
                c = _solve_or_none(model, _request_without(chain, by_id[r.element].avoid))
            extra["days"].append(c.days if c else np.nan)
            extra["usd_per_t"].append(c.usd_per_t if c else np.nan)
            extra["co2e_kg_per_t"].append(c.co2e_kg_per_t if c else np.nan)
            extra["facilities"].append(" > ".join(c.facilities) if c else "")
        for k, v in extra.items():
            edf[k] = v
    prem = []
    if premiums:
        used = _countries_used(model, chain)
        req = chain.request
        for c in concern:
            if c not in used:
                prem.append(_premium_row(c, "country", chain, chain, "not used by the chain"))
                continue
            r2 = replace(
                req, alternatives=0, avoid_countries=tuple(dict.fromkeys([*req.avoid_countries, c]))
            )
            prem.append(_premium_row(c, "country", chain, _solve_or_none(model, r2)))
        if len(concern) > 1:
            r2 = replace(
                req,
                alternatives=0,
                avoid_countries=tuple(dict.fromkeys([*req.avoid_countries, *concern])),
            )
            hit = used & set(concern)
            prem.append(
                _premium_row(
                    "+".join(concern),
                    "countries",
                    chain,
                    _solve_or_none(model, r2) if hit else chain,
                    "" if hit else "none used by the chain",
                )
            )
        for e in choke:
            prem.append(
                _premium_row(
                    e.label,
                    "chokepoint",
                    chain,
                    _solve_or_none(model, _request_without(chain, e.avoid)),
                )
            )
    return Exposure(
        chain, by_country, chokepoints, edf, pd.DataFrame(prem), concern, float(threshold)
    )
