"""Hypothesis profiles: a quick one for `make test`, a long one for `make fuzz` (SERAI_FUZZ=1)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "serai-fast",
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "serai-fuzz",
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("serai-fuzz" if os.environ.get("SERAI_FUZZ") else "serai-fast")
