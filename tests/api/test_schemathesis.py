"""Property-based API tests generated from the OpenAPI schema (schemathesis).

For every operation, schemathesis generates valid requests (and some invalid
ones) and checks: no 5xx, the status code is declared, the content type is
declared, and the body matches the declared schema. The examples are bounded
(``max_examples``) so the suite stays fast; ``make fuzz``-style longer runs can
raise SERAI_SCHEMATHESIS_EXAMPLES.
"""

from __future__ import annotations

import os

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis import checks  # noqa: E402

from serai.api import Settings, create_app  # noqa: E402

EXAMPLES = int(os.environ.get("SERAI_SCHEMATHESIS_EXAMPLES", "8"))


HEAVY = ("chain", "flows", "scenario-run", "scenario-compare", "scenario-appraise")


def _app(**kw):
    from tests.api.conftest import _toy_dir_for_schema

    return create_app(Settings(network=_toy_dir_for_schema(), max_batch_rows=50, **kw))


# every operation, batch jobs run; the heavy job kinds (minutes each on the Eurasian network)
# are checked on a second app whose queue is full: their requests are validated (422) or
# refused with a declared 503, and nothing runs in the background of the test session
schema = schemathesis.openapi.from_asgi(
    "/api/openapi.json", _app(max_jobs=10_000, job_kinds=("batch",))
)
heavy = schemathesis.openapi.from_asgi("/api/openapi.json", _app(max_jobs=0)).include(
    path_regex="^/api/jobs/(" + "|".join(HEAVY) + ")$"
)

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_openapi_contract(case):
    case.call_and_validate(checks=CHECKS)


@heavy.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_openapi_contract_heavy_jobs(case):
    r = case.call()
    if r.status_code >= 500:  # only the refusal of a full queue
        assert r.status_code == 503 and r.json()["type"] == "/problems/busy", r.text
    assert r.status_code != 202  # nothing runs
    case.validate_response(r, checks=CHECKS[1:])
