"""Applying a scenario's demand changes: growth, scaling and new flows (including the
mineral demand scenarios of :mod:`serai.minerals`), returning a new
:class:`~serai.demand.Demand`.

* ``[[demand.growth]]``: ``rate`` is extra growth per year on top of the shipped growth,
  compounded from ``from_year`` to the scenario year: volume x (1 + rate)^(year - from_year).
* ``[[demand.scale]]``: volume x ``factor`` (0 removes the flows).
* ``[[demand.flow]]``: a new flow, its volume split equally over the origin and
  destination zones; or ``minerals = "<scenario>"`` with ``share``: the tonnes of a
  mineral demand scenario (``serai/minerals/data/demand.csv``), mapped to demand zones
  and groups by ``serai/scenarios/data/mineral_zones.csv``.

Changes apply in file order (growth, then scale, then new flows within a file).
``meta["scenario"]`` records the scenario: applying it again changes nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from serai.scenarios.model import Scenario

__all__ = ["apply_demand"]


def _mask(t: pd.DataFrame, r: dict) -> np.ndarray:
    from serai.demand import expand_set

    m = np.ones(len(t), bool)
    g = r.get("group", "*")
    if g != "*":
        m &= (t["group"] == g).to_numpy()
    for key in ("origin", "destination"):
        v = r.get(key, "*")
        if v != "*":
            m &= t[key].isin(expand_set(v)).to_numpy()
    return m


def _to_group_unit(group: str, volume: float, unit: str | None, s: Scenario, r: dict) -> float:
    from serai.demand import groups
    from serai.demand.tables import TONNES_U3O8_PER_TU

    g = groups().loc[group]
    want = str(g["unit"])
    u = unit or want
    if u == want:
        return volume
    t_factor = {"t": 1.0, "kt": 1e3, "Mt": 1e6}
    if want == "t" and u in t_factor:
        return volume * t_factor[u]
    if group == "uranium" and u == "tU":
        return volume * TONNES_U3O8_PER_TU
    if want == "TEU" and u in t_factor:
        return volume * t_factor[u] / float(g["tonnes_per_unit"])
    raise s.error(r, f"unit '{u}' does not fit group '{group}' (measured in {want})", "unit")


def _new_rows(s: Scenario, r: dict, year: int) -> pd.DataFrame:
    from serai.demand import expand_set, groups

    if "minerals" in r:
        from serai.minerals.dashboard import scenario_demand
        from serai.scenarios.known import mineral_zones

        mz = mineral_zones()
        d = scenario_demand(scenario=r["minerals"])
        parts = []
        for row in d.itertuples(index=False):
            group = str(mz.at[row.product, "zone"])
            vol = float(row.tonnes_per_year) * float(r.get("share", 1.0))
            vol = _to_group_unit(group, vol, "t", s, r)
            parts.append(
                _spread(group, str(mz.at[row.origin, "zone"]), str(mz.at[row.destination, "zone"]),
                        vol, year, expand_set)
            )  # fmt: skip
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    group = r["group"]
    vol = _to_group_unit(group, float(r["volume"]), r.get("unit"), s, r)
    out = _spread(group, r["origin"], r["destination"], vol, year, expand_set)
    out["unit"] = str(groups().at[group, "unit"])
    return out


def _spread(group: str, origin: str, destination: str, volume: float, year: int, expand):
    from serai.demand import groups

    o, d = expand(origin), expand(destination)
    pairs = [(a, b) for a in o for b in d if a != b]
    v = volume / len(pairs) if pairs else 0.0
    return pd.DataFrame(
        {
            "group": group,
            "origin": [a for a, _ in pairs],
            "destination": [b for _, b in pairs],
            "volume": v,
            "unit": str(groups().at[group, "unit"]),
            "year": year,
        }
    )


def apply_demand(scenario: Scenario, demand):
    """A new demand with the scenario's demand changes (the input is left as it was).

    Examples
    --------
    >>> from serai.demand import load_demand
    >>> from serai.scenarios import load_scenario
    >>> base = load_demand(2024)
    >>> s = load_scenario("russia-closed")
    >>> d = s.apply_demand(base)
    >>> bool(d.table.loc[d.table["origin"].str.startswith("RU") & (d.table["destination"] == "PL"), "volume"].sum() == 0)
    True
    """
    from serai.demand import Demand

    done = list(demand.meta.get("scenarios", []))
    if scenario.hash in done:
        return Demand(demand.table.copy(), demand.year, demand.source, dict(demand.meta))
    t = demand.table.copy()
    t["volume"] = t["volume"].astype(float)
    rows = sorted(
        [*scenario.rows("demand.growth"), *scenario.rows("demand.scale"), *scenario.rows("demand.flow")],
        key=lambda r: (list(scenario.texts).index(r["_file"]) if r.get("_file") in scenario.texts else 0,
                       ("growth", "scale", "flow").index(r["_path"][1]), r["_path"][2]),
    )  # fmt: skip
    year = int(demand.year)
    new = []
    for r in rows:
        kind = r["_path"][1]
        if kind == "growth":
            n = year - int(r.get("from_year", 2024))
            if n > 0:
                m = _mask(t, r)
                t.loc[m, "volume"] = t.loc[m, "volume"] * (1.0 + float(r["rate"])) ** n
        elif kind == "scale":
            m = _mask(t, r)
            t.loc[m, "volume"] = t.loc[m, "volume"] * float(r["factor"])
        else:
            new.append(_new_rows(scenario, r, year))
    if new:
        add = pd.concat(new, ignore_index=True)
        t = pd.concat([t, add[[c for c in add.columns if c in t.columns]]], ignore_index=True)
        keys = ["group", "origin", "destination", "unit", "year"]
        other = [c for c in t.columns if c not in (*keys, "volume")]
        agg = {"volume": "sum", **{c: "first" for c in other}}
        t = t.groupby(keys, as_index=False, sort=False).agg(agg)[demand.table.columns]
    meta = dict(demand.meta)
    meta["scenario"] = {"name": scenario.name, "hash": scenario.hash, "year": scenario.year}
    meta["scenarios"] = [*done, scenario.hash]
    return Demand(t.reset_index(drop=True), demand.year, demand.source, meta)
