"""`serai serve` as a real process for tests: a free port, start, wait until it answers, stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest


def serve_processes(cache_dir: str | os.PathLike) -> list[int]:
    """Process ids of this user's ``serai serve`` processes using ``cache_dir`` (Linux /proc;
    [] elsewhere): what a test must not leave behind."""
    want = f"SERAI_CACHE_DIR={os.fspath(cache_dir)}".encode()
    found = []
    for d in Path("/proc").glob("[0-9]*"):
        try:
            if d.stat().st_uid != os.getuid():
                continue
            cmd = (d / "cmdline").read_bytes().split(b"\0")
            state = (d / "stat").read_text().rsplit(")", 1)[1].split()[0]
            env = (d / "environ").read_bytes().split(b"\0")
        except (OSError, IndexError):
            continue
        if b"serve" in cmd and b"serai" in b" ".join(cmd) and want in env and state != "Z":
            found.append(int(d.name))
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_process(
    *args: str, timeout: float = 120.0, env: Mapping[str, str] | None = None
) -> Iterator[str]:
    """Run ``serai serve --port <free> *args``; yield its base URL once /api/health answers 200.

    The test fails with the server's stderr if it exits first, or after ``timeout``
    seconds without an answer. Stopped with SIGINT (uvicorn's graceful stop), killed
    if it has not exited 30 s later.
    """
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "serai", "serve", "--port", str(port), *args],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"serai serve exited: {proc.stderr.read()}")
            try:
                with urllib.request.urlopen(base + "/api/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail(f"serai serve did not answer within {timeout:.0f} s")
        yield base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # pragma: no cover
                proc.kill()
                proc.wait()
