"""Scratch arrays that are never shared between threads.

Search kernels write into scratch arrays (labels, predecessors, heap). An object
that many threads may query at once (:class:`~serai.paths.PathFinder`,
:class:`~serai.freight.Router`) keeps them in a :class:`PerThread`: each thread
gets its own set on its first query and reuses it afterwards, so queries pay no
allocation and never see another thread's labels. Pickling keeps only the
factory (a process pool rebuilds the scratch on first use in the worker).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Generic, TypeVar

import numpy as np

__all__ = ["PerThread", "tree_arrays", "tree_scratch"]

T = TypeVar("T")


class PerThread(Generic[T]):
    """A value made by ``factory()`` on first use in each thread.

    Examples
    --------
    >>> import threading
    >>> ws = PerThread(list)
    >>> mine = ws.get()
    >>> mine is ws.get()
    True
    >>> other = []
    >>> t = threading.Thread(target=lambda: other.append(ws.get()))
    >>> t.start(); t.join()
    >>> other[0] is mine
    False
    """

    __slots__ = ("_factory", "_local")

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._local = threading.local()

    def get(self) -> T:
        """This thread's value (made now if this thread has none)."""
        try:
            return self._local.value
        except AttributeError:
            value = self._local.value = self._factory()
            return value

    def __getstate__(self) -> dict:
        return {"factory": self._factory}

    def __setstate__(self, state: dict) -> None:
        self._factory = state["factory"]
        self._local = threading.local()


def tree_arrays(n: int, m: int) -> tuple[np.ndarray, ...]:
    """(dist, pred, order, heap keys, heap values) for one search on n nodes, m edges."""
    return (
        np.empty(n),  # dist
        np.empty(n, np.int64),  # pred (edge)
        np.empty(n, np.int64),  # order of settling
        np.empty(m + 1),  # heap keys (lazy deletion: up to m + 1 entries)
        np.empty(m + 1, np.int64),  # heap values
    )


def tree_scratch(n: int, m: int) -> PerThread[tuple[np.ndarray, ...]]:
    """Per-thread (dist, pred, order, heap keys, heap values) for a graph of n nodes, m edges."""
    return PerThread(partial(tree_arrays, int(n), int(m)))
