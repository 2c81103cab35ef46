"""The HTTP protocol `serai serve` gives uvicorn: httptools, a response sent in one write.

uvicorn (httptools) writes a response's head and its body with two ``transport.write``
calls, each a ``write`` system call and, on a TCP connection, a segment through the
kernel's network stack that wakes the client once for the head and once more for the
body. :func:`protocol` returns uvicorn's httptools protocol with a transport that joins
the writes of one turn of the event loop into one (:class:`Corked`): a whole answer
leaves in one system call and one segment (a route answer's head and gzip body, ~5 kB),
nothing waits longer than the callbacks already queued on the loop.

Examples
--------
>>> import asyncio
>>> class Sink:
...     def __init__(self):
...         self.writes = []
...     def write(self, data):
...         self.writes.append(data)
...     def is_closing(self):
...         return False
>>> async def two_writes():
...     sink = Sink()
...     t = Corked(sink, asyncio.get_running_loop())
...     t.write(b"HTTP/1.1 200 OK\\r\\n\\r\\n")
...     t.write(b"{}")
...     await asyncio.sleep(0)
...     return sink.writes
>>> asyncio.run(two_writes())
[b'HTTP/1.1 200 OK\\r\\n\\r\\n{}']
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["HOLD_LIMIT", "Corked", "protocol"]

HOLD_LIMIT = 1 << 16  # bytes held at most before they are written (a turn's writes above: at once)


class Corked:
    """A transport whose writes made in one turn of the event loop are sent as one write
    (at the end of the turn: a callback queued on the loop at the first of them); closing
    sends what is held first, aborting drops it. Everything else is the wrapped
    transport's."""

    __slots__ = ("_held", "_loop", "_size", "_transport")

    def __init__(self, transport: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._transport, self._loop = transport, loop
        self._held: list[bytes] = []
        self._size = 0

    def write(self, data: Any) -> None:
        if not data:
            return
        if not self._held:
            self._loop.call_soon(self._flush)
        # a buffer the caller may change after the call is copied (bytes are kept as they are)
        self._held.append(data if type(data) is bytes else bytes(data))
        self._size += len(data)
        if self._size >= HOLD_LIMIT:  # a large stream written without a pause: at once, so
            self._flush()  # the transport's flow control (pause_writing) sees it as before

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def _flush(self) -> None:
        held = self._held
        if not held:
            return
        self._held, self._size = [], 0
        if not self._transport.is_closing():
            self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def write_eof(self) -> None:
        self._flush()
        self._transport.write_eof()

    def abort(self) -> None:
        self._held, self._size = [], 0
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + self._size

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def protocol() -> Any:
    """uvicorn's httptools protocol on a :class:`Corked` transport (for ``uvicorn.Config(
    http=...)``); ``"auto"`` (uvicorn's choice) when httptools is not installed."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # no httptools: uvicorn's h11 protocol
        return "auto"

    class CorkedHttpTools(HttpToolsProtocol):
        """uvicorn's httptools protocol writing each response in one write."""

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(Corked(transport, self.loop))

    return CorkedHttpTools
