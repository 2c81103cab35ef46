"""The result of an assignment and the convergence log it is built from.

:class:`AssignmentResult` holds its tables as numpy columns and makes the pandas
tables (``links``, ``convergence``, ``disconnected``) on first use, so a command that
only writes the flows (``serai assign`` to CSV) never imports pandas.
:meth:`AssignmentResult.link_columns` gives the link table's columns without pandas.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from serai.assignment.config import Converged

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LOG_COLUMNS", "AssignmentResult"]

Progress = Callable[[dict], None]

#: Columns of the convergence log, in order.
LOG_COLUMNS = (
    "iteration", "gap", "tstt", "sptt", "beckmann", "time_s", "elapsed_s", "gap_time_s", "cpu_s",
)  # fmt: skip
_DISCONNECTED = ("class", "origin", "destination", "volume")


def _frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(dict(columns))


@dataclass(frozen=True, eq=False)
class AssignmentResult(Converged):
    """Flows and costs at the last iterate, the convergence log and unassigned demand.

    Attributes
    ----------
    links : DataFrame
        One row per graph edge, in the network's link order: ``link_id``, ``from_node``, ``to_node``, ``flow``
        (total, PCE units), ``time``, ``cost`` (generalised cost of the first class),
        ``voc`` (flow / capacity), and ``flow_<class>`` / ``cost_<class>`` per class.
    convergence : DataFrame
        ``iteration``, ``gap`` (relative), ``tstt``, ``sptt``, ``beckmann``,
        ``time_s`` (seconds of this iteration), ``elapsed_s`` (since the start),
        ``gap_time_s`` (of which spent computing the gap), ``cpu_s`` (process CPU
        seconds since the start).
    class_flows : ndarray, shape (classes, links)
        Flow of each class in class units, rows as in ``links``.
    disconnected : DataFrame
        ``class``, ``origin``, ``destination``, ``volume`` of OD pairs with no path;
        their demand is not assigned.
    intrazonal_volume : float
        Demand from a zone to itself (not assigned).
    bush_bytes : int
        Algorithm B: bytes of bush storage at the end (0 for the link-based methods).
    """

    algorithm: str
    converged: bool
    class_flows: np.ndarray = field(repr=False)
    intrazonal_volume: float = 0.0
    bush_bytes: int = 0
    #: the link table's columns (numpy arrays, link order), the log rows and the
    #: disconnected OD pairs' columns: the tables are made from these on first use
    _links: Mapping[str, np.ndarray] = field(default_factory=dict, repr=False)
    _log: tuple[dict, ...] = field(default=(), repr=False)
    _disconnected: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def links(self) -> pd.DataFrame:
        return _frame(self._links)

    @cached_property
    def convergence(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(list(self._log), columns=list(LOG_COLUMNS))

    @cached_property
    def disconnected(self) -> pd.DataFrame:
        import pandas as pd

        d = self._disconnected
        if not len(d.get("volume", ())):
            return pd.DataFrame(
                {
                    "class": pd.Series([], dtype=object),
                    "origin": pd.Series([], dtype=np.int64),
                    "destination": pd.Series([], dtype=np.int64),
                    "volume": pd.Series([], dtype=np.float64),
                }
            )
        return _frame({c: d[c] for c in _DISCONNECTED})

    def link_columns(self) -> dict[str, np.ndarray]:
        """The columns of :attr:`links` as numpy arrays (no pandas), in table order."""
        return dict(self._links)

    def log_columns(self) -> dict[str, np.ndarray]:
        """The columns of :attr:`convergence` as numpy arrays (no pandas)."""
        out = {c: np.array([r[c] for r in self._log], dtype=np.float64) for c in LOG_COLUMNS}
        out["iteration"] = np.array([r["iteration"] for r in self._log], dtype=np.int64)
        return out

    @property
    def n_disconnected(self) -> int:
        """Number of OD pairs with no path (``len(disconnected)``, without pandas)."""
        return len(self._disconnected.get("volume", ()))

    @property
    def gap(self) -> float:
        return float(self._log[-1]["gap"]) if self._log else np.nan

    @property
    def iterations(self) -> int:
        return int(self._log[-1]["iteration"]) if self._log else 0

    @property
    def beckmann(self) -> float:
        return float(self._log[-1]["beckmann"]) if self._log else np.nan

    def __repr__(self) -> str:
        from serai.reprs import assignment_repr

        return assignment_repr(self)

    def _repr_html_(self) -> str:
        from serai.reprs import assignment_html

        return assignment_html(self)


class _Log:
    def __init__(self, progress: Progress | None) -> None:
        self.rows: list[dict] = []
        self.start = time.perf_counter()
        self.last = self.start
        self.cpu_start = time.process_time()
        self.progress = progress

    def add(self, it: int, gap: float, tstt: float, sptt: float, beck: float, gap_s: float) -> None:
        now = time.perf_counter()
        row = {
            "iteration": it,
            "gap": gap,
            "tstt": tstt,
            "sptt": sptt,
            "beckmann": beck,
            "time_s": now - self.last,
            "elapsed_s": now - self.start,
            "gap_time_s": gap_s,
            "cpu_s": time.process_time() - self.cpu_start,
        }
        self.last = now
        self.rows.append(row)
        if self.progress is not None:
            self.progress(dict(row))

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=list(LOG_COLUMNS))


def _disconnected(p: Any, od: np.ndarray) -> dict[str, Any]:
    """Columns of the OD pairs with no path (least cost not finite)."""
    bad = np.flatnonzero(~np.isfinite(od))
    if len(bad) == 0:
        return {}
    g = p.graph
    block = np.searchsorted(p.dptr, bad, side="right") - 1
    return {
        "class": [p.names[k] for k in p.bclass[block]],
        "origin": g.node_ids[p.borig[block]],
        "destination": g.node_ids[p.dnode[bad]],
        "volume": p.dvol[bad],
    }


def _result(
    p: Any,
    x: np.ndarray,
    log: _Log,
    algorithm: str,
    converged: bool,
    od: np.ndarray,
    bush_bytes: int = 0,
) -> AssignmentResult:
    """The result of a method at class flows ``x`` (rows in the network's link order)."""
    g = p.graph
    v = p.total(x)
    t = p.times(v)
    costs = p.class_costs(t)
    order = np.argsort(g.link_rows, kind="stable")  # rows in the network's link order
    cols: dict[str, np.ndarray] = {
        "link_id": g.link_ids,
        "from_node": g.node_ids[g.tails],
        "to_node": g.node_ids[g.heads],
        "flow": v,
        "time": t,
        "cost": costs[0],
        "voc": v / p.cap,
    }
    if p.K > 1:
        for k, name in enumerate(p.names):
            cols[f"flow_{name}"] = x[k]
            cols[f"cost_{name}"] = costs[k]
    else:
        cols[f"flow_{p.names[0]}"] = x[0]
    links = {}
    for name, a in cols.items():
        a = np.ascontiguousarray(np.asarray(a)[order])
        a.setflags(write=False)
        links[name] = a
    x = np.ascontiguousarray(x[:, order])
    x.setflags(write=False)
    return AssignmentResult(
        algorithm=algorithm,
        converged=converged,
        class_flows=x,
        intrazonal_volume=p.intrazonal,
        bush_bytes=bush_bytes,
        _links=links,
        _log=tuple(dict(r) for r in log.rows),
        _disconnected=_disconnected(p, od),
    )
