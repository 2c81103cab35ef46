"""Checks of the minerals model against the facts (corridor-facts section 9): V16-V18.

Uranium through the Trans-Caspian route against the quota and the volumes (V16), the
US import share as a scenario demand (V17, offered as data by :func:`scenario_demand`),
and the concentration of rare-earth processing in China reflected in which chains
exist without it (V18). :func:`checks` gives one row per check; the dashboard
(:mod:`serai.minerals.dashboard`) shows them with its chains.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from serai.errors import SeraiError
from serai.minerals.elements import chain_elements
from serai.minerals.engine import ChainModel
from serai.minerals.result import Chain
from serai.minerals.tables import MineralData, load_minerals

__all__ = ["VOLUME_NOTES", "checks", "model_request", "scenario_demand"]

#: Volumes of the dashboard rows that give one (t/yr of the first product), and why (also
#: the V18 note).
VOLUME_NOTES = {
    "rare_earths": "20,000 t/yr of concentrate assumed (EST; the deposit does not produce)",
    "tungsten": "a lot of 2,000 t/yr of concentrate (EST): one plant per stage cannot take the "
    "12,000 t W/yr of Northern Katpar (corridor-facts 5.2), only Xiamen could",
}
REE_TONNES_NOTE = VOLUME_NOTES["rare_earths"]


def _try(model: ChainModel, req) -> tuple[Chain | None, str]:
    try:
        return model.solve(req), ""
    except SeraiError as exc:
        return None, str(exc)


def scenario_demand(data: MineralData | None = None, scenario: str | None = None) -> pd.DataFrame:
    """Mineral demand scenarios as data (``demand.csv``), e.g. the V17 US uranium imports
    from Kazakhstan, for the scenario and flow engines: origin and destination (facility
    or group), product, tonnes per year, year, basis and source.

    Examples
    --------
    >>> from serai.minerals.dashboard import scenario_demand
    >>> d = scenario_demand(scenario="us_uranium_from_kz_2023")
    >>> r = d.iloc[0]
    >>> r["origin"], r["destination"], r["product"], float(r["tonnes_per_year"])
    ('KZ mine', 'US converter', 'uranium_uoc', 4481.0)
    """
    data = data if data is not None else load_minerals()
    d = data.demand.copy()
    if scenario is not None:
        d = d.loc[d["scenario"] == scenario]
    return d.reset_index(drop=True)


def _check(cid: str, quantity: str, model_value: str, observed: str, verdict: str, basis: str):
    return {
        "check": cid,
        "quantity": quantity,
        "model": model_value,
        "observed": observed,
        "verdict": verdict,
        "basis": basis,
    }


def _uses_caspian(model: ChainModel, c: Chain) -> bool:
    return any(e.element_id == "chokepoint:caspian_crossing" for e in chain_elements(model, c))


def _describe_route(c: Chain) -> str:
    parts = []
    for leg in c.legs:
        if leg.route is None:
            continue
        svc = ", ".join(leg.route.services)
        ports = [
            r.from_name
            for r in leg.table.itertuples(index=False)
            if r.kind == "port" and r.from_name
        ]
        parts.append(
            f"{leg.product}: {leg.corridor}"
            + (f"; services {svc}" if svc else "")
            + (f"; ports {', '.join(dict.fromkeys(ports))}" if ports else "")
        )
    return " | ".join(parts)


def _ferry_capacity_t(model: ChainModel, service: str, t_per_wagon: float) -> float | None:
    """Tonnes a year a rail-ferry service can carry at ``t_per_wagon`` (NaN if unknown)."""
    svc = model.router.rg.network.tables.get("services")
    if svc is None or "service_id" not in svc:
        return None
    s = svc.loc[svc["service_id"].astype(str) == service]
    if not len(s) or "wagons" not in str(s["capacity_unit"].iloc[0]):
        return None
    cap = pd.to_numeric(s["capacity"], errors="coerce").iloc[0]
    freq = pd.to_numeric(s.get("frequency_per_week"), errors="coerce").iloc[0]
    if not freq == freq:
        wait = pd.to_numeric(s.get("wait_h"), errors="coerce").iloc[0]
        freq = 84.0 / wait if wait == wait and wait > 0 else np.nan
    if not (cap == cap and freq == freq):
        return None
    return float(cap) * float(freq) * 52.0 * t_per_wagon


def checks(model: ChainModel, which: Sequence[str] = ("V16", "V17", "V18")) -> pd.DataFrame:
    """V16-V18 against the model (see the module docstring); one row per check."""
    rows: list[dict] = []
    for name, fn in (("V16", _check_v16), ("V17", _check_v17), ("V18", _check_v18)):
        if name in which:
            rows += fn(model)
    return pd.DataFrame(rows)


def _check_v16(model: ChainModel) -> list[dict]:
    """Uranium via the Trans-Caspian route against the facts' chain, quota and volumes."""
    data = model.data
    ck = data.checks
    rows: list[dict] = []
    u_per_t = data.per_t("uranium_uoc", "tU")
    demand = scenario_demand(data)
    # ---- V16: uranium via the Trans-Caspian route
    routes = {}
    for dest in ("US converter", "EU converter"):
        for avoid in ((), ("RU",)):
            routes[(dest, avoid)] = _try(
                model,
                model_request(model, "KZ mine", dest, "uranium", avoid),
            )
    for (dest, avoid), (c, why) in routes.items():
        label = f"KZ uranium -> {dest}" + (" avoiding RU" if avoid else "")
        if c is None:
            rows.append(
                _check(
                    "V16",
                    f"{label}: route",
                    "no chain",
                    "mine-truck-rail-Aktau-rail ferry-Baku-rail Georgia-Black Sea port",
                    "not computable",
                    why,
                )
            )
            continue
        casp = _uses_caspian(model, c)
        rows.append(
            _check(
                "V16",
                f"{label}: route",
                ("Trans-Caspian: " if casp else "not Trans-Caspian: ") + _describe_route(c),
                "mine-truck-rail-Aktau-rail ferry-Baku-rail Georgia-Black Sea port (Poti)",
                "matches" if casp else "differs",
                "corridor-facts 5.1 (energyintel.com; world-nuclear-news.org 2022-12-20)",
            )
        )
    quota = float(ck.loc["V16_quota", "value"])
    vol23 = float(ck.loc["V16_volume", "value"])
    us = demand.loc[demand["scenario"] == "us_uranium_from_kz_2023"]
    if len(us):
        t = float(us["tonnes_per_year"].iloc[0])
        tu = t * u_per_t
        c_ru = routes.get(("US converter", ("RU",)), (None, ""))[0]
        via_titr = c_ru is not None and _uses_caspian(model, c_ru)
        rows.append(
            _check(
                "V16",
                "TITR uranium needed if US-bound KZ uranium avoids Russia (tU/yr)",
                f"{tu:,.0f} tU ({t:,.0f} t U3O8)" + ("" if via_titr else " (model: not via TITR)"),
                f"quota {quota:,.0f} tU; {vol23:,.0f} t shipped (2023)",
                ("above the quota" if tu > quota else "within the quota")
                + f" ({tu / quota:.0%} of it); {tu / vol23:.1f}x the 2023 volume",
                "demand V17 (scenario us_uranium_from_kz_2023) vs corridor-facts 5.1",
            )
        )
        cap = _ferry_capacity_t(model, "aktau_alat_rail_ferry", 32.0)
        if cap:
            ferry = "the ferry binds" if t > cap else f"the ferry does not bind ({t / cap:.1%})"
            limit = (
                f"; the quota binds first ({tu:,.0f} tU > {quota:,.0f} tU)"
                if tu > quota and t <= cap
                else ""
            )
            rows.append(
                _check(
                    "V16",
                    "Aktau-Alat rail ferry capacity for that uranium",
                    f"{t:,.0f} t U3O8 = {t / cap:.1%} of {cap:,.0f} t/yr (2 x 16 t per wagon)",
                    f"quota {quota:,.0f} tU",
                    ferry + limit,
                    "services table: wagons per sailing and sailings a week (or from the wait); "
                    "2 x 16 t of drums per wagon (EST)",
                )
            )
    share = float(ck.loc["V16_west_share", "value"])
    free = [routes.get((d, ()), (None, ""))[0] for d in ("US converter", "EU converter")]
    n_casp = sum(1 for c in free if c is not None and _uses_caspian(model, c))
    n_ok = sum(1 for c in free if c is not None)
    if not n_ok:
        verdict = "not computable (no chain)"
    elif n_casp == n_ok:
        verdict = (
            f"least cost sends all of it via the TITR; {1 - share:.0%} observed elsewhere "
            "(St Petersburg) is not explained by cost (quota, contracts, shipping slots)"
        )
    elif n_casp == 0:
        verdict = "least cost sends none of it via the TITR: differs"
    else:
        verdict = "least cost splits the destinations; the observed share is by volume"
    rows.append(
        _check(
            "V16",
            "Western-bound KZ uranium via the Middle Corridor, least generalised cost, no "
            "country avoided",
            f"{n_casp} of {n_ok} destinations (US, EU)",
            f"{share:.0%} of transport to Western countries (2023)",
            verdict,
            "corridor-facts 5.1 (en.apa.az)",
        )
    )
    return rows


