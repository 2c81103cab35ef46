"""Door-to-door time, element by element, as separate components of every virtual link.

Components (hours; :data:`serai.freight.params.TIME`), kept apart so that reliability
models can give each its own distribution:

``motion``
    Running, driving and sailing: km / speed. Rail speed by country zone
    (``rail.speed.<zone>``; Kazakhstan measured, CAREC SWOD 2022) or by line
    (``rail.speed.line.<name>``); trucks at ``road.speed``; ships at ``sea.speed``
    (16 kn, the speed behind the published Shanghai-Rotterdam days); a scheduled
    service (ferry, ro-ro, feeder) takes its crossing time
    (``ferry.crossing.<service_id>`` or the network's ``crossing_h``).
``rest``
    Breaks and rests of truck drivers under EU Regulation 561/2006 / the AETR
    (:mod:`serai.freight.roadtime`; single or two-driver crews). Searches use the
    rests of a one-week haul per driving hour; a route's read back schedules each
    road haul exactly.
``dwell``
    Handling at hubs: block-train assembly and terminal dwell at the origin and
    destination (``terminal.rail.origin``, ``terminal.rail.dest``), transfers between
    modes, gauge changes (``gauge.default`` or the network's site figure; counted in
    the border time where CAREC's border figure includes the transshipment), sea-port
    dwell (``port.dwell.load``, ``port.dwell.discharge``), Caspian port dwell at Aktau,
    Kuryk, Alat and Turkmenbashi (``caspian.port.depart``, ``caspian.port.arrive``),
    ferry loading and unloading (``ferry.load``, ``ferry.unload``) and port calls of a
    liner en route (``sea.calls_h_per_1000km``) and technical stops of trains en route
    (``rail.enroute_h_per_1000km``: locomotive and crew changes, inspections, paths).
``border_out``, ``border_in``
    The exit and entry sides of a border crossing, per crossing, mode and direction
    (``border_times.csv``: CAREC CPMM figures, national averages, then defaults);
    inside a customs union a short handover (``border.<mode>.union.*``); none inside
    the EU.
``schedule``
    Waiting for a scheduled departure: half the headway of a service with a known
    frequency, a weekly liner (``sea.liner_wait``) or Black Sea feeder
    (``feeder.wait.blacksea``), the Marmaray tunnel's night freight window.
``queue``
    Other waiting: Caspian ferries leave when full (``ferry.queue.caspian``) and stop
    in storms (``ferry.weather.caspian``); a service's published wait.

Every term carries the provenance of its parameter (measured, calibrated, estimate)
so a route can say how much of its time rests on estimates.
"""

from __future__ import annotations

import numpy as np

from serai.freight.elements import Elements
from serai.freight.params import ParamSet, TermBuilder
from serai.freight.roadtime import rest_ratio

__all__ = ["add_time_terms"]


def _basis(measured: np.ndarray) -> np.ndarray:
    return np.where(measured, "measured", "estimate").astype(object)


