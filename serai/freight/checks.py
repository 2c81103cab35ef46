"""The gate of route queries: constraints and arguments checked against the routing graph.

Unknown codes (countries, passages, modes) are errors with suggestions, never
ignored; numbers must be finite and in range. :class:`~serai.freight.Router` calls
:func:`check_query` at the top of ``route``, ``alternatives`` and ``pareto``.

Examples
--------
>>> from serai.freight.checks import country_hints
>>> country_hints()["russia"]
'RU'
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from serai._checks import MAX_ALTERNATIVES, check_count, check_number
from serai.errors import InputError, unknown

__all__ = [
    "MAX_ALTERNATIVES",
    "check_codes",
    "check_count",
    "check_number",
    "check_query",
    "country_hints",
]

#: Penalty-method searches of one question at most (``candidates(max_iter=)``).
MAX_PENALTY_SEARCHES = 5_000
MAX_CARBON_PRICE = 1e9  # USD per t CO2e; larger prices only overflow the costs


@cache
def country_hints() -> dict[str, str]:
    """Common country names (lower case) to ISO 3166-1 alpha-2, for suggestions."""
    names = {
        "RU": "russia;russian federation", "CN": "china;prc", "KZ": "kazakhstan",
        "IR": "iran", "TR": "turkey;turkiye;türkiye", "AZ": "azerbaijan", "GE": "georgia",
        "AM": "armenia", "UZ": "uzbekistan", "KG": "kyrgyzstan;kyrgyz republic",
        "TM": "turkmenistan", "TJ": "tajikistan", "AF": "afghanistan", "PK": "pakistan",
        "MN": "mongolia", "UA": "ukraine", "BY": "belarus", "PL": "poland", "DE": "germany",
        "NL": "netherlands;holland", "BE": "belgium", "FR": "france", "IT": "italy",
        "ES": "spain", "GR": "greece", "BG": "bulgaria", "RO": "romania", "HU": "hungary",
        "RS": "serbia", "EG": "egypt", "SA": "saudi arabia", "AE": "united arab emirates;uae",
        "IN": "india", "US": "united states;usa;united states of america", "GB": "united kingdom;uk;britain",
        "LT": "lithuania", "LV": "latvia", "EE": "estonia", "FI": "finland", "YE": "yemen",
        "DJ": "djibouti", "SG": "singapore", "MY": "malaysia", "KR": "south korea;korea",
        "JP": "japan", "IQ": "iraq", "SY": "syria", "OM": "oman", "QA": "qatar",
    }  # fmt: skip
    return {n: code for code, text in names.items() for n in text.split(";")}


#: Other names of sea passages, for suggestions (an unknown passage is still an error): the Red
#: Sea's southern strait is Bab-el-Mandeb (``babalmandab``); closing the Red Sea to shipping
#: (a scenario) closes ``babalmandab`` and ``suez``.
PASSAGE_HINTS = {
    "red_sea": "babalmandab", "red sea": "babalmandab", "redsea": "babalmandab",
    "bab_el_mandeb": "babalmandab", "bab-el-mandeb": "babalmandab", "bab el mandeb": "babalmandab",
    "mandeb": "babalmandab", "suez_canal": "suez", "suez canal": "suez",
    "cape_of_good_hope": "cape", "good_hope": "cape", "cape of good hope": "cape",
    "strait_of_hormuz": "hormuz", "panama_canal": "panama", "bosphorus": "bosporus",
}  # fmt: skip


def _present(values: np.ndarray) -> list[str]:
    return sorted({str(v) for v in values if isinstance(v, str) and v.strip()})


def _known_codes(router: Any, passage_countries: Any) -> tuple[frozenset, list[str]]:
    """(country codes, passage names) a router's graph knows, gathered once per router
    (its graph never changes; every query checks against them)."""
    hit = router.__dict__.get("_known_codes")
    if hit is None or hit[0] is not router._countries or hit[1] is not router._passages:
        countries = set(_present(router._countries))
        for cs in passage_countries().values():
            countries |= set(cs)
        hit = (router._countries, router._passages, frozenset(countries),
               _present(router._passages))  # fmt: skip
        router.__dict__["_known_codes"] = hit
    return hit[2], hit[3]


def check_query(
    router: Any,
    cons: Any,
    *,
    objective: str | None = None,
    carbon_price: Any = 0.0,
) -> None:
    """Refuse codes the routing graph does not know and numbers out of range.

    The objective and the carbon price are checked on every call; the constraints' codes
    once per value on a router (:func:`_passed`: :class:`~serai.freight.route.Constraints`
    is frozen, the check a pure function of it and the router's graph; an API question
    passes the gate in ``constraints_of`` and again in ``Router.route``). Errors are never
    remembered: a refused value is checked, and refused, every time."""
    if objective is not None and objective not in _objective_names():
        from serai.freight.route import OBJECTIVES

        raise unknown("objective", objective, OBJECTIVES, field="objective")
    if type(carbon_price) is not float or not 0.0 <= carbon_price <= MAX_CARBON_PRICE:
        check_number(carbon_price, "carbon_price_usd_per_t", high=MAX_CARBON_PRICE,
                     label="the carbon price (USD per t CO2e)")  # fmt: skip
    passed = _passed(router, cons)
    if passed is not None and cons in passed:
        return
    _check_codes(router, cons)
    if passed is not None:
        if len(passed) >= _MAX_PASSED:
            passed.clear()  # a dict shared by threads: clear and set are atomic
        passed[cons] = None


_MAX_PASSED = 256  # constraints remembered as checked, per router


@cache
def _objective_names() -> frozenset[str]:
    from serai.freight.route import OBJECTIVES

    return frozenset((*OBJECTIVES, "co2e", "generalized", "gc"))


def _passed(router: Any, cons: Any) -> dict[Any, None] | None:
    """The constraints that passed :func:`_check_codes` on ``router``'s graph (None: do not
    remember ``cons``: not a hashable :class:`~serai.freight.route.Constraints`). Kept with
    the identities of what the check reads (the router's arrays of codes and its graph): a
    router whose data is other starts afresh; copies over the same data share it."""
    d = getattr(router, "__dict__", None)
    if d is None or type(cons) is not _constraints_type():
        return None
    try:
        hash(cons)
    except TypeError:  # an unhashable via point
        return None
    hit = d.get("_checked")
    g = d.get
    if (
        hit is None
        or hit[0] is not g("_countries")
        or hit[1] is not g("_passages")
        or hit[2] is not g("_modes")
        or hit[3] is not g("_e_service")
        or hit[4] is not g("rg")
    ):
        hit = (g("_countries"), g("_passages"), g("_modes"), g("_e_service"), g("rg"), {})
        d["_checked"] = hit
    return hit[5]


@cache
def _constraints_type() -> type:
    from serai.freight.constraints import Constraints

    return Constraints


def _check_codes(router: Any, cons: Any) -> None:
    """The constraints' part of :func:`check_query`."""
    from serai.freight.route import passage_countries

    countries, passages = _known_codes(router, passage_countries)
    for c in sorted(cons.avoid_countries, key=str):
        if not isinstance(c, str) or c not in countries:
            raise unknown("country", c, countries, field="avoid_countries", hints=country_hints())
    named = passage_countries()  # passages serai knows by name (data/passages.csv)
    for p in sorted(cons.avoid_passages, key=str):
        if isinstance(p, str) and p in named:
            continue  # known: avoided trivially when not on this network (closed in a scenario)
        if not isinstance(p, str) or p not in passages:
            raise unknown("passage", p, sorted({*passages, *named}), field="avoid_passages",
                          hints=PASSAGE_HINTS)  # fmt: skip
    if cons.modes is not None:
        from serai.freight.virtual import SERVICE_MODES
        from serai.modes import MODES

        present = set(_present(router._modes)) - {"transfer", "connector"}
        modes = sorted(present | set(SERVICE_MODES) | set(MODES))
        if not cons.modes:
            raise InputError("no mode given; allowed: " + ", ".join(modes), field="modes")
        for m in sorted(cons.modes, key=str):
            if not isinstance(m, str) or m not in modes:
                raise unknown("mode", m, modes, field="modes")
    services = getattr(cons, "avoid_services", None)
    if services:
        known = _present(getattr(router, "_e_service", np.array([], dtype=object)))
        for sv in sorted(services, key=str):
            if not isinstance(sv, str) or sv not in known:
                raise unknown("service", sv, known, field="avoid_services")
    if cons.avoid_nodes:
        ids = router.rg.network.nodes["node_id"].to_numpy()
        missing = sorted(set(cons.avoid_nodes) - set(ids.tolist()))
        if missing:
            raise InputError(f"node {missing[0]} is not in the network", field="avoid_nodes")
    if cons.avoid_links:
        ids = router.rg.network.links["link_id"].to_numpy()
        missing = sorted(set(cons.avoid_links) - set(ids.tolist()))
        if missing:
            raise InputError(f"link {missing[0]} is not in the network", field="avoid_links")


def check_codes(
    router: Any,
    *,
    avoid_countries: Any = None,
    avoid_passages: Any = None,
    modes: Any = None,
) -> None:
    """Check a query's codes alone, before routing (batch rows, HTTP requests).

    The same gate as :func:`check_query` (unknown codes are errors with suggestions).
    """
    from serai.freight.route import Constraints

    router = getattr(router, "router", router)  # a wrapper holding a shared router (the API)
    cons = Constraints.make(
        avoid_countries=avoid_countries, avoid_passages=avoid_passages, modes=modes
    )
    check_query(router, cons)
