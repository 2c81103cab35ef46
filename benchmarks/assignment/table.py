"""Markdown tables from the JSON written by ``run.py``.

Usage: ``.venv/bin/python benchmarks/assignment/table.py /tmp/assign-bench.json``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _f(v, fmt=".3f") -> str:
    return "" if v is None else format(v, fmt)


def tables(data: dict) -> str:
    recs = data["records"]
    m = data["machine"]
    out = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['os']}; Python {m['python']}, "
        f"numpy {m['numpy']}, numba {m['numba']}. Load average before / after: "
        f"{', '.join(f'{x:.1f}' for x in m['load_before'])} / "
        f"{', '.join(f'{x:.1f}' for x in m['load_after'])}.",
        "",
    ]

    def pick(engine, net, gap):
        for r in recs:
            if r["engine"] == engine and r["network"] == net and abs(r["gap"] - gap) < 1e-15:
                return r
        return None

    nets = list(dict.fromkeys(r["network"] for r in recs))
    gaps = sorted({r["gap"] for r in recs}, reverse=True)
    out += [
        "Algorithm B: serai vs TAP-B (one thread each). `alg s` = algorithm time without the "
        "gap evaluations (TAP-B's `<EXCLUDE GAP TIME>`); `+gap s` = serai's with them; "
        "`process s` = wall time of the whole `serai assign` / `tap` process (CPU seconds in "
        "brackets).",
        "",
        "| network | gap | serai it | serai alg s | serai +gap s (CPU s) | serai process s | TAP-B it "
        "| TAP-B alg s | TAP-B process s | alg ratio serai/TAP-B | process ratio |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for net in nets:
        for gap in gaps:
            s = pick("serai b", net, gap)
            sp = pick("serai b (process)", net, gap)
            t = pick("TAP-B", net, gap)
            if s is None and t is None:
                continue
            s_ok = s is not None and s.get("reached")
            t_ok = t is not None and t.get("reached")
            ratio = s["alg_s"] / t["alg_s"] if s_ok and t_ok and t["alg_s"] > 0 else None
            pratio = sp["process_wall_s"] / t["process_wall_s"] if sp and t_ok and s_ok else None
            sproc = f"{sp['process_wall_s']:.2f} ({sp['process_cpu_s']:.2f})" if sp and s_ok else ""
            tproc = f"{t['process_wall_s']:.2f} ({t['process_cpu_s']:.2f})" if t_ok else ""
            out.append(
                f"| {net} | {gap:.0e} | {s['iterations'] if s_ok else 'not reached'} "
                f"| {_f(s.get('alg_s')) if s_ok else ''} "
                f"| {_f(s.get('alg_incl_gap_s')) if s_ok else ''}"
                f"{' (' + _f(s.get('alg_incl_gap_cpu_s')) + ')' if s_ok else ''} | {sproc} "
                f"| {t['iterations'] if t_ok else 'not reached'} "
                f"| {_f(t.get('alg_s')) if t_ok else ''} | {tproc} "
                f"| {_f(ratio, '.2f')} | {_f(pratio, '.2f')} |"
            )
    out += [
        "",
        "Bi-conjugate Frank-Wolfe: serai vs AequilibraE 1.7.2 (`--cores 1`). serai's time is "
        "from one run to the smallest gap (its log); AequilibraE's is `execute()` of one run "
        "per target. `std gap` = the standard gap at AequilibraE's final flows (its own stopping "
        "gap differs).",
        "",
        "| network | gap | serai it | serai s | serai ms/it | AequilibraE it | AequilibraE s "
        "| AequilibraE ms/it | AequilibraE std gap | time ratio serai/AequilibraE |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for net in nets:
        for gap in gaps:
            s = pick("serai bfw", net, gap)
            a = pick("AequilibraE bfw", net, gap)
            if a is None:
                continue
            s_ok = s is not None and s.get("reached")
            a_ok = a.get("reached")
            ratio = s["alg_incl_gap_s"] / a["alg_s"] if s_ok and a_ok else None
            out.append(
                f"| {net} | {gap:.0e} | {s['iterations'] if s_ok else 'not reached'} "
                f"| {_f(s.get('alg_incl_gap_s')) if s_ok else ''} "
                f"| {_f(s.get('ms_per_iter'), '.1f') if s else ''} "
                f"| {a['iterations']}{'' if a_ok else ' (cap)'} | {_f(a['alg_s'])} "
                f"| {_f(a['ms_per_iter'], '.1f')} | {a['gap_at']:.2e} | {_f(ratio, '.2f')} |"
            )
    return "\n".join(out)


if __name__ == "__main__":
    print(tables(json.loads(Path(sys.argv[1]).read_text())))