def add_time_terms(
    tb: TermBuilder, el: Elements, p: ParamSet, handling: str, crew: str = "single"
) -> None:
    """Add the time terms of every virtual link of ``el`` to ``tb``.

    ``handling`` is the commodity's handling class (container, bulk, liquid_bulk).
    """
    kind, lm = el.kind, el.layer_mode
    rows = np.arange(el.n)
    bulk = handling != "container"
    move = kind == "move"
    svc = el.service != ""

    # ---------------------------------------------------------------- motion
    _rail_motion(tb, el, p, rows[move & ~svc & (el.mode == "rail")])
    road = rows[move & ~svc & (el.mode == "road")]
    meas = np.isfinite(el.net_speed[road])
    tb.add(
        road[meas], "motion", None, el.km[road[meas]] / el.net_speed[road[meas]], basis="measured"
    )
    tb.add(road[~meas], "motion", "road.speed", el.km[road[~meas]], inv=True)
    # rests per driving hour of a one-week haul (exact per haul in the route read back)
    ratio = rest_ratio(crew)
    tb.add(road[~meas], "rest", "road.speed", el.km[road[~meas]] * ratio, inv=True)
    tb.add(
        road[meas], "rest", None, ratio * el.km[road[meas]] / el.net_speed[road[meas]],
        basis="measured",
    )  # fmt: skip
    sea = rows[move & ~svc & (el.mode == "sea")]
    meas = np.isfinite(el.net_speed[sea])
    tb.add(sea[meas], "motion", None, el.km[sea[meas]] / el.net_speed[sea[meas]], basis="measured")
    tb.add(sea[~meas], "motion", "sea.speed", el.km[sea[~meas]], inv=True)
    tb.add(sea, "dwell", "sea.calls_h_per_1000km", el.km[sea] / 1000.0)
    other = rows[move & ~svc & ~np.isin(el.mode, ["rail", "road", "sea"])]
    if len(other):  # other modes (e.g. inland waterways): a speed parameter or the network's speed
        for m in np.unique(el.mode[other]):
            r = other[el.mode[other] == m]
            if f"{m}.speed" in p:
                tb.add(r, "motion", f"{m}.speed", el.km[r], inv=True)
            else:
                tb.add(r, "motion", None, el.km[r] / el.net_speed[r], basis="measured")
    # scheduled services: the crossing
    s_move = rows[move & svc]
    ids = np.array([f"ferry.crossing.{s}" for s in el.service[s_move]], dtype=object)
    known = np.array([i in p for i in ids], bool)
    tb.add(s_move[known], "motion", ids[known])
    r = s_move[~known]
    tb.add(r, "motion", None, el.svc_crossing_h[r], basis=_basis(el.svc_crossing_measured[r]))

    # ---------------------------------------------------------------- borders
    _border_terms(tb, el, p, rows[kind == "border"])

    # ---------------------------------------------------------------- hubs
    gauge = rows[(kind == "gauge") & ~el.gauge_at_border]
    meas = np.isfinite(el.net_event_h[gauge])
    tb.add(gauge[meas], "dwell", None, el.net_event_h[gauge[meas]], basis="measured")
    tb.add(gauge[~meas], "dwell", "bulk.transfer" if bulk else "gauge.default")
    transfer = rows[kind == "transfer"]
    meas = np.isfinite(el.net_event_h[transfer])
    tb.add(transfer[meas], "dwell", None, el.net_event_h[transfer[meas]], basis="measured")
    tb.add(transfer[~meas], "dwell", "bulk.transfer" if bulk else "transfer.container")
    # a box put on a train waits for its block train; one taken off a train is released
    tb.add(transfer[el.layer_to[transfer] == "rail"], "dwell", "terminal.rail.origin")
    tb.add(transfer[lm[transfer] == "rail"], "dwell", "terminal.rail.dest")
    # port events between a land layer and the sea layer, and the ends of a route at a port
    caspian = el.region == "caspian"
    port = kind == "port"
    ends = np.isin(kind, ["access", "egress"])
    load = rows[(port & (el.layer_to == "sea")) | (ends & (kind == "access") & (lm == "sea"))]
    unload = rows[(port & (lm == "sea")) | (ends & (kind == "egress") & (lm == "sea"))]
    for rr, gen, casp in (
        (load, "port.dwell.load", "caspian.port.depart"),
        (unload, "port.dwell.discharge", "caspian.port.arrive"),
    ):
        meas = np.isfinite(el.net_event_h[rr])
        tb.add(rr[meas], "dwell", None, el.net_event_h[rr[meas]], basis="measured")
        r2 = rr[~meas]
        if bulk:
            tb.add(r2, "dwell", "bulk.port")
        else:
            tb.add(r2, "dwell", np.where(caspian[r2], casp, gen).astype(object))
    tb.add(load, "schedule", "sea.liner_wait")
    # route ends at rail and road terminals
    tb.add(rows[(kind == "access") & (lm == "rail")], "dwell", "terminal.rail.origin")
    tb.add(rows[(kind == "egress") & (lm == "rail")], "dwell", "terminal.rail.dest")
    tb.add(rows[ends & (lm == "road")], "dwell", "terminal.road")

    # ---------------------------------------------------------------- services
    _service_terms(tb, el, p, rows, bulk)


def _rail_motion(tb: TermBuilder, el: Elements, p: ParamSet, rail: np.ndarray) -> None:
    # technical stops en route (locomotive and crew changes, inspections, paths)
    tb.add(rail, "dwell", "rail.enroute_h_per_1000km", el.km[rail] / 1000.0)
    line_ids = np.array([f"rail.speed.line.{x}" if x else "" for x in el.line[rail]], dtype=object)
    by_line = np.array([i in p for i in line_ids], bool)
    tb.add(rail[by_line], "motion", line_ids[by_line], el.km[rail[by_line]], inv=True)
    rest = rail[~by_line]
    meas = np.isfinite(el.net_speed[rest])
    r = rest[meas]
    tb.add(r, "motion", None, el.km[r] / el.net_speed[r], basis="measured")
    r = rest[~meas]
    zone_ids = np.array([f"rail.speed.{z}" for z in el.zone[r]], dtype=object)
    zone_ids = np.where([z in p for z in zone_ids], zone_ids, "rail.speed.OTHER").astype(object)
    tb.add(r, "motion", zone_ids, el.km[r], inv=True)
    # the Marmaray tunnel: freight only in a nightly window; a random arrival waits on average
    mm = rail[el.marmaray[rail]]
    if len(mm):
        w = p.value("marmaray.window")
        tb.add(mm, "schedule", None, (24.0 - w) ** 2 / 48.0, basis=p.basis_of("marmaray.window"))


