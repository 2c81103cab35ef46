"""Compiled passes of route assembly: a route's links gathered, rested, cut into legs and summed.

:func:`serai.freight.legs.make_route` reads a route back in two kernel calls (the truck
rests of each road haul, a remembered Python function, between them) where it made some
sixty numpy calls of a few microseconds each. The kernels perform the additions of the
numpy code they replace in the same order, hence the same numbers bit for bit:

- a sum over the first axis of a (K, m) array (``comps[:7].sum(axis=0)``) adds the rows one
  after the other to 0.0;
- a sum along a contiguous axis (``x.sum()`` of a 1-D array) is numpy's pairwise summation
  (:func:`pairwise`: eight running sums in blocks of up to 128 values, halves of longer
  runs added) added to 0.0; ``np.add.reduceat`` adds the pairwise sum of a segment's other
  values to its first.

The kernels read a route's links from one row per virtual link (:func:`row_table`: its
components, hours and money by basis, CO2e, carbon cost, km, codes and ids side by side,
three cache lines), not from some twenty arrays of one value per link: after a search the
links' data is cold in the caches, and a link read from twenty arrays cost twenty misses.

``tests/freight/test_route_assembly.py`` compares the legs tables and the API's JSON bytes
with the functions these replaced; ``tests/freight/test_assembly_kernels.py`` compares
:func:`pairwise` with numpy's sums.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise as _pairs
from typing import TYPE_CHECKING, Any

import numpy as np

from serai._jit import njit
from serai.freight.routecost import _BASIS_LABELS, _LEG_KEYS, _rest_h

if TYPE_CHECKING:
    import pandas as pd

    from serai.freight.cost import LinkCosts
    from serai.freight.legs import _Codes

__all__ = [
    "assemble",
    "gather",
    "link_table",
    "pairwise",
    "plain",
    "route_parts",
    "row_table",
    "rows_of",
]

_NT = 7  # time components (serai.freight.params.TIME) come first in a (K, m) array
_WAIT = (5, 6)  # "schedule" and "queue": the hours a leg waits
_BLOCK = 128  # numpy's PW_BLOCKSIZE

# columns of a link table (:func:`link_table`: what a route reads of each virtual link, in
# one row, so that a link costs one or two cache misses, not one per column)
BITS, GROUP, LINK, FROM, TO = range(5)
# bits of its BITS column
END = 1  # a first/last-mile end (access, egress)
ALIGHT = 2  # alighting
MOVE = 4  # a movement (an end whose event is "move" too)
SEA = 8  # a sea link without a service
ROAD = 16  # a road movement (its rests are scheduled per haul)
ENDS_HAUL = 32  # neither a road movement nor a border: ends a road haul
PASSAGE = 64  # has a passage
WIDTH = 16  # bits from 16 up: the width of the service id's text

# slots of a row table (:func:`row_table`) after its K components, and their number
HB, UB, CO2, CARBON, KM = 0, 3, 6, 7, 8  # float64: hours, money by basis (3 each), ...
CODE, LINK_ID, FROM_NODE, TO_NODE = 9, 10, 11, 12  # int64: BITS | GROUP << 32, ids
EXTRA = 13
_LOW = (1 << 32) - 1
_INT64 = np.dtype(np.int64)
_KEEP = 8  # row tables a router keeps (the oldest dropped)


def link_table(
    bits: np.ndarray, group: np.ndarray, link: np.ndarray, from_node: np.ndarray,
    to_node: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """The (E, 5) int64 table of virtual links the kernels read (columns :data:`BITS`,
    :data:`GROUP`: one code per (layer, country), :data:`LINK`: physical link id or -1,
    :data:`FROM`, :data:`TO` nodes)."""
    out = np.empty((len(bits), 5), np.int64)
    out[:, BITS], out[:, GROUP], out[:, LINK] = bits, group, link
    out[:, FROM], out[:, TO] = from_node, to_node
    out.setflags(write=False)
    return out


def row_table(lc: LinkCosts, km: np.ndarray, links: np.ndarray) -> np.ndarray | None:
    """Everything the kernels read of a virtual link, one row per link: an (E, W) float64
    array, 64-byte aligned and read-only, W = K + :data:`EXTRA` rounded up to 8 slots (24,
    192 bytes: three cache lines, for the K = 11 components).

    Slots: the components (K), then from K on :data:`HB` hours and :data:`UB` money by
    basis (3 each), :data:`CO2` kg CO2e (NaN without emissions), :data:`CARBON` carbon
    USD, :data:`KM`; and, read as int64 (``tab.view(np.int64)``), :data:`CODE` the
    :func:`link_table`'s BITS with its GROUP shifted 32 bits up, :data:`LINK_ID`,
    :data:`FROM_NODE`, :data:`TO_NODE`. The values are copies: the same bits as the arrays.
    None when the codes do not fit in 32 bits (a service id of 65,536 characters or more):
    the numpy path answers.
    """
    comps = lc.comps
    k, e = comps.shape
    bits, group = links[:, BITS], links[:, GROUP]
    if e and (bits.min() < 0 or bits.max() > _LOW or group.min() < 0 or group.max() >= 1 << 31):
        return None
    w = -(-(k + EXTRA) // 8) * 8
    buf = np.empty(e * w + 8)
    lo = (-buf.ctypes.data % 64) // 8
    tab = buf[lo : lo + e * w].reshape(e, w)
    tab[:, :k] = comps.T
    tab[:, k + HB : k + HB + 3] = lc.hours_by_basis.T
    tab[:, k + UB : k + UB + 3] = lc.usd_by_basis.T
    tab[:, k + CO2] = np.nan if lc.kg_co2e is None else lc.kg_co2e
    tab[:, k + CARBON] = lc.carbon_usd
    tab[:, k + KM] = km
    ti = tab.view(np.int64)
    ti[:, k + CODE] = bits | group << 32
    ti[:, k + LINK_ID] = links[:, LINK]
    ti[:, k + FROM_NODE] = links[:, FROM]
    ti[:, k + TO_NODE] = links[:, TO]
    ti[:, k + EXTRA :] = 0
    tab.setflags(write=False)
    return tab


def rows_of(router: Any, lc: LinkCosts, links: np.ndarray) -> np.ndarray | None:
    """The :func:`row_table` of ``lc`` on ``router``'s links (``links``: the
    :func:`link_table` of its columns), made once per LinkCosts under the router's lock and
    kept with the router (pickled and cached on disk with it), the last :data:`_KEEP`."""
    key = (lc.commodity.commodity, lc.carbon_price_usd_per_t, lc.crew, lc.variant)
    memo = router.__dict__.get("_row_tables")
    hit = None if memo is None else memo.get(key)
    if hit is None or hit[0] is not lc:
        with router._lock:
            memo = router.__dict__.setdefault("_row_tables", {})
            hit = memo.get(key)
            if hit is None or hit[0] is not lc:
                memo.pop(key, None)
                while len(memo) >= _KEEP:
                    memo.pop(next(iter(memo)))
                hit = memo[key] = (lc, row_table(lc, router._cols["km"], links))
    return hit[1]


@njit(cache=True, nogil=True, inline="always")
def _block(a, lo, n):
    """numpy's pairwise sum of ``a[lo:lo + n]`` for ``n <= 128`` (one leaf)."""
    if n < 8:
        res = -0.0  # the sign of a sum of zeros kept
        for i in range(n):
            res += a[lo + i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    stop = n - n % 8
    while i < stop:
        j = lo + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True, nogil=True)
