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


def _app():
    from tests.api.conftest import _toy_dir_for_schema

    return create_app(Settings(network=_toy_dir_for_schema(), max_jobs=10_000, max_batch_rows=50))


schema = schemathesis.openapi.from_asgi("/api/openapi.json", _app())

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
