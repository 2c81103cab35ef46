"""Data-safety scenarios: user files next to outputs, interrupts, disk full, size limits.

Each scenario runs the real ``serai`` CLI in a subprocess and checks the folder
afterwards: *data lost* (a file the user had is gone or changed), *partial files*
(a truncated or temporary output left after a failure), *tracebacks* (stderr shows
one, or serai's "internal error" line), *not refused* (an existing output replaced
without ``--overwrite``).
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import serai

ROOT = Path(serai.__file__).resolve().parents[1]  # the checkout whose serai is measured
SIOUX = Path(__file__).resolve().parents[1] / "data" / "SiouxFalls"
if not SIOUX.exists():
    SIOUX = Path(__file__).resolve().parents[2] / "tests" / "data" / "SiouxFalls"


def child_setup(fsize: int | None = None) -> None:
    """In the child before ``exec``: default SIGINT/SIGQUIT, and a file-size limit.

    A harness started in the background by a shell inherits SIGINT and SIGQUIT
    ignored, and a Python started so installs no KeyboardInterrupt handler: the
    SIGINT scenario would then test the shell, not serai (a build ran to its end).
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    if fsize:
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))


def _serai(args, cwd, env, fsize=None, timeout=600, interrupt=None):
    cmd = [sys.executable, "-c", "from serai.cli import main; main()", *map(str, args)]
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, preexec_fn=lambda: child_setup(fsize))  # fmt: skip
    if interrupt:
        sig, after = interrupt
        time.sleep(after)
        if p.poll() is None:
            p.send_signal(sig)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:  # recorded as a hang, the run goes on
        p.kill()
        out, err = p.communicate()
        return None, out, f"{err}\nHANG: no answer in {timeout} s"
    return p.returncode, out, err


def _snapshot(folder: Path) -> dict[str, str]:
    out = {}
    if not folder.exists():
        return out
    for f in sorted(folder.rglob("*")):
        if f.is_file():
            out[str(f.relative_to(folder))] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def _traceback(err: str) -> bool:
    return "Traceback (most recent call last)" in err or "internal error" in err


def _build_interrupts(b: Path, flag: list[str], tmp: Path, env: dict, record) -> None:
    """``data build --out b`` interrupted by SIGINT, then SIGTERM, 8 s in: ``b`` unchanged."""
    for sig, label in ((signal.SIGINT, "SIGINT"), (signal.SIGTERM, "SIGTERM")):
        before = _snapshot(b)
        code, _, err = _serai(["data", "build", "--out", b, *flag], tmp, env,
                              interrupt=(sig, 8.0), timeout=2400)  # fmt: skip
        after = _snapshot(b)
        leftovers = [f for f in os.listdir(tmp) if f.startswith(".serai-tmp")]
        stopped = "" if code != 0 else " (NOT interrupted: the build ran to its end)"
        record(
            f"data build {label}",
            lost=after != before and code != 0,
            partial=bool(leftovers),
            tb=_traceback(err),
            detail=f"exit {code}{stopped}; files {len(before)} -> {len(after)}; "
            f"{err.strip()[-200:]}",
        )


def run_build_interrupts(tmp: Path, env: dict, log=print) -> dict:
    """Only the interrupted ``data build`` scenarios of :func:`run_safety` (seconds, not a
    full build): a copy of the shipped build holding the user's files, SIGINT then SIGTERM."""
    tmp = tmp / "interrupts"
    tmp.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []

    def record(name, *, lost=False, partial=False, tb=False, not_refused=False, detail=""):
        results.append(dict(name=name, data_lost=lost, partial=partial, traceback=tb,
                            not_refused=not_refused, hang="HANG: no answer" in detail,
                            detail=detail[-300:]))  # fmt: skip
        log(f"safety {name}: lost={lost} partial={partial} tb={tb} {detail[:120]}")

    b = tmp / "build"
    shutil.copytree(ROOT / "serai" / "data" / "eurasia", b)
    (b / "my_notes.txt").write_text("mine\n")
    _build_interrupts(b, ["--overwrite"], tmp, env, record)
    keys = ("data_lost", "partial", "traceback", "not_refused", "hang")
    counts = {k: sum(bool(r[k]) for r in results) for k in keys}
    counts["scenarios"] = len(results)
    return {"counts": counts, "results": results}


