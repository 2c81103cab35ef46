"""Graph simplification for the build: contract degree-2 chains, prune spurs, merge close junctions.

Works on undirected edge lists over node indices ``0..n-1``: ``u``, ``v`` (int64),
``km`` (float64) and ``geom`` (a list with one ``(k, 2)`` lon/lat array per edge).
The chain walk is a numba kernel (one pass over the edges); the rest is
vectorised numpy/scipy; geometry concatenation is per output link.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit
from scipy import sparse
from scipy.sparse.csgraph import connected_components

__all__ = ["Edges", "collapse_short", "components", "contract", "dedupe", "prune_spurs", "simplify"]


@dataclass(frozen=True)
class Edges:
    """Undirected edges with lengths and polyline geometry (lon, lat)."""

    n: int
    u: np.ndarray
    v: np.ndarray
    km: np.ndarray
    geom: list
    tag: np.ndarray | None = None  # optional label per edge, kept by contract (first edge's)

    def take(self, mask_or_idx) -> Edges:
        idx = np.flatnonzero(mask_or_idx) if np.asarray(mask_or_idx).dtype == bool else mask_or_idx
        tag = None if self.tag is None else self.tag[idx]
        return Edges(
            self.n, self.u[idx], self.v[idx], self.km[idx], [self.geom[i] for i in idx], tag
        )

    def degree(self) -> np.ndarray:
        return np.bincount(np.concatenate([self.u, self.v]), minlength=self.n)


def components(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Connected-component label of every node (undirected)."""
    m = sparse.coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n)).tocsr()
    return connected_components(m, directed=False)[1]


def dedupe(e: Edges) -> Edges:
    """Drop self-loops and keep the shortest of parallel edges (deterministic)."""
    keep = np.flatnonzero(e.u != e.v)
    a = np.minimum(e.u[keep], e.v[keep])
    b = np.maximum(e.u[keep], e.v[keep])
    order = np.lexsort((keep, e.km[keep], b, a))
    a, b, idx = a[order], b[order], keep[order]
    first = np.ones(len(a), bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return e.take(np.sort(idx[first]))


def _csr(n: int, u: np.ndarray, v: np.ndarray):
    ends = np.concatenate([u, v])
    other = np.concatenate([v, u])
    eid = np.concatenate([np.arange(len(u)), np.arange(len(u))])
    order = np.argsort(ends, kind="stable")
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(ends, minlength=n), out=indptr[1:])
    return indptr, other[order].astype(np.int64), eid[order].astype(np.int64)


@njit(cache=True)
def _walk(indptr, nbr, eid, tail, keep, km):  # pragma: no cover - numba
    used = np.zeros(km.shape[0], np.bool_)
    starts = [np.int64(0)][:0]
    ends = [np.int64(0)][:0]
    lengths = [np.float64(0)][:0]
    offsets = [np.int64(0)]
    chain = [np.int64(0)][:0]
    dirs = [np.int8(0)][:0]
    for s in range(keep.shape[0]):
        if not keep[s]:
            continue
        for k in range(indptr[s], indptr[s + 1]):
            e = eid[k]
            if used[e]:
                continue
            used[e] = True
            total = km[e]
            chain.append(e)
            dirs.append(np.int8(1) if tail[e] == s else np.int8(-1))
            cur = nbr[k]
            while not keep[cur]:
                nxt = -1
                for j in range(indptr[cur], indptr[cur + 1]):
                    f = eid[j]
                    if not used[f]:
                        used[f] = True
                        total += km[f]
                        chain.append(f)
                        dirs.append(np.int8(1) if tail[f] == cur else np.int8(-1))
                        nxt = nbr[j]
                        break
                if nxt < 0:
                    break
                cur = nxt
            starts.append(s)
            ends.append(cur)
            lengths.append(total)
            offsets.append(len(chain))
    return (
        np.array(starts),
        np.array(ends),
        np.array(lengths),
        np.array(offsets),
        np.array(chain),
        np.array(dirs),
    )


def contract(e: Edges, protect: np.ndarray) -> Edges:
    """Contract chains of degree-2 nodes into single edges (geometry concatenated).

    Nodes keep their indices; nodes of degree 2 that are not protected end up
    unused. Cycles made only of degree-2 nodes disappear, as do self-loops.
    """
    deg = e.degree()
    keep = ((deg != 2) | protect) & (deg > 0)
    indptr, nbr, eid = _csr(e.n, e.u, e.v)
    s, t, length, off, chain, dirs = _walk(indptr, nbr, eid, e.u, keep, e.km)
    geom = []
    for i in range(len(s)):
        parts = []
        for j in range(off[i], off[i + 1]):
            g = e.geom[chain[j]]
            g = g if dirs[j] > 0 else g[::-1]
            parts.append(g if not parts else g[1:])
        geom.append(np.concatenate(parts))
    tag = None if e.tag is None else e.tag[chain[off[:-1]]]
    return dedupe(Edges(e.n, s, t, length, geom, tag))


def prune_spurs(e: Edges, protect: np.ndarray, min_km: float, rounds: int = 30) -> Edges:
    """Drop dead-end links shorter than ``min_km`` (repeat, re-contracting), keeping protected ends."""
    for _ in range(rounds):
        deg = e.degree()
        leaf = (deg == 1) & ~protect
        spur = (leaf[e.u] | leaf[e.v]) & (e.km < min_km)
        if not spur.any():
            break
        e = contract(e.take(~spur), protect)
    return e


def collapse_short(e: Edges, short: np.ndarray, protect: np.ndarray) -> tuple[Edges, np.ndarray]:
    """Merge the end nodes of ``short`` links into one node per cluster.

    The representative of a cluster is its protected node if any, else its
    highest-degree node (ties: lowest index). Returns the new edges (indices
    remapped to representatives) and the map ``old index -> representative``.
    """
    n = e.n
    lab = components(n, e.u[short], e.v[short])
    deg = e.degree()
    order = np.lexsort((np.arange(n), -deg, ~protect, lab))
    first = np.ones(n, bool)
    first[1:] = lab[order][1:] != lab[order][:-1]
    rep_of_label = np.empty(lab.max() + 1, np.int64)
    rep_of_label[lab[order][first]] = order[first]
    rep = rep_of_label[lab]
    out = Edges(n, rep[e.u], rep[e.v], e.km, e.geom, e.tag)
    return dedupe(out), rep


def simplify(geom: list, tolerance_deg: float) -> list:
    """Douglas-Peucker simplification of each polyline (shapely), rounded to 1e-4 degree."""
    import shapely

    if not geom:
        return []
    counts = np.array([len(g) for g in geom])
    coords = np.concatenate(geom)
    lines = shapely.linestrings(coords, indices=np.repeat(np.arange(len(geom)), counts))
    simple = shapely.simplify(lines, tolerance_deg, preserve_topology=False)
    pts, index = shapely.get_coordinates(simple, return_index=True)
    pts = np.round(pts, 4)
    cuts = np.cumsum(np.bincount(index, minlength=len(geom)))[:-1]
    return np.split(pts, cuts)
