"""A scenario's new line (``add_line`` rows), split from :mod:`serai.scenarios.apply`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from serai.data.check import great_circle_km
from serai.scenarios.apply import CAPACITY_TABLE

if TYPE_CHECKING:
    from serai.scenarios.apply import _Work


def add_line(w: _Work, r: dict) -> None:
    """A scenario's new line (``add_line`` row ``r``): links both ways between the points'
    nodes, the length split over the stops in proportion to their straight-line distances,
    a facts-lines row and, with a capacity, a capacity element ``line:<id>``."""
    pts = w.t["points"]
    mode = r.get("mode", "rail")
    stops = [r["from"], *r.get("via", []), r["to"]]
    nodes = []
    for p in stops:
        hit = pts.loc[(pts["point_id"].astype(str) == p) & (pts["mode"].astype(str) == mode)]
        if not len(hit):
            raise w.s.error(r, f"point {p!r} has no {mode} node", "from")
        nodes.append(int(hit["node_id"].iloc[0]))
    N = w.t["nodes"].set_index("node_id")
    xy = N.loc[nodes, ["x", "y"]].to_numpy(float)
    d = great_circle_km(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
    share = d / d.sum() if d.sum() > 0 else np.full(len(d), 1 / len(d))
    L = w.table("links")
    year = int(r.get("open_year", w.s.year))
    gauge = r.get("gauge")
    if gauge is None and mode == "rail":
        g = L.loc[(L["from_node"] == nodes[0]) & (L["mode"] == "rail"), "gauge"].dropna()
        gauge = int(g.iloc[0]) if len(g) else None
    speed = r.get("speed_kmh")
    src = r.get("source") or "estimate"
    rows = []
    nid = int(L["link_id"].max()) + 1
    for i in range(len(nodes) - 1):
        km = float(r["length_km"]) * float(share[i])
        for a, b in ((nodes[i], nodes[i + 1]), (nodes[i + 1], nodes[i])):
            rows.append(
                {
                    "link_id": nid,
                    "from_node": a,
                    "to_node": b,
                    "length": km,
                    "mode": mode,
                    "country": str(N.at[a, "country"]),
                    "origin": "scenario",
                    "gauge": gauge,
                    "name": r["id"],
                    "passage": "",
                    "status": "planned",
                    "open_year": year,
                    "length_source": src,
                    "length_note": f"scenario {w.s.name}: split over the stops by straight-line distance",
                    "capacity": r.get("capacity", math.nan),
                    "capacity_unit": r.get("capacity_unit", "Mt/yr") if "capacity" in r else "",
                    "capacity_source": src if "capacity" in r else "",
                    "service_kind": "",
                    "free_flow_time": km / (speed or 45.0) * 60.0,
                    "time_source": "length / speed",
                    "speed": speed if speed else 45.0,
                    "speed_source": src if speed else "estimate: scenario line without a speed (the time model's zone speed is used)",
                    "closure_id": "",
                }
            )  # fmt: skip
            nid += 1
    new = pd.DataFrame(rows)
    for c in L.columns:
        if c not in new.columns:
            new[c] = pd.Series([None] * len(new), dtype=L[c].dtype)
        elif pd.api.types.is_float_dtype(L[c].dtype):
            new[c] = pd.to_numeric(new[c], errors="coerce").astype(float)
    new = new[L.columns].astype(L.dtypes.to_dict())
    w.t["links"] = pd.concat([L, new], ignore_index=True)
    fl = w.t.get("facts_lines")
    if fl is not None:
        fl = w.table("facts_lines")
        row = {c: pd.NA for c in fl.columns}
        row.update(
            {"line_id": r["id"], "name": r.get("name", r["id"]), "mode": mode,
             "from_point": r["from"], "to_point": r["to"], "via_points": ";".join(r.get("via", [])),
             "length_km": r["length_km"], "status": "planned", "open_year": year,
             "action": "scenario", "source_id": src, "estimate": bool(r.get("estimate", False)),
             "note": r.get("note", "")}
        )  # fmt: skip
        add = pd.DataFrame([row])
        w.t["facts_lines"] = pd.concat([fl.astype(object), add.astype(object)], ignore_index=True)
    if "capacity" in r:
        ct = w.table(CAPACITY_TABLE)
        cr = w._new_cap_row(
            {**r, "element": f"line:{r['id']}"}, r["capacity"], r.get("capacity_unit", "Mt/yr")
        )
        cr.update({"from_point": r["from"], "to_point": r["to"], "via_points": ";".join(r.get("via", [])),
                   "year_from": float(year)})  # fmt: skip
        w.t[CAPACITY_TABLE] = pd.concat([ct, pd.DataFrame([cr])], ignore_index=True)
