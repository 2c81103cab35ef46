"""Resolve what a user types into a place: the loaded network's names, the gazetteer, coordinates.

One resolver serves the CLI (``serai route``, ``serai places search``), the Python API
(:meth:`serai.freight.Router.locate`) and the service. Rules, in order:

1. ``"lat,lon"`` (or a (lat, lon) tuple) is a point: its country from the land grid; at
   sea it is an error naming the nearest places.
2. A node id of the network is that node.
3. A name, alias (any script; case, accents and punctuation ignored), UN/LOCODE or point id:
   every place with that key is a candidate: the network's own named places and points, and
   the gazetteer's places. A gazetteer place within ``COINCIDE_KM`` of a network place that
   shares one of its names *is* that network place. Places on the network come first, then
   places a first/last-mile leg can reach (``reach``), then by how the name matched (name,
   official variant, alias), then by population: ``Suzhou`` is Suzhou, Jiangsu (6.7 M), and
   the answer says that Suzhou, Anhui exists.
4. ``"Suzhou, Anhui"``, ``"Barcelona, ES"``, ``"Barcelona (Spain)"`` or a ``country``
   argument keep only the candidates in that country or first-level region.
5. Anything else is an :class:`~serai.errors.InputError` with the closest names.

Examples
--------
>>> from serai.freight.resolver import PlaceResolver
>>> res = PlaceResolver()  # gazetteer only, no network
>>> p = res.locate("Suzhou")
>>> p.label, p.others[:1]
('Suzhou (Jiangsu, CN)', ('Suzhou (Anhui, CN)',))
>>> res.locate("Suzhou, Anhui").label, res.locate("Barcelona", country="VE").label
('Suzhou (Anhui, CN)', 'Barcelona (Anzoátegui, VE)')
>>> res.locate("Bombay").name, res.locate("Алматы").name, res.locate("Peking").name
('Mumbai', 'Almaty', 'Beijing')
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from serai.errors import InputError
from serai.freight.gazetteer import COINCIDE_KM, Gazetteer, great_circle_km, load_gazetteer
from serai.freight.places import _COORD, PlaceIndex, normalise
from serai.freight.placesearch import _suggest_pool, country_iso, search_places

__all__ = ["COINCIDE_KM", "Place", "PlaceResolver", "search_places"]
_ASCII_INT = re.compile(r"-?[0-9]+")  # a node id ("¹".isdigit() is True, int("¹") fails)


@dataclass(frozen=True)
class Place:
    """A resolved place: what was asked, what was chosen, and what else has that name.

    ``target`` is the network node id (int) or named point (str) when the place is on the
    loaded network; otherwise ``None`` and routes reach it by a first/last-mile road leg.
    """

    query: str
    name: str
    country: str = ""
    admin1: str = ""
    lat: float = math.nan
    lon: float = math.nan
    population: int = 0
    kind: str = ""
    source: str = ""  # network | gazetteer | coordinates
    place_id: int = -1  # gazetteer id (-1: none)
    target: int | str | None = None
    matched: str = ""  # the alias or spelling matched, when it is not the name
    others: tuple[str, ...] = field(default=())  # other places with the name, best first
    reason: str = ""  # why this one among the others
    status: str = ""  # planned | under_construction: a point of the facts not open yet
    open_year: int = 0  # its expected opening year (0: none given)

    @property
    def label(self) -> str:
        """``Suzhou (Jiangsu, CN)``; ``Almaty (KZ)``; coordinates as ``lat,lon (CC)``."""
        inner = ", ".join(x for x in (self.admin1, self.country) if x and x != self.name)
        if inner and not self.name.endswith(f"({self.country})"):
            return f"{self.name} ({inner})"
        return self.name

    @property
    def on_network(self) -> bool:
        return self.target is not None

    def note(self) -> str:
        """One sentence for the user when the place is planned, or the name was ambiguous or
        matched an alias ('' else); made once per Place (a pure function of its fields; the
        Places of names asked are remembered by the Router)."""
        got = self.__dict__.get("_note")
        if got is None:
            got = self._note_text()
            object.__setattr__(self, "_note", got)  # not a field: eq, hash, asdict ignore it
        return got

    def _note_text(self) -> str:
        parts = []
        if self.status in ("planned", "under_construction") and self.kind in ("port", "terminal"):
            # (a town or crossing of the facts with a line not open yet exists: no note)
            when = f", expected to open in {self.open_year}" if self.open_year else ""
            parts.append(
                f"{self.name} is {self.status.replace('_', ' ')}{when} (facts): until it opens, "
                "routes reach only the rail and road lines at its site"
            )
        if self.matched and not normalise(self.matched).startswith(normalise(self.name)):
            parts.append(f"'{self.matched}' is {self.label}")
        if self.others:
            more = len(self.others)
            shown = "; ".join(self.others[:3]) + (f"; and {more - 3} more" if more > 3 else "")
            q = self.matched or self.query
            parts.append(
                f"'{q}' also names {shown}: chose {self.label}"
                + f" ({self.reason or 'the largest'})"
                + f"; say e.g. '{_example(self.others[0], q)}' for another"
            )
        return ". ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["label"] = self.label
        d["others"] = list(self.others)
        d["note"] = self.note()
        for k in ("lat", "lon"):
            d[k] = None if d[k] != d[k] else round(float(d[k]), 5)
        return d


def _example(label: str, query: str) -> str:
    m = re.match(r"^(.*?) \((.*)\)$", label)
    if not m:
        return label
    name, inner = m.group(1), m.group(2).split(", ")
    return f"{query if normalise(query) == normalise(name) else name}, {inner[0]}"


class PlaceResolver:
    """Names, aliases, UN/LOCODEs and coordinates to :class:`Place` (see the module docstring).

    Parameters
    ----------
    index
        The network's :class:`~serai.freight.places.PlaceIndex` (None: gazetteer only).
    nodes, points
        The network's nodes (node_id, x, y, country) and points (point_id, lat, lon) tables,
        for the coordinates of network places.
    gazetteer
        Default: the shipped one (:func:`~serai.freight.gazetteer.load_gazetteer`).
    """

    def __init__(
        self,
        index: PlaceIndex | None = None,
        nodes: pd.DataFrame | None = None,
        points: pd.DataFrame | None = None,
        gazetteer: Gazetteer | None = None,
        reach: Any = None,
    ) -> None:
        self.gz = gazetteer if gazetteer is not None else load_gazetteer()
        self.index = index
        self.reach = reach  # (lat, lon) -> whether a first/last-mile leg can reach the network
        xy: dict[Any, tuple[float, float, str]] = {}
        if nodes is not None and len(nodes):
            n = len(nodes)
            c = (
                nodes["country"].fillna("").astype(str).to_numpy(object)
                if "country" in nodes
                else np.full(n, "", object)
            )
            xy = dict(
                zip(
                    nodes["node_id"].to_numpy(np.int64).tolist(),
                    zip(
                        pd.to_numeric(nodes["y"], errors="coerce").to_numpy(float).tolist(),
                        pd.to_numeric(nodes["x"], errors="coerce").to_numpy(float).tolist(),
                        c.tolist(),
                        strict=True,
                    ),
                    strict=True,
                )
            )
        if points is not None and len(points):
            pid = points["point_id"].astype(str).to_numpy(object).tolist()
            la = pd.to_numeric(points["lat"], errors="coerce").to_numpy(float).tolist()
            lo = pd.to_numeric(points["lon"], errors="coerce").to_numpy(float).tolist()
            if "country" in points:
                pc = points["country"].fillna("").astype(str).to_numpy(object).tolist()
            elif "node_id" in points:
                pc = [xy.get(int(i), (0, 0, ""))[2] for i in points["node_id"].to_numpy(np.int64)]
            else:
                pc = [""] * len(pid)
            for a, b, cc, dd in zip(pid, la, lo, pc, strict=True):
                xy.setdefault(a, (b, cc, dd))
        self._xy = xy
        self._has_nodes = nodes is not None and len(nodes) > 0  # node ids can be checked
        # network keys -> targets (best rank first); gazetteer place -> network target
        self._net: dict[str, list[Any]] = {}
        self._net_only: dict[str, list[Any]] = {}
        self._gaz_target: dict[int, tuple[int, float, Any]] = {}
        if index is not None and len(index.keys):
            pairs = list(
                zip(index.keys["key"], index.keys["target"], index.keys["rank"], strict=True)
            )
            pairs += [(normalise(c), t, -1) for c, t in index.locodes.items()]
            for key, target, rank in pairs:
                target = _plain(target)
                lst = self._net.setdefault(key, [])
                if target not in lst:
                    lst.append(target)
                at = xy.get(target)
                rows = self.gz.rows(key)
                if at is None or not np.isfinite(at[0]):
                    continue
                pids = np.unique(self.gz.key_place[rows])
                d = great_circle_km(at[0], at[1], self.gz.lat[pids], self.gz.lon[pids])
                near = pids[d <= COINCIDE_KM]
                for pid, dk in zip(near, d[d <= COINCIDE_KM], strict=True):
                    best = self._gaz_target.get(int(pid))
                    cand = (int(rank), float(dk), target)
                    if best is None or cand[:2] < best[:2]:
                        self._gaz_target[int(pid)] = cand
                if not len(near):
                    only = self._net_only.setdefault(key, [])
                    if target not in only:
                        only.append(target)

    # ------------------------------------------------------------------ public
    def locate(self, query: Any, country: str | None = None) -> Place:
        """The :class:`Place` a query names (see the module docstring for the rules)."""
        if isinstance(query, Place):
            return query
        if isinstance(query, tuple) and len(query) == 2:
            return self.at(float(query[0]), float(query[1]), query=str(query))
        if isinstance(query, (int, np.integer)) and not isinstance(query, bool):
            if self._has_nodes and int(query) not in self._xy:
                raise InputError(f"unknown node id {query}", field="place")
            return self._node_place(int(query), str(query))
        if not isinstance(query, str):  # str() of a list would find ['Baku'] as Baku
            raise InputError(
                f"a place is a name, 'lat,lon', a node id or a (lat, lon) pair; got "
                f"{type(query).__name__} {str(query)[:40]!r}",
                field="place",
            )
        q = query.strip()
        if not q:
            raise InputError("empty place name", field="place")
        m = _COORD.match(q)
        if m:
            return self.at(float(m.group(1)), float(m.group(2)), query=q)
        iso = self._country(country) if country else ""
        cands = self._candidates(normalise(q), iso, "")
        if not cands:
            parts = _qualifiers(q)
            if parts is not None:
                base, quals = parts
                bkey = normalise(base)
                cands = self._candidates(bkey, iso, "")
                for qual in quals:
                    qiso = self.gz.country_code(qual) or (
                        qual.upper() if re.fullmatch(r"[A-Za-z]{2}", qual) else ""
                    )
                    if iso and qiso and qiso != iso:
                        raise InputError(
                            f"'{q}' says country {qiso} but the country filter is {iso}",
                            field="place",
                        )
                    kept = [c for c in cands if qiso and c["country"] == qiso]
                    if not qiso:
                        kept = [c for c in cands if c["pid"] >= 0
                                and _admin_match(normalise(qual), self.gz.admin1[c["pid"]])]  # fmt: skip
                    if not kept:  # another name of the same place: 'Astana (Nur-Sultan)'
                        same = self._candidates(normalise(qual), iso, "")
                        kept = [c for c in cands if any(_close(c, o) for o in same)]
                    if not kept and cands:
                        options = self._cluster(cands)
                        raise InputError(
                            f"no place '{base}' in '{qual}'; places with that name: "
                            + "; ".join(options[:8]),
                            field="place",
                        )
                    cands = kept
                if cands:
                    return self._choose(q, base, cands)
        if not cands and _ASCII_INT.fullmatch(q) and self.index is not None:
            if int(q) in self.index.names.index:
                return self._node_place(int(q), q)
        if not cands:
            where = f" in {iso}" if iso else ""
            if iso and self._candidates(normalise(q), "", ""):
                options = self._cluster(self._candidates(normalise(q), "", ""))
                raise InputError(
                    f"no place '{q}'{where}; places with that name: " + "; ".join(options[:8]),
                    field="place",
                )
            ctry = self.gz.country_code(q)
            if ctry:
                cap = self.gz.capital(ctry)
                raise InputError(
                    f"'{q}' is a country ({ctry}), not a place"
                    + (
                        f"; give a city or port in it, e.g. {self.gz.label(cap)}"
                        if cap >= 0
                        else ""
                    ),
                    field="place",
                )
            known = _unlocated().get(normalise(q))
            if known is not None:
                raise InputError(
                    f"unknown place '{q}': {known['what']} has no sourced "
                    "coordinate (not in the facts, Natural Earth or GeoNames cities500), so "
                    f"none is guessed; use '{known['instead']}' or give 'lat,lon'",
                    field="place",
                )
            raise InputError(f"unknown place '{q}'{where}{self.suggest(q, iso)}", field="place")
        return self._choose(q, q, cands)

    def at(self, lat: float, lon: float, query: str = "") -> Place:
        """A coordinate as a place (country from the land grid); at sea it is an error."""
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or lat != lat or lon != lon:
            raise InputError(f"coordinates ({lat}, {lon}) are not a valid lat,lon", field="place")
        iso, km = self.gz.country_at(lat, lon)
        near = self.gz.nearest(lat, lon, k=1, min_population=1)
        near_lbl = self.gz.label(int(near[0])) if len(near) else ""
        if not iso:
            dist = f" ({km:,.0f} km from the nearest coast)" if np.isfinite(km) else ""
            raise InputError(
                f"({lat}, {lon}) is at sea{dist}; give a place on land or a port"
                + (f", e.g. the nearest place {near_lbl}" if near_lbl else ""),
                field="place",
            )
        d_near = (
            float(great_circle_km(lat, lon, self.gz.lat[near[0]], self.gz.lon[near[0]]))
            if len(near)
            else math.inf
        )
        name = f"{lat:.4f},{lon:.4f}"
        if near_lbl and d_near <= 30:
            name += f" near {self.gz.places.at[int(near[0]), 'name']}"
        return Place(query or name, name, iso, "", lat, lon, 0, "point", "coordinates")

    def suggest(self, text: str, country: str = "", n: int = 5) -> str:
        """``'; did you mean A, B?'`` (closest names, larger places first) or ''."""
        import difflib

        key = normalise(text)
        pool = _suggest_pool(self.gz)
        near = difflib.get_close_matches(key, pool[0], n=12, cutoff=0.75)
        if len(near) < n:
            near += [k for k in difflib.get_close_matches(key, pool[0], n=12, cutoff=0.6)
                     if k not in near]  # fmt: skip
        if self.index is not None:
            near += difflib.get_close_matches(key, list(self._net), n=3, cutoff=0.75)
        out: list[str] = []
        seen: set[str] = set()
        for k in near:
            cands = self._candidates(k, country, "")
            for c in self._cluster(cands)[:2]:
                if c not in seen:
                    seen.add(c)
                    out.append(c)
        return ("; did you mean " + ", ".join(out[:n]) + "?") if out else ""

    # ------------------------------------------------------------------ internals
    def _country(self, text: str) -> str:
        return country_iso(self.gz, text)

    def _candidates(self, key: str, iso: str, admin_key: str) -> list[dict]:
        """Every place with this key: dicts with rank fields, best first."""
        gz = self.gz
        out: list[dict] = []
        rows = gz.rows(key)
        best: dict[int, int] = {}
        for pid, tier in zip(gz.key_place[rows].tolist(), gz.key_tier[rows].tolist(), strict=True):
            best[pid] = min(best.get(pid, 9), tier)
        for pid, tier in best.items():
            c = gz.country[pid]
            if iso and c != iso:
                continue
            if admin_key and not _admin_match(admin_key, gz.admin1[pid]):
                continue
            tg = self._gaz_target.get(pid)
            out.append({"pid": pid, "target": tg[2] if tg else None, "tier": tier,
                        "pop": int(gz.population[pid]), "lat": float(gz.lat[pid]),
                        "lon": float(gz.lon[pid]), "country": c})  # fmt: skip
            out[-1]["reach"] = (
                tg is not None
                or self.reach is None
                or bool(self.reach(out[-1]["lat"], out[-1]["lon"]))
            )
        if not admin_key:
            for t in self._net_only.get(key, ()):
                la, lo, c = self._xy.get(t, (math.nan, math.nan, ""))
                if iso and c != iso:
                    continue
                out.append({"pid": -1, "target": t, "tier": 0, "pop": 0, "lat": la, "lon": lo,
                            "country": c, "reach": True})  # fmt: skip
        out.sort(key=lambda c: (c["target"] is None, c["tier"], -c["pop"], c["pid"]))
        return out

    def _label(self, c: dict) -> str:
        if c["pid"] >= 0:
            return self.gz.label(c["pid"])
        name = self.index.name(c["target"]) if self.index is not None else str(c["target"])
        return f"{name or c['target']} ({c['country']})" if c["country"] else str(name)

    def _cluster(self, cands: list[dict]) -> list[str]:
        """Labels of the distinct places among candidates, best first."""
        return [self._label(_display(g)) for g in _groups(cands)]

    def _choose(self, query: str, name_query: str, cands: list[dict]) -> Place:
        groups = _groups(cands)
        top = groups[0]
        shown = _display(top)
        target = next((c["target"] for c in top if c["target"] is not None), None)
        others = tuple(self._label(_display(g)) for g in groups[1:])
        reason = ""
        if len(groups) > 1:
            a, b = _group_key(top), _group_key(groups[1])
            reason = (
                "on the network" if a[0] < b[0]
                else "the one the network reaches" if a[1] < b[1]
                else "its name, the other's alias" if a[2] < b[2]
                else "the largest"
            )  # fmt: skip
        if shown["pid"] >= 0:
            p = self.gz.places.iloc[shown["pid"]]
            matched = "" if normalise(p["name"]) == normalise(name_query) else name_query
            return Place(
                query, str(p["name"]), str(p["country"]), str(p["admin1"]), float(p["lat"]),
                float(p["lon"]), int(p["population"]), str(p["kind"]), "gazetteer",
                int(shown["pid"]), target, matched, others, reason,
                str(p.get("status", "") or ""), int(p.get("open_year", 0) or 0),
            )  # fmt: skip
        name = self.index.name(target) if self.index is not None else str(target)
        matched = "" if normalise(name) == normalise(name_query) else name_query
        return Place(query, name or str(target), shown["country"], "", shown["lat"],
                     shown["lon"], 0, "", "network", -1, target, matched, others,
                     reason)  # fmt: skip

    def _node_place(self, node: int, query: str) -> Place:
        la, lo, c = self._xy.get(node, (math.nan, math.nan, ""))
        name = (self.index.name(node) if self.index is not None else "") or str(node)
        return Place(query, name, c, "", la, lo, 0, "node", "network", -1, node)


_UNLOCATED: dict[str, dict[str, str]] | None = None


def _unlocated() -> dict[str, dict[str, str]]:
    """Names users type that serai knows but cannot locate (``unlocated_places.csv``)."""
    global _UNLOCATED
    if _UNLOCATED is None:
        from serai.freight.params import _read

        d: dict[str, dict[str, str]] = {}
        for r in _read("unlocated_places.csv").fillna("").to_dict("records"):
            for n in [r["name"], *str(r["aliases"]).split(";")]:
                if n.strip():
                    d.setdefault(normalise(n), r)
        _UNLOCATED = d  # built whole, then published (threads see all of it or none)
    return _UNLOCATED


def _qualifiers(q: str) -> tuple[str, list[str]] | None:
    """``"Xi'an, Shaanxi, China"`` -> ("Xi'an", ["Shaanxi", "China"]); ``"A (B)"`` -> ("A", ["B"])."""
    m = re.match(r"^\s*([^()]+?)\s*\(\s*([^()]+?)\s*\)\s*(.*)$", q)
    if m:
        rest = [x.strip() for x in m.group(3).split(",") if x.strip()]
        return m.group(1).strip().rstrip(","), [m.group(2), *rest]
    parts = [x.strip() for x in q.split(",")]
    if len(parts) < 2 or not all(parts):
        return None
    return parts[0], parts[1:]


def _groups(cands: list[dict]) -> list[list[dict]]:
    """Candidates grouped into distinct places (within COINCIDE_KM of the group's first).

    Groups are ranked: on the network first, then the best tier of name match, then the
    largest population in the group.
    """
    groups: list[list[dict]] = []
    for c in cands:
        for g in groups:
            if _close(c, g[0]):
                g.append(c)
                break
        else:
            groups.append([c])
    groups.sort(key=_group_key)
    return groups


def _group_key(g: list[dict]) -> tuple:
    """Rank of a place: on the network, reachable by a first/last-mile leg, name tier, size."""
    return (
        all(c["target"] is None for c in g),
        not any(c.get("reach", True) for c in g),
        min(c["tier"] for c in g),
        -max(c["pop"] for c in g),
    )


def _display(group: list[dict]) -> dict:
    """The entry that names a group: the most populous (a city rather than its port)."""
    return max(group, key=lambda c: (c["pop"], c["pid"] >= 0, -c["tier"]))


def _close(a: dict, b: dict) -> bool:
    if a["target"] is not None and a["target"] == b["target"]:
        return True
    if not (np.isfinite(a["lat"]) and np.isfinite(b["lat"])):
        return False
    return float(great_circle_km(a["lat"], a["lon"], b["lat"], b["lon"])) <= COINCIDE_KM


def _admin_match(qual_key: str, admin1: str) -> bool:
    a = normalise(admin1)
    return bool(a) and (a == qual_key or (len(qual_key) >= 4 and a.startswith(qual_key)))


def _plain(v: Any) -> int | str:
    return v if isinstance(v, str) else int(v)
