"""Route answers computed in worker processes forked after the routers are loaded.

A route answer is mostly Python (legs, JSON, the checks of the question) around a search
that releases the GIL; in one process the Python parts of concurrent requests take
turns on one core, and the event loop that answers cached questions waits for them.
With ``Settings.route_processes = N`` (``SERAI_ROUTE_PROCESSES``), the service forks N
worker processes when it starts (the routers already loaded are shared copy-on-write,
nothing is read again) and sends each route question that is not in the response cache
to one of them: the answer (JSON bytes and their gzip form) comes back, the serving
process keeps the cache, the jobs and everything else. Errors are raised again in the
serving process as the same exception (a problem document naming the field).

Each worker is joined to the serving process by a socket pair: the serving process writes
a question (length-prefixed pickle) to an idle worker and reads the answer on its event loop,
with no thread in between (``concurrent.futures.ProcessPoolExecutor`` took ~0.6 ms of the
serving process's CPU per question in its feeder and manager threads; this ~0.05 ms).

Fork needs a POSIX system; elsewhere, or when a worker dies, questions are answered in
threads as without workers.

``serai serve --lanes`` uses none: each of its processes answers its own connections
(:mod:`serai.api.lanes`; no question or answer crosses between processes).
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
import pickle
import signal
import socket
import struct
import sys
import warnings
from collections import deque
from typing import Any

__all__ = ["RouteProcesses"]

_STATE: dict[str, Any] = {}  # (pool, settings) of the serving process, inherited by fork


_HEAD = struct.Struct("!Q")  # length of the pickled message that follows


def _serve(sock: socket.socket, others: list[socket.socket]) -> None:
    """A worker's loop: read a question, write its answer, until the serving process closes
    the socket (or dies)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the serving process, not us
    for s in others:  # the serving process's ends, inherited by fork
        s.close()
    f = sock.makefile("rwb")
    while True:
        head = f.read(_HEAD.size)
        if len(head) < _HEAD.size:
            return
        kind, model, q_json, year = pickle.loads(f.read(_HEAD.unpack(head)[0]))
        reply = pickle.dumps(_child_answer(kind, model, q_json, year), protocol=5)
        f.write(_HEAD.pack(len(reply)) + reply)
        f.flush()


def _child_answer(kind: str, model: str, q_json: str, year: Any) -> tuple[str, Any]:
    """In a worker: the answer of one question (or its exception, as picklable parts)."""
    from serai.api import models as m
    from serai.api.responses import slim
    from serai.api.routes import answer

    pool, settings = _STATE["pool"], _STATE["settings"]
    try:
        q = getattr(m, model).model_validate_json(q_json)
        return "ok", slim(pool.call(year, lambda router: answer(kind, q, router, settings)))
    except Exception as exc:  # raised again by the serving process
        return "error", _dump_exc(exc)


def _dump_exc(exc: BaseException) -> tuple[str, str, tuple, dict]:
    cls = type(exc)
    state = dict(getattr(exc, "__dict__", {}))
    try:
        pickle.dumps((exc.args, state))
    except Exception:  # parts that do not pickle: the message only
        return "builtins", "RuntimeError", (f"{cls.__name__}: {exc}",), {}
    return cls.__module__, cls.__qualname__, exc.args, state


def _load_exc(parts: tuple[str, str, tuple, dict]) -> BaseException:
    module, name, args, state = parts
    try:
        cls = getattr(importlib.import_module(module), name)
        exc = cls.__new__(cls)
        exc.args = args
        exc.__dict__.update(state)
        return exc
    except Exception:
        return RuntimeError(*args)


class _Worker:
    """The serving process's end of one worker: its process and socket (a protocol on the
    event loop, opened at first use). Up to :data:`DEPTH` questions are sent ahead: the
    worker finds its next question in the socket as soon as it answered one (no round trip
    through the event loop in between); answers come back in order and the protocol hands
    each to the question that waits for it as its bytes arrive (no reader task, no stream
    buffer in between)."""

    def __init__(self, proc: Any, sock: socket.socket) -> None:
        self.proc, self.sock = proc, sock
        self.transport: asyncio.Transport | None = None
        self.waiting: deque[asyncio.Future] = deque()
        self.closed = False

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        self.transport, _ = await loop.create_connection(lambda: _Replies(self), sock=self.sock)

    def ask(self, message: bytes) -> asyncio.Future:
        """Send ``message``; the future of its answer (set by :class:`_Replies`)."""
        if self.transport is None or self.closed:
            raise ConnectionError("route worker process gone")
        fut = asyncio.get_running_loop().create_future()
        self.waiting.append(fut)
        self.transport.write(_HEAD.pack(len(message)) + message)
        return fut

    def fail(self) -> None:
        """The worker is gone: its questions go to the threads."""
        self.closed = True
        while self.waiting:
            fut = self.waiting.popleft()
            if not fut.done():
                fut.set_exception(ConnectionError("route worker process gone"))


