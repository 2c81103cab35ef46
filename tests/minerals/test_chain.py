"""Chains on the synthetic network: brute force over facilities, hand-computed mass
conversion, dangerous-goods rules, removal of elements."""

from __future__ import annotations

import csv
import itertools
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from serai.errors import InputError
from serai.freight import Constraints, Router, build_routing_graph
from serai.minerals import ChainModel, NoChainError, load_minerals
from serai.minerals.elements import chain_elements, removal_objectives
from serai.minerals.exposure import exposure
from serai.minerals.products import product_commodity
from tests.minerals.synthetic import FACILITIES, synthetic_network, write_tables

PLACE = {f[0]: f[5] for f in FACILITIES}


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> ChainModel:
    data = load_minerals(write_tables(tmp_path_factory.mktemp("tables")))
    return ChainModel(Router(build_routing_graph(synthetic_network())), data)


def _stage_ratio(mineral: str, stage: str) -> float:
    with resources.files("serai.minerals.data").joinpath("stages.csv").open() as fh:
        for r in csv.DictReader(fh):
            if r["mineral"] == mineral and r["stage"] == stage:
                return float(r["t_in_per_t_out"])
    raise KeyError(stage)


# hand-derived product rules on the synthetic network: class 7 may not use Badport (node 6,
# no allow rule) nor the lake ferry (no allow rule); copper may use everything
RULES = {
    "uranium": Constraints.make(avoid_nodes=[6], avoid_services=["lake_ferry"]),
    "copper": Constraints(),
}
METRIC = {"generalised": "gc_usd", "time": "hours", "cost": "usd", "emissions": "co2e_kg"}


def _leg_value(model, a, b, product, objective, avoid=(), avoid_links=()):
    """Objective of one leg by the public router (0 between facilities on one place)."""
    if PLACE[a] == PLACE[b]:
        return 0.0
    mineral = model.data.products.loc[product, "mineral"]
    base = RULES[mineral]
    cons = Constraints.make(
        avoid_countries=avoid,
        avoid_links=avoid_links,
        avoid_nodes=base.avoid_nodes,
        avoid_services=base.avoid_services,
    )
    try:
        r = model.router.route(
            PLACE[a],
            PLACE[b],
            product_commodity(model.data, product),
            objective=objective,
            constraints=cons,
        )
    except Exception:
        return np.inf
    v = r.totals[METRIC[objective]]
    if objective == "time":
        v += 1e-6 * r.totals["usd"]
    elif objective == "cost":
        v += 1e-6 * r.totals["hours"]
    elif objective == "emissions":
        v += 1e-6 * r.totals["hours"]
    return v


URANIUM_STAGES = {
    "conversion": ["conv_b", "conv_r", "conv_w1", "conv_small"],
    "enrichment": ["enr_c", "enr_d", "enr_w2"],  # enr_plan is planned, never open
}


@pytest.mark.parametrize("objective", ["generalised", "time", "cost", "emissions"])
@pytest.mark.parametrize("dest", ["DE fabricator", "fabricator", "fab_e"])
@pytest.mark.parametrize("avoid", [(), ("RU",)])
def test_chain_equals_brute_force_over_facilities(model, objective, dest, avoid):
    chain = model.chain("u_mine", dest, "uranium", objective=objective, avoid_countries=avoid)
    buyers = {
        "DE fabricator": ["fab_w1", "fab_w2"],
        "fabricator": ["fab_w1", "fab_w2", "fab_e"],
        "fab_e": ["fab_e"],
    }[dest]
    r_conv = _stage_ratio("uranium", "conversion")
    r_enr = _stage_ratio("uranium", "enrichment")
    w = [1.0, 1.0, 1.0] if objective == "time" else [r_conv * r_enr, r_enr, 1.0]
    prods = ["uranium_uoc", "uranium_uf6_natural", "uranium_uf6_enriched"]
    country = {f[0]: f[3] for f in FACILITIES}
    best, best_combo = np.inf, None
    convs = [c for c in URANIUM_STAGES["conversion"] if country[c] not in avoid]
    enrs = [e for e in URANIUM_STAGES["enrichment"] if country[e] not in avoid]
    for combo in itertools.product(convs, enrs, buyers):
        path = ("u_mine", *combo)
        v = sum(
            w[k] * _leg_value(model, path[k], path[k + 1], prods[k], objective, avoid)
            for k in range(3)
        )
        if v < best:
            best, best_combo = v, path
    assert np.isfinite(best)
    assert chain.totals["objective"] == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert chain.facilities == best_combo
    # every alternative listed is the best chain through that facility
    for st in chain.stages:
        for alt in st.alternatives:
            assert alt.objective >= chain.totals["objective"] - 1e-9
            assert alt.facilities[st.seq] == alt.facility_id


