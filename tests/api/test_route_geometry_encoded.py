"""Route geometry joined from per-link JSON pieces (ShapeIndex.line_json, the API's fast path)
writes the very bytes of the geometry built point by point (route_features)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

orjson = pytest.importorskip("orjson")

from serai.api.responses import dumps  # noqa: E402
from serai.api.routes import route_json  # noqa: E402
from serai.freight.shapes import ShapeIndex  # noqa: E402


def _same(router, pairs, **kw) -> int:
    net = router.rg.network
    n = 0
    for o, d in pairs:
        try:
            r = router.route(o, d, "container", **kw)
        except Exception:  # no route under these constraints: nothing to compare
            continue
        slow = dumps(route_json(r, net, True))
        fast = dumps(route_json(r, net, True, encoded=True))
        assert fast == slow, (o, d)
        n += 1
    return n


def test_toy_network_routes():
    from serai.freight import Router, build_routing_graph
    from tests.freight.toy import toy_network

    router = Router(build_routing_graph(toy_network()))
    names = ["Almaty", "Duisburg", "Poti", "Baku", "Shanghai", "Rotterdam"]
    assert _same(router, itertools.permutations(names, 2)) >= 10


@pytest.fixture(scope="module")
def eurasia():
    from serai.freight.cache import cached_router

    return cached_router(None)


def test_eurasia_routes_on_real_shapes(eurasia):
    origins = ["Xi'an", "Almaty", "Tashkent", "Aktau", "Urumqi", "Bishkek"]
    dests = ["Duisburg", "Constanța", "Poti", "Istanbul", "Warsaw", "Ankara"]
    pairs = list(itertools.product(origins, dests))
    assert _same(eurasia, pairs) >= 30
    assert _same(eurasia, pairs[::5], avoid_countries=["RU", "IR"]) >= 5


def test_line_json_is_line_rounded(eurasia):
    """Shaped links, reversed links, a single link, links that do not join."""
    ix = ShapeIndex.of(eurasia.rg.network)
    rng = np.random.default_rng(0)
    shaped = ix.link_ids[ix.start >= 0]
    for ids in (shaped[:1], shaped[:40], rng.choice(ix.link_ids, 25), shaped[::-1][:30]):
        text, n = ix.line_json(ids)
        line = ix.line(ids)
        assert n == len(line)
        assert text == orjson.dumps(np.round(line, 4).tolist())
