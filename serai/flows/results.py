"""Result tables of a flow run, keyed by the network's ids, and the corridor indicators.

Everything here is a read-only function of a built model and the algorithm's
result: link flows by commodity group and direction, element loads,
utilisation, delays and capacity prices, routes with their corridor label, OD
pairs with unmet demand, the corridor-indicators table and the bottleneck list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from serai.demand import zones
from serai.flows.capacity import _vlinks_of
from serai.freight.corridors import corridor_label

__all__ = ["FlowResult", "make_result"]

# Caspian Sea box (lon, lat) for sea legs that are not ferry services
_CASPIAN_BOX = (46.0, 36.4, 55.5, 47.5)
_CASPIAN_SPLIT = 50.5


def _shore(x: float, y: float) -> str:
    """Caspian shore of a point: ``east`` (Kazakhstan, Turkmenistan), ``AZ``, or ``other``."""
    if x > _CASPIAN_SPLIT and y >= 38.5:
        return "east"
    if x <= _CASPIAN_SPLIT and 38.5 <= y <= 41.9:
        return "AZ"
    return "other"


#: the tables of a result, by file name (without suffix)
TABLES = ("links", "elements", "paths", "od", "indicators", "bottlenecks", "convergence")


@dataclass(frozen=True, eq=False)
class FlowResult:
    """Corridor flows: tables keyed by network ids, indicators, bottlenecks, run facts.

    Attributes
    ----------
    links
        Physical links and services with flow: ``link_id``, ``service_id``,
        ``from_node``, ``to_node``, ``mode``, ``km``, ``tonnes``, ``teu`` and
        ``flow_<group>`` (group units per year; links are directed).
    elements
        Capacity elements per direction: ``capacity_id``, ``element``, ``name``,
        ``kind``, ``direction``, ``measure``, ``capacity``, ``load``,
        ``utilisation``, ``delay_h`` (equilibrium), ``dual`` (LP, USD per unit of
        the measure per year), ``binding``.
    paths
        Routes with flow: ``group``, ``origin``, ``destination`` (zones),
        ``corridor``, ``countries``, ``caspian``, ``cn_border`` (the country on the
        other side of the Chinese border the route crosses, '' if none), ``flow``,
        ``share``, ``cost_usd`` (per unit incl. delays), ``hours``, ``km``.
    od
        OD pairs: ``group``, ``origin``, ``destination``, ``volume``,
        ``assigned``, ``unmet``, ``cost_usd`` (flow-weighted mean), ``reason``.
    indicators
        ``indicator``, ``direction``, ``unit``, ``value``.
    bottlenecks
        Elements ranked by dual (LP) or by delay cost (equilibrium).
    convergence
        The algorithm's log (equilibrium gap per iteration, or LP rounds).
    summary
        Run facts (year, method, parameters, convergence, timings, totals; ``classes``
        the demand groups, ``cost_classes`` the choice classes: a group split by the cost
        variant of its origins, :mod:`serai.flows.costclasses`).
    vlink_flows
        Flow of each choice class (the model's ``specs``) on every virtual link.
    """

    links: pd.DataFrame
    elements: pd.DataFrame
    paths: pd.DataFrame
    od: pd.DataFrame
    indicators: pd.DataFrame
    bottlenecks: pd.DataFrame
    convergence: pd.DataFrame
    summary: dict = field(default_factory=dict)
    vlink_flows: np.ndarray = field(repr=False, default=None)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by its file name (without suffix; :data:`TABLES`)."""
        return {
            "links": self.links,
            "elements": self.elements,
            "paths": self.paths,
            "od": self.od,
            "indicators": self.indicators,
            "bottlenecks": self.bottlenecks,
            "convergence": self.convergence,
        }


def _path_info(model, edges: list[np.ndarray]) -> pd.DataFrame:
    rg = model.rg
    vl = rg.vlinks
    rows_of = np.asarray(rg.graph.link_rows)
    kind = vl["kind"].to_numpy()
    mode = vl["mode"].to_numpy()
    country = vl["country"].to_numpy()
    passage = vl["passage"].to_numpy()
    svc = vl["service_id"].to_numpy()
    fc, tc = vl["from_country"].to_numpy(), vl["to_country"].to_numpy()
    km = vl["km"].to_numpy(float)
    links = rg.network.links
    lid = vl["link_id"].to_numpy()
    vname = np.full(len(vl), "", dtype=object)
    if "name" in links.columns:
        nm = pd.Series(
            links["name"].fillna("").astype(str).to_numpy(), index=links["link_id"].to_numpy()
        )
        nm = nm[~nm.index.duplicated()]
        has = lid >= 0
        vname[has] = nm.reindex(lid[has]).fillna("").to_numpy(object)
    is_move = kind == "move"
    is_sea = is_move & (mode == "sea")
    is_border = kind == "border"
    # water legs inside the Caspian (ferry services and sea lanes)
    nodes = rg.network.nodes.set_index("node_id")
    nodes = nodes[~nodes.index.duplicated()]
    fx = nodes["x"].reindex(vl["from_node"]).to_numpy(float)
    fy = nodes["y"].reindex(vl["from_node"]).to_numpy(float)
    tx = nodes["x"].reindex(vl["to_node"]).to_numpy(float)
    ty = nodes["y"].reindex(vl["to_node"]).to_numpy(float)
    x0, y0, x1, y1 = _CASPIAN_BOX
    inside = (
        (fx >= x0)
        & (fx <= x1)
        & (fy >= y0)
        & (fy <= y1)
        & (tx >= x0)
        & (tx <= x1)
        & (ty >= y0)
        & (ty <= y1)
    )
    water = is_move & inside & np.isin(mode, ["sea", "ferry"])
    out = []
    for e in edges:
        r = rows_of[e]
        mv = is_move[r]
        countries = tuple(dict.fromkeys(x for x in country[r][mv] if x))
        passages = tuple(dict.fromkeys(x for x in passage[r] if x))
        s = mv & (svc[r] != "")
        ferry = list(zip(fc[r][s], tc[r][s], strict=True))
        tot = km[r][mv].sum()
        sea = km[r][is_sea[r]].sum()
        ln = set(vname[r][mv]) - {""}
        bd = r[is_border[r]]
        cnb = [t if f == "CN" else f for f, t in zip(fc[bd], tc[bd], strict=True) if "CN" in (f, t)]
        w = r[water[r]]
        casp = ""
        if len(w):  # a Caspian crossing between the east shore (KZ, TM) and Azerbaijan
            a, b = _shore(fx[w[0]], fy[w[0]]), _shore(tx[w[-1]], ty[w[-1]])
            casp = {("east", "AZ"): "westbound", ("AZ", "east"): "eastbound"}.get((a, b), "")
        out.append(
            {"corridor": corridor_label(countries, passages, ferry, sea / tot if tot else 0.0, ln),
             "km": float(tot), "countries": "-".join(countries), "caspian": casp,
             "cn_border": "-".join(dict.fromkeys(cnb))}
        )  # fmt: skip
    return pd.DataFrame(out)


def make_result(model, raw, elapsed: dict) -> FlowResult:
    """Tables and indicators from a model and an equilibrium or LP result."""
    cfg = model.config
    rg = model.rg
    g = rg.graph
    vl = rg.vlinks
    names = model.problem.names
    specs = model.specs
    rows_of = np.asarray(g.link_rows)
    K = len(names)
    # flows per class on every virtual link (row order)
    xf = np.zeros((K, len(vl)))
    xf[:, rows_of] = raw.class_flows
    tpu = np.array([s.tonnes_per_unit for s in specs])
    teu = np.array([s.teu_per_unit for s in specs])
    tonnes = tpu @ xf
    teus = teu @ xf
    # ---- links (physical and services)
    mv = (vl["kind"] == "move").to_numpy() & (tonnes > 0)
    links = pd.DataFrame(
        {
            "link_id": vl["link_id"].to_numpy()[mv],
            "service_id": vl["service_id"].to_numpy()[mv],
            "from_node": vl["from_node"].to_numpy()[mv],
            "to_node": vl["to_node"].to_numpy()[mv],
            "mode": vl["mode"].to_numpy()[mv],
            "km": vl["km"].to_numpy(float)[mv],
            "tonnes": tonnes[mv],
            "teu": teus[mv],
        }
    )
    groups_ = list(dict.fromkeys(s.name for s in specs))  # a group's cost classes summed
    tpu_g = [next(s.tonnes_per_unit for s in specs if s.name == n) for n in groups_]
    for n in groups_:
        links[f"flow_{n}"] = sum(xf[k][mv] for k, s in enumerate(specs) if s.name == n)
    links = links.sort_values("tonnes", ascending=False).reset_index(drop=True)
    # ---- paths
    P = raw.paths
    use = P["flow"].to_numpy() > 1e-9 * max(P["flow"].max() if len(P) else 1.0, 1.0)
    P = P.loc[use].reset_index(drop=True)
    edges = [raw.path_edges[i] for i in np.flatnonzero(use)]
    info = _path_info(model, edges)
    od = model.od
    p_od = P["od"].to_numpy()
    hrs = [np.asarray(lc.hours)[rows_of] for lc in model.costs]  # per class, graph edge order
    cls = model.problem.od_class[p_od]
    hours = np.array([float(hrs[k][e].sum()) for k, e in zip(cls, edges, strict=True)])
    delay = np.zeros(len(P))
    if hasattr(raw, "links") and "delay" in raw.links.columns:
        d_edge = raw.links["delay"].to_numpy()
        delay = np.array([float(d_edge[e].sum()) for e in edges])
    paths = pd.DataFrame(
        {
            "group": od["group"].to_numpy()[p_od],
            "origin": od["origin"].to_numpy()[p_od],
            "destination": od["destination"].to_numpy()[p_od],
            "corridor": info["corridor"] if len(info) else [],
            "countries": info["countries"] if len(info) else [],
            "caspian": info["caspian"] if len(info) else [],
            "cn_border": info["cn_border"] if len(info) else [],
            "flow": P["flow"].to_numpy(),
            "share": P["flow"].to_numpy() / od["volume"].to_numpy()[p_od],
            "cost_usd": P["cost"].to_numpy(),
            "hours": hours + delay,
            "delay_h": delay,
            "km": info["km"] if len(info) else [],
        }
    )
    # ---- OD
    odt = od[["group", "origin", "destination", "volume"]].copy()
    assigned = np.bincount(p_od, weights=P["flow"].to_numpy(), minlength=len(od))
    odt["assigned"] = assigned
    odt["unmet"] = np.maximum(odt["volume"] - assigned, 0.0)
    wc = np.bincount(p_od, weights=P["flow"].to_numpy() * P["cost"].to_numpy(), minlength=len(od))
    odt["cost_usd"] = np.where(assigned > 0, wc / np.where(assigned > 0, assigned, 1), np.nan)
    odt["reason"] = np.where(odt["unmet"] > 1e-6 * odt["volume"], "capacity (LP penalty)", "")
    rule = model.problem.search
    routed = np.zeros(len(od), bool)  # OD pairs with a route (with flow or not)
    routed[raw.paths["od"].to_numpy(np.int64)] = True
    for i, pair in getattr(rule, "blocked", {}).items():
        if not routed[i]:  # no route at all: blocked by the closed pairs, not by capacity
            a, b = pair.countries
            odt.loc[i, "reason"] = f"every route visits both {a} and {b}: {pair.describe()}"
    dis = model.disconnected
    if len(dis):
        extra = dis[["group", "origin", "destination", "volume", "reason"]].copy()
        extra["assigned"] = 0.0
        extra["unmet"] = extra["volume"]
        extra["cost_usd"] = np.nan
        odt = pd.concat([odt, extra[odt.columns]], ignore_index=True)
    # ---- elements
    elements = _elements(model, raw)
    indicators = _indicators(model, xf, tonnes, teus, paths, elements)
    bottlenecks = _bottlenecks(elements, cfg.method)
    conv = raw.convergence if hasattr(raw, "convergence") else raw.log
    summary = {
        "year": int(cfg.year),
        "method": cfg.method,
        "theta": cfg.theta_value,
        "asc_rail_border_usd_per_teu": cfg.asc_rail_value,
        "asc_road_usd_per_t": cfg.asc_road_value,
        "asc_ru_uranium_usd_per_t": cfg.asc_ru_uranium_value,
        "delay_scale": cfg.delay_scale,
        "classes": groups_,
        "cost_classes": list(names),
        "od_pairs": len(od),
        "routes_with_flow": len(paths),
        "demand_tonnes": float((od["volume"].to_numpy() * tpu[od["class"].to_numpy()]).sum()),
        "disconnected_tonnes": float(
            (dis["volume"] * dis["group"].map(dict(zip(groups_, tpu_g, strict=True))).fillna(1.0)).sum()
        )
        if len(dis)
        else 0.0,
        "closed_pairs": [p.status_id for p in getattr(rule, "pairs", ())],
        "unresolved_capacities": model.capacity.elements.loc[~model.capacity.elements["resolved"], ["capacity_id", "reason"]].to_dict(orient="records"),
        "timings_s": {**{k: round(v, 3) for k, v in model.timings.items()}, **{k: round(v, 3) for k, v in elapsed.items()}},
    }  # fmt: skip
    if cfg.method == "lp":
        summary.update({"objective_usd": float(raw.objective), "optimal": bool(raw.optimal),
                        "rounds": len(raw.log)})  # fmt: skip
    else:
        summary.update({"converged": bool(raw.converged), "gap": float(raw.gap),
                        "iterations": int(raw.iterations)})  # fmt: skip
    return FlowResult(links, elements, paths, odt, indicators, bottlenecks, conv, summary, xf)


def _elements(model, raw) -> pd.DataFrame:
    cu = model.capacity
    if not len(cu.cap):
        return pd.DataFrame(columns=["capacity_id", "element", "name", "kind", "direction", "measure",
                                     "capacity", "load", "utilisation", "delay_h", "dual", "binding"])  # fmt: skip
    u = cu.units.copy()
    ru = raw.units.reset_index(drop=True)
    u["load"] = ru["load"].to_numpy()
    u["delay_h"] = ru["delay"].to_numpy() if "delay" in ru.columns else 0.0
    u["dual"] = ru["dual"].to_numpy() if "dual" in ru.columns else np.nan
    # a rail section: load of its busiest link, delay summed by length share, duals summed
    share = np.asarray(
        cu.vlink_unit.max(axis=0).todense()
    ).ravel()  # km share of a rail link; 1 else
    u["delay_w"] = u["delay_h"] * share
    agg = u.groupby(["capacity_id", "direction"], as_index=False).agg(
        element=("element", "first"), measure=("measure", "first"), capacity=("capacity", "first"),
        load=("load", "max"), delay_h=("delay_w", "sum"), dual=("dual", "sum"),
    )  # fmt: skip
    meta = cu.elements.set_index("capacity_id")
    agg["name"] = meta.loc[agg["capacity_id"], "name"].to_numpy()
    agg["kind"] = meta.loc[agg["capacity_id"], "kind"].to_numpy()
    agg["utilisation"] = agg["load"] / agg["capacity"]
    agg["binding"] = (
        (agg["dual"] > 1e-9) if model.config.method == "lp" else (agg["utilisation"] >= 0.999)
    )
    cols = ["capacity_id", "element", "name", "kind", "direction", "measure", "capacity", "load",
            "utilisation", "delay_h", "dual", "binding"]  # fmt: skip
    return agg[cols].sort_values("utilisation", ascending=False).reset_index(drop=True)


def _bottlenecks(el: pd.DataFrame, method: str) -> pd.DataFrame:
    if not len(el):
        return el.assign(rank=[])
    if method == "lp":
        b = el.loc[el["dual"] > 1e-9].sort_values("dual", ascending=False)
    else:
        b = el.loc[el["utilisation"] >= 0.8].sort_values(
            ["delay_h", "utilisation"], ascending=False
        )
    b = b.reset_index(drop=True)
    b.insert(0, "rank", np.arange(1, len(b) + 1))
    return b


def _point_rows(model, pid: str) -> np.ndarray:
    class R:  # the fields _vlinks_of reads
        applies, members, element, from_point, to_point, via_points = (
            "port",
            "",
            f"point:{pid}",
            "",
            "",
            "",
        )

    return _vlinks_of(model.rg, R)[0]


def _crossing_rows(model, cid: str, applies: str = "crossing") -> np.ndarray:
    class R:
        members, from_point, to_point, via_points = cid, "", "", ""

    R.applies = applies
    R.element = f"x:{cid}"
    return _vlinks_of(model.rg, R)[0]


def _indicators(model, xf, tonnes, teus, paths, elements) -> pd.DataFrame:
    rg = model.rg
    vl = rg.vlinks
    rows: list[tuple[str, str, str, float]] = []

    def add(ind, direction, unit, value):
        rows.append((ind, direction, unit, float(value)))

    tpu = {s.name: s.tonnes_per_unit for s in model.specs}
    teu = {s.name: s.teu_per_unit for s in model.specs}
    paths = paths.assign(
        tonnes=paths["flow"] * paths["group"].map(tpu), teu=paths["flow"] * paths["group"].map(teu)
    )
    # ---- trans-Caspian: routes crossing between Kazakh/Turkmen ports and Azerbaijani ports
    for name in ("westbound", "eastbound"):
        sel = paths["caspian"] == name
        add("trans_caspian_tonnes", name, "t", paths.loc[sel, "tonnes"].sum())
        add("trans_caspian_teu", name, "TEU", paths.loc[sel, "teu"].sum())
    sel = paths["caspian"] != ""
    add("trans_caspian_tonnes", "total", "t", paths.loc[sel, "tonnes"].sum())
    add("trans_caspian_teu", "total", "TEU", paths.loc[sel, "teu"].sum())
    # ---- China–Kazakhstan rail crossings
    kzcn_total = 0.0
    # Bakhty–Tacheng from its opening (2027/28): without it the 2030 total left out the third
    # crossing (its 48 Mt capacity row counts all three)
    for cid, label in (("dostyk_alashankou", "dostyk"), ("altynkol_khorgos", "altynkol"),
                       ("bakhty_tacheng", "bakhty")):  # fmt: skip
        r = _crossing_rows(model, cid)
        to_kz = vl["to_country"].to_numpy()[r] == "KZ"
        add(f"kz_cn_rail_tonnes_{label}", "CN->KZ", "t", tonnes[r[to_kz]].sum())
        add(f"kz_cn_rail_tonnes_{label}", "KZ->CN", "t", tonnes[r[~to_kz]].sum())
        add(f"kz_cn_rail_tonnes_{label}", "total", "t", tonnes[r].sum())
        kzcn_total += tonnes[r].sum()
    add("kz_cn_rail_tonnes", "total", "t", kzcn_total)
    # ---- Baku–Tbilisi–Kars (Akhalkalaki gauge change)
    r = _crossing_rows(model, "akhalkalaki", "gauge")
    to_std = np.char.endswith(vl["layer"].to_numpy()[r].astype(str), "1435")
    add("btk_tonnes", "westbound", "t", tonnes[r[to_std]].sum())
    add("btk_tonnes", "eastbound", "t", tonnes[r[~to_std]].sum())
    add("btk_tonnes", "total", "t", tonnes[r].sum())
    # ---- ports
    for label, pids in (("aktau_kuryk", ("aktau_port", "kuryk_port")), ("alat", ("alat_port",)),
                        ("poti", ("poti_port",)), ("batumi", ("batumi_port",)),
                        ("turkmenbashi", ("turkmenbashi_port",))):  # fmt: skip
        r = np.unique(np.concatenate([_point_rows(model, p) for p in pids]))
        add(f"port_throughput_tonnes_{label}", "total", "t", tonnes[r].sum())
        add(f"port_throughput_teu_{label}", "total", "TEU", teus[r].sum())
    # ---- China–EU containers by route
    z = zones()
    reg = z["region"]
    cont = paths.loc[paths["group"] == "containers"]
    cn = cont["origin"].map(reg).isin(["CN_COAST", "CN_INLAND"])
    eu = cont["destination"].map(reg) == "EU"
    cn_d = cont["destination"].map(reg).isin(["CN_COAST", "CN_INLAND"])
    eu_o = cont["origin"].map(reg) == "EU"
    for direction, sel in (("CN->EU", cn & eu), ("EU->CN", eu_o & cn_d)):
        sub = cont.loc[sel]
        route = np.select(
            [sub["corridor"].str.contains("Middle Corridor"), sub["corridor"].str.contains("Northern"),
             sub["corridor"].str.startswith("Sea"), sub["corridor"].str.contains("Southern")],
            ["middle_corridor", "northern", "sea", "southern"], "other",
        )  # fmt: skip
        for rname in ("northern", "middle_corridor", "southern", "sea", "other"):
            add(f"china_eu_teu_{rname}", direction, "TEU", sub["teu"][route == rname].sum())
        add("china_eu_rail_teu", direction, "TEU", sub["teu"][route != "sea"].sum())
    # China–Europe rail as the China–Europe Railway Express counts it: Europe including
    # European Russia (the check of calibrate.CHECKS), both directions
    ru_eu = ["EU", "RU"]
    o_reg, d_reg = cont["origin"].map(reg), cont["destination"].map(reg)
    rail = ~cont["corridor"].str.startswith("Sea")
    cn_o, cn_d2 = o_reg.isin(["CN_COAST", "CN_INLAND"]), d_reg.isin(["CN_COAST", "CN_INLAND"])
    wb = cont.loc[rail & cn_o & d_reg.isin(ru_eu), "teu"].sum()
    eb = cont.loc[rail & o_reg.isin(ru_eu) & cn_d2, "teu"].sum()
    add("china_europe_incl_ru_rail_teu", "westbound", "TEU", wb)
    add("china_europe_incl_ru_rail_teu", "eastbound", "TEU", eb)
    add("china_europe_incl_ru_rail_teu", "total", "TEU", wb + eb)
    # ... by the country across the Chinese border (Kazakhstan, Russia at Zabaikalsk,
    # Mongolia at Erenhot)
    both = rail & ((cn_o & d_reg.isin(ru_eu)) | (o_reg.isin(ru_eu) & cn_d2))
    for label, code in (("kz", "KZ"), ("ru", "RU"), ("mn", "MN")):
        add(f"china_europe_incl_ru_rail_teu_via_{label}", "total", "TEU",
            cont.loc[both & (cont["cn_border"] == code), "teu"].sum())  # fmt: skip
    # ---- the crossings of the Trans-Siberian and the Trans-Mongolian lines
    for cid, label in (("zabaikalsk_manzhouli", "zabaikalsk"), ("zamyn_uud_erenhot", "erenhot"),
                       ("naushki_sukhbaatar", "naushki")):  # fmt: skip
        r = _crossing_rows(model, cid)
        add(f"rail_border_tonnes_{label}", "total", "t", tonnes[r].sum())
        add(f"rail_border_teu_{label}", "total", "TEU", teus[r].sum())
    # ---- calibration quantities
    kz = paths["countries"].str.split("-").apply(lambda c: "KZ" in c)
    transit = (
        kz
        & (paths["origin"].map(z["country"]) != "KZ")
        & (paths["destination"].map(z["country"]) != "KZ")
    )
    add("kz_transit_tonnes", "total", "t", paths.loc[transit, "tonnes"].sum())
    northern_wb = cont.loc[cn & eu & cont["corridor"].str.contains("Northern")]
    # UTLC ERA carries China -> Europe trains that enter Kazakhstan from China (a train
    # via Zabaikalsk that crosses Kazakhstan at Petropavl is not one of them)
    via_kz = northern_wb["cn_border"] == "KZ"
    add("china_eu_northern_via_kz_teu", "CN->EU", "TEU", northern_wb.loc[via_kz, "teu"].sum())
    # ---- minerals
    u = paths.loc[paths["group"] == "uranium"]
    add(
        "uranium_titr_t_u3o8",
        "westbound",
        "t",
        # via the TITR = across the Caspian westbound (Aktau/Kuryk -> Baku, then Georgia and the
        # Black Sea; routes that ship on from Poti to the US or Rotterdam are labelled "Sea")
        u.loc[u["caspian"] == "westbound", "tonnes"].sum(),
    )
    us = paths.loc[paths["destination"].map(reg) == "US"]
    add("minerals_to_us_tonnes", "total", "t", us["tonnes"].sum())
    return pd.DataFrame(rows, columns=["indicator", "direction", "unit", "value"])
