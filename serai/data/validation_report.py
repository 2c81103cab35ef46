"""The validation report: route answers (days, USD, km) against the published figures.

:func:`model_validation` answers every observation of
:mod:`serai.freight.observations` twice, with the model's prior parameters (before
calibration) and with the shipped calibrated ones (after), and
:func:`model_validation_markdown` renders the tables of ``docs/validation.md``:
calibration and validation rows marked, relations stated in the literature, inputs,
figures not compared and why, the calibration fit, and the share of validation rows
inside their published band.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ModelValidation", "model_validation", "model_validation_markdown"]


@dataclass(frozen=True)
class ModelValidation:
    """Observation and relation tables before (priors) and after calibration."""

    before: pd.DataFrame
    after: pd.DataFrame
    relations_before: pd.DataFrame
    relations_after: pd.DataFrame
    calibrated: pd.DataFrame
    fit: pd.DataFrame
    network: str

    def share_inside(
        self, quantity: str, *, after: bool = True, since: int | None = None
    ) -> tuple[int, int]:
        """(inside, total) validation rows of a quantity (``time`` or ``tariff``)."""
        t = self.after if after else self.before
        m = (t["set"] == "validation") & (t["quantity"] == quantity)
        if since is not None:
            m &= pd.to_numeric(t["year"], errors="coerce") >= since
        return int((t.loc[m, "verdict"] == "inside").sum()), int(m.sum())


def _read_data(name: str) -> pd.DataFrame:
    from importlib import resources

    with resources.files("serai.freight.data").joinpath(name).open("rb") as fh:
        return pd.read_csv(fh, keep_default_na=False)


def model_validation(network: Any = None, *, log: Any = None) -> ModelValidation:
    """Answer the observations with the prior and the calibrated parameters.

    ``network`` defaults to the embedded network of each observation's year
    (:func:`serai.data.load_network`), as ``serai route --year Y`` would load it.
    """
    from serai.data import load_network
    from serai.freight import Router, build_routing_graph
    from serai.freight.observations import evaluate, load_observations, relation_table
    from serai.freight.params import model_params, prior_params

    obs = load_observations()
    years = sorted({int(y) for y in obs["network_year"].dropna()})
    routers = {}
    for y in years:
        net = network if network is not None else load_network(y)
        routers[y] = Router(build_routing_graph(net))
    say = log or (lambda _m: None)
    say(f"answering {int(obs['set'].isin(['calibration', 'validation', 'reference', 'input']).sum())} "
        "queries with the prior parameters")  # fmt: skip
    before, _ = evaluate({y: r.with_params(prior_params().for_year(y)) for y, r in routers.items()})
    say("... and with the calibrated parameters")
    after, _ = evaluate({y: r.with_params(model_params().for_year(y)) for y, r in routers.items()})
    n = routers[years[0]].rg.network
    label = f"{n.name or 'network'}: {len(n.nodes):,} nodes, {len(n.links):,} links"
    return ModelValidation(
        before,
        after,
        relation_table(before),
        relation_table(after),
        _read_data("calibrated.csv"),
        _read_data("calibration_fit.csv"),
        label,
    )


def _n(x: Any, d: int = 0) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "–"
    if not np.isfinite(v):
        return "–"
    return f"{v:,.{d}f}"


def _band(r: Mapping[str, Any], d: int) -> str:
    lo, hi, v = r["published_low"], r["published_high"], r.get("published_value", np.nan)
    if np.isfinite(float(v if v == v else np.nan)):
        return f"{_n(v, d)} (±10%: {_n(lo, d)}–{_n(hi, d)})"
    return f"{_n(lo, d)}–{_n(hi, d)}"


def _verdict(r: Mapping[str, Any]) -> str:
    v = str(r.get("verdict", ""))
    dev = r.get("deviation", np.nan)
    if v in ("near", "miss") and dev == dev:
        return f"{v} ({float(dev):+.0%})"
    return v


def _digits(unit: str) -> int:
    return {"days": 1, "h": 1, "USD": 0}.get(unit, 2)


def _obs_table(mv: ModelValidation, quantity: str) -> list[str]:
    b = mv.before.set_index("obs_id")
    rows = mv.after[
        (mv.after["quantity"] == quantity) & mv.after["set"].isin(["calibration", "validation"])
    ]
    unit_label = "days" if quantity == "time" else "USD per box"
    out = [
        f"| Set | Observation | Query (`serai route ...`, default objective) | Scope | Published "
        f"({unit_label}) | Before: model | Before | After: model | After | Door-to-door days | "
        f"USD | km | Corridor | Estimate share (time / money) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows.sort_values(["set", "obs_id"], ascending=[True, True]).to_dict("records"):
        d = _digits(r["unit"])
        rb = b.loc[r["obs_id"]]
        cmd = str(r["command"]).replace("serai route ", "").replace("|", "\\|")
        out.append(
            f"| {r['set']} | {r['name']} ({r['year']}) | `{cmd}` | {r['scope']} | "
            f"{_band(r, d)} | {_n(rb['model_value'], d)} | {_verdict(rb)} | "
            f"**{_n(r['model_value'], d)}** | **{_verdict(r)}** | {_n(r.get('days'), 1)} | "
            f"{_n(r.get('usd'))} | {_n(r.get('km'))} | {r.get('corridor', '')} | "
            f"{_n(100 * float(r.get('share_hours_estimate', np.nan)))}% / "
            f"{_n(100 * float(r.get('share_usd_estimate', np.nan)))}% |"
        )
    return out


def _rel_table(mv: ModelValidation) -> list[str]:
    b = mv.relations_before.set_index("rel_id")
    out = [
        "| Relation | Quantity | Published | Basis | Before | After | Verdict (after) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in mv.relations_after.to_dict("records"):
        pub = _band({**r, "published_value": r.get("value", np.nan)}, 2)
        out.append(
            f"| {r['name']} (`{r['numerator']}` / `{r['denominator']}`) | {r['quantity']} | {pub} | "
            f"{r['basis']} | {_n(b.loc[r['rel_id'], 'model_value'], 2)} | "
            f"**{_n(r['model_value'], 2)}** | {_verdict(r)} |"
        )
    return out


def model_validation_markdown(mv: ModelValidation) -> str:
    """Markdown of the model part of ``docs/validation.md``."""
    from serai.freight.observations import POINT_BAND, load_observations

    a_t = mv.share_inside("time")
    a_p = mv.share_inside("tariff")
    b_t = mv.share_inside("time", after=False)
    b_p = mv.share_inside("tariff", after=False)
    r_t = mv.share_inside("time", since=2022)
    r_p = mv.share_inside("tariff", since=2022)
    rel_in = int((mv.relations_after["verdict"] == "inside").sum())

    def pct(x: tuple[int, int]) -> str:
        return f"{x[0]} of {x[1]} ({100 * x[0] / x[1]:.0f}%)" if x[1] else "none"

    met = a_t[1] and a_p[1] and a_t[0] / a_t[1] >= 0.8 and a_p[0] / a_p[1] >= 0.8
    lines = [
        "# Validation: what users see against the published figures",
        "",
        "Generated by `serai data validate-report` (`make validation`); do not edit by hand. "
        "Each row is a query a user would type (`serai route --from ... --to ... --year Y`, "
        "default objective: generalised cost) and the answer's door-to-door days (every wait "
        "included), USD per box and km, compared with a published figure of "
        "`../shared/facts/corridor-facts.md` in the scope that figure has (door to door, "
        "terminal to terminal, port to port, time in a country). The observations, their "
        "queries and sets are `serai/freight/data/observations.csv` and `relations.csv`.",
        "",
        "A dated figure is answered on the network of its year (`--year Y`, the year in the "
        "Observation column; 2025 for figures of 2025): lines opened later are closed, and "
        "measured parameters take the value of that year where the facts give one "
        "(`serai/freight/data/param_history.csv`: CAREC's Kazakh rail border times of 2019–2021 "
        "and speeds of 2020–2021, road border times; a year before the first measurement takes "
        "the first). No price index is sourced for the years of the tariffs (CAREC's Kazakh "
        "consignment cost alone, which no 2020 quote route of the rows uses as a through rate), "
        "so tariffs are at the fitted level whatever their year.",
        "",
        f"Network: {mv.network}. **Before** = the time and tariff models with their prior "
        "parameters (the tables' values); **after** = with the parameters fitted by "
        "`serai data calibrate` (`serai/freight/data/calibrated.csv`).",
        "",
        "## Summary",
        "",
        f"- Validation rows inside their published band, after calibration: **times "
        f"{pct(a_t)}, tariffs {pct(a_p)}** (before: times {pct(b_t)}, tariffs {pct(b_p)}).",
        f"- Of the validation figures published in 2022 or later: times {pct(r_t)}, tariffs "
        f"{pct(r_p)}.",
        f"- Relations stated in the literature, after: {rel_in} of {len(mv.relations_after)} "
        "inside their band.",
        "- The target of issue 11 (at least 80% of the validation rows inside, for times and "
        f"for tariffs) is **{'met' if met else 'not met'}**; the rows outside are explained "
        "below.",
        "",
        "Verdicts: **inside** the published band; **near** within 10% of it; **miss** "
        f"otherwise. A single published value is given a band of ±{POINT_BAND:.0%}, the "
        "same for every row.",
        "",
        "## How the rows were split (decided before fitting)",
        "",
        "- **calibration**: the figures that alone identify a group of estimated parameters: "
        "the Northern terminal-to-terminal time (rail speeds, Brest), the Shanghai–Rotterdam "
        "sailing time (port calls), the DHL Middle Corridor door-to-door time (June 2024 "
        "congestion taken out; Caspian and terminal waits), the World Bank through rates of both corridors (V10), the Argus "
        "China–Aktau and Shanghai–Poti rates, the Interrail Tashkent–Derince quotes via "
        "Turkmenbashi (ferry, Central Asian rail, 20 ft / 40 ft).",
        "- **validation** (never read by the fit): other origins, other years and sources, other "
        "scopes of the same route (door to door where terminal to terminal was fitted), the "
        "other half of a source's pair (Almaty beside Aktau, the Interrail Aktau quotes beside "
        "the Turkmenbashi ones), the other sea route, and the relations of the literature.",
        "- Each row's reason is in `observations.csv` (column `reason`).",
        "",
        "## Door-to-door times",
        "",
        *_obs_table(mv, "time"),
        "",
        "## Tariffs (USD per FEU; per TEU where the query says `--commodity container_teu`)",
        "",
        *_obs_table(mv, "tariff"),
        "",
        "## Relations stated in the literature",
        "",
        *_rel_table(mv),
        "",
    ]
    lines += _outside(mv)
    lines += _inputs_and_not_compared(mv, load_observations())
    lines += _fit_tables(mv)
    lines += REVISIONS
    return "\n".join(lines) + "\n"


#: Changes made to the model after looking at fit or validation results (disclosed).
REVISIONS = [
    "## Changes made after looking at results",
    "",
    "The validation rows were fixed before the first fit and have not changed. These changes "
    "to the model, the queries and the calibration rows were made after looking at fit or "
    "validation results, and are stated here:",
    "",
    "- Before the first fit, the Interrail quotes via Aktau were routed through Russia and "
    "the Volga–Don; they now pass Akhalkalaki as the quote via Turkmenbashi does (the facts: "
    "the same route, via the Aktau ferry).",
    "- First fit: the Argus China–Aktau band (±0.5%) outweighed every other row; every band "
    "is now read as at least ±10% in the fit, as a single value is.",
    "- First fit: the fit delivered China–Aktau by sea to avoid the import premium, and boxes "
    "crossed the Caspian on generic sea lanes undercutting the ferries. The premium now "
    "applies wherever a container route ends in Kazakhstan or Central Asia, and containers "
    "cross the Caspian only on the ferries and feeders of the services table (the facts know "
    "no other container shipping there).",
    "- Routes re-chosen with fitted parameters oscillated between two sets; the fit kept the "
    "round whose re-chosen routes fit best. It now detects the cycle and fits once on every "
    "route of the cycle (the Interrail Turkmenbashi quotes alternate between paths of nearly "
    "equal cost), so the result no longer depends on the round the cycle was entered in.",
    "- The Interrail quotes (a rail forwarder's rail-and-ferry through rates) were answered "
    "with a truck hop from Tashkent across the Saryagash road border (4 h on the Kazakh "
    "side instead of CAREC's rail 78 h); their queries now say `--modes rail,ferry`, the "
    "scope of the quotes, for the calibration and the validation rows alike.",
    "- After the first validation run (Khorgos rows well below their band): technical stops "
    "of trains en route were added (`rail.enroute_h_per_1000km`), an element the model "
    "lacked; the facts' Dostyk–Moyynty figures (800 km/day before its second track against "
    "CAREC's 57.9 km/h speed without delay) give its range.",
    "- The fit then put most of the Middle Corridor's missing days into the default border "
    "sides in Georgia and Türkiye (136 h per crossing); the prior width of that CAREC "
    "average was narrowed from 0.5 to 0.25, the spread of its two published years "
    "(40.6 h in 2022, 51.9 h in 2021).",
    "- Routing the Middle Corridor rows over Poti and Constanța (the World Bank's preferred "
    "routing) was tried and reverted: the model then shuttles to both ports by rail. The "
    "rows keep their original queries; the model chooses the route through Türkiye.",
    "- (Europe-wide network, December 2026) Every dated figure is now answered on the network "
    "of its year, with the measured values of that year (`param_history.csv`), as the issue "
    "asks; before, every row used the 2025 network and the 2022 CAREC figures (the 2017 and "
    "2018 rows paid the 78 h Kazakh inbound border time of 2022; CAREC measured 39.9 h for all "
    "directions in 2019).",
    "- DHL's Middle Corridor 50–55 days (June 2024) are of a congested month: the same DHL "
    "reports give the Northern route 30–32 days door to door that June against 20–26 in "
    "January. Fitted as they stood, they pulled the parameters shared with the Northern route "
    "up (technical stops en route +74%, default border side 60 h, +49%). The calibration row "
    "is now that figure with the month's congestion factor measured on the Northern route "
    "taken out (x1.15–1.60: band 31.3–47.7 days; EST: the Middle Corridor congested in the "
    "same proportion); the published row is listed as not compared.",
    "- The Northern terminal-to-terminal calibration band was V8's 13–20 days, whose lower "
    "end is the 13-day Xi'an–Duisburg speed train and block trains to Poland; the default "
    "answer is a standard block train to Duisburg, so the band is now DHL's block-train time "
    "to Germany, 18–20 days (the speed train is listed as not compared). This was noticed "
    "while examining why the Northern door-to-door validation row (20–26 days) came out near "
    "(19.3 days) after the change above, on the network before the rail gaps of the corridor "
    "lines were closed; there, with it, that row and the Kazakh transit row came inside, and "
    "the 2018 Chongqing row moved from near (+2%) to near (+10%).",
    "- The routes re-chosen after the joint fit of a cycle could fall outside the cycle; such a "
    "route set now joins the cycle and the joint fit is redone until the re-chosen routes are "
    "among those fitted on: the calibration converges (a fixed point of the joint fit).",
    "",
]


_WHY_CAL = {
    "mc_dhl_d2d_normal": "DHL's June 2024 figure with that month's congestion factor on the "
    "Northern route taken out (an estimate, see the changes below); inside its band",
    "argus_china_aktau": "the quote's band is ±0.5%; the fit reads every band as at least ±10% "
    "and stops 1% below it, where the prior of the import premium holds it",
    "v10_mc": "2% above the World Bank band: the Caucasus, Turkish and ferry charges it "
    "identifies are shared with the Interrail Turkmenbashi quotes, which want them higher",
}

_WHY = {
    "mersin_poti_d2d": "the model answers by rail Mersin–Samsun and a Black Sea sailing to Poti "
    "(1,429 km, 10.7 days with the port dwell and the weekly feeder wait); the quote's 18–25 "
    "days and USD 6,800–7,000 are those of a much longer chain than a 1,900 km move from "
    "Mersin to Poti (the same source prices Shanghai–Poti, 16,000 km, at USD 2,000–2,500). "
    "Kept under its stated end points; no per-segment model holds it without breaking the "
    "Shanghai–Poti quote",
    "argus_mersin_poti": "as above: a short-sea move priced at three times the Shanghai–Poti "
    "quote of the same source; no per-segment model holds both",
    "chongqing_duisburg_t2t": "a 2018 scheduled-service figure, answered on the 2018 network "
    "with the measured Kazakh values of the nearest CAREC years (rail border 46 h inbound "
    "instead of 78 h; speed 65.2 km/h, 2020). The rest of the path (China, Russia, "
    "Belarus, Brest) rests on speeds, technical stops and the Brest time fitted to "
    "DHL's 2024 block-train time (18–20 days to Germany), when the Northern route was slower "
    "(Brest waits of about 10 days on average in 2021, facts §7); the facts give no 2018 "
    "Chinese or Russian speed to evaluate it with",
    "khorgos_duisburg_t2t": "a 2017 dry-port marketing figure to 'Europe' (destination not "
    "stated; Duisburg used), answered on the 2017 network with the earliest CAREC Kazakh "
    "speed (2020): 1.3 days below the band on a 6,482 km path. The same source's Moscow "
    "figure (4–5 days) comes out 0.1 day above its band: the two 2017 claims put 7–9 days "
    "between them, the model 5.6 days (Russia west of Moscow, Belarus, Brest at the fitted "
    "68 h, Poland, Germany); one set of times cannot meet both",
    "khorgos_moscow_t2t": "a 2017 dry-port figure, 0.1 day above its band (see the Duisburg "
    "figure of the same source above)",
    "argus_china_almaty": "the quote gives one price for Almaty and Aktau, about 2,500 km "
    "further by rail (5,890 km against 3,380 km from Xi'an); the model charges the extra "
    "2,730 Kazakh km at the rail rate fitted on the China–Europe through rates (about "
    "USD 450 net) and the Aktau half of the quote is a calibration row, so Almaty comes out "
    "9% lower. A price that does not grow with 2,500 km inside "
    "Kazakhstan is a market price (imbalanced flows into Central Asia), which "
    "the facts do not quote per destination",
    "interrail_aktau_40": "the paths are now right (the 2020 network: Tashkent–Saryagash–"
    "Arys–Kyzylorda–Beyneu–Aktau, 2,083 km of Kazakh rail, against 668 km of Uzbek and "
    "1,167 km of Turkmen rail to Turkmenbashi). The two quotes of the same forwarder differ "
    "by USD 1,312 for 40 ft but USD 399 for 20 ft; the model charges the Kazakh km at the "
    "China–Europe transit rate (0.18 USD per FEU-km) and the Aktau ferry as fitted on the "
    "Middle Corridor rate, and comes out USD 900 below the Turkmenbashi route. CAREC's Kazakh cost of a "
    "cross-border consignment (USD 724 per 500 km and 20 t in 2020, facts §4.4) would give "
    "about USD 4,600 for this quote, but the same kind of cost on the Uzbek and Turkmen rail "
    "(at the Kazakh 2020 or the CAREC average 2022 cost) would put the Turkmenbashi quote at "
    "USD 4,800–5,100 against 2,972: the quotes price the Kazakh segment of "
    "an Uzbek export like a consignment and the Turkmen route like a through rate, a "
    "commercial difference no row of the facts separates",
    "interrail_aktau_20": "as for the 40 ft quote (the 20 ft / 40 ft ratios of the two quotes "
    "differ too: 0.63 via Aktau, 0.78 via Turkmenbashi; the model has one ratio)",
}


_WHY_REL = {
    "wb_mc_vs_northern": "the World Bank's 'three times' (2023) is not matched by DHL's own "
    "door-to-door figures of one month: 50–55 days on the Middle Corridor against 30–32 on "
    "the Northern route in June 2024, a ratio of 1.6–1.8; the model's 1.8 is that ratio",
    "tm_vs_aktau_40": "see the Interrail rows via Aktau above",
    "tm_vs_aktau_20": "see the Interrail rows via Aktau above",
    "altynkol_vs_dostyk": "KTZ's 'via Altynkol 500 km shorter and 10–15% cheaper' is for "
    "Central Asia in general; from Xi'an to Tashkent the network's paths differ by 300 km "
    "(4,332 against 4,632 km), and both prices carry the fitted import premium into Central "
    "Asia (about USD 3,700 of USD 5,100), which a tariff comparison does not contain: "
    "without it, via Altynkol is about 4% cheaper",
}


def _outside(mv: ModelValidation) -> list[str]:
    t = mv.after[(mv.after["set"] == "validation") & (mv.after["verdict"] != "inside")]
    rel = mv.relations_after[mv.relations_after["verdict"] != "inside"]
    if not len(t) and not len(rel):
        return []
    out = ["## Validation rows outside their band, and why", ""]
    for r in t.to_dict("records"):
        why = _WHY.get(r["obs_id"], "")
        extra = f"; {r['problem']}" if r.get("problem") else ""
        out.append(f"- **{r['name']}** ({_verdict(r)}): {why or 'no explanation recorded'}{extra}")
    for r in rel.to_dict("records"):
        why = _WHY_REL.get(r["rel_id"], "no explanation recorded")
        out.append(f"- Relation **{r['name']}** ({_verdict(r)}): {why}")
    return [*out, ""]


def _inputs_and_not_compared(mv: ModelValidation, obs: pd.DataFrame) -> list[str]:
    out = [
        "## Inputs (figures the model uses as element values; shown, not counted)",
        "",
        "| Element | Published | Model | Note |",
        "|---|---|---|---|",
    ]
    for r in mv.after[mv.after["set"] == "input"].to_dict("records"):
        d = _digits(r["unit"])
        out.append(
            f"| {r['name']} | {_band(r, d)} {r['unit']} | {_n(r['model_value'], d)} {r['unit']} | "
            f"{r['reason']} |"
        )
    out += [
        "",
        "## Published figures not compared, and why",
        "",
        "| Figure | Published | Why not compared |",
        "|---|---|---|",
    ]
    for r in obs[obs["set"] == "not_compared"].to_dict("records"):
        pub = _band({**r, "published_value": r["value"], "published_low": r["low"],
                     "published_high": r["high"]}, 1)  # fmt: skip
        out.append(f"| {r['name']} ({r['year']}) | {pub} {r['unit']} | {r['reason']} |")
    return [*out, ""]


def _route_note(mv: ModelValidation) -> list[str]:
    col = mv.fit.get("route_fitted")
    if col is None:
        return []
    alt = mv.fit.loc[col.astype(str) == "alternated", "obs_id"].tolist()
    if not alt:
        return ["Routes: the fitted values choose the routes they were fitted on.", ""]
    return [
        f"Routes: those of {', '.join(alt)} alternated between fitting rounds (two or more "
        "paths of nearly equal generalised cost); the parameters were fitted on all of them "
        "at once, and the routes re-chosen with the result are the ones shown. What "
        "alternates: the Interrail Turkmenbashi quotes between the Turkmenbashi–Alat train "
        "ferry (`ferry.caspian.tm`, fitted) and the ro-ro ferry with the box lifted on and "
        "off (`ferry.roro.caspian`, an unfitted USD 700 estimate, plus two lifts), two prices "
        "a few dollars apart (the quote is a rail forwarder's: most likely the train ferry).",
        "",
    ]


def _fit_tables(mv: ModelValidation) -> list[str]:
    out = [
        "## Calibration",
        "",
        "`serai data calibrate` fits the parameters marked `fit=true` (all of them estimates) "
        "to the calibration rows by least squares with bounds and log-normal priors "
        "(`scipy.optimize.least_squares`; method in `tools/calibrate/fit.py`): residual "
        "`(ln model - ln mid) / s` per observation (mid = geometric middle of the band, "
        "s = half its log width, at least ln 1.1) and `(ln value - ln prior) / prior_sd` per "
        "parameter; routes are re-chosen with the fitted values until they stop changing "
        "(when they cycle, the parameters are fitted once on every route of the cycle and the "
        "routes re-chosen). `serai data calibrate --check` refits and compares with the "
        "shipped values.",
        "",
        *_route_note(mv),
        "### Residual per calibration observation",
        "",
        "| Observation | Band | Model before | Residual before | Model after | Residual after | "
        "Corridor (after) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in mv.fit.to_dict("records"):
        d = _digits(r["unit"])
        out.append(
            f"| {r['obs_id']} | {_n(r['published_low'], d)}–{_n(r['published_high'], d)} "
            f"{r['unit']} | {_n(r['model_prior'], d)} | {_n(r['residual_prior'], 2)} | "
            f"{_n(r['model_fitted'], d)} | {_n(r['residual_fitted'], 2)} | "
            f"{r['corridor_fitted']} |"
        )
    miss = [r for r in mv.fit.to_dict("records") if r.get("verdict_fitted") == "miss"]
    if miss:
        out += ["", "Calibration rows outside their band after the fit:", ""]
        out += [f"- **{r['obs_id']}**: {_WHY_CAL.get(r['obs_id'], 'no explanation recorded')}"
                for r in miss]  # fmt: skip
    out += [
        "",
        "### Parameters before and after",
        "",
        "| Parameter | Unit | Prior | Fitted | Change | Prior width (log sd) | Bounds | Rests on |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in mv.calibrated.to_dict("records"):
        out.append(
            f"| `{r['param_id']}` | {r['unit']} | {r['prior']:g} | **{r['value']:g}** | "
            f"{r['change_pct']:+.0f}% | {r['prior_sd']:g} | {r['low']:g}–{r['high']:g} | "
            f"{str(r['observations']).replace(';', ', ')} |"
        )
    out += [
        "",
        "Every other parameter keeps its table value: measured figures with their source and "
        "year, or estimates no calibration row depends on (`serai/freight/data/*_params.csv`, "
        "`border_times.csv`).",
        "",
    ]
    return out
