"""Configuration of an assignment: frozen dataclasses, no setters."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from serai.assignment.vdf import VolumeDelay

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ALGORITHMS", "AssignmentConfig", "TrafficClass"]


def is_frame(obj: object) -> bool:
    """True for a pandas DataFrame (without importing pandas: if it is not loaded, no
    object can be one)."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, pd.DataFrame)


#: Algorithm names accepted by :class:`AssignmentConfig` (aliases map to these).
ALGORITHMS = ("aon", "msa", "fw", "cfw", "bfw", "b")
_ALIASES = {
    "all-or-nothing": "aon",
    "frank-wolfe": "fw",
    "conjugate-frank-wolfe": "cfw",
    "biconjugate-frank-wolfe": "bfw",
    "algorithm-b": "b",
    "algb": "b",
    "bush": "b",
}


def normalise_algorithm(name: str) -> str:
    from serai.errors import InputError

    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in ALGORITHMS:
        raise InputError(
            f"unknown assignment algorithm '{name}'; choose one of {', '.join(ALGORITHMS)}"
        )
    return key


@dataclass(frozen=True)
class AssignmentConfig:
    """How to assign.

    Parameters
    ----------
    algorithm
        ``"aon"`` (all-or-nothing), ``"msa"``, ``"fw"`` (Frank-Wolfe), ``"cfw"``
        (conjugate FW), ``"bfw"`` (bi-conjugate FW) or ``"b"`` (Algorithm B, bush-based,
        reaches relative gaps of 1e-10 and below).
    gap
        Stop when the relative gap (TSTT - SPTT) / TSTT is at or below this.
    max_iter
        Stop after this many iterations (bush sweeps for ``"b"``).
    vdf
        A volume-delay function: ``"bpr"``, ``"conical"`` or any object with the
        :class:`~serai.assignment.vdf.VolumeDelay` protocol.
    length_weight, toll_weight
        Generalised cost per unit of ``length`` and of ``toll`` (single-class
        demand; each :class:`TrafficClass` carries its own).
    time_limit
        Stop after this many seconds of algorithm time (None: no limit).
    inner_sweeps
        Algorithm B: extra shift-only sweeps over all bushes after each bush update.

    Examples
    --------
    >>> cfg = AssignmentConfig(algorithm="Frank-Wolfe", gap=1e-5)
    >>> cfg.algorithm, cfg.max_iter
    ('fw', 1000)
    >>> from dataclasses import replace
    >>> replace(cfg, gap=1e-6).gap  # a changed copy; the config itself is frozen
    1e-06
    """

    algorithm: str = "b"
    gap: float = 1e-4
    max_iter: int = 1000
    vdf: str | VolumeDelay = "bpr"
    length_weight: float = 0.0
    toll_weight: float = 0.0
    time_limit: float | None = None
    inner_sweeps: int = 4

    def __post_init__(self) -> None:
        from serai._checks import check_count, check_number
        from serai.errors import InputError

        if not isinstance(self.algorithm, str):
            raise InputError(f"algorithm must be a name, got {self.algorithm!r}", field="algorithm")
        object.__setattr__(self, "algorithm", normalise_algorithm(self.algorithm))
        check_number(self.gap, "gap", high=1.0)
        check_count(self.max_iter, "max_iter", 1, 10**9)
        check_count(self.inner_sweeps, "inner_sweeps", 0, 10**6)
        for name in ("length_weight", "toll_weight"):
            check_number(getattr(self, name), name, high=1e12)
        if self.time_limit is not None:
            check_number(self.time_limit, "time_limit", strict=True, high=1e9)
        if not isinstance(self.vdf, str) and not hasattr(self.vdf, "time"):
            raise InputError(f"vdf must be a name or a VolumeDelay, got {self.vdf!r}", field="vdf")


@dataclass(frozen=True, eq=False)
class TrafficClass:
    """One user class: its demand and how it perceives and may use links.

    Parameters
    ----------
    name
        Label used in result columns (``flow_<name>``).
    demand
        Table with ``origin``, ``destination``, ``volume`` (node ids; volume in
        class units, e.g. trucks): a DataFrame, or a mapping of those column names
        to arrays.
    pce
        Passenger-car equivalents of one unit of this class on the shared capacity.
    time_weight, length_weight, toll_weight
        Generalised cost = ``time_weight * time + length_weight * length +
        toll_weight * toll + fixed_cost``.
    fixed_cost
        Name of a link column (or an array per graph edge) added to the cost.
    allowed
        Name of a link column (non-zero = allowed) or a boolean array per graph
        edge; the class never uses a link that is not allowed.

    Examples
    --------
    Trucks count as 2.5 cars, value tolls at 0.02 min per cent and may only use
    links whose ``truck_ok`` column is non-zero:

    >>> import pandas as pd
    >>> trucks = TrafficClass(
    ...     "truck", pd.DataFrame({"origin": [1], "destination": [2], "volume": [40.0]}),
    ...     pce=2.5, toll_weight=0.02, allowed="truck_ok")
    >>> trucks.pce
    2.5
    """

    name: str
    demand: pd.DataFrame | Mapping
    pce: float = 1.0
    time_weight: float = 1.0
    length_weight: float = 0.0
    toll_weight: float = 0.0
    fixed_cost: str | np.ndarray | None = None
    allowed: str | np.ndarray | None = None

    def __post_init__(self) -> None:
        from serai._checks import check_number
        from serai.errors import InputError

        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError(f"a traffic class needs a name, got {self.name!r}", field="name")
        if not (is_frame(self.demand) or isinstance(self.demand, Mapping)):
            raise InputError(f"class '{self.name}': demand must be a DataFrame", field="demand")
        check_number(self.pce, "pce", strict=True, high=1e6, label=f"class '{self.name}': pce")
        for w in ("time_weight", "length_weight", "toll_weight"):
            check_number(getattr(self, w), w, high=1e12, label=f"class '{self.name}': {w}")


class Converged:
    """The last relative gap and iteration of a result's ``convergence`` table (one row per
    iteration); shared by the assignment and logit-equilibrium results."""

    convergence: pd.DataFrame

    @property
    def gap(self) -> float:
        return float(self.convergence["gap"].iloc[-1]) if len(self.convergence) else np.nan

    @property
    def iterations(self) -> int:
        return int(self.convergence["iteration"].iloc[-1]) if len(self.convergence) else 0
