"""Capacities of the elements that can bind, keyed by stable facts names, resolved at load time.

``serai/flows/data/capacities.csv`` lists one row per capacity of an element
and period (``year_from``, ``year_to``): rail sections (trains per day or Mt per
year), border crossings, gauge-change terminals, ports (t and TEU by berth
type), the Caspian ferry fleet (vessels x cycles x wagons) and feeders. Elements
are named as in the facts layer (``point:aktau_port``, ``crossing:dostyk_alashankou``,
``gauge_break:akhalkalaki``, ``service:aktau_alat_feeder``, ``line:btk``), never by
link id, and are resolved to virtual links of the routing graph when a model is
built, so they survive a rebuild of the network.

Each resolved element becomes one or more congestible **units** (one per
element and direction; for a rail section one per link, carrying its share of
the section's length). A class loads a unit by its ``use`` (capacity units per
unit of class flow: tonnes, TEU, trains or wagons; ``conversions.csv``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from serai.errors import InputError
from serai.freight.virtual import RoutingGraph, available_links

__all__ = [
    "CapacityUnits",
    "ClassSpec",
    "capacity_table",
    "conversions",
    "delay_table",
    "resolve_capacities",
]

_DATA = "serai.flows.data"
# unit of a capacity row -> (base measure, factor to per year)
UNITS = {
    "Mt/yr": ("t", 1e6),
    "kt/yr": ("t", 1e3),
    "t/yr": ("t", 1.0),
    "TEU/yr": ("TEU", 1.0),
    "TEU/day": ("TEU", 365.0),
    "train pairs/day": ("train", 365.0),
    "trains/day": ("train", 365.0),
    "wagons/yr": ("wagon", 1.0),
    "trucks/yr": ("truck", 1.0),
}
KINDS = ("border", "gauge", "port", "ferry", "line")


def _read(name: str) -> pd.DataFrame:
    with resources.files(_DATA).joinpath(name).open("rb") as fh:
        return pd.read_csv(fh, keep_default_na=False, na_values=[""])


def check_capacities(t: pd.DataFrame, file: str = "capacities.csv") -> pd.DataFrame:
    """Check a capacity table (shipped or a user's); returns it with typed columns."""
    need = ["capacity_id", "element", "kind", "applies", "value", "unit", "classes", "direction"]
    for c in need:
        if c not in t.columns:
            raise InputError(f"missing column '{c}'", file=file, field=c)
    t = t.copy()
    for c in ("members", "from_point", "to_point", "via_points", "name", "source_id", "note"):
        if c not in t.columns:
            t[c] = ""
        t[c] = t[c].astype(object).where(t[c].notna(), "").astype(str)
    for c in ("year_from", "year_to"):
        if c not in t.columns:
            t[c] = np.nan
        t[c] = pd.to_numeric(t[c], errors="coerce")
    for i, r in enumerate(t.itertuples(index=False)):
        row = i + 2
        if r.unit not in UNITS:
            raise InputError(
                f"unknown unit '{r.unit}' (use {', '.join(UNITS)})",
                file=file,
                row=row,
                field="unit",
            )
        if r.kind not in KINDS:
            raise InputError(
                f"unknown kind '{r.kind}' (use {', '.join(KINDS)})",
                file=file,
                row=row,
                field="kind",
            )
        if r.applies not in ("crossing", "gauge", "port", "service", "line"):
            raise InputError(f"unknown applies '{r.applies}'", file=file, row=row, field="applies")
        if r.classes not in ("all", "container", "bulk"):
            raise InputError(
                "classes must be all, container or bulk", file=file, row=row, field="classes"
            )
        if r.direction not in ("both", "each"):
            raise InputError(
                "direction must be both or each", file=file, row=row, field="direction"
            )
        v = pd.to_numeric(pd.Series([r.value]), errors="coerce").iloc[0]
        if not (np.isfinite(v) and v > 0):
            raise InputError(
                f"value must be a number > 0, got {r.value!r}", file=file, row=row, field="value"
            )
        est = str(getattr(r, "estimate", "")).lower()
        if est != "true" and not r.source_id.strip():
            raise InputError(
                "a sourced capacity (estimate=false) needs a source_id",
                file=file,
                row=row,
                field="source_id",
            )
    if t["capacity_id"].duplicated().any():
        i = int(np.flatnonzero(t["capacity_id"].duplicated())[0])
        raise InputError("duplicate capacity_id", file=file, row=i + 2, field="capacity_id")
    t["value"] = pd.to_numeric(t["value"])
    return t


@cache
def capacity_table() -> pd.DataFrame:
    """The shipped capacities (all years) with sources.

    Examples
    --------
    >>> from serai.flows.capacity import capacity_table
    >>> t = capacity_table()
    >>> t.set_index("capacity_id").loc["aktau_port", ["value", "unit"]].tolist()
    [11.0, 'Mt/yr']
    """
    return check_capacities(_read("capacities.csv"))


@cache
def conversions() -> dict[str, float]:
    """Conversion factors (TEU per train, t per wagon, ...) with their sources in the CSV."""
    t = _read("conversions.csv")
    return dict(zip(t["name"], t["value"].astype(float), strict=True))


@cache
def delay_table() -> pd.DataFrame:
    """Delay-function parameters per element kind (BPR form, fitted or estimated)."""
    return _read("delays.csv").set_index("kind")


@dataclass(frozen=True)
class ClassSpec:
    """How a demand class loads capacities: tonnes and TEU per unit, handling class."""

    name: str
    tonnes_per_unit: float
    teu_per_unit: float  # 0 for bulk
    containerised: bool


def class_use(spec: ClassSpec, measure: str, classes: str) -> float:
    """Capacity units (``measure``) one unit of the class takes."""
    if classes == "container" and not spec.containerised:
        return 0.0
    if classes == "bulk" and spec.containerised:
        return 0.0
    cv = conversions()
    if measure == "t":
        return spec.tonnes_per_unit
    if measure == "TEU":
        return spec.teu_per_unit
    if measure == "train":
        if spec.containerised:
            return spec.teu_per_unit / cv["teu_per_train"]
        return spec.tonnes_per_unit / cv["tonnes_per_bulk_train"]
    if measure == "wagon":
        if spec.containerised:
            return spec.teu_per_unit / cv["teu_per_wagon"]
        return spec.tonnes_per_unit / cv["tonnes_per_wagon"]
    if measure == "truck":
        if spec.containerised:
            return spec.teu_per_unit / cv["teu_per_truck"]
        return spec.tonnes_per_unit / cv["tonnes_per_truck"]
    raise InputError(f"unknown capacity measure '{measure}'")


@dataclass(frozen=True, eq=False)
class CapacityUnits:
    """Resolved capacities: units over the virtual links of one routing graph.

    Attributes
    ----------
    vlink_unit : scipy.sparse.csr_matrix (vlinks, U)
        Delay share of each unit carried by each virtual link (rows of ``rg.vlinks``).
    use : ndarray (K, U)
    cap : ndarray (U,)
        Capacity per year in the unit's measure.
    t0 : ndarray (U,)
        Base hours of each unit (the delay function multiplies it).
    alpha, beta : ndarray (U,)
    units : DataFrame
        ``unit``, ``capacity_id``, ``element``, ``direction``, ``measure``, ``capacity``.
    elements : DataFrame
        One row per capacity row of the year: ``capacity_id``, ``element``, ``name``,
        ``kind``, ``measure``, ``capacity``, ``value``, ``unit``, ``units``
        (count), ``resolved``, ``reason``, ``source_id``, ``estimate``.
    """

    vlink_unit: sparse.csr_matrix
    use: np.ndarray
    cap: np.ndarray
    t0: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    units: pd.DataFrame
    elements: pd.DataFrame


def _rail_path(rg: RoutingGraph, a: str, b: str, via: list[str]) -> np.ndarray:
    """Physical rail link ids on the shortest rail path a -> via... -> b (by length)."""
    net = rg.network
    links = net.links
    ok = available_links(links, rg.year) & (links["mode"].astype(str) == "rail").to_numpy()
    L = links.loc[ok]
    ids = np.unique(np.r_[L["from_node"].to_numpy(np.int64), L["to_node"].to_numpy(np.int64)])
    pos = pd.Series(np.arange(len(ids)), index=ids)
    fi = pos.loc[L["from_node"].to_numpy(np.int64)].to_numpy()
    ti = pos.loc[L["to_node"].to_numpy(np.int64)].to_numpy()
    w = np.maximum(L["length"].to_numpy(float), 1e-6)
    # keep the shortest link of parallel pairs
    order = np.lexsort((w, ti, fi))
    fi, ti, w, lid = fi[order], ti[order], w[order], L["link_id"].to_numpy(np.int64)[order]
    first = np.r_[True, (fi[1:] != fi[:-1]) | (ti[1:] != ti[:-1])]
    fi, ti, w, lid = fi[first], ti[first], w[first], lid[first]
    G = sparse.csr_matrix((w, (fi, ti)), shape=(len(ids), len(ids)))
    key = pd.Series(np.arange(len(fi)), index=fi * len(ids) + ti)
    pts = net.tables.get("points")
    out: list[int] = []
    stops = [a, *via, b]

    def rail_nodes(pid: str) -> list[int]:
        if pts is None:
            return []
        rows = pts.loc[(pts["point_id"] == pid) & (pts["mode"] == "rail")]
        return [int(pos[n]) for n in rows["node_id"] if n in pos.index]

    for s, t in itertools.pairwise(stops):
        sn, tn = rail_nodes(s), rail_nodes(t)
        if not sn or not tn:
            raise LookupError(f"point '{s if not sn else t}' has no rail node")
        dist, pred = dijkstra(G, indices=sn[0], return_predecessors=True)
        if not np.isfinite(dist[tn[0]]):
            raise LookupError(f"no rail path {s} -> {t}")
        v = tn[0]
        seg = []
        while v != sn[0]:
            u = pred[v]
            seg.append(int(lid[key[u * len(ids) + v]]))
            v = u
        out += seg[::-1]
    return np.array(out, np.int64)


def _point_nodes(rg: RoutingGraph, pid: str) -> set[int]:
    net = rg.network
    nodes: set[int] = set()
    pts = net.tables.get("points")
    if pts is not None:
        nodes |= set(pts.loc[pts["point_id"] == pid, "node_id"].astype(np.int64).tolist())
    nd = net.nodes
    if "point_id" in nd.columns:
        has = nd["point_id"].fillna("").astype(str).str.split("|").apply(lambda x: pid in x)
        nodes |= set(nd.loc[has, "node_id"].astype(np.int64).tolist())
    svc = net.tables.get("services")
    if svc is not None and {"from_point", "to_point", "service_id"} <= set(svc.columns):
        nodes |= _service_ends_at(rg, svc, pid, nodes)
    links = net.links
    tr = links.loc[links["mode"].astype(str) == "transfer"]
    for _ in range(2):  # nodes joined to them by transfer links (a port's sea and rail nodes)
        more = set(tr.loc[tr["from_node"].isin(nodes), "to_node"]) | set(
            tr.loc[tr["to_node"].isin(nodes), "from_node"]
        )
        nodes |= {int(x) for x in more}
    return nodes


def _service_ends_at(rg: RoutingGraph, svc: pd.DataFrame, pid: str, known: set[int]) -> set[int]:
    """Physical end nodes, at the point ``pid``, of the services that start or end there.

    A service runs both ways as two move links with the same ``service_id`` (the network's
    two directed ferry links) or as ``id`` and ``id~r``, so the end at ``pid`` is not told by
    the link's direction: it is the end nearer to the point (its ``points`` coordinates, else
    the nodes already known to be the point's). Taking the ``from`` end of every link put
    the far port into the element (Alat's capacity counted Aktau's, Kuryk's and
    Turkmenbashi's lifts; Batumi's counted Burgas's and Constanța's).
    """
    net = rg.network
    ids = set(svc.loc[(svc["from_point"] == pid) | (svc["to_point"] == pid), "service_id"])
    if not ids:
        return set()
    vl = rg.vlinks
    sv = vl.loc[
        vl["service_id"].str.replace("~r", "", regex=False).isin(ids) & (vl["kind"] == "move")
    ]
    if not len(sv):
        return set()
    nd = net.nodes.drop_duplicates("node_id").set_index("node_id")
    pts = net.tables.get("points")
    at = None
    if pts is not None and {"lat", "lon"} <= set(pts.columns):
        ll = pts.loc[pts["point_id"] == pid, ["lon", "lat"]].apply(pd.to_numeric, errors="coerce")
        ll = ll.dropna()
        if len(ll):
            at = ll.to_numpy(float).mean(axis=0)
    if at is None:
        xy = nd.reindex(sorted(known))[["x", "y"]].dropna()
        if not len(xy):
            return set()
        at = xy.to_numpy(float).mean(axis=0)
    ends = np.c_[sv["from_node"].to_numpy(np.int64), sv["to_node"].to_numpy(np.int64)]
    x = nd["x"].reindex(ends.ravel()).to_numpy(float).reshape(ends.shape)
    y = nd["y"].reindex(ends.ravel()).to_numpy(float).reshape(ends.shape)
    d = np.hypot((x - at[0]) * np.cos(np.radians(at[1])), y - at[1])
    near = np.where(np.nan_to_num(d[:, 0], nan=np.inf) <= np.nan_to_num(d[:, 1], nan=np.inf), 0, 1)
    return {int(n) for n in ends[np.arange(len(ends)), near]}


def _transshipment_hours(rg: RoutingGraph, r) -> float:
    """Transshipment hours of a break of gauge (``gauge_breaks.transshipment_h``), 0 if none.

    The base time of a gauge-change element's delay. Where the break of gauge is at a border
    (Dostyk–Alashankou, Zabaikalsk–Manzhouli) the routing graph counts the transshipment in
    the border time (CAREC's border figure includes it) and the gauge links carry no hours:
    their mean, floored at 0.1 h, made the delay ``0.1 h (1 + alpha u^beta)`` — 32 h at five
    times the capacity, so the capacity bound nothing (Dostyk's 760 TEU/day at 455-502%).
    """
    gb = rg.network.tables.get("gauge_breaks")
    if gb is None or not {"gauge_break_id", "transshipment_h"} <= set(gb.columns):
        return 0.0
    ekey = r.element.split(":", 1)[1] if ":" in r.element else r.element
    members = [m.strip() for m in str(r.members).split(";") if m.strip()] or [ekey]
    h = pd.to_numeric(
        gb.loc[gb["gauge_break_id"].isin(members), "transshipment_h"], errors="coerce"
    )
    h = h.dropna()
    return float(h.max()) if len(h) else 0.0


def _both_directions(net, lids: set[int]) -> set[int]:
    """The links ``lids`` and the links joining the same nodes the other way.

    ``border_crossings`` lists one link per crossing and node pair; the network's links are
    directed, so the opposite direction is another link (Dostyk KZ -> CN is link 2591, the
    table lists 2588 CN -> KZ): without it a capacity would bind one direction only.
    """
    links = net.links
    sel = links["link_id"].isin(lids).to_numpy()
    pairs = set(
        zip(links["from_node"].to_numpy()[sel], links["to_node"].to_numpy()[sel], strict=True)
    )
    pairs |= {(b, a) for a, b in pairs}
    ft = zip(links["from_node"].to_numpy(), links["to_node"].to_numpy(), strict=True)
    hit = np.fromiter(((a, b) in pairs for a, b in ft), bool, count=len(links))
    return lids | set(links["link_id"].to_numpy()[hit].astype(np.int64).tolist())


def _vlinks_of(rg: RoutingGraph, r) -> tuple[np.ndarray, str]:
    """Rows of ``rg.vlinks`` an element applies to (and a reason when none)."""
    vl = rg.vlinks
    net = rg.network
    kind = vl["kind"].to_numpy()
    members = [m.strip() for m in r.members.split(";") if m.strip()]
    ekey = r.element.split(":", 1)[1] if ":" in r.element else r.element
    if r.applies == "crossing":
        bc = net.tables.get("border_crossings")
        if bc is None or "crossing_id" not in bc.columns:
            return np.zeros(0, np.int64), "the network has no border_crossings table"
        lids = _both_directions(
            net, set(bc.loc[bc["crossing_id"].isin(members or [ekey]), "link_id"].astype(np.int64))
        )
        rows = np.flatnonzero((kind == "border") & vl["link_id"].isin(lids).to_numpy())
        if not len(rows):
            rows = np.flatnonzero((kind == "move") & vl["link_id"].isin(lids).to_numpy())
        return rows, "" if len(
            rows
        ) else f"crossing(s) {', '.join(members or [ekey])} not in the routing graph of this year"
    if r.applies == "gauge":
        gb = net.tables.get("gauge_breaks")
        if gb is None or "gauge_break_id" not in gb.columns:
            return np.zeros(0, np.int64), "the network has no gauge_breaks table"
        nodes = set(
            gb.loc[gb["gauge_break_id"].isin(members or [ekey]), "node_id"].astype(np.int64)
        )
        rows = np.flatnonzero((kind == "gauge") & vl["node_id"].isin(nodes).to_numpy())
        return rows, "" if len(rows) else f"gauge break {ekey} has no gauge link this year"
    if r.applies == "port":
        nodes = _point_nodes(rg, ekey)
        at = vl["node_id"].isin(nodes).to_numpy()
        sea = vl["layer"].to_numpy() == "sea"
        sea_end = np.isin(kind, ["access", "egress"]) & sea
        # boarding a service from the port's sea layer, or alighting onto it, is followed or
        # preceded by the port link (sea > rail, sea > road) or the sea access or egress that
        # the element counts already: counting both loaded a box or tonne twice per call
        # (Turkmenbashi -> Alat ro-ro, alight at sea, sea > rail)
        svc_end = np.isin(kind, ["board", "alight"]) & ~sea
        use = at & ((kind == "port") | svc_end | sea_end)
        if str(getattr(r, "unit", "")).startswith("TEU"):
            # a container terminal's TEU capacity is its cranes and yard: wagons rolling onto a
            # rail ferry and trucks onto a ro-ro do not pass it (the fleets bind them)
            layer = vl["layer"].astype(str).to_numpy()
            smode = vl["service_mode"].astype(str).to_numpy()
            rolls = np.isin(kind, ["board", "alight"]) & (
                ((smode == "ferry") & np.char.startswith(layer.astype("U"), "rail"))
                | ((smode == "roro") & (layer == "road"))
            )
            use &= ~rolls
        rows = np.flatnonzero(use)
        return rows, "" if len(rows) else f"port {ekey} has no port, ferry or sea link this year"
    if r.applies == "service":
        base = vl["service_id"].str.replace("~r", "", regex=False)
        rows = np.flatnonzero((kind == "move") & base.isin(members or [ekey]).to_numpy())
        return rows, "" if len(
            rows
        ) else f"service(s) {', '.join(members or [ekey])} not operating this year"
    if r.applies == "line":
        links = net.links
        lids = set()
        if "name" in links.columns:
            lids = set(
                links.loc[links["name"].fillna("").astype(str) == ekey, "link_id"].astype(np.int64)
            )
        if not lids and r.from_point and r.to_point:
            via = [v for v in r.via_points.split(";") if v]
            try:
                fwd = _rail_path(rg, r.from_point, r.to_point, via)
                bwd = _rail_path(rg, r.to_point, r.from_point, via[::-1])
            except LookupError as e:
                return np.zeros(0, np.int64), str(e)
            lids = set(fwd.tolist()) | set(bwd.tolist())
        rows = np.flatnonzero((kind == "move") & vl["link_id"].isin(lids).to_numpy())
        return rows, "" if len(rows) else f"line {ekey} has no link this year"
    return np.zeros(0, np.int64), f"unknown applies '{r.applies}'"


#: columns of :attr:`CapacityUnits.elements` (also when no capacity is given:
#: ``FlowConfig(congestion=False)``)
_ELEMENT_COLUMNS = [
    "capacity_id", "element", "name", "kind", "measure", "capacity", "value", "unit",
    "classes", "direction", "units", "resolved", "reason", "source_id", "estimate", "note",
]  # fmt: skip


def resolve_capacities(
    rg: RoutingGraph,
    classes: list[ClassSpec],
    year: int,
    *,
    table: pd.DataFrame | None = None,
    t0_hours: np.ndarray | None = None,
) -> CapacityUnits:
    """Units of the capacities active in ``year`` on the routing graph ``rg``.

    Parameters
    ----------
    rg
        Routing graph.
    classes
        The demand classes, in the order of the model's classes.
    year
        Capacities with ``year_from <= year <= year_to`` (missing bounds: open).
    table
        Capacity table (default: :func:`capacity_table`).
    t0_hours
        Base hours per virtual link (default 1 h); a unit's base time is the mean
        over its links (its own length share for a rail section).
    """
    t = capacity_table() if table is None else check_capacities(table, "capacities")
    yf, yt = t["year_from"].to_numpy(float), t["year_to"].to_numpy(float)
    active = (np.isnan(yf) | (yf <= year)) & (np.isnan(yt) | (yt >= year))
    t = t.loc[active].reset_index(drop=True)
    vl = rg.vlinks
    nx = rg.network.nodes.set_index("node_id")["x"]
    nx = nx[~nx.index.duplicated()]
    dl = delay_table()
    h0 = np.ones(len(vl)) if t0_hours is None else np.asarray(t0_hours, float)
    km = vl["km"].to_numpy(float)
    rows_i, cols_j, vals = [], [], []
    unit_rows = []
    el_rows = []
    use_cols = []
    caps, t0s, al, be = [], [], [], []
    U = 0
    for r in t.itertuples(index=False):
        measure, factor = UNITS[r.unit]
        cap = float(r.value) * factor
        rows, reason = _vlinks_of(rg, r)
        n_units = 0
        if len(rows):
            use = np.array([class_use(c, measure, r.classes) for c in classes])
            if r.direction == "each":
                fx = nx.reindex(vl["from_node"].to_numpy()[rows]).to_numpy(float)
                tx = nx.reindex(vl["to_node"].to_numpy()[rows]).to_numpy(float)
                dirn = np.where(np.nan_to_num(tx - fx) >= 0, "eastbound", "westbound")
            else:
                dirn = np.full(len(rows), "both", dtype=object)
            groups = []
            if r.kind == "line":  # one unit per link, with its share of the section's length
                for d in np.unique(dirn):
                    sel = rows[dirn == d]
                    tot = km[sel].sum()
                    for row in sel:
                        groups.append(
                            (d, np.array([row]), np.array([km[row] / tot if tot > 0 else 1.0]))
                        )
            else:
                for d in np.unique(dirn):
                    sel = rows[dirn == d]
                    groups.append((d, sel, np.ones(len(sel))))
            params = dl.loc[r.kind] if r.kind in dl.index else None
            for d, sel, share in groups:
                rows_i += sel.tolist()
                cols_j += [U] * len(sel)
                vals += share.tolist()
                use_cols.append(use)
                caps.append(cap)
                base = float(np.sum(h0[sel] * share) / max(share.sum(), 1e-12))
                if r.applies == "gauge":
                    base = max(base, _transshipment_hours(rg, r))
                t0s.append(max(base, 0.1) if r.kind != "line" else max(float(h0[sel].sum()), 0.01))
                al.append(float(params["alpha"]) if params is not None else 0.15)
                be.append(float(params["beta"]) if params is not None else 4.0)
                unit_rows.append(
                    {"unit": U, "capacity_id": r.capacity_id, "element": r.element, "direction": d,
                     "measure": measure, "capacity": cap}
                )  # fmt: skip
                U += 1
                n_units += 1
        el_rows.append(
            {"capacity_id": r.capacity_id, "element": r.element, "name": r.name, "kind": r.kind,
             "measure": measure, "capacity": cap, "value": float(r.value), "unit": r.unit,
             "classes": r.classes, "direction": r.direction, "units": n_units,
             "resolved": n_units > 0, "reason": reason, "source_id": r.source_id,
             "estimate": str(getattr(r, "estimate", "")).lower() == "true", "note": r.note}
        )  # fmt: skip
    vu = sparse.csr_matrix((vals, (rows_i, cols_j)), shape=(len(vl), U))
    use = np.array(use_cols).T if U else np.zeros((len(classes), 0))
    return CapacityUnits(
        vlink_unit=vu,
        use=use,
        cap=np.array(caps, float),
        t0=np.array(t0s, float),
        alpha=np.array(al, float),
        beta=np.array(be, float),
        units=pd.DataFrame(
            unit_rows,
            columns=["unit", "capacity_id", "element", "direction", "measure", "capacity"],
        ),
        elements=pd.DataFrame(el_rows, columns=_ELEMENT_COLUMNS),
    )