def test_capacity_filters_facilities(model):
    # 1,000 t U3O8/yr -> 1,000 / 0.80139 t UF6 -> x 0.67618 = 843.7 tU of conversion:
    # conv_small (10 tU) cannot take it, conv_b can
    free = model.chain("u_mine", "enr_c", "uranium", objective="cost")
    assert free.facilities[1] == "conv_small"  # on the way (C), and no volume given
    held = model.chain("u_mine", "enr_c", "uranium", objective="cost", tonnes=1000)
    assert held.facilities[1] != "conv_small"
    need = 1000 / _stage_ratio("uranium", "conversion")
    assert held.stages[1].required_t == pytest.approx(need)
    assert held.stages[1].capacity_t >= need
    # planned enrichment plant is never a candidate today
    assert all(a.facility_id != "enr_plan" for a in held.stages[-1].alternatives)


def _factor(file: str, key_col: str, key: str, col: str) -> float:
    with resources.files("serai.emissions.data").joinpath(file).open() as fh:
        for r in csv.DictReader(fh):
            if r[key_col] == key:
                return float(r[col])
    raise KeyError(key)


def _leg_by_hand(km: float, product: str, model) -> tuple[float, float]:
    """(hours, USD per t) of a rail leg inside Kazakhstan by the time and tariff models:
    running at CAREC's speed, technical stops, terminal dwell at both ends; line haul, a
    lift at each end, no import premium (the leg starts in Kazakhstan)."""
    from serai.freight.params import model_params
    from serai.freight.tariffs import money_scale

    p = model_params()
    v = p.value
    hours = (
        km / v("rail.speed.KZ") + km / 1000 * v("rail.enroute_h_per_1000km")
        + v("terminal.rail.origin") + v("terminal.rail.dest")
    )  # fmt: skip
    c = product_commodity(model.data, product)
    # a containerised mineral from Kazakhstan: CAREC's consignment cost per t on Kazakh rail
    line = km * v("rail.rate.KZ.export") * c.tonnes_per_unit
    usd = line + 2 * v("lift") * money_scale(c, p.values, p)
    return hours, usd


def test_mass_conversion_and_per_tonne_of_product_by_hand(model):
    # two stages: copper concentrate A -> B (100 km rail, KZ), smelter B, cathode B -> C
    # (300 km rail, KZ); diesel traction (electrified_share 0 on every link)
    # (avoiding Georgia: at the Kazakh export rate the cathode would rather take the
    # synthetic ferry and Georgian rail than the 300 km of Kazakh rail)
    chain = model.chain("cu_mine", "cu_buyer_c", "copper", objective="cost", avoid_countries=["GE"])
    assert chain.facilities == ("cu_mine", "smelter_b", "cu_buyer_c")
    ratio = 1 / (0.25 * 0.97)  # t concentrate per t cathode (25% Cu, 97% recovery)
    assert _stage_ratio("copper", "smelting") == pytest.approx(ratio, rel=1e-4)
    h_conc, u_conc = _leg_by_hand(100, "copper_concentrate", model)
    h_cath, u_cath = _leg_by_hand(300, "copper_cathode", model)
    g_tkm = _factor("tocs.csv", "toc_id", "rail_container_diesel", "ttw") * (
        1 + _factor("energy_carriers.csv", "energy_carrier", "Diesel", "wtt_to_ttw")
    )
    conc = {"usd": u_conc, "kg": 100 * g_tkm / 1000}
    cath = {"usd": u_cath, "kg": 300 * g_tkm / 1000}
    r = _stage_ratio("copper", "smelting")
    assert chain.legs[0].mass_factor == pytest.approx(r)
    assert chain.legs[1].mass_factor == 1.0
    assert chain.legs[0].totals["usd"] == pytest.approx(conc["usd"])
    assert chain.legs[0].totals["co2e_kg"] == pytest.approx(conc["kg"])
    assert chain.usd_per_t == pytest.approx(r * conc["usd"] + cath["usd"])
    assert chain.co2e_kg_per_t == pytest.approx(r * conc["kg"] + cath["kg"])
    assert chain.days == pytest.approx((h_conc + h_cath) / 24)
    assert chain.totals["tonne_km_per_t"] == pytest.approx(r * 100 + 300)
    # volume: the mine's output (1,000 t Cu = 4,000 t concentrate) -> cathode at the smelter
    assert chain.volume_t == pytest.approx(1000 / 0.25)
    assert chain.stages[1].required_t == pytest.approx(4000 / r)
    t = chain.legs_table()
    assert t["usd_per_t_final"].sum() == pytest.approx(chain.usd_per_t)
    assert t["co2e_kg_per_t_final"].sum() == pytest.approx(chain.co2e_kg_per_t)


