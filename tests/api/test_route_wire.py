"""The API's route JSON written as bytes (serai.api.wire: legs written once, lines joined from
per-link byte ranges of the shape text, hub points kept per node) is byte for byte the JSON
built value by value (``route_json(..., encoded=False)``: records cleaned value by value,
every point rounded and written by orjson), on more than 100 Eurasian and world routes:
places on and off the network, via points, four objectives, avoided countries, lines across
the antimeridian; and route workers hand the same answers to clients with and without gzip.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os

import numpy as np
import pytest

orjson = pytest.importorskip("orjson")
pytest.importorskip("fastapi")

from serai.api.responses import dumps, packed, plain, slim  # noqa: E402
from serai.api.routes import route_json  # noqa: E402

ORIGINS = ["Xi'an", "Almaty", "Shanghai", "Samarkand", "Kashgar", "Tbilisi", "Lanzhou",
           "Ashgabat", "Bishkek", "Urumqi", "Chongqing", "Astana"]  # fmt: skip
DESTS = ["Duisburg", "Łódź", "Genoa", "Ankara", "Prague", "Poti", "Vienna", "Constanța",
         "Hamburg", "Rotterdam"]  # fmt: skip
OBJECTIVES = ("generalised", "time", "cost", "emissions")
AVOID = ([], ["RU"], ["IR"], ["RU", "IR"])
PACIFIC = [("Shanghai", "Los Angeles"), ("Busan", "Seattle"), ("Tokyo", "Vancouver"),
           ("Kaohsiung", "Long Beach"), ("Xiamen", "Baltimore"), ("Los Angeles", "Shanghai"),
           ("Almaty", "Los Angeles"), ("Hong Kong", "Seattle")]  # fmt: skip


@pytest.fixture(scope="module")
def eurasia():
    from serai.freight.cache import cached_router

    return cached_router(None)


@pytest.fixture(scope="module")
def routes(eurasia):
    """(question, route) of 120 Eurasian questions (one in 7 via Baku or Aktau) and 8
    trans-Pacific ones."""
    out = []
    for i, (o, d) in enumerate(itertools.product(ORIGINS, DESTS)):
        q = {"objective": OBJECTIVES[i % 4], "avoid_countries": AVOID[(i // 4) % 4]}
        if i % 7 == 3:
            q["via"] = ["Baku" if i % 2 else "Aktau"]
        out.append(((o, d, q), eurasia.route(o, d, "container", **q)))
    for o, d in PACIFIC:
        out.append(((o, d, {}), eurasia.route(o, d, "container")))
    return out


def test_route_bytes_equal_the_json_built_value_by_value(eurasia, routes):
    from serai.freight.shapes import ShapeIndex

    net = eurasia.rg.network
    ix = ShapeIndex.of(net)
    kinds = {"via": 0, "off network": 0, "antimeridian": 0}
    for (o, d, q), r in routes:
        for geometry in (True, False):
            fast = dumps(route_json(r, net, geometry, encoded=True))
            slow = dumps(route_json(r, net, geometry))
            assert fast == slow, (o, d, q, geometry)
        kinds["via"] += bool(q.get("via"))
        kinds["off network"] += bool((np.asarray(r.leg_data["from_node"], np.int64) < 0).any())
        lids = [x for x in r.leg_data["link_ids"] if len(x)]
        pos = np.searchsorted(ix.link_ids, np.concatenate(lids).astype(np.int64))
        kinds["antimeridian"] += bool(ix.across[pos].any())
    assert len(routes) >= 120
    assert kinds["via"] >= 15 and kinds["off network"] >= 10 and kinds["antimeridian"] >= 8, kinds


def test_lines_cross_the_antimeridian_without_a_jump(eurasia, routes):
    """A trans-Pacific answer's lines go on past ±180° (continuous, as ShapeIndex.line)."""
    net = eurasia.rg.network
    for (o, d, _), r in routes[-len(PACIFIC) :]:
        feats = json.loads(dumps(route_json(r, net, True, encoded=True)))["geojson"]["features"]
        lines = [np.asarray(f["geometry"]["coordinates"]) for f in feats
                 if f["geometry"]["type"] == "LineString"]  # fmt: skip
        assert any(np.abs(x[:, 0]).max() > 180 for x in lines), (o, d)
        for x in lines:
            assert np.abs(np.diff(x[:, 0])).max() < 90, (o, d)


def test_the_comparison_sees_a_wrong_join(eurasia, routes, monkeypatch):
    """Negative control: with the joining rule broken (a link's first point kept where the
    line's previous link ends on it) the bytes differ from the value-by-value JSON."""
    import dataclasses

    from serai.freight.shapes import ShapeIndex

    net = eurasia.rg.network
    ix = ShapeIndex.of(net)
    text = ix._text(4)
    broken = dataclasses.replace(text, second=text.first_byte)
    monkeypatch.setitem(ix._encoded, ("text", 4), broken)
    differ = sum(
        dumps(route_json(r, net, True, encoded=True)) != dumps(route_json(r, net, True))
        for _, r in routes[:20]
    )
    assert differ >= 15


