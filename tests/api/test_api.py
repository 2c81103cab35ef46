"""HTTP API on the toy network: answers equal the library's, errors are problem documents."""

from __future__ import annotations

import itertools
import time

import pytest

from serai.freight import Router, build_routing_graph
from tests.freight.toy import toy_network


@pytest.fixture(scope="module")
def router():
    return Router(build_routing_graph(toy_network()))


def test_health_version_commodities(client):
    assert client.get("/api/health").json()["status"] == "ok"
    v = client.get("/api/version").json()
    assert v["api"] == "1" and len(v["network"]) == 32
    keys = {c["commodity"] for c in client.get("/api/commodities").json()}
    assert {"container_feu", "uranium_uoc"} <= keys


def test_route_equals_library(client, router):
    body = {"origin": "Алматы", "destination": "Duisburg", "avoid_countries": ["RU"]}
    r = client.post("/api/route", json=body)
    assert r.status_code == 200, r.text
    (got,) = r.json()["routes"]
    want = router.route("Almaty", "Duisburg", "container", avoid_countries=["RU"])
    assert got["corridor"] == want.corridor == "Middle Corridor (TITR)"
    assert got["days"] == pytest.approx(want.days, abs=1e-4)
    assert got["usd"] == pytest.approx(want.usd, abs=1e-3)
    assert got["co2e_kg"] == pytest.approx(want.co2e_kg, abs=1e-3)
    assert [leg["kind"] for leg in got["legs"]] == want.legs["kind"].tolist()
    assert "RU" not in got["countries"]
    # geometry: one LineString per movement leg, joined end to end
    lines = [f for f in got["geojson"]["features"] if f["geometry"]["type"] == "LineString"]
    assert len(lines) == (want.legs["kind"] == "move").sum()
    assert lines[0]["geometry"]["coordinates"][0] == [76.9, 43.2]  # Almaty
    assert lines[-1]["geometry"]["coordinates"][-1] == [6.8, 51.4]  # Duisburg
    # GET with query parameters gives the same answer
    g = client.get(
        "/api/route", params={"from": "Almaty", "to": "Duisburg", "avoid_countries": "RU"}
    )
    assert g.status_code == 200 and g.json()["routes"][0]["days"] == got["days"]


def test_alternatives_and_pareto(client, router):
    r = client.post(
        "/api/alternatives",
        json={"origin": "Shanghai", "destination": "Rotterdam", "k": 3, "geometry": False},
    )
    assert r.status_code == 200, r.text
    got = [x["corridor"] for x in r.json()["routes"]]
    want = [
        x.corridor
        for x in router.alternatives(
            "Shanghai", "Rotterdam", "container", k=3, distinct_corridors=True
        )
    ]  # the API's default
    assert got == want and len(set(got)) == len(got)
    p = client.post(
        "/api/pareto", json={"origin": "Xi'an", "destination": "Duisburg", "geometry": False}
    ).json()["routes"]
    pts = [(x["hours"], x["usd"]) for x in p]
    assert pts == sorted(pts)  # fastest first, then cheaper: a frontier
    assert all(b[1] < a[1] for a, b in itertools.pairwise(pts))


def test_emissions(client, router):
    r = client.post("/api/emissions", json={"origin": "Almaty", "destination": "Poti"})
    assert r.status_code == 200, r.text
    e = r.json()["emissions"]
    want = router.route("Almaty", "Poti", "container").footprint.totals
    assert e["co2e_kg"] == pytest.approx(want["wtw_kg"], abs=1e-3)
    assert e["co2e_kg"] == pytest.approx(e["wtt_kg"] + e["ttw_kg"], abs=1e-3)


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ({"origin": "Atlantis", "destination": "Duisburg"}, "origin", "unknown place"),
        ({"origin": "Almaty", "destination": "Duisbrg"}, "destination", "Duisburg"),
        (
            {"origin": "Almaty", "destination": "Poti", "avoid_countries": ["XX"]},
            "avoid_countries",
            "XX",
        ),
        (
            {"origin": "Almaty", "destination": "Poti", "avoid_passages": ["suze"]},
            "avoid_passages",
            "suez",
        ),
        ({"origin": "Almaty", "destination": "Poti", "year": 3000}, "year", "1800..2200"),
        ({"origin": "Almaty", "destination": "Poti", "commodity": "gold"}, "commodity", "gold"),
        ({"origin": "Almaty", "destination": "Poti", "oops": 1}, "oops", "Extra"),
        ({"origin": "Almaty", "destination": "Poti", "via": ["Atlantis"]}, "via.0", "Atlantis"),
        ({"destination": "Poti"}, "origin", "required"),
        ({"origin": "¹", "destination": "Poti"}, "origin", "unknown place"),  # "¹".isdigit()
    ],
)
def test_problem_details_name_the_field(client, body, field, text):
    r = client.post("/api/route", json=body)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    p = r.json()
    assert {"type", "title", "status", "detail"} <= p.keys() and p["status"] == 422
    assert p.get("field") == field or any(e["field"] == field for e in p.get("errors", [])), p
    assert text.lower() in p["detail"].lower()