def pairwise(a, lo, n):
    """``a[lo:lo + n].sum()`` of a float64 array as numpy adds it: 0.0 plus the pairwise
    sum (:func:`_pairwise`)."""
    return 0.0 + _pairwise(a, lo, n)


@njit(cache=True, nogil=True)
def _pairwise(a, lo, n):
    """numpy's pairwise sum of ``a[lo:lo + n]``: its recursion (halves rounded down to a
    multiple of 8, down to blocks of at most 128 values, the left half's sum plus the right
    half's) made with a stack."""
    if n <= _BLOCK:
        return _block(a, lo, n)
    s_lo = np.empty(64, np.int64)
    s_n = np.empty(64, np.int64)
    s_state = np.zeros(64, np.int64)
    s_left = np.empty(64)
    depth = 0
    s_lo[0], s_n[0] = lo, n
    ret = 0.0
    while depth >= 0:
        lo_, n_ = s_lo[depth], s_n[depth]
        if n_ <= _BLOCK:
            ret = _block(a, lo_, n_)
            depth -= 1
            continue
        n2 = n_ // 2
        n2 -= n2 % 8
        st = s_state[depth]
        if st == 0:
            s_state[depth] = 1
            depth += 1
            s_lo[depth], s_n[depth], s_state[depth] = lo_, n2, 0
        elif st == 1:
            s_left[depth] = ret
            s_state[depth] = 2
            depth += 1
            s_lo[depth], s_n[depth], s_state[depth] = lo_ + n2, n_ - n2, 0
        else:
            ret = s_left[depth] + ret
            depth -= 1
    return ret


