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

from serai.errors import NoPathError
from serai.minerals.engine import SAME_SITE_KM, ChainModel, _haversine
from serai.minerals.result import Chain

__all__ = ["DEFAULT_CONCERN", "Element", "Exposure", "chain_elements", "exposure"]

#: Countries of concern by default (the issue's dashboard: Russia, China, Iran).
DEFAULT_CONCERN = ("RU", "CN", "IR")


@dataclass(frozen=True)
class Element:
    """A network element a chain uses, with the constraints that remove it."""

    element_id: str
    kind: str  # section | node | service | passage | chokepoint
    label: str
    country: str
    km: float
    legs: tuple[int, ...]
    avoid: dict  # keyword arguments of ChainRequest fields (tuples) that remove it


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


# ---------------------------------------------------------------------- per-model caches
def _edge_arrays(model: ChainModel) -> dict[str, np.ndarray]:
    cache = model.__dict__.setdefault("_exposure_cache", {})
    if "edges" not in cache:
        rg = model.router.rg
        rows = rg.graph.link_rows
        v = rg.vlinks
        cache["edges"] = {
            "link": v["link_id"].to_numpy(np.int64)[rows],
            "from": v["from_node"].to_numpy(np.int64)[rows],
            "to": v["to_node"].to_numpy(np.int64)[rows],
            "service": v["service_id"].str.removesuffix("~r").to_numpy(object)[rows],
            "passage": v["passage"].to_numpy(object)[rows],
        }
    return cache["edges"]


def _branch_nodes(model: ChainModel) -> set[int]:
    """Physical nodes where a route can leave a line: 3+ neighbours in a layer, 2+ layers,
    or a place."""
    cache = model.__dict__.setdefault("_exposure_cache", {})
    if "branch" not in cache:
        v = model.router.rg.vlinks
        mv = v.loc[(v["kind"] == "move") & (v["link_id"] >= 0), ["from_node", "to_node", "layer"]]
        both = pd.concat(
            [
                mv.rename(columns={"from_node": "n", "to_node": "m"}),
                mv.rename(columns={"to_node": "n", "from_node": "m"}),
            ]
        ).drop_duplicates()
        deg = both.groupby(["n", "layer"]).size()
        many = set(deg[deg >= 3].index.get_level_values(0))
        layers = both.drop_duplicates(["n", "layer"]).groupby("n").size()
        multi = set(layers[layers >= 2].index)
        places = set(model.router.rg.place_of.index)
        cache["branch"] = {int(x) for x in many | multi | places}
    return cache["branch"]


def _reverse_links(model: ChainModel) -> dict[int, list[int]]:
    """Physical link id -> ids of the links joining the same nodes the other way (same mode)."""
    cache = model.__dict__.setdefault("_exposure_cache", {})
    if "reverse" not in cache:
        L = model.router.rg.network.links[["link_id", "from_node", "to_node", "mode"]]
        m = L.merge(
            L.rename(columns={"link_id": "rev", "from_node": "to_node", "to_node": "from_node"}),
            on=["from_node", "to_node", "mode"],
        )
        rev: dict[int, list[int]] = {}
        for a, b in zip(m["link_id"].to_numpy(np.int64), m["rev"].to_numpy(np.int64), strict=True):
            rev.setdefault(int(a), []).append(int(b))
        cache["reverse"] = rev
    return cache["reverse"]


def _landlocked_sea_links(model: ChainModel, countries: set[str]) -> list[int]:
    """Sea link ids of connected sea areas whose ports all lie in ``countries`` (the Caspian)."""
    cache = model.__dict__.setdefault("_exposure_cache", {})
    key = ("landlocked", frozenset(countries))
    if key not in cache:
        cache[key] = _landlocked(model, countries)
    return cache[key]


def _landlocked(model: ChainModel, countries: set[str]) -> list[int]:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    net = model.router.rg.network
    L = net.links.loc[net.links["mode"].astype(str) == "sea"]
    if not len(L):
        return []
    nodes = np.unique(np.concatenate([L["from_node"].to_numpy(), L["to_node"].to_numpy()]))
    pos = {int(n): i for i, n in enumerate(nodes)}
    a = np.array([pos[int(x)] for x in L["from_node"]])
    b = np.array([pos[int(x)] for x in L["to_node"]])
    g = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(nodes), len(nodes)))
    _, comp = connected_components(g, directed=False)
    nd = net.nodes.set_index("node_id")
    kind = nd["kind"].astype(str).reindex(nodes).to_numpy() if "kind" in nd else None
    ctry = nd["country"].astype(str).reindex(nodes).to_numpy()
    out = []
    for c in np.unique(comp):
        inside = comp == c
        port = inside & (kind == "port") if kind is not None else inside & (ctry != "")
        if port.any() and set(ctry[port]) <= countries:
            link_comp = comp[a]
            out += L["link_id"].to_numpy()[link_comp == c].astype(int).tolist()
    return out


