"""Start-up timings: `serai --version`, `import serai`, a SiouxFalls `serai assign` process,
a `serai route` process with a warm routing-graph cache.

Runs hyperfine (Debian package ``hyperfine``) on each command with the numba cache warm
(one warm-up run first) and reports mean wall time and mean CPU (user + system) per
run, beside ``python -c pass`` in the same run as the floor of any Python process on
this machine (other work loads it: compare within a run, as ratios).

Usage (from the repo root)::

    .venv/bin/python benchmarks/assignment/startup.py --runs 10 --json /tmp/startup.json
    # before a change: the same interpreter on another checkout
    .venv/bin/python benchmarks/assignment/startup.py --tree /tmp/main-before --runs 10
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def commands(tmp: Path) -> dict[str, str]:
    """``python -m serai`` (what the ``serai`` script runs), so that ``--tree`` can point
    at another checkout (e.g. main before a change) with the same interpreter."""
    py = Path(sys.executable).parent / "python"
    serai = f"{py} -m serai"
    sioux = REPO / "tests" / "data" / "SiouxFalls"
    return {
        "python -c pass": f"{py} -c pass",
        "import serai": f"{py} -c 'import serai'",
        "serai --version": f"{serai} --version",
        "serai --help": f"{serai} --help",
        "serai assign SiouxFalls": (
            f"{serai} assign {sioux}/SiouxFalls_net.tntp --trips {sioux}/SiouxFalls_trips.tntp "
            f"--out {tmp}/flows.csv --overwrite"
        ),
        # the disk cache is warmed by hyperfine's warm-up runs (keyed by each tree's code)
        "serai route (warm cache)": (f"{serai} route --from Almaty --to Duisburg --year 2025"),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--tree", type=Path, default=REPO, help="checkout whose serai is timed")
    p.add_argument("--only", default=None, help="time only the commands whose name has this")
    args = p.parse_args()
    out = {"load_before": os.getloadavg(), "results": {}}
    with tempfile.TemporaryDirectory() as d:
        for name, cmd in commands(Path(d)).items():
            if args.only and args.only not in name:
                continue
            js = Path(d) / "h.json"
            subprocess.run(
                ["hyperfine", "-N", "-w", "2", "-r", str(args.runs), "--export-json", str(js), cmd],
                check=True,
                capture_output=True,
                cwd=args.tree,
            )
            r = json.loads(js.read_text())["results"][0]
            out["results"][name] = {
                "command": cmd,
                "mean_s": r["mean"],
                "min_s": r["min"],
                "cpu_s": r["user"] + r["system"],
            }
            print(f"{name:<26} wall {r['mean']:.3f} s (min {r['min']:.3f})  "
                  f"CPU {r['user'] + r['system']:.3f} s", flush=True)  # fmt: skip
    out["load_after"] = os.getloadavg()
    print(f"load average before {out['load_before']}, after {out['load_after']}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
