"""The ``flows`` job kind: corridor flows of a demand on the network of a year, with progress.

``POST /api/jobs/flows`` runs ``run_flows(network, demand, FlowConfig(...))`` (the network
is the service's network of that year, the one its routers use; the demand is the
synthesised demand of the year, or a demand table sent as CSV text). The result has the
run ``summary``, every table of :meth:`serai.flows.FlowResult.tables` (CSV with
``?format=csv&table=NAME``) and a map (``?format=geojson``): loaded links on their real
shapes with tonnes and TEU (both directions), and capacity elements as points with
utilisation, delay or dual price, bottlenecks ranked.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from serai.api.jobs import JobContext, job_kind

__all__ = ["FlowsRequest", "element_points", "flows_geojson"]


class FlowsRequest(BaseModel):
    """Corridor flows of one year: method, demand and solver settings."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"year": 2024, "method": "lp"}]},
    )
    year: int = Field(
        2024, description="Network, capacity and demand year (one the network covers)."
    )
    method: Literal["equilibrium", "lp"] = Field(
        "equilibrium",
        description="equilibrium (logit choice with congestion delays) or lp (hard "
        "capacities, unmet demand and the dual price of each binding capacity).",
    )
    demand_csv: str | None = Field(
        None,
        max_length=1_500_000,
        description="A demand table as CSV text (columns of `serai demand write`: group, "
        "origin, destination, volume, unit, year); default: the synthesised demand of `year`.",
    )
    demand_scale: float = Field(1.0, gt=0, le=100, description="Multiply every volume.")
    theta: float | None = Field(
        None, gt=0, le=1000, description="Logit dispersion (default: calibrated)."
    )
    gap: float = Field(1e-4, ge=1e-8, le=0.1, description="Equilibrium relative gap.")
    max_iter: int = Field(300, ge=1, le=1000, description="Equilibrium iteration cap.")
    congestion: bool = Field(True, description="False: capacities ignored.")
    geometry: bool = Field(True, description="Build the map (GeoJSON) of the result.")


def _demand(req: FlowsRequest) -> Any:
    from serai.demand import load_demand

    if req.demand_csv is None:
        d = load_demand(req.year)
    else:
        import tempfile
        from pathlib import Path

        from serai.demand import read_demand
        from serai.errors import InputError

        with tempfile.TemporaryDirectory(prefix="serai-demand-") as tmp:
            p = Path(tmp) / "demand.csv"
            p.write_text(req.demand_csv, encoding="utf-8")
            try:
                d = read_demand(p, year=req.year)
            except InputError as exc:
                raise InputError(exc.reason, row=exc.row, field="demand_csv") from None
    return d.scaled(req.demand_scale) if req.demand_scale != 1.0 else d


@job_kind(
    "flows",
    FlowsRequest,
    summary="Corridor flows with capacities (logit equilibrium or capacity LP)",
    description=(
        "Result: `summary` (year, method, convergence, timings, totals) and tables `links`, "
        "`elements`, `paths`, `od`, `indicators`, `bottlenecks`, `convergence` (JSON, or CSV "
        "with `?format=csv&table=NAME`); the map with `?format=geojson`."
    ),
)
def run_flows_job(req: FlowsRequest, ctx: JobContext) -> dict[str, Any]:
    from serai.flows import FlowConfig, run_flows

    ctx.progress(0.02, f"loading the network of {req.year}")
    network = ctx.pool.network_of(req.year)
    ctx.progress(0.05, "reading the demand")
    demand = _demand(req)
    cfg = FlowConfig(
        year=req.year,
        method=req.method,
        theta=req.theta,
        gap=req.gap,
        max_iter=req.max_iter,
        congestion=req.congestion,
    )
    ctx.progress(0.1, f"building the flow model and solving ({req.method})")
    best = [0.0]

    def on_iteration(row: dict[str, Any]) -> None:
        gap = float(row.get("gap", 1.0))
        if gap > 0 and math.isfinite(gap):  # progress: how far the gap is, in decades, to the aim
            best[0] = max(best[0], min(1.0, math.log10(gap) / math.log10(req.gap)))
        frac = max(best[0], row.get("iteration", 0) / req.max_iter)
        ctx.progress(0.1 + 0.8 * frac, f"iteration {row.get('iteration')}, gap {gap:.2e}")

    res = run_flows(network, demand, cfg, progress=on_iteration)
    ctx.progress(0.92, "tables and map")
    out: dict[str, Any] = {"summary": res.summary, "tables": res.tables()}
    if req.geometry:
        out["geojson"] = flows_geojson(network, res)
    return out


