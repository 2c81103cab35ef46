"""Facilities of a chain: found by name or group, open or not, capacity in tonnes, where
they join the network and the legs off the network to get there.

A group is a region (US, EU, Europe, China, East Asia, Russia, Central Asia, ...) or an
ISO2 country followed by a stage word of the mineral's template (``stages.csv``
aliases): ``"US converter"``, ``"EU smelter"``, ``"KZ mine"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from serai.errors import InputError
from serai.freight.places import normalise
from serai.minerals.products import PortIndex, ProductRules, product_commodity, product_rules
from serai.minerals.result import Access

__all__ = [
    "CIRCUITY",
    "ENTRY_COUNTRY_KM",
    "ENTRY_REGION_KM",
    "MAX_ACCESS_KM",
    "Endpoint",
    "FacilityMixin",
]

#: Road distance / great-circle distance of legs off the network (EST: typical 1.2-1.4).
CIRCUITY = 1.3
#: Nearest network places within this distance serve a facility without access rows.
MAX_ACCESS_KM = 400.0
#: Entry ports of a facility's own country within this distance serve it.
ENTRY_COUNTRY_KM = 3000.0
#: Entry ports of its region (other countries) within this distance serve it.
ENTRY_REGION_KM = 1200.0
#: Facilities closer than this share a site: no transport between them.
SAME_SITE_KM = 1.0
#: Region words in --from/--to and the regions they cover.
REGION_WORDS = {
    "us": {"US"},
    "usa": {"US"},
    "united states": {"US"},
    "canada": {"Canada"},
    "eu": {"EU"},
    "europe": {"EU", "Europe other"},
    "russia": {"Russia"},
    "china": {"China"},
    "east asia": {"East Asia", "China"},
    "southeast asia": {"Southeast Asia"},
    "central asia": {"Central Asia"},
}
MINERAL_WORDS = {
    "uranium": "uranium",
    "u": "uranium",
    "tungsten": "tungsten",
    "w": "tungsten",
    "rare earths": "rare_earths",
    "rare_earths": "rare_earths",
    "rare earth": "rare_earths",
    "ree": "rare_earths",
    "copper": "copper",
    "cu": "copper",
    "lithium": "lithium",
    "li": "lithium",
}


@dataclass(frozen=True)
class Endpoint:
    """A resolved ``--from`` or ``--to``: one facility or a group at one stage."""

    text: str
    mineral: str
    seq: int
    stage: str
    facility_ids: tuple[str, ...]
    explicit: bool


def _haversine(lat1, lon1, lat2, lon2):
    la1, lo1, la2, lo2 = (np.radians(np.asarray(v, float)) for v in (lat1, lon1, lat2, lon2))
    h = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.minimum(1.0, h)))


def same_site(facilities: pd.DataFrame, a: str, b: str) -> bool:
    """Whether facilities ``a`` and ``b`` share a site (the same, or closer than
    :data:`SAME_SITE_KM`): no transport between them."""
    return bool(
        a == b
        or _haversine(
            facilities.loc[a, "lat"],
            facilities.loc[a, "lon"],
            facilities.loc[b, "lat"],
            facilities.loc[b, "lon"],
        )
        < SAME_SITE_KM
    )


class FacilityMixin:
    """Facility look-ups of :class:`~serai.minerals.ChainModel` (needs ``router``, ``data``,
    ``year`` and the caches ``_rules``, ``_access``, ``_offf``, ``_ports``)."""

    def mineral_of(self, text: str | None) -> str | None:
        """Mineral key of a word (uranium, W, 'rare earths', a product key) or None."""
        if text is None:
            return None
        if not str(text).strip():  # given but empty: an error, not "not given" (issue 12)
            raise InputError(
                "empty product name: give one (uranium, tungsten, rare_earths, copper, lithium) "
                "or leave it out to take the facility's",
                field="product",
            )
        t = str(text).strip().lower().replace("-", " ")
        if t in MINERAL_WORDS:
            return MINERAL_WORDS[t]
        if t.replace(" ", "_") in self.data.products.index:
            return str(self.data.products.loc[t.replace(" ", "_"), "mineral"])
        import difflib

        near = difflib.get_close_matches(t, list(MINERAL_WORDS), n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise InputError(
            f"unknown product '{text}'{hint} (known: uranium, tungsten, rare_earths, copper, "
            "lithium)",
            field="product",
        )

    def resolve(self, text: str, mineral: str | None = None, role: str = "from") -> Endpoint:
        """A facility (id, name or alias) or a group ('<region or country> <stage word>')."""
        fac = self.data.facilities
        if mineral is not None:
            fac = fac.loc[fac["mineral"] == mineral]
        key = normalise(text)
        ids = [i for i in fac.index if normalise(i) == key]
        if not ids:
            names = fac["name"].map(normalise)
            ids = list(fac.index[names == key])
        if not ids:
            al = fac["aliases"].str.split(";")
            ids = [
                i for i, a in zip(fac.index, al, strict=True) if key in {normalise(x) for x in a}
            ]
        if len(ids) > 1:
            minerals = sorted(set(fac.loc[ids, "mineral"]))
            raise InputError(
                f"'{text}' names facilities of several minerals ({', '.join(minerals)}); "
                "pass --product",
                field="product",
            )
        if ids:
            row = fac.loc[ids[0]]
            st = self.data.stages
            srow = st.loc[(st["mineral"] == row["mineral"]) & (st["stage"] == row["stage"])].iloc[0]
            return Endpoint(
                text, str(row["mineral"]), int(srow["seq"]), str(row["stage"]), (ids[0],), True
            )
        return self._resolve_group(text, mineral, role)

    def _resolve_group(self, text: str, mineral: str | None, role: str) -> Endpoint:
        words = " ".join(str(text).lower().replace("_", " ").split())
        st = self.data.stages
        if mineral is not None:
            st = st.loc[st["mineral"] == mineral]
        best = None
        for r in st.itertuples(index=False):
            for a in [r.stage, *str(r.aliases).split(";")]:
                a = a.strip().lower()
                if a and (words == a or words.endswith(" " + a)):
                    if best is None or len(a) > len(best[1]):
                        best = (r, a)
        if best is None:
            raise InputError(self._unknown_message(text, mineral), field=role)
        r, alias = best
        if mineral is None:
            minerals = {
                x.mineral
                for x in st.itertuples(index=False)
                if alias in [x.stage, *[s.strip().lower() for s in str(x.aliases).split(";")]]
            }
            if len(minerals) > 1:
                raise InputError(
                    f"'{text}' could be a stage of {', '.join(sorted(minerals))}; pass --product",
                    field="product",
                )
        scope = words[: len(words) - len(alias)].strip()
        fac = self.data.facilities
        fac = fac.loc[(fac["mineral"] == r.mineral) & (fac["stage"] == r.stage)]
        if scope:
            if scope in REGION_WORDS:
                fac = fac.loc[fac["region"].isin(REGION_WORDS[scope])]
            elif len(scope) == 2 and scope.isalpha():
                fac = fac.loc[fac["country"] == scope.upper()]
            else:
                raise InputError(
                    f"'{scope}' in '{text}' is not a region ({', '.join(sorted(REGION_WORDS))}) "
                    "or an ISO2 country code",
                    field=role,
                )
        if not len(fac):
            raise InputError(f"no {r.stage} facility of {r.mineral} matches '{text}'", field=role)
        return Endpoint(text, str(r.mineral), int(r.seq), str(r.stage), tuple(fac.index), False)

    def _unknown_message(self, text: str, mineral: str | None) -> str:
        import difflib

        fac = self.data.facilities
        if mineral is not None:
            fac = fac.loc[fac["mineral"] == mineral]
        names = list(fac["name"]) + list(fac.index)
        near = difflib.get_close_matches(str(text), names, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(near)}?" if near else "."
        return (
            f"unknown facility or group '{text}'{hint} A group is a region or ISO2 country "
            "and a stage word, e.g. 'US converter', 'EU smelter', 'KZ mine'"
        )

    # ------------------------------------------------------------------ facility data
    def is_open(self, fid: str) -> bool:
        """Whether a facility operates in the model's year."""
        r = self.data.facilities.loc[fid]
        status, oy = str(r["status"]), r["open_year"]
        dated = oy is not pd.NA and oy == oy and oy is not None
        if status == "operating":
            return not dated or self.year is None or int(oy) <= self.year
        if status in ("construction", "planned"):
            return bool(dated and self.year is not None and int(oy) <= self.year)
        return False

    def tonnes_per_year(self, fid: str) -> float:
        """Capacity (output for mines) in tonnes of the stage's product per year (NaN: none)."""
        r = self.data.facilities.loc[fid]
        st = self.data.stages
        srow = st.loc[(st["mineral"] == r["mineral"]) & (st["stage"] == r["stage"])].iloc[0]
        product = srow["product_out"] or srow["product_in"]
        order = ("output", "capacity") if srow["role"] == "mine" else ("capacity", "output")
        for col in order:
            v = r[col]
            if v is not None and v == v:
                return float(v) / self.data.per_t(product, str(r["capacity_unit"]))
        return float("nan")

    def access(self, fid: str) -> list[Access]:
        """Places where a facility joins the network.

        The rows of ``access.csv`` for it when there are any; otherwise the nearest named
        places within :data:`MAX_ACCESS_KM` and the entry ports (``ports.csv``) of its
        country within :data:`ENTRY_COUNTRY_KM` or of its region within
        :data:`ENTRY_REGION_KM`, each by a road leg of great-circle x :data:`CIRCUITY`.
        """
        if fid in self._access:
            return self._access[fid]
        router = self.router
        f = self.data.facilities.loc[fid]
        lat, lon = f["lat"], f["lon"]
        has_xy = lat == lat and lon == lon and lat is not None
        out: list[Access] = []
        rows = self.data.access.loc[self.data.access["facility_id"] == fid]

        def add(place, km, mode, event, origin, est):
            try:
                target = router.resolve(place)
            except InputError:
                return
            vnode = router.rg.place(target)
            if any(a.vnode == vnode for a in out):
                return
            if km is None or km != km:
                if not has_xy:
                    return
                plat, plon = self._place_xy(target)
                km = float(_haversine(lat, lon, plat, plon)) * CIRCUITY
            name = router.places.name(target) or str(target)
            out.append(
                Access(
                    fid, target, name, vnode, mode, float(km), event, str(f["country"]), origin, est
                )
            )

        for r in rows.itertuples(index=False):
            km = float(r.km) if r.km == r.km and r.km is not None else None
            add(r.place, km, r.mode, r.event, "access.csv", bool(r.estimate))
        if not len(rows) and has_xy:
            for target, _km in self._nearest_places(lat, lon):
                add(target, None, "road", "transfer", "nearest place", True)
        if not len(rows) and has_xy:
            ports = self.data.ports.loc[self.data.ports["role"] == "entry"]
            d = _haversine(lat, lon, ports["lat"].to_numpy(float), ports["lon"].to_numpy(float))
            same = (ports["country"] == f["country"]).to_numpy()
            region = (ports["region"] == f["region"]).to_numpy()
            ok = (same & (d <= ENTRY_COUNTRY_KM)) | (~same & region & (d <= ENTRY_REGION_KM))
            for code in ports.index[ok]:
                add(code, None, "road", "none", "entry port", True)
        self._access[fid] = out
        return out

    def _place_xy(self, target) -> tuple[float, float]:
        net = self.router.rg.network
        if isinstance(target, str):
            pts = net.tables.get("points")
            if pts is not None and "lat" in pts:
                hit = pts.loc[pts["point_id"].astype(str) == target]
                if len(hit):
                    return float(hit["lat"].iloc[0]), float(hit["lon"].iloc[0])
            nid = int(self.router.rg.vnodes.loc[self.router.rg.place(target), "node_id"])
        else:
            nid = int(target)
        n = net.nodes.loc[net.nodes["node_id"] == nid].iloc[0]
        return float(n["y"]), float(n["x"])

    def _nearest_places(self, lat: float, lon: float, k: int = 3) -> list[tuple[Any, float]]:
        from serai.freight.places import EARTH_KM, _unit

        idx = self.router.places
        if idx.tree is None:
            return []
        n = min(len(idx.targets), 24)
        chord, i = idx.tree.query(_unit(np.array([lat]), np.array([lon]))[0], k=n)
        chord, i = np.atleast_1d(chord), np.atleast_1d(i)
        km = 2 * EARTH_KM * np.arcsin(np.minimum(1.0, chord / 2))
        out, seen = [], set()
        for d, j in zip(km, i, strict=True):
            t = idx.targets[j]
            t = t if isinstance(t, str) else int(t)
            if t in seen or d > MAX_ACCESS_KM or not idx.name(t):
                continue
            seen.add(t)
            out.append((t, float(d)))
            if len(out) >= k:
                break
        return out

    def rules(self, product: str) -> ProductRules:
        if product not in self._rules:
            if self._ports is None:
                self._ports = PortIndex(self.router)
            self._rules[product] = product_rules(self.data, product, self.router, self._ports)
        return self._rules[product]

    def _offnet_factors(self, product: str) -> tuple[float, float]:
        """(kg CO2e per km of road, kg CO2e per transfer) per tonne of product (ISO 14083)."""
        if product not in self._offf:
            from serai.emissions import Shipment, account_chain

            c = product_commodity(self.data, product)
            legs = pd.DataFrame(
                {
                    "element": ["tce", "hoc"],
                    "mode": ["road", "transfer"],
                    "toc": ["", ""],
                    "hoc": ["", "rail_terminal_transshipment"],
                    "from_name": ["a", "a"],
                    "to_name": ["b", ""],
                    "km": [100.0, 0.0],
                    "country": ["", ""],
                }
            )
            fp = account_chain(legs, Shipment(product, mass_t=1.0, teu=2.0 * c.base_per_unit))
            w = fp.elements["wtw_kg"].to_numpy(float)
            self._offf[product] = (float(w[0]) / 100.0, float(w[1]))
        return self._offf[product]

    def transfer_terms(self, product: str) -> tuple[float, float, float]:
        """Hours, USD and kg CO2e per tonne of the ``transfer`` event of an access leg.

        The leg ends at a place of the routing graph, whose terminal connector already
        charges the terminal dwell and the one crane lift onto (or off) the train
        (``terminal.rail.origin``/``dest`` and ``lift`` of the time and tariff models); the
        event adds what the freight router's own first/last mile adds on top of that
        (:func:`serai.freight.accesscost.rail_transfer`): the transfer hours, no second
        lift. Emissions: one ``rail_terminal_transshipment`` (ISO 14083 hub operation).
        """
        from serai.freight.accesscost import transfer

        hours, _ = transfer(product_commodity(self.data, product), self.router.params)
        return float(hours), 0.0, self._offnet_factors(product)[1]

    def offnet(self, a: Access, product: str) -> dict[str, float]:
        """Hours, USD and kg CO2e per tonne of the leg between a facility and its place."""
        c = product_commodity(self.data, product)
        kg_km, _ = self._offnet_factors(product)
        from serai.freight.accesscost import offnet_leg

        m = offnet_leg(a.km, a.mode, a.country, c, params=self.router.params)
        h, u, k = m["hours"], m["usd"], a.km * kg_km
        if a.event == "transfer":
            th, tu, tk = self.transfer_terms(product)
            h, u, k = h + th, u + tu, k + tk
        return {"km": a.km, "hours": h, "usd": u, "co2e_kg": k}
