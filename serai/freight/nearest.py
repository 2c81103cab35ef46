"""Nearest points: scipy's ``cKDTree.query`` answers, small queries without importing scipy.

:class:`NearestIndex` holds the points (unit vectors on the sphere for places and
network nodes) and answers ``query(x, k)`` as :class:`scipy.spatial.cKDTree` does
(same distances to the last bit, same indices, same return types). A query of a few
points is answered by computing every distance with numpy, in the order cKDTree adds
the squared coordinate differences; when two of the k + 1 nearest distances are equal
(cKDTree's order among ties is its own) or the query is large, the real cKDTree is
built (once) and asked. Why: the routers cached on disk held cKDTrees, and reading one
back imported ``scipy.spatial`` (with scipy.sparse and scipy.linalg: 0.3 CPU s) in every
``serai route`` process; an index pickles as its points only. A brute-force query costs
~0.3 ms on 25k points against ~0.04 ms for the tree, so a long-lived process switches to
the tree: after :data:`NearestIndex.BRUTE_QUERIES` queries of an index, or at once when
``scipy.spatial`` is already loaded or :func:`prefer_trees` was called (the service does).

Examples
--------
>>> import numpy as np
>>> ix = NearestIndex(np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]))
>>> d, i = ix.query(np.array([0.1, 0.0, 0.9]))
>>> i, round(d, 6)
(0, 0.141421)
>>> ix.query(np.array([0.1, 0.0, 0.9]), k=2)[1].tolist()
[0, 2]
"""

from __future__ import annotations

import sys
import threading
from typing import Any

import numpy as np

__all__ = ["NearestIndex", "prefer_trees"]

_PREFER_TREES = False


def prefer_trees() -> None:
    """Use cKDTrees from now on in this process (imports scipy.spatial now)."""
    global _PREFER_TREES
    import scipy.spatial  # noqa: F401

    _PREFER_TREES = True


def _trees_preferred() -> bool:
    return _PREFER_TREES or "scipy.spatial" in sys.modules


class NearestIndex:
    """k nearest points by Euclidean distance (the ``query`` of scipy's cKDTree).

    Immutable after construction; safe to share between threads.
    """

    #: Largest (query points x points) answered by numpy; beyond it the cKDTree.
    BRUTE_WORK = 4_000_000
    #: Queries of one index answered by numpy before its cKDTree is built.
    BRUTE_QUERIES = 16

    def __init__(self, data: Any) -> None:
        self.data = np.ascontiguousarray(np.asarray(data, dtype=np.float64))
        if self.data.ndim != 2:
            raise ValueError("points must be a 2-D array (n, dims)")
        self.n = len(self.data)
        self._tree: Any = None
        self._lock = threading.Lock()
        self._brute_queries = 0

    def __getstate__(self) -> dict:
        return {"data": self.data}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["data"])

    def __len__(self) -> int:
        return self.n

    def kdtree(self) -> Any:
        """scipy's cKDTree over the points (built on first use, kept)."""
        with self._lock:
            if self._tree is None:
                from scipy.spatial import cKDTree

                self._tree = cKDTree(self.data)
            return self._tree

    def query(self, x: Any, k: int = 1, **options: Any) -> tuple[Any, Any]:
        """Distances and indices of the ``k`` nearest points, as ``cKDTree.query`` gives them."""
        x = np.asarray(x, dtype=np.float64)
        dims = self.data.shape[1]
        tree = self._tree
        if tree is None and (self._brute_queries >= self.BRUTE_QUERIES or _trees_preferred()):
            tree = self.kdtree()
        plain = (
            tree is None
            and not options
            and isinstance(k, int | np.integer)
            and 1 <= int(k) <= self.n
            and x.ndim in (1, 2)
            and x.shape[-1] == dims
            and len(x.reshape(-1, dims)) * self.n <= self.BRUTE_WORK
        )
        if plain:
            self._brute_queries += 1  # (a lost increment under threads only delays the tree)
            got = self._brute(x.reshape(-1, dims), int(k))
            if got is not None:
                d, i = got
                if x.ndim == 1:
                    d, i = d[0], i[0]
                    if k == 1:
                        return float(d[0]), int(i[0])
                    return d, i
                if k == 1:
                    return d[:, 0], i[:, 0]
                return d, i
        return self.kdtree().query(x, k=k, **options)

    def _brute(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(m, k) distances and indices; None when a tie makes cKDTree's order decide."""
        data = self.data
        s = np.zeros((len(q), self.n))
        for j in range(data.shape[1]):  # cKDTree: s += d * d, coordinate by coordinate
            d = q[:, j, None] - data[None, :, j]
            s += d * d
        want = min(k + 1, self.n)
        if want < self.n:
            part = np.argpartition(s, want - 1, axis=1)[:, :want]
        else:
            part = np.broadcast_to(np.arange(self.n), (len(q), self.n))
        vals = np.take_along_axis(s, part, axis=1)
        order = np.argsort(vals, axis=1, kind="stable")
        idx = np.take_along_axis(part, order, axis=1)
        vals = np.take_along_axis(vals, order, axis=1)
        if (vals[:, 1:] == vals[:, :-1]).any():  # a tie among the k + 1 nearest
            return None
        return np.sqrt(vals[:, :k]), idx[:, :k].astype(np.intp)