def flows_geojson(network: Any, res: Any) -> dict[str, Any]:
    """Loaded links (both directions summed, per mode) and capacity elements as GeoJSON."""
    from serai.api.layers import link_lines

    L = res.links
    L = L.loc[L["tonnes"] > 0]
    a = np.minimum(L["from_node"].to_numpy(), L["to_node"].to_numpy())
    b = np.maximum(L["from_node"].to_numpy(), L["to_node"].to_numpy())
    g = (
        L.assign(_a=a, _b=b)
        .groupby(["_a", "_b", "mode"], as_index=False, sort=False)
        .agg(link_id=("link_id", "first"), tonnes=("tonnes", "sum"), teu=("teu", "sum"))
    )
    g = g.sort_values("tonnes", ascending=False, kind="stable")
    lines = link_lines(network, g["link_id"].to_numpy())
    feats = []
    for r, line in zip(g.itertuples(index=False), lines, strict=True):
        if len(line) < 2:
            continue
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": np.round(line, 3).tolist()},
                "properties": {
                    "layer": "flow",
                    "link_id": int(r.link_id),
                    "mode": str(r.mode),
                    "tonnes": round(float(r.tonnes), 1),
                    "teu": round(float(r.teu), 1),
                },
            }
        )
    feats += element_points(network, res.elements, res.bottlenecks)
    return {"type": "FeatureCollection", "features": feats}


def element_points(network: Any, elements: pd.DataFrame, bottlenecks: pd.DataFrame) -> list[dict]:
    """Capacity elements as points (a port, a crossing, the middle of a line or service)."""
    from serai.flows import capacity_table

    cap = capacity_table().drop_duplicates("capacity_id").set_index("capacity_id")
    rank = dict(zip(bottlenecks["capacity_id"], bottlenecks["rank"], strict=False))
    where = _Locator(network)
    feats = []
    for r in elements.to_dict(orient="records"):
        row = cap.loc[r["capacity_id"]] if r["capacity_id"] in cap.index else None
        pt = where.element(str(r["element"]), row)
        if pt is None:
            continue
        props = {
            "layer": "element",
            "capacity_id": r["capacity_id"],
            "name": r.get("name"),
            "kind": r.get("kind"),
            "direction": r.get("direction"),
            "measure": r.get("measure"),
            "capacity": r.get("capacity"),
            "load": r.get("load"),
            "utilisation": r.get("utilisation"),
            "delay_h": r.get("delay_h"),
            "dual": r.get("dual"),
            "binding": r.get("binding"),
            "rank": rank.get(r["capacity_id"]),
        }
        props = {k: _plain(v) for k, v in props.items()}
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(pt[0], 4), round(pt[1], 4)]},
                "properties": {k: v for k, v in props.items() if v is not None},
            }
        )
    return feats


def _plain(v: Any) -> Any:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return round(v, 4) if math.isfinite(v) else None
    return v


class _Locator:
    """Coordinates of the elements of the capacity table, from the network's own tables."""

    def __init__(self, network: Any) -> None:
        t = network.tables

        def xy(name: str, key: str, x: str, y: str) -> dict[str, tuple[float, float]]:
            df = t.get(name)
            if df is None or key not in df.columns:
                return {}
            df = df.dropna(subset=[key, x, y]).drop_duplicates(key)
            return {
                str(k): (float(a), float(b)) for k, a, b in zip(df[key], df[x], df[y], strict=True)
            }

        self.points = xy("points", "point_id", "lon", "lat")
        self.crossings = xy("border_crossings", "crossing_id", "x", "y")
        self.gauge = xy("gauge_breaks", "gauge_break_id", "x", "y")
        self.ends: dict[str, tuple[str, str]] = {}
        for name, key in (("facts_lines", "line_id"), ("services", "service_id")):
            df = t.get(name)
            if df is not None and {"from_point", "to_point"} <= set(df.columns):
                for k, a, b in zip(df[key], df["from_point"], df["to_point"], strict=True):
                    self.ends[str(k)] = (str(a), str(b))

    def _mid(self, a: str, b: str) -> tuple[float, float] | None:
        pa, pb = self.points.get(a), self.points.get(b)
        if pa is None or pb is None:
            return pa or pb
        return ((pa[0] + pb[0]) / 2, (pa[1] + pb[1]) / 2)

    def element(self, element: str, row: Any) -> tuple[float, float] | None:
        kind, _, key = element.partition(":")
        if kind == "point":
            return self.points.get(key)
        if kind == "crossing":
            return self.crossings.get(key)
        if kind == "gauge_break":
            return self.gauge.get(key)
        if kind in ("line", "service") and key in self.ends:
            return self._mid(*self.ends[key])
        if row is not None:  # corridors: the mean of their member crossings
            members = str(row.get("members") or "").split(";")
            pts = [self.crossings[m] for m in members if m in self.crossings]
            if pts:
                return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
            a, b = row.get("from_point"), row.get("to_point")
            if isinstance(a, str) and isinstance(b, str):
                return self._mid(a, b)
        return None
