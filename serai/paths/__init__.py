"""Shortest paths: one-to-all, one-to-one (early exit, A*), skims, path reconstruction."""

from serai.paths.shortest import (
    Path,
    PathTree,
    Skim,
    astar_factor,
    shortest_path,
    shortest_paths,
    skim,
)

__all__ = ["Path", "PathTree", "Skim", "astar_factor", "shortest_path", "shortest_paths", "skim"]
