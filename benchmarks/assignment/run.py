"""Equilibrium assignment benchmark: serai vs TAP-B vs AequilibraE BFW, one thread each.

For SiouxFalls, Anaheim, Chicago-Sketch, Berlin-Tiergarten and the power-1.5 variants of
Anaheim and Chicago-Sketch (``networks.py``) it records, in one run:

- serai Algorithm B (``b``, to 1e-10) and bi-conjugate Frank-Wolfe (``bfw``, to 1e-6, 60 s
  cap) in this process, after a warm-up that loads the cached numba kernels: iterations,
  algorithm time and CPU seconds to each gap, BFW milliseconds per iteration, bush bytes;
- the gap evaluation alone (one shortest-path tree per origin at given costs, the kernel
  shared by BFW's all-or-nothing and Algorithm B's gap), CPU ms per evaluation;
- one ``serai assign`` process to 1e-8 under ``/usr/bin/time``: wall, CPU, peak RSS;
- TAP-B (Algorithm B in C, built outside the repo per its RUN.md) to 1e-10 (times per gap
  from its log with ``<EXCLUDE GAP TIME>``) and one process to 1e-8 under ``/usr/bin/time``;
  its bush memory as (peak RSS - peak RSS of a run whose trips leave one zone only) /
  (origins - 1) + 8 bytes per node (its dense pred and order rows, allocated for every
  origin either way);
- AequilibraE 1.7.2 BFW (``aeq_driver.py`` in its own venv, ``--cores 1``), one run per
  target gap: iterations, seconds and CPU seconds of ``execute()``, peak RSS of its process.

Gap definitions: serai and the AequilibraE column "std gap" use (TSTT - SPTT) / TSTT;
TAP-B uses (TSTT - SPTT) / SPTT, larger by a factor (1 + gap).

Usage (from the repo root; outputs outside the repo)::

    .venv/bin/python benchmarks/assignment/run.py --tapb /tmp/tapb \\
        --aeq-python /tmp/aeq-venv/bin/python --peers ../shared/bench/peers \\
        --tntp ../shared/data/tntp --json /tmp/assign-bench.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

sys.path.insert(0, str(Path(__file__).resolve().parent))
import networks

GAPS = [1e-4, 1e-5, 1e-6, 1e-8, 1e-10]
REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


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


def timed(cmd: list[str], **kw) -> tuple[dict, subprocess.CompletedProcess]:
    """Run under GNU time: wall s, CPU s (user + sys), peak RSS MiB of the process."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        res = subprocess.run(
            ["/usr/bin/time", "-o", tf.name, "-f", "%e %U %S %M", *cmd],
            capture_output=True,
            text=True,
            **kw,
        )
        if res.returncode != 0:
            raise RuntimeError(f"{cmd[0]} failed: {res.stderr[-2000:]}")
        e, u, s, m = tf.read().split()[-4:]
    return {"wall_s": float(e), "cpu_s": float(u) + float(s), "rss_mib": int(m) / 1024}, res


def first_reaching(rows: list[dict], gap: float) -> dict | None:
    for row in rows:
        if row["gap"] <= gap:
            return row
    return None


