"""Fill the generated tables of ``docs/emissions.md`` from the engine and the factor tables.

The hand-written text stays; every block between ``<!-- BEGIN generated:NAME -->`` and
``<!-- END generated:NAME -->`` is recomputed, so the numbers in the docs are the ones the
engine gives with the shipped factors.

Usage::

    python tools/gen_emissions_docs.py          # rewrite the blocks
    python tools/gen_emissions_docs.py --check  # exit 1 if the committed file is stale

``tests/emissions/test_emissions_docs.py`` fails when the committed file is stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from serai.emissions import Shipment, account_chain, load_factors
from serai.emissions.examples import middle_corridor_example

TARGET = Path(__file__).resolve().parents[1] / "docs" / "emissions.md"
_BLOCK = re.compile(
    r"(?P<begin><!-- BEGIN generated:(?P<name>[a-z-]+) -->\n)(?:.*?\n)?(?P<end><!-- END generated:(?P=name) -->)",
    re.S,
)

# UTLC ERA CO2 comparison (corridor-facts section 6: eurailpress.de, UTLC ERA CO2-Rechner):
# 513,700 TEU China-EU border transit via KZ/RU/BY, Jan-Sep 2021: 34,300 t CO2 by rail; same
# volume by sea 163,800 t.
UTLC_TEU, UTLC_RAIL_T, UTLC_SEA_T = 513_700, 34_300, 163_800
# Transit legs (EST: Dostyk -> Kazakh-Russian border -> Belarus -> Brest) and the sea voyage
# Shanghai -> Hamburg, 19,879 km (hhla.de/en/sustainability/overview/co2-emissions.html).
UTLC_RAIL_LEGS = (("KZ", 1800.0), ("RU", 2900.0), ("BY", 600.0))
SEA_KM = 19879.0


def _fmt(x: float, nd: int = 1) -> str:
    if isinstance(x, str):
        return x
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    return f"{x:,.{nd}f}"


def _table(df: pd.DataFrame) -> str:
    head = "| " + " | ".join(df.columns) + " |"
    sep = "|" + "|".join("---" for _ in df.columns) + "|"
    rows = ["| " + " | ".join(str(v) for v in r) + " |" for r in df.itertuples(index=False)]
    return "\n".join([head, sep, *rows])


def block_factors() -> str:
    f = load_factors()
    t = f.tocs
    tocs = pd.DataFrame(
        {
            "TOC": [f"`{i}`" for i in t.index],
            "mode": t["mode"],
            "carrier": t["energy_carrier"],
            "unit": t["activity_unit"],
            "TTW g": [_fmt(v, 2) for v in t["ttw"]],
            "WTT g": [
                _fmt(w, 2)
                if np.isfinite(w)
                else ("grid x kWh" if c == "Electric" else "TTW x ratio")
                for w, c in zip(t["wtt"], t["energy_carrier"], strict=True)
            ],
            "kWh": [_fmt(v, 3) for v in t["kwh_per_unit"]],
            "year": t["year"],
            "estimate": t["estimate"].map({True: "yes", False: "no"}),
        }
    )
    h = f.hocs
    hocs = pd.DataFrame(
        {
            "HOC": [f"`{i}`" for i in h.index],
            "iLEAP hub type": h["hub_type"],
            "unit": h["activity_unit"],
            "TTW kg": [_fmt(v, 1) for v in h["ttw"]],
            "WTT kg": [_fmt(v, 1) for v in h["wtt"]],
            "WTW kg": [_fmt(v, 1) for v in h["ttw"] + h["wtt"]],
            "year": h["year"],
            "estimate": h["estimate"].map({True: "yes", False: "no"}),
        }
    )
    countries = sorted(set(f.grid.index) | set(f.rail_electrification.index))
    kwh = float(f.tocs.at["rail_container_electric", "kwh_per_unit"])
    diesel = float(f.tocs.at["rail_container_diesel", "ttw"]) * (
        1 + float(f.energy_carriers.at["Diesel", "wtt_to_ttw"])
    )
    rows = []
    for c in countries:
        g = f.grid["g_co2e_per_kwh"].get(c, np.nan)
        s = f.rail_electrification["electrified_share"].get(c, np.nan)
        elec = kwh * g if np.isfinite(g) else np.nan
        blend = s * elec + (1 - s) * diesel if np.isfinite(s) and np.isfinite(elec) else np.nan
        rows.append(
            {
                "country": c,
                "grid g/kWh": _fmt(g, 0),
                "grid year": f.grid["year"].get(c, ""),
                "electrified share": _fmt(s, 2),
                "share year": f.rail_electrification["year"].get(c, ""),
                "share estimate": {True: "yes", False: "no"}.get(
                    f.rail_electrification["estimate"].get(c), ""
                ),
                "electric rail WTW g/tkm": _fmt(elec, 1),
                "default rail WTW g/tkm": _fmt(blend, 1),
            }
        )
    return "\n\n".join(
        [
            "Transport operation categories (g CO2e per activity unit; kWh per unit for electric traction):",
            _table(tocs),
            "Hub operation categories (kg CO2e per TEU handled):",
            _table(hocs),
            f"Countries: grid intensity, rail electrification and the resulting container-train intensity "
            f"(electric {kwh} kWh/tkm x grid; diesel {diesel:.2f} g/tkm WTW; default = share-weighted blend):",
            _table(pd.DataFrame(rows)),
        ]
    )


def _worked() -> pd.DataFrame:
    legs, shipment = middle_corridor_example()
    return account_chain(legs, shipment)


def block_worked_example() -> str:
    fp = _worked()
    e = fp.elements
    rows = []
    for r in e.itertuples(index=False):
        where = f"{r.from_name} -> {r.to_name}" if r.element == "tce" else f"{r.from_name}"
        rows.append(
            {
                "#": r.element_id,
                "element": "leg" if r.element == "tce" else "hub",
                "where": where,
                "country": r.country,
                "km": _fmt(r.distance_km, 0) if r.element == "tce" else "",
                "factor": f"`{r.factor_id}`",
                "electric share": _fmt(r.electrified_share, 2) if r.mode == "rail" else "",
                "tonne-km": _fmt(r.tonne_km, 0) if r.element == "tce" else "",
                "TTW kg": _fmt(r.ttw_kg, 1),
                "WTT kg": _fmt(r.wtt_kg, 1),
                "WTW kg": _fmt(r.wtw_kg, 1),
                "WTW g/tkm": _fmt(r.intensity_g_per_tkm, 1),
                "estimate": "yes" if r.estimate else "",
            }
        )
    t = fp.totals
    rows.append(
        {
            "#": "**total**", "element": "", "where": "Xi'an -> Duisburg", "country": "",
            "km": _fmt(t["distance_km"], 0), "factor": "", "electric share": "",
            "tonne-km": _fmt(t["tonne_km"], 0), "TTW kg": _fmt(t["ttw_kg"], 1), "WTT kg": _fmt(t["wtt_kg"], 1),
            "WTW kg": f"**{_fmt(t['wtw_kg'], 1)}**", "WTW g/tkm": _fmt(t["intensity_g_per_tkm"], 1),
            "estimate": f"{t['estimate_share_wtw']:.0%} of WTW",
        }
    )  # fmt: skip
    return _table(pd.DataFrame(rows))


def _utlc_rail(share: float | None) -> dict:
    legs = pd.DataFrame(
        {
            "element": "tce",
            "mode": "rail",
            "country": [c for c, _ in UTLC_RAIL_LEGS],
            "km": [k for _, k in UTLC_RAIL_LEGS],
            "electrified_share": np.nan if share is None else share,
        }
    )
    return dict(account_chain(legs, Shipment("utlc-rail", teu=1)).totals)


def _sea() -> dict:
    legs = pd.DataFrame({"element": ["tce"], "mode": ["sea"], "km": [SEA_KM]})
    return dict(account_chain(legs, Shipment("utlc-sea", teu=1)).totals)


def block_utlc() -> str:
    rail_pub = UTLC_RAIL_T * 1000 / UTLC_TEU
    sea_pub = UTLC_SEA_T * 1000 / UTLC_TEU
    r_def, r_el, sea = _utlc_rail(None), _utlc_rail(0.9), _sea()
    rail_km = sum(k for _, k in UTLC_RAIL_LEGS)
    rows = [
        ("UTLC ERA calculator (published, CO2)", rail_pub, sea_pub, "", ""),
        ("serai WTW, country default electrification", r_def["wtw_kg"], sea["wtw_kg"], r_def["wtw_kg"] / rail_pub,
         sea["wtw_kg"] / sea_pub),
        ("serai TTW only, country default electrification", r_def["ttw_kg"], sea["ttw_kg"], r_def["ttw_kg"] / rail_pub,
         sea["ttw_kg"] / sea_pub),
        ("serai TTW only, 90% electric traction", r_el["ttw_kg"], sea["ttw_kg"], r_el["ttw_kg"] / rail_pub,
         sea["ttw_kg"] / sea_pub),
        ("serai WTW, 90% electric traction", r_el["wtw_kg"], sea["wtw_kg"], r_el["wtw_kg"] / rail_pub,
         sea["wtw_kg"] / sea_pub),
    ]  # fmt: skip
    df = pd.DataFrame(
        [
            {
                "case (kg CO2e per TEU, 10 t)": name,
                f"rail, {rail_km:,.0f} km KZ-RU-BY": _fmt(rail, 1),
                f"sea, {SEA_KM:,.0f} km": _fmt(s, 1),
                "rail / sea": f"{rail / s:.2f}",
                "rail vs UTLC": f"{rr:.1f}x" if rr != "" else "",
                "sea vs UTLC": f"{sr:.1f}x" if sr != "" else "",
            }
            for name, rail, s, rr, sr in rows
        ]
    )
    implied = (
        f"Implied UTLC intensities: rail {rail_pub / rail_km * 1000:.1f} g CO2 per TEU-km "
        f"({rail_pub / rail_km * 1000 / 10:.2f} g/tkm at 10 t per TEU) over {rail_km:,.0f} km; "
        f"sea {sea_pub / SEA_KM * 1000:.1f} g per TEU-km over {SEA_KM:,.0f} km."
    )
    return _table(df) + "\n\n" + implied


def block_sensitivity() -> str:
    legs, shipment = middle_corridor_example()
    base = account_chain(legs, shipment).totals["wtw_kg"]
    rows = [("worked example as above", base)]
    feeder = legs.copy()
    feeder.loc[4, ["mode", "toc"]] = ["sea", "sea_container_feeder"]
    rows.append(("Caspian crossing on a container feeder (0-999 TEU) instead of GLEC Ro-Pax", account_chain(feeder, shipment).totals["wtw_kg"]))  # fmt: skip
    for s in (0.5, 1.0):
        kz = legs.copy()
        kz.loc[2, "electrified_share"] = s
        rows.append(
            (
                f"Kazakh rail leg {s:.0%} electric (default 25%)",
                account_chain(kz, shipment).totals["wtw_kg"],
            )
        )
    ferry = legs.copy()
    ferry.loc[[3, 5], "hoc"] = "port_ferry_rail"
    rows.append(("rail wagons shunted onto the ferry at Aktau and Alat (no crane)", account_chain(ferry, shipment).totals["wtw_kg"]))  # fmt: skip
    daf = legs.copy()
    daf.loc[daf["element"] == "tce", "distance_adjustment_factor"] = 1.05
    rows.append(("all leg distances x 1.05 (distance adjustment factor)", account_chain(daf, shipment).totals["wtw_kg"]))  # fmt: skip
    df = pd.DataFrame(
        [{"variant": n, "WTW kg per TEU": _fmt(v, 1), "change": f"{(v / base - 1):+.0%}" if i else ""}
         for i, (n, v) in enumerate(rows)]
    )  # fmt: skip
    return _table(df)


# HHLA example (hhla.de/en/sustainability/overview/co2-emissions.html; IMO 2009, IFEU 2008):
# one standard container Shanghai -> Hamburg (19,879 km, 13,000 TEU ship) 1,739 kg CO2, handling in
# Hamburg 10 kg, rail Hamburg -> Prague 157 kg, handling at the Prague rail terminal 7 kg; 1,913 kg.
# Rail split Hamburg -> Dresden -> Prague (EST): Germany 520 km, Czechia 140 km.
HHLA = (("sea Shanghai -> Hamburg", 1739.0), ("port Hamburg", 10.0), ("rail Hamburg -> Prague", 157.0),
        ("rail terminal Prague", 7.0))  # fmt: skip


def block_hhla() -> str:
    legs = pd.DataFrame(
        {
            "element": ["tce", "hoc", "tce", "tce", "hoc"],
            "mode": ["sea", "transfer", "rail", "rail", "transfer"],
            "hoc": ["", "port_container", "", "", "rail_terminal_transshipment"],
            "km": [SEA_KM, 0.0, 520.0, 140.0, 0.0],
            "country": ["", "DE", "DE", "CZ", "CZ"],
        }
    )
    e = account_chain(legs, Shipment("hhla", teu=1)).elements
    ours = [
        (e.at[0, "ttw_kg"], e.at[0, "wtw_kg"]),
        (e.at[1, "ttw_kg"], e.at[1, "wtw_kg"]),
        (e.at[2, "ttw_kg"] + e.at[3, "ttw_kg"], e.at[2, "wtw_kg"] + e.at[3, "wtw_kg"]),
        (e.at[4, "ttw_kg"], e.at[4, "wtw_kg"]),
    ]
    rows = []
    for (name, pub), (ttw, wtw) in zip(HHLA, ours, strict=True):
        rows.append({"element": name, "HHLA kg CO2": _fmt(pub, 0), "serai TTW kg": _fmt(ttw, 1),
                     "serai WTW kg": _fmt(wtw, 1), "TTW / HHLA": f"{ttw / pub:.2f}",
                     "WTW / HHLA": f"{wtw / pub:.2f}"})  # fmt: skip
    tot_pub = sum(p for _, p in HHLA)
    tot_ttw = sum(t for t, _ in ours)
    tot_wtw = sum(w for _, w in ours)
    rows.append({"element": "**total**", "HHLA kg CO2": _fmt(tot_pub, 0), "serai TTW kg": _fmt(tot_ttw, 1),
                 "serai WTW kg": _fmt(tot_wtw, 1), "TTW / HHLA": f"{tot_ttw / tot_pub:.2f}",
                 "WTW / HHLA": f"{tot_wtw / tot_pub:.2f}"})  # fmt: skip
    return _table(pd.DataFrame(rows))


def _chain(rows) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["element", "mode", "toc", "hoc", "from_name", "to_name", "km", "country"]
    )


# Alternative corridors Xi'an -> Duisburg, distances EST (illustrative, not routing output)
NORTHERN = [
    ("tce", "rail", "", "", "Xi'an", "Alashankou", 2900.0, "CN"),
    ("hoc", "transfer", "", "gauge_change_transshipment", "Alashankou/Dostyk", "", 0.0, "KZ"),
    ("tce", "rail", "", "", "Dostyk", "Petropavl", 1900.0, "KZ"),
    ("tce", "rail", "", "", "Petropavl", "Smolensk", 2700.0, "RU"),
    ("tce", "rail", "", "", "Smolensk", "Brest", 650.0, "BY"),
    ("hoc", "transfer", "", "gauge_change_transshipment", "Brest/Malaszewicze", "", 0.0, "PL"),
    ("tce", "rail", "", "", "Malaszewicze", "Frankfurt (Oder)", 700.0, "PL"),
    ("tce", "rail", "", "", "Frankfurt (Oder)", "Duisburg", 600.0, "DE"),
    ("hoc", "transfer", "", "rail_terminal_transshipment", "Duisburg", "", 0.0, "DE"),
]
ALL_SEA = [
    ("tce", "rail", "", "", "Xi'an", "Shanghai", 1400.0, "CN"),
    ("hoc", "transfer", "", "port_container", "Shanghai", "", 0.0, "CN"),
    ("tce", "sea", "", "", "Shanghai", "Rotterdam", 19500.0, ""),
    ("hoc", "transfer", "", "port_container", "Rotterdam", "", 0.0, "NL"),
    ("tce", "rail", "", "", "Rotterdam", "Duisburg", 230.0, "NL"),
    ("hoc", "transfer", "", "rail_terminal_transshipment", "Duisburg", "", 0.0, "DE"),
]


def block_corridors() -> str:
    legs, shipment = middle_corridor_example()
    feeder = legs.copy()
    feeder.loc[4, ["mode", "toc"]] = ["sea", "sea_container_feeder"]
    cases = [
        ("Middle Corridor (worked example, Caspian Ro-Pax)", legs),
        ("Middle Corridor, Caspian container feeder", feeder),
        ("Northern route via Kazakhstan, Russia, Belarus, Poland", _chain(NORTHERN)),
        ("All sea: rail to Shanghai, sea via Suez to Rotterdam, rail to Duisburg", _chain(ALL_SEA)),
    ]
    rows = []
    for name, chain in cases:
        t = account_chain(chain, shipment).totals
        rows.append(
            {
                "route (one TEU, 10 t)": name,
                "km": _fmt(t["distance_km"], 0),
                "TTW kg": _fmt(t["ttw_kg"], 0),
                "WTT kg": _fmt(t["wtt_kg"], 0),
                "WTW kg": _fmt(t["wtw_kg"], 0),
                "hubs kg": _fmt(t["hub_wtw_kg"], 0),
                "WTW g/tkm": _fmt(t["intensity_g_per_tkm"], 1),
                "estimated share": f"{t['estimate_share_wtw']:.0%}",
            }
        )
    return _table(pd.DataFrame(rows))


BLOCKS = {
    "factors": block_factors,
    "worked-example": block_worked_example,
    "utlc": block_utlc,
    "hhla": block_hhla,
    "corridors": block_corridors,
    "sensitivity": block_sensitivity,
}


def render(text: str) -> str:
    """``text`` with every generated block recomputed."""

    def sub(m: re.Match) -> str:
        name = m.group("name")
        if name not in BLOCKS:
            raise SystemExit(f"unknown generated block '{name}' in {TARGET}")
        return m.group("begin") + BLOCKS[name]() + "\n" + m.group("end")

    return _BLOCK.sub(sub, text)


def main(argv: list[str]) -> int:
    text = TARGET.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in argv:
        if new != text:
            print(
                f"{TARGET} is out of date: run python tools/gen_emissions_docs.py", file=sys.stderr
            )
            return 1
        return 0
    TARGET.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
