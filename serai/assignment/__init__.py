"""Static user-equilibrium traffic assignment.

One entry point, :func:`assign`, with a frozen :class:`AssignmentConfig`; one
function per method (all-or-nothing, MSA, Frank-Wolfe, conjugate and
bi-conjugate Frank-Wolfe, Algorithm B); pluggable volume-delay functions
(:mod:`serai.assignment.vdf`); several user classes (:class:`TrafficClass`).
"""

from serai.assignment.config import ALGORITHMS, AssignmentConfig, TrafficClass
from serai.assignment.engine import AssignmentResult, assign
from serai.assignment.vdf import BPR, Conical, VolumeDelay, vdf_by_name

__all__ = [
    "ALGORITHMS",
    "BPR",
    "AssignmentConfig",
    "AssignmentResult",
    "Conical",
    "TrafficClass",
    "VolumeDelay",
    "assign",
    "vdf_by_name",
]
