"""A route question's constraints are made once per lists of texts, and still checked.

``serai.api.routes.constraints_of`` shares the frozen ``Constraints`` made from the same
lists (``_texts_key``); the gate (:func:`~serai.freight.checks.check_query`) runs on every
question: a refused value is refused with the same error each time.
"""

from __future__ import annotations

import pytest

from serai.api import Settings, models
from serai.api import routes as api_routes
from serai.errors import InputError
from serai.freight import Constraints, Router, build_routing_graph
from tests.freight.toy import toy_network


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(build_routing_graph(toy_network(), year=2025))


def _q(**kw):
    return models.RouteQuery(origin="Almaty", destination="Duisburg", **kw)


def test_the_same_lists_share_one_value_equal_to_make(router):
    settings = Settings()
    a = api_routes.constraints_of(router, _q(avoid_countries=["ru"], modes=["rail"]), settings)
    b = api_routes.constraints_of(router, _q(avoid_countries=["ru"], modes=["rail"]), settings)
    assert a is b
    assert a == Constraints.make(avoid_countries=["ru"], modes=["rail"])
    c = api_routes.constraints_of(router, _q(avoid_countries=["ru"]), settings)
    assert c.modes is None and c != a  # modes None (all) is not modes [] nor [rail]


def test_refused_values_are_refused_every_time(router):
    settings = Settings()
    api_routes.constraints_of(router, _q(), settings)  # passes (remembered)
    for _ in range(3):
        with pytest.raises(InputError) as info:
            api_routes.constraints_of(router, _q(avoid_countries=["XX"]), settings)
        assert info.value.field == "avoid_countries"
        with pytest.raises(InputError) as info:
            api_routes.constraints_of(router, _q(modes=[]), settings)
        assert info.value.field == "modes"


def test_a_key_is_made_of_exact_lists_of_texts_only():
    assert api_routes._texts_key(["RU"], [], None, ["Baku"]) == (("RU",), (), None, ("Baku",))
    assert api_routes._texts_key(["RU"], None) != api_routes._texts_key(["RU"], [])

    class Text(str):
        pass

    assert api_routes._texts_key([Text("RU")]) is None
    assert api_routes._texts_key(("RU",)) is None
    assert api_routes._texts_key([1]) is None