def test_access_leg_with_a_transfer_by_hand(tmp_path):
    # the copper mine 40 km off the network, trucked to A and put on rail there: the truck
    # haul (driving at road.speed, no rest in under 4.5 h, the road rate), the transfer hours,
    # and ONE lift at A -- the rail terminal's (terminal.rail.origin + lift of the place's
    # connector), as the freight router's own first mile charges it
    from serai.freight.params import model_params
    from serai.freight.tariffs import money_scale

    folder = write_tables(tmp_path)
    acc = pd.read_csv(folder / "access.csv")
    acc.loc[acc["facility_id"] == "cu_mine", ["km", "event"]] = [40.0, "transfer"]
    acc.to_csv(folder / "access.csv", index=False)
    m = ChainModel(Router(build_routing_graph(synthetic_network())), load_minerals(folder))
    chain = m.chain("cu_mine", "cu_buyer_c", "copper", objective="cost", avoid_countries=["GE"])
    assert chain.facilities == ("cu_mine", "smelter_b", "cu_buyer_c")
    p = model_params()
    v = p.value
    scale = money_scale(product_commodity(m.data, "copper_concentrate"), p.values, p)
    h_rail, u_rail = _leg_by_hand(100, "copper_concentrate", m)
    h_cath, u_cath = _leg_by_hand(300, "copper_cathode", m)
    hours = 40 / v("road.speed") + v("transfer.container") + h_rail
    usd = 40 * v("road.rate") * scale + u_rail
    leg = chain.legs[0]
    assert leg.totals["hours"] == pytest.approx(hours)
    assert leg.totals["usd"] == pytest.approx(usd)
    assert list(leg.table["part"][:2]) == ["access", "access"]  # the haul, then the transfer
    r = _stage_ratio("copper", "smelting")
    assert chain.usd_per_t == pytest.approx(r * usd + u_cath)
    assert chain.days == pytest.approx((hours + h_cath) / 24)


def test_removal_keeps_each_sources_import_premium(model, monkeypatch):
    # the cathode leg starts at a Kazakh smelter (inside the import-premium zone: no premium)
    # or at the German one (made to pay market.import.CA here: only routes from China pay
    # it in the shipped tables, and the synthetic network has no Chinese smelter); with
    # nothing removed, the removal matrices must be the legs' own matrices pair by pair, so
    # each source keeps the cost array of its zone
    from serai.freight import tariffs
    from serai.minerals.elements import Element, removal_matrices

    monkeypatch.setattr(tariffs, "PREMIUM_ORIGIN_ZONES", ("CN", "EU"))

    chain = model.chain("cu_mine", "cu_buyer_c", "copper", objective="cost")
    sol = chain.solution
    assert sorted(sol.legs[1].src_free.tolist()) == ["", "export_kz"]
    nothing = Element("none", "section", "nothing", "", 0.0, (), {"avoid_links": ()})
    for L, leg in zip(removal_matrices(model, chain, [nothing]), sol.legs, strict=True):
        np.testing.assert_allclose(L[0], leg.obj, rtol=1e-12)
    i = sol.candidates[1].index("smelter_w2")
    j = sol.candidates[2].index("cu_buyer_c")
    by_router = _leg_value(model, "smelter_w2", "cu_buyer_c", "copper_cathode", "cost")
    assert sol.legs[1].obj[i, j] == pytest.approx(by_router, rel=1e-12)


def _used_nodes_and_services(model, chain):
    v = model.router.rg.vlinks
    nodes, services = set(), set()
    for leg in chain.legs:
        if leg.route is None:
            continue
        rows = v.iloc[np.asarray(leg.route.vlink_rows)]
        nodes |= set(rows["from_node"]) | set(rows["to_node"])
        services |= {s.removesuffix("~r") for s in rows["service_id"] if s}
    return nodes, services


