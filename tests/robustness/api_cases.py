"""Seeded random calls of the public Python API, with the invariants their answers must keep.

Every call either raises serai's own error (:class:`~serai.errors.SeraiError`) or
returns an answer; an answer to an invalid call (an unknown code, ``k <= 0``, a
negative weight) or an answer that breaks an invariant (non-finite totals, link
flows that do not conserve the demand) is a *wrong result*; any other exception
is a *foreign exception*.
"""

from __future__ import annotations

import math
import random
import time
import warnings
from collections import Counter
from functools import cache

import numpy as np
import pandas as pd

INVALID = object()  # marker: the call must raise


@cache
def router():
    from serai.data import load_eurasia
    from serai.freight import Router, build_routing_graph

    return Router(build_routing_graph(load_eurasia(year=2025), year=2025))


@cache
def sioux():
    from serai.network import read_network
    from serai.network.io import read_demand
    from tests.robustness.harness import SIOUX

    return read_network(SIOUX / "SiouxFalls_net.tntp"), read_demand(SIOUX / "SiouxFalls_trips.tntp")


PLACES = ["Xi'an", "Duisburg", "Almaty", "Baku", "Poti", "Shanghai", "Rotterdam", "Constanța"]
# ("nan,nan" was here: it is a name query, and Nan, Nan province, Thailand answers it)
BAD_PLACES = ["Atlantis", "", "91,200", "95.5,10", None, -1, 10**20, 3.5, "[b]x", ["Baku"]]
COUNTRIES = ["RU", "IR", "KZ", "CN", "ru"]
BAD_COUNTRIES = ["Russia", "XX", "", "R", "Iran", "ZZZ", 7, None]
PASSAGES = ["suez", "bosporus", "cape", "Suez"]
# ("panama" was here while the network had no Panama canal; it is a passage of it now)
BAD_PASSAGES = ["panamaa", "suez_canal", "", "x", 3]
MODES = ["rail", "road", "sea", "ferry"]
BAD_MODES = ["air", "", "rial", "pipeline", 0]
COMMODITIES = ["container", "uranium", "grain", "container_teu"]
BAD_COMMODITIES = ["unobtainium", "", None, 5]
OBJECTIVES = ["time", "cost", "generalised", "emissions"]
BAD_OBJECTIVES = ["fastest", "", None, "TIME "]
BAD_FLOATS = [float("nan"), float("inf"), -float("inf"), -1.0, 1e308, "abc", None]


def _pick(rng: random.Random, good: list, bad: list, p_bad: float) -> tuple[object, bool]:
    if rng.random() < p_bad:
        return rng.choice(bad), True
    return rng.choice(good), False


# --------------------------------------------------------------------------- generators


def gen_route(rng: random.Random):
    r = router()
    invalid = False
    o, b1 = _pick(rng, PLACES, BAD_PLACES, 0.15)
    d, b2 = _pick(rng, PLACES, BAD_PLACES, 0.15)
    com, b3 = _pick(rng, COMMODITIES, BAD_COMMODITIES, 0.1)
    obj, b4 = _pick(rng, OBJECTIVES, BAD_OBJECTIVES, 0.1)
    invalid = b1 or b2 or b3 or b4
    kw: dict = {"objective": obj}
    if rng.random() < 0.4:
        v, b = _pick(rng, COUNTRIES, BAD_COUNTRIES, 0.5)
        kw["avoid_countries"] = [v]
        invalid |= b
    if rng.random() < 0.3:
        v, b = _pick(rng, PASSAGES, BAD_PASSAGES, 0.5)
        kw["avoid_passages"] = [v]
        invalid |= b
    if rng.random() < 0.3:
        v, b = _pick(rng, MODES, BAD_MODES, 0.5)
        kw["modes"] = [v] if rng.random() < 0.5 else [v, "rail", "sea"]
        invalid |= b
    if rng.random() < 0.15:
        v, b = _pick(rng, [0.0, 50.0, 100.0], BAD_FLOATS, 0.6)
        kw["carbon_price_usd_per_t"] = v
        invalid |= b and v != 1e308
    if rng.random() < 0.1:
        kw["avoid_nodes"] = [rng.choice([-1, 10**12])]
        invalid = True
    kind = rng.random()
    if kind < 0.25:
        k = rng.choice([0, -1, 2, 3, 10**9, 2.5, "3"])
        invalid |= not (isinstance(k, int) and 1 <= k <= 50)
        call = ("alternatives", lambda: r.alternatives(o, d, com, k=k, **kw))
    elif kind < 0.3:
        kw.pop("objective")
        kw.pop("carbon_price_usd_per_t", None)
        mr = rng.choice([12, 0, -1, 3])
        invalid |= mr < 1
        call = ("pareto", lambda: r.pareto(o, d, com, max_routes=mr, **kw))
    else:
        call = ("route", lambda: r.route(o, d, com, **kw))
    return call[0], call[1], invalid, _check_routes