# ----------------------------------------------------------------------------- serai
def serai_runs(b: networks.Bench, net_f: Path, trips_f: Path) -> list[dict]:
    import numpy as np

    from serai.assignment import AssignmentConfig, TrafficClass, assign
    from serai.assignment.engine import _problem
    from serai.errors import SeraiError
    from serai.network import compile_network, read_demand, read_network

    t0 = time.perf_counter()
    net = read_network(net_f)
    refused = ""
    try:
        graph = compile_network(net)
    except SeraiError as exc:  # measure the engine all the same, and say so
        refused = str(exc).splitlines()[0]
        graph = compile_network(net, check=False)
    demand = read_demand(trips_f)
    load_s = time.perf_counter() - t0
    out = []
    for alg, target, cap in (("b", 1e-10, 400), ("bfw", 1e-6, 4000)):
        cfg = AssignmentConfig(
            algorithm=alg, gap=target, max_iter=cap, length_weight=b.length_weight,
            toll_weight=b.toll_weight, time_limit=60.0 if alg == "bfw" else 300.0,
        )  # fmt: skip
        r = assign(graph, demand, cfg)
        log = r.convergence.copy()
        log["alg_s"] = (log["time_s"] - log["gap_time_s"]).cumsum()
        rows = log.to_dict("records")
        its = len(log)
        per_it = 1000 * float(log["time_s"].iloc[1:].mean()) if its > 1 else np.nan
        per_it_cpu = 1000 * float(log["cpu_s"].diff().iloc[1:].mean()) if its > 1 else np.nan
        common = {
            "engine": f"serai {alg}",
            "network": b.name,
            "load_s": load_s,
            "ms_per_iter": per_it,
            "cpu_ms_per_iter": per_it_cpu,
            "gap_eval_ms": 1000 * float(log["gap_time_s"].mean()),
            "bush_bytes": r.bush_bytes,
            "origins": int(demand.loc[demand["volume"] > 0, "origin"].nunique()),
            "nodes": graph.n_nodes,
            "links": graph.n_edges,
            "beckmann": r.beckmann,
            "min_flow": float(r.class_flows.min()),
            "validation_refused": refused,
        }
        for gap in GAPS:
            hit = first_reaching(rows, gap)
            rec = {**common, "gap": gap, "reached": hit is not None}
            if hit is not None:
                rec.update(
                    iterations=int(hit["iteration"]), alg_s=float(hit["alg_s"]),
                    alg_incl_gap_s=float(hit["elapsed_s"]), cpu_s=float(hit["cpu_s"]),
                    gap_at=float(hit["gap"]),
                )  # fmt: skip
            else:
                rec.update(last_gap=float(log["gap"].iloc[-1]), iterations=its)
            out.append(rec)
    # the gap evaluation alone: one tree per origin at the final costs, CPU time
    p = _problem(
        graph,
        [TrafficClass("all", demand, length_weight=b.length_weight, toll_weight=b.toll_weight)],
        AssignmentConfig(),
    )
    costs = p.class_costs(r.links["time"].to_numpy()[graph.link_rows])  # rows -> edge order
    reps = []
    for _ in range(7):
        c0 = time.process_time()
        p.aon(costs, False)
        reps.append(time.process_time() - c0)
    out.append(
        {"engine": "serai gap evaluation", "network": b.name, "gap": 0.0,
         "cpu_ms": 1000 * float(np.median(reps))}
    )  # fmt: skip
    return out


def serai_process(b: networks.Bench, net_f: Path, trips_f: Path, tmp: Path) -> dict:
    serai = str(Path(sys.executable).with_name("serai"))
    out = tmp / f"serai_{b.name}.csv"
    cmd = [
        serai, "assign", str(net_f), "--trips", str(trips_f), "--algorithm", "b",
        "--gap", "1e-08", "--max-iter", "400", "--length-weight", str(b.length_weight),
        "--toll-weight", str(b.toll_weight), "--out", str(out), "--overwrite",
    ]  # fmt: skip
    stats, res = timed(cmd)
    m = re.search(r"(\d+) iterations, relative gap ([0-9.e+-]+)", res.stdout)
    return {
        "engine": "serai b (process)",
        "network": b.name,
        "gap": 1e-8,
        **{f"process_{k}": v for k, v in stats.items()},
        "iterations": int(m.group(1)) if m else None,
        "command": " ".join(cmd),
    }


# ----------------------------------------------------------------------------- TAP-B
_TAPB_LINE = re.compile(r"Iteration (\d+): gap ([0-9.eE+-]+), obj ([0-9.eE+-]+), time ([0-9.]+)")


def tapb_run(tapb: Path, folder: Path, stem: str, gap: float, trips: str | None = None):
    with tempfile.TemporaryDirectory() as d:
        params = Path(d) / "params.txt"
        params.write_text(
            f"<NETWORK FILE> {stem}_net.tntp\n<TRIPS FILE> {trips or stem + '_trips.tntp'}\n"
            f"<FILE PATH> {folder}/\n<DATA PATH> {folder}/\n<FLOWS FILE> {d}/flows.txt\n"
            f"<CONVERGENCE GAP> {gap:g}\n<MAX RUN TIME> 300\n<NUMBER OF THREADS> 1\n"
            "<EXCLUDE GAP TIME>\n"
        )
        stats, res = timed([str(tapb / "bin" / "tap"), str(params)], cwd=tapb)
    rows = [
        {"iteration": int(a), "gap": float(g), "obj": float(c), "alg_s": float(t)}
        for a, g, c, t in _TAPB_LINE.findall(res.stdout)
    ]
    return stats, rows