@pytest.mark.parametrize("objective", ["generalised", "time", "cost", "emissions"])
def test_class7_never_uses_a_port_or_service_it_may_not(model, objective):
    cu = model.chain("cu_mine", "cu_buyer_w1", "copper", objective=objective)
    u = model.chain("u_mine", "fab_w1", "uranium", objective=objective)
    cu_nodes, cu_svc = _used_nodes_and_services(model, cu)
    u_nodes, u_svc = _used_nodes_and_services(model, u)
    assert 6 not in u_nodes and "lake_ferry" not in u_svc
    assert 7 in u_nodes  # Goodport, the listed one
    if objective in ("cost", "generalised"):
        assert 6 in cu_nodes and "lake_ferry" in cu_svc  # the rules, not the network, exclude them


def test_class7_without_a_listed_port_has_no_chain(tmp_path):
    data = load_minerals(write_tables(tmp_path, dg_rules=[("class:7", "port", "DEWST", "allow")]))
    m = ChainModel(Router(build_routing_graph(synthetic_network())), data)
    with pytest.raises(NoChainError, match="only through the ports its rules list"):
        m.chain("u_mine", "fab_w1", "uranium")
    # a chain that needs no port is still fine
    assert m.chain("u_mine", "fab_e", "uranium").facilities[-1] == "fab_e"


def test_removing_each_element_is_predicted_exactly(model):
    chain = model.chain("u_mine", "fab_e", "uranium", objective="cost")
    els = chain_elements(model, chain)
    after = removal_objectives(model, chain, els)
    by_label = {e.label: k for k, e in enumerate(els)}
    # A - B is a bridge: the mine is cut off
    assert not np.isfinite(after[by_label["rail A – B"]])
    # every element: the prediction equals the chain solved again without it
    for e, a in zip(els, after, strict=True):
        req = chain.request
        changes = {k: tuple(getattr(req, k)) + tuple(v) for k, v in e.avoid.items()}
        try:
            again = model.chain(req.origin, req.destination, "uranium", objective="cost", **changes)
            assert a == pytest.approx(again.totals["objective"], rel=1e-9)
        except NoChainError:
            assert not np.isfinite(a), e.label


def _brute_force(model, dest_ids, objective, avoid_links=()):
    r_conv = _stage_ratio("uranium", "conversion")
    r_enr = _stage_ratio("uranium", "enrichment")
    w = [1.0, 1.0, 1.0] if objective == "time" else [r_conv * r_enr, r_enr, 1.0]
    prods = ["uranium_uoc", "uranium_uf6_natural", "uranium_uf6_enriched"]
    best = (np.inf, None)
    for combo in itertools.product(
        URANIUM_STAGES["conversion"], URANIUM_STAGES["enrichment"], dest_ids
    ):
        path = ("u_mine", *combo)
        v = sum(
            w[k]
            * _leg_value(model, path[k], path[k + 1], prods[k], objective, avoid_links=avoid_links)
            for k in range(3)
        )
        best = min(best, (v, path), key=lambda x: x[0])
    return best


def test_removing_a_section_reroutes_as_brute_force_predicts(model):
    chain = model.chain("u_mine", "fab_e", "uranium", objective="cost")
    els = chain_elements(model, chain)
    after = dict(zip([e.label for e in els], removal_objectives(model, chain, els), strict=True))
    used = [e for e in els if e.kind == "section" and e.label in ("rail B – C", "rail C – E")]
    assert len(used) == 2, [e.label for e in els]
    for e in used:
        value, _ = _brute_force(model, ["fab_e"], "cost", avoid_links=e.avoid["avoid_links"])
        assert np.isfinite(value)
        assert after[e.label] == pytest.approx(value, rel=1e-9)
        assert value > chain.totals["objective"]  # a detour, not a cut
    # the bridge A - B: no way out of the mine
    value, _ = _brute_force(model, ["fab_e"], "cost", avoid_links=(10, 11))
    assert not np.isfinite(value) and not np.isfinite(after["rail A – B"])
    x = exposure(model, chain, premiums=False, threshold=0.0)
    row = x.elements.set_index("label").loc["rail A – B"]
    assert bool(row["cut"]) and bool(row["critical"])


