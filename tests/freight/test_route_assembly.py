"""Route assembly (legs, totals, first/last-mile splice, API JSON) gives what the code it
replaced gave: the pre-vectorisation functions (``tests/freight/_assembly_reference.py``)
are swapped in for a second pass over the same questions, and the legs tables must be
equal exactly (values and dtypes), the totals equal, and the API's JSON equal byte for byte
on more than 100 Eurasian routes (places on and off the network, four objectives, avoided
countries, via points).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from serai.freight import Router, build_routing_graph
from serai.freight.virtual import RoutingGraph
from tests.freight import _assembly_reference as ref

ORIGINS = ["Xi'an", "Almaty", "Shanghai", "Samarkand", "Kashgar", "Tbilisi", "Lanzhou",
           "Ashgabat", "Bishkek", "Urumqi", "Chongqing", "Astana"]  # fmt: skip
DESTS = ["Duisburg", "Łódź", "Genoa", "Ankara", "Prague", "Poti", "Vienna", "Constanța",
         "Hamburg", "Rotterdam"]  # fmt: skip
OBJECTIVES = ("generalised", "time", "cost", "emissions")
AVOID = ([], ["RU"], ["IR"], ["RU", "IR"])


@pytest.fixture(scope="module")
def router() -> Router:
    data = pytest.importorskip("serai.data")
    try:
        net = data.load_eurasia()
    except Exception as exc:  # pragma: no cover - data missing
        pytest.skip(f"embedded network not available: {exc}")
    return Router(build_routing_graph(net, year=2025))


def _questions():
    for i, (o, d) in enumerate(itertools.product(ORIGINS, DESTS)):
        q = {"objective": OBJECTIVES[i % 4], "avoid_countries": AVOID[(i // 4) % 4]}
        if i % 7 == 3:
            q["via"] = ["Baku"]
        yield o, d, q


def _answers(router: Router) -> list:
    from serai.api.responses import dumps
    from serai.api.routes import route_json

    out = []
    for o, d, q in _questions():
        try:
            r = router.route(o, d, "container", **q)
        except Exception as exc:  # the same error both times
            out.append((o, d, q, type(exc).__name__, str(exc)))
            continue
        js = dumps({"routes": [route_json(r, router.rg.network, True, encoded=True)]})
        out.append((o, d, q, r.legs, dict(r.totals), r.countries, r.corridor, js))
    return out


def _masked_as_before(self, lc, objective, cons):
    return np.where(self.mask(cons), self.edge_objective(lc, objective), np.inf)


def test_assembly_equals_the_reference(router, monkeypatch):
    pytest.importorskip("fastapi")
    from serai.freight import access, ends, legs, routecost

    router.__dict__.pop("_endpoints", None)
    new = _answers(router)  # first/last-mile legs remembered during the pass (hits later)
    assert len(router.__dict__.get("_endpoints", ())) > 0
    with monkeypatch.context() as m:
        m.setattr(legs, "_legs", ref._legs)
        m.setattr(routecost, "basis_label", ref.basis_label)
        m.setattr(ends, "splice", ref.splice)
        m.setattr(ends, "endpoints", ref.endpoints)  # not remembered
        m.setattr(Router, "_make_route", ref.make_route)
        m.setattr(Router, "masked_cost", _masked_as_before)
        m.setattr(RoutingGraph, "place", ref.place)
        m.setattr(access, "_node_label", lambda labels, node: str(labels.get(node, "")))
        old = _answers(router)
    routed = 0
    for a, b in zip(new, old, strict=True):
        assert a[:3] == b[:3]
        if isinstance(a[3], str) or isinstance(b[3], str):
            assert a[3:] == b[3:], a[:3]
            continue
        pd.testing.assert_frame_equal(a[3], b[3], check_exact=True)
        assert [type(x) for x in a[3].iloc[0]] == [type(x) for x in b[3].iloc[0]]
        assert a[4] == b[4], a[:3]
        assert a[5:] == b[5:], a[:3]  # countries, corridor, JSON bytes
        routed += 1
    assert routed >= 100


def test_crosses_sea_equals_the_point_by_point_reference():
    """The vectorised sea check of first/last-mile legs answers as the per-point loop did,
    on 3,000 random lines (coasts of Eurasia, the antimeridian and the poles included)."""
    from serai.freight.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    rng = np.random.default_rng(7)
    answers = []
    for i in range(3000):
        if i % 4 == 0:
            la, lo = rng.uniform(-89.9, 89.9), rng.uniform(-180, 180)
        else:
            la, lo = rng.uniform(25, 60), rng.uniform(-10, 130)
        dla, dlo = rng.normal(0, 1.5, 2)
        line = (la, lo, float(np.clip(la + dla, -89.99, 89.99)), lo + dlo)
        got = gaz.crosses_sea(*line)
        assert got == ref.crosses_sea(gaz, *line), line
        answers.append(got)
    assert 0.1 < np.mean(answers) < 0.9  # both kinds of line were checked


def test_remembered_first_last_mile_legs_are_keyed_by_all_they_read(router):
    """First/last-mile legs remembered per Router (``ends.endpoints``) are those computed
    afresh (the reference, no memory) for every variant of what the legs read, asked in a
    row on one router: if the key missed a field, a later variant would get an earlier
    variant's legs. Each variant's fresh legs differ from every other's, so each field is
    checked. Herat (AF) is off the network; its legs cross into Iran or Turkmenistan."""
    from dataclasses import replace

    from serai.freight import ends
    from serai.freight.constraints import Constraints

    herat = router.locate("Herat")
    assert herat.target is None and herat.country == "AF"
    lc = router.costs("container")
    fast = replace(lc, params=lc.params.with_values({"road.speed": 80.0}))
    slow = lc.params.with_values({"road.speed": 25.0})
    double = router.costs("container", crew="double")
    variants = {
        "none": ("first", lc, Constraints()),
        "last": ("last", lc, Constraints()),
        "avoid IR": ("first", lc, Constraints.make(avoid_countries=["IR"])),
        "avoid TM": ("first", lc, Constraints.make(avoid_countries=["TM"])),
        "road only": ("first", lc, Constraints.make(modes=["road"])),
        "carbon price": ("first", router.costs("container", 100.0), Constraints()),
        "commodity": ("first", router.costs("grain"), Constraints()),
        "params": ("first", fast, Constraints()),
        # slow trucks: a leg long enough for a single crew's break, none for a double crew
        "slow": ("first", replace(lc, params=slow), Constraints()),
        "slow, double crew": ("first", replace(double, params=slow), Constraints()),
    }
    base = ref.endpoints(router, herat, "first", lc, Constraints())
    variants["avoid node"] = ("first", lc, Constraints.make(avoid_nodes=[base[0][0].node_id]))
    router.__dict__.pop("_endpoints", None)
    for rnd in range(2):  # remembered on the first round, from memory on the second
        fresh = {}
        for name, (side, costs, cons) in variants.items():
            got = ends.endpoints(router, herat, side, costs, cons)
            want = ref.endpoints(router, herat, side, costs, cons)
            assert got == want, (rnd, name)
            got.clear()  # the caller's list: the remembered answer is not changed
            fresh[name] = want
    assert len(router.__dict__["_endpoints"]) == len(variants)
    names = list(fresh)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert fresh[a] != fresh[b], (a, b)  # every field of the key matters here
    leg = fresh["none"][0][0]
    with pytest.raises(AttributeError):
        leg.km = 0.0  # legs are frozen


def test_line_names_equal_the_reference(router):
    """Named lines of a set of virtual links (from per-link names made once) are those of
    the lookup by physical link id it replaced, on random sets and on the whole graph."""
    from serai.freight import legs

    n = len(router.rg.vlinks)
    everything = np.arange(n)
    want = ref.line_names(router, everything)
    assert len(want) > 5  # the network names lines: the comparison is not between empty sets
    assert legs.line_names(router, everything) == want
    rng = np.random.default_rng(3)
    for size in (1, 10, 100, 5000, 20000):
        for _ in range(20):
            rows = rng.choice(n, size)
            assert legs.line_names(router, rows) == ref.line_names(router, rows)


def test_remembered_legs_and_masked_costs_shared_by_threads(router):
    """Off-network places with avoided countries (remembered first/last-mile legs, kept masked
    cost arrays, search stamps) from 4 threads at once answer as one thread alone did."""
    from tests.concurrency import run_threads

    def summary(r):
        return (r.vlink_rows.tolist(), r.totals["gc_usd"], r.corridor, r.legs["from_name"].tolist())

    qs = [("Herat", "Genoa", "time", ["IR"]), ("Herat", "Prague", "cost", ["TM"]),
          ("Mazar-i-Sharif", "Poti", "generalised", []), ("Kunduz", "Ankara", "time", ["TJ"]),
          ("Samarkand", "Łódź", "emissions", ["RU"])]  # fmt: skip
    expected = [summary(router.route(o, d, "container", objective=b, avoid_countries=a))
                for o, d, b, a in qs]  # fmt: skip
    fresh = router.with_params(router.params)  # empty memories: the threads fill them
    calls = [lambda q=q: summary(fresh.route(q[0], q[1], "container", objective=q[2],
                                             avoid_countries=q[3])) for q in qs]  # fmt: skip
    for got in run_threads(calls * 2, n_threads=4, rounds=2):
        assert got == expected * 2
    assert fresh.__dict__["_endpoints"] and fresh.__dict__["_masked"]


def test_compiled_assembly_equals_the_numpy_path(router, monkeypatch):
    """``make_route``'s compiled passes (``serai.freight._assembly``) give the legs and totals
    of its numpy path (kept for costs of another dtype) bit for bit: every column's values,
    dtypes and value types, every total."""
    from serai.freight import _assembly

    calls = []
    real = Router._make_route

    def keep(self, *args):
        calls.append(args)
        return real(self, *args)

    with monkeypatch.context() as m:
        m.setattr(Router, "_make_route", keep)
        for i, (o, d, q) in enumerate(_questions()):
            if i % 3 == 0:
                try:
                    router.route(o, d, "container", **q)
                except Exception:  # a question without a route: none to compare
                    continue
    assert len(calls) >= 30
    for args in calls:
        new = real(router, *args)
        with monkeypatch.context() as m:
            m.setattr(_assembly, "plain", lambda lc: False)
            old = real(router, *args)
        assert list(new.leg_data) == list(old.leg_data)
        for col, want in old.leg_data.items():
            got = new.leg_data[col]
            assert type(got) is type(want), col
            if isinstance(want, np.ndarray):
                assert got.dtype == want.dtype, col
                if want.dtype.kind == "f":
                    assert got.tobytes() == want.tobytes(), col
                    continue
            assert list(got) == list(want), col
            assert [type(x) for x in got] == [type(x) for x in want], col
        assert list(new.totals) == list(old.totals)
        for key, want in old.totals.items():
            assert np.float64(new.totals[key]).tobytes() == np.float64(want).tobytes(), key
            assert type(new.totals[key]) is type(want), key
        assert (new.countries, new.passages, new.services, new.corridor) == (
            old.countries, old.passages, old.services, old.corridor)  # fmt: skip
