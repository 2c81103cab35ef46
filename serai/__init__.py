"""serai: planning freight and critical-mineral flows across the Eurasian corridors.

The top-level namespace re-exports the main entry points lazily, so ``import
serai`` stays cheap (no numba, scipy or plotting at import time).

Examples
--------
>>> import serai
>>> serai.__version__
'0.1.0'
"""

from __future__ import annotations

import copyreg
import importlib
from types import MappingProxyType
from typing import Any

__version__ = "0.1.0"


def _mappingproxy(d: dict) -> MappingProxyType:
    return MappingProxyType(d)


def _reduce_mappingproxy(m: MappingProxyType) -> tuple:
    return (_mappingproxy, (dict(m),))


# serai's immutable objects (graphs, networks, commodities, routes) hold read-only
# mappings; this lets them travel to and from process pools (they pickle as a copy).
copyreg.pickle(MappingProxyType, _reduce_mappingproxy)

_LAZY = {
    "Network": "serai.network.core",
    "validate": "serai.network.validate",
    "read_network": "serai.network.io",
    "write_network": "serai.network.io",
    "read_demand": "serai.network.io",
    "compile_network": "serai.network.compile",
    "Graph": "serai.network.compile",
    "shortest_path": "serai.paths.shortest",
    "shortest_paths": "serai.paths.shortest",
    "skim": "serai.paths.shortest",
}

__all__ = ["__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'serai' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