def test_exposure_shares_and_premiums(model):
    chain = model.chain("u_mine", "DE fabricator", "uranium")
    x = exposure(model, chain, concern=("RU", "GE"))
    bc = x.by_country.set_index("country")
    for c in ("tonne_km_share", "hours_share", "value_days_share"):
        assert bc[c].sum() == pytest.approx(1.0)
    t = chain.legs_table()
    assert bc["tonne_km"].sum() == pytest.approx(chain.totals["tonne_km_per_t"])
    assert bc["value_days"].sum() == pytest.approx(t["value_days_per_t_final"].sum())
    p = x.premiums.set_index("avoid")
    assert p.loc["RU", "d_usd"] == 0.0 and "not used" in p.loc["RU", "note"]
    # Georgia holds every way to the sea: avoiding it leaves no chain to Germany
    assert not p.loc["GE", "feasible"]
    assert "Bosporus" in set(x.chokepoints["name"])


def test_resolution_errors(model):
    with pytest.raises(InputError, match="did you mean"):
        model.chain("u_mien", "fab_e", "uranium")
    with pytest.raises(InputError, match="does not come after"):
        model.chain("fab_e", "u_mine", "uranium")
    with pytest.raises(InputError, match="avoided"):
        model.chain("u_mine", "conv_r", "uranium", avoid_countries=["RU"])
    with pytest.raises(InputError, match="unknown product"):
        model.chain("u_mine", "fab_e", "unobtanium")
    with pytest.raises(InputError, match=r"unknown country 'RUS'.*did you mean RU"):
        model.chain("u_mine", "fab_e", "uranium", avoid_countries=["RUS"])
    with pytest.raises(InputError, match=r"unknown sea passage 'bosphorus'.*bosporus"):
        model.chain("u_mine", "fab_e", "uranium", avoid_passages=["bosphorus"])
    g = model.resolve("DE fabricator", "uranium")
    assert g.facility_ids == ("fab_w1", "fab_w2") and not g.explicit


def test_chokepoint_aliases_the_router_does_not_know_are_dropped(tmp_path):
    # chokepoints.csv may spell a passage several ways; the constraints that remove a
    # chokepoint carry only the names the router accepts (its gate refuses the others:
    # the rare-earth chain via Suez failed on 'bab_el_mandeb' before)
    folder = write_tables(tmp_path)
    ch = pd.read_csv(folder / "chokepoints.csv", keep_default_na=False)
    ch.loc[ch["chokepoint"] == "bosporus", "passages"] = "bosporus;bosphorus;istanbul_strait"
    ch.to_csv(folder / "chokepoints.csv", index=False)
    m = ChainModel(Router(build_routing_graph(synthetic_network())), load_minerals(folder))
    chain = m.chain("u_mine", "fab_w1", "uranium", objective="cost")
    el = {e.element_id: e for e in chain_elements(m, chain)}["chokepoint:bosporus"]
    assert el.avoid == {"avoid_passages": ("bosporus",)}
    x = exposure(m, chain, concern=("RU",), threshold=0.0)
    p = x.premiums.set_index("avoid")
    assert not p.loc["Bosporus", "feasible"]  # Goodport's sea lane is the only class-7 way
    with pytest.raises(InputError, match="did you mean bosporus"):
        m.chain("u_mine", "fab_w1", "uranium", avoid_passages=["bosphorus"])


def test_an_empty_product_name_is_an_error_not_none(model):
    # mineral="" was taken as "not given" (API harness, issue 12): a silent accept
    assert model.mineral_of(None) is None
    for empty in ("", "  "):
        with pytest.raises(InputError, match="empty product name"):
            model.mineral_of(empty)


def test_unknown_facility_message_is_punctuated(model):
    # "unknown facility or group 'Baltimore' A group is ..." missed its full stop
    with pytest.raises(InputError, match=r"unknown facility or group 'Qxzzy'\. A group is"):
        model.resolve("Qxzzy", "uranium")


def test_a_section_across_a_border_names_both_countries(model):
    # a new-user trial: `serai chain ... --avoid-country RU` listed the rail link across the
    # AZ-GE border (Böyük Kəsik / Gardabani - near Rustavi) under AZ alone: a section was
    # given its first link's country. Here C (KZ) - D (GE) crosses into Georgia at D
    chain = model.chain("u_mine", "DE fabricator", "uranium")
    got = {e.label: e.country for e in chain_elements(model, chain) if e.kind == "section"}
    assert got["rail C – D"] == "KZ–GE"
    assert got["rail A – B"] == "KZ" and got["rail D – Goodport"] == "GE"
    el = exposure(model, chain).elements.set_index("label")
    assert el.loc["rail C – D", "country"] == "KZ–GE"
