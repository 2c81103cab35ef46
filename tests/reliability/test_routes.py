"""Reliability of routes on the toy network: the time model's mean kept, seasons, objective, CLI."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from typer.testing import CliRunner

from serai.cli import app
from serai.errors import InputError
from serai.freight import Router, build_routing_graph
from serai.network import write_network
from serai.reliability import element_draws, simulate
from serai.reliability.objective import parse_objective, reliable_routes, score
from serai.reliability.routes import route_elements, route_reliability
from tests.freight.toy import toy_network

MIDDLE = {"avoid_countries": ["RU"], "modes": ["rail", "ferry"]}


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(build_routing_graph(toy_network(), year=2025))


@pytest.fixture(scope="module")
def routes(router):
    return {
        "northern": router.route("Xi'an", "Duisburg", objective="time", modes=["rail"]),
        "middle": router.route("Xi'an", "Duisburg", objective="time", **MIDDLE),
        "sea": router.route("Shanghai", "Rotterdam", modes=["sea"]),
        "almaty_middle": router.route("Almaty", "Istanbul", **MIDDLE),
    }


def test_elements_add_up_to_the_time_model(routes):
    for name, r in routes.items():
        re = route_elements(r)
        es = re.elements
        assert re.unmatched == (), name  # every hour has a rule
        assert es.base_h >= 0
        assert es.base_h + es.mean.sum() == pytest.approx(r.totals["hours"], rel=1e-12), name
        assert re.model_hours == r.totals["hours"]
        # the base is what has no variation: truck rests (none on these rail/sea routes)
        assert es.base_h == pytest.approx(r.totals["hours_rest"], abs=1e-9), name


def test_simulated_mean_is_the_model_mean(routes):
    """Over the year, the simulated mean equals the time model's days (sampling error)."""
    for name, r in routes.items():
        es = route_elements(r).elements
        h = simulate(es, draws=100_000, seed=3)
        se = h.std() / np.sqrt(len(h))
        assert abs(h.mean() - r.totals["hours"]) < 4 * se, name


def test_rules_behind_the_middle_corridor(routes):
    es = route_elements(routes["middle"]).elements
    rules = set(es.rule)
    assert {"caspian_storm", "rail_speed", "terminal_rail", "border_kzcn_cn"} <= rules
    storm = es.rule == "caspian_storm"
    assert es.group_names[es.group[storm][0]] == "caspian_weather"
    # the storm waits the time model's mean over the year: ferry.weather.caspian
    from serai.freight.params import model_params

    assert es.mean[storm].sum() == pytest.approx(model_params().value("ferry.weather.caspian"))


def test_january_caspian_p90_exceeds_july(routes):
    r = routes["middle"]
    jan = route_reliability(r, month=1, keep_samples=True)
    jul = route_reliability(r, month=7, keep_samples=True)
    assert jan.p90_days > jul.p90_days
    # common random numbers: the same trip in January is never faster than in July
    assert np.all(jan.samples_days >= jul.samples_days - 1e-12)
    # a route that does not cross the Caspian does not care about the month
    n1 = route_reliability(routes["northern"], month=1)
    n7 = route_reliability(routes["northern"], month=7)
    assert n1.p90_days == n7.p90_days


def test_monthly_storm_means_follow_the_closures(routes):
    """Mean storm wait by departure month ~ closed share at the port x 36 h."""
    es = route_elements(routes["almaty_middle"]).elements
    j = int(np.flatnonzero(es.rule == "caspian_storm")[0])
    resid = es.storm_residual_h()[j]
    assert resid == pytest.approx(36.0, abs=0.1)
    for month, share in ((7, 0.0), (11, 0.5)):
        # the port is reached a few days after departure: November stays November
        # for departures before ~25 November; the rest reach December (also 0.5)
        x = element_draws(es, month=month, draws=100_000, seed=9)[:, j]
        assert abs(x.mean() - share * resid) < 4 * x.std() / np.sqrt(len(x)) + 1e-9


def test_quantiles_ordered_for_every_route_and_month(routes):
    for r in routes.values():
        for m in (None, *range(1, 13)):
            x = route_reliability(r, month=m, deadline_days=30, draws=2000)
            assert x.p10_days <= x.p50_days <= x.p90_days <= x.p95_days
            assert x.std_days > 0
            assert 0 <= x.on_time_probability <= 1


