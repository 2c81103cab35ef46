"""The minerals dashboard: main Kazakh and Uzbek sources to US and EU buyers, and the checks.

For each (mineral, source, buyer region) of :data:`DASHBOARD`: the best chain, its days,
USD and kg CO2e per tonne delivered, the corridors and chokepoints it uses, and the
premium of avoiding each country of concern. The checks compare the model with the
facts (corridor-facts section 9): uranium through the Trans-Caspian route against the
quota and the volumes (V16), the US import share as a scenario demand (V17, offered as
data by :func:`scenario_demand`), and the concentration of rare-earth processing in
China reflected in which chains exist without it (V18); the checks are computed in
:mod:`serai.minerals.validation` (every name importable here before still is).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from serai.errors import SeraiError
from serai.minerals.elements import chain_elements
from serai.minerals.engine import ChainModel
from serai.minerals.exposure import DEFAULT_CONCERN, _countries_used
from serai.minerals.result import Chain
from serai.minerals.validation import (
    REE_TONNES_NOTE as REE_TONNES_NOTE,
)
from serai.minerals.validation import (
    VOLUME_NOTES,
    _try,
    checks,
    scenario_demand,
)
from serai.minerals.validation import _off_network_buyers as _off_network_buyers
from serai.minerals.validation import model_request as model_request

__all__ = [
    "DASHBOARD",
    "DashboardRow",
    "checks",
    "command",
    "dashboard",
    "dashboard_html",
    "run_minerals_demo",
    "scenario_demand",
]


@dataclass(frozen=True)
class DashboardRow:
    """One row of the dashboard: a source facility and a buyer group."""

    mineral: str
    source: str  # display label
    origin: str  # facility id
    destination: str  # group, e.g. "US converter"
    tonnes: float | None = None  # t/yr of the first product (None: the source's output)


#: Uranium ends at the converter: Kazakh and Uzbek uranium is sold as concentrate and the
#: US imports of V17 are concentrate delivered to a converter. The other minerals end at
#: the buyer of the processed product.
DASHBOARD: tuple[DashboardRow, ...] = (
    DashboardRow("uranium", "Kazakhstan: Inkai", "inkai", "US converter"),
    DashboardRow("uranium", "Kazakhstan: Inkai", "inkai", "EU converter"),
    DashboardRow("uranium", "Uzbekistan: Navoiyuran", "navoiyuran", "US converter"),
    DashboardRow("uranium", "Uzbekistan: Navoiyuran", "navoiyuran", "EU converter"),
    DashboardRow("tungsten", "Kazakhstan: Northern Katpar", "northern_katpar", "US buyer", 2000),
    DashboardRow("tungsten", "Kazakhstan: Northern Katpar", "northern_katpar", "EU buyer", 2000),
    DashboardRow("tungsten", "Uzbekistan: Ingichka", "ingichka", "US buyer", 2000),
    DashboardRow("tungsten", "Uzbekistan: Ingichka", "ingichka", "EU buyer", 2000),
    DashboardRow("rare_earths", "Kazakhstan: Kuyrektykol", "kuyrektykol", "US buyer", 20000),
    DashboardRow("rare_earths", "Kazakhstan: Kuyrektykol", "kuyrektykol", "EU buyer", 20000),
    DashboardRow("copper", "Kazakhstan: Aktogay", "aktogay", "US buyer"),
    DashboardRow("copper", "Kazakhstan: Aktogay", "aktogay", "EU buyer"),
    DashboardRow("copper", "Uzbekistan: Almalyk", "almalyk", "US buyer"),
    DashboardRow("copper", "Uzbekistan: Almalyk", "almalyk", "EU buyer"),
)


def _fmt_premium(base: Chain, alt: Chain | None, used: bool) -> str:
    if not used:
        return "not used"
    if alt is None:
        return "no chain"
    return f"{alt.usd_per_t - base.usd_per_t:+,.0f} USD/t, {alt.days - base.days:+.1f} d"


def command(row: DashboardRow, objective: str = "generalised") -> str:
    """The ``serai chain`` command that answers the same question as a dashboard row.

    The row's volume is part of the question: a lot of 2,000 t of tungsten concentrate or
    20,000 t of rare-earth concentrate fits plants that the source's whole output (the
    command's default) does not, so the same source and buyer without ``--tonnes`` can give
    another chain (Kuyrektykol -> US buyer: through Estonia and the US without a volume,
    through China at 20,000 t/yr).

    Examples
    --------
    >>> from serai.minerals.dashboard import DASHBOARD, command
    >>> command(DASHBOARD[4])
    'serai chain --product tungsten --from northern_katpar --to "US buyer" --tonnes 2000'
    """
    cmd = f'serai chain --product {row.mineral} --from {row.origin} --to "{row.destination}"'
    if row.tonnes is not None:
        cmd += f" --tonnes {row.tonnes:g}"
    if objective != "generalised":
        cmd += f" --objective {objective}"
    return cmd


def chokepoint_names(model: ChainModel, chain: Chain) -> list[str]:
    """Names of the chokepoints and sea passages a chain uses."""
    return [e.label for e in chain_elements(model, chain) if e.kind in ("chokepoint", "passage")]


def dashboard(
    model: ChainModel,
    rows: Sequence[DashboardRow] = DASHBOARD,
    *,
    concern: Sequence[str] = DEFAULT_CONCERN,
    objective: str = "generalised",
) -> pd.DataFrame:
    """One line per dashboard row: best chain, totals, corridors, chokepoints, premiums.

    Premium columns ``avoid_<CC>``: extra USD per tonne delivered and extra days of the
    best chain that avoids the country (routes and facilities), ``not used`` when the
    best chain does not touch it, ``no chain`` when none is left. ``tonnes_per_year`` is
    the volume the chain was sized for (t/yr of the first product; NaN: capacities not
    checked) and ``command`` the ``serai chain`` command that gives the same chain and
    numbers (:func:`command`): the row's volume is part of its question.
    """
    out = []
    fac = model.data.facilities
    for row in rows:
        rec: dict[str, Any] = {
            "mineral": row.mineral,
            "source": row.source,
            "buyer": row.destination,
        }
        try:
            c = model.chain(
                row.origin,
                row.destination,
                row.mineral,
                objective=objective,
                tonnes=row.tonnes,
                alternatives=0,
            )
        except SeraiError as exc:
            rec.update({"chain": "", "note": f"no chain: {exc}"})
            out.append(rec)
            continue
        used = _countries_used(model, c)
        rec.update(
            {
                "tonnes_per_year": c.volume_t,
                "command": command(row, objective),
                "chain": " > ".join(str(fac.loc[f, "name"]) for f in c.facilities),
                "countries": "-".join(sorted(used)),
                "days": c.days,
                "usd_per_t": c.usd_per_t,
                "co2e_kg_per_t": c.co2e_kg_per_t,
                "delivered": c.product,
                "corridors": " | ".join(
                    dict.fromkeys(leg.corridor for leg in c.legs if leg.corridor)
                ),
                "chokepoints": ", ".join(chokepoint_names(model, c)),
            }
        )
        whys: list[str] = []
        for cc in concern:
            if cc not in used:
                rec[f"avoid_{cc}"] = "not used"
                continue
            req = replace(c.request, avoid_countries=(*c.request.avoid_countries, cc))
            alt, why = _try(model, req)
            rec[f"avoid_{cc}"] = _fmt_premium(c, alt, True)
            if alt is None:
                whys.append(f"avoiding {cc}: {why}")
        notes = []
        if row.tonnes is not None:
            notes.append(VOLUME_NOTES.get(row.mineral, f"{row.tonnes:,.0f} t/yr"))
        status = str(fac.loc[row.origin, "status"])
        if status != "operating":
            notes.append(f"source {status}")
        rec["note"] = "; ".join(notes + whys)
        out.append(rec)
    return pd.DataFrame(out)


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return "" if v != v else f"{v:,.1f}" if abs(v) < 1000 else f"{v:,.0f}"
    return "" if v is None else str(v)


def dashboard_html(table: pd.DataFrame, check_table: pd.DataFrame, meta: str = "") -> str:
    """The dashboard and checks as an HTML section (for the demo report)."""
    esc = html.escape
    parts = [
        "<section id='minerals'><h2>Minerals dashboard: Kazakh and Uzbek sources to US and EU "
        "buyers</h2>",
        f"<p>{esc(meta)}</p>",
        "<p>Per tonne of the product delivered (uranium: U3O8 at the converter; tungsten: W "
        "powder at the carbide maker; rare earths: NdPr metal at the magnet maker; copper: "
        "cathode at the buyer). Premium = change in USD per tonne and in days of the best "
        "chain avoiding the country (routes and facilities); the chain minimises generalised "
        "cost (money + time value), so a slower detour can cost fewer dollars.</p><table><tr>",
    ]
    cols = [c for c in table.columns if c != "countries"]
    parts.append("".join(f"<th>{esc(c)}</th>" for c in cols) + "</tr>")
    for r in table.itertuples(index=False):
        d = r._asdict()
        parts.append(
            "<tr>"
            + "".join(
                f"<td{' class=n' if isinstance(d.get(c), float) else ''}>{esc(_cell(d.get(c)))}</td>"
                for c in cols
            )
            + "</tr>"
        )
    parts.append("</table><h3>Checks against the facts (V16-V18)</h3><table><tr>")
    parts.append("".join(f"<th>{esc(c)}</th>" for c in check_table.columns) + "</tr>")
    for r in check_table.itertuples(index=False):
        parts.append("<tr>" + "".join(f"<td>{esc(_cell(x))}</td>" for x in r) + "</tr>")
    parts.append("</table></section>")
    return "\n".join(parts)


def run_minerals_demo(out: Path, *, console: Any = None, network=None) -> pd.DataFrame:
    """The minerals part of ``make demo``: dashboard and checks on the embedded network.

    Writes ``minerals_dashboard.csv``, ``minerals_checks.csv`` and
    ``minerals_dashboard.html`` in ``out`` and adds the section to ``route_report.html``
    when that report is there.
    """
    import time

    from serai.freight.query import make_router

    say = console.print if console is not None else print
    if network is None:
        from serai.data import load_eurasia

        network = load_eurasia()
    t0 = time.perf_counter()
    model = ChainModel(make_router(network))
    table = dashboard(model)
    check_table = checks(model)
    dt = time.perf_counter() - t0
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "minerals_dashboard.csv", index=False)
    check_table.to_csv(out / "minerals_checks.csv", index=False)
    meta = (
        f"{len(table)} chains on the embedded network ({len(network.nodes):,} nodes), "
        f"computed in {dt:.0f} s; facilities from serai/minerals/data (estimates marked)."
    )
    section = dashboard_html(table, check_table, meta)
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>serai minerals dashboard"
        "</title><style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:"
        "collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px}th{background:"
        "#f0f0f0}td.n{text-align:right}</style></head><body>" + section + "</body></html>"
    )
    _write(out / "minerals_dashboard.html", page)
    report = out / "route_report.html"
    if report.exists():
        text = report.read_text(encoding="utf-8")
        start = text.find("<section id='minerals'>")
        if start >= 0:
            end = text.find("</section>", start) + len("</section>")
            text = text[:start] + section + text[end:]
        else:
            text = text.replace("</body></html>", section + "</body></html>")
        _write(report, text)
    say("minerals dashboard (per tonne delivered):")
    for r in table.itertuples(index=False):
        d = r._asdict()
        if not d.get("chain"):
            say(f"  {r.mineral} {r.source} -> {r.buyer}: {d.get('note', '')}")
            continue
        say(
            f"  {r.mineral} {r.source} -> {r.buyer}: {r.chain}; {r.days:.1f} d, "
            f"USD {r.usd_per_t:,.0f}/t, {r.co2e_kg_per_t:,.0f} kg CO2e/t; avoid RU "
            f"{d.get('avoid_RU')}, CN {d.get('avoid_CN')}, IR {d.get('avoid_IR')}"
        )
    say(f"minerals dashboard written to {out / 'minerals_dashboard.html'}")
    return table


def _write(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, then rename into place."""
    from serai._fs import write_text

    write_text(path, text, overwrite=True)
