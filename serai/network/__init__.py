"""Network tables, validation, IO and compilation to a CSR graph."""

from serai.network.compile import Graph, compile_network
from serai.network.core import Network
from serai.network.io import read_demand, read_flows, read_network, write_network
from serai.network.validate import Problem, ValidationReport, validate

__all__ = [
    "Graph",
    "Network",
    "Problem",
    "ValidationReport",
    "compile_network",
    "read_demand",
    "read_flows",
    "read_network",
    "validate",
    "write_network",
]
