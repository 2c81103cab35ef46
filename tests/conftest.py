"""Shared fixtures: the SiouxFalls copy in tests/data, and the shared TNTP folder when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# `serai route` processes of the tests ask running servers but never start one in the
# background (serai._autostart): only tests/cli/test_route_autostart.py starts them, in a
# folder of its own, and stops them
os.environ["SERAI_ROUTE_SERVER"] = "use"

DATA = Path(__file__).parent / "data"
SIOUX = DATA / "SiouxFalls"


def tntp_root() -> Path | None:
    """The shared TNTP folder (env SERAI_TNTP_ROOT, else ../shared/data/tntp beside the repo)."""
    env = os.environ.get("SERAI_TNTP_ROOT")
    candidates = [Path(env)] if env else []
    repo = Path(__file__).resolve().parents[1]
    candidates += [
        repo.parent / "shared" / "data" / "tntp",
        repo.parent.parent / "shared" / "data" / "tntp",
    ]
    for c in candidates:
        if (c / "Chicago-Sketch").is_dir():
            return c
    return None


def tntp_net(name: str, folder: str) -> Path:
    """Path to a shared TNTP net file, or skip the test with the reason."""
    root = tntp_root()
    if root is None:
        pytest.skip("shared TNTP data not found (set SERAI_TNTP_ROOT or place ../shared/data/tntp)")
    return root / folder / f"{name}_net.tntp"


@pytest.fixture(scope="session")
def sioux_net():
    from serai.network import read_network

    return read_network(SIOUX / "SiouxFalls_net.tntp")


@pytest.fixture(scope="session", autouse=True)
def _router_cache(tmp_path_factory):
    """Keep the on-disk router cache of the test run out of the user's ~/.cache."""
    if "SERAI_CACHE_DIR" not in os.environ:
        os.environ["SERAI_CACHE_DIR"] = str(tmp_path_factory.mktemp("serai-cache"))
    yield


@pytest.fixture(scope="module")
def serai_serve():
    """Start ``serai serve`` processes: ``serai_serve(*args, timeout=, env=)`` -> base URL.

    Each server runs until the end of the test module (see :func:`tests.live.serve_process`).
    """
    from contextlib import ExitStack

    from tests.live import serve_process

    with ExitStack() as stack:

        def start(*args: str, timeout: float = 120.0, env: dict | None = None) -> str:
            return stack.enter_context(serve_process(*args, timeout=timeout, env=env))

        yield start