def _check_v17(model: ChainModel) -> list[dict]:
    """The US import share (and the other uranium demand rows) as scenario demand."""
    data = model.data
    rows: list[dict] = []
    data.per_t("uranium_uoc", "tU")
    demand = scenario_demand(data)
    # ---- V17: US import share as a scenario demand
    for r in demand.loc[demand["mineral"] == "uranium"].itertuples(index=False):
        c, why = _try(model, model_request(model, r.origin, r.destination, "uranium", ()))
        c2, _ = _try(model, model_request(model, r.origin, r.destination, "uranium", ("RU",)))
        if c is None:
            rows.append(
                _check(
                    "V17",
                    f"scenario {r.scenario}",
                    "no chain",
                    f"{r.tonnes_per_year:,.0f} t/yr",
                    "not computable",
                    why,
                )
            )
            continue
        t = float(r.tonnes_per_year)
        txt = (
            f"{t:,.0f} t U3O8/yr: USD {t * c.usd_per_t / 1e6:,.2f} m/yr, "
            f"{t * c.co2e_kg_per_t / 1000:,.0f} t CO2e/yr, {c.days:.0f} days"
        )
        if c2 is not None:
            txt += (
                f"; avoiding RU: USD {t * c2.usd_per_t / 1e6:,.2f} m/yr, "
                f"{t * c2.co2e_kg_per_t / 1000:,.0f} t CO2e/yr, {c2.days:.0f} days"
            )
        rows.append(
            _check(
                "V17",
                f"scenario {r.scenario} ({r.origin} -> {r.destination}, {r.year})",
                txt,
                r.basis,
                "input (demand built from the facts)",
                r.source,
            )
        )
    return rows


