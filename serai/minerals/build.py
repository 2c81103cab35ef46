"""Turn a solved chain (facility per stage, access places per leg) into its result:
stages with alternatives, legs routed again by the freight router, totals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from serai.minerals.layered import trace
from serai.minerals.result import Alternative, Chain, ChainLeg, ChainStage

__all__ = ["build_chain"]


def build_chain(model, sol) -> Chain:
    """The :class:`Chain` of a solved request (``sol`` from ``ChainModel._solve``)."""
    req = sol.request
    pick = trace(sol)
    best = model._totals(sol, pick)
    fac = model.data.facilities
    stages = []
    volume = sol.volume
    ratio = sol.stages["t_in_per_t_out"].to_numpy(float)
    flow = 1.0
    for k, srow in enumerate(sol.stages.itertuples(index=False)):
        if k:
            flow /= ratio[k] if ratio[k] == ratio[k] else 1.0
        fid = sol.candidates[k][pick[k]]
        f = fac.loc[fid]
        alts = []
        if len(sol.candidates[k]) > 1 and req.alternatives > 0:
            through = sol.forward[k] + sol.backward[k]
            for i in np.argsort(through, kind="stable"):
                if int(i) == pick[k] or not np.isfinite(through[i]):
                    continue
                p2 = trace(sol, (k, int(i)))
                t2 = model._totals(sol, p2)
                other = sol.candidates[k][int(i)]
                alts.append(
                    Alternative(
                        srow.stage,
                        other,
                        str(fac.loc[other, "name"]),
                        str(fac.loc[other, "country"]),
                        tuple(sol.candidates[q][p2[q]] for q in range(len(p2))),
                        t2["objective"],
                        t2["objective"] - best["objective"],
                        t2["days"],
                        t2["usd_per_t"],
                        t2["co2e_kg_per_t"],
                    )
                )
                if len(alts) >= req.alternatives:
                    break
        cap = model.tonnes_per_year(fid)
        stages.append(
            ChainStage(
                int(srow.seq),
                srow.stage,
                srow.role,
                fid,
                str(f["name"]),
                str(f["country"]),
                str(f["region"]),
                str(f["operator"]),
                str(f["status"]),
                srow.product_in or "",
                srow.product_out or "",
                float(ratio[k]) if ratio[k] == ratio[k] else np.nan,
                cap,
                (volume * flow) if volume is not None and srow.role != "buyer" else np.nan,
                bool(f["estimate"]),
                len(sol.candidates[k]),
                tuple(alts),
            )
        )
    legs = []
    tkm = km = vdays = hours = usd = co2 = 0.0
    for s, leg in enumerate(sol.legs):
        i, j = pick[s], pick[s + 1]
        cl = _chain_leg(model, sol, leg, i, j)
        legs.append(cl)
        km += cl.totals["km"]
        tkm += cl.totals["move_km"] * leg.mass_factor
        vdays += cl.totals["hours"] / 24.0 * cl.value_usd_per_t * leg.mass_factor
        hours += cl.totals["hours"]
        usd += cl.totals["usd"] * leg.mass_factor
        co2 += cl.totals["co2e_kg"] * leg.mass_factor
    # the chain's totals are its legs as routed (Router.route: exact truck rests per haul);
    # the facility choice and the alternatives use the search's costs, which may differ by
    # the rest approximation of road hauls in the search (a fraction of an hour)
    totals = {
        **best,
        "days": hours / 24.0,
        "usd_per_t": usd,
        "co2e_kg_per_t": co2,
        "hours": hours,
        "km": km,
        "tonne_km_per_t": tkm,
        "value_days_per_t": vdays,
    }
    notes = list(dict.fromkeys(sol.notes))
    for leg in sol.legs:
        notes += [f"{leg.product}: {n}" for n in leg.rules.notes]
    est = [s.name for s in stages if s.estimate]
    if est:
        notes.append("estimated facility data (location, capacity or output): " + "; ".join(est))
    return Chain(
        request=req,
        mineral=sol.mineral,
        product=str(sol.stages.iloc[-1]["product_in"]),
        objective=req.objective,
        year=model.year,
        volume_t=float(volume) if volume is not None else float("nan"),
        stages=tuple(stages),
        legs=tuple(legs),
        totals=totals,
        notes=tuple(dict.fromkeys(notes)),
        solution=sol,
    )


def _chain_leg(model, sol, leg, i: int, j: int) -> ChainLeg:
    router = model.router
    fac = model.data.facilities
    fa, fb = sol.candidates[leg.seq][i], sol.candidates[leg.seq + 1][j]
    a_i, b_i = leg.pick[i, j]
    value = float(model.data.products.loc[leg.product, "value_usd_per_t"])
    cols = [
        "part",
        "kind",
        "mode",
        "from_name",
        "to_name",
        "country",
        "km",
        "hours",
        "usd",
        "co2e_kg",
        "passage",
        "service_id",
        "event",
    ]
    rows = []
    route = None
    acc_a = acc_b = None
    if a_i >= 0:
        acc_a, acc_b = leg.src_access[i][a_i], leg.tgt_access[j][b_i]
        for acc, first in ((acc_a, True), (acc_b, False)):
            m = model.offnet(acc, leg.product)
            part = "access" if first else "egress"
            fname = str(fac.loc[acc.facility_id, "name"])
            ends = (fname, acc.place_name) if first else (acc.place_name, fname)
            tr = acc.event == "transfer"
            tr_h, tr_u, tr_k = model.transfer_terms(leg.product) if tr else (0.0, 0.0, 0.0)
            mv = {
                "part": part,
                "kind": "move",
                "mode": acc.mode,
                "from_name": ends[0],
                "to_name": ends[1],
                "country": acc.country,
                "km": acc.km,
                "hours": m["hours"] - tr_h,
                "usd": m["usd"] - tr_u,
                "co2e_kg": m["co2e_kg"] - tr_k,
                "passage": "",
                "service_id": "",
                "event": "",
            }
            ev = {
                "part": part,
                "kind": "transfer",
                "mode": "transfer",
                "from_name": acc.place_name,
                "to_name": acc.place_name,
                "country": acc.country,
                "km": 0.0,
                "hours": tr_h,
                "usd": tr_u,
                "co2e_kg": tr_k,
                "passage": "",
                "service_id": "",
                "event": "transfer",
            }
            block = ([mv] if acc.km > 0 else []) + ([ev] if acc.event == "transfer" else [])
            if not first:
                block = block[::-1]
            if first:
                rows += block
                if acc_a.vnode != acc_b.vnode:
                    route = router.route(
                        acc_a.place,
                        acc_b.place,
                        leg.commodity,
                        objective=sol.request.objective,
                        constraints=leg.constraints,
                        carbon_price_usd_per_t=sol.request.carbon_price_usd_per_t,
                    )
                    t = route.legs
                    for r in t.itertuples(index=False):
                        rows.append(
                            {
                                "part": "network",
                                "kind": r.kind,
                                "mode": r.mode,
                                "from_name": r.from_name,
                                "to_name": r.to_name,
                                "country": r.country or "",
                                "km": float(r.km),
                                "hours": float(r.hours),
                                "usd": float(r.usd),
                                "co2e_kg": float(r.co2e_kg),
                                "passage": r.passage,
                                "service_id": r.service_id,
                                "event": r.event,
                            }
                        )
            else:
                rows += block
    table = pd.DataFrame(rows, columns=cols)
    table["km"] = table["km"].astype(float)
    move = table["kind"] == "move"
    totals = {
        "km": float(table.loc[move, "km"].sum()),
        "move_km": float(table.loc[move, "km"].sum()),
        "hours": float(table["hours"].sum()),
        "days": float(table["hours"].sum()) / 24.0,
        "usd": float(table["usd"].sum()),
        "co2e_kg": float(table["co2e_kg"].sum()),
        "objective": float(leg.obj[i, j]),
    }
    return ChainLeg(
        leg.seq, leg.product, fa, fb, leg.mass_factor, value, acc_a, acc_b, route, table, totals
    )
