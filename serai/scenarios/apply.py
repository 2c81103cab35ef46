"""Applying a scenario to a network: a new :class:`~serai.network.Network`, nothing mutated.

The changes use the network's own rules and tables:

* opening and closing elements sets ``status``, ``open_year``, ``closed_from`` and
  ``reopen_year`` on their links, nodes, services and expansions, so the one
  availability rule (:func:`serai.data.status.open_mask`) decides what is open in
  a year;
* borders add rows to ``border_status`` (and stamp them on the crossing links with
  :func:`serai.data.borders.link_closures`) or reopen them with
  :func:`serai.data.reopen_border`;
* capacities and disruptions change a copy of the flows capacity table, kept in the
  network as table ``capacities``;
* model parameters (speeds, border times and fees, tariffs) are kept as the table
  ``model_params`` (``param_id``, ``value``, ``base_value``, ``source``, ...): the
  overrides of the time and tariff model (:func:`scenario_params`);
* added lines become links (both directions) between the points' nodes.

``meta["scenario"]`` records the scenario (name, hash, year); applying a scenario
that a network already carries returns the network unchanged, so applying twice is
applying once.

The row edits (open, close, merge closures, stamp sources) are in
:mod:`serai.scenarios.rows`.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from serai.network.core import Network
from serai.scenarios.known import (
    capacity_table,
    expand_countries,
    port_nodes,
)
from serai.scenarios.model import Scenario
from serai.scenarios.rows import (
    _close_rows,
    _is_open_by,
    _merge_closure,
    _open_rows,
    _stamp,
)

__all__ = ["applied", "apply_network", "scenario_capacities", "scenario_params"]

CAPACITY_TABLE = "capacities"
PARAMS_TABLE = "model_params"


def applied(network: Network) -> list[str]:
    """Hashes of the scenarios applied to ``network`` (oldest first)."""
    return list(network.meta.get("scenarios", []))


def apply_network(scenario: Scenario, network: Network) -> Network:
    """A new network with the scenario's changes (the input is left as it was).

    Parameters
    ----------
    scenario
        A loaded scenario (:func:`serai.scenarios.load_scenario`).
    network
        A network with every element (``serai.data.load_network()`` without a
        year; choose the year afterwards, as :func:`serai.data.load_network` does).

    Examples
    --------
    >>> from serai.data import load_network
    >>> from serai.scenarios import load_scenario
    >>> base = load_network()
    >>> s = load_scenario("red-sea-closure")
    >>> net = s.apply(base)
    >>> net.meta["scenario"]["name"], s.apply(net) is not net
    ('red-sea-closure', True)
    >>> closed = net.links["passage"] == "suez"
    >>> bool(net.links.loc[closed, "closed_from"].notna().all())  # every Suez link closed
    True
    >>> bool(base.links.loc[closed, "closed_from"].isna().all())  # the base is not touched
    True
    """
    if scenario.hash in applied(network):
        return Network(dict(network.tables), dict(network.meta))
    w = _Work(scenario, network)
    for r in scenario.rows("add_line"):
        w.add_line(r)
    for r in scenario.rows("border"):
        w.border(r)
    # opening and closing in file order (a child's open undoes its parent's close)
    for r in sorted([*scenario.rows("open"), *scenario.rows("close")], key=lambda r: w.order(r)):
        if r["_path"][0] == "open":
            w.open(r)
        else:
            w.close(r, r.get("from_year"), r.get("reopen_year"))
    for r in scenario.rows("capacity"):
        w.capacity(r)
    for r in scenario.rows("disruption"):
        w.disruption(r)
    for r in scenario.rows("parameter"):
        w.parameter(r)
    return w.network()


class _Work:
    """Copies of the tables being changed (copied on first change)."""

    def __init__(self, s: Scenario, net: Network) -> None:
        self.s, self.net = s, net
        self.t: dict[str, pd.DataFrame] = dict(net.tables)
        self.copied: set[str] = set()
        self._order = {id(r): i for i, r in enumerate(itertools.chain(*s.changes.values()))}

    def order(self, r: dict) -> tuple:
        # rows of the chain come parent first; within a file keep the file's order
        files = list(self.s.texts)
        f = r.get("_file", "")
        return (files.index(f) if f in files else len(files), r["_path"][1])

    def table(self, name: str) -> pd.DataFrame:
        if name not in self.copied:
            if name == CAPACITY_TABLE and name not in self.t:
                self.t[name] = capacity_table().copy()
                self.t[name]["value"] = self.t[name]["value"].astype(float)
            elif name == PARAMS_TABLE and name not in self.t:
                self.t[name] = pd.DataFrame({c: pd.Series(dtype=d) for c, d in _PARAM_COLS.items()})
            else:
                self.t[name] = self.t[name].copy()
            self.copied.add(name)
        return self.t[name]

    def network(self) -> Network:
        meta = dict(self.net.meta)
        info = {
            "name": self.s.name,
            "hash": self.s.hash,
            "year": self.s.year,
            "chain": list(self.s.chain),
        }
        meta["scenario"] = info
        meta["scenarios"] = [*applied(self.net), self.s.hash]
        return Network(self.t, meta)

    # ------------------------------------------------------------ selection
    def link_rows(self, kind: str, name: str) -> np.ndarray:
        L = self.t["links"]
        if kind in ("line", "service"):
            return np.flatnonzero(L["name"].astype(str).to_numpy() == name)
        if kind == "passage":
            return np.flatnonzero(L["passage"].astype(str).to_numpy() == name)
        if kind == "crossing":
            bc = self.t.get("border_crossings")
            ids = bc.loc[bc["crossing_id"].astype(str) == name, "link_id"] if bc is not None else []
            return np.flatnonzero(L["link_id"].isin(set(ids)).to_numpy())
        if kind == "point":
            nodes = set(port_nodes(Network(self.t, {}), name).tolist())
            return np.flatnonzero(
                (L["from_node"].isin(nodes) | L["to_node"].isin(nodes)).to_numpy()
            )
        return np.empty(0, np.int64)

    # ------------------------------------------------------------- changes
    def open(self, r: dict) -> None:
        kind, _, name = r["element"].partition(":")
        year = int(r.get("year", self.s.year))
        if kind == "expansion":
            ex = self.table("expansions")
            m = (ex["element_id"].astype(str) == name).to_numpy()
            _open_rows(ex, m, year)
            return
        rows = self.link_rows(kind, name)
        if len(rows):
            L = self.table("links")
            m = np.zeros(len(L), bool)
            m[rows] = True
            _open_rows(L, m, year)
            # the line's own nodes (new facts nodes carry a status too)
            ends = set(L.loc[m, "from_node"]) | set(L.loc[m, "to_node"])
            N = self.table("nodes")
            nm = N["node_id"].isin(ends).to_numpy()
            if kind == "point":
                nm |= N["node_id"].isin(set(port_nodes(Network(self.t, {}), name))).to_numpy()
            _open_rows(N, nm & ~_is_open_by(N, year), year)
        if kind == "service" and "services" in self.t:
            sv = self.table("services")
            _open_rows(sv, (sv["service_id"].astype(str) == name).to_numpy(), year)
        if kind == "line" and "facts_lines" in self.t:
            fl = self.table("facts_lines")
            _open_rows(fl, (fl["line_id"].astype(str) == name).to_numpy(), year)

    def close(self, r: dict, from_year, reopen_year) -> None:
        kind, _, name = r["element"].partition(":")
        if kind in ("fleet", "corridor"):
            for el in _members(name, kind):
                self.close({**r, "element": el}, from_year, reopen_year)
            return
        if kind == "expansion":
            ex = self.table("expansions")
            _close_rows(
                ex, (ex["element_id"].astype(str) == name).to_numpy(), from_year, reopen_year
            )
            return
        if kind == "point":
            N = self.table("nodes")
            nodes = port_nodes(Network(self.t, {}), name)
            _close_rows(N, N["node_id"].isin(set(nodes)).to_numpy(), from_year, reopen_year)
            return
        rows = self.link_rows(kind, name)
        if not len(rows):
            raise self.s.error(r, f"{r['element']} has no links in this network", "element")
        L = self.table("links")
        m = np.zeros(len(L), bool)
        m[rows] = True
        _close_rows(L, m, from_year, reopen_year)
        if kind == "service" and "services" in self.t:
            sv = self.table("services")
            _close_rows(
                sv, (sv["service_id"].astype(str) == name).to_numpy(), from_year, reopen_year
            )

    def border(self, r: dict) -> None:
        from serai.data.borders import link_closures, reopen_border

        a, b = expand_countries(r["a"]), expand_countries(r["b"])
        pairs = [(x, y) for x in a for y in b if x != y]
        mode = r.get("mode", "all")
        if r["status"] == "open":
            year = int(r.get("from_year", self.s.year))
            if "border_status" in self.t:
                # the shipped table holds years as text; reopen_border writes an int
                bs = self.table("border_status")
                bs["reopen_year"] = bs["reopen_year"].astype(object)
            bs = self.t.get("border_status")
            hit = 0
            for x, y in pairs:
                if bs is not None and len(bs):
                    ca, cb = bs["country_a"].astype(str), bs["country_b"].astype(str)
                    hit += int((((ca == x) & (cb == y)) | ((ca == y) & (cb == x))).sum())
                net = reopen_border(Network(self.t, {}), x, y, year, mode=mode)
                for name in ("links", "border_status"):
                    if name in net.tables and net.tables[name] is not self.t.get(name):
                        self.t[name] = net.tables[name]
                        self.copied.add(name)
            if not hit:
                raise self.s.error(
                    r, "no closed border between these countries to reopen "
                    "(closed borders: the border_status table)", "b",
                )  # fmt: skip
            return
        bs = self.table("border_status")
        k0 = len(bs)
        new = pd.DataFrame(
            {
                "status_id": [f"scenario:{self.s.name}:{x}-{y}:{mode}" for x, y in pairs],
                "country_a": [x for x, _ in pairs],
                "country_b": [y for _, y in pairs],
                "mode": mode,
                "status": "closed",
                "closed_from": r.get("from_year"),
                "reopen_year": r.get("reopen_year"),
                "source_id": r.get("source", ""),
                "estimate": bool(r.get("estimate", False)),
                "note": r.get("note", ""),
            }
        )
        self.t["border_status"] = pd.concat([bs, new.astype({c: bs[c].dtype for c in new.columns if c in bs.columns and c not in ("closed_from", "reopen_year", "estimate")})], ignore_index=True)  # fmt: skip
        cl = link_closures(self.t["links"], self.t["nodes"], self.t["border_status"].iloc[k0:])
        hit = cl["closure_id"].astype(str).to_numpy() != ""
        if not hit.any():
            raise self.s.error(
                r, "no rail or road crossing links between these countries in the network", "b"
            )
        L = self.table("links")
        _merge_closure(L, hit, cl["closed_from"].to_numpy(float), cl["reopen_year"].to_numpy(float))
        cid = L["closure_id"].astype(str).to_numpy(object).copy()
        cid[hit & (cid == "")] = cl["closure_id"].to_numpy(object)[hit & (cid == "")]
        L["closure_id"] = pd.array(cid, dtype=L["closure_id"].dtype)

    def capacity(self, r: dict) -> None:
        t = self.table(CAPACITY_TABLE)
        rows = self._cap_rows(t, r)
        if "factor" in r:
            if not rows.any():
                raise self.s.error(
                    r, f"{r['element']} has no capacity in {self.s.year} to multiply", "factor"
                )
            t.loc[rows, "value"] = t.loc[rows, "value"].astype(float) * float(r["factor"])
            _stamp(t, rows, self.s, r)
            return
        if rows.any():
            t.loc[rows, "value"] = float(r["value"])
            t.loc[rows, "unit"] = r["unit"]
            _stamp(t, rows, self.s, r)
            return
        self.t[CAPACITY_TABLE] = pd.concat(
            [t, pd.DataFrame([self._new_cap_row(r, r["value"], r["unit"])])], ignore_index=True
        )

    def _cap_rows(self, t: pd.DataFrame, r: dict) -> np.ndarray:
        y = self.s.year
        yf = pd.to_numeric(t["year_from"], errors="coerce").to_numpy(float)
        yt = pd.to_numeric(t["year_to"], errors="coerce").to_numpy(float)
        m = (t["element"].astype(str) == r["element"]).to_numpy().copy()
        m &= (np.isnan(yf) | (yf <= y)) & (np.isnan(yt) | (yt >= y))
        if "capacity_id" in r:
            m &= (t["capacity_id"].astype(str) == r["capacity_id"]).to_numpy()
        if "classes" in r:
            m &= (t["classes"].astype(str) == r["classes"]).to_numpy()
        return m

    def _new_cap_row(self, r: dict, value: float, unit: str) -> dict:
        kind, _, name = r["element"].partition(":")
        kinds = {
            "point": ("port", "port"),
            "crossing": ("border", "crossing"),
            "gauge_break": ("gauge", "gauge"),
            "line": ("line", "line"),
            "service": ("ferry", "service"),
        }
        if kind not in kinds:
            raise self.s.error(r, f"a new capacity row cannot be made for a {kind}", "element")
        ck, applies = kinds[kind]
        row = {
            "capacity_id": f"scenario:{self.s.name}:{name}:{r['_path'][-1] + 1}",
            "element": r["element"],
            "name": r.get("name", name),
            "kind": ck,
            "applies": applies,
            "members": name if applies in ("crossing", "gauge", "service") else "",
            "from_point": "",
            "to_point": "",
            "via_points": "",
            "value": float(value),
            "unit": unit,
            "classes": r.get("classes", "all"),
            "direction": r.get("direction", "each" if ck in ("line", "ferry") else "both"),
            "year_from": math.nan,
            "year_to": math.nan,
            "source_id": r.get("source") or "estimate",
            "estimate": "true" if r.get("estimate") else "false",
            "note": f"scenario {self.s.name}: {r.get('note', '')}".strip(),
        }
        if kind == "line":
            fl = self.t.get("facts_lines")
            if fl is not None and (fl["line_id"].astype(str) == name).any():
                f = fl.loc[fl["line_id"].astype(str) == name].iloc[0]
                row["from_point"], row["to_point"] = str(f["from_point"]), str(f["to_point"])
                row["via_points"] = str(f.get("via_points", "") or "")
        return row

    def disruption(self, r: dict) -> None:
        months = sorted(set(r.get("months", range(1, 13))))
        f = float(r["capacity_factor"])
        if f == 0 and len(months) == 12:
            kind = r["element"].partition(":")[0]
            if kind in (
                "line",
                "service",
                "point",
                "crossing",
                "passage",
                "expansion",
                "fleet",
                "corridor",
            ):
                self.close(r, None, None)
            t = self.table(CAPACITY_TABLE)
            rows = self._cap_rows(t, r)
            if rows.any():  # closed: the capacity rows go with it
                self.t[CAPACITY_TABLE] = t.loc[~rows].reset_index(drop=True)
            return
        eff = 1.0 - (1.0 - f) * len(months) / 12.0
        t = self.table(CAPACITY_TABLE)
        rows = self._cap_rows(t, r)
        if not rows.any():
            raise self.s.error(r, f"{r['element']} has no capacity in {self.s.year}", "element")
        t.loc[rows, "value"] = t.loc[rows, "value"].astype(float) * eff
        _stamp(t, rows, self.s, r, extra=f"x{eff:.4g} (factor {f:g} in months {months})")

    def parameter(self, r: dict) -> None:
        from serai.freight.params import border_fallback, model_params
        from serai.scenarios.checks import match_params

        base = model_params()
        pt = self.table(PARAMS_TABLE)
        cur = dict(zip(pt["param_id"], pt["value"].astype(float), strict=True))
        ids = [*base.ids, *(p for p in cur if p not in base.index)]
        pids = match_params(r["id"], ids)
        fb = border_fallback(r["id"], base.index) if not pids else None
        if fb is not None:  # a country's border side without its own row: specialise
            pids = [r["id"]]
        elif not pids:
            raise self.s.error(r, f"{r['id']!r} matches no model parameter", "id")
        rows = []
        for pid in pids:
            src = border_fallback(pid, base.index) or pid  # an own row's base: its fallback
            b = base.value(src)
            v0 = cur.get(pid, cur.get(src, b))
            if "value" in r:
                v = float(r["value"])
            elif "factor" in r:
                v = v0 * float(r["factor"])
            else:
                v = v0 + float(r["add"])
            if pid.startswith(("rail.speed", "road.speed", "sea.speed")) and not v > 0:
                raise self.s.error(r, f"{pid} would become {v:g}; a speed must stay > 0")
            v = max(v, 0.0)
            if v0 > 0 and v != v0:
                self._scale_measured_speeds(pid, v / v0, r, f"{pid} {v0:g} -> {v:g}")
            rows.append(
                {"param_id": pid, "value": v, "base_value": b, "source": r.get("source", ""),
                 "estimate": bool(r.get("estimate", False)), "note": r.get("note", ""),
                 "scenario": self.s.name}
            )  # fmt: skip
        keep = pt.loc[~pt["param_id"].isin({x["param_id"] for x in rows})]
        self.t[PARAMS_TABLE] = pd.concat(
            [keep, pd.DataFrame(rows, columns=list(_PARAM_COLS))], ignore_index=True
        ).astype(_PARAM_COLS)

    def _scale_measured_speeds(self, pid: str, ratio: float, r: dict, what: str) -> None:
        """A speed parameter also moves the links whose speed the network measured.

        The time model uses a link's own speed when its source is not an estimate (the
        Kazakh main lines carry CAREC's 57.9 km/h, the value of ``rail.speed.KZ``); a
        scenario that changes ``rail.speed.<zone>``, ``road.speed`` or ``sea.speed`` scales
        those measured speeds of the mode (and rail zone) by the same ratio, so the change
        reaches every link of its zone. Per-line speeds (``rail.speed.line.*``) are the
        time model's own and need nothing here.
        """
        from serai.freight.elements import _is_estimate
        from serai.freight.params import zone_of

        parts = pid.split(".")
        if len(parts) < 2 or parts[1] != "speed" or (len(parts) > 2 and parts[2] == "line"):
            return
        L = self.t["links"]
        if "speed" not in L.columns:
            return
        sel = L["mode"].astype(str).to_numpy() == parts[0]
        if "speed_source" in L.columns:
            sel &= ~_is_estimate(L["speed_source"].to_numpy(object))
        sp = pd.to_numeric(L["speed"], errors="coerce").to_numpy(float)
        sel &= np.isfinite(sp) & (sp > 0)
        if len(parts) > 2 and sel.any():  # rail.speed.<zone>: the links' country in the zone
            cc = L["country"].fillna("").astype(str).to_numpy(object)
            if (cc == "").any():
                nc = self.t["nodes"].drop_duplicates("node_id").set_index("node_id")["country"]
                fc = nc.reindex(L["from_node"]).fillna("").astype(str).to_numpy(object)
                cc = np.where(cc == "", fc, cc)
            sel &= zone_of(cc) == parts[2]
        rows = np.flatnonzero(sel)
        if not len(rows):
            return
        L = self.table("links")
        L["speed"] = pd.to_numeric(L["speed"], errors="coerce").astype(float)
        L.loc[L.index[rows], "speed"] = L["speed"].to_numpy(float)[rows] * ratio
        if "speed_source" in L.columns:
            L["speed_source"] = L["speed_source"].astype(object)
            src = L["speed_source"].fillna("").astype(str).to_numpy(object)[rows]
            L.loc[L.index[rows], "speed_source"] = [
                f"{x} x{ratio:.4g} (scenario {self.s.name}: {what})" for x in src
            ]

    def add_line(self, r: dict) -> None:
        from serai.scenarios.addline import add_line

        add_line(self, r)


_PARAM_COLS = {
    "param_id": object,
    "value": float,
    "base_value": float,
    "source": object,
    "estimate": bool,
    "note": object,
    "scenario": object,
}


def _members(name: str, kind: str) -> list[str]:
    """Elements of a fleet (its services) or a corridor (its crossings)."""
    t = capacity_table()
    rows = t.loc[t["element"] == f"{kind}:{name}"]
    out: list[str] = []
    for m in rows["members"].astype(str):
        for x in m.split(";"):
            if x:
                el = f"{'service' if kind == 'fleet' else 'crossing'}:{x}"
                if el not in out:
                    out.append(el)
    return out


def scenario_capacities(network: Network) -> pd.DataFrame | None:
    """The capacity table a scenario left in ``network`` (``None``: the shipped one)."""
    return network.tables.get(CAPACITY_TABLE)


def scenario_params(network: Network):
    """The time and tariff parameters of ``network``: the shipped ones with the scenario's
    overrides (table ``model_params``) applied.

    Examples
    --------
    >>> from serai.data import load_network
    >>> from serai.scenarios import load_scenario
    >>> net = load_scenario("digital-customs").apply(load_network())
    >>> p = scenario_params(net)
    >>> p.value("border.rail.KZ.in") < 78.0
    True
    """
    from serai.freight.params import network_params

    return network_params(network)
