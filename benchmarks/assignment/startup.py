"""Start-up timings: `serai --version`, `import serai`, a SiouxFalls `serai assign` process,
a `serai route` process with a warm routing-graph cache, and the same `serai route`
answered by a running `serai serve` (started by this script; --no-serve skips it); then,
in a cache folder of its own, the first `serai route` that finds no server (computes in
the process and starts one in the background: each run begins with none running) and
the calls after it (answered by the server it started), with the server's CPU per call
and its memory (--no-autostart skips them).

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
        # SERAI_ROUTE_SERVER=off (set for this row): computed in the process, starts no server
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


FIRST = "serai route first call (starts a server)"
SECOND = "serai route after auto-start (served)"


def _serve_pids(cache: Path) -> list[int]:
    """`serai serve` processes using the cache folder ``cache`` (Linux /proc)."""
    want = f"SERAI_CACHE_DIR={cache}".encode()
    out = []
    for d in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (d / "cmdline").read_bytes().split(b"\0")
            if b"serve" in cmd and want in (d / "environ").read_bytes().split(b"\0"):
                out.append(int(d.name))
        except OSError:
            pass
    return out


def reset(cache: Path) -> None:
    """No server of ``cache`` runs (SIGTERM, then wait) and none was started lately: the
    next `serai route` is a first call (hyperfine --prepare; ``startup.py --reset DIR``)."""
    for pid in _serve_pids(cache):
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    for _ in range(600):
        if not _serve_pids(cache):
            break
        time.sleep(0.05)
    for f in [*cache.glob("serve-auto-*.lock"), *cache.glob("serve-[0-9]*.json")]:
        f.unlink(missing_ok=True)


def rss_mb(pid: int) -> dict:
    """Resident memory of ``pid`` in MB: all, anonymous, file-backed (the mapped router cache)."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        k, _, v = line.partition(":")
        if k in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            out[k] = int(v.split()[0]) / 1024
    return out


def autostart(args: argparse.Namespace, d: Path, out: dict) -> None:
    """The FIRST and SECOND rows, in the cache folder ``d/cache`` (warmed first)."""
    if not (args.tree / "serai" / "_autostart.py").is_file():
        print(f"{FIRST:<42} n/a (this tree's serai route starts no server)")
        return
    py = Path(sys.executable).parent / "python"
    cache = d / "cache"
    cache.mkdir()
    env = {"SERAI_CACHE_DIR": str(cache), "SERAI_ROUTE_SERVER": "auto", "SERAI_NO_SERVER": ""}
    full = {**os.environ, **env}
    full.pop("SERAI_NO_SERVER", None)
    cmd = ROUTE.format(serai=f"{py} -m serai")
    src = Path(os.environ.get("SERAI_CACHE_DIR") or Path.home() / ".cache" / "serai")
    for f in src.glob("router-*.pkl"):  # the routing graphs already built (read-only entries)
        try:
            os.link(f, cache / f.name)
        except OSError:
            pass
    # the routing graph into this cache folder if not there yet (the rows time a warm cache)
    subprocess.run(
        [*cmd.split(), "--no-server"], check=True, capture_output=True, env=full, cwd=args.tree
    )
    prepare = f"{py} {Path(__file__).resolve()} --reset {cache}"
    try:
        out["results"][FIRST] = r = hyperfine(cmd, args.runs, args.tree, d / "h.json", env,
                                              prepare=prepare)  # fmt: skip
        show(FIRST, r)
        reset(cache)
        first = subprocess.run(cmd.split(), capture_output=True, text=True, env=full,
                               cwd=args.tree)  # fmt: skip
        t0 = time.monotonic()
        while not list(cache.glob("serve-[0-9]*.json")) and time.monotonic() - t0 < 600:
            time.sleep(0.1)
        (pid,) = _serve_pids(cache)
        r_up = time.monotonic() - t0
        mem0 = rss_mb(pid)
        c0 = cpu_of(pid)
        out["results"][SECOND] = r = hyperfine(cmd, args.runs, args.tree, d / "h.json", env)
        r["server_cpu_s"] = (cpu_of(pid) - c0) / (args.runs + 2)
        r["server_ready_after_first_s"] = r_up
        r["server_rss_mb_ready"], r["server_rss_mb_after"] = mem0, rss_mb(pid)
        r["first_call_stderr"] = first.stderr.strip()
        show(SECOND, r)
        print(f"{'':<42} + server CPU {r['server_cpu_s']:.3f} s per call; server ready "
              f"{r_up:.1f} s after the first call ended")  # fmt: skip
        for when in ("ready", "after"):
            m = r[f"server_rss_mb_{when}"]
            print(
                f"{'':<42} server memory {when}: RSS {m['VmRSS']:.0f} MB (anonymous "
                f"{m['RssAnon']:.0f}, file-backed {m['RssFile']:.0f}), peak {m['VmHWM']:.0f}"
            )
    finally:
        reset(cache)


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def hyperfine(
    cmd: str, runs: int, tree: Path, js: Path, env: dict | None = None, prepare: str | None = None
) -> dict:
    subprocess.run(
        [
            "hyperfine",
            "-N",
            "-w",
            "2",
            "-r",
            str(runs),
            "--export-json",
            str(js),
            *(["--prepare", prepare] if prepare else []),
            cmd,
        ],
        check=True,
        capture_output=True,
        cwd=tree,
        env={**os.environ, **(env or {})},
    )
    r = json.loads(js.read_text())["results"][0]
    return {"command": cmd, "mean_s": r["mean"], "min_s": r["min"],
            "cpu_s": r["user"] + r["system"]}  # fmt: skip


def show(name: str, r: dict) -> None:
    print(f"{name:<42} wall {r['mean_s']:.3f} s (min {r['min_s']:.3f})  "
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
    p.add_argument("--no-autostart", action="store_true", help="skip the first/second call rows")
    p.add_argument("--reset", type=Path, default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.reset is not None:
        return reset(args.reset)
    out = {"load_before": os.getloadavg(), "results": {}}
    with tempfile.TemporaryDirectory() as d:
        for name, cmd in commands(Path(d)).items():
            if args.only and not any(k in name for k in args.only.split(",")):
                continue
            env = {"SERAI_ROUTE_SERVER": "off"} if "route" in name else None
            out["results"][name] = r = hyperfine(cmd, args.runs, args.tree, Path(d) / "h.json", env)
            show(name, r)
        if not args.no_serve and (not args.only or any(k in SERVED for k in args.only.split(","))):
            py = Path(sys.executable).parent / "python"
            with serve(args.tree) as pid:
                if pid:
                    cmd = ROUTE.format(serai=f"{py} -m serai")
                    c0 = cpu_of(pid)
                    out["results"][SERVED] = r = hyperfine(cmd, args.runs, args.tree,
                                                           Path(d) / "h.json",
                                                           {"SERAI_ROUTE_SERVER": "use"})  # fmt: skip
                    # the server's CPU per call (2 warm-up runs + the timed ones)
                    r["server_cpu_s"] = (cpu_of(pid) - c0) / (args.runs + 2)
                    show(SERVED, r)
                    print(f"{'':<42} + server CPU {r['server_cpu_s']:.3f} s per call")
                else:
                    print(f"{SERVED:<42} n/a (this tree's serve does not register)")
        wanted = not args.only or any(k in FIRST + SECOND for k in args.only.split(","))
        if not args.no_autostart and wanted:
            autostart(args, Path(d), out)
    out["load_after"] = os.getloadavg()
    print(f"load average before {out['load_before']}, after {out['load_after']}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