def one_origin_trips(trips_f: Path) -> str:
    """A copy of the trips file keeping the demand of its first origin only."""
    text = trips_f.read_text(errors="replace")
    head, sep, body = text.partition("<END OF METADATA>")
    blocks = re.split(r"(?=Origin)", body)
    first = next(i for i, blk in enumerate(blocks) if blk.startswith("Origin"))
    total = sum(float(v) for v in re.findall(r":\s*([0-9.eE+-]+)\s*;", blocks[first]))
    head = re.sub(r"<TOTAL OD FLOW>[^\n<]*", f"<TOTAL OD FLOW> {total}", head)
    name = "one_origin_trips.tntp"
    (trips_f.parent / name).write_text(head + sep + "".join(blocks[: first + 1]))
    return name


def tapb_records(tapb: Path, b: networks.Bench, net_f: Path, trips_f: Path, origins: int):
    _, rows = tapb_run(tapb, net_f.parent, b.stem, 1e-10)
    stats, _ = tapb_run(tapb, net_f.parent, b.stem, 1e-8)
    one, _ = tapb_run(tapb, net_f.parent, b.stem, 1e-8, one_origin_trips(trips_f))
    out = []
    for gap in GAPS:
        hit = first_reaching(rows, gap)
        rec = {"engine": "TAP-B", "network": b.name, "gap": gap, "reached": hit is not None}
        if hit is not None:
            rec.update(iterations=hit["iteration"], alg_s=hit["alg_s"], gap_at=hit["gap"])
        if gap == 1e-8:
            rec.update(
                {f"process_{k}": v for k, v in stats.items()},
                one_origin_rss_mib=one["rss_mib"],
                merge_bytes_per_bush=(stats["rss_mib"] - one["rss_mib"])
                * 2**20
                / max(origins - 1, 1),
            )
        out.append(rec)
    return out


# ----------------------------------------------------------------------------- AequilibraE
def aeq_records(aeq_python: str, peers: Path, root: Path, b: networks.Bench, gaps) -> list:
    cmd = [
        aeq_python, str(HERE / "aeq_driver.py"), "--peers", str(peers), "--root", str(root),
        "--network", b.name, "--folder", b.out_folder, "--stem", b.stem,
        "--gaps", *[f"{g:g}" for g in gaps],
    ]  # fmt: skip
    stats, res = timed(cmd, env=dict(os.environ, AEQ_SHOW_PROGRESS="FALSE"))
    out = []
    for line in res.stdout.splitlines():
        if line.startswith("{"):
            r = json.loads(line)
            out.append({"engine": "AequilibraE bfw", **r, "process_rss_mib": stats["rss_mib"]})
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tapb", type=Path, required=True, help="built TAP-B copy (bin/tap)")
    p.add_argument("--aeq-python", required=True, help="python of a venv with aequilibrae")
    p.add_argument("--peers", type=Path, required=True, help="../shared/bench/peers")
    p.add_argument("--tntp", type=Path, required=True, help="../shared/data/tntp")
    p.add_argument("--networks", nargs="+", default=list(networks.ALL))
    p.add_argument("--json", type=Path, default=None)
    args = p.parse_args(argv)

    from serai.assignment import AssignmentConfig, assign
    from serai.network import read_demand, read_network

    # warm-up: load every cached kernel once (start-up is in the process timings)
    sioux = REPO / "tests" / "data" / "SiouxFalls"
    wnet = read_network(sioux / "SiouxFalls_net.tntp")
    wdem = read_demand(sioux / "SiouxFalls_trips.tntp")
    for alg in ("b", "bfw"):
        assign(wnet, wdem, AssignmentConfig(algorithm=alg, gap=1e-3))

    info = machine()
    records: list[dict] = []
    with tempfile.TemporaryDirectory() as d:
        root = Path(d) / "nets"
        paths = networks.prepare(args.tntp, root, args.networks)
        for name in args.networks:
            b = networks.ALL[name]
            net_f, trips_f = paths[name]
            print(f"# {name}", flush=True)
            serai = serai_runs(b, net_f, trips_f)
            records += serai
            try:
                records.append(serai_process(b, net_f, trips_f, Path(d)))
            except RuntimeError as exc:  # recorded: the CLI refuses the file as it is
                records.append({"engine": "serai refused", "network": name, "error": str(exc)})
            records += tapb_records(args.tapb, b, net_f, trips_f, serai[0]["origins"])
            small = serai[0]["links"] < 2000
            gaps = [1e-4, 1e-5, 1e-6] if small else [1e-4, 1e-5]
            records += aeq_records(args.aeq_python, args.peers, root, b, gaps)
            if args.json:  # after every network: a crash later keeps what was measured
                info["load_after"] = os.getloadavg()
                args.json.write_text(json.dumps({"machine": info, "records": records}, indent=1))
    info["load_after"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "records": records}, indent=1))
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
