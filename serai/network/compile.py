"""Compile a :class:`~serai.network.Network` into an immutable CSR :class:`Graph`.

The graph is a forward star: the out-edges of internal node ``i`` are
``indptr[i]:indptr[i + 1]``; ``heads[e]`` is the head node of edge ``e``. Every
numeric link column becomes a per-edge cost array. Nothing is mutated after
creation (all arrays are read-only); a different cost is a new array.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from serai.errors import InputError
from serai.network.core import Network, column_or_default
from serai.network.validate import validate

if TYPE_CHECKING:
    pass

__all__ = ["Graph", "compile_network", "graph_from_arrays"]


def _whole(v: object) -> bool:
    """True for an integer or a float holding a whole number in the int64 range."""
    if isinstance(v, bool | np.bool_):
        return False
    if isinstance(v, int | np.integer):
        return -(2**63) <= int(v) < 2**63
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return False
    return f == f and abs(f) < 2**63 and f.is_integer()


_ID_COLUMNS = {"link_id", "from_node", "to_node"}


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Graph:
    """An immutable directed graph in CSR (forward-star) form.

    Attributes
    ----------
    node_ids : ndarray of int64, shape (n,)
        External node id of each internal node index.
    indptr : ndarray of int64, shape (n + 1,)
        Out-edges of node ``i`` are ``indptr[i]:indptr[i+1]``.
    heads, tails : ndarray of int32, shape (m,)
        Head and tail node index of each edge.
    link_ids : ndarray of int64, shape (m,)
        ``link_id`` of the link each edge comes from.
    link_rows : ndarray of int64, shape (m,)
        Row position of that link in ``network.links``.
    costs : mapping of str to ndarray of float64, shape (m,)
        Every numeric link column, in edge order.
    passable : ndarray of bool, shape (n,)
        False for nodes that paths may start or end at but not pass through.
    is_zone : ndarray of bool, shape (n,)
    x, y : ndarray of float64, shape (n,)
        Coordinates (NaN where unknown).
    geographic : bool
        True when x/y are WGS84 longitude/latitude.
    """

    node_ids: np.ndarray
    indptr: np.ndarray
    heads: np.ndarray
    tails: np.ndarray
    link_ids: np.ndarray
    link_rows: np.ndarray
    costs: Mapping[str, np.ndarray]
    passable: np.ndarray
    is_zone: np.ndarray
    x: np.ndarray
    y: np.ndarray
    geographic: bool
    meta: Mapping[str, object] = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def n_edges(self) -> int:
        return len(self.heads)

    @property
    def zones(self) -> np.ndarray:
        """External ids of the zone nodes."""
        return self.node_ids[self.is_zone]

    def node_index(self, ids: int | Iterable[int]) -> np.ndarray:
        """Internal indices of external node ids (raises for unknown ids)."""
        arr = np.atleast_1d(np.asarray(ids if not isinstance(ids, (int, np.integer)) else [ids]))
        if arr.dtype.kind not in "iu":
            try:
                num = arr.astype(np.float64) if arr.dtype.kind != "O" else arr
                whole = np.array([_whole(v) for v in num.ravel()], dtype=bool)
                if not whole.all():
                    raise ValueError
                arr = np.array([int(v) for v in num.ravel()], dtype=np.int64)
            except (TypeError, ValueError, OverflowError):
                raise InputError(f"node ids must be integers, got {arr[:3].tolist()}") from None
        order = self.meta["_id_order"]
        sorted_ids = self.meta.get("_sorted_ids")
        if sorted_ids is None:
            sorted_ids = self.node_ids[order]
        pos = np.searchsorted(sorted_ids, arr)
        pos = np.clip(pos, 0, len(sorted_ids) - 1)
        found = sorted_ids[pos] == arr if len(sorted_ids) else np.zeros(len(arr), bool)
        if not found.all():
            missing = arr[~found][:5].tolist()
            raise InputError(f"unknown node id(s): {missing}")
        return order[pos]

    def cost(self, cost: str | np.ndarray) -> np.ndarray:
        """Per-edge cost: a column name, or an array with one value per edge (graph order)."""
        if isinstance(cost, str):
            try:
                return self.costs[cost]
            except KeyError:
                raise InputError(
                    f"no link column '{cost}' to use as a cost; numeric columns: "
                    f"{', '.join(sorted(self.costs))}"
                ) from None
        arr = np.asarray(cost, dtype=np.float64)
        if arr.shape != (self.n_edges,):
            raise InputError(
                f"a cost array needs one value per edge ({self.n_edges}), got shape {arr.shape}"
            )
        if np.isnan(arr).any() or (arr < 0).any():
            raise InputError("a cost array must be non-negative and free of NaN")
        return arr

    def edge_values(self, values_by_link_row: np.ndarray) -> np.ndarray:
        """Reorder an array given per row of ``network.links`` into edge order."""
        return np.asarray(values_by_link_row)[self.link_rows]

    def with_cost(self, name: str, values: np.ndarray) -> Graph:
        """A new graph sharing all arrays, plus (or replacing) one cost array."""
        costs = dict(self.costs)
        costs[name] = _frozen(np.asarray(self.cost(values), dtype=np.float64).copy())
        return Graph(**{**self.__dict__, "costs": MappingProxyType(costs)})

    def __repr__(self) -> str:
        return f"Graph(nodes={self.n_nodes}, edges={self.n_edges}, costs={sorted(self.costs)})"

    def __reduce__(self) -> tuple:
        """Pickle support (process pools): the mappings travel as dicts, arrays stay read-only."""
        state = dict(self.__dict__)
        state["costs"] = dict(self.costs)
        state["meta"] = dict(self.meta)
        return (_graph_from_state, (state,))


def _graph_from_state(state: dict) -> Graph:
    def freeze(v: object) -> object:
        return _frozen(v) if isinstance(v, np.ndarray) else v

    state = {k: freeze(v) for k, v in state.items()}
    state["costs"] = MappingProxyType({k: freeze(v) for k, v in state["costs"].items()})
    state["meta"] = MappingProxyType({k: freeze(v) for k, v in state["meta"].items()})
    return Graph(**state)


def compile_network(
    network: Network,
    *,
    modes: Sequence[str] | None = None,
    link_mask: np.ndarray | None = None,
    block_zones: bool | None = None,
    check: bool = True,
) -> Graph:
    """Compile a network into an immutable CSR graph.

    Parameters
    ----------
    network
        The network (validated first unless ``check=False``).
    modes
        Keep only links of these modes (all links if None).
    link_mask
        Boolean array per row of ``network.links``: keep only these links.
    block_zones
        None: honour the ``passable`` node column (TNTP FIRST THRU NODE).
        True: no path may pass through a zone. False: every node is passable.
    check
        Validate the network first and raise on errors.

    Returns
    -------
    Graph

    Examples
    --------
    >>> import pandas as pd
    >>> from serai.network import Network, compile_network
    >>> net = Network.from_tables(links=pd.DataFrame({
    ...     "link_id": [1, 2], "from_node": [1, 2], "to_node": [2, 3],
    ...     "free_flow_time": [1.5, 2.0]}))
    >>> g = compile_network(net)
    >>> g.indptr.tolist(), g.heads.tolist()
    ([0, 1, 2, 2], [1, 2])
    """
    import pandas as pd

    if check:
        validate(network, raise_on_error=True)
    nodes, links = network.nodes, network.links
    node_ids = nodes["node_id"].to_numpy(dtype=np.int64)
    keep = np.ones(len(links), dtype=bool)
    if modes is not None:
        keep &= np.isin(column_or_default(links, "links", "mode").astype(str), list(modes))
    if link_mask is not None:
        mask = np.asarray(link_mask, dtype=bool)
        if mask.shape != (len(links),):
            raise InputError(f"link_mask needs one value per link ({len(links)}), got {mask.shape}")
        keep &= mask
    costs: dict[str, np.ndarray] = {}
    for col in links.columns:
        if col in _ID_COLUMNS:
            continue
        s = links[col]
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            continue
        costs[col] = s.to_numpy(dtype=np.float64, na_value=np.nan)
    return graph_from_arrays(
        node_ids,
        links["from_node"].to_numpy(dtype=np.int64),
        links["to_node"].to_numpy(dtype=np.int64),
        links["link_id"].to_numpy(dtype=np.int64),
        costs,
        is_zone=np.asarray(column_or_default(nodes, "nodes", "is_zone"), dtype=bool),
        passable=np.asarray(column_or_default(nodes, "nodes", "passable"), dtype=bool),
        x=np.asarray(column_or_default(nodes, "nodes", "x"), dtype=np.float64),
        y=np.asarray(column_or_default(nodes, "nodes", "y"), dtype=np.float64),
        geographic=network.is_geographic,
        name=network.name,
        keep=keep,
        block_zones=block_zones,
    )


def graph_from_arrays(
    node_ids: np.ndarray,
    from_node: np.ndarray,
    to_node: np.ndarray,
    link_ids: np.ndarray,
    costs: Mapping[str, np.ndarray],
    *,
    is_zone: np.ndarray,
    passable: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    geographic: bool,
    name: str,
    keep: np.ndarray | None = None,
    block_zones: bool | None = None,
) -> Graph:
    """The graph of link arrays (one value per link row), no validation, no pandas.

    :func:`compile_network` makes every graph through this: node ids (int64, unique),
    each link's tail and head node ids (which must be among them) and ``link_id``,
    its numeric columns (float64, ``costs``), the node columns and ``keep`` (the
    link rows to keep, all if None).
    """
    node_ids = np.asarray(node_ids, dtype=np.int64)
    id_order = np.argsort(node_ids, kind="stable")
    n = len(node_ids)
    rows = np.flatnonzero(keep) if keep is not None else np.arange(len(link_ids))
    sorted_ids = node_ids[id_order]

    def to_index(values: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(sorted_ids, values)
        return id_order[np.clip(pos, 0, max(n - 1, 0))]

    tails = to_index(np.asarray(from_node, dtype=np.int64)[rows])
    heads = to_index(np.asarray(to_node, dtype=np.int64)[rows])
    order = np.lexsort((heads, tails))
    rows, tails, heads = rows[order], tails[order], heads[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=indptr[1:])

    edge_costs = {c: _frozen(np.asarray(v, dtype=np.float64)[rows]) for c, v in costs.items()}
    if "free_flow_time" not in edge_costs and {"length", "speed"} <= edge_costs.keys():
        edge_costs["free_flow_time"] = _frozen(edge_costs["length"] / edge_costs["speed"] * 60.0)

    is_zone = np.asarray(is_zone, dtype=bool)
    if block_zones is None:
        passable = np.asarray(passable, dtype=bool)
    elif block_zones:
        passable = ~is_zone
    else:
        passable = np.ones(n, dtype=bool)

    return Graph(
        node_ids=_frozen(node_ids),
        indptr=_frozen(indptr),
        heads=_frozen(heads.astype(np.int32)),
        tails=_frozen(tails.astype(np.int32)),
        link_ids=_frozen(np.asarray(link_ids, dtype=np.int64)[rows]),
        link_rows=_frozen(rows.astype(np.int64)),
        costs=MappingProxyType(edge_costs),
        passable=_frozen(passable.copy()),
        is_zone=_frozen(is_zone.copy()),
        x=_frozen(np.asarray(x, dtype=np.float64)),
        y=_frozen(np.asarray(y, dtype=np.float64)),
        geographic=geographic,
        meta=MappingProxyType(
            {
                "_id_order": _frozen(id_order),
                "_sorted_ids": _frozen(node_ids[id_order]),
                "name": name,
            }
        ),
    )
