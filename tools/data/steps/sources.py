"""Read the build's inputs: fact tables, named points, towns, speeds (stage 1 of the build)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from tools.data.steps.common import FACTS, HERE


def _read_csv(path: Path) -> pd.DataFrame | None:
    if not path.exists():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def load_facts(facts_dir: Path = FACTS) -> dict[str, pd.DataFrame]:
    """The fact tables present in ``facts_dir`` (missing ones are skipped)."""
    names = ("points", "terminals", "services", "border_crossings", "border_status", "gauge_breaks",
             "lines", "attributes", "tariffs", "validation_routes", "sources")  # fmt: skip
    out = {}
    for n in names:
        df = _read_csv(facts_dir / f"{n}.csv")
        if df is not None:
            out[n] = df
    return out


def _points(facts: dict, anchors: pd.DataFrame) -> pd.DataFrame:
    """Named places: facts points (preferred) and anchors not in the facts."""
    cols = ["point_id", "name", "aliases", "kind", "country", "lat", "lon", "unlocode", "modes",
            "status", "open_year", "source"]  # fmt: skip
    a = anchors.rename(columns={"anchor_id": "point_id", "source": "source"}).assign(
        aliases="", kind="", country="", unlocode="", status="operational", open_year=""
    )
    a = a[cols]
    a["_order"] = 1
    p = facts.get("points")
    if p is not None and len(p):
        src = np.where(
            p["estimate"].str.lower() == "true", "estimate: " + p["source_id"], p["source_id"]
        )
        f = pd.DataFrame(
            {
                "point_id": p["point_id"],
                "name": p["name"],
                "aliases": p["aliases"].fillna("") if "aliases" in p else "",
                "kind": p["kind"],
                "country": p["country"],
                "lat": p["lat"],
                "lon": p["lon"],
                "unlocode": p["unlocode"],
                "modes": p["modes"].str.replace(";", "|"),
                "status": p["status"].replace("", "operational"),
                "open_year": p["open_year"],
                "source": src,
                "_order": 0,
            }
        )
        f = f[(f["lat"] != "") & (f["lon"] != "")]
        a = a[~a["point_id"].isin(f["point_id"])]
        a = pd.concat([f, a], ignore_index=True)
    a["lat"] = a["lat"].astype(float)
    a["lon"] = a["lon"].astype(float)
    a["modes"] = a["modes"].replace("", "rail|road")
    a = a.sort_values(["_order", "point_id"]).drop(columns="_order")
    return a.reset_index(drop=True)


def _towns(raw: Path, min_population: int) -> pd.DataFrame:
    """Natural Earth populated places (lon, lat) of at least ``min_population`` (``pop_max``)."""
    import gzip

    with gzip.open(raw / "ne_10m_populated_places_simple.json.gz", "rt", encoding="utf-8") as fh:
        feats = json.load(fh)["features"]
    rows = [
        (f["properties"]["longitude"], f["properties"]["latitude"])
        for f in feats
        if (f["properties"].get("pop_max") or 0) >= min_population
    ]
    return (
        pd.DataFrame(rows, columns=["lon", "lat"])
        .sort_values(["lon", "lat"])
        .reset_index(drop=True)
    )


def _speeds() -> pd.DataFrame:
    """Speed per mode, line class and country (``speeds.csv``; country rows before defaults)."""
    sp = pd.read_csv(HERE / "speeds.csv", dtype=str, keep_default_na=False)
    why = np.where(
        sp["estimate"].str.lower() == "true",
        "estimate: " + sp["note"],
        sp["source_id"] + " (" + sp["year"] + "): " + sp["note"],
    )
    out = pd.DataFrame({"mode": sp["mode"], "cls": sp["class"], "country": sp["country"],
                        "speed_kmh": sp["speed_kmh"].astype(float), "why": why})  # fmt: skip
    # defaults first, country rows last (they override)
    return out.sort_values(["country"], kind="mergesort").reset_index(drop=True)


def _point_values(facts) -> dict:
    """``{point_id: {attribute: (value, source, unit)}}`` from the ``use=true`` rows of attributes.csv."""
    a = facts.get("attributes")
    out: dict = {}
    if a is None or not len(a):
        return out
    a = a[(a["use"].str.lower() == "true") & a["element"].str.startswith("point:")]
    for r in a.itertuples():
        src = f"estimate: {r.note}" if str(r.estimate).lower() == "true" else r.source_id
        val = pd.to_numeric(r.value, errors="coerce")
        out.setdefault(r.element.split(":", 1)[1], {}).setdefault(r.attribute, (val, src, r.unit))
    return out