@njit(cache=True, nogil=True)
def gather(rows, k, tab, ti):
    """Rows ``rows`` of a row table (:func:`row_table`, ``ti`` its int64 view, ``k`` its
    components): the components (K, E), hours and money by basis (3, E), and the road
    hauls among them.

    Returns ``(comps, hb, ub, haul, driving)``: fresh (K, m), (3, m), (3, m) arrays; the
    haul of each row (-1: not a road row) and each haul's driving hours (the pairwise sum
    of its rows' first component). A haul is a run of road rows with no row between them
    that ends a haul (:data:`ENDS_HAUL`: neither road nor border), as
    :func:`serai.freight.routecost._haul_rests` cuts them.
    """
    m = len(rows)
    c = np.empty((k, m))
    h = np.empty((3, m))
    u = np.empty((3, m))
    haul = np.full(m, -1, np.int64)
    n_haul = 0
    ended = True
    for i in range(m):
        r = rows[i]
        for j in range(k):
            c[j, i] = tab[r, j]
        for j in range(3):
            h[j, i] = tab[r, k + HB + j]
            u[j, i] = tab[r, k + UB + j]
        bits = ti[r, k + CODE] & _LOW
        if bits & ROAD:
            if ended:
                n_haul += 1
                ended = False
            haul[i] = n_haul - 1
        elif bits & ENDS_HAUL:
            ended = True
    driving = np.zeros(n_haul)
    if n_haul:
        buf = np.empty(m)
        d0 = c[0]
        i = 0
        while i < m:
            if haul[i] < 0:
                i += 1
                continue
            g = haul[i]
            n = 0
            while i < m and (haul[i] == g or haul[i] < 0):
                if haul[i] == g:
                    buf[n] = d0[i]
                    n += 1
                i += 1
            driving[g] = pairwise(buf, 0, n)
    return c, h, u, haul, driving


@njit(cache=True, nogil=True)
def _rested(c, h, haul, rests, driving):
    """Road rows' rests replaced by their haul's exact rests (shared by driving hours);
    hours by basis scaled by new / old hours (:func:`~serai.freight.routecost.apply_exact_rests`)."""
    for i in range(c.shape[1]):
        g = haul[i]
        if g < 0:
            continue
        old = 0.0
        for j in range(_NT):
            old += c[j, i]
        total = driving[g]
        c[1, i] = rests[g] * c[0, i] / total if total > 0 else 0.0
        if old > 0:
            new = 0.0
            for j in range(_NT):
                new += c[j, i]
            f = new / old
            for j in range(3):
                h[j, i] *= f


