"""Start-up timings: `serai --version`, `import serai`, a SiouxFalls `serai assign` process,
a `serai route` process with a warm routing-graph cache, and the same `serai route`
answered by a running `serai serve` (started by this script; --no-serve skips it).

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
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
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
        # the README's command: Algorithm B to a relative gap of 1e-8
        "serai assign SiouxFalls b 1e-8": (
            f"{serai} assign {sioux}/SiouxFalls_net.tntp --trips {sioux}/SiouxFalls_trips.tntp "
            f"--algorithm b --gap 1e-8 --out {tmp}/flows8.csv --overwrite"
        ),
        # the disk cache is warmed by hyperfine's warm-up runs (keyed by each tree's code);
        # SERAI_NO_SERVER=1 (set for this row): computed in the process even if a server runs
        "serai route (warm cache)": ROUTE.format(serai=serai),
    }


ROUTE = "{serai} route --from Almaty --to Duisburg --year 2025"
SERVED = "serai route (served by serai serve)"


@contextmanager
def serve(tree: Path):
    """A `serai serve --year 2025` of ``tree`` on a free port; yields its process id once
    registered for `serai route` (None: that tree's serve does not register, row skipped)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    py = Path(sys.executable).parent / "python"
    proc = subprocess.Popen([str(py), "-m", "serai", "serve", "--port", str(port), "--year", "2025"],
                            cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        for _ in range(1200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
        root = os.environ.get("SERAI_CACHE_DIR") or str(Path.home() / ".cache" / "serai")
        yield (
            proc.pid
            if proc.poll() is None and (Path(root) / f"serve-{port}.json").is_file()
            else None
        )
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def hyperfine(cmd: str, runs: int, tree: Path, js: Path, env: dict | None = None) -> dict:
    subprocess.run(
        ["hyperfine", "-N", "-w", "2", "-r", str(runs), "--export-json", str(js), cmd],
        check=True,
        capture_output=True,
        cwd=tree,
        env={**os.environ, **(env or {})},
    )
    r = json.loads(js.read_text())["results"][0]
    return {"command": cmd, "mean_s": r["mean"], "min_s": r["min"],
            "cpu_s": r["user"] + r["system"]}  # fmt: skip


def show(name: str, r: dict) -> None:
    print(f"{name:<36} wall {r['mean_s']:.3f} s (min {r['min_s']:.3f})  "
          f"CPU {r['cpu_s']:.3f} s", flush=True)  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--tree", type=Path, default=REPO, help="checkout whose serai is timed")
    p.add_argument(
        "--only", default=None, help="time only the commands whose name has one of these (a,b)"
    )
    p.add_argument("--no-serve", action="store_true", help="skip the served `serai route` row")
    args = p.parse_args()
    out = {"load_before": os.getloadavg(), "results": {}}
    with tempfile.TemporaryDirectory() as d:
        for name, cmd in commands(Path(d)).items():
            if args.only and not any(k in name for k in args.only.split(",")):
                continue
            env = {"SERAI_NO_SERVER": "1"} if "route" in name else None
            out["results"][name] = r = hyperfine(cmd, args.runs, args.tree, Path(d) / "h.json", env)
            show(name, r)
        if not args.no_serve and (not args.only or args.only in SERVED):
            py = Path(sys.executable).parent / "python"
            with serve(args.tree) as pid:
                if pid:
                    cmd = ROUTE.format(serai=f"{py} -m serai")
                    c0 = cpu_of(pid)
                    out["results"][SERVED] = r = hyperfine(cmd, args.runs, args.tree,
                                                           Path(d) / "h.json")  # fmt: skip
                    # the server's CPU per call (2 warm-up runs + the timed ones)
                    r["server_cpu_s"] = (cpu_of(pid) - c0) / (args.runs + 2)
                    show(SERVED, r)
                    print(f"{'':<36} + server CPU {r['server_cpu_s']:.3f} s per call")
                else:
                    print(f"{SERVED:<36} n/a (this tree's serve does not register)")
    out["load_after"] = os.getloadavg()
    print(f"load average before {out['load_before']}, after {out['load_after']}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
