"""Reliability in the route report: each route's distribution and the table by month.

:func:`flagship_reliability` simulates every answered question of the route report
(:data:`serai.freight.report.FLAGSHIP`) for departures in each month and over the
year; :func:`reliability_section` turns that into an HTML section (violin plot of each
route's door-to-door days, P90 by month) for :func:`serai.freight.report.write_route_report`.
Plotting needs matplotlib (``serai[plot]``), imported here only.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from serai.reliability.montecarlo import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    simulate_by_month,
    summarise,
)
from serai.reliability.routes import route_elements

__all__ = ["flagship_reliability", "reliability_figure", "reliability_section"]

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def flagship_reliability(
    answers: Sequence[Any],
    *,
    months: Sequence[int] = tuple(range(1, 13)),
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    deadline_days: float | None = None,
) -> tuple[pd.DataFrame, dict[int, np.ndarray], float]:
    """Simulate each answered question for each month of departure and over the year.

    Returns the long table (one row per question and month; ``month`` 0 = any day of
    the year) with ``model_days``, ``p10_days`` ... ``std_days`` and
    ``on_time_probability``; the year-round samples (days) of each answer by its
    position; and the seconds the simulations took.
    """
    rows, samples = [], {}
    t0 = time.perf_counter()
    for i, a in enumerate(answers):
        if a.route is None:
            continue
        r, q = a.route, a.question
        es = route_elements(r).elements
        periods = (0, *months)
        hours = simulate_by_month(es, [m or None for m in periods], draws=draws, seed=seed)
        for m, h in zip(periods, hours, strict=True):
            s = summarise(h, deadline_days=deadline_days, month=m or None, seed=seed,
                          model_days=r.days)  # fmt: skip
            if m == 0:
                samples[i] = h / 24.0
            rows.append({
                "question": q.group, "variant": q.label, "year": q.year, "commodity": q.commodity,
                "corridor": r.corridor, "month": m, "model_days": r.days,
                **{k: v for k, v in s.to_dict().items()
                   if k.endswith("_days") or k == "on_time_probability"},
            })  # fmt: skip
    return pd.DataFrame(rows), samples, time.perf_counter() - t0


def by_month(table: pd.DataFrame, stat: str = "p90_days") -> pd.DataFrame:
    """One row per question: the year-round P50, P90, mean and sd, then ``stat`` by month."""
    if not len(table):
        return pd.DataFrame()
    keys = ["question", "variant", "corridor", "model_days"]
    year = table.loc[table["month"] == 0].set_index(keys)[
        ["p50_days", "p90_days", "mean_days", "std_days"]
    ]
    wide = table.loc[table["month"] > 0].pivot_table(
        index=keys, columns="month", values=stat, sort=False
    )
    wide.columns = [f"{MONTHS[int(m) - 1]}" for m in wide.columns]
    out = year.join(wide).reset_index()
    return out.round(1)


def reliability_figure(answers: Sequence[Any], samples: dict[int, np.ndarray], table: pd.DataFrame):
    """Violin plot of each route's door-to-door days (year-round) and P90 by month."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        from serai.errors import OptionalDependencyError

        raise OptionalDependencyError("matplotlib", "plot") from None
    from serai.freight.report import _color

    idx = [i for i in samples]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(17, 0.42 * max(len(idx), 6) + 1.5),
                                 gridspec_kw={"width_ratios": [1.5, 1]})  # fmt: skip
    data = [samples[i] for i in idx]
    if data:
        # horizontal violins: ``orientation`` since matplotlib 3.10 (``vert`` deprecated in 3.11)
        new_api = tuple(int(v) for v in matplotlib.__version__.split(".")[:2]) >= (3, 10)
        how = {"orientation": "horizontal"} if new_api else {"vert": False}
        parts = a1.violinplot(data, positions=np.arange(len(idx)), widths=0.85, showextrema=False,
                              quantiles=[[0.1, 0.5, 0.9]] * len(idx), **how)  # fmt: skip
        for body, i in zip(parts["bodies"], idx, strict=True):
            body.set_facecolor(_color(answers[i].route.corridor))
            body.set_alpha(0.55)
        for y, i in enumerate(idx):
            a1.plot(answers[i].route.days, y, "k|", ms=12, mew=2)
    labels = [
        f"{answers[i].question.group.split(' (')[0]}: {answers[i].question.label}" for i in idx
    ]
    a1.set_yticks(np.arange(len(idx)), labels, fontsize=7)
    a1.invert_yaxis()
    a1.set_xlabel("door-to-door days; lines: P10, P50, P90; black tick: the time model's days")
    a1.set_title("Distribution of each route's time, departures over the year")
    a1.grid(alpha=0.3, axis="x")
    m = table.loc[table["month"] > 0]
    flat = 0
    for i in idx:
        r = answers[i].route
        q = answers[i].question
        sub = m.loc[(m["question"] == q.group) & (m["variant"] == q.label)]
        if not len(sub):
            continue
        base = sub["p90_days"].to_numpy() - sub.loc[sub["month"] == 7, "p90_days"].iloc[0]
        if np.abs(base).max() < 0.05:
            flat += 1
            continue
        a2.plot(sub["month"], base, "-o", ms=3, color=_color(r.corridor),
                label=f"{q.group.split(' (')[0]}: {q.label}")  # fmt: skip
    a2.set_xticks(range(1, 13), MONTHS, fontsize=8)
    a2.set_ylabel("P90 days minus July's P90")
    a2.set_xlabel("month of departure")
    a2.set_title(f"Seasonality of the P90 (Caspian storm closures; {flat} routes flat, not shown)")
    a2.grid(alpha=0.3)
    a2.legend(fontsize=7, loc="upper center")
    fig.tight_layout()
    return fig


