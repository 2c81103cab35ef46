"""Property tests (hypothesis) on the gates: networks, demand, CLI arguments, API calls.

Every generated input is either refused with serai's own error or answered with a
result that keeps its invariants (finite costs, conserved flows); nothing else may
escape. ``make fuzz`` runs the same properties with many more examples.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from serai.errors import NoPathError, SeraiError
from tests.robustness.api_cases import conservation

ids = st.one_of(
    st.integers(-3, 8),
    st.sampled_from([2**70, 1.5, float("nan"), float("inf"), "x", "", None, True]),
)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -1.0, 1e300, "abc", None, ""]),
)
codes = st.one_of(st.text(max_size=12), st.sampled_from(["road", "rail", "air", "", "[b]x[/]"]))


@st.composite
def networks(draw):
    n = draw(st.integers(0, 6))
    links = pd.DataFrame(
        {
            "link_id": draw(st.lists(ids, min_size=n, max_size=n)),
            "from_node": draw(st.lists(ids, min_size=n, max_size=n)),
            "to_node": draw(st.lists(ids, min_size=n, max_size=n)),
            "length": draw(st.lists(numbers, min_size=n, max_size=n)),
            "free_flow_time": draw(st.lists(numbers, min_size=n, max_size=n)),
            "capacity": draw(st.lists(numbers, min_size=n, max_size=n)),
            "mode": draw(st.lists(codes, min_size=n, max_size=n)),
            "status": draw(st.lists(codes, min_size=n, max_size=n)),
        }
    )
    k = draw(st.integers(0, 6))
    nodes = pd.DataFrame(
        {
            "node_id": draw(st.lists(ids, min_size=k, max_size=k)),
            "x": draw(st.lists(numbers, min_size=k, max_size=k)),
            "y": draw(st.lists(numbers, min_size=k, max_size=k)),
        }
    )
    crs = draw(st.sampled_from(["EPSG:4326", None, "EPSG:3857", "nonsense"]))
    return nodes, links, crs


@given(networks())
def test_validate_refuses_or_accepts_never_escapes(tables):
    from serai.network import Network, compile_network, validate
    from serai.paths import shortest_path

    nodes, links, crs = tables
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            net = Network.from_tables(nodes=nodes, links=links, meta={"crs": crs})
            report = validate(net)
        except SeraiError:
            return
    if not report.ok:
        return
    # accepted: ids are whole, links exist, every number usable
    assert len(net.links) and len(net.nodes)
    graph = compile_network(net)
    if "free_flow_time" in net.links and net.links["free_flow_time"].notna().all():
        a, b = net.links["from_node"].iloc[0], net.links["to_node"].iloc[-1]
        try:
            p = shortest_path(graph, int(a), int(b), cost="free_flow_time")
        except NoPathError:
            return
        assert math.isfinite(p.cost) and p.cost >= 0


@pytest.fixture(scope="module")
def sioux():
    from tests.robustness.api_cases import sioux as load

    return load()


demand_rows = st.tuples(
    st.one_of(st.integers(-1, 26), st.sampled_from([1.5, "a", None])),
    st.one_of(st.integers(-1, 26), st.sampled_from([2.5, None])),
    st.one_of(st.floats(min_value=-10, max_value=1e6),
              st.sampled_from([float("inf"), float("nan"), -1.0, 0.0])),
)  # fmt: skip


@given(st.lists(demand_rows, max_size=8), st.sampled_from(["aon", "fw", "b"]))
def test_assign_refuses_bad_demand_or_conserves_flow(sioux, rows, algorithm):
    from serai.assignment import AssignmentConfig, assign

    net, _ = sioux
    demand = pd.DataFrame(rows, columns=["origin", "destination", "volume"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = assign(net, demand, AssignmentConfig(algorithm=algorithm, max_iter=5))
    except SeraiError:
        return
    assert conservation(net, demand, res) is None


weights = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([-1.0, 0.0]))


@given(weights, weights, weights)
def test_assign_refuses_bad_weights(sioux, time_w, length_w, pce):
    from serai.assignment import TrafficClass, assign

    net, trips = sioux
    demand = trips.head(20)
    ok = all(math.isfinite(w) and 0 <= w <= 1e12 for w in (time_w, length_w)) and (
        math.isfinite(pce) and 0 < pce <= 1e6
    )
    try:
        res = assign(net, TrafficClass("c", demand, time_weight=time_w, length_weight=length_w,
                                       pce=pce))  # fmt: skip
    except SeraiError:
        assert not ok or time_w == 0  # zero time weight may be refused (cost-free paths)
        return
    assert ok, "a negative or non-finite weight was accepted"
    assert np.isfinite(res.links["flow"]).all()


@pytest.fixture(scope="module")
def router():
    from tests.robustness.api_cases import router as make

    return make()


@given(
    st.lists(codes, max_size=2),
    st.lists(codes, max_size=2),
    st.one_of(st.none(), st.lists(codes, min_size=1, max_size=2)),
    st.one_of(st.integers(-2, 60), st.sampled_from([10**9])),
)
def test_router_refuses_unknown_codes(router, countries, passages, modes, k):
    from serai.freight.checks import MAX_ALTERNATIVES

    known_c = set(router._countries) - {""}
    known_p = set(router._passages) - {""}
    try:
        routes = router.alternatives(
            "Almaty", "Baku", "container", k=k, avoid_countries=countries,
            avoid_passages=passages, modes=modes,
        )  # fmt: skip
    except SeraiError:
        return
    assert 1 <= k <= MAX_ALTERNATIVES
    assert all(c.strip().upper() in known_c for c in countries)
    assert all(p.strip().lower() in known_p for p in passages)
    assert 1 <= len(routes) <= k
    for r in routes:
        assert math.isfinite(r.totals["gc_usd"]) and r.km > 0


@pytest.fixture(scope="module")
def cached_cli():
    from tests.robustness.harness import _cache_router

    _cache_router()
    from serai.cli import app

    return app


@given(codes, codes, st.lists(codes, max_size=2), st.one_of(st.none(), codes))
def test_route_cli_never_shows_a_traceback(cached_cli, origin, destination, countries, modes):
    argv = ["route", "--from", origin, "--to", destination]
    for c in countries:
        argv += ["--avoid-country", c]
    if modes is not None:
        argv += ["--modes", modes]
    result = CliRunner().invoke(cached_cli, argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if result.exit_code != 0:
        assert "internal error" not in result.stderr
        assert result.stderr.startswith("error:") or "Usage" in result.stderr, result.stderr
