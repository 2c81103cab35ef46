"""Flows on the embedded network (small demand): conservation, capacities, indicators, CLI."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from serai.demand import Demand
from serai.flows import FlowConfig, build_model
from serai.flows.capacity import capacity_table
from serai.flows.model import solve
from serai.flows.results import make_result

ROWS = [
    ("containers", "CN_XIY", "DE_W", 60000.0),
    ("containers", "CN_SHA", "NL", 200000.0),
    ("containers", "DE_W", "CN_XIY", 20000.0),
    ("grain", "KZ_NORTH", "UZ_TAS", 1.0e6),
    ("copper", "KZ_EAST", "CN_URC", 3.0e5),
    ("oil_products", "TM_PORT", "AZ", 1.0e6),
    ("metals_ores", "KZ_CEN", "CN_XIY", 2.5e7),  # more than the Dostyk + Altynkol capacity
    ("uranium", "KZ_SOUTH", "US_EAST", 4000.0),  # no US port on the network yet
    ("uranium", "KZ_SOUTH", "RO", 2000.0),
    ("containers", "CN_SHA", "RU_MOW", 50000.0),
]
REQUIRED = {
    "trans_caspian_tonnes", "trans_caspian_teu", "kz_cn_rail_tonnes_dostyk",
    "kz_cn_rail_tonnes_altynkol", "btk_tonnes", "port_throughput_tonnes_aktau_kuryk",
    "port_throughput_tonnes_alat", "port_throughput_tonnes_poti", "port_throughput_teu_poti",
    "port_throughput_tonnes_batumi", "port_throughput_teu_batumi", "china_eu_teu_northern",
    "china_eu_teu_middle_corridor", "china_eu_teu_sea",
}  # fmt: skip


def small_demand() -> Demand:
    t = pd.DataFrame(ROWS, columns=["group", "origin", "destination", "volume"])
    t["unit"] = np.where(t["group"] == "containers", "TEU", "t")
    t["year"] = 2024
    return Demand(t, 2024, "test")


@pytest.fixture(scope="module")
def model():
    from serai.freight.cache import cached_router

    router = cached_router(year=2024)  # the router `serai flows` uses (disk cache)
    cfg = FlowConfig(year=2024, gap=1e-5)
    return build_model(router.rg.network, small_demand(), cfg, router=router)


@pytest.fixture(scope="module")
def results(model):
    out = {}
    for method in ("equilibrium", "lp"):
        m = replace(model, config=replace(model.config, method=method))
        raw = solve(m)
        out[method] = (m, raw, make_result(m, raw, {}))
    return out


def test_capacities_of_2024_resolve(model):
    el = model.capacity.elements
    assert el["resolved"].all(), el.loc[~el["resolved"], ["capacity_id", "reason"]]
    t = capacity_table()
    assert set(el["capacity_id"]) <= set(t["capacity_id"])
    # every capacity is sourced or an estimate with its reasoning
    est = t["estimate"].astype(str).str.lower() == "true"
    assert (t.loc[~est, "source_id"].str.len() > 0).all()
    assert (t.loc[est, "note"].str.len() > 20).all()


@pytest.mark.parametrize("method", ["equilibrium", "lp"])
def test_conservation_per_class(results, method):
    m, raw, res = results[method]
    g = m.problem.graph
    p = m.problem
    served = res.od.set_index(["group", "origin", "destination"])["assigned"]
    for k, name in enumerate(p.names):
        x = raw.class_flows[k]
        net_out = np.zeros(g.n_nodes)
        np.add.at(net_out, g.tails, x)
        np.subtract.at(net_out, g.heads, x)
        supply = np.zeros(g.n_nodes)
        mine = np.flatnonzero(p.od_class == k)
        od = m.od.iloc[mine]
        vol = served.reindex(
            list(zip(od["group"], od["origin"], od["destination"], strict=True))
        ).to_numpy()
        np.add.at(supply, p.od_origin[mine], vol)
        np.subtract.at(supply, p.od_destination[mine], vol)
        assert np.allclose(net_out, supply, atol=1e-6 * max(vol.max(), 1.0)), name


def test_lp_respects_capacities_and_prices_them(results):
    _m, _raw, res = results["lp"]
    el = res.elements
    assert (el["load"] <= el["capacity"] * (1 + 1e-7) + 1e-6).all()
    assert (el["dual"] >= 0).all()
    assert res.summary["optimal"]
    # 25 Mt from central Kazakhstan to Xi'an cannot all cross at Dostyk + Altynkol (28 Mt with the
    # other flows): a China–Kazakhstan capacity binds and has a price
    b = res.bottlenecks
    assert len(b) and (b["dual"] > 0).all()
    assert b["element"].str.contains("kz_cn_rail|dostyk|altynkol|dostyk_moyynty").any()
    binding = el.loc[el["binding"]]
    assert np.allclose(binding["utilisation"], 1.0, atol=1e-6)


def test_equilibrium_converges_and_reports(results):
    _m, _raw, res = results["equilibrium"]
    assert res.summary["converged"] and res.summary["gap"] <= 1e-5
    assert set(res.indicators.columns) == {"indicator", "direction", "unit", "value"}
    assert REQUIRED <= set(res.indicators["indicator"])
    # shares of each OD pair sum to one, costs are positive
    s = res.paths.groupby(["group", "origin", "destination"])["share"].sum()
    assert np.allclose(s, 1.0, atol=1e-6)
    assert (res.paths["cost_usd"] > 0).all()
    # the US-bound uranium reaches the US East coast since the sea network is worldwide (issue 10)
    us = res.od.loc[res.od["destination"] == "US_EAST"]
    assert len(us) == 1 and us["assigned"].iloc[0] == pytest.approx(4000.0)
    assert us["unmet"].iloc[0] == pytest.approx(0.0)
    # containers China -> Europe are split between sea and land routes by the logit
    ind = res.indicators.set_index(["indicator", "direction"])["value"]
    sea, rail = ind[("china_eu_teu_sea", "CN->EU")], ind[("china_eu_rail_teu", "CN->EU")]
    assert sea + rail == pytest.approx(260000.0, rel=1e-6)
    assert sea > 0 and rail > 0


def test_cli_flows(tmp_path, model, monkeypatch):
    from typer.testing import CliRunner

    import serai.flows.api
    from serai.cli import app

    built = []

    def same_model(network, demand, cfg, *, router=None):
        # the CLI reads the file, checks it and asks for the module's model: reuse it (one
        # build per module; building is tested by the fixture itself)
        def rows(t):
            cols = ("group", "origin", "destination", "volume")
            return sorted(zip(*(t[c].tolist() for c in cols), strict=True))

        assert rows(demand.table) == rows(small_demand().table)
        assert router is not None and router.rg.year == 2024
        built.append(cfg)
        return replace(model, config=cfg)

    monkeypatch.setattr(serai.flows.api, "build_model", same_model)
    d = tmp_path / "demand.csv"
    small_demand().table.to_csv(d, index=False)
    out = tmp_path / "out"
    args = [
        "flows",
        "--year",
        "2024",
        "--method",
        "lp",
        "--demand",
        str(d),
        "--out",
        str(out),
        "--no-map",
    ]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    for name in ("indicators", "links", "elements", "bottlenecks", "paths", "od"):
        assert (out / f"{name}.csv").exists() and (out / f"{name}.parquet").exists()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["method"] == "lp" and summary["year"] == 2024
    ind = pd.read_csv(out / "indicators.csv")
    assert list(ind.columns) == ["indicator", "direction", "unit", "value"]
    assert len(built) == 1 and built[0].method == "lp"
    r2 = CliRunner().invoke(app, args)
    assert r2.exit_code == 2 and "overwrite" in r2.output
    assert len(built) == 1  # refused before any computation
    bad = tmp_path / "bad.csv"
    bad.write_text("group,origin,destination,volume\ngrain,KZ_NORTH,Tashkent,5\n")
    r3 = CliRunner().invoke(app, ["flows", "--demand", str(bad), "--out", str(tmp_path / "o2")])
    assert r3.exit_code == 2 and "unknown zone 'Tashkent'" in r3.output


def test_corridor_choice_sets_complete_at_equilibrium_costs(results):
    """Every corridor's least-cost route at the equilibrium costs is in its OD pair's choice
    set (or the pair has its maximum of routes), for routes above the gap's logit share: the
    corridors are searched again at congested costs, not only at free-flow costs."""
    from serai.flows.model import corridor_routes

    m, raw, _res = results["equilibrium"]
    p = m.problem
    excess = raw.units["delay"].to_numpy()
    costs = p.edge_costs_at(excess) + (0.0 if p.edge_constant is None else p.edge_constant)
    have = {
        (int(od), np.asarray(e, np.int64).tobytes())
        for od, e in zip(raw.paths["od"], raw.path_edges, strict=True)
    }
    count = raw.paths.groupby("od").size()
    routes = corridor_routes(
        p, m.masks, costs, m.config.theta_value, cutoff=float(np.log(1 / m.config.gap))
    )
    assert routes
    missing = [
        (i, len(e))
        for i, e in routes
        if (i, e.tobytes()) not in have and count.get(i, 0) < m.config.max_paths
    ]
    assert not missing


def test_china_europe_rail_is_split_by_the_chinese_border_it_crosses(results):
    # the Railway Express check counts trains via Kazakhstan, via Zabaikalsk (RU) and via
    # Mongolia; UTLC ERA (the fitted Northern volume) only those that enter Kazakhstan
    _m, _raw, res = results["equilibrium"]
    ind = res.indicators.set_index(["indicator", "direction"])["value"]
    parts = [ind[(f"china_europe_incl_ru_rail_teu_via_{x}", "total")] for x in ("kz", "ru", "mn")]
    assert sum(parts) == pytest.approx(ind[("china_europe_incl_ru_rail_teu", "total")], rel=1e-9)
    p = res.paths
    assert set(p["cn_border"]) <= {"", "KZ", "RU", "MN", "KG"}
    # a border is named only on routes that enter China (Kazakh uranium may go by rail to a
    # Chinese port and sail on: class 7 changes gauge at the China-Kazakhstan crossings)
    in_cn = p["countries"].str.split("-").map(lambda c: "CN" in c)
    assert (p.loc[~in_cn, "cn_border"] == "").all()
    cn = p["origin"].str.startswith("CN_") | p["destination"].str.startswith("CN_")
    assert (p.loc[~cn & (p["group"] != "uranium"), "cn_border"] == "").all()
    wb = p.loc[
        (p["group"] == "containers") & (p["origin"] == "CN_XIY") & (p["destination"] == "DE_W")
    ]
    north = wb.loc[wb["corridor"].str.contains("Northern")]
    via_kz = north.loc[north["cn_border"] == "KZ", "flow"].sum()
    assert ind[("china_eu_northern_via_kz_teu", "CN->EU")] >= via_kz > 0
    for label in ("zabaikalsk", "erenhot", "naushki"):
        assert ind[(f"rail_border_tonnes_{label}", "total")] >= 0


def _km(lon1, lat1, lon2, lat2):
    """Great-circle km (haversine, R = 6,371 km)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def test_port_elements_stay_at_their_port(model):
    """Every link a port capacity loads lies at that port (its coordinates in the points
    table), not at the far end of its ferries: Alat's 15 Mt and 100,000 TEU (facts V13) once
    counted Aktau's, Kuryk's and Turkmenbashi's lifts, Batumi's 100,000 TEU Burgas's and
    Constanța's."""
    cu, vl = model.capacity, model.rg.vlinks
    net = model.rg.network
    pts, nd = net.tables["points"], net.nodes.drop_duplicates("node_id").set_index("node_id")
    ports = cu.units.loc[cu.units["element"].str.startswith("point:")]
    assert {"alat_port_teu", "batumi_port_teu", "aktau_port", "poti_port_teu"} <= set(
        ports["capacity_id"]
    )
    for u, el in zip(ports["unit"], ports["element"], strict=True):
        pid = el.split(":", 1)[1]
        lon, lat = pts.loc[pts["point_id"] == pid, ["lon", "lat"]].astype(float).mean()
        if not (lon == lon and lat == lat):  # not in the points table: its node's place
            ids = nd["point_id"].fillna("").astype(str).str.split("|")
            own = np.array([pid in x for x in ids], bool)
            lon, lat = nd.loc[own, ["x", "y"]].astype(float).mean()
        assert lon == lon and lat == lat, pid
        rows = cu.vlink_unit[:, u].nonzero()[0]
        node = vl["node_id"].to_numpy()[rows]
        km = _km(nd.loc[node, "x"].to_numpy(float), nd.loc[node, "y"].to_numpy(float), lon, lat)
        assert km.max() < 40.0, (pid, float(km.max()))


