"""The row table of route assembly (``serai.freight._assembly.row_table``): one row per
virtual link holding the same bits as the cost arrays, made once per LinkCosts, shared by
threads, kept through a pickle and not shared with a router of other parameters."""

from __future__ import annotations

import copy
import pickle
import threading
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from serai.freight import Router, build_routing_graph
from serai.freight import _assembly as asm
from serai.network import Network


def _odd_values(rng: np.random.Generator, n: int) -> np.ndarray:
    """Floats with the values a copy could spoil: NaN, infinities, -0.0, subnormals."""
    a = rng.normal(size=n) * 10.0 ** rng.integers(-300, 300, n)
    a[rng.random(n) < 0.1] = np.nan
    a[rng.random(n) < 0.05] = -0.0
    a[rng.random(n) < 0.05] = np.inf
    a[rng.random(n) < 0.05] = 5e-324
    return a


def _costs(rng: np.random.Generator, e: int, co2: bool = True) -> SimpleNamespace:
    return SimpleNamespace(
        comps=_odd_values(rng, 11 * e).reshape(11, e),
        hours_by_basis=_odd_values(rng, 3 * e).reshape(3, e),
        usd_by_basis=_odd_values(rng, 3 * e).reshape(3, e),
        kg_co2e=_odd_values(rng, e) if co2 else None,
        carbon_usd=_odd_values(rng, e),
    )


def _links(rng: np.random.Generator, e: int) -> np.ndarray:
    bits = rng.integers(0, 128, e) | rng.integers(0, 60, e) << asm.WIDTH
    return asm.link_table(bits, rng.integers(0, 500, e), rng.integers(-1, 2**40, e),
                          rng.integers(0, 2**62, e), rng.integers(0, 2**62, e))  # fmt: skip


def test_a_row_holds_the_same_bits_as_the_arrays():
    rng = np.random.default_rng(15)
    e = 1000
    lc, links, km = _costs(rng, e), _links(rng, e), _odd_values(rng, e)
    tab = asm.row_table(lc, km, links)
    k = 11
    assert tab.shape == (e, 24) and tab.dtype == np.float64 and not tab.flags.writeable
    assert tab.ctypes.data % 64 == 0 and tab.strides == (192, 8)  # three cache lines a row
    ti = tab.view(np.int64)
    for got, want in [
        (tab[:, :k], lc.comps.T),
        (tab[:, k + asm.HB : k + asm.HB + 3], lc.hours_by_basis.T),
        (tab[:, k + asm.UB : k + asm.UB + 3], lc.usd_by_basis.T),
        (tab[:, k + asm.CO2], lc.kg_co2e),
        (tab[:, k + asm.CARBON], lc.carbon_usd),
        (tab[:, k + asm.KM], km),
        (ti[:, k + asm.CODE] & 0xFFFFFFFF, links[:, asm.BITS]),
        (ti[:, k + asm.CODE] >> 32, links[:, asm.GROUP]),
        (ti[:, k + asm.LINK_ID], links[:, asm.LINK]),
        (ti[:, k + asm.FROM_NODE], links[:, asm.FROM]),
        (ti[:, k + asm.TO_NODE], links[:, asm.TO]),
    ]:
        assert np.ascontiguousarray(got).tobytes() == np.ascontiguousarray(want).tobytes()


def test_no_emissions_are_nan_and_codes_too_wide_give_none():
    rng = np.random.default_rng(16)
    e = 50
    lc, links, km = _costs(rng, e, co2=False), _links(rng, e), rng.random(e)
    tab = asm.row_table(lc, km, links)
    assert np.isnan(tab[:, 11 + asm.CO2]).all()
    wide = links.copy()
    wide[3, asm.BITS] = 70_000 << asm.WIDTH  # a service id of 70,000 characters
    assert asm.row_table(lc, km, wide) is None
    wide = links.copy()
    wide[4, asm.GROUP] = 2**31
    assert asm.row_table(lc, km, wide) is None


