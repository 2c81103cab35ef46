"""The main job run by ``make demo``: load bundled data, run, write outputs.

For now it reads the bundled SiouxFalls network (test data) and writes a skim;
the embedded Eurasian network replaces it when it lands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["run_demo"]


def run_demo(out: Path, *, console: Any = None) -> dict[str, Any]:
    """Run the demo and return a summary dict."""
    import time

    from serai.network import compile_network, read_network, validate
    from serai.paths import skim

    say = console.print if console is not None else print
    root = Path(__file__).resolve().parents[1] / "tests" / "data" / "SiouxFalls"
    t0 = time.perf_counter()
    net = read_network(root / "SiouxFalls_net.tntp")
    report = validate(net)
    graph = compile_network(net)
    result = skim(graph, fields=["length"])
    out.mkdir(parents=True, exist_ok=True)
    target = out / "siouxfalls_skim.csv"
    result.to_frame().to_csv(target, index=False)
    summary = {**net.summary(), "errors": len(report.errors), "seconds": time.perf_counter() - t0}
    say(
        f"network {summary['name']}: {summary['nodes']} nodes, {summary['links']} links, "
        f"{summary['errors']} validation errors"
    )
    say(
        f"skim {len(result.origins)}x{len(result.destinations)} written to {target} "
        f"in {summary['seconds']:.2f} s"
    )
    return summary