class _Replies(asyncio.Protocol):
    """Reads a worker's answers (length-prefixed pickles) and hands them out in order."""

    def __init__(self, worker: _Worker) -> None:
        self.worker = worker
        self.buf = bytearray()

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        size = _HEAD.size
        while len(buf) >= size:
            n = _HEAD.unpack_from(buf)[0]
            if len(buf) < size + n:
                return
            try:
                with memoryview(buf) as view, view[size : size + n] as part:
                    out = pickle.loads(part)
            except Exception:  # a broken message: the link is unusable
                self.worker.fail()
                if self.worker.transport is not None:
                    self.worker.transport.close()
                return
            del buf[: size + n]
            waiting = self.worker.waiting
            fut = waiting.popleft() if waiting else None
            if fut is not None and not fut.done():
                fut.set_result(out)

    def connection_lost(self, exc: Exception | None) -> None:
        self.worker.fail()


DEPTH = 2  # questions sent ahead to each worker


class RouteProcesses:
    """``n`` forked worker processes answering route questions (see the module's text)."""

    def __init__(self, pool: Any, settings: Any, n: int) -> None:
        self.pool, self.settings, self.n = pool, settings, n
        self.workers: list[_Worker] = []
        self._idle: asyncio.Queue[_Worker | None] | None = None
        self._opening = asyncio.Lock()

    @property
    def executor(self) -> list[_Worker] | None:
        """The live workers (None when there are none: answers come from threads)."""
        return self.workers or None

    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        return [w.proc.pid for w in self.workers]

    def start(self) -> bool:
        """Fork the workers now (call before the process starts threads); False if none."""
        if (
            self.n <= 0
            or sys.platform == "win32"
            or "fork" not in multiprocessing.get_all_start_methods()
        ):
            return False
        _STATE.update(pool=self.pool, settings=self.settings)
        ctx = multiprocessing.get_context("fork")
        pairs = [socket.socketpair() for _ in range(self.n)]
        mine = [a for a, _ in pairs]
        with warnings.catch_warnings():  # 3.12+: fork with threads alive (we have none yet)
            warnings.simplefilter("ignore", DeprecationWarning)
            for a, b in pairs:
                proc = ctx.Process(target=_serve, args=(b, mine), daemon=True)
                proc.start()
                b.close()
                self.workers.append(_Worker(proc, a))
        return True

    async def answer(
        self, kind: str, q: Any, year: Any, q_json: str | None = None
    ) -> tuple[bytes | None, bytes | None] | None:
        """The answer from a worker (:func:`~serai.api.responses.slim`); None when there are
        no (more) workers. ``q_json``: ``q.model_dump_json()`` when the caller has it."""
        if not self.workers:
            return None
        if self._idle is None:
            async with self._opening:
                if self._idle is None:
                    for w in self.workers:
                        await w.open()
                    idle: asyncio.Queue[_Worker | None] = asyncio.Queue()
                    for _ in range(DEPTH):
                        for w in self.workers:
                            idle.put_nowait(w)
                    self._idle = idle
        q_json = q.model_dump_json() if q_json is None else q_json
        message = pickle.dumps((kind, type(q).__name__, q_json, year), protocol=5)
        w = await self._idle.get()
        if w is None or not self.workers:  # shut down: pass the word on to the next waiter
            self._idle.put_nowait(None)
            return None
        try:
            fut = w.ask(message)
        except OSError:  # the worker died (its link was lost)
            self.shutdown()
            return None
        # the worker is free for another question once this one is answered, even if the
        # request is cancelled meanwhile (its answer is read all the same, so
        # the socket stays in step)
        fut.add_done_callback(lambda _f, w=w: self._idle.put_nowait(w))  # type: ignore[union-attr]
        try:
            status, payload = await fut
        except OSError:  # the worker died (ConnectionError from its link): threads now
            self.shutdown()
            return None
        if status == "error":
            raise _load_exc(payload)
        return payload

    def shutdown(self) -> None:
        workers, self.workers = self.workers, []
        if self._idle is not None:  # questions waiting for a worker go to the threads
            self._idle.put_nowait(None)
        for w in workers:
            w.closed = True
            try:
                if w.transport is not None:
                    w.transport.close()
                else:
                    w.sock.close()
            except Exception:  # closing at exit: nothing to report
                pass
        for w in workers:  # the workers exit at end of input; a stuck one is stopped
            w.proc.join(timeout=2)
            if w.proc.is_alive():
                w.proc.terminate()