def _check_routes(res) -> str | None:
    routes = res if isinstance(res, list) else [res]
    if not routes:
        return "no routes returned"
    for r in routes:
        for key in ("hours", "usd", "gc_usd"):
            v = r.totals.get(key)
            if v is None or not math.isfinite(v) or v < 0:
                return f"total {key} = {v}"
        if not math.isfinite(r.km) or r.km <= 0:
            return f"km = {r.km}"
    return None


def gen_account(rng: random.Random):
    from serai.emissions import Shipment, account_chain

    n = rng.randint(1, 4)
    invalid = False
    rows = []
    for _ in range(n):
        # case and spaces do not matter ("RAIL " is rail): only unknown modes are invalid
        mode, b = _pick(
            rng, ["rail", "road", "sea", "ferry", "RAIL "], ["air", "", "pipeline"], 0.1
        )
        km, b2 = _pick(rng, [0.0, 10.0, 500.0, 4000.0], [float("nan"), float("inf"), -1.0, 1e308,
                                                          "x"], 0.15)  # fmt: skip
        ctry, b3 = _pick(rng, ["KZ", "CN", "DE", "AZ", ""], ["XX", "Russia"], 0.1)
        daf, b4 = _pick(rng, [1.0, 1.1], [float("inf"), 0.0, -1.0, float("nan")], 0.1)
        rows.append({"element": "tce", "mode": mode.strip().lower() if not b else mode, "km": km,
                     "country": ctry, "distance_adjustment_factor": daf})  # fmt: skip
        invalid |= (
            b
            or b2
            or (b3 and mode == "rail")
            or (b4 and not (isinstance(daf, float) and math.isnan(daf)))
        )
    legs = pd.DataFrame(rows)
    mass, b5 = _pick(rng, [1.0, 25.0, None], [0.0, -1.0, float("inf"), 1e308, float("nan")], 0.1)
    teu = rng.choice([1.0, None]) if mass is not None else 1.0
    invalid |= b5

    def call():
        return account_chain(legs, Shipment("S", mass_t=mass, teu=teu))

    def check(fp):
        for k, v in fp.totals.items():
            if isinstance(v, float) and not math.isfinite(v) and k != "intensity_g_per_tkm":
                return f"total {k} = {v}"
        if not np.isfinite(fp.elements["wtw_kg"].to_numpy(float)).all():
            return "non-finite element emissions"
        return None

    return "account_chain", call, invalid, check


def gen_assign(rng: random.Random):
    from serai.assignment import AssignmentConfig, TrafficClass, assign

    net, trips = sioux()
    invalid = False
    demand = trips.sample(n=rng.randint(1, 30), random_state=rng.randint(0, 10**6)).copy()
    r = rng.random()
    if r < 0.08:
        demand.loc[demand.index[0], "volume"] = rng.choice([-5.0, float("inf"), float("nan")])
        invalid = True
    elif r < 0.14:
        demand.loc[demand.index[0], "destination"] = rng.choice([999, -1, 0])
        invalid = True
    elif r < 0.18:
        demand["origin"] = demand["origin"].astype(float) + 0.5
        invalid = True
    elif r < 0.21:
        demand = demand.iloc[0:0]
    weights = {}
    for name in ("time_weight", "length_weight", "toll_weight", "pce"):
        if rng.random() < 0.12:
            v = rng.choice([-1.0, float("inf"), float("nan"), 0.0, 1e308, 2.0])
            weights[name] = v
            if not (math.isfinite(v) and v >= 0) or (name == "pce" and v <= 0) or v == 1e308:
                invalid = True
    alg = rng.choice(["aon", "msa", "fw", "cfw", "bfw", "b"])
    gap = rng.choice([1e-4, 1e-6, -1.0, float("nan")]) if rng.random() < 0.1 else 1e-4
    invalid |= not (gap >= 0)
    max_iter = rng.choice([5, 20, 0, -1]) if rng.random() < 0.1 else 20
    invalid |= max_iter < 1
    vol = demand

    def call():
        cfg = AssignmentConfig(algorithm=alg, gap=gap, max_iter=max_iter)
        if weights:
            return assign(net, TrafficClass("c", vol, **weights), cfg)
        return assign(net, vol, cfg)

    def check(res):
        return conservation(net, vol, res, pce=weights.get("pce", 1.0))

    return "assign", call, invalid, check


