"""A full scenario run (flows, emissions, flagship routes) and comparisons."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from serai.scenarios.compare import compare


@pytest.fixture(scope="module")
def full():
    from serai.scenarios.run import run_scenario

    return run_scenario("caspian-low-water")


def test_full_run_tables_and_consistent_emissions(full):
    t = full.tables
    for name in ("headline", "indicators", "routes", "emissions", "elements", "bottlenecks", "links",
                 "od", "paths", "changes", "measures", "targets"):  # fmt: skip
        assert name in t, name
    h = full.headline()
    em = t["emissions"]
    assert h["co2e_t"] == pytest.approx(em["co2e_t"].sum())
    moves = em.loc[~em["mode"].str.startswith("hub")]
    assert t["links"]["co2e_t"].sum() == pytest.approx(moves["co2e_t"].sum(), rel=1e-9)
    assert h["assigned_tonnes"] + h["unmet_tonnes"] >= 0.99 * h["demand_tonnes"]
    assert h["tonne_km"] == pytest.approx(sum(h[k] for k in h if k.startswith("tonne_km_")))
    # link geometry is WKT from the network
    g = t["links"]["geometry"].iloc[0]
    assert g.startswith("LINESTRING (") and g.count(",") >= 1
    # the scenario's changes, with their sources, travel with the result
    assert set(t["changes"]["what"]) >= {"point:aktau_port", "fleet:caspian_rail_ferries"}
    assert full.summary["hash"] == full.scenario.hash and full.summary["timings_s"]["total_s"] > 0
    assert len(t["routes"]) >= 10 and t["routes"]["year"].eq(2024).all()


def test_emission_basis_equals_per_class_emissions():
    from serai.data import load_network
    from serai.demand import groups
    from serai.emissions.routes import vlink_emissions
    from serai.flows.model import _group_commodity
    from serai.freight.query import make_router
    from serai.scenarios.run import _emission_basis, _per_unit_emissions

    rg = make_router(load_network(2024)).rg
    comms = [_group_commodity(g) for g in groups().index]
    basis = _emission_basis(SimpleNamespace(rg=rg, commodities=comms))
    for c in comms:  # oracle: the emissions module, one class at a time
        np.testing.assert_allclose(
            _per_unit_emissions(basis, c), vlink_emissions(rg, c), rtol=1e-12, atol=1e-12
        )


def test_compare_a_run_with_itself_is_all_zero(full):
    c = compare(full, full)
    for name in ("headline", "indicators", "links", "od"):
        d = c[name].filter(like="_diff").to_numpy(float)
        assert np.nanmax(np.abs(d)) == 0.0, name
    assert (c["routes"]["corridor_A"] == c["routes"]["corridor_B"]).all()
    assert set(c["bottlenecks"]["status"]) <= {"binds in both"}


def fake(name, ind, routes, elements, targets=()):
    from serai.scenarios import scenario_from_text

    text = 'extends = "base-2024"\n' + "".join(targets)
    scen = scenario_from_text(text, name=name, check=False)
    return SimpleNamespace(scenario=scen, name=name, summary={"year": 2024}, tables={
        "indicators": pd.DataFrame(ind, columns=["indicator", "direction", "unit", "value"]),
        "routes": pd.DataFrame(routes, columns=["question", "variant", "corridor", "days", "usd"]),
        "elements": pd.DataFrame(elements, columns=["capacity_id", "element", "name", "direction",
                                                    "utilisation", "dual", "delay_h", "binding"]),
    })  # fmt: skip


def test_compare_differences_bottlenecks_and_claims():
    a = fake("a", [("trans_caspian_tonnes", "total", "t", 4e6), ("btk_tonnes", "total", "t", 1e5)],
             [("X -> Y (FEU)", "Middle Corridor", "Middle Corridor (TITR)", 20.0, 5000)],
             [("p1", "point:aktau_port", "Aktau", "both", 1.0, 50.0, 0.0, True),
              ("p2", "point:alat_port", "Alat", "both", 0.7, 0.0, 0.0, False)])  # fmt: skip
    b = fake("b", [("trans_caspian_tonnes", "total", "t", 11e6)],
             [("X -> Y (FEU)", "Middle Corridor", "Middle Corridor (TITR)", 12.0, 4500)],
             [("p1", "point:aktau_port", "Aktau", "both", 0.6, 0.0, 0.0, False),
              ("p2", "point:alat_port", "Alat", "both", 1.0, 20.0, 0.0, True)],
             ['[[target]]\nindicator = "trans_caspian_tonnes"\nvalue = 11000000\nsource = "t"\n',
              '[[target]]\nroute = "X -> Y (FEU) / Middle Corridor"\nmetric = "days"\nratio = 0.5\n'
              'relative_to = "a"\nsource = "t"\n'])  # fmt: skip
    c = compare(a, b)
    ind = c["indicators"].set_index("indicator")
    assert ind.loc["trans_caspian_tonnes", "value_diff"] == pytest.approx(7e6)
    assert ind.loc["trans_caspian_tonnes", "value_pct"] == pytest.approx(175.0)
    assert np.isnan(ind.loc["btk_tonnes", "value_B"])  # only in A: kept, not dropped
    r = c["routes"].iloc[0]
    assert (r["days_diff"], r["usd_diff"]) == (-8.0, -500.0)
    bn = c["bottlenecks"].set_index("capacity_id")
    assert bn.loc["p1", "status"] == "binds only in A (relieved)"
    assert bn.loc["p2", "status"] == "binds only in B (new)"
    tg = c["targets"]
    assert tg.loc[0, "verdict"] == "model 1.1e+07 = 1.00 x the claim"
    assert (
        tg.loc[1, "ratio_B_A"] == pytest.approx(0.6)
        and "x0.60 (claim x0.5)" in tg.loc[1, "verdict"]
    )
