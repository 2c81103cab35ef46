"""Measuring harness of issue 12: bad input through the CLI, files and Python API; data safety.

Run from the repository root (``make fuzz`` runs it whole)::

    python -m tests.robustness.harness --area all --json fuzz-report.json
    python -m tests.robustness.harness --area cli --limit 200   # a quick sample

Counts per area:

- ``cli``: generated invocations of every subcommand (``cli_cases.py``), each run
  in a worker process with a watchdog (a run over 60 s is a *hang*): *tracebacks*
  (an exception escaped, or serai's "internal error" line), *exit 0 on invalid*
  input, *partial files* (a temporary or truncated output left after a failure)
  and *clobbered* files (an existing output changed without ``--overwrite``). A
  failed ``route --batch`` writes its results file as a report of every row's error
  by design: that file is not partial when :func:`complete_report` finds it whole
  (parseable, one row per input row, rows numbered as the input); such runs are
  counted as *failure reports*.
- ``files``: the corrupted-file corpus (``corpus.py``): *foreign exceptions* at
  read/validate, *silent accepts* (read and validated with no error where one is
  due), *warned only* (a warning where an error is due), *gate mismatches*
  (validation passes but assignment refuses the network). TNTP files also go
  through ``serai assign``'s pandas-free path (``tntp.graph_if_clean``): a graph made
  there for a file the gate would refuse or warn about is a silent accept.
- ``api``: seeded random calls of the public Python API (``api_cases.py``):
  *foreign exceptions* (not :class:`~serai.errors.SeraiError`), *wrong results*
  (an invalid call answered, or an answer that breaks an invariant: non-finite
  totals, flows that do not conserve).
- ``safety``: outputs under SIGINT/SIGTERM, disk full (a small tmpfs, when it can
  be mounted), file-size limits, and folders holding the user's other files.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIOUX = ROOT / "tests" / "data" / "SiouxFalls"


# ----------------------------------------------------------------------------- fixtures


def make_fixtures(w: Path) -> None:
    """Input files the CLI cases refer to as ``{w}/...``."""
    w.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SIOUX, w / "sf", dirs_exist_ok=True)
    (w / "empty.tntp").write_text("")
    (w / "empty.csv").write_text("")
    (w / "garbage.tntp").write_bytes(bytes(range(256)) * 20)
    (w / "garbage.gpkg").write_bytes(b"SQLite format 3\x00" + bytes(range(200)) * 5)
    (w / "nested.geojson").write_text("[" * 100000 + "]" * 100000)
    (w / "[bold red]x_net.tntp").write_text((SIOUX / "SiouxFalls_net.tntp").read_text())
    net = (SIOUX / "SiouxFalls_net.tntp").read_text().splitlines()
    first = next(i for i, ln in enumerate(net) if "\t6\t6\t" in ln)  # a link line
    inf = [ln.replace("\t6\t6\t", "\tinf\tinf\t", 1) if i == first else ln
           for i, ln in enumerate(net)]  # fmt: skip
    (w / "bad_inf_net.tntp").write_text("\n".join(inf) + "\n")
    nine = [ln.replace("<NUMBER OF NODES> 24", "<NUMBER OF NODES> 4") for ln in net]
    (w / "bad9_net.tntp").write_text("\n".join(nine) + "\n")
    (w / "bad_csv").mkdir(exist_ok=True)
    (w / "bad_csv" / "links.csv").write_text("link_id,from_node,to_node,length\n1,1,2,abc\n")
    (w / "legs.csv").write_text(
        "element,mode,toc,hoc,from_name,to_name,km,country\n"
        "tce,rail,,,A,B,500,KZ\nhoc,transfer,,rail_terminal_transshipment,B,B,0,KZ\n"
        "tce,rail,,,B,C,300,KZ\n"
    )
    (w / "bad_legs.csv").write_text("element,mode,km,country\ntce,air,500,KZ\n")
    (w / "nan_legs.csv").write_text("element,mode,km,country,distance_adjustment_factor\n"
                                    "tce,rail,500,KZ,inf\n")  # fmt: skip
    (w / "huge_legs.csv").write_text("element,mode,km,country\ntce,road,1e308,KZ\n")
    (w / "neg_trips.csv").write_text("origin,destination,volume\n1,2,-5\n")
    (w / "inf_trips.csv").write_text("origin,destination,volume\n1,2,inf\n")
    (w / "unknown_zone_trips.csv").write_text("origin,destination,volume\n1,999,5\n")
    _more_fixtures(w)


def _more_fixtures(w: Path) -> None:
    """Inputs of the commands added after the first measurement (scenarios, demand, batch)."""
    ok = 'name = "fz"\ntitle = "fuzz"\nextends = "base-2024"\nyear = 2024\n'
    (w / "scn_ok.toml").write_text(ok)
    (w / "scn_syntax.toml").write_text('name = "fz\nyear = = 2024\n[[disruption]\n')
    dis = ('\n[[disruption]]\nelement = "{el}"\nmonths = [1]\ncapacity_factor = {f}\n'
           'source = "fuzz"\n')  # fmt: skip
    (w / "scn_element.toml").write_text(ok + dis.format(el="point:atlantis_port", f=0.5))
    (w / "scn_factor.toml").write_text(ok + dis.format(el="point:kuryk_port", f=-3))
    (w / "scn_nan.toml").write_text(ok + dis.format(el="point:kuryk_port", f="nan"))
    (w / "scn_loop.toml").write_text(ok.replace("base-2024", "scn_loop"))
    (w / "scn_year.toml").write_text(ok.replace("2024", "99999"))
    (w / "scn_key.toml").write_text(ok + "bogus_key = 1\n[[parameter]]\nid = 'no.such.param'\n"
                                    "add = 1\nsource = 'x'\n")  # fmt: skip
    head = "group,origin,destination,volume,unit,year\n"
    (w / "demand.csv").write_text(head + "metals_ores,KZ_ALA,CN_XIY,1000,t,2024\n")
    (w / "dem_neg.csv").write_text(head + "metals_ores,KZ_ALA,CN_XIY,-1000,t,2024\n")
    (w / "dem_zone.csv").write_text(head + "metals_ores,KZ_ALA,XX_NOPE,1000,t,2024\n")
    (w / "dem_group.csv").write_text(head + "unobtainium,KZ_ALA,CN_XIY,1000,t,2024\n")
    (w / "dem_nan.csv").write_text(head + "metals_ores,KZ_ALA,CN_XIY,nan,t,2024\n")
    (w / "dem_cols.csv").write_text("a,b\n1,2\n")
    (w / "dem_year.csv").write_text(head + "metals_ores,KZ_ALA,CN_XIY,1000,t,1999\n")
    (w / "garbage.omx").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(range(256)) * 4)
    (w / "garbage.parquet").write_bytes(b"PAR1" + bytes(range(256)) * 4 + b"PAR1")
    sh = "id,origin,destination,commodity,quantity,year,avoid_countries,avoid_passages,via,modes\n"
    (w / "ship.csv").write_text(sh + "a,Almaty,Baku,container,2,,,,,\n")
    (w / "bad_ship.csv").write_text(
        sh + "a,Atlantis,Baku,container,2,,,,,\n"
        "b,Almaty,Baku,unobtainium,x,99999,Russia,panama,Nowhere,air\n"
    )
    (w / "ship_cols.csv").write_text("foo,bar\n1,2\n")
    (w / "ship_nan.csv").write_text(
        sh + "a,Almaty,Baku,container,nan,,,,,\n"
        "b,Almaty,Baku,container,inf,,,,,\n"
        "c,Almaty,Baku,container,-1,,,,,\n"
        "d,[b]x,Baku,container,1,,,,,\n"
    )
    (w / "ship_many.csv").write_text(sh + "a,Almaty,Baku,container,2,,,,,\n" * 200)
    (w / "empty_dir").mkdir(exist_ok=True)
    (w / "bad_minerals").mkdir(exist_ok=True)
    (w / "bad_minerals" / "facilities.csv").write_text("facility_id,name\nx,\n")
    _run_store(w / "runs.duckdb")


def _run_store(path: Path) -> None:
    """Two stored runs, ``fz-a`` and ``fz-b`` (small result tables), for ``serai runs``."""
    import importlib.util

    if importlib.util.find_spec("duckdb") is None or path.exists():
        return  # without the store extra the runs commands refuse (cases expect "odd")
    import pandas as pd

    from serai.scenarios import scenario_from_text
    from serai.scenarios.run import ScenarioResult
    from serai.store import open_store

    scen = scenario_from_text('extends = "base-2024"\nyear = 2024\n', name="fz")
    st = open_store(str(path))
    try:
        for rid, scale in (("fz-a", 1.0), ("fz-b", 2.0)):
            tables = {
                "headline": pd.DataFrame({"indicator": ["co2e_t"], "unit": ["t"],
                                          "value": [4.2e7 * scale]}),
                "indicators": pd.DataFrame({"indicator": ["trans_caspian_tonnes"],
                                            "direction": ["total"], "unit": ["t"],
                                            "value": [9.1e6 * scale]}),
                "links": pd.DataFrame({"link_id": [10, 11], "mode": ["rail", "sea"],
                                       "tonnes": [1.5e6 * scale, 3.0]}),
            }  # fmt: skip
            summary = {"scenario": "fz", "hash": scen.hash, "year": 2024, "method": "lp",
                       "timings_s": {"total_s": 1.0}, "serai_version": "fuzz"}  # fmt: skip
            st.record(ScenarioResult(scen, tables, summary), run_id=rid)
    finally:
        st.close()


def mount_full(path: Path) -> Path | None:
    """A small tmpfs, filled nearly up, for disk-full cases (None if it cannot be mounted)."""
    path.mkdir(parents=True, exist_ok=True)
    if os.path.ismount(path):
        subprocess.run(["umount", str(path)], check=False, capture_output=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(path)],
                       capture_output=True, check=False)  # fmt: skip
    if r.returncode != 0:
        return None
    with contextlib.suppress(OSError), open(path / ".ballast", "wb") as fh:
        for _ in range(1000):  # fill it up, then leave 2 KiB: room for a temp file only
            fh.write(b"\0" * 1024)
            fh.flush()
    size = (path / ".ballast").stat().st_size
    os.truncate(path / ".ballast", max(0, size - 2048))
    return path


def _digest(p: Path) -> str | None:
    try:
        return hashlib.sha256(p.read_bytes()).hexdigest()
    except OSError:
        return None


# ------------------------------------------------------------------------------- worker


def _worker() -> None:
    """Run CLI cases in-process, one JSON line in, one JSON line out."""
    import resource

    from serai.cli import app

    _cache_router()
    with contextlib.suppress(Exception):  # warm up: the embedded network and its router
        from serai.freight import query

        query.make_router(query.load_network(None), year=None)
    # answers go to a private copy of fd 1; whatever a command writes to fd 1 itself (a
    # server's or a library's own stream) goes to /dev/null and cannot break the protocol
    real_out = os.fdopen(os.dup(1), "w", buffering=1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    real_out.write("ready\n")
    real_out.flush()
    orig_out, real_err = sys.stdout, sys.stderr
    for line in sys.stdin:
        job = json.loads(line)
        os.chdir(job["cwd"])
        out, err = io.StringIO(), io.StringIO()
        sys.stdout, sys.stderr = out, err
        old = resource.getrlimit(resource.RLIMIT_FSIZE)
        if job.get("fsize"):
            resource.setrlimit(resource.RLIMIT_FSIZE, (job["fsize"], old[1]))
        code, exc = 0, None
        try:
            app(args=job["argv"], prog_name="serai", standalone_mode=True)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException as e:  # a traceback a user would see
            code, exc = 1, f"{type(e).__name__}: {str(e)[:200]}"
            traceback.print_exc(file=err)
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, old)
            sys.stdout, sys.stderr = orig_out, real_err
        text = err.getvalue()
        if exc is None and "internal error" in text:
            exc = text.strip().splitlines()[-1][:200]
        real_out.write(json.dumps({"code": code, "exc": exc, "err": text[-400:],
                                   "out": out.getvalue()[-200:]}) + "\n")  # fmt: skip
        real_out.flush()


def _cache_router() -> None:
    """Reuse the embedded network and its router between cases (the CLI builds them per run)."""
    from serai.freight import query

    loaded: dict = {}
    routers: dict = {}
    load, make = query.load_network, query.make_router

    def load_network(path=None, *, year=None):
        if path is not None:  # a file given by the case: read it every time
            return load(path, year=year)
        if year not in loaded:
            loaded[year] = load(None, year=year)
        return loaded[year]

    def make_router(network, *, year=None):
        key = (id(network), year)
        if key not in routers:
            routers[key] = (network, make(network, year=year))
        return routers[key][1]

    query.load_network, query.make_router = load_network, make_router


class Pool:
    """One worker process with a watchdog; restarted after a hang or a crash."""

    def __init__(self, env: dict, args: list[str] | None = None) -> None:
        self.env = env
        self.args = args or ["--worker"]
        self.proc: subprocess.Popen | None = None

    def _start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.robustness.harness", *self.args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=tempfile.gettempdir(), env=self.env, text=True, bufsize=1,
        )  # fmt: skip
        # the worker loads the network and builds the router first: not part of any case
        assert self.proc.stdout is not None
        ready = self.proc.stdout.readline()
        if ready.strip() != "ready":
            raise RuntimeError(f"worker did not start: {ready!r}")

    def run(self, job: dict, timeout: float) -> dict:
        return self.run_line(json.dumps(job), timeout)

    def run_line(self, text: str, timeout: float) -> dict:
        import selectors

        if self.proc is None or self.proc.poll() is not None:
            self._start()
        assert self.proc and self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        t0 = time.monotonic()
        ready = sel.select(timeout)
        sel.close()
        if not ready:
            self.kill()
            return {"code": None, "hang": True, "seconds": time.monotonic() - t0}
        line = self.proc.stdout.readline()
        if not line:
            rc = self.proc.wait()
            self.proc = None
            return {"code": rc, "exc": f"worker died (signal {-rc})" if rc < 0 else "worker died",
                    "crash": True}  # fmt: skip
        r = json.loads(line)
        r["seconds"] = time.monotonic() - t0
        return r

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


# --------------------------------------------------------------------------------- areas


def area_cli(tmp: Path, limit: int | None, env: dict, log, only: str | None = None) -> dict:
    from tests.robustness.cli_cases import cli_cases

    w = tmp / "w"
    make_fixtures(w)
    full = mount_full(tmp / "full")
    cases = cli_cases()
    if only:  # e.g. "chain,flows,scenario run": cases of these commands only
        prefixes = [x.split() for x in only.split(",")]
        cases = [c for c in cases if any(c.argv[: len(p)] == p for p in prefixes)]
    if limit:
        step = max(1, len(cases) // limit)
        cases = cases[::step][:limit]
    pool = Pool(env)
    try:
        return _run_cli_cases(cases, pool, tmp, w, full, log)
    finally:
        pool.kill()
        if full is not None:
            subprocess.run(["umount", str(full)], check=False, capture_output=True)


def _run_cli_cases(cases, pool, tmp: Path, w: Path, full: Path | None, log) -> dict:
    from tests.robustness.cli_cases import fill

    counts = dict(cases=len(cases), tracebacks=0, hangs=0, exit0_invalid=0, partial_files=0,
                  clobbered=0, valid_failed=0, failure_reports=0)  # fmt: skip
    examples: dict[str, list] = {k: [] for k in counts if k != "cases"}
    t_start = time.monotonic()
    for n, case in enumerate(cases):
        o = tmp / "o" / str(n)
        o.mkdir(parents=True)
        (o / "exists.csv").write_text("precious,user,data\n1,2,3\n")
        before = {p: _digest(Path(fill([p], w, o, full)[0])) for p in case.unchanged}
        argv = fill(case.argv, w, o, full)
        if full is not None:
            for f in full.iterdir():
                if f.name != ".ballast":
                    shutil.rmtree(f, ignore_errors=True) if f.is_dir() else f.unlink()
        listing0 = _listing([o, full] if full else [o])
        r = pool.run({"argv": argv, "cwd": str(o), "fsize": case.fsize}, case.timeout)
        what = None
        if r.get("hang"):
            counts["hangs"] += 1
            what = "hangs"
        elif r.get("exc"):
            counts["tracebacks"] += 1
            what = "tracebacks"
        elif case.expect == "invalid" and r["code"] == 0:
            counts["exit0_invalid"] += 1
            what = "exit0_invalid"
        elif case.expect == "valid" and r["code"] != 0:
            counts["valid_failed"] += 1
            what = "valid_failed"
        if r.get("code") not in (0, None):
            new = _listing([o, full] if full else [o]) - listing0
            partial = sorted(p for p in new if not p.endswith("/"))
            if case.report:  # a complete report of the failure is not a partial file
                out, inp = fill(list(case.report), w, o, full)
                if out in partial and complete_report(Path(out), Path(inp)):
                    partial.remove(out)
                    counts["failure_reports"] += 1
                    examples["failure_reports"].append([argv, (r.get("err") or "")[-160:]])
            if partial:
                log(f"  partial_files: {argv} -> {partial[:3]}")
                counts["partial_files"] += 1
                examples["partial_files"].append([argv, partial[:3]])
        for p, d in before.items():
            if _digest(Path(fill([p], w, o, full)[0])) != d and "--overwrite" not in argv:
                counts["clobbered"] += 1
                examples["clobbered"].append(argv)
        if what:
            examples[what].append([argv, r.get("exc") or (r.get("err") or "")[-160:]])
            log(f"  {what}: {argv} -> {(r.get('exc') or (r.get('err') or ''))[-200:]!r}")
        shutil.rmtree(o, ignore_errors=True)
        if n % 100 == 0:
            log(f"cli {n}/{len(cases)} {counts} {time.monotonic() - t_start:.0f}s")
    counts["seconds"] = round(time.monotonic() - t_start, 1)
    return {"counts": counts, "examples": {k: v[:15] for k, v in examples.items()}}


def complete_report(out: Path, inp: Path) -> bool:
    """True when ``out`` is a whole results file of the rows of ``inp`` (a CSV table).

    Whole means: it reads back (CSV, Parquet, Excel, GeoJSON by its suffix), has the
    ``row``, ``status`` and ``error`` columns, and one row per data row of ``inp``
    numbered as a spreadsheet shows them (2, 3, ...; blank lines of ``inp`` are not rows).
    A truncated CSV (a row cut short, rows missing, no final newline) is not whole.
    """
    import csv

    try:
        with inp.open(newline="", encoding="utf-8") as fh:
            n_in = sum(1 for rec in list(csv.reader(fh))[1:] if any(x.strip() for x in rec))
        suf = out.suffix.lower()
        if suf == ".csv":
            text = out.read_text(encoding="utf-8")
            if not text.endswith("\n"):
                return False
            recs = list(csv.reader(io.StringIO(text, newline="")))
            head, body = recs[0], recs[1:]
            if any(len(rec) != len(head) for rec in body):
                return False
            rows = [dict(zip(head, rec, strict=True)) for rec in body]
        elif suf == ".geojson":
            feats = json.loads(out.read_text(encoding="utf-8"))["features"]
            rows = [f["properties"] for f in feats]
        else:
            import pandas as pd

            read = pd.read_parquet if suf == ".parquet" else pd.read_excel
            rows = read(out).to_dict("records")
        if not rows or not {"row", "status", "error"} <= set(rows[0]):
            return False
        numbers = sorted(int(float(r["row"])) for r in rows)
    except Exception:  # unreadable, cut inside a quoted field, a row without its number...
        return False
    return numbers == list(range(2, 2 + n_in))


def _listing(folders) -> set[str]:
    out = set()
    for f in folders:
        for dirpath, dirnames, filenames in os.walk(f):
            for name in filenames:
                out.add(os.path.join(dirpath, name))
            for name in dirnames:
                out.add(os.path.join(dirpath, name) + "/")
    return out


def judge_file(path: Path) -> tuple[str, str]:
    """(outcome, detail): rejected | flagged | accepted | foreign."""
    from serai.errors import SeraiError
    from serai.network import read_network, validate

    try:
        with _quiet():
            net = read_network(path)
            rep = validate(net)
    except SeraiError as exc:
        return "rejected", str(exc)[:160]
    except Exception as exc:
        return "foreign", f"{type(exc).__name__}: {str(exc)[:160]}"
    if rep.errors:
        return "rejected", str(rep.errors[0])[:160]
    if rep.warnings:
        return "flagged", str(rep.warnings[0])[:160]
    return "accepted", ""


def judge_fast_tntp(path: Path) -> tuple[str, str]:
    """``serai assign``'s pandas-free TNTP path: rejected | fallback (to the gate) | accepted."""
    from serai.errors import SeraiError
    from serai.network.io import tntp

    try:
        with _quiet():
            got = tntp.graph_if_clean(Path(path), purpose="assignment")
    except SeraiError as exc:
        return "rejected", str(exc)[:160]
    except Exception as exc:
        return "foreign", f"{type(exc).__name__}: {str(exc)[:160]}"
    return ("fallback", "") if got is None else ("accepted", "")