@njit(cache=True, nogil=True)
def assemble(rows, c, h, u, haul, rests, driving, tab, ti, has_co2):
    """Legs and totals of a route from its gathered columns (:func:`gather`).

    Rows ``c`` (K, m) of components, ``h``/``u`` (3, m) of hours/money by basis; truck
    rests of road hauls are first replaced (``rests`` per haul, ``haul`` per row). Rows of
    an end or an alighting (:data:`END`, :data:`ALIGHT`) with neither hours, money nor CO2e
    are dropped; the rest cut into legs where two rows are not both movements
    (:data:`MOVE`) of one layer and country (one :data:`GROUP`); ``tab``, ``ti``: the
    :func:`row_table` the rows were gathered from and its int64 view (CO2e, carbon USD,
    km, codes and ids read from it; CO2e NaN unless ``has_co2``).

    Returns ``(kept, start, ends, width, red, code, share_est, tot, km, sea_km, lists)``:
    the kept rows; each leg's first position among them; each leg's first and last row,
    the from node of the first and the to node of the last (4, legs); the widest service id of the legs' first rows (at least 1); per-leg sums (5 + K + 6, legs): km, hours,
    waits, USD, CO2e, components, hours then money by basis; per-leg basis codes (2,
    legs: bit b set when base b holds at least 5 % of the leg's hours, money) and share
    of the estimate base; route totals (K + 8: components, hours then money by basis,
    carbon USD, CO2e) over all rows; km of movement legs and of sea legs; ``lists``
    (:func:`_leg_lists`): each leg's link ids and node path, flat, and its rows with a
    passage (:data:`PASSAGE`).
    """
    k, m = c.shape
    cb = k + CODE  # the int64 slot of BITS and GROUP
    if len(rests):
        _rested(c, h, haul, rests, driving)
    hours = np.empty(m)
    usd = np.empty(m)
    co2 = np.empty(m)
    keep = np.empty(m, np.bool_)
    n = 0
    for i in range(m):
        x = 0.0
        for j in range(_NT):
            x += c[j, i]
        y = 0.0
        for j in range(_NT, k):
            y += c[j, i]
        e = tab[rows[i], k + CO2] if has_co2 else np.nan
        hours[i], usd[i], co2[i] = x, y, e
        ok = not ((ti[rows[i], cb] & (END | ALIGHT)) != 0 and x == 0 and y == 0 and not e > 0)
        keep[i] = ok
        n += ok
    kept = np.empty(n, np.int64)
    brk = np.empty(n, np.bool_)
    j = 0
    for i in range(m):
        if keep[i]:
            kept[j] = i
            j += 1
    n_leg = 0
    for j in range(n):
        r = rows[kept[j]]
        b = True
        if j:
            q = rows[kept[j - 1]]
            b = not (ti[r, cb] & ti[q, cb] & MOVE and ti[r, cb] >> 32 == ti[q, cb] >> 32)
        brk[j] = b
        n_leg += b
    start = np.empty(n_leg, np.int64)
    nr = 5 + k + 6
    stack = np.empty((nr, n))
    g = 0
    for j in range(n):
        i = kept[j]
        if brk[j]:
            start[g] = j
            g += 1
        stack[0, j] = tab[rows[i], k + KM]
        stack[1, j] = hours[i]
        stack[2, j] = c[_WAIT[0], i] + c[_WAIT[1], i]
        stack[3, j] = usd[i]
        stack[4, j] = co2[i]
        for t in range(k):
            stack[5 + t, j] = c[t, i]
        for t in range(3):
            stack[5 + k + t, j] = h[t, i]
            stack[8 + k + t, j] = u[t, i]
    # np.add.reduceat: a segment's first value plus the pairwise sum of the others
    red = np.empty((nr, n_leg))
    for g in range(n_leg):
        a = start[g]
        b = start[g + 1] if g + 1 < n_leg else n
        for t in range(nr):
            red[t, g] = stack[t, a] + _pairwise(stack[t], a + 1, b - a - 1)
    code = np.zeros((2, n_leg), np.int64)
    share_est = np.zeros((2, n_leg))
    for g in range(n_leg):
        for s in range(2):
            o = 5 + k + 3 * s
            tot = 0.0
            for t in range(3):
                tot += red[o + t, g]
            if tot > 0:
                for t in range(3):
                    if red[o + t, g] / tot >= 0.05:
                        code[s, g] |= 1 << t
                share_est[s, g] = red[o + 2, g] / tot
    # the route's sums of components and bases: numpy's columns of a (K, m) array taken
    # with a[:, rows] are Fortran-ordered, summed over the rows one column after the other
    tot = np.zeros(k + 8)
    for i in range(m):
        for t in range(k):
            tot[t] += c[t, i]
        for t in range(3):
            tot[k + t] += h[t, i]
            tot[k + 3 + t] += u[t, i]
    buf = np.empty(max(m, n_leg))
    for i in range(m):
        buf[i] = tab[rows[i], k + CARBON]
    tot[k + 6] = pairwise(buf, 0, m)
    tot[k + 7] = pairwise(co2, 0, m) if has_co2 else np.nan
    nm = 0
    for g in range(n_leg):
        if ti[rows[kept[start[g]]], cb] & MOVE:
            buf[nm] = red[0, g]
            nm += 1
    km = pairwise(buf, 0, nm)
    nm = 0
    for g in range(n_leg):
        r = rows[kept[start[g]]]
        if ti[r, cb] & (MOVE | SEA) == MOVE | SEA:
            buf[nm] = red[0, g]
            nm += 1
    sea_km = pairwise(buf, 0, nm)
    r = np.empty(n, np.int64)
    for j in range(n):
        r[j] = rows[kept[j]]
    ends = np.empty((4, n_leg), np.int64)  # each leg's first and last row, their nodes
    width = 1
    for g in range(n_leg):
        ends[0, g] = r[start[g]]
        ends[1, g] = r[start[g + 1] - 1] if g + 1 < n_leg else r[n - 1]
        ends[2, g] = ti[ends[0, g], k + FROM_NODE]
        ends[3, g] = ti[ends[1, g], k + TO_NODE]
        width = max(width, (ti[ends[0, g], cb] & _LOW) >> WIDTH)
    lists = _leg_lists(r, start, ti, k)
    return r, start, ends, width, red, code, share_est, tot, km, sea_km, lists