def run_safety(tmp: Path, env: dict, log=print) -> dict:
    tmp = tmp / "safety"
    tmp.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []

    def record(name, *, lost=False, partial=False, tb=False, not_refused=False, detail=""):
        hang = "HANG: no answer" in detail
        results.append(dict(name=name, data_lost=lost, partial=partial, traceback=tb,
                            not_refused=not_refused, hang=hang,
                            detail=detail[-300:]))  # fmt: skip
        log(f"safety {name}: lost={lost} partial={partial} tb={tb} not_refused={not_refused}"
            f"{' HANG' if hang else ''}")  # fmt: skip

    net, trips = SIOUX / "SiouxFalls_net.tntp", SIOUX / "SiouxFalls_trips.tntp"
    legs = tmp / "legs.csv"
    legs.write_text("element,mode,km,country\ntce,rail,500,KZ\ntce,road,20,KZ\n")

    # 1. outputs under a file-size limit and on a full disk: clear error, nothing partial
    full = tmp / "full"
    full.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(full)],
                             capture_output=True, check=False).returncode == 0  # fmt: skip
    if mounted:  # fill it up, then leave 2 KiB: room for a temporary file only
        from tests.robustness.harness import mount_full

        subprocess.run(["umount", str(full)], check=False)
        mounted = mount_full(full) is not None
    jobs = {
        "paths skim": lambda o: ["paths", "skim", net, "--out", o / "skim.csv"],
        "assign": lambda o: ["assign", net, "--trips", trips, "--out", o / "flows.csv",
                             "--max-iter", "2", "--algorithm", "fw"],
        "route --geojson": lambda o: ["route", "--from", "Almaty", "--to", "Baku",
                                      "--geojson", o / "r.geojson"],
        "emissions --ileap": lambda o: ["emissions", "chain", legs, "--teu", "1",
                                        "--ileap", o / "fp.json"],
        "network convert": lambda o: ["network", "convert", net, o / "sf.gpkg"],
    }  # fmt: skip
    for name, argv in jobs.items():
        for how in ("size-limit", "disk-full"):
            if how == "disk-full" and not mounted:
                continue
            o = (tmp / f"lim-{name.replace(' ', '_')}") if how == "size-limit" else full
            o.mkdir(exist_ok=True)
            before = set(os.listdir(o))
            code, _, err = _serai(argv(o), tmp, env, fsize=300 if how == "size-limit" else None)
            new = set(os.listdir(o)) - before
            record(f"{name} {how}", partial=bool(new) or code == 0, tb=_traceback(err),
                   detail=f"exit {code}; left {sorted(new)}; {err.strip()[-200:]}")  # fmt: skip
            for f in new:
                p = o / f
                shutil.rmtree(p) if p.is_dir() else p.unlink()
    if mounted:
        subprocess.run(["umount", str(full)], check=False)

    # 2. an existing output is replaced only with --overwrite
    for name, argv in jobs.items():
        o = tmp / f"ow-{name.replace(' ', '_')}"
        o.mkdir(exist_ok=True)
        target = [a for a in argv(o) if isinstance(a, Path) and a.parent == o][-1]
        target.write_text("the user's precious file\n")
        before = _snapshot(o)
        code, _, err = _serai(argv(o), tmp, env)
        record(f"{name} existing output", not_refused=_snapshot(o) != before or code == 0,
               tb=_traceback(err), detail=f"exit {code}; {err.strip()[-200:]}")  # fmt: skip

    # 3. serai demo --out over earlier results without --overwrite
    d = tmp / "demo"
    d.mkdir()
    (d / "route_report.html").write_text("earlier results\n")
    (d / "notes.txt").write_text("mine\n")
    before = _snapshot(d)
    code, _, err = _serai(["demo", "--out", d], tmp, env)
    record(
        "demo --out existing",
        not_refused=_snapshot(d) != before,
        tb=_traceback(err),
        lost=not (d / "notes.txt").exists(),
        detail=f"exit {code}; {err.strip()[-200:]}",
    )

    # 4. data build --out DIR keeps the user's other files; SIGINT/SIGTERM keep the old build
    if (ROOT / "tools" / "data" / "build.py").exists():
        b = tmp / "build"
        shutil.copytree(ROOT / "serai" / "data" / "eurasia", b)
        (b / "my_notes.txt").write_text("mine\n")
        (b / "my_table.parquet").write_bytes(b"PAR1 not really\n")
        mine = {k: v for k, v in _snapshot(b).items() if k.startswith("my_")}
        code, _, err = _serai(["data", "build", "--out", b], tmp, env, timeout=2400)
        refused = code != 0 and "--overwrite" in err
        if refused:  # it would replace tables it did not write: asked for --overwrite
            code, _, err = _serai(
                ["data", "build", "--out", b, "--overwrite"], tmp, env, timeout=2400
            )
        after = _snapshot(b)
        lost = any(after.get(k) != v for k, v in mine.items())
        record(
            "data build --out DIR with user files",
            lost=lost,
            tb=_traceback(err),
            partial=code != 0,
            detail=f"exit {code}; refused first: {refused}; {err.strip()[-200:]}",
        )
        _build_interrupts(b, ["--overwrite"] if refused else [], tmp, env, record)

    # 5. network convert --overwrite into a folder that holds the user's other files
    o = tmp / "conv"
    o.mkdir()
    (o / "README.txt").write_text("mine\n")
    code, _, err = _serai(["network", "convert", net, o, "--to", "csv", "--overwrite"], tmp, env)
    record(
        "network convert --overwrite into a folder with user files",
        lost=not (o / "README.txt").exists(),
        tb=_traceback(err),
        detail=f"exit {code}",
    )

    keys = ("data_lost", "partial", "traceback", "not_refused", "hang")
    counts = {k: sum(bool(r[k]) for r in results) for k in keys}
    counts["scenarios"] = len(results)
    return {"counts": counts, "results": results}