def border_side_param(
    p: ParamSet, mode: str, country: str, direction: str, crossing: str, union: bool
) -> str:
    """Parameter id of one side of a border crossing (most specific first).

    Crossing-specific row (``crossing`` is the network's crossing id and/or the
    country pair in the direction of travel, ``|``-separated), then the country's
    figure for the direction, then for both directions, then the mode default. Inside a
    customs union (``union``) the country's figures are skipped: they are averages over
    crossings with customs clearance (CAREC's Kazakh inbound 78 h includes the
    transshipment at Dostyk and Altynkol), and a union crossing takes the union default
    unless it has its own row.

    >>> from serai.freight.params import model_params
    >>> p = model_params()
    >>> border_side_param(p, "rail", "CN", "out", "dostyk_alashankou", False)
    'border.rail.CN.out.dostyk_alashankou'
    >>> border_side_param(p, "rail", "RU", "in", "", True)
    'border.rail.union.*'
    >>> border_side_param(p, "rail", "KZ", "in", "RU-KZ", True)  # not CAREC's 78 h
    'border.rail.union.*'
    >>> border_side_param(p, "road", "TR", "in", "kapikule", False)
    'border.road.*.*'
    """
    cands = []
    for x in crossing.split("|"):
        if x:
            cands += [f"border.{mode}.{country}.{direction}.{x}", f"border.{mode}.{country}.*.{x}"]
    if union:
        cands.append(f"border.{mode}.union.*")
    else:
        cands += [f"border.{mode}.{country}.{direction}", f"border.{mode}.{country}.*"]
    cands.append(f"border.{mode}.*.*")
    hit = p.first(cands)
    return hit if hit is not None else f"border.{mode}.*.*"


def _border_terms(tb: TermBuilder, el: Elements, p: ParamSet, b: np.ndarray) -> None:
    meas = np.isfinite(el.net_border_h[b])
    tb.add(b[meas], "border_in", None, el.net_border_h[b[meas]], basis="measured")
    b = b[~meas]
    if not len(b):
        return
    mode = np.where(el.layer_mode[b] == "road", "road", "rail")
    out_ids, in_ids = [], []
    for m, fc, tc, x, u in zip(
        mode, el.from_country[b], el.to_country[b], el.crossing_id[b], el.union_crossing[b],
        strict=True,
    ):  # fmt: skip
        key = f"{x}|{fc}-{tc}"
        out_ids.append(border_side_param(p, m, fc, "out", key, bool(u)))
        in_ids.append(border_side_param(p, m, tc, "in", key, bool(u)))
    tb.add(b, "border_out", np.array(out_ids, dtype=object))
    tb.add(b, "border_in", np.array(in_ids, dtype=object))


def _service_terms(
    tb: TermBuilder, el: Elements, p: ParamSet, rows: np.ndarray, bulk: bool
) -> None:
    kind = el.kind
    board = rows[kind == "board"]
    alight = rows[kind == "alight"]
    group = el.svc_group
    feeder = el.service_mode == "feeder"
    casp = np.char.startswith(group.astype(str), "caspian")
    black = group == "black_sea"
    # loading and unloading
    for rr, ferry_p, feed_p, casp_p in (
        (board, "ferry.load", "port.dwell.load", "caspian.port.depart"),
        (alight, "ferry.unload", "port.dwell.discharge", "caspian.port.arrive"),
    ):
        f = rr[feeder[rr]]
        nf = rr[~feeder[rr]]
        tb.add(nf, "dwell", ferry_p)
        if bulk:
            tb.add(f, "dwell", "bulk.port")
        else:
            tb.add(f[~casp[f]], "dwell", feed_p)
        tb.add(rr[casp[rr]], "dwell", casp_p)
        # a box moved between a land layer and a ship it does not roll onto: one transfer
        lift = rr[el.event[rr] == "transfer"]
        tb.add(lift, "dwell", "bulk.transfer" if bulk else "transfer.container")
    # waiting for a departure
    freq = el.svc_freq[board]
    has_f = np.isfinite(freq) & (freq > 0)
    r = board[has_f]
    tb.add(r, "schedule", None, 84.0 / el.svc_freq[r], basis=_basis(el.svc_measured[r]))
    nf = board[~has_f]
    tb.add(nf[black[nf]], "schedule", "feeder.wait.blacksea")
    wait = el.svc_wait_h[board]
    # Caspian ferries without a timetable leave when full: the model's queue (unless the
    # network gives a measured wait)
    cq = board[
        casp[board] & ~feeder[board] & ~has_f & ~(np.isfinite(wait) & el.svc_measured[board])
    ]
    tb.add(cq, "queue", "ferry.queue.caspian")
    tb.add(board[casp[board]], "queue", "ferry.weather.caspian")
    given = board[np.isfinite(wait) & ~np.isin(board, cq)]
    tb.add(given, "queue", None, el.svc_wait_h[given], basis=_basis(el.svc_measured[given]))
    # no frequency, no wait, no regional default: a weekly sailing (estimate)
    rest = board[~has_f & ~black[board] & ~casp[board] & ~np.isfinite(wait)]
    tb.add(rest, "schedule", "sea.liner_wait")
