"""Shortest paths over a compiled :class:`~serai.network.Graph`.

Functions take node ids (external) and a cost given as a link column name or an
array with one value per graph edge. The numba kernels live in ``_kernels``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from serai.errors import InputError, NoPathError
from serai.network.compile import Graph
from serai.paths import _kernels as k
from serai.paths.workspace import PerThread, tree_arrays, tree_scratch

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Path",
    "PathFinder",
    "PathTree",
    "Skim",
    "astar_factor",
    "shortest_path",
    "shortest_paths",
    "skim",
]

Cost = str | np.ndarray


def _cost_name(cost: Cost) -> str:
    return cost if isinstance(cost, str) else "cost"


@dataclass(frozen=True)
class Path:
    """One path: its links and nodes in order, its cost and summed fields."""

    origin: int
    destination: int
    cost: float
    link_ids: np.ndarray
    node_ids: np.ndarray
    edges: np.ndarray  # graph edge indices
    totals: dict[str, float] = field(default_factory=dict)
    settled: int = 0  # nodes settled by the search (diagnostics)

    def __len__(self) -> int:
        return len(self.link_ids)


@dataclass(frozen=True)
class PathTree:
    """A one-to-all shortest-path tree from ``origin``."""

    graph: Graph
    origin: int
    cost_name: str
    dist: np.ndarray  # per internal node
    pred: np.ndarray  # predecessor edge per internal node (-1 at root / unreached)

    def distance(self, destination: int) -> float:
        return float(self.dist[self.graph.node_index(destination)[0]])

    def distances(self) -> pd.Series:
        """Least cost to every node, indexed by node id (inf where unreachable)."""
        import pandas as pd

        return pd.Series(
            self.dist, index=pd.Index(self.graph.node_ids, name="node_id"), name=self.cost_name
        )

    def path_to(self, destination: int) -> Path:
        g = self.graph
        s = int(g.node_index(self.origin)[0])
        t = int(g.node_index(destination)[0])
        if not np.isfinite(self.dist[t]):
            raise NoPathError(f"no path from {self.origin} to {destination}")
        edges = k.trace(self.pred, g.tails, s, t)
        return _make_path(g, self.origin, destination, float(self.dist[t]), edges, (), 0)


def _make_path(
    g: Graph,
    o: int,
    d: int,
    cost: float,
    edges: np.ndarray,
    fields: Sequence[str],
    settled: int,
    nodes: np.ndarray | None = None,
) -> Path:
    if nodes is None:
        nodes = (
            np.concatenate([g.tails[edges[:1]], g.heads[edges]]) if len(edges) else g.node_index(o)
        )
    totals = {f: float(g.cost(f)[edges].sum()) for f in fields}
    return Path(o, d, cost, g.link_ids[edges], g.node_ids[nodes], edges, totals, settled)


def shortest_paths(graph: Graph, origin: int, *, cost: Cost = "free_flow_time") -> PathTree:
    """One-to-all shortest paths (Dijkstra) from ``origin``.

    Examples
    --------
    >>> import pandas as pd
    >>> from serai.network import Network, compile_network
    >>> from serai.paths import shortest_paths
    >>> net = Network.from_tables(links=pd.DataFrame({
    ...     "link_id": [1, 2, 3], "from_node": [1, 2, 1], "to_node": [2, 3, 3],
    ...     "free_flow_time": [1.0, 1.0, 5.0]}))
    >>> shortest_paths(compile_network(net), 1).distances().tolist()
    [0.0, 1.0, 2.0]
    """
    g = graph
    c = g.cost(cost)
    s = int(g.node_index(origin)[0])
    dist, pred, order, hk, hv = tree_arrays(g.n_nodes, g.n_edges)
    k.dijkstra(g.indptr, g.heads, c, s, -1, g.passable, dist, pred, order, hk, hv)
    return PathTree(g, int(origin), _cost_name(cost), dist, pred)


def astar_factor(graph: Graph, cost: Cost) -> float:
    """Largest factor f with cost(e) >= f * straight-line length(e) on every edge.

    ``f * distance(v, target)`` is then a consistent A* lower bound. Returns 0
    when coordinates are missing (A* degenerates to Dijkstra).
    """
    g = graph
    if np.isnan(g.x).any() or np.isnan(g.y).any():
        return 0.0
    c = g.cost(cost)
    d = k.edge_distances(g.tails, g.heads, g.x, g.y, g.geographic)
    pos = d > 0
    if not pos.any():
        return 0.0
    return float(np.min(c[pos] / d[pos]) * (1.0 - 1e-9))


_METHODS = ("auto", "dijkstra", "astar", "bidirectional", "alt")


def _astar_arrays(n: int) -> tuple[np.ndarray, ...]:
    return (np.empty(n), np.empty(n, np.bool_))  # bound per node, closed set


def _backward_arrays(n: int, m: int) -> tuple[np.ndarray, ...]:
    return (np.empty(n), np.empty(n, np.int64), np.empty(m + 1), np.empty(m + 1, np.int64))


class PathFinder:
    """A reusable workspace for many queries on one graph and one cost.

    It checks the cost once, computes the A* bound factor once (on first use), and
    keeps scratch arrays between queries, so repeated one-to-one queries pay no
    per-call set-up. Results never alias the scratch arrays.

    A PathFinder may be shared by many threads: each thread gets its own scratch
    arrays on its first query (the graph, the cost and the landmarks are read-only
    and shared), and the kernels release the GIL, so threads search in parallel.
    It pickles (for a process pool) without its scratch arrays.

    Parameters
    ----------
    graph
        Compiled graph.
    cost
        Link column name or per-edge array.
    factor
        A* bound factor (default: :func:`astar_factor`, computed on first A* query).
    n_landmarks
        Landmarks for ``method="alt"`` (A* with landmark bounds, which needs no
        coordinates and works with zero-cost links). They are chosen by farthest
        selection on the first ``"alt"`` query, at the cost of ``2 * n_landmarks + 1``
        one-to-all searches, and kept in ``2 * n_landmarks`` float arrays of one value
        per node.

    Examples
    --------
    >>> import pandas as pd
    >>> from serai.network import Network, compile_network
    >>> from serai.paths import PathFinder
    >>> net = Network.from_tables(links=pd.DataFrame({
    ...     "link_id": [1, 2, 3], "from_node": [1, 2, 1], "to_node": [2, 3, 3],
    ...     "free_flow_time": [1.0, 1.0, 5.0]}))
    >>> pf = PathFinder(compile_network(net))
    >>> pf.path(1, 3).link_ids.tolist(), pf.distance(1, 3, method="bidirectional")
    ([1, 2], 2.0)
    >>> pf.tree(1).distances().tolist()
    [0.0, 1.0, 2.0]

    Shared by threads:

    >>> from concurrent.futures import ThreadPoolExecutor
    >>> with ThreadPoolExecutor(4) as pool:
    ...     list(pool.map(lambda o: pf.distance(o, 3), [1, 2, 1, 2]))
    [2.0, 1.0, 2.0, 1.0]
    """

    __slots__ = (
        "_alt",
        "_astar",
        "_backward",
        "_cost",
        "_factor",
        "_ids",
        "_lock",
        "_lookups",
        "_reverse",
        "_tree",
        "cost_name",
        "graph",
        "n_landmarks",
    )

    def __init__(
        self,
        graph: Graph,
        cost: Cost = "free_flow_time",
        *,
        factor: float | None = None,
        n_landmarks: int = 8,
    ):
        if int(n_landmarks) < 1:
            raise InputError(f"n_landmarks must be at least 1, got {n_landmarks}")
        self.n_landmarks = int(n_landmarks)
        self._alt: tuple[np.ndarray, ...] | None = None
        self._ids: dict[int, int] | None = None
        self._lookups = 0
        self.graph = graph
        self._cost = graph.cost(cost)
        self.cost_name = _cost_name(cost)
        if factor is not None and (not np.isfinite(factor) or factor < 0):
            raise InputError(f"the A* factor must be finite and >= 0, got {factor}")
        self._factor = None if factor is None else float(factor)
        self._reverse: tuple[np.ndarray, np.ndarray] | None = None
        self._init_scratch()

    def _init_scratch(self) -> None:
        n, m = self.graph.n_nodes, self.graph.n_edges
        self._lock = threading.Lock()  # guards the one-off set-up (landmarks, reverse star)
        self._tree = tree_scratch(n, m)
        self._astar = PerThread(partial(_astar_arrays, n))
        self._backward = PerThread(partial(_backward_arrays, n, m))

    def __getstate__(self) -> dict:
        keep = ("_alt", "_cost", "_factor", "_reverse", "cost_name", "graph", "n_landmarks")
        return {name: getattr(self, name) for name in keep}

    def __setstate__(self, state: dict) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        self._ids = None
        self._lookups = 0
        self._init_scratch()

    @property
    def factor(self) -> float:
        """The A* bound factor (0 when there is no useful straight-line bound)."""
        if self._factor is None:
            self._factor = astar_factor(self.graph, self._cost)
        return self._factor

    def _index(self, node_id: int) -> int:
        """Internal index of one node id (a dict look-up: no numpy call per query)."""
        ids = self._ids
        if ids is None:
            g = self.graph
            self._lookups += 1
            if self._lookups <= 2:  # a single query (shortest_path) does not pay for the dict
                return int(g.node_index(node_id)[0])
            ids = dict(zip(g.node_ids.tolist(), range(g.n_nodes), strict=True))
            self._ids = ids
        if isinstance(node_id, (int, np.integer)):
            i = ids.get(int(node_id))
            if i is not None:
                return i
        return int(self.graph.node_index(node_id)[0])  # raises the usual InputError

    @property
    def landmarks(self) -> np.ndarray:
        """Node ids of the ALT landmarks (chosen on first use)."""
        return self.graph.node_ids[self._landmarks()[0]]

    def _landmarks(self) -> tuple[np.ndarray, ...]:
        if self._alt is None:
            with self._lock:  # one thread chooses them; the others wait for the result
                if self._alt is None:
                    g = self.graph
                    start = int(np.argmax(g.is_zone)) if g.is_zone.any() else 0
                    chosen, lf, lb = k.landmarks(
                        g.indptr, g.heads, g.tails, self._cost, g.n_nodes, self.n_landmarks, start
                    )
                    # node-major layout for the bound (see _kernels._alt_bound)
                    self._alt = (chosen, np.ascontiguousarray(lf.T), np.ascontiguousarray(lb.T))
        return self._alt

    def _reverse_star(self) -> tuple[np.ndarray, np.ndarray]:
        if self._reverse is None:
            with self._lock:
                if self._reverse is None:
                    g = self.graph
                    self._reverse = k.reverse_csr(g.indptr, g.heads, g.n_nodes)
        return self._reverse

    def tree(self, origin: int) -> PathTree:
        """One-to-all shortest-path tree from ``origin`` (as :func:`shortest_paths`)."""
        g = self.graph
        s = self._index(origin)
        dist, pred, order, hk, hv = self._tree.get()
        k.dijkstra(g.indptr, g.heads, self._cost, s, -1, g.passable, dist, pred, order, hk, hv)
        return PathTree(g, int(origin), self.cost_name, dist.copy(), pred.copy())

    def _run(self, s: int, t: int, method: str) -> tuple[float, np.ndarray | None, int, object]:
        """Search s -> t; returns (cost, pred or None, settled, extra for tracing).

        ``pred`` and ``extra`` are this thread's scratch arrays: read them before the
        next search in the same thread.
        """
        g = self.graph
        if method not in _METHODS:
            raise InputError(f"unknown method '{method}'; use {', '.join(_METHODS)}")
        dist, pred, order, hk, hv = self._tree.get()
        if method in ("auto", "astar") and self.factor > 0:
            # without coordinates (or with a zero bound) A* is Dijkstra: the plain kernel
            # runs instead, since NaN coordinates times a zero factor would poison the keys
            h, closed = self._astar.get()
            settled = k.astar(
                g.indptr, g.heads, self._cost, s, t, g.passable, g.x, g.y, g.geographic,
                self.factor, dist, pred, hk, hv, h, closed,
            )  # fmt: skip
            return float(dist[t]), pred, settled, None
        if method == "alt":
            _, lf, lb = self._landmarks()
            h, closed = self._astar.get()
            settled = k.astar_alt(
                g.indptr, g.heads, self._cost, s, t, g.passable, lf, lb, dist, pred, hk, hv, h,
                closed,
            )  # fmt: skip
            return float(dist[t]), pred, settled, None
        if method == "bidirectional":
            rindptr, redge = self._reverse_star()
            db, sb, hkb, hvb = self._backward.get()
            best, meet, settled = k.bidijkstra(
                g.indptr, g.heads, g.tails, rindptr, redge, self._cost, s, t, g.passable, dist,
                db, pred, sb, hk, hv, hkb, hvb,
            )  # fmt: skip
            return float(best), None, settled, (pred, sb, meet)
        settled = k.dijkstra(
            g.indptr, g.heads, self._cost, s, t, g.passable, dist, pred, order, hk, hv
        )
        return float(dist[t]), pred, settled, None

    def distance(self, origin: int, destination: int, *, method: str = "auto") -> float:
        """Least cost from ``origin`` to ``destination`` (``inf`` if unreachable)."""
        return self._run(self._index(origin), self._index(destination), method)[0]

    def path(
        self,
        origin: int,
        destination: int,
        *,
        method: str = "auto",
        fields: Sequence[str] = (),
    ) -> Path:
        """Least-cost path (as :func:`shortest_path`); raises NoPathError if unreachable."""
        g = self.graph
        s = self._index(origin)
        t = self._index(destination)
        cost, pred, settled, extra = self._run(s, t, method)
        if not np.isfinite(cost):
            raise NoPathError(f"no path from {origin} to {destination}")
        if pred is None:
            pf, sb, meet = extra
            edges = k.trace_bidirectional(pf, sb, g.tails, g.heads, s, t, meet)
            return _make_path(g, int(origin), int(destination), cost, edges, fields, settled)
        edges, nodes = k.trace_nodes(pred, g.tails, g.heads, s, t)
        return _make_path(g, int(origin), int(destination), cost, edges, fields, settled, nodes)


def shortest_path(
    graph: Graph,
    origin: int,
    destination: int,
    *,
    cost: Cost = "free_flow_time",
    method: str = "auto",
    fields: Sequence[str] = (),
    factor: float | None = None,
) -> Path:
    """Least-cost path between two nodes, stopping as soon as the destination is settled.

    Parameters
    ----------
    graph
        Compiled graph.
    origin, destination
        Node ids.
    cost
        Link column name or per-edge array.
    method
        ``"dijkstra"`` (early exit), ``"astar"`` (straight-line lower bound;
        great-circle km for geographic networks), ``"bidirectional"``
        (bidirectional Dijkstra: a forward and a backward search that meet),
        ``"alt"`` (A* with landmark bounds; see :class:`PathFinder`), or
        ``"auto"`` (A* when every node has coordinates). Without a positive bound
        (coordinates missing, or some edge costs nothing) both ``"astar"`` and
        ``"auto"`` run Dijkstra.
    fields
        Other link columns to sum along the chosen path (``Path.totals``).
    factor
        A* bound factor (default: :func:`astar_factor`). For many queries on the same
        cost, use a :class:`PathFinder` (it computes the factor once and reuses its
        scratch arrays). A factor above :func:`astar_factor`'s can make A* return a
        path that is not the least-cost one.

    Raises
    ------
    InputError
        For an unknown node id, cost column or method, or a bad cost array or factor.
    NoPathError
        If the destination cannot be reached.

    Examples
    --------
    >>> import pandas as pd
    >>> from serai.network import Network, compile_network
    >>> from serai.paths import shortest_path
    >>> net = Network.from_tables(links=pd.DataFrame({
    ...     "link_id": [1, 2, 3], "from_node": [1, 2, 1], "to_node": [2, 3, 3],
    ...     "free_flow_time": [1.0, 1.0, 5.0], "length": [2.0, 2.0, 1.0]}))
    >>> p = shortest_path(compile_network(net), 1, 3, fields=["length"])
    >>> p.link_ids.tolist(), p.cost, p.totals
    ([1, 2], 2.0, {'length': 4.0})
    """
    finder = PathFinder(graph, cost, factor=factor)
    return finder.path(origin, destination, method=method, fields=fields)


@dataclass(frozen=True)
class Skim:
    """Zone-to-zone matrices: least cost and other fields summed along the chosen paths."""

    origins: np.ndarray
    destinations: np.ndarray
    matrices: dict[str, np.ndarray]  # name -> (n_origins, n_destinations)

    def to_frame(self) -> pd.DataFrame:
        """Long table: origin, destination, one column per matrix."""
        import pandas as pd

        o = np.repeat(self.origins, len(self.destinations))
        d = np.tile(self.destinations, len(self.origins))
        data = {"origin": o, "destination": d}
        data.update({name: m.ravel() for name, m in self.matrices.items()})
        return pd.DataFrame(data)


def skim(
    graph: Graph,
    origins: Sequence[int] | np.ndarray | None = None,
    destinations: Sequence[int] | np.ndarray | None = None,
    *,
    cost: Cost = "free_flow_time",
    fields: Sequence[str] = (),
) -> Skim:
    """Many-to-many least costs plus other fields along the chosen paths.

    Origins and destinations default to the graph's zones (or every node if it
    has none). Unreachable pairs get ``inf`` cost and ``NaN`` fields.

    Examples
    --------
    >>> import pandas as pd
    >>> from serai.network import Network, compile_network
    >>> from serai.paths import skim
    >>> net = Network.from_tables(links=pd.DataFrame({
    ...     "link_id": [1, 2], "from_node": [1, 2], "to_node": [2, 3],
    ...     "free_flow_time": [1.0, 2.0], "length": [10.0, 20.0]}))
    >>> s = skim(compile_network(net), [1], [2, 3], fields=["length"])
    >>> s.matrices["length"].tolist()
    [[10.0, 30.0]]
    """
    g = graph
    default = g.zones if g.is_zone.any() else g.node_ids
    o_ids = np.asarray(default if origins is None else origins, dtype=np.int64)
    d_ids = np.asarray(default if destinations is None else destinations, dtype=np.int64)
    c = g.cost(cost)
    fld = (
        np.ascontiguousarray(np.vstack([g.cost(f) for f in fields]))
        if fields
        else np.empty((0, g.n_edges))
    )
    out = np.empty((1 + len(fields), len(o_ids), len(d_ids)))
    k.skim(
        g.indptr,
        g.heads,
        g.tails,
        c,
        fld,
        g.node_index(o_ids),
        g.node_index(d_ids),
        g.passable,
        out,
    )
    mats = {_cost_name(cost): out[0]}
    for i, f in enumerate(fields):
        mats[f] = out[1 + i]
    return Skim(o_ids, d_ids, mats)