def conservation(net, demand, res, pce: float = 1.0) -> str | None:
    """Flows (PCE units) must be finite, >= 0 and conserve the demand at every node."""
    links = res.links
    f = links["flow"].to_numpy(float)
    if not np.isfinite(f).all():
        return "non-finite flow"
    if (f < -1e-9).any():
        return f"negative flow {f.min()}"
    if not np.isfinite(links["time"].to_numpy(float)).all():
        return "non-finite time"
    net_out = pd.Series(0.0, index=net.nodes["node_id"])
    out_f = links.groupby("from_node")["flow"].sum()
    in_f = links.groupby("to_node")["flow"].sum()
    bal = net_out.add(out_f, fill_value=0).sub(in_f, fill_value=0)
    d = demand.copy()
    d = d[d["origin"] != d["destination"]]
    if len(res.disconnected):
        key = res.disconnected[["origin", "destination"]].apply(tuple, axis=1)
        d = d[~d[["origin", "destination"]].apply(tuple, axis=1).isin(set(key))]
    want = net_out.add(d.groupby("origin")["volume"].sum() * pce, fill_value=0).sub(
        d.groupby("destination")["volume"].sum() * pce, fill_value=0
    )
    diff = (bal - want.reindex(bal.index, fill_value=0)).abs()
    tol = 1e-6 * max(1.0, float(d["volume"].abs().sum()))
    if len(res.class_flows) == 1 and float(diff.max()) > tol:
        return f"flows do not conserve demand (max imbalance {float(diff.max()):.3g})"
    return None


def gen_paths(rng: random.Random):
    from serai.network import compile_network
    from serai.paths import PathFinder, shortest_path, skim

    net, _ = sioux()
    g = compile_network(net)
    o = rng.choice([1, 5, 24, 0, -1, 999, 1.5, "3", None])
    d = rng.choice([2, 13, 20, 0, 999, None])
    cost = rng.choice(["free_flow_time", "length", "capacity", "nope", "", "link_type", None])
    # "3" names node 3 (ids given as text, as on a command line, are fine)
    invalid = (
        o not in (1, 5, 24, "3") or d not in (2, 13, 20) or cost in ("nope", "", "link_type", None)
    )
    kind = rng.random()
    if kind < 0.5:
        return "shortest_path", lambda: shortest_path(g, o, d, cost=cost), invalid, _finite_path
    if kind < 0.8:
        method = rng.choice(["dijkstra", "astar", "alt", "bogus"])
        inv = invalid or method == "bogus"
        return ("PathFinder.path", lambda: PathFinder(g, cost=cost).path(o, d, method=method),
                inv, _finite_path)  # fmt: skip
    fields = rng.choice([[], ["length"], ["nope"], ["length", "length"]])
    inv = cost in ("nope", "", "link_type", None) or fields == ["nope"]
    return "skim", lambda: skim(g, cost=cost, fields=fields), inv, None


def _finite_path(p) -> str | None:
    return None if math.isfinite(p.cost) and p.cost >= 0 else f"path cost {p.cost}"


def gen_constructors(rng: random.Random):
    from serai.assignment import AssignmentConfig
    from serai.emissions import Shipment
    from serai.freight import commodity
    from serai.freight.route import Constraints

    kind = rng.randrange(5)
    if kind == 0:
        v = rng.choice([float("nan"), -1.0, float("inf"), 1e-5, "x", None])
        inv = not (isinstance(v, float) and math.isfinite(v) and v >= 0)
        return "AssignmentConfig", lambda: AssignmentConfig(gap=v), inv, None
    if kind == 1:
        v = rng.choice([0, -5, 10, 2.5, "7", None, 10**30])
        inv = not (isinstance(v, int) and v >= 1)
        return "AssignmentConfig", lambda: AssignmentConfig(max_iter=v), inv, None
    if kind == 2:
        v = rng.choice([None, "", "S1", 5])
        m = rng.choice([1.0, -1.0, float("nan"), "x", None])
        inv = v in (None, "") or m in (-1.0, "x") or (isinstance(m, float) and math.isnan(m))
        return "Shipment", lambda: Shipment(v, mass_t=m, teu=None if m else 1.0), inv, None
    if kind == 3:
        v = rng.choice(["container", "teu", "nope", "", None, 5])
        return "commodity", lambda: commodity(v), v in ("nope", "", None, 5), None
    v = rng.choice([["a.b"], [1.5], ["x"], [None], [10**30]])
    return "Constraints.make", lambda: Constraints.make(avoid_nodes=v), v != [10**30] or True, None