@pytest.mark.parametrize("path", ["/api/route", "/api/alternatives", "/api/emissions"])
def test_a_body_that_is_not_json_is_named_with_where_and_why(client, path):
    """FastAPI reports ('body', 21) 'JSON decode error' with input {}: the problem said
    field '21', 'JSON decode error', input '{}', none of it the body's fault."""
    r = client.post(
        path, content=b'{"origin": "Almaty", ', headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    p = r.json()
    assert p["field"] == "body" and p["errors"][0]["field"] == "body"
    assert "not valid JSON" in p["detail"] and "character 21" in p["detail"]
    assert "Expecting property name" in p["detail"] and "input" not in p["errors"][0]


def test_no_route_names_the_constraint(client):
    r = client.post(
        "/api/route",
        json={"origin": "Almaty", "destination": "Duisburg", "avoid_countries": ["KZ"]},
    )
    assert r.status_code == 422
    p = r.json()
    assert p["type"] == "/problems/no-route" and "KZ" in p["detail"]


def test_limits(client, toy_app):
    big = b'{"origin": "' + b"x" * (toy_app.state.settings.max_body_bytes + 10) + b'"}'
    r = client.post("/api/route", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["type"] == "/problems/too-large"
    r = client.post("/api/alternatives", json={"origin": "A", "destination": "B", "k": 50})
    assert r.status_code == 422 and r.json()["field"] in ("k",)
    r = client.post(
        "/api/route", json={"origin": "Almaty", "destination": "Poti", "via": ["Baku"] * 9}
    )
    assert r.status_code == 422 and r.json()["field"] == "via"
    assert client.get("/api/places", params={"q": "A", "limit": 500}).status_code == 422


def test_places_type_ahead(client):
    r = client.get("/api/places", params={"q": "Алм"}).json()
    assert r["places"][0]["name"] == "Almaty" and r["places"][0]["country"] == "KZ"
    assert r["places"][0]["lat"] == pytest.approx(43.3, abs=0.2)
    r = client.get("/api/places", params={"q": "Duisb"}).json()
    assert r["places"][0]["name"] == "Duisburg" and r["places"][0]["country"] == "DE"
    r = client.get("/api/places", params={"q": "西安"}).json()
    assert r["places"][0]["name"] in ("Xi'an", "Xian")


def test_off_network_place_starts_at_its_coordinates(client):
    """A gazetteer place off the network: the first-mile leg is drawn from the place itself."""
    r = client.post("/api/route", json={"origin": "Bishkek", "destination": "Duisburg"})
    assert r.status_code == 200, r.text
    route = r.json()["routes"][0]
    first = route["legs"][0]
    assert first["from_node"] == -1 and "first mile" in first["event"]
    line = next(f for f in route["geojson"]["features"] if f["geometry"]["type"] == "LineString")
    lon, lat = line["geometry"]["coordinates"][0]
    assert (lon, lat) == pytest.approx((74.59, 42.87), abs=0.05)  # Bishkek, not a network node
    for f in route["geojson"]["features"]:
        coords = f["geometry"]["coordinates"]
        pts = [coords] if f["geometry"]["type"] == "Point" else coords
        assert all(p[0] is not None and p[1] is not None for p in pts)


def test_network_layers(client):
    links = client.get("/api/network/links.geojson").json()
    modes = {f["properties"]["mode"] for f in links["features"]}
    assert {"rail", "sea"} <= modes
    rail = client.get("/api/network/links.geojson", params={"modes": "rail"}).json()
    assert {f["properties"]["mode"] for f in rail["features"]} == {"rail"}
    assert client.get("/api/network/links.geojson", params={"modes": "hover"}).status_code == 422
    assert client.get("/api/network/nothing.geojson").status_code == 422
    places = client.get("/api/network/places.geojson").json()
    assert any(f["properties"]["name"] == "Aktau" for f in places["features"])


def test_batch_job(client, router, toy_app):
    body = {
        "shipments": [
            {"id": "a", "origin": "Almaty", "destination": "Poti", "quantity": 3},
            {"id": "b", "origin": "Nowhere", "destination": "Poti"},
            {"id": "c", "origin": "Almaty", "destination": "Poti", "quantity": "-1"},
        ]
    }
    r = client.post("/api/jobs/batch", json=body)
    assert r.status_code == 202, r.text
    job = r.json()
    assert r.headers["location"] == f"/api/jobs/{job['id']}"
    for _ in range(200):
        job = client.get(f"/api/jobs/{job['id']}").json()
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert job["state"] == "done" and job["progress"] == 1.0
    res = client.get(job["result_url"]).json()
    assert res["summary"] == {"shipments": 3, "routed": 1, "failed": 2}
    # the job's last word agrees with the summary (it said "2 of 2 routed": the rows that
    # passed the first checks, counted whether the routing then failed or not)
    assert job["message"] == "1 of 3 shipments routed, 2 failed (status 'error' in the results)"
    rows = {r["id"]: r for r in res["tables"]["results"]}
    want = router.route("Almaty", "Poti", "container")
    assert rows["a"]["usd_total"] == pytest.approx(3 * want.usd, abs=0.02)
    assert rows["b"]["row"] == 3 and "origin" in rows["b"]["error"]
    assert rows["c"]["row"] == 4 and "quantity" in rows["c"]["error"]
    csv = client.get(job["result_url"], params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.startswith("row,id,")
    stored = toy_app.state.settings.store / f"job-{job['id']}.json"
    assert stored.is_file()
    assert client.get("/api/jobs/0123456789abcdef").status_code == 404


def test_cors_configurable(toy_dir):
    from fastapi.testclient import TestClient

    from serai.api import Settings, create_app

    app = create_app(Settings(network=toy_dir, cors_origins=("https://example.org",)))
    with TestClient(app) as c:
        r = c.get("/api/health", headers={"Origin": "https://example.org"})
        assert r.headers.get("access-control-allow-origin") == "https://example.org"
        r = c.get("/api/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers


def test_reliability_equals_library(client, router):
    """Reliability on request equals Route.reliability; p90 picks reliable_routes' first."""
    from serai.reliability.objective import reliable_routes

    body = {"origin": "Almaty", "destination": "Duisburg", "month": 1, "deadline_days": 20}
    r = client.post("/api/route", json={**body, "geometry": False})
    assert r.status_code == 200, r.text
    got = r.json()["routes"][0]["reliability"]
    want = router.route("Almaty", "Duisburg", "container").reliability(month=1, deadline_days=20)
    assert got["p90_days"] == pytest.approx(want.p90_days, abs=1e-4)
    assert got["on_time_probability"] == pytest.approx(want.on_time_probability, abs=1e-4)
    assert got["p10_days"] <= got["p50_days"] <= got["p90_days"] <= got["p95_days"]
    assert (
        "reliability"
        not in client.post(
            "/api/route", json={"origin": "Almaty", "destination": "Poti", "geometry": False}
        ).json()["routes"][0]
    )

    r = client.post("/api/route", json={**body, "objective": "p90", "geometry": False})
    assert r.status_code == 200, r.text
    (got,) = r.json()["routes"]
    (best, rel), *_ = reliable_routes(
        router, "Almaty", "Duisburg", "container", objective="p90", month=1, deadline_days=20
    )
    assert got["objective"] == "p90" and got["corridor"] == best.corridor
    assert got["reliability"]["p90_days"] == pytest.approx(rel.p90_days, abs=1e-4)
    g = client.get(
        "/api/route",
        params={"from": "Almaty", "to": "Duisburg", "objective": "p90", "month": 1,
                "deadline_days": 20, "geometry": False},
    )  # fmt: skip
    assert g.json()["routes"][0]["reliability"] == got["reliability"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/route", {"objective": "p99"}, "objective"),
        ("/api/route", {"objective": "mean+11std"}, "objective"),
        ("/api/route", {"month": 13}, "month"),
        ("/api/route", {"deadline_days": 0}, "deadline_days"),
        ("/api/pareto", {"objective": "p90"}, "objective"),
    ],
)
def test_reliability_problems_name_the_field(client, path, body, field):
    r = client.post(path, json={"origin": "Almaty", "destination": "Poti", **body})
    assert r.status_code == 422, r.text
    p = r.json()
    assert p.get("field") == field or any(e["field"] == field for e in p.get("errors", [])), p


def test_web_files_are_served_compressed_once_and_revalidated(client):
    """app.js arrives gzip-compressed (the same bytes once inflated), twice the same;
    a reload with its ETag gets 304; a client without gzip gets the plain file."""
    from serai.api.app import STATIC

    page = STATIC / "app.js"
    if not page.is_file():
        pytest.skip("web app bundle not built")
    plain = page.read_bytes()
    raw = []
    for _ in range(2):
        r = client.get("/static/app.js", headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200
        assert r.headers["content-encoding"] == "gzip"
        assert r.headers["cache-control"] == "no-cache"
        assert r.content == plain  # httpx inflates
        raw.append(int(r.headers["content-length"]))
    assert raw[0] == raw[1] < len(plain) / 2
    r = client.get("/static/app.js", headers={"If-None-Match": r.headers["etag"]})
    assert r.status_code == 304
    r = client.get("/static/app.js", headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200 and "content-encoding" not in r.headers
    assert r.content == plain


def test_route_answers_gzip_once_and_the_same_from_the_cache(client):
    """A route answer is compressed once and cached: the miss, the hit and a client that
    does not take gzip all read the same JSON."""
    q = {  # a carbon price no other test asks for: the first answer is a miss
        "origin": "Almaty",
        "destination": "Duisburg",
        "geometry": True,
        "avoid_countries": ["RU"],
        "carbon_price": 12.345,
    }
    got = []
    for enc in ("gzip", "gzip", "identity"):
        r = client.post("/api/route", json=q, headers={"Accept-Encoding": enc})
        assert r.status_code == 200, r.text
        got.append((r.headers.get("x-cache"), r.headers.get("content-encoding"), r.json()))
    assert [g[:2] for g in got] == [("miss", "gzip"), ("hit", "gzip"), ("hit", None)]
    assert got[0][2] == got[1][2] == got[2][2]
    assert got[0][2]["routes"][0]["geojson"]["features"]


def test_modes_are_the_cli_modes(client, router):
    # one list (serai.modes.MODES) for the CLI's --modes and the API's modes; the API took
    # only rail, road, sea, ferry (a new-user trial: roro, feeder, inland_waterway refused)
    from serai.modes import MODES

    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["RouteQuery"]
    enum = next(a for a in schema["properties"]["modes"]["anyOf"] if a.get("type") == "array")
    assert enum["items"]["enum"] == list(MODES)
    assert {"roro", "feeder", "inland_waterway"} <= set(MODES)
    body = {"origin": "Aktau", "destination": "Alat", "objective": "time",
            "modes": ["road", "roro", "ferry"], "geometry": False}  # fmt: skip
    got = client.post("/api/route", json=body)
    assert got.status_code == 200, got.text
    want = router.route("Aktau", "Alat", objective="time", modes=["road", "roro", "ferry"])
    assert got.json()["routes"][0]["usd"] == pytest.approx(want.usd, abs=1e-3)
    every = client.post("/api/route", json={**body, "modes": list(MODES)})
    assert every.status_code == 200, every.text
