"""Shared fixtures of the freight tests: one router on the embedded network per test process."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def eurasia_router_2025():
    """``Router(build_routing_graph(load_eurasia(), year=2025))``, built once per test process.

    Shared by the modules that route on the embedded network (test_eurasia_routes.py,
    test_route_answers.py, test_sea_world.py), which only query it: a Router is safe to share
    (its lazily filled cost arrays are the same whoever fills them first).
    """
    data = pytest.importorskip("serai.data")
    from serai.freight import Router, build_routing_graph

    try:
        net = data.load_eurasia()
    except Exception as exc:
        pytest.skip(f"embedded network not available: {exc}")
    return Router(build_routing_graph(net, year=2025))