@njit(cache=True, nogil=True)
def _leg_lists(r, start, ti, k):
    """Each leg's link ids (those >= 0), node path (from and to nodes of its rows, each
    node once, in order of first appearance: ``dict.fromkeys``), and number of rows with a
    passage: ``(link_ids, link_offsets, nodes, node_offsets, passages)`` (leg ``g``'s ids
    are ``link_ids[link_offsets[g]:link_offsets[g + 1]]``; ``passages`` ends with the number
    of legs with a passage)."""
    n, n_leg = len(r), len(start)
    lids = np.empty(n, np.int64)
    lid_off = np.empty(n_leg + 1, np.int64)
    nodes = np.empty(2 * n, np.int64)
    node_off = np.empty(n_leg + 1, np.int64)
    psg = np.zeros(n_leg + 1, np.int64)  # the last: legs with a passage
    nl = 0
    nn = 0
    for g in range(n_leg):
        a = start[g]
        b = start[g + 1] if g + 1 < n_leg else n
        lid_off[g] = nl
        node_off[g] = nn
        first = nn
        for j in range(a, b):
            x = r[j]
            lid = ti[x, k + LINK_ID]
            if lid >= 0:
                lids[nl] = lid
                nl += 1
            psg[g] += (ti[x, k + CODE] & PASSAGE) != 0
            for v in (ti[x, k + FROM_NODE], ti[x, k + TO_NODE]):
                if nn > first and nodes[nn - 1] == v:
                    continue  # the usual repeat: a link's from node is the last to node
                seen = False
                for q in range(first, nn - 1):
                    if nodes[q] == v:
                        seen = True
                        break
                if not seen:
                    nodes[nn] = v
                    nn += 1
    for g in range(n_leg):
        psg[n_leg] += psg[g] > 0
    lid_off[n_leg] = nl
    node_off[n_leg] = nn
    return lids[:nl], lid_off, nodes[:nn], node_off, psg


