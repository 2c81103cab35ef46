"""One limit on the number of alternative routes: `serai route --alternatives`, the Python API
and the service (``POST /api/alternatives`` ``k``, ``Settings.max_alternatives``).

Before: the service refused k > 8 (422) while `serai route --alternatives 50` was accepted
(and 51 refused as "field 'alternatives': alternatives must be <= 50", naming no option).
Oracle: the service's own answer on the toy network (the route server is the same code).
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from serai.cli import app
from serai.network import write_network
from tests.freight.toy import toy_network


@pytest.fixture(scope="module")
def net_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("toy") / "net"
    write_network(toy_network(), path, format="csv")
    return path


@pytest.fixture(scope="module")
def service_limit(net_dir):
    """The largest k the service answers and the smallest it refuses, asked over HTTP."""
    pytest.importorskip("fastapi", reason="the service extra (fastapi) is not installed")
    from fastapi.testclient import TestClient

    from serai.api import Settings, create_app

    body = {"origin": "Shanghai", "destination": "Rotterdam", "geometry": False}
    with TestClient(create_app(Settings(network=net_dir))) as c:
        ok = [
            k for k in range(1, 12) if c.post("/api/alternatives", json={**body, "k": k}).is_success
        ]
        refused = c.post("/api/alternatives", json={**body, "k": max(ok) + 1})
    assert ok == list(range(1, max(ok) + 1))
    assert refused.status_code == 422 and refused.json()["field"] == "k"
    return max(ok)


def _cli(net_dir, k):
    args = ["route", "--from", "Shanghai", "--to", "Rotterdam", "--network", str(net_dir)]
    return CliRunner().invoke(app, [*args, "--alternatives", str(k), "--json", "--no-server"])


def test_the_cli_answers_what_the_service_answers(net_dir, service_limit):
    r = _cli(net_dir, service_limit)
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("over", [1, 42])
def test_the_cli_refuses_what_the_service_refuses_naming_the_option(net_dir, service_limit, over):
    r = _cli(net_dir, service_limit + over)
    assert r.exit_code == 2, r.output
    line = r.output.strip()
    assert "\n" not in line and "--alternatives" in line, line
    assert f"1..{service_limit}" in line and str(service_limit + over) in line, line


def test_the_python_api_has_the_same_limit(net_dir, service_limit):
    from serai.errors import InputError
    from serai.freight import Router, build_routing_graph
    from serai.network import read_network

    router = Router(build_routing_graph(read_network(net_dir)))
    assert len(router.alternatives("Shanghai", "Rotterdam", k=service_limit)) >= 1
    with pytest.raises(InputError, match=f"1..{service_limit}") as e:
        router.alternatives("Shanghai", "Rotterdam", k=service_limit + 1)
    assert e.value.field == "k"