@contextlib.contextmanager
def _quiet():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def gate_mismatch(path: Path) -> str | None:
    """``validate(purpose="assignment")`` passed; does assignment then refuse the network?"""
    import pandas as pd

    from serai.assignment import AssignmentConfig, assign
    from serai.errors import NetworkValidationError, SeraiError
    from serai.network import read_network, validate

    trips = pd.DataFrame({"origin": [1, 2, 13], "destination": [20, 24, 7],
                          "volume": [100.0, 50.0, 10.0]})  # fmt: skip
    try:
        with _quiet():
            net = read_network(path)
            if "capacity" not in net.links.columns:
                return None
            try:
                if not validate(net, purpose="assignment").ok:
                    return None
            except TypeError:  # before issue 12: validate had no purpose
                pass
            assign(net, trips, AssignmentConfig(algorithm="fw", max_iter=3))
    except NetworkValidationError as exc:
        return str(exc)[:160]
    except SeraiError as exc:
        msg = str(exc)
        if any(c in msg for c in ("free_flow_time", "capacity", "alpha", "beta", "length", "link")):
            return msg[:160]
        return None
    except Exception as exc:
        return f"foreign {type(exc).__name__}: {str(exc)[:120]}"
    return None


def area_files(tmp: Path, n_bytes: int, log, formats: str | None = None) -> dict:
    from tests.robustness.corpus import corpus

    muts = corpus(tmp / "corpus", n_bytes)
    if formats:  # the same mutations as the whole corpus, those of these formats only
        muts = [m for m in muts if m.fmt in formats.split(",")]
    per: dict[str, dict[str, int]] = {}
    examples: dict[str, list] = {"foreign": [], "silent_accept": [], "warned_only": [],
                                 "gate_mismatch": []}  # fmt: skip
    for m in muts:
        c = per.setdefault(m.fmt, dict(mutations=0, foreign=0, silent_accept=0, warned_only=0,
                                       gate_mismatch=0))  # fmt: skip
        c["mutations"] += 1
        outcome, detail = judge_file(m.path)
        if outcome == "foreign":
            c["foreign"] += 1
            examples["foreign"].append([m.fmt, m.name, detail])
        elif m.expect == "reject" and outcome == "accepted":
            c["silent_accept"] += 1
            examples["silent_accept"].append([m.fmt, m.name])
        elif m.expect == "flag" and outcome == "accepted":
            c["silent_accept"] += 1
            examples["silent_accept"].append([m.fmt, m.name])
        elif m.expect == "reject" and outcome == "flagged":
            c["warned_only"] += 1
            examples["warned_only"].append([m.fmt, m.name, detail])
        if m.fmt == "tntp":  # `serai assign`'s pandas-free path must answer as the gate does
            fast, fast_detail = judge_fast_tntp(m.path)
            if fast == "foreign":
                c["foreign"] += 1
                examples["foreign"].append(["tntp (assign fast path)", m.name, fast_detail])
            elif fast == "accepted" and (m.expect in ("reject", "flag") or outcome != "accepted"):
                c["silent_accept"] += 1
                examples["silent_accept"].append(["tntp (assign fast path)", m.name])
        if outcome in ("accepted", "flagged") and not m.name.startswith(("empty", "tntp")):
            bad = gate_mismatch(m.path)
            if bad:
                c["gate_mismatch"] += 1
                examples["gate_mismatch"].append([m.fmt, m.name, bad])
    total = {k: sum(c[k] for c in per.values()) for k in next(iter(per.values()))}
    log(f"files {total}")
    return {
        "counts": total,
        "per_format": per,
        "examples": {k: v[:25] for k, v in examples.items()},
    }