@pytest.fixture(scope="module")
def toy() -> Router:
    nodes = pd.DataFrame({"node_id": [1, 2, 3], "name": ["A", "B", "C"],
                          "x": [0.0, 1.0, 2.0], "y": [0.0, 0.0, 0.0], "country": ["KZ"] * 3})  # fmt: skip
    links = pd.DataFrame({"link_id": [1, 2, 3, 4], "from_node": [1, 2, 2, 3],
                          "to_node": [2, 1, 3, 2], "mode": ["rail", "rail", "road", "road"],
                          "length": [400.0, 400.0, 200.0, 200.0]})  # fmt: skip
    return Router(build_routing_graph(Network.from_tables(nodes=nodes, links=links)))


def _table(router: Router, lc) -> np.ndarray:
    from serai.freight.legs import _codes

    return asm.rows_of(router, lc, _codes(router._cols).links)


def test_one_table_per_link_costs_shared_by_threads(toy):
    lc = toy.costs("container")
    toy.__dict__.pop("_row_tables", None)
    got: list[np.ndarray] = []
    start = threading.Barrier(8)

    def ask() -> None:
        start.wait()
        got.append(_table(toy, lc))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 8 and all(t is got[0] for t in got)
    assert got[0].tobytes() == asm.row_table(lc, toy._cols["km"], _codes_links(toy)).tobytes()
    other = copy.copy(lc)  # another LinkCosts of the same key: its own table
    assert _table(toy, other) is not got[0]
    assert _table(toy, other) is _table(toy, other)


def _codes_links(router: Router) -> np.ndarray:
    from serai.freight.legs import _codes

    return _codes(router._cols).links


def test_the_table_stays_with_its_costs_through_a_pickle_not_with_other_params(toy):
    lc = toy.costs("container")
    tab = _table(toy, lc)
    back = pickle.loads(pickle.dumps(toy))
    key = (lc.commodity.commodity, 0.0, "single")
    lc2 = back._costs[key]
    assert back._row_tables[(*key, lc.variant)][0] is lc2  # kept, not made again
    assert _table(back, lc2) is back._row_tables[(*key, lc.variant)][1]
    assert _table(back, lc2).tobytes() == tab.tobytes()
    other = toy.with_params(toy.params)
    assert "_row_tables" not in other.__dict__ or not other._row_tables
    assert _table(other, other.costs("container")) is not tab


def test_routes_with_and_without_the_table_are_equal(toy, monkeypatch):
    """The compiled passes over the row table and the numpy path give the same legs and
    totals (the Eurasian comparison: tests/freight/test_route_assembly.py)."""
    a = toy.route("A", "C", "container", objective="time")
    with monkeypatch.context() as m:
        m.setattr(asm, "plain", lambda lc: False)
        b = toy.route("A", "C", "container", objective="time")
    assert dict(a.totals) == dict(b.totals)
    assert pd.DataFrame(a.legs).equals(pd.DataFrame(b.legs))


def test_text_blocks_hold_the_columns_objects_a_link_to_a_row(toy):
    """``_Codes.blocks``: a link's first-row texts side by side in one aligned 64-byte row,
    the very objects of the columns they come from."""
    from serai.freight.legs import _codes

    cd = _codes(toy._cols)
    first, last = cd.blocks(toy.labels)
    n = len(toy._cols["kind"])
    assert first.shape == (n, 8) and last.shape == (n, 2)
    assert first.ctypes.data % 64 == 0 and first.strides == (64, 8)
    cols = (cd.leg_kind, cd.leg_mode, toy._cols["layer"], cd.svc, None, toy._cols["country"],
            toy._cols["from_country"], cd.event_text())  # fmt: skip
    for i, col in enumerate(cols):
        if col is not None:
            assert all(a is b for a, b in zip(first[:, i], col, strict=True))
    assert all(a is b for a, b in zip(last[:, 1], toy._cols["to_country"], strict=True))