def _leg_columns(
    cols: Mapping[str, np.ndarray], cd: _Codes, got: tuple, labels: pd.Series
) -> dict[str, Any]:
    """The legs table's columns (those of :func:`~serai.freight.legs._legs`) from what
    :func:`assemble` returned (``got``): the text columns are
    taken at each leg's first and last row from columns made once (:class:`~serai.freight.legs._Codes`)."""
    r, start, (rs, rl, from_node, to_node), width, red, code, share_est, _, _, _, lists = got
    lids, lid_off, nodes, node_off, n_psg = lists
    lids, lid_off = lids.tolist(), lid_off.tolist()
    nodes, node_off = nodes.tolist(), node_off.tolist()
    link_ids = [lids[a:b] for a, b in _pairs(lid_off)]
    node_path = [nodes[a:b] for a, b in _pairs(node_off)]
    passages = [""] * len(rs)
    if n_psg[-1]:  # legs with a passage
        psg = cols["passage"]
        stop = [*start[1:].tolist(), len(r)]
        for g in np.flatnonzero(n_psg[:-1]).tolist():
            x = psg[r[start[g] : stop[g]]].tolist()
            passages[g] = ";".join(dict.fromkeys(p for p in x if p))
    first, last = cd.blocks(labels)  # two gathers of the text columns (object arrays)
    kind, mode, layer, svc, from_name, country, from_country, event = np.ascontiguousarray(
        first.take(rs, axis=0).T
    )
    to_name, to_country = np.ascontiguousarray(last.take(rl, axis=0).T)
    data = {
        "seq": np.arange(len(rs)),
        "kind": kind,
        "mode": mode,
        "layer": layer,
        "service_id": svc.astype(f"<U{width}"),
        "from_node": from_node if _INT64 is cols["from_node"].dtype else cols["from_node"][rs],
        "to_node": to_node if _INT64 is cols["to_node"].dtype else cols["to_node"][rl],
        "from_name": from_name,
        "to_name": to_name,
        "country": country,
        "from_country": from_country,
        "to_country": to_country,
        "passage": passages,
        "km": red[0],
        "hours": red[1],
        "wait_h": red[2],
        "usd": red[3],
        "co2e_kg": red[4],
        "event": event,
        "link_ids": link_ids,
        "node_path": node_path,
    }
    for i, key in enumerate(_LEG_KEYS):
        data[key] = red[5 + i]
    data["time_basis"], data["money_basis"] = _BASIS_LABELS[code]
    data["share_hours_estimate"], data["share_usd_estimate"] = share_est
    return data


def plain(lc: LinkCosts) -> bool:
    """Costs the compiled pass reads as they are: float64 arrays (2-D components)."""
    em = lc.kg_co2e
    for a in (lc.comps, lc.hours_by_basis, lc.usd_by_basis, lc.carbon_usd, em):
        if a is None and em is None:
            continue  # no emissions
        if type(a) is not np.ndarray or a.dtype != np.float64:
            return False
    return True


def route_parts(
    cols: Mapping[str, np.ndarray], cd: _Codes, rows: np.ndarray, lc: LinkCosts,
    labels: pd.Series, tab: np.ndarray,
) -> tuple[dict[str, Any], list[float], float, float, np.ndarray] | None:  # fmt: skip
    """The legs, route sums (components, hours then money by basis, carbon USD, CO2e),
    km (all, at sea) and which legs are movements (``kind == "move"``) of a route's rows:
    :func:`_legs`, :func:`route_components` and the sums of
    :func:`~serai.freight.legs.make_route` in two compiled passes over the rows of ``tab``
    (:func:`row_table` of ``lc``); None for a route whose every row is dropped (the numpy
    path answers it)."""
    ti = tab.view(np.int64)
    comps, hb, ub, haul, driving = gather(rows, len(lc.comps), tab, ti)
    crew = lc.crew
    rests = np.array([_rest_h(t, crew) if t > 0 else 0.0 for t in driving.tolist()])
    got = assemble(rows, comps, hb, ub, haul, rests, driving, tab, ti, lc.kg_co2e is not None)
    if not len(got[1]):
        return None
    legs = _leg_columns(cols, cd, got, labels)
    return legs, got[7].tolist(), float(got[8]), float(got[9]), cd.leg_move[got[2][0]]
