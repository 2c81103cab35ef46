"""Markdown tables from the JSON written by ``bench_paths.py --json``.

Usage: python benchmarks/paths/report.py bench-paths.json
"""

from __future__ import annotations

import json
import sys


def _f(v, digits=4):
    if v is None:
        return "–"
    if v >= 100:
        return f"{v:.1f}"
    if v >= 1:
        return f"{v:.3g}" if v < 10 else f"{v:.2f}"
    return f"{v:.{digits}f}"


def _chk(v):
    if v is None:
        return "–"
    return "0" if v == 0 else f"{v:.0e}"


def main(path: str) -> None:
    data = json.loads(open(path).read())
    libs = ["serai", "scipy", "igraph", "networkx", "aequilibrae"]
    print(
        "| network | library | one-to-all ms, wall (cpu) | full skim s, wall (cpu) | skim time / scipy's, wall (cpu) | max abs diff vs scipy |"
    )
    print("|---|---|---:|---:|---:|---:|")
    for rec in data["cases"]:
        net = (
            f"{rec['network']} ({rec['nodes']} nodes / {rec['links']} links / {rec['zones']} zones)"
        )
        scipy_skim = rec.get("scipy:full skim")
        for lib in libs:
            skims = [lib] if lib != "aequilibrae" else ["aequilibrae 1thr", "aequilibrae 2thr"]
            for k, sk in enumerate(skims):
                one = rec.get(f"{lib}:one-to-all")
                if one is None and rec.get(f"{sk}:full skim") is None:
                    continue
                one_s = f"{_f(one)} ({_f(rec.get(f'{lib}:one-to-all:cpu'))})" if k == 0 else "″"
                skim = rec.get(f"{sk}:full skim")
                skim_s = f"{_f(skim)} ({_f(rec.get(f'{sk}:full skim:cpu'))})"
                if rec.get(f"{sk}:full skim:note"):
                    skim_s += f" [{rec[f'{sk}:full skim:note']}]"
                ratio = f"{skim / scipy_skim:.2f}" if skim and scipy_skim else "–"
                cpu, scipy_cpu = rec.get(f"{sk}:full skim:cpu"), rec.get("scipy:full skim:cpu")
                if cpu and scipy_cpu:
                    ratio += f" ({cpu / scipy_cpu:.2f})"
                chk = max(
                    rec.get(f"{lib}:one-to-all:check") or 0.0,
                    rec.get(f"{sk}:full skim:check") or 0.0,
                )
                label = sk if lib == "aequilibrae" else lib
                print(f"| {net} | {label} | {one_s} | {skim_s} | {ratio} | {_chk(chk)} |")
                net = ""
    print()
    print(
        "| network | one-to-one query (random zone pairs) | ms, wall (cpu) | speed-up over one-to-all, wall (cpu) | max abs diff vs scipy |"
    )
    print("|---|---|---:|---:|---:|")
    for rec in data["cases"]:
        net = rec["network"]
        base_pub = rec.get("serai:one-to-all OD origins ms")
        base_ws = rec.get("serai:PathFinder.tree OD origins ms")
        base_cpu = rec.get("serai:PathFinder.tree OD origins cpu ms")
        print(f"| {net} | serai `shortest_paths` one-to-all (baseline) | {_f(base_pub)} | 1 | – |")
        print(
            f"| | serai `PathFinder.tree` one-to-all (baseline) | {_f(base_ws)} ({_f(base_cpu)}) | 1 | – |"
        )
        keys = [k[: -len(":one-to-one")] for k in rec if k.endswith(":one-to-one")]
        for lib in keys:
            v = rec[f"{lib}:one-to-one"]
            cpu = rec.get(f"{lib}:one-to-one:cpu")
            if lib.startswith("serai PathFinder"):
                sp = f"{base_ws / v:.2f} ({base_cpu / cpu:.2f})"
            elif lib.startswith("serai"):
                sp = f"{base_pub / v:.2f} (public functions)"
            else:
                sp = "–"
            print(
                f"| | {lib} | {_f(v)} ({_f(cpu)}) | {sp} | {_chk(rec.get(f'{lib}:one-to-one:check'))} |"
            )


if __name__ == "__main__":
    main(sys.argv[1])
