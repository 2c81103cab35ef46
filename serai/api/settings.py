"""Settings of the service: where, what network, limits on work per request, CORS."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from serai._checks import MAX_ALTERNATIVES

__all__ = ["Settings"]


def _env_int(name: str, default: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        from serai.errors import InputError

        raise InputError(f"{name} must be a whole number, not '{raw}'", field=name) from None


def _env_list(name: str) -> tuple[str, ...]:
    raw = os.environ.get(name, "")
    return tuple(x.strip() for x in raw.split(",") if x.strip())


@dataclass(frozen=True)
class Settings:
    """What the service serves and how much work one request may ask for.

    Attributes
    ----------
    network
        Network file or folder; None = the embedded Eurasian network.
    store
        Folder for job results (JSON/CSV written atomically); None = memory only.
    runs_store
        Run store of the scenario jobs and ``/api/runs``: a DuckDB file or a
        ``postgresql://`` URL (None: ``$SERAI_STORE``, else ``serai-runs.duckdb``).
    cors_origins
        Origins allowed to call the API from a browser (``SERAI_CORS_ORIGINS``,
        comma-separated; empty = same origin only).
    max_body_bytes
        Largest request body accepted (413 beyond).
    max_alternatives, max_via, max_pareto_routes, max_batch_rows, max_places
        Work limits per request (422 beyond, naming the field).
    max_jobs
        Jobs queued or running at once (503 beyond).
    job_kinds
        Job kinds offered (None: every registered kind; e.g. ``("batch",)`` for an instance
        that must not run flows or scenarios).
    default_year
        Network year of requests that give none (None = open today).
    response_cache
        Route answers kept (by question, and by the request's exact bytes).
    route_processes
        Worker processes forked at start-up to compute route answers
        (``SERAI_ROUTE_PROCESSES``; 0 = threads of the serving process; ``serai serve``
        without ``--processes`` or the variable: one per core), see
        :mod:`serai.api.workers`.
    answer_inline
        Compute a new ``/api/route`` answer on the event loop of the process that received
        it (no hand-over to a thread; only when its year's router is loaded): what each
        process of ``serai serve`` does, one process per core (:mod:`serai.api.lanes`).
    """

    network: Path | None = None
    store: Path | None = None
    runs_store: str | None = None
    cors_origins: tuple[str, ...] = field(default_factory=lambda: _env_list("SERAI_CORS_ORIGINS"))
    max_body_bytes: int = 2_000_000
    max_alternatives: int = MAX_ALTERNATIVES  # the CLI's --alternatives and Router's k too
    max_via: int = 6
    max_pareto_routes: int = 12
    max_batch_rows: int = 5_000
    max_places: int = 50
    max_jobs: int = 16
    job_kinds: tuple[str, ...] | None = None
    job_workers: int = 1
    default_year: int | None = None
    response_cache: int = 1024
    route_processes: int = field(default_factory=lambda: _env_int("SERAI_ROUTE_PROCESSES"))
    answer_inline: bool = False
