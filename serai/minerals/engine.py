"""Chains: the best mine -> processing -> ... -> buyer sequence of facilities, routed leg by leg.

How a chain is found
--------------------
1. ``--from`` and ``--to`` resolve to a facility or a group (``"US converter"``: every
   conversion plant in the US); they fix the first and last stage of the mineral's
   template (``stages.csv``).
2. At each stage in between, the candidates are the facilities open in the year
   (``status``/``open_year``), outside avoided countries, with the capacity the chain
   needs (``tonnes`` per year of the first product, converted stage by stage).
3. Each leg carries the product of its stage, as a freight commodity with the
   product's own rules (modes, services, ports; class 7 only through listed ports and
   services). Its cost between every pair of candidate facilities is found on the
   routing graph of :mod:`serai.freight` at once (one least-cost tree per access place
   of the source facilities, :func:`serai.minerals._kernels.many_to_many`), plus the
   legs off the network between a facility and the places where it joins it.
4. The chain is the least-cost path through this layered graph of facilities (dynamic
   programme; exact, since each leg's cost depends only on its two facilities). Costs
   of a leg are per tonne of its product and weighted by the tonnes of that product
   per tonne of final product (the mass factors of the stages). With ``objective =
   "time"`` the weights are 1: a tonne waits for each leg once.
5. The chosen legs are routed again with :meth:`serai.freight.Router.route` for their
   legs, hub events and ISO 14083 emissions.

Legs off the network (mine to railhead, US entry port to a plant) are road legs of
great-circle length x :data:`CIRCUITY` (or the km of ``access.csv``), priced by the time
and tariff models (:func:`serai.freight.accesscost.offnet_leg`: driving, rests, road rate)
and the truck emission factor. They end at a place of the routing graph, whose terminal
connector charges the terminal dwell and the lift onto rail or the port handling; a
``transfer`` event adds the transfer hours and the transshipment emissions (no second
lift), as the freight router's own first/last mile does.

A leg that starts in the import-premium zone (Kazakhstan, Central Asia) pays no import
premium: the sources of each leg are searched with the cost array of their zone (one
many-to-many per group), by the country of the place where the leg joins the network,
as :meth:`serai.freight.Router.costs_from` does for a route from that place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from serai._checks import check_count, check_number
from serai.errors import InputError, NoPathError
from serai.freight import Constraints, Router
from serai.minerals.facilities import (
    MAX_ACCESS_KM,
    Endpoint,
    FacilityMixin,
    same_site,
)
from serai.minerals.layered import dp_values
from serai.minerals.products import PortIndex, ProductRules, product_commodity
from serai.minerals.result import Access, Chain
from serai.minerals.tables import MineralData, load_minerals

__all__ = [
    "ChainModel",
    "ChainRequest",
    "Endpoint",
    "NoChainError",
]

OBJECTIVES = ("generalised", "time", "cost", "emissions")


class NoChainError(NoPathError):
    """No chain satisfies the request; the message says which stage or leg is cut and why."""


@dataclass(frozen=True)
class ChainRequest:
    """A chain question (see :meth:`ChainModel.chain` for the fields)."""

    origin: str
    destination: str
    mineral: str | None = None
    objective: str = "generalised"
    avoid_countries: tuple[str, ...] = ()
    avoid_passages: tuple[str, ...] = ()
    avoid_services: tuple[str, ...] = ()
    avoid_nodes: tuple[int, ...] = ()
    avoid_links: tuple[int, ...] = ()
    avoid_facilities: tuple[str, ...] = ()
    tonnes: float | None = None
    alternatives: int = 3
    carbon_price_usd_per_t: float = 0.0


def _objective(name: str, hours, usd, co2, vot: float, price: float):
    if name == "time":
        return hours + 1e-6 * usd
    if name == "cost":
        return usd + 1e-6 * hours
    if name == "emissions":
        return co2 + 1e-6 * hours
    return usd + hours * vot + co2 / 1000.0 * price


@dataclass
class _Leg:
    """Working data of one leg (all candidate pairs)."""

    seq: int
    product: str
    commodity: Any
    constraints: Constraints
    rules: ProductRules
    weight: float
    mass_factor: float
    costs: dict[bool, np.ndarray]  # per edge, inf where masked; key: import-premium-free
    src_free: np.ndarray  # per source vnode: its cost variant (LinkCosts.variant; keys of costs)
    src_access: list[list[Access]]
    tgt_access: list[list[Access]]
    src_v: np.ndarray
    tgt_v: np.ndarray
    dist: np.ndarray  # [src vnode, tgt vnode]
    sums: np.ndarray  # [3, src, tgt]: hours, usd, co2
    obj: np.ndarray  # [facility f, facility g]
    metrics: np.ndarray  # [3, f, g]
    pick: np.ndarray  # [f, g, 2] access index of f and g (-1: same site)


@dataclass
class _Solution:
    request: ChainRequest
    mineral: str
    stages: pd.DataFrame  # the template rows used, in order
    candidates: list[list[str]]
    legs: list[_Leg]
    forward: list[np.ndarray] = field(default_factory=list)
    backward: list[np.ndarray] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    volume: float | None = None


class ChainModel(FacilityMixin):
    """Chains of one mineral dataset on one routing graph (one network year).

    Parameters
    ----------
    router
        A :class:`serai.freight.Router` (its network year is the chain's year).
    data
        Minerals tables (default: the packaged ones).
    year
        Year for facility status (open, under construction, planned); default the
        router's network year (None: what operates today).

    Examples
    --------
    >>> from serai.minerals import ChainModel
    >>> model = ChainModel.load(year=2030)  # doctest: +SKIP
    >>> c = model.chain("Inkai", "EU converter", "uranium")  # doctest: +SKIP
    >>> c.facilities, round(c.days, 1), round(c.usd_per_t)  # doctest: +SKIP
    """

    def __init__(
        self, router: Router, data: MineralData | None = None, *, year: int | None = None
    ) -> None:
        self.router = router
        self.data = data if data is not None else load_minerals()
        self.year = year if year is not None else router.rg.year
        self._rules: dict[str, ProductRules] = {}
        self._access: dict[str, list[Access]] = {}
        self._offf: dict[str, tuple[float, float]] = {}
        self._ports: PortIndex | None = None

    @classmethod
    def load(
        cls, year: int | None = None, network: Any = None, data: MineralData | None = None
    ) -> ChainModel:
        """A model on the embedded network of ``year`` (or a network file), one loader."""
        from serai.freight.query import load_network, make_router

        return cls(make_router(load_network(network, year=year), year=year), data, year=year)

    def chain(
        self,
        origin: str,
        destination: str,
        mineral: str | None = None,
        *,
        objective: str = "generalised",
        avoid_countries: Sequence[str] = (),
        avoid_passages: Sequence[str] = (),
        avoid_services: Sequence[str] = (),
        avoid_nodes: Sequence[int] = (),
        avoid_links: Sequence[int] = (),
        avoid_facilities: Sequence[str] = (),
        tonnes: float | None = None,
        alternatives: int = 3,
        carbon_price_usd_per_t: float = 0.0,
    ) -> Chain:
        """The best chain from ``origin`` to ``destination``.

        Parameters
        ----------
        origin, destination
            A facility (id, name or alias: ``"Inkai"``) or a group: a region (US, EU,
            Europe, China, East Asia, Russia, Central Asia, ...) or ISO2 country and a
            stage word (``"US converter"``, ``"EU smelter"``, ``"KZ mine"``, ``"buyer"``).
        mineral
            ``uranium``, ``tungsten``, ``rare_earths``, ``copper``, ``lithium`` (or a
            product key); needed when a group does not say it.
        objective
            ``generalised`` (USD incl. time value and carbon price), ``time``, ``cost``
            or ``emissions``, per tonne of the final product.
        avoid_countries, avoid_passages, avoid_services, avoid_nodes, avoid_links
            Route constraints (as :class:`serai.freight.Constraints`); facilities in an
            avoided country are not used either.
        avoid_facilities
            Facility ids not to use.
        tonnes
            Tonnes per year of the first product; processing facilities need the
            capacity for what flows through them. Default: the origin facility's
            output (or capacity) when it is one facility and known, else no capacity
            check.
        alternatives
            Next-best facilities reported per stage.
        carbon_price_usd_per_t
            USD per t CO2e added to the generalised cost.

        Raises
        ------
        InputError
            Unknown facility, group, product, objective; origin after destination.
        NoChainError
            No chain: the message names the stage or leg that is cut.
        """
        req = ChainRequest(
            origin=str(origin),
            destination=str(destination),
            mineral=mineral,
            objective=objective,
            avoid_countries=tuple(str(c).strip().upper() for c in avoid_countries),
            avoid_passages=tuple(str(p).strip().lower() for p in avoid_passages),
            avoid_services=tuple(avoid_services),
            avoid_nodes=tuple(int(n) for n in avoid_nodes),
            avoid_links=tuple(int(n) for n in avoid_links),
            avoid_facilities=tuple(avoid_facilities),
            tonnes=tonnes,
            alternatives=check_count(alternatives, "alternatives", 0, 50),
            carbon_price_usd_per_t=check_number(
                carbon_price_usd_per_t, "carbon_price_usd_per_t", low=0.0, high=1e9
            ),
        )
        return self.solve(req)

    def solve(self, req: ChainRequest) -> Chain:
        """Answer a :class:`ChainRequest` (see :meth:`chain`)."""
        sol = self._solve(req)
        return self._build(sol)

    def _solve(self, req: ChainRequest) -> _Solution:
        if req.objective not in OBJECTIVES:
            raise InputError(
                f"unknown objective '{req.objective}'; use {', '.join(OBJECTIVES)}",
                field="objective",
            )
        if req.tonnes is not None:
            check_number(req.tonnes, "tonnes", low=0.0, strict=True, high=1e12)
        mineral = self.mineral_of(req.mineral)
        o = self.resolve(req.origin, mineral, "from")
        mineral = mineral or o.mineral
        d = self.resolve(req.destination, mineral, "to")
        if o.mineral != d.mineral:
            raise InputError(
                f"'{req.origin}' is a {o.mineral} facility but '{req.destination}' is {d.mineral}",
                field="to",
            )
        if d.seq <= o.seq:
            raise InputError(
                f"'{req.destination}' ({d.stage}) does not come after '{req.origin}' "
                f"({o.stage}) in the {o.mineral} chain",
                field="to",
            )
        unknown = [f for f in req.avoid_facilities if f not in self.data.facilities.index]
        if unknown:
            raise InputError(f"unknown facility '{unknown[0]}'", field="avoid_facilities")
        self.check_codes(req.avoid_countries, req.avoid_passages)
        st = self.data.stages.loc[self.data.stages["mineral"] == o.mineral].sort_values("seq")
        st = st.loc[(st["seq"] >= o.seq) & (st["seq"] <= d.seq)].reset_index(drop=True)
        notes: list[str] = []
        ratio = st["t_in_per_t_out"].to_numpy(float)
        # tonnes of product_out of each stage per tonne of the first product
        flow = np.ones(len(st))
        for k in range(1, len(st)):
            flow[k] = flow[k - 1] / (ratio[k] if ratio[k] == ratio[k] else 1.0)
        volume = req.tonnes
        if volume is None and o.explicit:
            v = self.tonnes_per_year(o.facility_ids[0])
            volume = v if v == v else None
        if volume is None:
            notes.append("capacity not checked: no volume (pass tonnes)")
        cands: list[list[str]] = []
        avoided = set(req.avoid_countries)
        fac = self.data.facilities
        for k, srow in enumerate(st.itertuples(index=False)):
            if k == 0:
                ids, explicit = list(o.facility_ids), o.explicit
            elif k == len(st) - 1:
                ids, explicit = list(d.facility_ids), d.explicit
            else:
                ids = list(fac.index[(fac["mineral"] == o.mineral) & (fac["stage"] == srow.stage)])
                explicit = False
            keep = []
            for fid in ids:
                if fac.loc[fid, "country"] in avoided:
                    if explicit:
                        raise InputError(
                            f"{fac.loc[fid, 'name']} is in {fac.loc[fid, 'country']}, which is "
                            "avoided",
                            field="avoid_countries",
                        )
                    continue
                if fid in req.avoid_facilities and not explicit:
                    continue
                if not explicit and not self.is_open(fid):
                    continue
                if explicit and not self.is_open(fid):
                    notes.append(
                        f"{fac.loc[fid, 'name']} is {fac.loc[fid, 'status']} in "
                        f"{self.year or 'the current year'}: used as asked"
                    )
                if volume is not None and srow.role != "buyer" and not explicit:
                    cap = self.tonnes_per_year(fid)
                    if cap == cap and cap < volume * flow[k] * (1 - 1e-9):
                        continue
                if not self.access(fid):
                    f = fac.loc[fid]
                    why = "has no location" if f["lat"] != f["lat"] else "is far from every place"
                    if explicit and len(ids) == 1:
                        raise NoChainError(
                            f"{f['name']} {why} on this network (no access place within "
                            f"{MAX_ACCESS_KM:,.0f} km, no entry port of {f['country']})"
                        )
                    notes.append(f"{f['name']} {why} on this network: not used")
                    continue
                keep.append(fid)
            if not keep:
                raise NoChainError(self._why_empty(srow, ids, avoided, volume, flow[k], o.mineral))
            cands.append(keep)
        sol = _Solution(req, o.mineral, st, cands, [], notes=notes, volume=volume)
        # mass factor of each leg: tonnes of its product per tonne of the final product
        n_leg = len(st) - 1
        mass = np.ones(n_leg)
        for s in range(n_leg - 2, -1, -1):
            mass[s] = mass[s + 1] * ratio[s + 1]
        for s in range(n_leg):
            sol.legs.append(self._leg(req, st, s, cands, mass[s]))
        self._dp(sol)
        return sol

    def check_codes(self, countries=(), passages=()) -> None:
        """Unknown country codes or passages are errors with suggestions (never ignored)."""
        import difflib

        v = self.router.rg.vlinks
        known_c = set(v["country"]) | set(v["from_country"]) | set(self.data.facilities["country"])
        known_c.discard("")
        for c in countries:
            if c not in known_c:
                near = difflib.get_close_matches(c, sorted(known_c), n=3)
                hint = f"; did you mean {', '.join(near)}?" if near else ""
                raise InputError(
                    f"unknown country '{c}' (ISO2 codes of this network and the facility "
                    f"table){hint}",
                    field="avoid_countries",
                )
        from serai.freight.route import passage_countries

        # the router's passages (network tags and its passage list): the same set its gate
        # accepts, so a passage passed here is never refused later by a leg's route
        known_p = set(v["passage"]) | set(passage_countries())
        known_p.discard("")
        for p in passages:
            if p not in known_p:
                near = difflib.get_close_matches(p, sorted(known_p), n=3)
                hint = f"; did you mean {', '.join(near)}?" if near else ""
                raise InputError(f"unknown sea passage '{p}'{hint}", field="avoid_passages")

    def _why_empty(self, srow, ids, avoided, volume, flow, mineral) -> str:
        fac = self.data.facilities.loc[ids] if ids else self.data.facilities.iloc[:0]
        reasons = []
        n_av = int(fac["country"].isin(avoided).sum())
        if n_av:
            reasons.append(f"{n_av} in avoided countries")
        closed = [f for f in fac.index if not self.is_open(f)]
        if closed:
            reasons.append(f"{len(closed)} not open in {self.year or 'the current year'}")
        if volume is not None:
            small = [f for f in fac.index if self.tonnes_per_year(f) < volume * flow]
            if small:
                reasons.append(f"{len(small)} below the {volume * flow:,.0f} t/yr needed")
        off = [f for f in fac.index if not self.access(f)]
        if off:
            where = sorted(set(fac.loc[off, "country"]))
            reasons.append(
                f"{len(off)} with no access place on this network (no place within "
                f"{MAX_ACCESS_KM:,.0f} km, no entry port of {', '.join(where)})"
            )
        return f"no {srow.stage} facility of {mineral} can take part" + (
            f" ({'; '.join(reasons)})" if reasons else ""
        )

    def _import_zone(self, src: list[list[Access]], src_v: np.ndarray) -> np.ndarray:
        """Per source vnode: the country a route from its place starts in (the router's, as
        :meth:`serai.freight.Router.costs_from` gives it), which picks its cost variant
        (:func:`serai.freight.tariffs.costs_variant`)."""
        r = self.router
        place = {a.vnode: a.place for acc in src for a in acc}
        return np.array(
            [str(r.place_country(r.locate(place[int(v)]))) for v in src_v], dtype=object
        )

    def _constraints(self, req: ChainRequest, rules: ProductRules) -> Constraints:
        return Constraints.make(
            avoid_countries=req.avoid_countries,
            avoid_passages=req.avoid_passages,
            avoid_nodes=set(req.avoid_nodes) | set(rules.avoid_nodes),
            avoid_links=req.avoid_links,
            avoid_services=set(req.avoid_services) | set(rules.avoid_services),
        )

    def _leg(self, req, st, s, cands, mass) -> _Leg:
        from serai.minerals._kernels import many_to_many

        router = self.router
        g = router.rg.graph
        product = str(st.loc[s, "product_out"])
        c = product_commodity(self.data, product)
        rules = self.rules(product)
        cons = self._constraints(req, rules)
        lc = router.costs(c, req.carbon_price_usd_per_t)
        rows = g.link_rows
        mask = router.mask(cons)
        src = [self.access(f) for f in cands[s]]
        tgt = [self.access(f) for f in cands[s + 1]]
        src_v = np.unique([a.vnode for acc in src for a in acc]).astype(np.int64)
        tgt_v = np.unique([a.vnode for acc in tgt for a in acc]).astype(np.int64)
        from serai.freight.tariffs import costs_variant

        # per source: the cost variant of a route from its country (tariffs.costs_variant:
        # the import premium only from China, the Kazakh export rail rate from Kazakhstan)
        country = self._import_zone(src, src_v)
        variant = {cc: costs_variant(lc, cc) for cc in sorted(set(country))}
        zone = np.array([variant[cc].variant for cc in country], dtype=object)
        by_key = {v.variant: v for v in variant.values()}
        costs: dict[str, np.ndarray] = {}
        dist = np.full((len(src_v), len(tgt_v)), np.inf)
        sums = np.full((3, len(src_v), len(tgt_v)), np.nan)
        for flag, lcf in by_key.items():
            sel = zone == flag
            if not sel.any():
                continue
            cost_f = np.where(mask, router.edge_objective(lcf, req.objective), np.inf)
            co2 = lcf.kg_co2e[rows] if lcf.kg_co2e is not None else np.zeros(len(rows))
            aux = np.ascontiguousarray(np.vstack([lcf.hours[rows], lcf.usd[rows], co2]))
            d, sm = many_to_many(
                g.indptr, g.heads, g.tails, cost_f, g.passable, src_v[sel], tgt_v, aux
            )
            dist[sel], sums[:, sel] = d, sm
            costs[flag] = cost_f
        nf, ng = len(src), len(tgt)
        obj = np.full((nf, ng), np.inf)
        met = np.full((3, nf, ng), np.nan)
        pick = np.full((nf, ng, 2), -1, np.int64)
        vot, price = c.vot_usd_per_unit_h, req.carbon_price_usd_per_t
        fac = self.data.facilities

        def off(acc):
            m = [self.offnet(a, product) for a in acc]
            h = np.array([x["hours"] for x in m])
            u = np.array([x["usd"] for x in m])
            k = np.array([x["co2e_kg"] for x in m])
            return h, u, k, _objective(req.objective, h, u, k, vot, price)

        offs = [off(acc) for acc in src]
        offt = [off(acc) for acc in tgt]
        si = {v: i for i, v in enumerate(src_v)}
        ti = {v: i for i, v in enumerate(tgt_v)}
        for i, fa in enumerate(cands[s]):
            ia = np.array([si[a.vnode] for a in src[i]])
            for j, fb in enumerate(cands[s + 1]):
                if same_site(fac, fa, fb):
                    obj[i, j] = 0.0
                    met[:, i, j] = 0.0
                    continue
                jb = np.array([ti[b.vnode] for b in tgt[j]])
                tot = offs[i][3][:, None] + dist[np.ix_(ia, jb)] + offt[j][3][None, :]
                if not np.isfinite(tot).any():
                    continue
                a, b = np.unravel_index(int(np.argmin(tot)), tot.shape)
                obj[i, j] = tot[a, b]
                pick[i, j] = (a, b)
                for q in range(3):
                    met[q, i, j] = offs[i][q][a] + sums[q, ia[a], jb[b]] + offt[j][q][b]
        weight = 1.0 if req.objective == "time" else float(mass)
        return _Leg(
            s,
            product,
            c,
            cons,
            rules,
            weight,
            float(mass),
            costs,
            zone,
            src,
            tgt,
            src_v,
            tgt_v,
            dist,
            sums,
            obj,
            met,
            pick,
        )

    def _dp(self, sol: _Solution) -> None:
        mats = [leg.obj for leg in sol.legs]
        w = [leg.weight for leg in sol.legs]
        sol.forward, sol.backward = dp_values(mats, w)
        if not np.isfinite(sol.forward[-1]).any():
            raise NoChainError(self._why_cut(sol))

    def _why_cut(self, sol: _Solution) -> str:
        fw, bw = dp_values([leg.obj for leg in sol.legs], [leg.weight for leg in sol.legs])
        req = sol.request
        for s, leg in enumerate(sol.legs):
            reach_from = np.isfinite(fw[s])
            reach_to = np.isfinite(bw[s + 1])
            sub = leg.obj[np.ix_(reach_from, reach_to)]
            if not np.isfinite(sub).any():
                a = sol.stages.loc[s, "stage"]
                b = sol.stages.loc[s + 1, "stage"]
                what = []
                if req.avoid_countries:
                    what.append(f"countries {','.join(req.avoid_countries)} avoided")
                if req.avoid_passages:
                    what.append(f"passages {','.join(req.avoid_passages)} avoided")
                if leg.rules.policy == "listed":
                    ports = ", ".join(leg.rules.allowed_ports) or "none"
                    what.append(f"{leg.product} only through the ports its rules list ({ports})")
                return (
                    f"no {sol.mineral} chain from '{req.origin}' to '{req.destination}': no "
                    f"{leg.product} route from any {a} to any {b} facility"
                    + (f" ({'; '.join(what)})" if what else "")
                )
        return f"no {sol.mineral} chain from '{req.origin}' to '{req.destination}'"

    def _totals(self, sol: _Solution, pick: list[int]) -> dict[str, float]:
        hours = usd = co2 = objv = 0.0
        for s, leg in enumerate(sol.legs):
            i, j = pick[s], pick[s + 1]
            hours += leg.metrics[0, i, j]
            usd += leg.mass_factor * leg.metrics[1, i, j]
            co2 += leg.mass_factor * leg.metrics[2, i, j]
            objv += leg.weight * leg.obj[i, j]
        return {"days": hours / 24.0, "usd_per_t": usd, "co2e_kg_per_t": co2, "objective": objv}

    def _build(self, sol: _Solution) -> Chain:
        from serai.minerals.build import build_chain

        return build_chain(self, sol)