def test_route_method_same_seed_same_answer_and_threads(routes):
    r = routes["middle"]
    a = r.reliability(month=12, deadline_days=25)
    assert a == route_reliability(r, month=12, deadline_days=25)
    assert a != r.reliability(month=12, deadline_days=25, seed=1)
    with ThreadPoolExecutor(8) as ex:
        got = list(ex.map(lambda m: r.reliability(month=m), [12] * 16))
    assert all(g == r.reliability(month=12) for g in got)
    d = a.to_dict()
    keys = ["p10_days", "p50_days", "p90_days", "p95_days", "mean_days", "std_days",
            "on_time_probability"]  # fmt: skip
    assert list(d)[:7] == keys
    assert d["on_time_probability"] == pytest.approx(a.on_time_probability, abs=1e-4)


def test_route_without_pricing_is_an_input_error(routes):
    from dataclasses import replace

    with pytest.raises(InputError, match="carries no pricing"):
        replace(routes["middle"], pricing=None).reliability()


def test_p90_objective_ranks_candidates_by_simulated_p90(router):
    picked = reliable_routes(router, "Xi'an", "Duisburg", objective="p90", month=1,
                             modes=["rail", "ferry", "sea"])  # fmt: skip
    assert len(picked) >= 2
    p90 = [rel.p90_days for _, rel in picked]
    assert p90 == sorted(p90)
    assert all(r.objective == "p90" for r, _ in picked)
    # each candidate's statistic is its own simulation with the common seed
    r0, rel0 = picked[0]
    assert rel0 == route_reliability(r0, month=1)
    ms = reliable_routes(router, "Xi'an", "Duisburg", objective="mean+2std",
                         modes=["rail", "ferry", "sea"])  # fmt: skip
    vals = [score(rel, "mean+2std") for _, rel in ms]
    assert vals == sorted(vals)
    assert vals[0] == pytest.approx(ms[0][1].mean_days + 2 * ms[0][1].std_days)


@pytest.mark.parametrize("bad", ["p99", "mean+std+1", "mean+20std"])
def test_unknown_objective(bad):
    with pytest.raises(InputError) as e:
        parse_objective(bad)
    assert e.value.field == "objective"


@pytest.fixture(scope="module")
def net_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("toy") / "net"
    write_network(toy_network(), path, format="csv")
    return path


def _cli(net_dir, *args):
    base = ["route", "--from", "Xi'an", "--to", "Duisburg", "--network", str(net_dir)]
    return CliRunner().invoke(app, [*base, *args], env={"COLUMNS": "250"})


