"""The logit choice problem: configuration, congestible units, problem and result.

Plain data for :func:`serai.assignment.logit.logit_equilibrium`: a
:class:`ChoiceProblem` (graph, classes, edge costs, OD pairs, :class:`Units`),
a :class:`LogitConfig` and the :class:`LogitResult` it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from serai.assignment.config import Converged
from serai.assignment.vdf import VolumeDelay
from serai.errors import InputError
from serai.network.compile import Graph

__all__ = [
    "ChoiceProblem",
    "Generator",
    "LogitConfig",
    "LogitResult",
    "Progress",
    "Search",
    "Units",
]

Progress = Callable[[dict], None]
#: generate(edge_costs (K, m)) -> iterable of (od index, edge index array)
Generator = Callable[[np.ndarray], Iterable[tuple[int, np.ndarray]]]
#: search(problem, class, origin index, OD pairs, edge costs (m,)) -> (least costs, routes)
Search = Callable[..., tuple[np.ndarray, list]]


@dataclass(frozen=True)
class LogitConfig:
    """How to find a logit (stochastic) user equilibrium.

    Parameters
    ----------
    theta
        Dispersion: larger is closer to the deterministic user equilibrium.
        Per unit of cost (``scale="absolute"``) or per unit of the OD's least
        free-flow cost (``scale="relative"``: theta 10 means a route 10% dearer
        than the best gets ``exp(-1)`` of its weight).
    scale
        ``"relative"`` or ``"absolute"``.
    path_size
        Path-size correction for overlapping routes.
    gap
        Stop at this relative gap (and a path set that no longer grows).
    max_iter, time_limit
        Other stopping rules (iterations; seconds).
    max_paths
        At most this many routes per OD pair and class.
    generate_every
        Look for new routes every this many iterations (and before stopping).

    Examples
    --------
    >>> LogitConfig(theta=20.0).scale
    'relative'
    """

    theta: float = 10.0
    scale: str = "relative"
    path_size: bool = True
    gap: float = 1e-4
    max_iter: int = 500
    time_limit: float | None = None
    max_paths: int = 12
    generate_every: int = 1

    def __post_init__(self) -> None:
        if not (np.isfinite(self.theta) and self.theta > 0):
            raise InputError(f"theta must be a finite number > 0, got {self.theta}", field="theta")
        if self.scale not in ("relative", "absolute"):
            raise InputError(
                f"scale must be 'relative' or 'absolute', not {self.scale!r}", field="scale"
            )
        if not (self.gap >= 0):
            raise InputError(f"gap must be >= 0, got {self.gap}", field="gap")
        if self.max_iter < 1 or self.max_paths < 1 or self.generate_every < 1:
            raise InputError("max_iter, max_paths and generate_every must be >= 1")


@dataclass(frozen=True, eq=False)
class Units:
    """Congestible units and how classes load them.

    Attributes
    ----------
    t0, cap : ndarray (U,)
        Free time (cost-weight units, e.g. hours) and capacity of each unit.
    params : tuple of ndarray (U,)
        Parameters of ``vdf`` (e.g. BPR alpha and beta).
    edge_unit : scipy.sparse matrix (m, U)
        Share of unit ``u``'s delay that edge ``e`` carries (1 for a point unit;
        the km share for one link of a rail section). Every traversal of an edge
        with a non-zero entry counts once in the unit's load.
    use : ndarray (K, U)
        Capacity units taken by one unit of class ``k`` flow (a PCE per unit).
    names : sequence of str
        Labels for the result table.
    """

    t0: np.ndarray
    cap: np.ndarray
    params: tuple[np.ndarray, ...]
    edge_unit: sparse.csr_matrix
    use: np.ndarray
    vdf: VolumeDelay
    names: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return len(self.t0)

    def excess(self, v: np.ndarray) -> np.ndarray:
        return self.vdf.time(v, self.t0, self.cap, self.params) - self.t0

    def integral(self, v: np.ndarray) -> float:
        return float(np.sum(self.vdf.integral(v, self.t0, self.cap, self.params) - self.t0 * v))


@dataclass(frozen=True, eq=False)
class ChoiceProblem:
    """Everything the equilibrium needs, in graph edge order.

    Attributes
    ----------
    graph
        Compiled graph (paths are sequences of its edges).
    names
        Class names.
    edge_cost : ndarray (K, m)
        Generalised cost of each edge for each class at zero load (inf = barred).
    weight : ndarray (K,)
        Cost of one unit of unit delay (e.g. USD per hour of waiting) per class.
    od_class, od_origin, od_destination : ndarray (N,)
        Class and internal node indices of each OD pair.
    od_volume : ndarray (N,)
        Demand of each OD pair (class units).
    units
        Congestible units (None: no congestion).
    edge_constant : ndarray (K, m) or None
        Choice-only constants (cost units) summed along a path.
    path_length : ndarray (K, m) or None
        Edge lengths for the path-size factor (default: ``edge_cost``).
    search
        The least-cost search of every route generator (:meth:`least_routes`) when routes
        obey a rule on whole routes that one tree cannot (closed country pairs,
        :mod:`serai.flows.closed`); None: one least-cost tree per class and origin.
    """

    graph: Graph
    names: tuple[str, ...]
    edge_cost: np.ndarray
    weight: np.ndarray
    od_class: np.ndarray
    od_origin: np.ndarray
    od_destination: np.ndarray
    od_volume: np.ndarray
    units: Units | None = None
    edge_constant: np.ndarray | None = None
    path_length: np.ndarray | None = None
    search: Search | None = None

    @property
    def K(self) -> int:
        return len(self.names)

    @property
    def n_od(self) -> int:
        return len(self.od_volume)

    def origin_groups(self) -> dict[tuple[int, int], list[int]]:
        """OD pair indices grouped by (class, origin index), in order of first appearance
        (one least-cost tree serves each group)."""
        groups: dict[tuple[int, int], list[int]] = {}
        for i, (k, o) in enumerate(
            zip(self.od_class.tolist(), self.od_origin.tolist(), strict=True)
        ):
            groups.setdefault((k, o), []).append(i)
        return groups

    def least_routes(
        self, k: int, o: int, ods: list[int], cost: np.ndarray
    ) -> tuple[np.ndarray, list[np.ndarray | None]]:
        """Least cost and least-cost route (graph edges; None: none) of the OD pairs ``ods``
        of class ``k`` from origin index ``o`` at the edge costs ``cost`` (m,): one tree, or
        :attr:`search` when given."""
        if self.search is not None:
            return self.search(self, k, o, ods, cost)
        from serai.assignment.columns import routes_from_tree
        from serai.paths import shortest_paths

        g = self.graph
        tree = shortest_paths(g, int(g.node_ids[o]), cost=cost)
        dest = self.od_destination[ods]
        return tree.dist[dest], routes_from_tree(tree, dest)

    def edge_costs_at(self, excess: np.ndarray | None) -> np.ndarray:
        """(K, m) edge costs with the current unit delays."""
        if self.units is None or excess is None:
            return self.edge_cost
        extra = self.units.edge_unit @ excess  # (m,)
        return self.edge_cost + self.weight[:, None] * extra[None, :]


@dataclass(frozen=True, eq=False)
class LogitResult(Converged):
    """Logit equilibrium: link, unit and path tables and the convergence log.

    Attributes
    ----------
    links : DataFrame
        One row per graph edge (graph order): ``link_id``, ``from_node``,
        ``to_node``, ``flow`` (sum of the class flows, class units),
        ``delay`` (congestion delay added on the edge, cost-weight units) and
        ``flow_<class>``.
    units : DataFrame
        ``unit``, ``load``, ``capacity``, ``voc``, ``delay`` (t - t0), ``time``.
    paths : DataFrame
        ``path``, ``class``, ``origin``, ``destination``, ``flow``, ``cost``,
        ``share``, ``constant``, ``path_size``, ``n_edges``.
    path_edges : list of ndarray
        Edge indices (graph order) of each path, rows as in ``paths``.
    class_flows : ndarray (K, m)
        Flow of each class on each edge (graph edge order).
    convergence : DataFrame
        As :attr:`serai.assignment.AssignmentResult.convergence` (``beckmann`` holds
        Fisk's objective here).
    disconnected : DataFrame
        ``class``, ``origin``, ``destination``, ``volume`` with no usable path.
    """

    links: pd.DataFrame
    units: pd.DataFrame
    paths: pd.DataFrame
    path_edges: list[np.ndarray] = field(repr=False)
    class_flows: np.ndarray = field(repr=False)
    convergence: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    disconnected: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    converged: bool = False
