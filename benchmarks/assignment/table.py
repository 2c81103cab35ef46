"""Markdown tables from the JSON written by ``run.py``.

Usage: ``.venv/bin/python benchmarks/assignment/table.py /tmp/assign-bench.json [more.json]``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _f(v, fmt=".3f") -> str:
    return "" if v is None else format(v, fmt)


def _ratio(a, b) -> str:
    return "" if a is None or b is None or b == 0 else f"{a / b:.2f}"


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

    def pick(engine, net, gap=None):
        for r in recs:
            if r["engine"] == engine and r["network"] == net:
                if gap is None or abs(r["gap"] - gap) < 1e-15:
                    return r
        return None

    nets = list(dict.fromkeys(r["network"] for r in recs))
    out += [
        "**Algorithm B, serai vs TAP-B**: iterations and algorithm seconds to each gap "
        "(`alg s`: without the gap evaluations, as TAP-B's `<EXCLUDE GAP TIME>`; serai's CPU "
        "seconds with them in brackets).",
        "",
        "| network | gap | serai it | serai alg s (CPU s) | TAP-B it | TAP-B alg s "
        "| it ratio | time ratio |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for net in nets:
        for gap in (1e-4, 1e-6, 1e-8, 1e-10):
            s, t = pick("serai b", net, gap), pick("TAP-B", net, gap)
            if s is None or t is None:
                continue
            s_ok, t_ok = s.get("reached"), t.get("reached")
            out.append(
                f"| {net} | {gap:.0e} | {s['iterations'] if s_ok else 'not reached'} "
                f"| {_f(s.get('alg_s')) + ' (' + _f(s.get('cpu_s')) + ')' if s_ok else ''} "
                f"| {t['iterations'] if t_ok else 'not reached'} | {_f(t.get('alg_s')) if t_ok else ''} "
                f"| {_ratio(s.get('iterations'), t.get('iterations')) if s_ok and t_ok else ''} "
                f"| {_ratio(s.get('alg_s'), t.get('alg_s')) if s_ok and t_ok else ''} |"
            )
    out += [
        "",
        "**Whole processes to gap 1e-8 (Algorithm B) and memory**: `serai assign` and `tap`, "
        "wall seconds, CPU seconds, peak RSS. Bushes: serai's exact bush storage per bush "
        "(`AssignmentResult.bush_bytes` / origins); TAP-B's per bush = 8 bytes per node (its "
        "pred and order rows) + (peak RSS - peak RSS with one origin's trips) / (origins - 1).",
        "",
        "| network | nodes / links / origins | serai wall s (CPU s) | serai RSS MiB | TAP-B wall s "
        "(CPU s) | TAP-B RSS MiB | serai bytes/bush | TAP-B bytes/bush | bush ratio |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for net in nets:
        s, sp, t = pick("serai b", net), pick("serai b (process)", net), pick("TAP-B", net, 1e-8)
        if s is None or sp is None or t is None or "process_rss_mib" not in t:
            continue
        per = s["bush_bytes"] / max(s["origins"], 1)
        tb = 8 * s["nodes"] + max(t.get("merge_bytes_per_bush", 0.0), 0.0)
        out.append(
            f"| {net} | {s['nodes']} / {s['links']} / {s['origins']} "
            f"| {sp['process_wall_s']:.2f} ({sp['process_cpu_s']:.2f}) | {sp['process_rss_mib']:.0f} "
            f"| {t['process_wall_s']:.2f} ({t['process_cpu_s']:.2f}) | {t['process_rss_mib']:.1f} "
            f"| {per:,.0f} | {tb:,.0f} | {per / tb:.2f} |"
        )
    out += [
        "",
        "**Bi-conjugate Frank-Wolfe, serai vs AequilibraE 1.7.2** (`--cores 1`): iterations, "
        "seconds (CPU seconds) to each gap, CPU ms per iteration; `gap eval` = serai's "
        "shortest-path pass of Algorithm B's gap (one tree per origin, no loading), CPU ms. "
        "AequilibraE's `std gap` is the standard gap at its final flows (it stops on its own).",
        "",
        "| network | gap | serai it | serai s (CPU s) | serai CPU ms/it | serai gap eval CPU ms "
        "| AEQ it | AEQ s (CPU s) | AEQ CPU ms/it | AEQ std gap | AEQ RSS MiB "
        "| CPU ms/it ratio serai/AEQ |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for net in nets:
        ge = pick("serai gap evaluation", net)
        for gap in (1e-4, 1e-5, 1e-6):
            s, a = pick("serai bfw", net, gap), pick("AequilibraE bfw", net, gap)
            if a is None or s is None:
                continue
            s_ok = s.get("reached")
            out.append(
                f"| {net} | {gap:.0e} | {s['iterations'] if s_ok else 'not reached'} "
                f"| {_f(s.get('alg_s')) + ' (' + _f(s.get('cpu_s')) + ')' if s_ok else ''} "
                f"| {_f(s['cpu_ms_per_iter'], '.2f')} | {_f(ge['cpu_ms'] if ge else None, '.2f')} "
                f"| {a['iterations']}{'' if a['reached'] else ' (cap)'} "
                f"| {_f(a['alg_s'])} ({_f(a['cpu_s'])}) | {_f(a['cpu_ms_per_iter'], '.2f')} "
                f"| {a['gap_std']:.2e} | {a['process_rss_mib']:.0f} "
                f"| {_ratio(s['cpu_ms_per_iter'], a['cpu_ms_per_iter'])} |"
            )
    return "\n".join(out)


def merged(files: list[str]) -> dict:
    """Several run.py outputs (e.g. networks run in two parts) as one; machine of the first."""
    datas = [json.loads(Path(f).read_text()) for f in files]
    machine = dict(datas[0]["machine"])
    machine["load_after"] = datas[-1]["machine"]["load_after"]
    return {"machine": machine, "records": [r for d in datas for r in d["records"]]}


if __name__ == "__main__":
    print(tables(merged(sys.argv[1:])))
