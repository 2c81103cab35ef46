"""Routers shared between requests: built once per (network, year), used from many threads.

:class:`RouterPool` builds (or reads from the on-disk cache, see
:mod:`serai.freight.cache`) one :class:`~serai.freight.Router` per year, on
first use, under a per-key lock, so twenty simultaneous first requests build it
once. A :class:`~serai.freight.Router` keeps its search scratch per thread, so
requests use it concurrently without a lock (tests/freight/test_router_threads.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

__all__ = ["RouterPool"]


class RouterPool:
    """One router per year of one network, built once, guarded for concurrent use."""

    def __init__(
        self, network: Path | None = None, *, max_years: int = 6, warm_commodity: str = "container"
    ) -> None:
        self.network = network
        self.warm_commodity = warm_commodity
        self.max_years = max_years
        self._routers: OrderedDict[Any, tuple[Any, Any]] = OrderedDict()
        self._building: dict[Any, threading.Lock] = {}
        self._lock = threading.Lock()
        self._networks: dict[Any, Any] = {}

    def _build(self, year: int | None) -> Any:
        from serai.freight.cache import cached_router, save_router

        router = cached_router(self.network, year=year)
        try:  # a long-lived process: nearest-point queries by KD-tree (serai.freight.nearest)
            from serai.freight.nearest import prefer_trees

            prefer_trees()
        except ImportError:
            pass
        try:  # costs of the default commodity and the search kernels (numba) loaded now,
            # so the first route request is as fast as the others
            lc = router.costs(self.warm_commodity)
            for objective in ("generalised", "time", "cost", "emissions"):
                try:  # search landmarks chosen now, not on a request (~0.2 s each)
                    router.landmarks(lc, objective)
                except Exception:  # an objective the commodity tables cannot serve
                    pass
            ids = router.rg.place_of.index
            if len(ids) >= 2:
                router.route(int(ids[0]), int(ids[-1]), self.warm_commodity)
        except Exception:  # no route, or a network the commodity tables cannot serve
            pass
        try:  # the route assembly's per-link rows of each variant of these costs (from
            # China, Kazakhstan, elsewhere): made before the route workers fork and stored
            # with the router, so they share them instead of making one each
            from serai.freight import _assembly as asm
            from serai.freight.legs import _codes

            links = _codes(router._cols).links
            for v in (lc, lc.without_market, lc.export_kz):
                if asm.plain(v):
                    asm.rows_of(router, v, links)
        except Exception:
            pass
        try:  # route geometry: the link shapes indexed and encoded as JSON text once
            from serai.freight.shapes import ShapeIndex

            ix = ShapeIndex.of(router.rg.network)
            if len(ix.link_ids):  # and the kernel joining their pieces compiled
                ix.lines_json([[int(ix.link_ids[0])]])
        except Exception:
            pass
        try:  # the gazetteer behind type-ahead
            from serai.freight.resolver import search_places

            search_places("a", limit=1)
        except Exception:
            pass
        try:
            save_router(router)
        except OSError:
            pass
        # a request never waits for masked landmarks being chosen (~0.2-0.5 s): a thread
        # chooses them while the searches use the unmasked bound (serai.freight.search)
        router.landmarks_in_background = True
        return router

    def get(self, year: int | None) -> tuple[Any, Any]:
        """(router, guard) of ``year``.

        The guard is a no-op context manager kept for callers written when routers
        had to be used one call at a time; routers are safe to share between threads.
        """
        with self._lock:
            hit = self._routers.get(year)
            if hit is not None:
                self._routers.move_to_end(year)
                return hit
        year = self.check_year(year)  # before anything is built or remembered for it
        with self._lock:
            building = self._building.setdefault(year, threading.Lock())
        with building:
            with self._lock:
                hit = self._routers.get(year)
            if hit is not None:
                return hit
            router = self._build(year)
            entry = (router, nullcontext())
            with self._lock:
                self._routers[year] = entry
                while len(self._routers) > self.max_years:
                    self._routers.popitem(last=False)
            return entry

    def ready(self, year: int | None) -> bool:
        """Is the router of ``year`` loaded (a call with it does not build anything)?"""
        with self._lock:
            return year in self._routers

    def check_year(self, year: Any) -> int | None:
        """``year`` as an int inside the years the network covers, else
        :class:`~serai.errors.InputError` (:func:`serai.data.years.check_year`, the gate
        of every entry point; field ``year``)."""
        if year is None:
            return None
        from serai.data.years import check_year, covered_years

        return check_year(year, covered_years(self.network))

    def call(self, year: int | None, fn: Callable[[Any], Any]) -> Any:
        """``fn(router)`` with the shared router of ``year``."""
        return fn(self.get(year)[0])

    def network_of(self, year: int | None) -> Any:
        """The physical network of ``year`` (the router's, so both agree)."""
        return self.get(year)[0].rg.network

    def loaded(self) -> list[Hashable]:
        with self._lock:
            return list(self._routers)