def gen_validate(rng: random.Random):
    from serai.network import Network, validate

    n = rng.randint(0, 5)
    pool = [1, 2, 3, -1, 0, 1.5, "a", None, float("nan"), 2**70, float("inf"), "", True]
    links = pd.DataFrame({
        "link_id": [rng.choice(pool) for _ in range(n)],
        "from_node": [rng.choice(pool) for _ in range(n)],
        "to_node": [rng.choice(pool) for _ in range(n)],
        "length": [rng.choice(pool) for _ in range(n)],
        "capacity": [rng.choice(pool) for _ in range(n)],
        "mode": [rng.choice(["road", "air", "", None, 3]) for _ in range(n)],
    })  # fmt: skip
    nodes = pd.DataFrame({"node_id": [rng.choice(pool) for _ in range(rng.randint(0, 4))]})

    def call():
        rep = validate(Network.from_tables(nodes=nodes, links=links))
        return rep

    def check(rep):
        clean = (
            n > 0
            and all(isinstance(v, int) and not isinstance(v, bool) and v > 0
                    for c in ("link_id", "from_node", "to_node") for v in links[c])
        )  # fmt: skip
        if rep.ok and not clean:
            return "validate accepted a table with bad ids or no links"
        return None

    return "validate", call, False, check


# ------------------------------------------------ entry points added after the first measurement


@cache
def chain_model():
    from serai.minerals import ChainModel

    return ChainModel(router())


MINERALS = [("KZ mine", "US converter", "uranium"), ("Inkai", "US converter", None)]
BAD_FACILITIES = ["Atlantis", "", "[b]x", None, 5, "KZ mine"]


def gen_chain(rng: random.Random):
    m = chain_model()
    o, d, mineral = rng.choice(MINERALS)
    invalid = False
    if rng.random() < 0.15:
        o = rng.choice(BAD_FACILITIES[:-1])
        invalid = True
    if rng.random() < 0.1:
        d = rng.choice(BAD_FACILITIES)
        invalid = True
    if rng.random() < 0.1:
        mineral = rng.choice(["unobtainium", "", 5, "gold"])
        invalid = True
    kw: dict = {}
    if rng.random() < 0.3:
        v, b = _pick(rng, ["RU", "IR", "CN"], BAD_COUNTRIES, 0.5)
        kw["avoid_countries"] = [v]
        invalid |= b
    if rng.random() < 0.2:
        v, b = _pick(rng, PASSAGES, [p for p in BAD_PASSAGES if p != "panama"], 0.5)
        kw["avoid_passages"] = [v]
        invalid |= b
    if rng.random() < 0.15:
        kw["avoid_facilities"] = [rng.choice(["nope", "", 7])]
        invalid = True
    if rng.random() < 0.2:
        v, b = _pick(rng, [10.0, 1000.0], [0.0, -1.0, float("nan"), float("inf"), 1e308], 0.6)
        kw["tonnes"] = v
        invalid |= b
    if rng.random() < 0.15:
        v = rng.choice([0, 1, 2, -1, 10**9, 2.5, "3"])
        kw["alternatives"] = v
        invalid |= not (isinstance(v, int) and 0 <= v <= 50)
    if rng.random() < 0.15:
        v, b = _pick(rng, [0.0, 80.0], BAD_FLOATS, 0.6)
        kw["carbon_price_usd_per_t"] = v
        invalid |= b
    if rng.random() < 0.1:
        v, b = _pick(rng, OBJECTIVES, BAD_OBJECTIVES, 0.6)
        kw["objective"] = v
        invalid |= b

    def check(c) -> str | None:
        for k, v in c.totals.items():
            if isinstance(v, float) and (not math.isfinite(v) or v < 0):
                return f"chain total {k} = {v}"
        return None

    return "ChainModel.chain", lambda: m.chain(o, d, mineral, **kw), invalid, check


