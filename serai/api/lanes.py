"""Serving lanes: ``serai serve --lanes``, one process per core, each answering routes itself.

A new route answer is ~1.5 ms of CPU, most of it Python; one process answers one at a time.
Route worker processes (:mod:`serai.api.workers`) computed answers on every core but each
question and answer crossed a socket between the serving process and a worker: per answer
two more processes woken, on another core, ~0.4 ms of the serving process's CPU and the
workers preempted ~2 times (BENCHMARKS.md, "Issue 16, session 12"). With lanes the serving
process forks ``n - 1`` copies of itself after the routing graph is loaded (the graph shared
copy-on-write, nothing read again); each process has its own listening socket on the same
port (``SO_REUSEPORT``: the kernel spreads new connections over them) and answers the
requests of its connections on its own event loop: a route question is read, searched,
written and sent by one process.

State that must be one for the whole service stays in the first process (the *main*): the
background jobs and the run store. A lane forwards a request under :data:`FORWARDED`
(``/api/jobs``, ``/api/runs``) to the main over a Unix socket (:class:`Forward`) and sends
its answer back as it comes; everything else (routes, places, layers, the web app) is
answered where it arrives. Each lane keeps its own response caches.

A lane stops with the main (``PR_SET_PDEATHSIG`` on Linux, and the main stops its lanes
when it exits). Lanes need ``fork`` and ``SO_REUSEPORT`` (Linux). Without ``--lanes`` (the
default) one serving process hands new questions to route workers (:mod:`serai.api.workers`):
a slow answer then holds one worker, not every connection of a process, so the tails are
shorter (BENCHMARKS.md, "Issue 16, session 13").

Examples
--------
>>> from serai.api.lanes import forwarded
>>> forwarded("/api/jobs/abc/result"), forwarded("/api/route")
(True, False)
"""

from __future__ import annotations

import os
import signal
import socket
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["FORWARDED", "Forward", "Lanes", "forwarded", "lanes_supported"]

FORWARDED = ("/api/jobs", "/api/runs")  # one state for the service: answered by the main

# hop-by-hop headers (RFC 9110 7.6.1) are not passed on
_HOP = frozenset(
    (b"connection", b"keep-alive", b"transfer-encoding", b"te", b"trailer", b"upgrade",
     b"proxy-connection", b"proxy-authenticate", b"proxy-authorization")
)  # fmt: skip


def forwarded(path: str) -> bool:
    """Is a request for ``path`` answered by the main process (jobs, runs)?"""
    return any(path == p or path.startswith(p + "/") for p in FORWARDED)


def lanes_supported() -> bool:
    """``fork`` and ``SO_REUSEPORT`` available (Linux)."""
    return (
        sys.platform.startswith("linux")
        and hasattr(os, "fork")
        and hasattr(socket, "SO_REUSEPORT")
        and hasattr(socket, "AF_UNIX")
    )