# ---------------------------------------------------------------------- elements
def _sections(v: pd.DataFrame, branch: set[int]) -> list[tuple[int, int, str, list[int], float]]:
    """Runs of consecutive physical move links of one layer, cut at branch nodes and at
    anything else (hub events, services): (start node, end node, layer, link ids, km)."""
    out = []
    run: list[int] = []
    km, start, layer, prev_to = 0.0, -1, "", None
    for r in v.itertuples(index=False):
        phys = r.kind == "move" and r.link_id >= 0
        if run and (not phys or r.layer != layer or r.from_node != prev_to):
            out.append((start, prev_to, layer, run, km))
            run = []
        if not phys:
            prev_to = None
            continue
        if not run:
            start, layer, km = int(r.from_node), str(r.layer), 0.0
        run.append(int(r.link_id))
        km += float(r.km)
        prev_to = int(r.to_node)
        if prev_to in branch:
            out.append((start, prev_to, layer, run, km))
            run = []
    if run:
        out.append((start, prev_to, layer, run, km))
    return out


def chain_elements(model: ChainModel, chain: Chain) -> list[Element]:
    """Every element of the chain's routes: sections, hub nodes, services, passages,
    chokepoints (with the constraints that remove each)."""
    rg = model.router.rg
    labels = model.router.labels
    branch = _branch_nodes(model)
    rev = _reverse_links(model)
    els: dict[str, dict] = {}

    def add(eid, kind, label, country, km, leg, avoid):
        e = els.setdefault(
            eid,
            {
                "kind": kind,
                "label": label,
                "country": country,
                "km": km,
                "legs": set(),
                "avoid": avoid,
            },
        )
        e["legs"].add(leg)

    def lab(n: int) -> str:
        return str(labels.get(n, n))

    chokes = model.data.chokepoints
    for leg in chain.legs:
        if leg.route is None:
            continue
        v = rg.vlinks.iloc[np.asarray(leg.route.vlink_rows, np.int64)]
        kind = v["kind"].to_numpy()
        # sections: runs of physical move links between branch nodes
        for a, b, layer, run, km in _sections(v, branch):
            ids = sorted({x for lid in run for x in [lid, *rev.get(lid, [])]})
            mode = layer.split(":")[0]
            ctry = str(v.loc[v["link_id"] == run[0], "country"].iloc[0])
            add(
                f"section:{mode}:{min(a, b)}-{max(a, b)}",
                "section",
                f"{mode} {lab(a)} – {lab(b)}",
                ctry,
                km,
                leg.seq,
                {"avoid_links": tuple(ids)},
            )
        # hub nodes
        hub = np.isin(kind, ["port", "gauge", "transfer", "border", "board", "alight"])
        for r in v.loc[hub].itertuples(index=False):
            n = int(r.node_id) if r.node_id >= 0 else int(r.from_node)
            add(
                f"node:{n}",
                "node",
                f"{r.kind} {lab(n)}",
                str(r.country),
                0.0,
                leg.seq,
                {"avoid_nodes": (n,)},
            )
        # services and passages
        for s in dict.fromkeys(x.removesuffix("~r") for x in v["service_id"] if x):
            sv = v.loc[v["service_id"].str.removesuffix("~r") == s]
            add(
                f"service:{s}",
                "service",
                f"service {s}",
                "",
                float(sv["km"].sum()),
                leg.seq,
                {"avoid_services": (s,)},
            )
        tags = {p for p in v["passage"] if p}
        for cp in chokes.itertuples(index=False):
            if cp.kind == "passage":
                mine = tags & set(str(cp.passages).split(";"))
                if mine:
                    add(
                        f"chokepoint:{cp.chokepoint}",
                        "chokepoint",
                        cp.name,
                        "",
                        0.0,
                        leg.seq,
                        {"avoid_passages": tuple(sorted(set(str(cp.passages).split(";"))))},
                    )
                    tags -= mine
            else:
                cs = set(str(cp.countries).split(";"))
                svc = v.loc[(v["service_id"] != "") & (v["kind"] == "move")]
                crossing = svc.loc[
                    svc["from_country"].isin(cs)
                    & svc["to_country"].isin(cs)
                    & (svc["from_country"] != svc["to_country"])
                ]
                sea_ids = _landlocked_sea_links(model, cs)
                sea_used = v["link_id"].isin(sea_ids).any() if sea_ids else False
                if len(crossing) or sea_used:
                    allsvc = rg.vlinks.loc[
                        (rg.vlinks["service_id"] != "")
                        & rg.vlinks["from_country"].isin(cs)
                        & rg.vlinks["to_country"].isin(cs)
                        & (rg.vlinks["from_country"] != rg.vlinks["to_country"])
                    ]
                    names = tuple(sorted(set(allsvc["service_id"].str.removesuffix("~r"))))
                    add(
                        f"chokepoint:{cp.chokepoint}",
                        "chokepoint",
                        cp.name,
                        "",
                        0.0,
                        leg.seq,
                        {"avoid_services": names, "avoid_links": tuple(sea_ids)},
                    )
        for p in sorted(tags):
            add(
                f"passage:{p}",
                "passage",
                f"passage {p}",
                "",
                0.0,
                leg.seq,
                {"avoid_passages": (p,)},
            )
    return [
        Element(
            k,
            e["kind"],
            e["label"],
            e["country"],
            float(e["km"]),
            tuple(sorted(e["legs"])),
            e["avoid"],
        )
        for k, e in els.items()
    ]


