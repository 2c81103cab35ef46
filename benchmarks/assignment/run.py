"""Equilibrium assignment benchmark: serai vs TAP-B vs AequilibraE BFW, one thread each.

For SiouxFalls, Anaheim and Chicago-Sketch and each target relative gap, it reports the
iterations, the algorithm time and the whole-process time of

- serai Algorithm B (``b``) and bi-conjugate Frank-Wolfe (``bfw``), in this process (after a
  warm-up that loads the cached numba kernels) and as ``serai assign`` processes;
- TAP-B (Algorithm B in C; a reference peer built outside the repo, see its RUN.md), whose
  per-iteration log gives the algorithm time with ``<EXCLUDE GAP TIME>``;
- AequilibraE BFW through ``../shared/bench/peers/peer_assignment.py`` in its own venv
  (``--cores 1``); its time is ``TrafficAssignment.execute()``, its stopping rule is its own
  gap, and the standard gap at its final flows is reported beside.

Gap definitions: serai and the AequilibraE column "std gap" use (TSTT - SPTT) / TSTT;
TAP-B uses (TSTT - SPTT) / SPTT, larger by a factor (1 + gap), i.e. the same to 10 digits here.

Usage (from the repo root; the outputs are written outside the repo)::

    .venv/bin/python benchmarks/assignment/run.py --tapb /tmp/tapb \\
        --aeq-python /work/bench-venv/bin/python --peers ../shared/bench/peers \\
        --tntp ../shared/data/tntp --json /tmp/assign-bench.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

NETWORKS = {
    # name: (folder, TAP-B file stem, length weight, toll weight)
    "SiouxFalls": ("SiouxFalls", "SiouxFalls", 0.0, 0.0),
    "Anaheim": ("Anaheim", "Anaheim", 0.0, 0.0),
    "ChicagoSketch": ("Chicago-Sketch", "ChicagoSketch", 0.04, 0.02),
}
GAPS = [1e-4, 1e-5, 1e-6, 1e-8, 1e-10]
REPO = Path(__file__).resolve().parents[2]


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numba
    import numpy

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "numba": numba.__version__,
        "os": platform.platform(),
        "load_before": os.getloadavg(),
    }


def timed_process(cmd: list[str], **kw) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall s, child CPU s, result) of one process."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    if res.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {res.stderr[-2000:]}")
    return wall, cpu, res


def first_reaching(log_rows: list[dict], gap: float) -> dict | None:
    for row in log_rows:
        if row["gap"] <= gap:
            return row
    return None


# ----------------------------------------------------------------------------- serai
def serai_runs(name: str, tntp: Path, max_gap_bfw: float) -> list[dict]:
    import numpy as np

    from serai.assignment import AssignmentConfig, assign
    from serai.network import compile_network, read_demand, read_network

    folder, _, lw, tw = NETWORKS[name]
    net_f = tntp / folder / f"{name}_net.tntp"
    trips_f = tntp / folder / f"{name}_trips.tntp"
    t0 = time.perf_counter()
    net = read_network(net_f)
    demand = read_demand(trips_f)
    graph = compile_network(net)
    load_s = time.perf_counter() - t0
    out = []
    for alg, target, cap in (("b", 1e-10, 400), ("bfw", max_gap_bfw, 4000)):
        cfg = AssignmentConfig(
            algorithm=alg, gap=target, max_iter=cap, length_weight=lw, toll_weight=tw,
            time_limit=60.0,
        )  # fmt: skip
        t1 = time.perf_counter()
        r = assign(graph, demand, cfg)
        total = time.perf_counter() - t1
        log = r.convergence.copy()
        log["alg_s"] = (log["time_s"] - log["gap_time_s"]).cumsum()
        rows = log.to_dict("records")
        ms_iter = 1000 * float(log["time_s"].iloc[1:].mean()) if len(log) > 1 else np.nan
        for gap in GAPS:
            hit = first_reaching(rows, gap)
            rec = {
                "engine": f"serai {alg}",
                "network": name,
                "gap": gap,
                "reached": hit is not None,
                "load_s": load_s,
                "setup_s": total - float(log["elapsed_s"].iloc[-1]),
                "ms_per_iter": ms_iter,
            }
            if hit is not None:
                rec.update(
                    iterations=int(hit["iteration"]),
                    alg_s=float(hit["alg_s"]),
                    alg_incl_gap_s=float(hit["elapsed_s"]),
                    alg_incl_gap_cpu_s=float(hit["cpu_s"]),
                    gap_at=float(hit["gap"]),
                )
            else:
                rec.update(last_gap=float(log["gap"].iloc[-1]), iterations=len(log))
            out.append(rec)
    return out


def serai_process(name: str, tntp: Path, gap: float, tmp: Path) -> dict:
    folder, _, lw, tw = NETWORKS[name]
    serai = str(Path(sys.executable).with_name("serai"))
    out = tmp / f"serai_{name}_{gap:.0e}.csv"
    cmd = [
        serai, "assign", str(tntp / folder / f"{name}_net.tntp"),
        "--trips", str(tntp / folder / f"{name}_trips.tntp"),
        "--algorithm", "b", "--gap", f"{gap:g}", "--max-iter", "400",
        "--length-weight", str(lw), "--toll-weight", str(tw), "--out", str(out), "--overwrite",
    ]  # fmt: skip
    wall, cpu, res = timed_process(cmd)
    m = re.search(r"(\d+) iterations, relative gap ([0-9.e+-]+)", res.stdout)
    return {
        "engine": "serai b (process)",
        "network": name,
        "gap": gap,
        "process_wall_s": wall,
        "process_cpu_s": cpu,
        "iterations": int(m.group(1)) if m else None,
        "gap_at": float(m.group(2)) if m else None,
        "command": " ".join(cmd),
    }


# ----------------------------------------------------------------------------- TAP-B
_TAPB_LINE = re.compile(r"Iteration (\d+): gap ([0-9.eE+-]+), obj ([0-9.eE+-]+), time ([0-9.]+)")


def tapb_run(tapb: Path, name: str, gap: float) -> tuple[float, float, list[dict]]:
    stem = NETWORKS[name][1]
    with tempfile.TemporaryDirectory() as d:
        params = Path(d) / "params.txt"
        params.write_text(
            f"<NETWORK FILE> {stem}_net.txt\n<TRIPS FILE> {stem}_trips.txt\n"
            f"<FILE PATH> net/\n<DATA PATH> net/\n<FLOWS FILE> {d}/flows.txt\n"
            f"<CONVERGENCE GAP> {gap:g}\n<MAX RUN TIME> 120\n<NUMBER OF THREADS> 1\n"
            "<EXCLUDE GAP TIME>\n"
        )
        wall, cpu, res = timed_process([str(tapb / "bin" / "tap"), str(params)], cwd=tapb)
    rows = [
        {"iteration": int(a), "gap": float(b), "obj": float(c), "alg_s": float(t)}
        for a, b, c, t in _TAPB_LINE.findall(res.stdout)
    ]
    return wall, cpu, rows


def tapb_records(tapb: Path, name: str) -> list[dict]:
    _, _, rows = tapb_run(tapb, name, 1e-10)
    out = []
    for gap in GAPS:
        hit = first_reaching(rows, gap)
        rec = {"engine": "TAP-B", "network": name, "gap": gap, "reached": hit is not None}
        if hit is not None:
            pw, pc, _ = tapb_run(tapb, name, gap)
            rec.update(
                iterations=hit["iteration"], alg_s=hit["alg_s"], gap_at=hit["gap"],
                process_wall_s=pw, process_cpu_s=pc,
            )  # fmt: skip
        out.append(rec)
    return out


# ----------------------------------------------------------------------------- AequilibraE
def aeq_records(aeq_python: str, peers: Path, tntp: Path, name: str, gaps: list[float]) -> list:
    with tempfile.TemporaryDirectory() as d:
        js = Path(d) / "aeq.json"
        cmd = [
            aeq_python, str(peers / "peer_assignment.py"), "--tntp-root", str(tntp),
            "--networks", name, "--algorithms", "bfw", "--cores", "1", "--repeats", "1",
            "--max-iter", "5000", "--gaps", *[f"{g:g}" for g in gaps], "--json", str(js),
        ]  # fmt: skip
        env = dict(os.environ, AEQ_SHOW_PROGRESS="FALSE")
        timed_process(cmd, cwd=peers, env=env)
        recs = json.loads(js.read_text())
    out = []
    for r in recs:
        out.append(
            {
                "engine": "AequilibraE bfw",
                "network": name,
                "gap": r["target_rgap"],
                "reached": r["reached"],
                "iterations": r["iterations"],
                "alg_s": r["assign_s_median"],
                "setup_s": r["setup_s"],
                "gap_at": r["gap_std"],
                "ms_per_iter": 1000 * r["assign_s_median"] / max(r["iterations"], 1),
            }
        )
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tapb", type=Path, required=True, help="built TAP-B copy (bin/tap, net/)")
    p.add_argument("--aeq-python", required=True, help="python of a venv with aequilibrae")
    p.add_argument("--peers", type=Path, required=True, help="../shared/bench/peers")
    p.add_argument("--tntp", type=Path, required=True, help="../shared/data/tntp")
    p.add_argument("--networks", nargs="+", default=list(NETWORKS))
    p.add_argument("--json", type=Path, default=None)
    args = p.parse_args(argv)

    from serai.assignment import AssignmentConfig, assign
    from serai.network import read_demand, read_network

    # warm-up: load every cached kernel once (start-up cost is in the process timings)
    sioux = REPO / "tests" / "data" / "SiouxFalls"
    wnet = read_network(sioux / "SiouxFalls_net.tntp")
    wdem = read_demand(sioux / "SiouxFalls_trips.tntp")
    for alg in ("b", "bfw"):
        assign(wnet, wdem, AssignmentConfig(algorithm=alg, gap=1e-3))

    info = machine()
    records: list[dict] = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for name in args.networks:
            print(f"# {name}", flush=True)
            bfw_gap = 1e-6
            records += serai_runs(name, args.tntp, bfw_gap)
            for gap in GAPS:
                records.append(serai_process(name, args.tntp, gap, tmp))
            records += tapb_records(args.tapb, name)
            aeq_gaps = [1e-4, 1e-5] if name == "ChicagoSketch" else [1e-4, 1e-5, 1e-6]
            records += aeq_records(args.aeq_python, args.peers, args.tntp, name, aeq_gaps)
    info["load_after"] = os.getloadavg()
    for r in records:
        keys = ("engine", "network", "gap", "iterations", "alg_s", "process_wall_s", "ms_per_iter")
        print({k: r.get(k) for k in keys})
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "records": records}, indent=1))
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
