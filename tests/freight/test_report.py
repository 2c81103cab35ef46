"""The route comparison report on the toy network."""

from __future__ import annotations

import pytest

from serai.freight import Router, build_routing_graph
from serai.freight.report import Question, answer_flagship, summary_table, write_route_report
from tests.freight.toy import toy_network

pytest.importorskip("matplotlib")

QUESTIONS = (
    Question("Xi'an -> Duisburg", "best", "Xi'an", "Duisburg"),
    Question(
        "Xi'an -> Duisburg",
        "Middle",
        "Xi'an",
        "Duisburg",
        constraints={"avoid_countries": ["RU"], "modes": ["rail", "ferry"]},
    ),
    Question(
        "Shanghai -> Rotterdam",
        "Cape",
        "Shanghai",
        "Rotterdam",
        constraints={"modes": ["sea"], "avoid_passages": ["suez"]},
    ),
    Question(
        "Almaty -> Duisburg",
        "no Kazakhstan",
        "Almaty",
        "Duisburg",
        constraints={"avoid_countries": ["KZ"]},
    ),
)


def test_report_answers_and_html(tmp_path):
    net = toy_network()
    routers = {2025: Router(build_routing_graph(net, year=2025))}
    answers = answer_flagship(routers, QUESTIONS)
    table = summary_table(answers)
    best = routers[2025].route("Xi'an", "Duisburg").corridor  # the report asks the router
    assert list(table["corridor"]) == [
        best,
        "Middle Corridor (TITR)",
        "Sea via Cape",
        "no route",
    ]
    for a, (_, row) in zip(answers[:3], table.iloc[:3].iterrows(), strict=True):
        assert row["days"] == pytest.approx(a.route.days, abs=0.05)
        assert row["usd"] == pytest.approx(a.route.usd, abs=0.5)
        # emissions: the route's ISO 14083 footprint, which is the sum of its legs
        assert row["co2e_kg"] == pytest.approx(a.route.legs["co2e_kg"].sum(), abs=0.05)
        assert row["co2e_kg"] == pytest.approx(row["wtt_kg"] + row["ttw_kg"], abs=0.15)
    assert "every route needs country KZ" in table.loc[3, "note"]
    out = write_route_report(answers, net, tmp_path / "r.html", screenshot=tmp_path / "r.png")
    text = out.read_text()
    assert text.count("data:image/png;base64,") == 2
    for q in QUESTIONS:
        assert q.label in text
    assert "every route needs country KZ" in text
    assert "kg CO2e" in text and "co2e_kg" in text
    assert (tmp_path / "r.png").stat().st_size > 10_000
    with pytest.raises(Exception, match="already exists"):
        write_route_report(answers, net, out, overwrite=False)
