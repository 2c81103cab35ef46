"""A route with first/last-mile legs is written from its parts (serai.freight.spliced:
its legs table is made only when read): the legs' JSON and the GeoJSON features are the
bytes written from the table made whole; and the totals rounded without ``round()`` are
``round(v, 4)`` bit for bit (sign of zero included).
"""

from __future__ import annotations

import itertools
import math
import random
import struct
from types import MappingProxyType, SimpleNamespace

import pytest

pytest.importorskip("orjson")
pytest.importorskip("fastapi")

from serai.api import wire
from serai.api.routes import _nums
from serai.freight.spliced import SplicedLegs

ORIGINS = ["Xi'an", "Almaty", "Samarkand", "Tbilisi", "Lanzhou", "Bishkek", "Astana"]
DESTS = ["Duisburg", "Łódź", "Ankara", "Prague", "Vienna", "Hamburg"]


@pytest.fixture(scope="module")
def eurasia():
    from serai.freight.cache import cached_router

    return cached_router(None)


def test_spliced_legs_are_written_as_the_table_made_whole(eurasia):
    net = eurasia.rg.network
    objectives = itertools.cycle(("generalised", "time", "cost", "emissions"))
    spliced = 0
    for o, d in itertools.product(ORIGINS, DESTS):
        r = eurasia.route(o, d, "container", objective=next(objectives))
        data = r.leg_data
        if type(data) is not SplicedLegs:
            continue
        got = wire.legs_text(r)
        feats = wire.features_json(r, net, got[1])
        assert data._table is None  # written from its parts, the table not made
        whole = SimpleNamespace(**{**r.__dict__, "leg_data": MappingProxyType(dict(data))})
        want = wire.legs_text(whole)
        assert got == want, (o, d)
        assert feats == wire.features_json(whole, net, want[1]), (o, d)
        spliced += 1
    assert spliced >= 20


def _bits(x: float | None) -> bytes | None:
    return None if x is None else struct.pack("<d", x)


def test_totals_are_rounded_as_round_rounds_them():
    rng = random.Random(7)
    values = [0.0, -0.0, 5e-5, -5e-5, 1.5e-4, 2.675, 0.03125, -0.03125, 1e-300, -1e-300,
              1e11, 1e12, 1e15, -1e17, math.inf, -math.inf, math.nan, 123456789.12345]  # fmt: skip
    values += [rng.uniform(-1e4, 1e4) for _ in range(20_000)]
    values += [(rng.randint(0, 10**8) + 0.5) / 1e4 for _ in range(20_000)]  # near halves
    values += [rng.randint(-(10**9), 10**9) / 3.0 for _ in range(20_000)]
    values += [struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
               for _ in range(20_000)]  # fmt: skip
    got = _nums({i: v for i, v in enumerate(values)})
    for i, v in enumerate(values):
        want = round(v, 4) if math.isfinite(v) else None
        assert _bits(got[i]) == _bits(want), v
