"""The HTTP protocol of `serai serve` (serai.api.http_protocol): each response in one write,
and HTTP as uvicorn's own protocol serves it (keep-alive, streaming, closing)."""

from __future__ import annotations

import asyncio
import http.client
import socket
import threading
import time

import pytest

from serai.api.http_protocol import HOLD_LIMIT, Corked, protocol


class _Sink:
    """A transport that records what is written to it."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = self.aborted = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed or self.aborted

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default=None):
        return ("127.0.0.1", 1) if name == "peername" else default


def test_writes_of_one_loop_turn_go_out_as_one():
    async def run() -> list[bytes]:
        sink = _Sink()
        t = Corked(sink, asyncio.get_running_loop())
        buf = bytearray(b"body")
        t.write(b"head ")
        t.write(buf)
        buf[:] = b"XXXX"  # a buffer changed after the call: what was written is kept
        t.write(b"")
        assert sink.writes == []
        await asyncio.sleep(0)
        t.write(b"next")
        await asyncio.sleep(0)
        return sink.writes

    assert asyncio.run(run()) == [b"head body", b"next"]


def test_a_large_write_goes_out_at_once():
    async def run() -> list[bytes]:
        sink = _Sink()
        t = Corked(sink, asyncio.get_running_loop())
        t.write(b"head")
        t.write(b"x" * HOLD_LIMIT)  # the transport's flow control sees it now
        assert sink.writes == [b"head" + b"x" * HOLD_LIMIT]
        assert t.get_write_buffer_size() == 0
        await asyncio.sleep(0)
        return sink.writes

    assert len(asyncio.run(run())) == 1


def test_close_sends_what_is_held_abort_drops_it():
    async def run() -> tuple[_Sink, _Sink]:
        loop = asyncio.get_running_loop()
        a, b = _Sink(), _Sink()
        ta, tb = Corked(a, loop), Corked(b, loop)
        ta.write(b"last words")
        ta.close()
        tb.write(b"dropped")
        tb.abort()
        await asyncio.sleep(0)
        assert ta.is_closing() and ta.get_extra_info("peername") == ("127.0.0.1", 1)
        return a, b

    a, b = asyncio.run(run())
    assert a.writes == [b"last words"] and a.closed
    assert b.writes == [] and b.aborted


async def _app(scope, receive, send):
    """A small ASGI app: ``/stream`` answers in chunks with pauses, anything else echoes."""
    if scope["type"] != "http":
        return
    body = b""
    while True:
        msg = await receive()
        body += msg.get("body", b"")
        if not msg.get("more_body"):
            break
    if scope["path"] == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for part in (b"one,", b"two,", b"three"):
            await asyncio.sleep(0.01)
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    out = scope["method"].encode() + b" " + body
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-length", str(len(out)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": out})


@pytest.fixture(scope="module")
def server():
    uvicorn = pytest.importorskip("uvicorn")
    pytest.importorskip("httptools")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(_app, host="127.0.0.1", port=port, log_level="warning", http=protocol())
    srv = uvicorn.Server(config)
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield port
    srv.should_exit = True
    th.join(timeout=10)


def test_protocol_serves_http_as_uvicorn_does(server):
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    for i in range(3):  # keep-alive: three answers on one connection
        conn.request("POST", "/echo", body=f"question {i}".encode())
        r = conn.getresponse()
        assert (r.status, r.read()) == (200, f"POST question {i}".encode())
        assert r.getheader("content-length") == str(len(f"POST question {i}"))
    conn.request("GET", "/stream")  # chunks written across turns of the loop
    r = conn.getresponse()
    assert r.getheader("transfer-encoding") == "chunked"
    assert r.read() == b"one,two,three"
    conn.request("GET", "/bye", headers={"Connection": "close"})
    r = conn.getresponse()
    assert r.read() == b"GET "
    assert r.getheader("connection") == "close"
    conn.close()
