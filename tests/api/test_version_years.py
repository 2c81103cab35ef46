"""``GET /api/version`` says which years the service serves (``years``: first, last), so a
client (the web app's year boxes) can offer those and no others.

Before: the web app offered 1990-2100 while the service answers only the network's years
(2013-2030 for the embedded network) and refused the others with a 422. Oracle: the service's
own answers (a year is served when ``/api/places?year=`` is answered, refused with 422 naming
``year`` otherwise), asked around the bounds it gives.
"""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the service extra (fastapi) is not installed")


@pytest.fixture(scope="module")
def embedded():
    from fastapi.testclient import TestClient

    from serai.api import Settings, create_app

    with TestClient(create_app(Settings(route_processes=0))) as c:
        yield c


def test_the_years_given_are_exactly_the_years_served(embedded):
    years = embedded.get("/api/version").json()["years"]
    assert isinstance(years, list) and len(years) == 2
    first, last = years
    assert first < last
    for y in (first - 1, first, last, last + 1):
        r = embedded.get("/api/places", params={"q": "Ala", "year": y})
        if first <= y <= last:
            assert r.status_code == 200, (y, r.text)
        else:
            assert r.status_code == 422 and r.json()["field"] == "year", (y, r.text)
            assert f"{first}..{last}" in r.json()["detail"]


def test_a_network_without_years_says_none(client):
    """The toy network declares no years (any year is taken): ``years`` is null."""
    from serai.data.years import covered_years

    assert covered_years(client.app.state.settings.network) is None
    v = client.get("/api/version").json()
    assert "years" in v and v["years"] is None