class Lanes:
    """The sockets and processes of ``n`` serving lanes on ``host:port`` (``port`` 0: a free
    port chosen by the system, the same for every lane).

    Make it before forking anything (:meth:`fork` in the process that loaded the graph);
    :attr:`index` is 0 in the main process, 1..n-1 in the lanes.
    """

    def __init__(self, host: str, port: int, n: int) -> None:
        import tempfile

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.n = n
        self.index = 0
        self.pids: list[int] = []
        self.sockets: list[socket.socket] = []
        try:
            for _ in range(n):
                s = socket.socket(family)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                s.bind((host.strip("[]"), port))
                port = s.getsockname()[1]  # the first one's, when 0 was asked
                self.sockets.append(s)
        except OSError:
            self.close_sockets()
            raise
        self.port = port
        self.folder = tempfile.mkdtemp(prefix="serai-lanes-")
        if len(self.folder) > 90:  # a Unix socket's path has at most ~107 bytes
            os.rmdir(self.folder)
            self.folder = tempfile.mkdtemp(prefix="serai-lanes-", dir="/tmp")
        self.path = os.path.join(self.folder, "main.sock")
        self.unix = socket.socket(socket.AF_UNIX)
        self.unix.bind(self.path)

    def close_sockets(self) -> None:
        for s in self.sockets:
            s.close()

    def fork(self) -> int:
        """Fork the lanes; return this process's index (0: the main). Call before any thread
        is started (the graph is shared copy-on-write)."""
        import gc

        gc.collect()
        gc.freeze()  # the loaded objects are not scanned again: their pages stay shared
        for i in range(1, self.n):
            pid = os.fork()
            if pid == 0:
                self.index, self.pids = i, []
                _die_with_parent()
                break
            self.pids.append(pid)
        keep = self.sockets[self.index]
        for i, s in enumerate(self.sockets):
            if i != self.index:
                s.close()
        self.sockets = [keep]
        if self.index:
            self.unix.close()
        return self.index

    def listening(self) -> list[socket.socket]:
        """The sockets this process serves: its TCP socket (and, in the main, the Unix
        socket the lanes forward to)."""
        return self.sockets + ([self.unix] if self.index == 0 else [])

    def stop(self, timeout: float = 10.0) -> None:
        """In the main: stop the lanes (SIGTERM: uvicorn's graceful stop), wait for them
        (SIGKILL after ``timeout`` s) and remove the Unix socket's folder it made."""
        import shutil
        import time

        if self.index:
            return
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        end = time.monotonic() + timeout
        left = list(self.pids)
        while left:
            for pid in list(left):
                try:
                    done, _ = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done = pid
                if done:
                    left.remove(pid)
            if left and time.monotonic() > end:
                for pid in left:
                    try:
                        os.kill(pid, signal.SIGKILL)
                        os.waitpid(pid, 0)
                    except (ProcessLookupError, ChildProcessError):
                        pass
                break
            if left:
                time.sleep(0.05)
        self.pids = []
        self.unix.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _die_with_parent() -> None:
    """Linux: this process gets SIGTERM when its parent (the main) dies."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the call
            os.kill(os.getpid(), signal.SIGTERM)
    except Exception:  # no prctl: the main still stops its lanes when it exits
        pass


class Forward:
    """ASGI app of a lane: requests under :data:`FORWARDED` go to the main process over its
    Unix socket ``path`` (httpx), the rest to ``app``.

    The request (method, path, query, headers but hop-by-hop ones, body streamed) is sent
    as it came; the answer's status, headers and body (streamed, not decoded) come back as
    they are. If the main cannot be reached the client gets a 503 problem document.
    """

    def __init__(self, app: Callable, path: str) -> None:
        self.app, self.path = app, path
        self._client: Any = None

    def client(self) -> Any:
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(
                transport=httpx.AsyncHTTPTransport(uds=self.path),
                timeout=httpx.Timeout(None, connect=10.0),
            )
        return self._client

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or not forwarded(scope["path"]):
            return await self.app(scope, receive, send)
        import httpx

        async def body() -> Any:
            while True:
                msg = await receive()
                if msg["type"] != "http.request":
                    return
                if msg.get("body"):
                    yield msg["body"]
                if not msg.get("more_body", False):
                    return

        headers = [(k, v) for k, v in scope.get("headers") or () if k not in _HOP]
        target = scope.get("raw_path") or scope["path"].encode()
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]
        client = self.client()
        has_body = scope["method"] not in ("GET", "HEAD", "DELETE", "OPTIONS")
        req = client.build_request(
            scope["method"],
            httpx.URL("http://serai-main").copy_with(raw_path=target),
            headers=headers,
            content=body() if has_body else None,
        )
        try:
            resp = await client.send(req, stream=True)
        except httpx.HTTPError as exc:
            from serai.api.problems import problem_response

            out = problem_response(
                503, "unavailable", f"the service's main process did not answer ({exc})",
                instance=scope["path"],
            )  # fmt: skip
            return await out(scope, receive, send)
        try:
            raw = [(k.lower(), v) for k, v in resp.headers.raw if k.lower() not in _HOP]
            await send({"type": "http.response.start", "status": resp.status_code,
                        "headers": raw})  # fmt: skip
            async for chunk in resp.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await resp.aclose()
