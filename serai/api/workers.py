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

Fork needs a POSIX system; elsewhere, or when a worker dies, questions are answered in
threads as without workers.
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
import os
import pickle
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

__all__ = ["RouteProcesses"]

_STATE: dict[str, Any] = {}  # (pool, settings) of the serving process, inherited by fork


def _ping() -> int:
    return os.getpid()


def _child_answer(kind: str, model: str, q_json: str, year: Any) -> tuple[str, Any]:
    """In a worker: the answer of one question (or its exception, as picklable parts)."""
    from serai.api import models as m
    from serai.api.routes import answer

    pool, settings = _STATE["pool"], _STATE["settings"]
    try:
        q = getattr(m, model).model_validate_json(q_json)
        return "ok", pool.call(year, lambda router: answer(kind, q, router, settings))
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


class RouteProcesses:
    """``n`` forked worker processes answering route questions (see the module's text)."""

    def __init__(self, pool: Any, settings: Any, n: int) -> None:
        self.pool, self.settings, self.n = pool, settings, n
        self.executor: ProcessPoolExecutor | None = None

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
        with warnings.catch_warnings():  # 3.12+: fork with threads alive (we have none yet)
            warnings.simplefilter("ignore", DeprecationWarning)
            self.executor = ProcessPoolExecutor(self.n, mp_context=ctx)
            # with fork, the executor starts all its processes at the first task
            self.executor.submit(_ping).result()
        return True

    async def answer(self, kind: str, q: Any, year: Any) -> tuple[bytes, bytes | None] | None:
        """The answer from a worker; None when there are no (more) workers."""
        ex = self.executor
        if ex is None:
            return None
        loop = asyncio.get_running_loop()
        try:
            status, payload = await loop.run_in_executor(
                ex, _child_answer, kind, type(q).__name__, q.model_dump_json(), year
            )
        except BrokenProcessPool:  # a worker died (memory?): threads from now on
            self.executor = None
            ex.shutdown(wait=False, cancel_futures=True)
            return None
        if status == "error":
            raise _load_exc(payload)
        return payload

    def shutdown(self) -> None:
        ex, self.executor = self.executor, None
        if ex is not None:
            ex.shutdown(wait=False, cancel_futures=True)
