"""Checks of a scenario against the data: every element, country, parameter, point,
demand group, zone and mineral scenario it names must exist (errors name the file, the
line and the key, with close names suggested)."""

from __future__ import annotations

import fnmatch

from serai.errors import InputError, unknown
from serai.scenarios.known import (
    capacity_elements,
    capacity_table,
    country_groups,
    element_index,
    param_ids,
)
from serai.scenarios.model import Scenario

__all__ = ["OPENABLE", "check_scenario", "match_params"]

#: Element kinds that can be opened or closed.
OPENABLE = ("line", "service", "point", "crossing", "passage", "expansion")


def _base_network():
    from serai.data import load_network

    return load_network()


def match_params(pattern: str, ids: tuple[str, ...] | list[str]) -> list[str]:
    """Parameter ids matching an id or a ``*`` pattern.

    >>> match_params("border.rail.KZ.*", ["border.rail.KZ.in", "border.rail.KZ.out", "rail.speed.KZ"])
    ['border.rail.KZ.in', 'border.rail.KZ.out']
    """
    if pattern in ids:  # an exact id first (some ids contain '*', e.g. border.rail.*.*)
        return [pattern]
    if "*" in pattern or "?" in pattern:
        return [p for p in ids if fnmatch.fnmatchcase(p, pattern)]
    return []


def _element(s: Scenario, row: dict, key: str, idx: dict, added: set[str], kinds=None) -> tuple:
    kind, _, name = str(row[key]).partition(":")
    if kinds is not None and kind not in kinds:
        raise s.error(
            row,
            f"a {kind} cannot be opened or closed (kinds that can: {', '.join(kinds)}); "
            "change its capacity instead",
            key,
        )
    known = set(idx.get(kind, set()))
    if kind == "line":
        known |= added
    if name not in known:
        exc = unknown(f"{kind}", name, known)
        raise s.error(row, exc.reason, key)
    return kind, name


def check_scenario(s: Scenario, network=None) -> None:
    """Raise an :class:`~serai.errors.InputError` (file, line, key) at the first unknown name."""
    net = _base_network() if network is None else network
    idx = element_index(net)
    added: set[str] = set()
    lines_with_links = set(net.links.loc[net.links["origin"].astype(str) == "facts", "name"].astype(str)) if "origin" in net.links.columns else set()  # fmt: skip
    points = set(net.tables["points"]["point_id"].astype(str)) if "points" in net.tables else set()
    for r in s.rows("add_line"):
        if r["id"] in idx["line"] or r["id"] in idx["service"] or r["id"] in added:
            raise s.error(r, f"a line or service named {r['id']!r} exists already", "id")
        for k in ("from", "to"):
            if r[k] not in points:
                raise s.error(r, unknown("point", r[k], points).reason, k)
        for v in r.get("via", []):
            if v not in points:
                raise s.error(r, unknown("point", v, points).reason, "via")
        added.add(r["id"])
    for sec in ("open", "close"):
        for r in s.rows(sec):
            kind, name = _element(s, r, "element", idx, added, OPENABLE)
            if kind == "line" and name not in lines_with_links and name not in added:
                raise s.error(
                    r,
                    f"line {name!r} has no links of its own in the network (it is part of the "
                    "OpenStreetMap rail graph): change its capacity, or close its crossing",
                    "element",
                )
    cap_el = capacity_elements()
    cap = capacity_table()
    for r in s.rows("capacity"):
        kind, name = _element(s, r, "element", idx, added)
        if kind in ("fleet", "corridor") and r["element"] not in cap_el:
            raise s.error(r, unknown(kind, name, idx[kind]).reason, "element")
        if "capacity_id" in r:
            ids = set(cap.loc[cap["element"] == r["element"], "capacity_id"].astype(str))
            if r["capacity_id"] not in ids:
                raise s.error(
                    r, unknown(f"capacity row of {r['element']}", r["capacity_id"], ids).reason,
                    "capacity_id",
                )  # fmt: skip
        if "factor" in r and r["element"] not in cap_el and not (kind == "line" and name in added):
            raise s.error(
                r,
                f"{r['element']} has no capacity in the flows capacity table to multiply; "
                "give value and unit for a new capacity",
                "factor",
            )
    for r in s.rows("disruption"):
        kind, name = _element(s, r, "element", idx, added)
        full_year = set(r.get("months", range(1, 13))) == set(range(1, 13))
        if r["element"] not in cap_el and not (r["capacity_factor"] == 0 and full_year):
            raise s.error(
                r,
                f"{r['element']} has no capacity in the flows: it can only be closed "
                "(capacity_factor = 0 in every month), or give it a capacity first",
                "element",
            )
        if (
            r["capacity_factor"] == 0
            and full_year
            and kind not in OPENABLE
            and r["element"] not in cap_el
        ):
            raise s.error(r, f"a {kind} cannot be closed", "element")
    countries = {c for c in net.nodes["country"].astype(str) if c}
    groups = country_groups()
    for r in s.rows("border"):
        for key in ("a", "b"):
            vals = [r[key]] if isinstance(r[key], str) else r[key]
            for v in vals:
                if v not in countries and v not in groups:
                    raise s.error(
                        r, unknown("country or group", v, countries | set(groups)).reason, key
                    )
    ids = param_ids()
    for r in s.rows("parameter"):
        if not ids:
            raise s.error(r, "this build has no time and tariff model parameters", "id")
        if not match_params(r["id"], ids):
            from serai.freight.params import border_fallback

            if border_fallback(r["id"], ids) is not None:  # a country's own border side
                cc = r["id"].split(".")[2]
                if cc not in countries:
                    raise s.error(r, unknown("country of the network", cc, countries).reason, "id")
                continue
            if "*" in r["id"]:
                raise s.error(r, f"the pattern {r['id']!r} matches no model parameter", "id")
            raise s.error(r, unknown("model parameter", r["id"], ids).reason, "id")
    _check_demand(s)
    measures = s.measures
    for sec, rows in s.changes.items():
        if sec in ("measure", "target"):
            continue
        for r in rows:
            m = r.get("measure")
            if m is not None and m not in measures:
                raise s.error(r, unknown("measure", m, measures).reason, "measure")


def _check_demand(s: Scenario) -> None:
    rows = [*s.rows("demand.growth"), *s.rows("demand.scale"), *s.rows("demand.flow")]
    if not rows:
        return
    from serai.demand import expand_set, groups

    known_groups = set(groups().index)
    for r in rows:
        g = r.get("group")
        if g is not None and g != "*" and g not in known_groups:
            raise s.error(r, unknown("demand group", g, known_groups).reason, "group")
        for key in ("origin", "destination"):
            v = r.get(key)
            if v is None or v == "*":
                continue
            try:
                expand_set(v)
            except InputError as exc:
                raise s.error(r, exc.reason, key) from None
        if "minerals" in r:
            from serai.minerals.dashboard import scenario_demand
            from serai.scenarios.known import mineral_zones

            d = scenario_demand()
            names = set(d["scenario"].astype(str))
            if r["minerals"] not in names:
                raise s.error(
                    r, unknown("mineral demand scenario", r["minerals"], names).reason, "minerals"
                )
            mz = mineral_zones()
            for row in d.loc[d["scenario"] == r["minerals"]].itertuples(index=False):
                for nm in (row.origin, row.destination, row.product):
                    if nm not in mz.index:
                        raise s.error(
                            r,
                            f"the mineral scenario names {nm!r}, which has no demand zone or "
                            "group in serai/scenarios/data/mineral_zones.csv",
                            "minerals",
                        )