def reliability_section(
    answers: Sequence[Any],
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    plot: bool = True,
) -> tuple[str, pd.DataFrame, float]:
    """HTML section for the route report, the long table by month and the simulation seconds."""
    from serai.freight.report import _png

    table, samples, secs = flagship_reliability(answers, draws=draws, seed=seed)
    wide = by_month(table)
    esc = html.escape
    parts = [
        "<h2>Reliability: distribution of door-to-door days</h2>",
        f"<p>Monte Carlo of every route's elements ({draws:,} draws, seed {seed}; "
        f"{len(samples)} routes x 13 departure periods simulated in {secs:.1f} s). Each element "
        "keeps the time model's mean and takes the spread of its rule in "
        "<code>serai/reliability/data/distributions.csv</code> (CAREC border averages and the "
        "published waits at Alashankou-Dostyk and Brest-Małaszewicze, ferries that leave when "
        "full, Caspian storm closures by month: Kuryk ~50% closed in Nov-Dec, 10 storm days in "
        "one January; one storm closes every Caspian port). Columns: the time model's days, the "
        "year-round P50, P90, mean and standard deviation, then the P90 by month of "
        "departure.</p>",
    ]
    if plot and samples:
        import matplotlib.pyplot as plt

        fig = reliability_figure(answers, samples, table)
        parts.append(f"<img alt='reliability' src='data:image/png;base64,{_png(fig)}'>")
        plt.close(fig)
    parts.append("<table><tr>" + "".join(f"<th>{esc(str(c))}</th>" for c in wide.columns) + "</tr>")
    for row in wide.itertuples(index=False):
        cells = []
        for v in row:
            num = isinstance(v, (int, float, np.number))
            cells.append(
                f"<td{' class=n' if num else ''}>{esc(f'{v:.1f}' if num else str(v))}</td>"
            )
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append(
        "</table><p><small>Method and limits: docs/reliability.md. Not drawn: embargoes and "
        "closures of lines (scenarios, not spreads), deep-sea schedule reliability (no figure "
        "in the facts), storms outside Nov-Jan (no figure).</small></p>"
    )
    return "\n".join(parts), table, secs