DEMAND_HEAD = "group,origin,destination,volume,unit,year\n"


def gen_demand(rng: random.Random):
    import tempfile
    from pathlib import Path

    from serai.demand import read_demand

    row = ["metals_ores", "KZ_ALA", "CN_XIY", "1000", "t", "2024"]
    invalid = False
    k = rng.random()
    if k < 0.6:
        i = rng.randrange(6)
        bad = {0: ["unobtainium", "", "[b]x"], 1: ["XX_NOPE", "", "KZ_ALA "],
               2: ["XX_NOPE", ""], 3: ["-5", "nan", "inf", "abc", "", "1e400"],
               4: ["kg", "", "Mt"], 5: ["abc", "99999", "-1", "1.5"]}[i]  # fmt: skip
        row[i] = rng.choice(bad)
        # valid variants: a padded zone id; no unit (the group's: t) and Mt (converted to t)
        invalid = not ((i == 1 and row[i] == "KZ_ALA ") or (i == 4 and row[i] in ("", "Mt")))
    text = DEMAND_HEAD + ",".join(row) + "\n"
    if 0.6 <= k < 0.7:
        text = "a,b\n1,2\n"
        invalid = True
    elif 0.7 <= k < 0.75:
        text = DEMAND_HEAD
        invalid = True
    elif 0.75 <= k < 0.8:
        text = DEMAND_HEAD + ",".join(row) + "\n" + ",".join(row) + "\n"  # a duplicate row
    suffix = rng.choice([".csv", ".csv", ".txt", ".parquet"])
    if suffix != ".csv":
        invalid = True
    year = rng.choice([None, None, 2024, 1999, -1])
    invalid |= year in (-1,)
    d = Path(tempfile.mkdtemp(prefix="serai-dem-"))
    f = d / f"demand{suffix}"
    f.write_text(text)

    def call():
        try:
            return read_demand(f, year=year)
        finally:
            f.unlink(missing_ok=True)
            d.rmdir()

    def check(dem) -> str | None:
        v = dem.table["volume"].to_numpy(float)
        if not np.isfinite(v).all() or (v < 0).any():
            return "demand with non-finite or negative volumes"
        if row[4] == "Mt" and len(v) and row[3] == "1000" and v[0] != 1e9:
            return f"1000 Mt read as {v[0]} t"
        return None

    return "read_demand", call, invalid, check


def gen_flowconfig(rng: random.Random):
    from serai.flows import FlowConfig

    kw: dict = {}
    invalid = False
    opts = {
        "year": ([2024, 2030], [-1, 0, 99999, "x", None, 2024.5]),
        "method": (["equilibrium", "lp"], ["magic", "", None, "LP "]),
        "theta": ([None, 0.5, 8.0], [0.0, -1.0, float("nan"), float("inf"), "x"]),
        "gap": ([1e-4], [0.0, -1.0, float("nan"), float("inf")]),
        "max_iter": ([10, 300], [0, -1, 2.5, 10**30]),
        "max_paths": ([3, 10], [0, -1]),
        "unmet_factor": ([5.0], [0.0, -1.0, float("nan"), float("inf")]),
        "delay_scale": ([1.0, 0.5], [-1.0, float("nan"), float("inf")]),
        "asc_rail": ([None, 0.0, 100.0], [-1.0, float("nan"), float("inf")]),
        "time_limit": ([None, 60.0], [0.0, -1.0, float("nan")]),
    }
    for name in rng.sample(sorted(opts), rng.randint(1, 3)):
        good, bad = opts[name]
        v, b = _pick(rng, good, bad, 0.6)
        kw[name] = v
        invalid |= b
    return "FlowConfig", lambda: FlowConfig(**kw), invalid, None


SCENARIO_OK = 'name = "fz"\ntitle = "fuzz"\nextends = "base-2024"\nyear = 2024\n'


