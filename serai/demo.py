"""The main job run by ``make demo``: load the embedded Eurasian network and summarise it.

Other steps (route reports, assignment) are added here as they land.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["run_demo"]


def run_demo(out: Path, *, console: Any = None) -> dict[str, Any]:
    """Load the embedded network, validate it, print its summary and write it as JSON."""
    import time

    from serai.data import load_network, summarize_eurasia
    from serai.network import validate

    say = console.print if console is not None else print
    t0 = time.perf_counter()
    net = load_network()
    load_s = time.perf_counter() - t0
    report = validate(net)
    s = summarize_eurasia(net)
    s["errors"] = len(report.errors)
    s["load_seconds"] = round(load_s, 3)
    say(
        f"embedded Eurasian network: {s['nodes']:,} nodes, {s['links']:,} directed links, "
        f"loaded in {load_s:.2f} s, {s['errors']} validation errors"
    )
    say(
        "links by mode:   "
        + ", ".join(
            f"{m} {n:,} ({s['km_by_mode'][m]:,.0f} km)" for m, n in s["links_by_mode"].items()
        )
    )
    say("links by status: " + ", ".join(f"{k} {v:,}" for k, v in s["links_by_status"].items()))
    say(
        "rail km by gauge: "
        + ", ".join(f"{g} mm {km:,.0f} km" for g, km in s["rail_km_by_gauge"].items())
    )
    top = list(s["land_km_by_country"].items())[:15]
    say("land km by country (top 15): " + ", ".join(f"{c} {km:,.0f}" for c, km in top))
    say("nodes by country: " + ", ".join(f"{c} {n}" for c, n in s["nodes_by_country"].items()))
    extras = [
        k
        for k in ("border_crossings", "gauge_breaks", "connectors", "services", "terminals")
        if k in s
    ]
    say("elements: " + ", ".join(f"{k} {s[k]}" for k in extras))
    for year in (2025, 2030):
        y = load_network(year)
        say(f"network in {year}: {len(y.nodes):,} nodes, {len(y.links):,} links")
    out.mkdir(parents=True, exist_ok=True)
    (out / "eurasia_summary.json").write_text(
        json.dumps(s, indent=2, default=str) + "\n", encoding="utf-8"
    )
    # freight routing: the flagship corridor questions -> out/route_report.html
    from serai.freight.report import run_route_demo

    routes = run_route_demo(out, console=console, network=net)
    s["routes"] = routes.to_dict(orient="records")
    # minerals: dashboard and checks -> out/minerals_dashboard.html, a section of the route report
    from serai.minerals.dashboard import run_minerals_demo

    minerals = run_minerals_demo(out, console=console, network=net)
    s["minerals"] = minerals.to_dict(orient="records")
    # corridor flows of the 2024 demand -> out/flows/ and out/flows_report.html
    from serai.flows.report import run_flows_demo

    s["flows"] = run_flows_demo(out, console=console)
    return s
