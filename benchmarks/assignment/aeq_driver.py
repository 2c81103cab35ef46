"""Run AequilibraE BFW (through the shared peer script) on the benchmark networks.

Runs in the AequilibraE venv, not serai's. It imports ``../shared/bench/peers/tntp.py`` and
``peer_assignment.py`` unchanged and only adds the benchmark networks (Berlin-Tiergarten
and the power-1.5 variants written by ``networks.py``) to the peer's table of known
networks. One run per target gap; prints one JSON record per line: iterations, seconds
and CPU seconds of ``TrafficAssignment.execute()``, the standard gap at the final flows.

Usage (run.py calls it)::

    /tmp/aeq-venv/bin/python benchmarks/assignment/aeq_driver.py --peers ../shared/bench/peers \\
        --root /tmp/bench-nets --network ChicagoSketch --folder Chicago-Sketch \\
        --stem ChicagoSketch --gaps 1e-4 1e-5
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time

os.environ.setdefault("AEQ_SHOW_PROGRESS", "FALSE")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--peers", required=True)
    p.add_argument("--root", required=True, help="folder tree written by networks.prepare")
    p.add_argument("--network", required=True)
    p.add_argument("--folder", required=True)
    p.add_argument("--stem", required=True)
    p.add_argument("--gaps", nargs="+", type=float, required=True)
    p.add_argument("--max-iter", type=int, default=5000)
    args = p.parse_args()
    sys.path.insert(0, args.peers)
    import aequilibrae  # noqa: F401
    import peer_assignment as pa
    import tntp

    logging.getLogger("aequilibrae").setLevel(logging.CRITICAL)
    # factors come from the net file header (networks.prepare writes them)
    tntp.KNOWN[args.network] = (
        args.folder, f"{args.stem}_net.tntp", f"{args.stem}_trips.tntp", None, 0.0, 0.0,
    )  # fmt: skip
    net = tntp.load_network(args.network, args.root)
    for gap in sorted(args.gaps, reverse=True):
        a = pa.setup_assignment(net, "bfw", gap, args.max_iter, 1)
        c0, t0 = time.process_time(), time.perf_counter()
        a.execute()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        res = a.results()
        flow = res["PCE_tot"].reindex(net.links["link_id"].to_numpy()).fillna(0.0).to_numpy(float)
        its = int(a.assignment.iter)
        print(
            json.dumps(
                {
                    "network": args.network,
                    "gap": gap,
                    "iterations": its,
                    "alg_s": wall,
                    "cpu_s": cpu,
                    "ms_per_iter": 1000 * wall / max(its, 1),
                    "cpu_ms_per_iter": 1000 * cpu / max(its, 1),
                    "rgap_aeq": float(a.assignment.rgap),
                    "reached": bool(a.assignment.rgap <= gap),
                    "gap_std": float(tntp.relative_gap(net, flow)["gap"]),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