@pytest.mark.parametrize("method", ["equilibrium", "lp"])
def test_an_element_loads_each_route_once(results, method):
    """Conservation at the elements: no route passes a capacity unit twice (a box called at a
    port is one lift, not the ro-ro alight plus the port link), so an element's load is the
    hand sum over the routes through it of flow x units per class unit."""
    m, raw, res = results[method]
    cu = m.capacity
    rows_of = np.asarray(m.rg.graph.link_rows)
    at = (cu.vlink_unit != 0).astype(np.int64).tocsr()
    P = raw.paths
    load = np.zeros(len(cu.cap))
    for i, e in enumerate(raw.path_edges):
        hits = np.asarray(at[rows_of[e]].sum(axis=0)).ravel()
        assert hits.max(initial=0) <= 1, cu.units.loc[hits > 1]
        k = m.problem.od_class[int(P["od"].iloc[i])]
        load += hits * cu.use[k] * float(P["flow"].iloc[i])
    agg = pd.Series(load).groupby([cu.units["capacity_id"], cu.units["direction"]]).max()
    el = res.elements.set_index(["capacity_id", "direction"])["load"]
    for key, v in el.items():
        assert v == pytest.approx(agg[key], rel=1e-6, abs=1e-3), key


def test_gauge_change_delay_rests_on_the_transshipment_time(model):
    """A break of gauge at a border has its transshipment in the border time, so its gauge
    links carry no hours; the delay of its container capacity starts from the site's
    transshipment time (Dostyk: 9 h -> 4 h 15 min, Xinhua 2016, facts section 7), not from the
    0.1 h floor under which Dostyk's 760 TEU/day was loaded at 455-502% for 21-32 h of wait.
    Hand computation of the BPR wait at twice the capacity: 4.25 h x (1 + 0.5 x 2^4) = 38.25 h."""
    from serai.assignment.vdf import BPR

    cu = model.capacity
    u = cu.units.loc[cu.units["capacity_id"] == "dostyk_containers", "unit"].to_numpy()
    assert len(u) == 1 and cu.t0[u[0]] == pytest.approx(4.25)
    assert cu.cap[u[0]] == pytest.approx(760 * 365)
    w = BPR().time(np.array([2.0 * cu.cap[u[0]]]), np.array([cu.t0[u[0]]]),
                   np.array([cu.cap[u[0]]]), (np.array([cu.alpha[u[0]]]), np.array([cu.beta[u[0]]])))  # fmt: skip
    assert float(np.ravel(w)[0]) == pytest.approx(4.25 * (1 + 0.5 * 2**4))


def test_china_kazakhstan_total_is_the_combined_crossings_load(results):
    """The indicator (tonnes on the border links of every China–Kazakhstan crossing, Bakhty
    included once open) equals the load of the combined-capacity element of the same
    crossings, a separate resolution of the same links (facts §7: 28 Mt, 48 Mt with Bakhty)."""
    _m, _raw, res = results["equilibrium"]
    ind = res.indicators.set_index(["indicator", "direction"])["value"]
    el = res.elements.set_index("capacity_id")
    assert ind[("kz_cn_rail_tonnes", "total")] == pytest.approx(
        el.loc["kz_cn_rail_combined", "load"], rel=1e-9
    )
    assert ind[("kz_cn_rail_tonnes_bakhty", "total")] == 0.0  # not open in 2024
