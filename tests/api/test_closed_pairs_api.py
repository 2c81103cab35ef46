"""POST /api/route on a network with a closed pair of countries: a no-route problem naming it."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the service extra (fastapi) is not installed")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from fastapi.testclient import TestClient

    from serai.api import Settings, create_app
    from serai.network import Network, write_network
    from tests.freight.test_closed_pairs import _status
    from tests.freight.toy import toy_network

    net = toy_network()
    tables = dict(net.tables)
    tables["border_status"] = _status([("kz_ge", "KZ", "GE", "all", 2022, None)])
    path = tmp_path_factory.mktemp("closed") / "net"
    write_network(Network(tables, dict(net.meta)), path, format="csv")
    app = create_app(Settings(network=path, store=tmp_path_factory.mktemp("store")))
    with TestClient(app) as c:
        yield c


def test_both_ends_in_a_closed_pair_is_a_no_route_problem(client):
    r = client.post("/api/route", json={"origin": "Almaty", "destination": "Tbilisi"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    p = r.json()
    assert p["type"] == "/problems/no-route" and p["field"] == "destination"
    assert p["cause"] == "closed pair kz_ge"
    assert "KZ and GE are closed to freight between them since 2022" in p["detail"]
    assert "EST (test): kz_ge" in p["detail"]
    for kind in ("alternatives", "pareto"):
        q = client.post(f"/api/{kind}", json={"origin": "Almaty", "destination": "Tbilisi"})
        assert q.status_code == 422 and q.json()["cause"] == "closed pair kz_ge"


def test_one_end_in_a_closed_pair_avoids_the_other_country(client):
    r = client.post("/api/route", json={"origin": "Almaty", "destination": "Istanbul"})
    assert r.status_code == 200, r.text
    route = r.json()["routes"][0]
    assert "GE" not in route["countries"] and "KZ" in route["countries"]
