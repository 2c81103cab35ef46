"""Plain entry points: ``run_flows(network, demand, config) -> FlowResult`` and writing results."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from serai.demand import Demand, load_demand
from serai.errors import InputError
from serai.flows.model import FlowConfig, build_model, solve
from serai.flows.results import FlowResult, make_result
from serai.network.core import Network

__all__ = ["run_flows", "write_result"]


def run_flows(
    network: Network | None = None,
    demand: Demand | None = None,
    config: FlowConfig | None = None,
    *,
    progress=None,
) -> FlowResult:
    """Corridor flows of a demand on a network in a year.

    Parameters
    ----------
    network
        The physical network (default: the embedded network of ``config.year``, its router
        from the disk cache :func:`serai.freight.cache.cached_router`; a network loaded for
        another year is an error).
    demand
        Demand between zones (default: :func:`serai.demand.load_demand` of the year).
    config
        Year, method (``"equilibrium"`` or ``"lp"``) and parameters.
    progress
        Called with each equilibrium log row.

    Returns
    -------
    FlowResult

    Examples
    --------
    >>> from serai.flows import FlowConfig, run_flows
    >>> r = run_flows(config=FlowConfig(year=2024, method="lp"))  # doctest: +SKIP
    >>> r.indicators.head()  # doctest: +SKIP
    """
    cfg = config if config is not None else FlowConfig()
    router = None
    if network is None:  # the embedded network: its routing graph from the disk cache
        from serai.freight.cache import cached_router

        router = cached_router(year=int(cfg.year))
        network = router.rg.network
    if demand is None:
        demand = load_demand(int(cfg.year))
    model = build_model(network, demand, cfg, router=router)
    t = time.perf_counter()
    raw = solve(model, progress=progress)
    solve_s = time.perf_counter() - t
    t = time.perf_counter()
    res = make_result(model, raw, {"solve_s": solve_s})
    res.summary["timings_s"]["tables_s"] = round(time.perf_counter() - t, 3)
    res.summary["demand_source"] = demand.source
    return res


def check_outputs(
    out: str | os.PathLike,
    *,
    formats: tuple[str, ...] = ("csv", "parquet"),
    overwrite: bool = False,
) -> Path:
    """Refuse an output folder before the computation: unknown format, a file in the way, or
    result files already there without ``overwrite`` (:class:`~serai.errors.InputError`)."""
    from serai.flows.results import TABLES

    out = Path(out)
    for f in formats:
        if f not in ("csv", "parquet"):
            raise InputError(f"unknown format '{f}' (csv or parquet)", field="format")
    names = [f"{n}.{f}" for n in TABLES for f in formats] + ["summary.json"]
    if out.exists() and not out.is_dir():
        raise InputError("the output path exists and is not a folder", file=str(out))
    if out.exists() and not overwrite:
        clash = [n for n in names if (out / n).exists()]
        if clash:
            raise InputError(
                f"{len(clash)} output file(s) exist (e.g. {clash[0]}); use --overwrite to replace them",
                file=str(out),
            )
    return out


def write_result(
    result: FlowResult,
    out: str | os.PathLike,
    *,
    formats: tuple[str, ...] = ("csv", "parquet"),
    overwrite: bool = False,
) -> list[Path]:
    """Write every table (CSV and/or Parquet) and ``summary.json`` into the folder ``out``.

    Files are written into a temporary folder beside ``out`` and moved into place
    one by one; an existing file is replaced only with ``overwrite``; files in
    ``out`` that this call does not write are left alone.
    """
    out = check_outputs(out, formats=formats, overwrite=overwrite)
    names = [f"{n}.{f}" for n in result.tables() for f in formats] + ["summary.json"]
    from serai._fs import os_error

    try:
        return _write_tables(result, out, names, formats)
    except OSError as exc:  # disk full, permission, size limit: one clear error
        raise os_error(exc, out) from None


def _write_tables(result, out: Path, names: list[str], formats) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".flows-", dir=out))
    written = []
    try:
        for name, df in result.tables().items():
            for f in formats:
                p = tmp / f"{name}.{f}"
                if f == "csv":
                    df.to_csv(p, index=False)
                else:
                    df.to_parquet(p, index=False)
        (tmp / "summary.json").write_text(
            json.dumps(result.summary, indent=2, default=str), encoding="utf-8"
        )
        for n in names:
            os.replace(tmp / n, out / n)
            written.append(out / n)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return written