def test_cli_json_has_reliability(net_dir, router):
    res = _cli(net_dir, "--avoid-country", "RU", "--modes", "rail,ferry", "--reliability",
               "--month", "1", "--deadline", "40", "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    rel = d["reliability"]
    assert rel["month"] == 1 and rel["deadline_days"] == 40
    r = router.route("Xi'an", "Duisburg", avoid_countries=["RU"], modes=["rail", "ferry"])
    want = r.reliability(month=1, deadline_days=40)
    assert rel["p90_days"] == pytest.approx(want.p90_days, abs=1e-4)
    assert rel["on_time_probability"] == pytest.approx(want.on_time_probability, abs=1e-4)
    assert rel["model_days"] == pytest.approx(d["days"], abs=1e-4)


def test_cli_table_line_and_objective(net_dir):
    res = _cli(net_dir, "--objective", "p90", "--alternatives", "3", "--deadline", "30")
    assert res.exit_code == 0, res.output
    assert "P90 days" in res.output and "(p90)" in res.output
    res = _cli(net_dir, "--avoid-country", "RU", "--modes", "rail,ferry", "--month", "7")
    assert res.exit_code == 0, res.output
    assert "reliability (departing in month 7" in res.output


@pytest.mark.parametrize(
    ("args", "msg"),
    [(["--month", "13", "--reliability"], "month must be 1..12"),
     (["--deadline", "-3"], "deadline must be"),
     (["--objective", "p90", "--pareto"], "exclude each other"),
     (["--objective", "p91"], "unknown objective")],
)  # fmt: skip
def test_cli_bad_reliability_options(net_dir, args, msg):
    res = _cli(net_dir, *args)
    assert res.exit_code != 0
    assert msg in res.output
    assert "Traceback" not in res.output


class _Flows:
    """The two things a FlowResult gives the reliability model: elements and the year."""

    def __init__(self, elements, year=2025):
        self.elements = elements
        self.summary = {"year": year}


def _ferry_capacity():
    import pandas as pd

    return pd.DataFrame([{
        "capacity_id": "toy_ferry", "element": "service:aktau_alat_roro",
        "name": "toy rail ferry", "kind": "ferry", "applies": "service",
        "members": "aktau_alat_roro", "value": 1.0, "unit": "Mt/yr", "classes": "all",
        "direction": "both", "source_id": "", "estimate": "true", "note": "test",
    }])  # fmt: skip


def test_congestion_from_flows_adds_an_exponential_wait(routes):
    import pandas as pd

    r = routes["middle"]
    assert "aktau_alat_roro" in r.services
    flows = _Flows(pd.DataFrame({"capacity_id": ["toy_ferry", "elsewhere"],
                                 "direction": ["both", "both"], "delay_h": [30.0, 99.0],
                                 "name": ["toy rail ferry", "x"]}))  # fmt: skip
    re = route_elements(r, flows=flows, capacities=_ferry_capacity())
    es = re.elements
    cong = np.flatnonzero(es.rule == "flows_congestion")
    assert len(cong) == 1 and es.mean[cong[0]] == 30.0
    assert re.congestion_hours == 30.0
    # the base is unchanged; the mean rises by the delay, the variance by its square
    plain = route_elements(r).elements
    assert es.base_h == pytest.approx(plain.base_h)
    h0 = simulate(plain, draws=200_000, seed=5)
    h1 = simulate(es, draws=200_000, seed=5)
    se = h1.std() / np.sqrt(len(h1))
    assert abs((h1.mean() - h0.mean()) - 30.0) < 4 * se
    assert abs((h1.var() - h0.var()) - 900.0) < 0.05 * h1.var()
    # a route that does not use the ferry gets nothing
    assert route_elements(routes["northern"], flows=flows,
                          capacities=_ferry_capacity()).congestion_hours == 0.0  # fmt: skip


def test_flows_must_be_a_flow_result(routes):
    with pytest.raises(InputError, match="FlowResult"):
        route_elements(routes["middle"], flows=object())


def test_by_month_answers_are_the_month_by_month_answers(routes):
    from serai.reliability.routes import route_reliability_by_month

    r = routes["middle"]
    months = (None, 1, 7, 12)
    got = route_reliability_by_month(r, months=months, deadline_days=30, draws=3000)
    for m, g in zip(months, got, strict=True):
        assert g == route_reliability(r, month=m, deadline_days=30, draws=3000)
        assert g.drivers == route_reliability(r, month=m, deadline_days=30, draws=3000).drivers


def test_report_section_and_table_by_month(router):
    """The demo report's reliability part on the toy network: every route x 13 periods."""
    pytest.importorskip("matplotlib")
    from serai.freight.report import Question, answer_flagship
    from serai.reliability.report import by_month, reliability_section

    qs = (
        Question("Xi'an -> Duisburg", "Middle", "Xi'an", "Duisburg", constraints=MIDDLE),
        Question(
            "Xi'an -> Duisburg", "Northern", "Xi'an", "Duisburg", constraints={"modes": ["rail"]}
        ),
        Question(
            "Almaty -> Duisburg",
            "no Kazakhstan",
            "Almaty",
            "Duisburg",
            constraints={"avoid_countries": ["KZ"]},
        ),
    )
    answers = answer_flagship({2025: router}, qs)
    assert answers[2].route is None  # no route: left out of the table, not an error
    html, table, secs = reliability_section(answers, draws=2000)
    assert secs >= 0
    assert len(table) == 2 * 13
    assert html.count("data:image/png;base64,") == 1  # the violins and P90 by month
    assert "Middle" in html and "Northern" in html
    # each row is the route's own simulation for that month (same seed)
    for a in answers[:2]:
        for m in (0, 1, 7):
            row = table.loc[(table["variant"] == a.question.label) & (table["month"] == m)]
            want = route_reliability(a.route, month=m or None, draws=2000)
            assert float(row["p90_days"].iloc[0]) == pytest.approx(want.p90_days, abs=1e-4)
            # the table gives days to 3 decimals
            assert float(row["model_days"].iloc[0]) == pytest.approx(a.route.days, abs=5e-4)
    wide = by_month(table).set_index("variant")
    assert wide.loc["Middle", "Jan"] > wide.loc["Middle", "Jul"]
    assert wide.loc["Northern", "Jan"] == wide.loc["Northern", "Jul"]
    assert (wide["p90_days"] >= wide["p50_days"]).all()
