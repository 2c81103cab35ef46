"""Products as commodities, their rules as constraints, avoided services, and `serai chain`."""

from __future__ import annotations

import json
from html import escape as html_escape

import numpy as np
import pytest
from typer.testing import CliRunner

from serai.cli import app
from serai.freight import Constraints, NoRouteError, Router, build_routing_graph, commodity
from serai.minerals import ChainModel, load_minerals
from serai.minerals.dashboard import (
    DashboardRow,
    checks,
    dashboard,
    dashboard_html,
    scenario_demand,
)
from serai.minerals.products import PortIndex, product_commodity, product_rules
from serai.network import write_network
from tests.minerals.synthetic import synthetic_network, write_tables


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    return write_tables(tmp_path_factory.mktemp("tables"))


@pytest.fixture(scope="module")
def router():
    return Router(build_routing_graph(synthetic_network()))


def test_product_commodity_is_per_tonne(tables):
    data = load_minerals(tables)
    c = product_commodity(data, "uranium_uf6_natural")
    base = commodity("uranium_uoc")  # 20 ft boxes (freight table)
    # priced per box by the tariff model: 25 t per FEU = 12.5 t per 20 ft box
    assert (c.box, c.units_per_box, c.base_per_unit) == (base.box, 12.5, 1 / 25.0)
    from serai.freight.params import model_params
    from serai.freight.tariffs import money_scale

    p = model_params()
    assert money_scale(c, p.values, p) == pytest.approx(
        p.value("teu.ratio") / 12.5 * p.value("dg7.factor")
    )
    assert c.vot_usd_per_unit_h == pytest.approx(180000 * 0.10 / 8760)
    assert (c.unit, c.tonnes_per_unit, c.dg_class) == ("t", 1.0, "7")
    assert c.commodity == "mineral:uranium_uf6_natural"


def test_rules_become_avoided_ports_and_services(tables, router):
    data = load_minerals(tables)
    r = product_rules(data, "uranium_uoc", router)
    assert r.avoid_nodes == {6}  # Badport; Goodport and Westport are listed
    assert r.avoid_services == {"lake_ferry"}
    assert any("GEXXX" not in n for n in r.notes) or not r.notes
    cu = product_rules(data, "copper_concentrate", router)
    assert not cu.avoid_nodes and not cu.avoid_services
    assert PortIndex(router).nodes("Goodport").tolist() == [7]
    assert PortIndex(router).nodes("GEBAD").tolist() == [6]


def test_avoid_services_constraint(router):
    c = commodity("container")
    with_ferry = router.route("B", "E", c, objective="cost")
    assert "lake_ferry" in with_ferry.services
    without = router.route("B", "E", c, objective="cost", avoid_services=["lake_ferry"])
    assert "lake_ferry" not in without.services and without.usd > with_ferry.usd
    cons = Constraints.make(avoid_services=["lake_ferry"], modes=["ferry"])
    with pytest.raises(NoRouteError, match="service lake_ferry is avoided"):
        router.route("B", "E", c, constraints=cons)


@pytest.fixture(scope="module")
def net_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("syn") / "net"
    write_network(synthetic_network(), path, format="csv")
    return path


def _run(args):
    return CliRunner().invoke(app, ["chain", *args])


