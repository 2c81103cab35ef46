"""The flagship corridor questions and their answers, as data.

:data:`FLAGSHIP` lists the route questions of the demo report (places, commodity,
year, constraints); :func:`answer_flagship` answers them with routers by year and
:func:`summary_table` makes one row per question. :mod:`serai.freight.report` renders
them as HTML; the scenario runs reuse them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from serai.errors import InputError, NoPathError
from serai.freight.route import Route, Router

__all__ = [
    "FLAGSHIP",
    "README_TABLE",
    "TABLE_BEGIN",
    "TABLE_END",
    "Answer",
    "Question",
    "answer_flagship",
    "readme_table",
    "summary_table",
]


@dataclass(frozen=True)
class Question:
    """One route question: places, commodity, year and constraints (``Router.route`` keywords)."""

    group: str
    label: str
    origin: str
    destination: str
    commodity: str = "container_feu"
    year: int = 2025
    objective: str = "generalised"
    constraints: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""
    #: the corridor the variant is about (label prefix, e.g. "Sea via Suez"): an answer in
    #: another corridor (Suez closed in a scenario: the ships go round the Cape) is reported
    #: as no route of this variant, with the route found in the note
    corridor: str = ""


_LAND = ["rail", "road", "ferry"]
FLAGSHIP: tuple[Question, ...] = (
    Question("Xi'an -> Duisburg (FEU)", "best overall", "Xi'an", "Duisburg"),
    Question(
        "Xi'an -> Duisburg (FEU)",
        "Northern",
        "Xi'an",
        "Duisburg",
        constraints={"modes": _LAND, "via": ["Brest"]},
    ),
    Question(
        "Xi'an -> Duisburg (FEU)",
        "Middle Corridor",
        "Xi'an",
        "Duisburg",
        constraints={"modes": _LAND, "avoid_countries": ["RU", "IR"]},
    ),
    Question(
        "Xi'an -> Duisburg (FEU)",
        "Southern",
        "Xi'an",
        "Duisburg",
        constraints={"modes": _LAND, "avoid_countries": ["RU", "AZ"]},
    ),
    Question(
        "Xi'an -> Duisburg (FEU)",
        "CKU (2030 network)",
        "Xi'an",
        "Duisburg",
        year=2030,
        constraints={"modes": _LAND, "avoid_countries": ["RU"], "via": ["Makmal"]},
        note="CKU railway under construction, opening 2030 in the network data",
    ),
    Question(
        "Xi'an -> Duisburg (FEU)",
        "sea via Suez",
        "Xi'an",
        "Duisburg",
        constraints={"avoid_countries": ["KZ", "MN", "RU", "KG"]},
        corridor="Sea via Suez",
    ),
    Question(
        "Xi'an -> Duisburg (FEU)",
        "sea via Cape",
        "Xi'an",
        "Duisburg",
        # Suez alone avoided, the answer sails to Bandar Abbas and goes on by rail through
        # Iran and Türkiye (a land bridge, not the Cape): the Red Sea and Hormuz are closed too;
        # and Panama (across the Pacific and the Panama Canal is the other way round)
        constraints={
            "avoid_countries": ["KZ", "MN", "RU", "KG"],
            "avoid_passages": ["suez", "babalmandab", "ormuz", "panama"],
        },
        corridor="Sea via Cape",
    ),
    Question(
        "Xi'an -> Duisburg (FEU)",
        "best, Russia avoided",
        "Xi'an",
        "Duisburg",
        constraints={"avoid_countries": ["RU"]},
    ),
    Question("Almaty -> Constanța (FEU)", "best overall", "Almaty", "Constanța"),
    Question(
        "Almaty -> Constanța (FEU)",
        "Russia avoided",
        "Almaty",
        "Constanța",
        constraints={"avoid_countries": ["RU"]},
    ),
    Question(
        "Uranium ore concentrate (t): South Kazakhstan -> Black Sea",
        "Shymkent -> Poti, Russia avoided",
        "Shymkent",
        "Poti",
        commodity="uranium_uoc",
        constraints={"avoid_countries": ["RU", "IR"]},
        note="US-bound cargo; Iran avoided as well (sanctions); rail and rail ferries only",
    ),
    Question(
        "Uranium ore concentrate (t): South Kazakhstan -> Black Sea",
        "Shymkent -> Poti, unconstrained",
        "Shymkent",
        "Poti",
        commodity="uranium_uoc",
    ),
    Question(
        "Shanghai -> Rotterdam (FEU)",
        "sea via Suez",
        "Shanghai",
        "Rotterdam",
        constraints={"modes": ["sea"]},
        corridor="Sea via Suez",
    ),
    Question(
        "Shanghai -> Rotterdam (FEU)",
        "sea via Cape",
        "Shanghai",
        "Rotterdam",
        # Suez alone avoided, the shortest sea way crosses the Pacific and the Panama Canal
        # (25,013 km against 25,754 round the Cape; searoute 1.6.0: 24,988 / 25,729)
        constraints={"modes": ["sea"], "avoid_passages": ["suez", "panama"]},
        corridor="Sea via Cape",
    ),
    Question(
        "Shanghai -> Rotterdam (FEU)",
        "best, Russia avoided",
        "Shanghai",
        "Rotterdam",
        constraints={"avoid_countries": ["RU"]},
    ),
)


@dataclass(frozen=True)
class Answer:
    """A question and its route, or the reason there is none."""

    question: Question
    route: Route | None
    error: str = ""


def answer_flagship(
    routers: Mapping[int, Router], questions: Sequence[Question] = FLAGSHIP
) -> list[Answer]:
    """Answer each question with the router of its year (unknown places or no route become errors)."""
    out = []
    for q in questions:
        if q.year not in routers:
            raise InputError(f"no router for year {q.year}", field="year")
        try:
            r = routers[q.year].route(
                q.origin, q.destination, q.commodity, objective=q.objective, **dict(q.constraints)
            )
            if q.corridor and not r.corridor.startswith(q.corridor):
                out.append(Answer(q, None, (
                    f"no route {q.corridor[0].lower()}{q.corridor[1:]}: the best route under "
                    f"this question's constraints goes {r.corridor} ({r.days:.1f} days, "
                    f"{r.km:,.0f} km, {'-'.join(r.countries)})"
                )))  # fmt: skip
                continue
            out.append(Answer(q, r))
        except (NoPathError, InputError) as exc:
            out.append(Answer(q, None, str(exc)))
    return out


def summary_table(answers: Sequence[Answer]) -> pd.DataFrame:
    """One row per question: corridor, days, km, USD per unit and the cost components."""
    rows = []
    for a in answers:
        q, r = a.question, a.route
        row = {"question": q.group, "variant": q.label, "year": q.year, "commodity": q.commodity}
        if r is None:
            row.update({"corridor": "no route", "note": a.error})
        else:
            legs = r.legs
            row.update(
                {
                    "corridor": r.corridor,
                    "days": round(r.days, 1),
                    "km": round(r.km),
                    "usd": round(r.usd),
                    "unit": r.unit,
                    "gc_usd": round(r.totals["gc_usd"]),
                    **_emission_cells(r),
                    "hours_moving": round(r.totals["hours_motion"]),
                    "hours_hubs": round(r.totals["hours_hub"]),
                    "hours_waiting": round(r.totals["hours_wait"]),
                    "borders": int((legs["kind"] == "border").sum()),
                    "transfers": int(
                        legs["kind"].isin(["transfer", "gauge", "port", "board"]).sum()
                    ),
                    "countries": "-".join(r.countries),
                    "note": q.note,
                }
            )
        rows.append(row)
    return pd.DataFrame(rows)


#: The README's table: (row label, question group, variants shown side by side with " / ")
README_TABLE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Xi'an -> Duisburg, best (generalised cost)", "Xi'an -> Duisburg (FEU)", ("best overall",)),
    ("Xi'an -> Duisburg, land, Russia and Iran avoided", "Xi'an -> Duisburg (FEU)",
     ("Middle Corridor",)),
    ("Xi'an -> Duisburg, land, Russia and Azerbaijan avoided", "Xi'an -> Duisburg (FEU)",
     ("Southern",)),
    ("Xi'an -> Duisburg, 2030 network, via Makmal", "Xi'an -> Duisburg (FEU)",
     ("CKU (2030 network)",)),
    ("Xi'an -> Duisburg by sea (via Suez / via Cape)", "Xi'an -> Duisburg (FEU)",
     ("sea via Suez", "sea via Cape")),
    ("Almaty -> Constanța, best / Russia avoided", "Almaty -> Constanța (FEU)",
     ("best overall", "Russia avoided")),
    ("Uranium (per t) Shymkent -> Poti, Russia and Iran avoided",
     "Uranium ore concentrate (t): South Kazakhstan -> Black Sea",
     ("Shymkent -> Poti, Russia avoided",)),
    ("Shanghai -> Rotterdam, sea via Suez / via Cape", "Shanghai -> Rotterdam (FEU)",
     ("sea via Suez", "sea via Cape")),
)  # fmt: skip
TABLE_BEGIN = "<!-- flagship-table: generated from `make demo` answers; do not edit -->"
TABLE_END = "<!-- /flagship-table -->"


def readme_table(summary: pd.DataFrame) -> str:
    """The README's table of flagship answers (markdown) from :func:`summary_table` rows.

    ``make demo`` writes it to ``out/demo/route_summary.md``; ``python
    tools/readme_figures.py`` puts it in the README, and a test checks that the README's
    table is what the questions answer today.
    """
    t = summary.set_index(["question", "variant"])

    def cells(group: str, variants: tuple[str, ...]) -> list[str]:
        rows = [t.loc[(group, v)] for v in variants]
        if any(str(r["corridor"]) == "no route" for r in rows):
            return ["no route", "–", "–", "–"]
        corr = list(dict.fromkeys(str(r["corridor"]) for r in rows))
        return [
            " / ".join(corr),
            " / ".join(f"{float(r['days']):.1f}" for r in rows),
            " / ".join(f"{float(r['km']):,.0f}" for r in rows),
            " / ".join(f"{float(r['usd']):,.0f}" for r in rows),
        ]

    out = [
        "| Question (per FEU unless noted) | Corridor | Days (door to door) | km | USD |",
        "|---|---|---:|---:|---:|",
    ]
    for label, group, variants in README_TABLE:
        out.append("| " + " | ".join([label, *cells(group, variants)]) + " |")
    return "\n".join(out)


def _emission_cells(r) -> dict[str, float]:
    """WTW, WTT and TTW kg CO2e per unit (ISO 14083) of a route; NaN when unavailable."""
    if r.routing_graph is None:
        return {"co2e_kg": float("nan"), "wtt_kg": float("nan"), "ttw_kg": float("nan")}
    t = r.footprint.totals
    return {
        "co2e_kg": round(float(t["wtw_kg"]), 1),
        "wtt_kg": round(float(t["wtt_kg"]), 1),
        "ttw_kg": round(float(t["ttw_kg"]), 1),
    }
