"""Background jobs: long work (batches, flows, scenarios, runs) with an id and progress.

A feature adds a job kind with one call; the app then serves
``POST /api/jobs/{kind}`` (the body validated by the kind's pydantic model),
``GET /api/jobs/{id}`` (state and progress) and ``GET /api/jobs/{id}/result``::

    from pydantic import BaseModel
    from serai.api.jobs import job_kind

    class FlowsRequest(BaseModel):
        year: int = 2030

    @job_kind("flows", FlowsRequest, summary="Corridor flows with capacities")
    def run_flows(req: FlowsRequest, ctx):      # runs in a worker thread
        ctx.progress(0.1, "loading demand")
        ...
        return {"links": table.to_dict(orient="records")}   # JSON-ready

``ctx.pool`` is the shared :class:`~serai.api.pool.RouterPool`, ``ctx.settings``
the service settings, ``ctx.cancelled()`` tells a job to stop early. A result may
also carry tables: return ``{"tables": {"name": DataFrame}, ...}`` and the
result endpoint serves each as CSV (``?table=name&format=csv``). Errors raised
by the function (serai's own) become a failed job with the message; with a
``--store`` folder, results are written there atomically as JSON.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["JOB_KINDS", "JobContext", "JobKind", "Jobs", "job_kind"]


@dataclass(frozen=True)
class JobKind:
    name: str
    model: type
    run: Callable[[Any, JobContext], Any]
    summary: str = ""
    description: str = ""


JOB_KINDS: dict[str, JobKind] = {}


def job_kind(
    name: str, model: type, *, summary: str = "", description: str = ""
) -> Callable[[Callable], Callable]:
    """Register ``run(request, ctx)`` as a job kind served at ``POST /api/jobs/{name}``.

    Register before :func:`serai.api.create_app` is called (at import of the
    module that defines it; list the module in ``serai.api.app.JOB_MODULES``).
    """

    def deco(fn: Callable) -> Callable:
        JOB_KINDS[name] = JobKind(
            name, model, fn, summary or name, description or (fn.__doc__ or "")
        )
        return fn

    return deco


@dataclass
class Job:
    id: str
    kind: str
    state: str = "queued"  # queued, running, done, failed, cancelled
    progress: float = 0.0
    message: str = ""
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    error: str | None = None
    result: Any = None
    cancel: threading.Event = field(default_factory=threading.Event)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "progress": round(self.progress, 4),
            "message": self.message,
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "error": self.error,
            "result_url": f"/api/jobs/{self.id}/result" if self.state == "done" else None,
        }


@dataclass
class JobContext:
    job: Job
    pool: Any
    settings: Any

    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress (0..1) and what the job is doing."""
        self.job.progress = max(0.0, min(1.0, float(fraction)))
        if message:
            self.job.message = message

    def cancelled(self) -> bool:
        return self.job.cancel.is_set()


class Jobs:
    """Queue and run jobs in worker threads; keep the newest ``keep`` in memory.

    Workers are daemon threads: stopping the service abandons a running job (its result
    was only in memory) instead of waiting for it.
    """

    def __init__(self, pool: Any, settings: Any, *, keep: int = 200) -> None:
        self.pool, self.settings, self.keep = pool, settings, keep
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._workers: list[threading.Thread] = []

    def _start_workers(self) -> None:
        with self._lock:
            self._workers = [t for t in self._workers if t.is_alive()]
            for i in range(len(self._workers), max(1, self.settings.job_workers)):
                t = threading.Thread(target=self._work, name=f"serai-job-{i}", daemon=True)
                t.start()
                self._workers.append(t)

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            self._run(*item)

    def active(self) -> int:
        with self._lock:
            return sum(j.state in ("queued", "running") for j in self._jobs.values())

    def submit(self, kind: JobKind, request: Any) -> Job:
        from serai.api.problems import Problem

        if self.active() >= self.settings.max_jobs:
            raise Problem(
                503, "busy", f"{self.settings.max_jobs} jobs are queued or running; retry later"
            )
        job = Job(id=uuid.uuid4().hex[:16], kind=kind.name)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self.keep:
                old_id, old = next(iter(self._jobs.items()))
                if old.state in ("queued", "running"):
                    break
                self._jobs.pop(old_id)
        self._start_workers()
        self._queue.put((job, kind, request))
        return job

    def _run(self, job: Job, kind: JobKind, request: Any) -> None:
        from serai.errors import SeraiError

        if job.cancel.is_set():
            job.state = "cancelled"
            return
        job.state, job.started = "running", time.time()
        try:
            result = kind.run(request, JobContext(job, self.pool, self.settings))
            job.result = result
            job.progress = 1.0
            job.state = "cancelled" if job.cancel.is_set() else "done"
            self._store(job)
        except SeraiError as exc:
            job.state, job.error = "failed", str(exc)
        except Exception as exc:  # a bug: keep the service up, say what failed
            import logging

            logging.getLogger("serai.api").exception("job %s failed", job.id)
            job.state, job.error = (
                "failed",
                f"internal error ({type(exc).__name__}); see the server log",
            )
        finally:
            job.finished = time.time()

    def _store(self, job: Job) -> None:
        root: Path | None = self.settings.store
        if root is None:
            return
        from serai.freight.cache import _write_atomic

        root.mkdir(parents=True, exist_ok=True)
        data = json.dumps(
            {"job": job.public(), "result": _jsonable(job.result)}, ensure_ascii=False, default=str
        )
        _write_atomic(root / f"job-{job.id}.json", data.encode())

    def get(self, job_id: str) -> Job:
        from serai.api.problems import Problem

        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise Problem(404, "not-found", f"no job '{job_id}'", field="job_id")
        return job

    def list(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def shutdown(self) -> None:
        """Cancel queued jobs and stop the workers (a running job ends on its own)."""
        for j in self.list():
            j.cancel.set()
        with self._lock:
            n, self._workers = len(self._workers), []
        for _ in range(n):
            self._queue.put(None)


def _jsonable(result: Any) -> Any:
    """Result with DataFrames as lists of records (NaN as null)."""
    import math

    import pandas as pd

    if isinstance(result, pd.DataFrame):
        df = result.astype(object).where(result.notna(), None)
        return df.to_dict(orient="records")
    if isinstance(result, dict):
        return {k: _jsonable(v) for k, v in result.items()}
    if isinstance(result, (list, tuple)):
        return [_jsonable(v) for v in result]
    if isinstance(result, float) and not math.isfinite(result):
        return None
    if hasattr(result, "item") and callable(result.item):
        try:
            return _jsonable(result.item())
        except (TypeError, ValueError):
            return str(result)
    return result