def gen_scenario(rng: random.Random):
    from serai.scenarios import scenario_from_text

    blocks = [
        ("[[close]]\nelement = {el}\nsource = 'x'\n", ['"passage:suez"', '"point:atlantis"',
                                                         '""', "5", '"suez"']),
        ("[[disruption]]\nelement = 'point:kuryk_port'\nmonths = {v}\ncapacity_factor = 0.5\n"
         "source = 'x'\n", ["[1]", "[13]", "[0]", "[]", "'x'", "[1.5]"]),
        ("[[disruption]]\nelement = 'point:kuryk_port'\nmonths = [1]\ncapacity_factor = {v}\n"
         "source = 'x'\n", ["0.5", "-1", "nan", "inf", "'x'", "1e308"]),
        ("[[parameter]]\nid = {v}\nadd = 1\nsource = 'x'\n", ["'border.rail.KZ.in'",
                                                                  "'no.such'", "''"]),
        ("[[parameter]]\nid = 'border.rail.KZ.in'\nadd = {v}\nsource = 'x'\n", ["1", "nan",
                                                                                   "inf", "'x'"]),
        ("bogus_key = {v}\n", ["1"]),
        ("[[demand]]\ngroup = 'metals_ores'\nfactor = {v}\nsource = 'x'\n", ["1.1", "-1", "nan",
                                                                                 "inf"]),
    ]  # fmt: skip
    tpl, values = rng.choice(blocks)
    v = rng.choice(values)
    good = v in ('"passage:suez"', "[1]", "0.5", "'border.rail.KZ.in'", "1", "1.1")
    head = SCENARIO_OK
    k = rng.random()
    if k < 0.08:
        head = head.replace("2024\n", f"{rng.choice(['99999', '-1', '1.5', 'nan'])}\n")
        good = False
    elif k < 0.14:
        head = head.replace('"base-2024"', rng.choice(['"fz"', '"nope"', '""', "5"]))
        good = False
    elif k < 0.18:
        head = head[: rng.randrange(len(head))]  # truncated
        good = False
    text = head + "\n" + tpl.format(el=v, v=v)
    return "scenario_from_text", lambda: scenario_from_text(text, name="fz"), not good, None


def gen_places(rng: random.Random):
    from serai.freight.resolver import search_places

    if rng.random() < 0.5:
        # a 500-letter text (no match) and country "" (no filter) are odd, not invalid
        text, b = _pick(rng, ["Alma", "Xi", "Baku", "Шым", "constanta", "x" * 500],
                        ["", " ", None, 5], 0.3)  # fmt: skip
        country, b2 = _pick(rng, [None, "KZ", "kz", "Kazakhstan", ""], ["Narnia", "XX", 7], 0.2)
        limit, b3 = _pick(rng, [1, 10, 50], [0, -1, 10**9, 2.5, "3"], 0.2)
        return ("search_places", lambda: search_places(text, country=country, limit=limit),
                b or b2 or b3, None)  # fmt: skip
    r = router()
    place, b = _pick(rng, PLACES, BAD_PLACES, 0.3)
    country, b2 = _pick(rng, [None, None, "KZ", "DE"], ["Narnia", "XX", 7], 0.2)
    # a country that does not hold the place is a refusal too
    return "Router.locate", lambda: r.locate(place, country=country), b or b2, None


@cache
def a_route():
    return router().route("Xi'an", "Duisburg", "container")


def gen_reliability(rng: random.Random):
    route = a_route()
    month, b = _pick(rng, [None, 1, 6, 12], [0, 13, -1, 2.5, "6", float("nan")], 0.3)
    deadline, b2 = _pick(rng, [None, 20.0, 40.0], [0.0, -1.0, float("nan"), float("inf"), "x"],
                         0.3)  # fmt: skip
    draws, b3 = _pick(rng, [500, 1000], [0, -1, 10**12, 2.5], 0.2)

    def check(rel) -> str | None:
        for k in ("p50_days", "p90_days", "mean_days"):
            v = getattr(rel, k, None)
            if v is not None and (not math.isfinite(v) or v <= 0):
                return f"reliability {k} = {v}"
        return None

    return ("Route.reliability",
            lambda: route.reliability(month=month, deadline_days=deadline, draws=draws),
            b or b2 or b3, check)  # fmt: skip


def gen_road_leg(rng: random.Random):
    from serai.freight import road_leg

    km, b = _pick(rng, [0.0, 10.0, 800.0, 5000.0], [-1.0, float("nan"), float("inf"), 1e308, "x"],
                  0.3)  # fmt: skip
    crew, b2 = _pick(rng, ["single", "double"], ["triple", "", None], 0.2)
    sp, b3 = _pick(rng, [None, 60.0], [0.0, -1.0, float("nan"), float("inf")], 0.2)

    def check(leg) -> str | None:
        for k in ("hours", "usd"):
            v = getattr(leg, k, None)
            if v is not None and (not math.isfinite(v) or v < 0):
                return f"road leg {k} = {v}"
        return None

    return ("road_leg", lambda: road_leg(km, crew=crew, speed_kmh=sp), b or b2 or b3, check)


