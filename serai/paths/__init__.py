"""Shortest paths: one-to-all, one-to-one (early exit, A*), skims, path reconstruction."""

from serai.paths.shortest import (
    Path,
    PathFinder,
    PathTree,
    Skim,
    astar_factor,
    shortest_path,
    shortest_paths,
    skim,
)

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