def test_cli_chain_json(net_dir, tables, router):
    res = _run(["--product", "uranium", "--from", "u_mine", "--to", "DE fabricator",
                "--network", str(net_dir), "--data", str(tables), "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    model = ChainModel(router, load_minerals(tables))
    c = model.chain("u_mine", "DE fabricator", "uranium")
    assert d["facilities"] == list(c.facilities)
    assert d["usd_per_t"] == pytest.approx(c.usd_per_t, rel=1e-6)
    assert [s["stage"] for s in d["stages"]] == ["mine", "conversion", "enrichment", "fabrication"]
    assert {"days", "usd_per_t", "co2e_kg_per_t", "legs", "exposure"} <= d.keys()
    leg = d["legs"][0]
    assert leg["per_t_final"]["usd"] == pytest.approx(
        leg["per_t_product"]["usd"] * leg["mass_factor"], rel=1e-5
    )
    x = d["exposure"]
    assert {"by_country", "critical_elements", "premiums", "chokepoints"} <= x.keys()
    assert sum(r["tonne_km_share"] for r in x["by_country"]) == pytest.approx(1.0)


def test_cli_chain_text_and_errors(net_dir, tables):
    ok = _run(["--product", "copper", "--from", "cu_mine", "--to", "cu_buyer_c", "--network",
               str(net_dir), "--data", str(tables), "--no-exposure"])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert "smelting" in ok.output and "Smelter B" in ok.output
    bad = _run(["--product", "uranium", "--from", "u_mien", "--to", "fab_e", "--network",
                str(net_dir), "--data", str(tables)])  # fmt: skip
    assert bad.exit_code == 2 and "did you mean" in bad.output and "Traceback" not in bad.output
    none = _run(["--product", "uranium", "--to", "fab_e", "--network", str(net_dir)])
    assert none.exit_code == 2 and "--from" in none.output


def test_dashboard_and_checks_on_the_synthetic_tables(tables, router):
    model = ChainModel(router, load_minerals(tables))
    rows = [
        DashboardRow("uranium", "synthetic", "u_mine", "DE fabricator"),
        DashboardRow("copper", "synthetic", "cu_mine", "EU buyer"),
        DashboardRow("copper", "missing", "no_such_mine", "EU buyer"),
    ]
    d = dashboard(model, rows, concern=("RU", "GE"))
    assert d.loc[0, "avoid_RU"] == "not used" and d.loc[0, "avoid_GE"] == "no chain"
    assert np.isfinite(d.loc[1, "usd_per_t"])
    assert d.loc[2, "note"].startswith("no chain")
    ck = checks(model)  # packaged facility ids are unknown here: every check says so
    assert set(ck["check"]) >= {"V16", "V17", "V18"}
    assert len(scenario_demand(load_minerals(tables))) == 3


def test_year_opens_planned_facilities(tables, router, net_dir):
    data = load_minerals(tables)
    today = ChainModel(router, data).chain("u_mine", "fab_e", "uranium", alternatives=9)
    later = ChainModel(router, data, year=2030).chain("u_mine", "fab_e", "uranium", alternatives=9)
    enr = lambda c: {c.stages[2].facility_id, *(a.facility_id for a in c.stages[2].alternatives)}  # noqa: E731
    assert "enr_plan" not in enr(today) and "enr_plan" in enr(later)
    res = _run(
        [
            "--product",
            "uranium",
            "--from",
            "u_mine",
            "--to",
            "fab_e",
            "--year",
            "2030",
            "--network",
            str(net_dir),
            "--data",
            str(tables),
            "--json",
            "--no-exposure",
        ]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["year"] == 2030


def _same_chain_as_row(d: dict, row) -> None:
    # the JSON rounds to 4 decimals
    for k in ("days", "usd_per_t", "co2e_kg_per_t"):
        assert d[k] == pytest.approx(row[k], rel=1e-9, abs=6e-5), k
    vol = d["volume_t_per_year"]
    assert (vol is None and row["tonnes_per_year"] != row["tonnes_per_year"]) or (
        vol == pytest.approx(row["tonnes_per_year"], rel=1e-9, abs=6e-5)
    )


def test_dashboard_rows_are_the_answers_of_their_commands(tables, router, net_dir):
    """The dashboard (HTML, CSV, `serai chain --table`) and `serai chain` give the same
    numbers for the same question: each row names its command, volume included, and the CLI
    run with it returns the row's chain, days, USD, CO2e, volume and premiums."""
    import shlex

    model = ChainModel(router, load_minerals(tables))
    rows = [
        DashboardRow("uranium", "synthetic", "u_mine", "DE fabricator"),
        DashboardRow("copper", "synthetic lot", "cu_mine", "EU buyer", 500.0),
    ]
    d = dashboard(model, rows, concern=("RU", "GE"))
    assert d.loc[1, "command"].endswith("--tonnes 500")
    assert d.loc[1, "tonnes_per_year"] == pytest.approx(500.0)
    for _, row in d.iterrows():
        args = shlex.split(row["command"])[2:]  # after "serai chain"
        res = _run([*args, "--network", str(net_dir), "--data", str(tables), "--json",
                    "--concern", "RU,GE"])  # fmt: skip
        assert res.exit_code == 0, res.output
        out = json.loads(res.output)
        _same_chain_as_row(out, row)
        names = model.data.facilities.loc[out["facilities"], "name"].astype(str)
        assert " > ".join(names) == row["chain"]
        prem = {p["avoid"]: p for p in out["exposure"]["premiums"]}
        for cc in ("RU", "GE"):
            p = prem[cc]
            if row[f"avoid_{cc}"] == "not used":
                assert p["d_usd"] == pytest.approx(0.0) and p["d_days"] == pytest.approx(0.0)
            elif row[f"avoid_{cc}"] == "no chain":
                assert not p["feasible"]
            else:
                assert row[f"avoid_{cc}"] == f"{p['d_usd']:+,.0f} USD/t, {p['d_days']:+.1f} d"
    html = dashboard_html(d, checks(model))
    assert all(html_escape(c) in html for c in d["command"])