def _edges_of(model: ChainModel, el: Element) -> np.ndarray:
    E = _edge_arrays(model)
    m = np.zeros(len(E["link"]), bool)
    a = el.avoid
    if a.get("avoid_links"):
        m |= np.isin(E["link"], list(a["avoid_links"]))
    if a.get("avoid_nodes"):
        n = list(a["avoid_nodes"])
        m |= np.isin(E["from"], n) | np.isin(E["to"], n)
    if a.get("avoid_services"):
        m |= np.isin(E["service"], list(a["avoid_services"]))
    if a.get("avoid_passages"):
        m |= np.isin(E["passage"], list(a["avoid_passages"]))
    return np.flatnonzero(m).astype(np.int64)


def _request_without(chain: Chain, el_avoid: dict) -> Any:
    req = chain.request
    changes = {k: tuple(dict.fromkeys([*getattr(req, k), *v])) for k, v in el_avoid.items()}
    return replace(req, alternatives=0, **changes)


def removal_objectives(model: ChainModel, chain: Chain, elements: Sequence[Element]) -> np.ndarray:
    """Best chain objective with each element removed in turn (inf: the chain is cut).

    Exact: every leg's costs between all candidate facilities are recomputed with the
    element's edges removed (numba, only trees that used them), and the facility
    choice is solved again.
    """
    from serai.minerals._kernels import removal_costs

    sol = chain.solution
    g = model.router.rg.graph
    ne = len(elements)
    if not ne:
        return np.empty(0)
    edge_sets = [_edges_of(model, e) for e in elements]
    ptr = np.zeros(ne + 1, np.int64)
    ptr[1:] = np.cumsum([len(x) for x in edge_sets])
    flat = np.concatenate(edge_sets) if ptr[-1] else np.empty(0, np.int64)
    fac = model.data.facilities
    mats = []
    for s, leg in enumerate(sol.legs):
        _, rem = removal_costs(
            g.indptr, g.heads, g.tails, leg.cost, g.passable, leg.src_v, leg.tgt_v, ptr, flat
        )
        si = {v: i for i, v in enumerate(leg.src_v)}
        ti = {v: i for i, v in enumerate(leg.tgt_v)}
        c = leg.commodity
        nf, ng = leg.obj.shape
        L = np.full((ne, nf, ng), np.inf)
        for i, fa in enumerate(sol.candidates[s]):
            ia = np.array([si[a.vnode] for a in leg.src_access[i]])
            oa = np.array(
                [_off_obj(model, a, leg.product, sol.request, c) for a in leg.src_access[i]]
            )
            for j, fb in enumerate(sol.candidates[s + 1]):
                same = (
                    fa == fb
                    or _haversine(
                        fac.loc[fa, "lat"],
                        fac.loc[fa, "lon"],
                        fac.loc[fb, "lat"],
                        fac.loc[fb, "lon"],
                    )
                    < SAME_SITE_KM
                )
                if same:
                    L[:, i, j] = 0.0
                    continue
                jb = np.array([ti[b.vnode] for b in leg.tgt_access[j]])
                ob = np.array(
                    [_off_obj(model, b, leg.product, sol.request, c) for b in leg.tgt_access[j]]
                )
                tot = oa[None, :, None] + rem[:, ia][:, :, jb] + ob[None, None, :]
                L[:, i, j] = tot.reshape(ne, -1).min(axis=1)
        mats.append(L)
    fw = np.zeros((ne, mats[0].shape[1]))
    for L, leg in zip(mats, sol.legs, strict=True):
        fw = np.min(fw[:, :, None] + leg.weight * L, axis=1)
    return fw.min(axis=1)


def _off_obj(model, acc, product, req, c) -> float:
    from serai.minerals.engine import _objective

    m = model.offnet(acc, product)
    return float(
        _objective(
            req.objective,
            m["hours"],
            m["usd"],
            m["co2e_kg"],
            c.vot_usd_per_unit_h,
            req.carbon_price_usd_per_t,
        )
    )


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