def area_api(n: int, seed: int, env: dict, log) -> dict:
    from tests.robustness.api_cases import run_api

    return run_api(n, seed, log, env=env)


def area_safety(tmp: Path, env: dict, log) -> dict:
    from tests.robustness.safety import run_safety

    return run_safety(tmp, env, log)


# ---------------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--api-worker", action="store_true")
    ap.add_argument(
        "--area", default="all", choices=["all", "cli", "files", "api", "safety", "interrupts"]
    )
    ap.add_argument("--limit", type=int, default=None, help="CLI: run this many cases only")
    ap.add_argument("--only", default=None, help="CLI: these commands only (comma-separated)")
    ap.add_argument("--api-calls", type=int, default=1500)
    ap.add_argument("--bytes-per-format", type=int, default=16)
    ap.add_argument("--formats", default=None, help="files: these formats only (e.g. tntp)")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    if a.worker:
        _worker()
        return
    if a.api_worker:
        from tests.robustness.api_cases import worker

        worker()
        return
    env = dict(os.environ)
    here = str(Path(__file__).resolve().parents[2]) if "tests" not in sys.modules else None
    env["PYTHONPATH"] = os.pathsep.join(
        x
        for x in (env.get("PYTHONPATH"), str(Path(sys.modules["tests"].__path__[0]).parent), here)
        if x
    )
    import serai

    print(f"serai from {serai.__file__}", file=sys.stderr)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    report: dict = {"serai": serai.__file__, "started": time.ctime()}
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="serai-fuzz-") as td:
        tmp = Path(td)
        if a.area in ("all", "files"):
            report["files"] = area_files(tmp, a.bytes_per_format, log, a.formats)
        if a.area in ("all", "api"):
            report["api"] = area_api(a.api_calls, a.seed, env, log)
        if a.area in ("all", "safety"):
            report["safety"] = area_safety(tmp, env, log)
        if a.area == "interrupts":  # the interrupted data builds of "safety" only
            from tests.robustness.safety import run_build_interrupts

            report["interrupts"] = run_build_interrupts(tmp, env, log)
        if a.area in ("all", "cli"):
            report["cli"] = area_cli(tmp, a.limit, env, log, a.only)
    report["seconds"] = round(time.monotonic() - t0, 1)
    text = json.dumps(report, indent=1, default=str)
    if a.json:
        a.json.write_text(text)
    summary = {k: v["counts"] for k, v in report.items() if isinstance(v, dict) and "counts" in v}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    main()
