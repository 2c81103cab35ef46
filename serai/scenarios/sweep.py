"""Sweeps: many scenario runs on dask.distributed (a LocalCluster by default, or an existing
cluster by its scheduler address), every run recorded in the run store. A member that
fails is recorded with its error and the others go on.

>>> from serai.scenarios.sweep import sweep  # doctest: +SKIP
>>> s = sweep(["base-2024", "red-sea-closure"], workers=2, store="runs.duckdb")  # doctest: +SKIP
>>> s.members[["scenario", "status", "run_id"]]  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from serai.errors import InputError, OptionalDependencyError, SeraiError

__all__ = ["SweepResult", "sweep"]


@dataclass(frozen=True, eq=False)
class SweepResult:
    """``members``: one row per scenario (``scenario``, ``status``, ``run_id``, ``error``,
    ``elapsed_s``); ``sweep_id``; ``elapsed_s`` (wall time); ``workers``."""

    sweep_id: str
    members: pd.DataFrame
    elapsed_s: float
    workers: int
    results: dict = field(default_factory=dict, repr=False)

    @property
    def failed(self) -> pd.DataFrame:
        return self.members.loc[self.members["status"] != "ok"]


def _member(scenario, method: str, flows: bool, routes: bool):
    """Run one member in a worker; errors come back as a (kind, message) pair."""
    from serai.scenarios.run import run_scenario

    t = time.perf_counter()
    try:
        return (
            "ok",
            run_scenario(scenario, method=method, flows=flows, routes=routes),
            time.perf_counter() - t,
        )
    except SeraiError as exc:
        return ("failed", str(exc), time.perf_counter() - t)
    except Exception as exc:  # an unexpected error of one member must not stop the sweep
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return ("failed", f"internal error: {tb}", time.perf_counter() - t)


def _client(workers: int, scheduler: str | None):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise OptionalDependencyError("distributed", "sweep") from None
    if scheduler:
        try:
            return Client(scheduler, timeout="20s"), None
        except OSError as exc:
            raise InputError(f"cannot reach the Dask scheduler: {exc}", field="scheduler") from None
    if workers < 1:
        raise InputError("workers must be >= 1", field="workers")
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    return Client(cluster), cluster


def sweep(
    scenarios: Sequence[Any],
    *,
    workers: int = 2,
    scheduler: str | None = None,
    method: str = "equilibrium",
    flows: bool = True,
    routes: bool = True,
    store: Any = None,
    progress: Callable[[int, int, str, str], None] | None = None,
    keep_results: bool = False,
) -> SweepResult:
    """Run scenarios on dask.distributed and record every run in the store.

    Parameters
    ----------
    scenarios
        Library names, paths or loaded scenarios.
    workers
        Worker processes of the LocalCluster (one thread each).
    scheduler
        Address of an existing Dask scheduler (``tcp://host:8786``) instead of a LocalCluster.
    method, flows, routes
        As :func:`serai.scenarios.run_scenario`.
    store
        A :class:`serai.store.RunStore`, a store URL or path, or ``None`` (no store).
    progress
        Called after each member with (done, total, scenario, status).
    keep_results
        Keep the :class:`ScenarioResult` of each member in ``results``.
    """
    from serai.scenarios.model import load_scenario
    from serai.store import RunStore, open_store

    st = store if isinstance(store, RunStore) or store is None else open_store(store)
    sweep_id = "sweep-" + uuid.uuid4().hex[:8]
    params = {"method": method, "flows": flows, "routes": routes, "sweep_id": sweep_id}
    rows: list[dict] = []
    results: dict = {}
    total = len(scenarios)
    done = 0
    t0 = time.perf_counter()
    loaded = []
    for ref in scenarios:  # read on the client: a bad file fails alone, before any work
        name = str(getattr(ref, "name", ref))
        try:
            loaded.append(load_scenario(ref))
        except SeraiError as exc:
            rid = st.record_failure(os.path.basename(name).removesuffix(".toml"), str(exc),
                                    sweep_id=sweep_id, parameters=params) if st else None  # fmt: skip
            rows.append({"scenario": name, "status": "failed", "run_id": rid, "error": str(exc),
                         "elapsed_s": 0.0})  # fmt: skip
            done += 1
            if progress:
                progress(done, total, name, "failed")
    client, cluster = _client(workers, scheduler) if loaded else (None, None)
    try:
        if loaded:
            from distributed import as_completed

            futs = {client.submit(_member, s, method, flows, routes, pure=False, key=f"{s.name}-{uuid.uuid4().hex[:6]}"): s
                    for s in loaded}  # fmt: skip
            for fut in as_completed(futs):
                s = futs[fut]
                try:
                    status, value, secs = fut.result()
                except Exception as exc:  # the worker died or the task could not run
                    status, value, secs = "failed", f"the worker failed: {exc}", 0.0
                if status == "ok":
                    rid = st.record(value, sweep_id=sweep_id, parameters=params) if st else None
                    if keep_results:
                        results[s.name] = value
                    rows.append({"scenario": s.name, "status": "ok", "run_id": rid, "error": "",
                                 "elapsed_s": round(secs, 3)})  # fmt: skip
                else:
                    rid = (st.record_failure(s.name, value, text=s.text, scenario_hash=s.hash, year=s.year,
                                             sweep_id=sweep_id, parameters=params, elapsed_s=secs)
                           if st else None)  # fmt: skip
                    rows.append({"scenario": s.name, "status": "failed", "run_id": rid, "error": value,
                                 "elapsed_s": round(secs, 3)})  # fmt: skip
                done += 1
                if progress:
                    progress(done, total, s.name, status)
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    members = pd.DataFrame(rows, columns=["scenario", "status", "run_id", "error", "elapsed_s"])
    n_workers = workers if not scheduler else -1
    return SweepResult(sweep_id, members, time.perf_counter() - t0, n_workers, results)


#: Most Monte Carlo draws per scenario (each draw is a full scenario run).
MAX_DRAWS = 10_000


def parameter_draws(scenario, n: int, *, seed: int = 0) -> list:
    """``n`` Monte Carlo variants of a scenario: each estimated time or tariff parameter that
    carries a prior (``prior_sd`` in ``serai/freight/data``) drawn log-normally around its
    value (after the scenario's own changes), clipped to its ``low``/``high`` bounds.

    The variants are scenarios (``<name>-draw<k>``) that extend the given one with
    ``[[parameter]]`` rows marked estimate; run them with :func:`sweep`.

    Examples
    --------
    >>> from serai.scenarios.sweep import parameter_draws
    >>> d = parameter_draws("base-2024", 2, seed=1)
    >>> [s.name for s in d], d[0].hash != d[1].hash
    (['base-2024-draw1', 'base-2024-draw2'], True)
    """
    import numpy as np

    from serai._checks import check_count
    from serai.freight.params import model_params
    from serai.scenarios.model import load_scenario, scenario_from_text

    n = check_count(n, "draws", 1, MAX_DRAWS)
    check_count(seed, "seed", 0, 2**32 - 1)
    s = load_scenario(scenario)
    t = model_params().table
    sd = pd.to_numeric(t.get("prior_sd"), errors="coerce")
    basis = t["basis"].astype(str)
    pick = (sd > 0) & (basis == "estimate")
    rows = t.loc[pick]
    over = {}  # the scenario's own values come first
    for r in s.rows("parameter"):
        if "value" in r:
            over[r["id"]] = float(r["value"])
    rng = np.random.default_rng(seed)
    ref = s.path if s.path else s.name
    out = []
    for k in range(1, n + 1):
        lines = [f'extends = "{ref}"', f'name = "{s.name}-draw{k}"']
        z = rng.standard_normal(len(rows))
        for zi, r in zip(z, rows.itertuples(index=False), strict=True):
            v0 = over.get(r.param_id, float(r.value))
            v = v0 * float(np.exp(float(r.prior_sd) * zi))
            lo = pd.to_numeric(pd.Series([r.low]), errors="coerce").iloc[0]
            hi = pd.to_numeric(pd.Series([r.high]), errors="coerce").iloc[0]
            if np.isfinite(lo):
                v = max(v, float(lo))
            if np.isfinite(hi):
                v = min(v, float(hi))
            lines += [
                "[[parameter]]",
                f'id = "{r.param_id}"',
                f"value = {v!r}",
                "estimate = true",
                f'note = "Monte Carlo draw {k} of {n} (seed {seed}): log-normal around {v0:g}, sd {float(r.prior_sd):g}"',
            ]
        out.append(scenario_from_text("\n".join(lines) + "\n", name=f"{s.name}-draw{k}"))
    return out