GENERATORS = [(gen_route, 0.25), (gen_account, 0.08), (gen_assign, 0.1), (gen_paths, 0.08),
              (gen_constructors, 0.06), (gen_validate, 0.06), (gen_chain, 0.08),
              (gen_demand, 0.06), (gen_flowconfig, 0.05), (gen_scenario, 0.06),
              (gen_places, 0.06), (gen_reliability, 0.03), (gen_road_leg, 0.03)]  # fmt: skip


def one_call(i: int, seed: int) -> dict:
    """Make and run call ``i`` of a seeded run; the outcome as a plain dict."""
    from serai.errors import SeraiError

    rng = random.Random(f"{seed}-{i}")
    gens, weights = zip(*GENERATORS, strict=True)
    gen = rng.choices(gens, weights)[0]
    name, call, invalid, check = gen(rng)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = call()
    except SeraiError:
        return {"name": name, "outcome": "refused"}
    except Exception as exc:
        return {"name": name, "outcome": "foreign", "detail": f"{type(exc).__name__}: "
                f"{str(exc)[:150]}"}  # fmt: skip
    bad = "answered an invalid call" if invalid else (check(res) if check else None)
    if bad:
        return {"name": name, "outcome": "wrong", "detail": bad}
    return {"name": name, "outcome": "answered"}


def worker() -> None:
    """Read ``i seed`` lines, answer one JSON line each (run under the harness watchdog)."""
    import json
    import sys

    r = router()  # warm up: the router, its per-commodity costs and emissions, SiouxFalls
    for c in COMMODITIES:
        for price in (0.0, 50.0, 100.0):
            try:
                r.costs(c, price)
            except Exception:
                pass
    sioux()
    chain_model()
    a_route()
    import os

    ans = os.fdopen(os.dup(1), "w", buffering=1)  # answers; fd 1 itself goes to /dev/null
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    ans.write("ready\n")
    for line in sys.stdin:
        i, seed = (int(v) for v in line.split())
        try:
            res = one_call(i, seed)
        except Exception as exc:  # the generator itself
            res = {"name": "?", "outcome": "generator", "detail": repr(exc)[:200]}
        ans.write(json.dumps(res) + "\n")


def run_api(n: int, seed: int, log=print, timeout: float = 120.0, env=None) -> dict:
    """Run ``n`` seeded calls in a watchdog worker; a call over ``timeout`` s is a hang."""
    import os

    from tests.robustness.harness import Pool

    pool = Pool(env or dict(os.environ), ["--api-worker"])
    counts = Counter(calls=0, foreign=0, wrong=0, hangs=0, refused=0, answered=0)
    by_fn: dict[str, Counter] = {}
    examples: dict[str, list] = {"foreign": [], "wrong": [], "hangs": []}
    t0 = time.monotonic()
    for i in range(n):
        r = pool.run_line(f"{i} {seed}", timeout)
        counts["calls"] += 1
        if r.get("hang") or r.get("crash"):
            counts["hangs"] += 1
            examples["hangs"].append(["?", f"call {i}: " + ("hang" if r.get("hang") else
                                                             str(r.get("exc")))])  # fmt: skip
            continue
        name, outcome = r["name"], r["outcome"]
        c = by_fn.setdefault(name, Counter())
        c["calls"] += 1
        if outcome == "generator":
            raise RuntimeError(r["detail"])
        counts[outcome] += 1
        c[outcome] += 1
        if outcome in ("foreign", "wrong"):
            examples[outcome].append([name, r["detail"]])
        if i % 250 == 0:
            log(f"api {i}/{n} {dict(counts)} {time.monotonic() - t0:.0f}s")
    pool.kill()
    counts["seconds"] = round(time.monotonic() - t0, 1)
    ex = {k: [list(x) for x in Counter(map(tuple, v)).most_common(30)] for k, v in examples.items()}
    return {"counts": dict(counts), "by_function": {k: dict(v) for k, v in by_fn.items()},
            "examples": ex}  # fmt: skip