def test_legs_with_numpy_values_are_cleaned_as_the_records(eurasia, routes):
    """A leg column of numpy objects (as after the first/last-mile splice) or with NaN is
    written as leg_records writes it (numbers as numbers, NaN as null)."""
    from types import MappingProxyType

    from serai.api import wire

    net = eurasia.rg.network
    r = routes[0][1]
    data = dict(r.leg_data)
    data["km"] = np.asarray(data["km"], float).copy()
    data["km"][0] = np.nan
    data["to_node"] = np.asarray([np.int64(x) for x in data["to_node"]], dtype=object)
    data["mode"] = np.asarray([np.str_(x) for x in data["mode"]], dtype=object)
    data["hours"] = np.asarray([np.float64(x) for x in data["hours"]], dtype=object)
    names = list(data["from_name"])  # text like the start of a leg's JSON, inside a name
    names[1] = 'Kashi,{"seq":0,"kind":"x"} \\",{"seq":'
    data["from_name"] = np.asarray(names, dtype=object)

    class R:
        pass

    fake = R()
    fake.__dict__.update({k: getattr(r, k) for k in dir(r) if not k.startswith("__")
                          and k not in ("leg_data", "legs")})  # fmt: skip
    fake.leg_data = MappingProxyType(data)
    legs = wire.leg_json(fake)
    assert legs is not None
    fast = dumps(route_json(fake, net, True, encoded=True))
    assert fast == dumps(route_json(fake, net, True))
    assert json.loads(legs[0])["km"] is None
    assert json.loads(legs[1])["from_name"] == names[1]
    assert len(legs) == len(data["seq"])


@pytest.mark.parametrize("size", [10, 1999, 2000, 30_000])
def test_packed_answers_inflate_to_the_json(size):
    data = json.dumps({"x": "y" * size, "n": list(range(size // 50))}).encode()
    entry = packed(data)
    assert entry[0] == data
    assert (entry[1] is None) == (len(data) < 2000)
    if entry[1] is not None:
        assert gzip.decompress(entry[1]) == data
        assert slim(entry) == (None, entry[1])
    assert plain(slim(entry)) == data
    big = data * (1 + 4000 // len(data))
    assert gzip.decompress(packed(big, level=9)[1]) == big  # zlib above level 3


@pytest.mark.parametrize("enc", ["gzip", "identity"])
def test_worker_answers_for_both_kinds_of_client(client, toy_dir, tmp_path, enc):
    """Answers crossing from the route workers as gzip only: clients with and without gzip
    get the threads' bytes and headers (the first time and from the caches)."""
    from fastapi.testclient import TestClient

    from serai.api import Settings, create_app

    app = create_app(Settings(network=toy_dir, store=tmp_path, route_processes=2))
    skip = ("date", "server", "content-length")
    with TestClient(app) as forked:
        assert app.state.route_workers.executor is not None
        for i in range(3):
            q = {
                "origin": "Almaty",
                "destination": "Duisburg",
                "carbon_price": 41.5 + i + (enc == "gzip") / 4,
            }
            body = json.dumps(q).encode()
            h = {"content-type": "application/json", "accept-encoding": enc}
            for _ in range(2):  # a miss, then a hit by the request's bytes
                a = forked.post("/api/route", content=body, headers=h)
                b = client.post("/api/route", content=body, headers=h)
                assert a.status_code == b.status_code == 200
                assert [(k, v) for k, v in a.headers.items() if k not in skip] == [
                    (k, v) for k, v in b.headers.items() if k not in skip
                ]
                mask = (json.loads(a.content), json.loads(b.content))
                for m in mask:
                    m.pop("took_ms")
                assert mask[0] == mask[1]
                assert a.headers.get("content-encoding") == (None if enc == "identity" else "gzip")
        assert app.state.route_workers.executor is not None
        assert os.getpid() not in app.state.route_workers.pids()


def test_the_query_is_written_as_pydantic_dumps_it():
    """answer() writes a question's fields as they are (no serializer: plain values)."""
    from serai.api import models as m
    from serai.api.routes import _query_dict

    qs = [
        m.RouteQuery(origin="Almaty", destination="Poti", avoid_countries=["RU"]),
        m.AlternativesQuery(origin=" Xi'an ", destination="Łódź", via=["Baku"], modes=["rail"],
                            month=3, deadline_days=2.5, reliability=True, year=2024, k=2),
        m.ParetoQuery(origin="A", destination="B", avoid_passages=["suez"], carbon_price=3,
                      geometry=False, objective="time", max_routes=3),
    ]  # fmt: skip
    for q in qs:
        assert _query_dict(q) == q.model_dump()
        assert dumps(_query_dict(q)) == dumps(q.model_dump())
