"""The gate of route queries checks a question's constraint codes once per value and router.

An API question passes :func:`~serai.freight.checks.check_query` in ``constraints_of`` and
again in ``Router.route``: the codes of a :class:`Constraints` value that passed are
remembered per router (the check is a pure function of the frozen value and the router's
graph); refused values are checked, and refused, every time; the objective and the carbon
price are checked on every call.
"""

from __future__ import annotations

import math
import pickle

import pytest

from serai.errors import InputError
from serai.freight import Constraints, Router, build_routing_graph
from serai.freight import checks as gate
from tests.freight.toy import toy_network


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(build_routing_graph(toy_network(), year=2025))


@pytest.fixture
def counted(monkeypatch):
    calls = []
    check = gate._check_codes

    def count(router, cons):
        calls.append(cons)
        return check(router, cons)

    monkeypatch.setattr(gate, "_check_codes", count)
    return calls


def _error(fn) -> tuple[str, str | None]:
    with pytest.raises(InputError) as info:
        fn()
    return str(info.value), info.value.field


def test_a_refused_code_is_refused_every_time_with_the_same_error(router, counted):
    bad = Constraints.make(avoid_countries=["XX"])
    first = _error(lambda: gate.check_query(router, bad))
    assert first[1] == "avoid_countries" and "XX" in first[0]
    gate.check_query(router, Constraints.make(avoid_countries=["KZ"]))  # one passes meanwhile
    for _ in range(2):
        assert _error(lambda: gate.check_query(router, Constraints.make(avoid_countries=["XX"])))
        assert _error(lambda: gate.check_query(router, bad)) == first
    assert counted.count(bad) == 5  # never remembered: checked on each call


def test_a_passed_value_is_checked_once_per_router(router, counted):
    cons = Constraints.make(avoid_countries=["kz"], avoid_passages=["Suez"], modes=["rail"])
    gate.check_query(router, cons)
    gate.check_query(router, cons, objective="time", carbon_price=50.0)
    gate.check_query(router, Constraints.make(avoid_countries=["KZ"], avoid_passages=["suez"],
                                              modes=["RAIL"]))  # fmt: skip
    assert counted == [cons]  # the same value (normalised): checked once
    other = Router(build_routing_graph(toy_network(), year=2025))  # its own graph
    gate.check_query(other, cons)
    assert counted == [cons, cons]


def test_objective_and_carbon_price_are_checked_on_every_call(router):
    cons = Constraints.make(avoid_countries=["KZ"])
    gate.check_query(router, cons)  # remembered
    msg, field = _error(lambda: gate.check_query(router, cons, objective="fastest"))
    assert field == "objective" and "fastest" in msg
    for price in (-1.0, math.nan, math.inf, 2e9, "10", True):
        msg, field = _error(lambda p=price: gate.check_query(router, cons, carbon_price=p))
        assert field == "carbon_price_usd_per_t", (price, msg)
    gate.check_query(router, cons, carbon_price=0)  # an int in range is a number
    gate.check_query(router, cons, objective="co2e", carbon_price=1e9)


def test_the_route_gives_the_same_errors_after_a_value_passed(router):
    router.route("Almaty", "Duisburg", "container", avoid_countries=["RU"])
    with pytest.raises(InputError) as info:
        router.route("Almaty", "Duisburg", "container", avoid_countries=["RU", "XX"])
    assert info.value.field == "avoid_countries"
    with pytest.raises(InputError) as info:
        router.route("Almaty", "Duisburg", "container", avoid_countries=["RU"], objective="x")
    assert info.value.field == "objective"


def test_remembered_checks_are_not_pickled(router):
    gate.check_query(router, Constraints.make(avoid_countries=["KZ"]))
    assert "_checked" in router.__dict__
    assert "_checked" not in pickle.loads(pickle.dumps(router)).__dict__


def test_an_unhashable_via_point_is_checked_without_being_remembered(router, counted):
    cons = Constraints(via=(["Almaty"],))
    for _ in range(2):
        gate.check_query(router, cons)
    assert len(counted) == 2