def _check_v18(model: ChainModel) -> list[dict]:
    """Rare-earth processing concentration and the chains that exist without China."""
    data = model.data
    ck = data.checks
    rows: list[dict] = []
    data.per_t("uranium_uoc", "tU")
    scenario_demand(data)
    # ---- V18: rare-earth processing concentration
    fac = data.facilities
    sep = fac.loc[(fac["mineral"] == "rare_earths") & (fac["stage"] == "separation")]
    cap = pd.Series({f: model.tonnes_per_year(f) for f in sep.index}) * data.per_t(
        "ree_ndpr_oxide", "tREO"
    )
    cn = float(cap[sep["country"] == "CN"].sum()) if len(cap) else 0.0
    tot = float(cap.sum()) if len(cap) else 0.0
    obs = float(ck.loc["V18_share", "value"])
    if tot > 0:
        rows.append(
            _check(
                "V18",
                "China share of rare-earth separation capacity in the facility table",
                f"{cn / tot:.0%} ({cn:,.0f} of {tot:,.0f} t REO/yr)",
                f"{obs:.0%} of refined output (2023)",
                "in the table China is "
                + ("at or above" if cn / tot >= obs else "below")
                + " the observed share (capacities outside China are estimates)",
                "facilities.csv (China: national quota 254,000 t, corridor-facts 5.2)",
            )
        )
    else:
        rows.append(
            _check(
                "V18",
                "China share of rare-earth separation capacity",
                "no separation plant with a capacity in the table",
                f"{obs:.0%}",
                "not computable",
                "facilities.csv",
            )
        )
    for dest in ("US buyer", "EU buyer", "East Asia buyer"):
        for avoid in ((), ("CN",)):
            c, why = _try(
                model, model_request(model, "kuyrektykol", dest, "rare_earths", avoid, tonnes=20000)
            )
            label = f"REE Kuyrektykol -> {dest}" + (" without China" if avoid else "")
            if c is not None:
                where = sorted({s.country for s in c.stages if s.role == "process"})
                verdict = f"exists (processing in {', '.join(where)})"
            else:
                off = _off_network_buyers(model, dest, "rare_earths", avoid)
                verdict = (
                    f"not computable: the buyers left ({', '.join(off)}) are off this network"
                    if off
                    else "none"
                )
            rows.append(
                _check(
                    "V18",
                    label,
                    " > ".join(c.facilities) + f" ({c.usd_per_t:,.0f} USD/t, {c.days:.0f} d)"
                    if c is not None
                    else f"no chain ({why})",
                    f"China {obs:.0%} of refining; China + Malaysia + Australia "
                    f"{float(ck.loc['V18_top3', 'value']):.0%}",
                    verdict,
                    REE_TONNES_NOTE,
                )
            )
    return rows


def _off_network_buyers(model: ChainModel, group: str, mineral: str, avoid) -> list[str]:
    """Names of a group's facilities outside ``avoid`` when none of them has an access place
    on the network (a coverage gap, not a verdict on the chain); else []."""
    try:
        group_ids = model.resolve(group, mineral, "to").facility_ids
    except SeraiError:
        return []
    fac = model.data.facilities
    ids = [f for f in group_ids if fac.loc[f, "country"] not in set(avoid)]
    if not ids or any(model.access(f) for f in ids):
        return []
    return [str(fac.loc[f, "name"]) for f in ids]


def model_request(model, origin, destination, mineral, avoid, tonnes=None):
    """A :class:`~serai.minerals.engine.ChainRequest` for the dashboard and checks."""
    from serai.minerals.engine import ChainRequest

    return ChainRequest(
        origin=origin,
        destination=destination,
        mineral=mineral,
        avoid_countries=tuple(avoid),
        tonnes=tonnes,
        alternatives=0,
    )
