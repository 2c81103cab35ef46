"""Fixtures: the app over the toy network written to disk (fast), and over the embedded one."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the service extra (fastapi) is not installed")


_TOY: list = []


def _toy_dir_for_schema():
    """The toy network on disk (one folder per test process, made at first use)."""
    if not _TOY:
        import tempfile
        from pathlib import Path

        from serai.network import write_network
        from tests.freight.toy import toy_network

        path = Path(tempfile.mkdtemp(prefix="serai-toy-")) / "net"
        write_network(toy_network(), path, format="csv")
        _TOY.append(path)
    return _TOY[0]


@pytest.fixture(scope="session")
def toy_dir():
    return _toy_dir_for_schema()


@pytest.fixture(scope="session")
def toy_app(toy_dir, tmp_path_factory):
    from serai.api import Settings, create_app

    return create_app(Settings(network=toy_dir, store=tmp_path_factory.mktemp("store")))


@pytest.fixture(scope="session")
def client(toy_app):
    from fastapi.testclient import TestClient

    with TestClient(toy_app) as c:
        yield c
