"""The elements of a chain (line sections, hub nodes, services, passages, chokepoints) and
the chain's best objective with each one removed in turn.

A section is a run of physical links between two branch points (a node with three or
more neighbours in a layer, two or more layers, or a place): losing any link of it is
losing the section. Each element knows the route constraints that remove it, so the
prediction of :func:`removal_objectives` (numba, only the least-cost trees that used the
element searched again, then the facility choice solved for all elements at once) can be
checked against solving the chain again without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from serai.minerals.engine import ChainModel
from serai.minerals.facilities import same_site
from serai.minerals.result import Chain

__all__ = ["Element", "chain_elements", "removal_matrices", "removal_objectives"]


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


def _passages_known(model: ChainModel, names: str) -> tuple[str, ...]:
    """The names of a chokepoint's passages (``;``-separated, aliases allowed in the table)
    that the router knows: the network's passage tags and the router's passage list. The
    router's gate refuses the others (``bab_el_mandeb`` where the network says
    ``babalmandab``)."""
    cache = model.__dict__.setdefault("_exposure_cache", {})
    if "passages" not in cache:
        from serai.freight.route import passage_countries

        known = set(model.router.rg.vlinks["passage"]) | set(passage_countries())
        known.discard("")
        cache["passages"] = known
    return tuple(sorted(set(str(names).split(";")) & cache["passages"]))


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


def _section_countries(v: pd.DataFrame, run: list[int], a: int, b: int, ncountry: pd.Series) -> str:
    """The countries a section runs through, in order, joined by ``–``: its links' and its
    end nodes'. A section ending at a border node holds the link that crosses the border
    (Böyük Kəsik – near Rustavi, AZ–GE), which its first link's country alone (AZ) hid."""
    moves = v.loc[(v["kind"] == "move") & v["link_id"].isin(run), "country"].astype(str)
    seq = [str(ncountry.get(a, "")), *moves.tolist(), str(ncountry.get(b, ""))]
    return "–".join(dict.fromkeys(c for c in seq if c))


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

    ncountry = rg.network.nodes.set_index("node_id")["country"].fillna("").astype(str)

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
            ctry = _section_countries(v, run, a, b, ncountry)
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
                        {"avoid_passages": _passages_known(model, cp.passages)},
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
                f"{p.replace('_', ' ').capitalize()} (passage)",
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
    element's edges removed (numba, only trees that used them; each source with the cost
    array of its import-premium zone, as the leg was solved), and the facility choice is
    solved again.
    """
    ne = len(elements)
    if not ne:
        return np.empty(0)
    sol = chain.solution
    mats = removal_matrices(model, chain, elements)
    fw = np.zeros((ne, mats[0].shape[1]))
    for L, leg in zip(mats, sol.legs, strict=True):
        fw = np.min(fw[:, :, None] + leg.weight * L, axis=1)
    return fw.min(axis=1)


def removal_matrices(
    model: ChainModel, chain: Chain, elements: Sequence[Element]
) -> list[np.ndarray]:
    """Per leg, the objective between every pair of its candidate facilities with each
    element removed in turn: arrays ``[element, from facility, to facility]`` (inf: cut).

    With nothing removed they are the leg's own objective matrix (the chain's solution).
    """
    from serai.minerals._kernels import removal_costs

    sol = chain.solution
    g = model.router.rg.graph
    ne = len(elements)
    edge_sets = [_edges_of(model, e) for e in elements]
    ptr = np.zeros(ne + 1, np.int64)
    ptr[1:] = np.cumsum([len(x) for x in edge_sets])
    flat = np.concatenate(edge_sets) if ptr[-1] else np.empty(0, np.int64)
    fac = model.data.facilities
    mats = []
    for s, leg in enumerate(sol.legs):
        # each source with the cost array of its import-premium zone (as the leg was solved)
        rem = np.full((ne, len(leg.src_v), len(leg.tgt_v)), np.inf)
        for free, cost in leg.costs.items():
            sel = leg.src_free == free
            _, rem[:, sel] = removal_costs(
                g.indptr, g.heads, g.tails, cost, g.passable, leg.src_v[sel], leg.tgt_v, ptr, flat
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
                same = same_site(fac, fa, fb)
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
    return mats


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
