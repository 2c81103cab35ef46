"""TNTP format ("Transportation Networks for Research"): ``_net``, ``_trips``, ``_flow``, ``_node``.

Format traps handled here (see the TNTP README shipped with the test data):

- metadata lines ``<KEY> value`` up to ``<END OF METADATA>``; lines starting with
  ``~`` are comments (the column header); data lines end with ``;``;
- ``<FIRST THRU NODE> f``: zones with id < f may not be passed through
  (``nodes.passable`` is False for them);
- zero free-flow times and ``power`` 0 are valid and kept as they are;
- a ``_node`` file beside the ``_net`` file gives coordinates (any CRS, so the
  network's ``crs`` is left unknown);
- optional ``<TOLL FACTOR>`` / ``<DISTANCE FACTOR>`` header lines (TAP-B style) are
  kept in ``meta`` as generalised-cost weights;
- TNTP holds no link ids (links are numbered 1, 2, ... in file order) and only
  numeric link types: the writer replaces text link types by number codes and
  lists them in a ``~ link_type codes: 1=..., 2=...`` comment line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from serai.errors import InputError
from serai.network.core import Network

if TYPE_CHECKING:
    import pandas as pd

    from serai.network.compile import Graph

__all__ = [
    "NetFile",
    "graph_if_clean",
    "parse",
    "parse_node_file",
    "parse_trips",
    "read",
    "read_flows",
    "read_node_file",
    "read_trips",
    "write",
    "write_trips",
]

_META = re.compile(r"^\s*<([^>]+)>\s*(.*?)\s*$")
_NET_COLUMNS = [
    "from_node",
    "to_node",
    "capacity",
    "length",
    "free_flow_time",
    "alpha",
    "beta",
    "speed",
    "toll",
    "link_type",
]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"cannot read: {exc}", file=str(path)) from None


def _split_metadata(path: Path, text: str) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """Metadata dict and the remaining (line number, line) pairs, comments dropped."""
    meta: dict[str, str] = {}
    body: list[tuple[int, str]] = []
    in_meta = True
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if in_meta:
            m = _META.match(stripped)
            if m:
                key = m.group(1).strip().upper()
                if key == "END OF METADATA":
                    in_meta = False
                else:
                    meta[key] = m.group(2).split("~")[0].strip()
                continue
            if not stripped:
                continue
            in_meta = False
        if not stripped or stripped.startswith("~"):
            continue
        body.append((lineno, stripped))
    return meta, body


def _meta_int(meta: dict[str, str], key: str, path: Path) -> int | None:
    if key not in meta or meta[key] == "":
        return None
    try:
        return int(float(meta[key]))
    except ValueError:
        raise InputError(
            f"metadata <{key}> is not a number: {meta[key]!r}", file=str(path)
        ) from None


def parse_node_file(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Node ids, x and y of a ``_node.tntp`` file (numpy arrays; no pandas)."""
    rows = []
    for lineno, line in enumerate(_read_text(path).splitlines(), start=1):
        parts = line.replace(";", " ").split()
        if not parts or not parts[0].lstrip("-").isdigit():
            continue  # header or blank
        if len(parts) < 3:
            raise InputError("expected node, x, y", file=str(path), row=lineno)
        try:
            row = (int(parts[0]), float(parts[1]), float(parts[2]))
        except ValueError:
            raise InputError(f"not a number in {parts[:3]}", file=str(path), row=lineno) from None
        if np.isinf(row[1]) or np.isinf(row[2]):
            raise InputError(f"coordinates must be finite: {parts[1:3]}", file=str(path),
                             row=lineno)  # fmt: skip
        rows.append(row)
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    x = np.array([r[1] for r in rows], dtype=np.float64)
    y = np.array([r[2] for r in rows], dtype=np.float64)
    return ids, x, y


def read_node_file(path: Path) -> pd.DataFrame:
    """Read a ``_node.tntp`` file into node_id, x, y."""
    import pandas as pd

    ids, x, y = parse_node_file(path)
    return pd.DataFrame({"node_id": ids, "x": x, "y": y})


@dataclass(frozen=True, eq=False)
class NetFile:
    """A ``_net.tntp`` file as numpy arrays (what :func:`read` makes its tables of).

    ``values`` holds the ten TNTP columns (:data:`_NET_COLUMNS`) per link line, in
    file order; ``node_ids`` every node (sorted): ids the links use, 1..<NUMBER OF
    NODES> and 1..<NUMBER OF ZONES>; ``coords`` the ``_node.tntp`` file's ids, x, y
    (None without one); ``meta`` the network's metadata.
    """

    values: np.ndarray
    node_ids: np.ndarray
    n_zones: int
    first_thru: int
    coords: tuple[np.ndarray, np.ndarray, np.ndarray] | None
    meta: dict[str, object]

    def link_columns(self) -> dict[str, np.ndarray]:
        """The links table's columns, as :func:`read` makes them (before dtype casts)."""
        arr = self.values
        cols: dict[str, np.ndarray] = {"link_id": np.arange(1, len(arr) + 1, dtype=np.int64)}
        for i, c in enumerate(_NET_COLUMNS):
            cols[c] = arr[:, i]
        for c in ("from_node", "to_node"):
            cols[c] = cols[c].astype(np.int64)
        speed = cols["speed"]
        cols["speed"] = np.where(speed > 0, speed, np.nan)  # TNTP writes 0 for "unknown"
        return cols

    @property
    def is_zone(self) -> np.ndarray:
        return self.node_ids <= self.n_zones

    @property
    def passable(self) -> np.ndarray:
        return ~(self.is_zone & (self.node_ids < self.first_thru))


def parse(path: Path, *, node_file: Path | None = None) -> NetFile:
    """Read a ``_net.tntp`` file (and the ``_node.tntp`` beside it) into numpy arrays.

    Every check of :func:`read` is made here, in the same order with the same
    messages (:func:`read` builds its tables from this).
    """
    meta, body = _split_metadata(path, _read_text(path))
    records: list[list[float]] = []
    for lineno, line in body:
        fields = line.rstrip(";").split()
        if len(fields) < 10:
            raise InputError(f"expected 10 fields, found {len(fields)}", file=str(path), row=lineno)
        try:
            records.append([float(v) for v in fields[:10]])
        except ValueError:
            bad = next(i for i, v in enumerate(fields[:10]) if not _is_number(v))
            raise InputError(
                f"not a number: {fields[bad]!r}",
                file=str(path),
                row=lineno,
                field=_NET_COLUMNS[bad],
            ) from None
    if not records:
        raise InputError("no link lines: not a TNTP network file", file=str(path))
    arr = np.array(records, dtype=np.float64).reshape(-1, 10)
    _check_numbers(arr, [ln for ln, _ in body], path)
    from_node = arr[:, 0].astype(np.int64)
    to_node = arr[:, 1].astype(np.int64)
    expected = _meta_int(meta, "NUMBER OF LINKS", path)
    if expected is not None and expected != len(arr):
        raise InputError(f"metadata says {expected} links, the file has {len(arr)}", file=str(path))

    n_zones = _meta_int(meta, "NUMBER OF ZONES", path) or 0
    first_thru = _meta_int(meta, "FIRST THRU NODE", path) or 1
    n_nodes = _meta_int(meta, "NUMBER OF NODES", path)
    seen = np.unique(np.concatenate([from_node, to_node]))
    for key, count in (("NUMBER OF NODES", n_nodes), ("NUMBER OF ZONES", n_zones or None)):
        if count is not None and count < 0:
            raise InputError(f"metadata <{key}> is negative: {count}", file=str(path))
    if n_nodes is not None and len(seen) and seen.max() > n_nodes:
        i = int(np.flatnonzero(np.maximum(from_node, to_node) > n_nodes)[0])
        raise InputError(
            f"metadata <NUMBER OF NODES> says {n_nodes} nodes (ids 1..{n_nodes}), but links use "
            f"node {int(seen.max())}",
            file=str(path),
            row=body[i][0],
        )
    if n_nodes is not None and n_zones > n_nodes:
        raise InputError(
            f"metadata <NUMBER OF ZONES> {n_zones} exceeds <NUMBER OF NODES> {n_nodes}",
            file=str(path),
        )
    ids = np.union1d(seen, np.arange(1, (n_nodes or 0) + 1))
    ids = np.union1d(ids, np.arange(1, n_zones + 1)).astype(np.int64)
    sources = {"links": str(path)}
    if node_file is None:
        guess = path.with_name(path.name.replace("_net", "_node"))
        node_file = guess if guess != path and guess.exists() else None
    coords = None
    if node_file is not None:
        coords = parse_node_file(Path(node_file))
        sources["nodes"] = str(node_file)
    m: dict[str, object] = {
        "name": path.name.replace("_net.tntp", "").replace(".tntp", ""),
        "crs": None,
        "format": "tntp",
        "number_of_zones": n_zones,
        "first_thru_node": first_thru,
        "sources": sources,
    }
    for key, name in (("TOLL FACTOR", "toll_factor"), ("DISTANCE FACTOR", "distance_factor")):
        if key in meta:
            try:
                m[name] = float(meta[key])
            except ValueError:
                raise InputError(
                    f"metadata <{key}> is not a number: {meta[key]!r}", file=str(path)
                ) from None
    return NetFile(arr, ids, n_zones, first_thru, coords, m)


def read(path: Path, *, node_file: Path | None = None, **_: object) -> Network:
    """Read a ``_net.tntp`` file (and the ``_node.tntp`` beside it, if any)."""
    import pandas as pd

    f = parse(path, node_file=node_file)
    cols = f.link_columns()
    links = pd.DataFrame(cols)
    links["link_type"] = links["link_type"].astype(np.int64).astype(str)
    nodes = pd.DataFrame({"node_id": f.node_ids})
    if f.coords is not None:
        ids, x, y = f.coords
        coords = pd.DataFrame({"node_id": ids, "x": x, "y": y})
        nodes = nodes.merge(coords, on="node_id", how="left")
    nodes["is_zone"] = nodes["node_id"] <= f.n_zones
    nodes["passable"] = ~(nodes["is_zone"] & (nodes["node_id"] < f.first_thru))
    return Network.from_tables(nodes=nodes, links=links, meta=f.meta)


def graph_if_clean(
    path: Path, *, purpose: str = "any", block_zones: bool | None = None
) -> tuple[Graph, dict[str, object]] | None:
    """The compiled graph of a ``_net.tntp`` file and its metadata, without pandas, or None.

    The file is read by :func:`parse` (so a file :func:`read` refuses is refused here
    with the same error); the graph is made only when
    :func:`~serai.network.clean.no_problems` proves that ``validate(read(path),
    purpose=purpose)`` would report nothing, and is then the very graph
    ``compile_network(read(path), block_zones=block_zones)`` makes. None: the file
    needs the full path (``read`` + ``validate``) for its errors or warnings.
    """
    from serai.network.clean import no_problems
    from serai.network.compile import graph_from_arrays

    f = parse(path)
    cols = f.link_columns()
    nodes: dict[str, np.ndarray] = {"node_id": f.node_ids}
    if f.coords is not None:
        ids, x, y = f.coords
        if len(np.unique(ids)) != len(ids):
            return None  # the full path's merge repeats such nodes: let it report them
        nodes["x"] = np.full(len(f.node_ids), np.nan)
        nodes["y"] = np.full(len(f.node_ids), np.nan)
        pos = np.searchsorted(f.node_ids, ids)
        hit = (pos < len(f.node_ids)) & (f.node_ids[np.minimum(pos, len(f.node_ids) - 1)] == ids)
        nodes["x"][pos[hit]] = x[hit]
        nodes["y"][pos[hit]] = y[hit]
    nodes["is_zone"] = f.is_zone
    nodes["passable"] = f.passable
    links = {c: v for c, v in cols.items() if c != "link_type"}
    if not no_problems({"nodes": nodes, "links": links}, crs=f.meta["crs"], purpose=purpose):
        return None
    costs = {c: v for c, v in links.items() if c not in ("link_id", "from_node", "to_node")}
    empty = np.full(len(f.node_ids), np.nan)
    graph = graph_from_arrays(
        f.node_ids, cols["from_node"], cols["to_node"], cols["link_id"], costs,
        is_zone=nodes["is_zone"], passable=nodes["passable"], x=nodes.get("x", empty),
        y=nodes.get("y", empty), geographic=False, name=str(f.meta["name"]),
        block_zones=block_zones,
    )  # fmt: skip
    return graph, f.meta


def _check_numbers(arr: np.ndarray, lines: list[int], path: Path) -> None:
    """Every value finite; node ids whole numbers 1..2**62 (TNTP has no missing values)."""
    if not arr.size:
        return
    bad = ~np.isfinite(arr)
    ids = arr[:, :2]
    with np.errstate(invalid="ignore"):
        bad[:, :2] |= (ids != np.round(ids)) | (ids < 1) | (ids > 2**62)
        bad[:, 2:] |= np.abs(arr[:, 2:]) > 1e12
    if bad.any():
        r, c = (int(v) for v in np.argwhere(bad)[0])
        what = "a node id (whole number >= 1)" if c < 2 else "a finite number below 1e12"
        more = int(bad.sum()) - 1
        raise InputError(
            f"not {what}: {float(arr[r, c])!r}" + (f" ({more} more such values)" if more else ""),
            file=str(path),
            row=lines[r],
            field=_NET_COLUMNS[c],
        )


def _is_number(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return True


def write(network: Network, path: Path, **_: object) -> None:
    """Write a ``_net.tntp`` file (and ``_node.tntp`` if nodes have coordinates)."""
    import pandas as pd

    links = network.links
    nodes = network.nodes
    zones = nodes.loc[nodes.get("is_zone", pd.Series(False, index=nodes.index)).astype(bool)]
    n_zones = int(zones["node_id"].max()) if len(zones) else 0
    blocked = nodes.loc[~nodes.get("passable", pd.Series(True, index=nodes.index)).astype(bool)]
    first_thru = int(blocked["node_id"].max()) + 1 if len(blocked) else 1
    defaults = {
        "capacity": 0.0,
        "length": 0.0,
        "free_flow_time": 0.0,
        "alpha": 0.15,
        "beta": 4.0,
        "speed": 0.0,
        "toll": 0.0,
        "link_type": "1",
    }
    cols = {
        c: (links[c] if c in links.columns else pd.Series(defaults[c], index=links.index))
        for c in _NET_COLUMNS
    }
    for c in ("speed", "toll", "alpha", "beta"):  # TNTP has no missing values: the defaults
        cols[c] = pd.to_numeric(cols[c], errors="coerce").fillna(defaults[c])
    for c in ("capacity", "length", "free_flow_time"):
        v = pd.to_numeric(cols[c], errors="coerce")
        if v.isna().any():
            i = int(np.flatnonzero(v.isna().to_numpy())[0])
            raise InputError(
                f"TNTP has no missing values; link {links['link_id'].iloc[i]} has no {c} "
                f"({int(v.isna().sum())} link(s) in all)",
                file=str(path),
                field=c,
            )
    codes_note: list[str] = []
    lt = cols["link_type"].astype(str).str.strip()
    numeric = pd.to_numeric(lt, errors="coerce")
    if numeric.isna().any():  # TNTP link types are numbers: number text codes, say which
        names = sorted(set(lt))
        code = {n: i for i, n in enumerate(names, start=1)}
        cols["link_type"] = lt.map(code)
        codes_note = ["~ link_type codes: " + ", ".join(f"{i}={n}" for n, i in code.items())]
    head = [
        f"<NUMBER OF ZONES> {n_zones}",
        f"<NUMBER OF NODES> {len(nodes)}",
        f"<FIRST THRU NODE> {first_thru}",
        f"<NUMBER OF LINKS> {len(links)}",
    ]
    for name, key in (("toll_factor", "TOLL FACTOR"), ("distance_factor", "DISTANCE FACTOR")):
        if name in network.meta:
            head.append(f"<{key}> {network.meta[name]}")
    head += [
        "<END OF METADATA>",
        "",
        *codes_note,
        "",
        "~\tinit_node\tterm_node\tcapacity\tlength\tfree_flow_time\tb\tpower\tspeed\ttoll\tlink_type\t;",
    ]
    body = pd.DataFrame(cols)
    lines = ["\t" + "\t".join(_fmt(v) for v in row) + "\t;" for row in body.itertuples(index=False)]
    path.write_text("\n".join(head + lines) + "\n", encoding="utf-8")
    if "x" in nodes.columns and "y" in nodes.columns and nodes["x"].notna().any():
        node_path = (
            path.with_name(path.name.replace("_net", "_node"))
            if "_net" in path.name
            else path.with_suffix(".node.tntp")
        )
        rows = [
            f"{int(i)}\t{_fmt(x)}\t{_fmt(y)}\t;"
            for i, x, y in zip(nodes["node_id"], nodes["x"], nodes["y"], strict=True)
            if x == x and y == y  # a node without coordinates has no line
        ]
        node_path.write_text("Node\tX\tY\t;\n" + "\n".join(rows) + "\n", encoding="utf-8")


def _fmt(v: object) -> str:
    if isinstance(v, (float, np.floating)):
        return repr(float(v)) if not float(v).is_integer() else str(int(v))
    return str(v)


_PAIR = re.compile(r"(\d+)\s*:\s*([^;\s]+)")


def parse_trips(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, int | None]:
    """origin, destination, volume (zero cells dropped) and <NUMBER OF ZONES> of a
    ``_trips.tntp`` file, as numpy arrays (:func:`read_trips` makes its table of these)."""
    text = _read_text(path)
    meta, _ = _split_metadata(path, text[: text.find("Origin")] if "Origin" in text else text)
    origins, dests, vols = [], [], []
    for block in re.split(r"(?m)^\s*Origin\s+", text)[1:]:
        head, _, rest = block.partition("\n")
        try:
            o = int(head.split()[0])
        except (ValueError, IndexError):
            raise InputError(f"bad 'Origin' line: {head!r}", file=str(path)) from None
        pairs = _PAIR.findall(rest)
        if pairs:
            d, v = zip(*pairs, strict=True)
            origins.append(np.full(len(d), o, dtype=np.int64))
            dests.append(np.array(d, dtype=np.int64))
            try:
                vols.append(np.array(v, dtype=np.float64))
            except ValueError:
                raise InputError(f"bad volume in origin {o}", file=str(path)) from None
    if not origins:
        raise InputError("no 'Origin' blocks found", file=str(path))
    origin = np.concatenate(origins)
    destination = np.concatenate(dests)
    vol = np.concatenate(vols)
    total = meta.get("TOTAL OD FLOW")
    if total:
        try:
            stated = float(total)
        except ValueError:
            stated = None
        if stated is not None and not np.isclose(vol.sum(), stated, rtol=1e-6, atol=1e-3):
            raise InputError(
                f"volumes sum to {vol.sum():.6g}, metadata <TOTAL OD FLOW> says {stated}",
                file=str(path),
            )
    bad = np.flatnonzero(~np.isfinite(vol) | (vol < 0))
    if len(bad):
        raise InputError(
            f"volume must be a finite number >= 0, got {vol[bad[0]]!r} (origin "
            f"{origin[bad[0]]}, destination {destination[bad[0]]})",
            file=str(path),
            field="volume",
        )
    keep = vol != 0
    return origin[keep], destination[keep], vol[keep], _meta_int(meta, "NUMBER OF ZONES", path)


def read_trips(path: Path) -> pd.DataFrame:
    """Read a ``_trips.tntp`` file into origin, destination, volume (zero cells dropped)."""
    import pandas as pd

    origin, destination, volume, zones = parse_trips(path)
    df = pd.DataFrame({"origin": origin, "destination": destination, "volume": volume})
    df.attrs["number_of_zones"] = zones
    return df


def write_trips(demand: pd.DataFrame, path: Path) -> None:
    """Write origin, destination, volume as a ``_trips.tntp`` file."""
    d = demand.groupby(["origin", "destination"], sort=True)["volume"].sum().reset_index()
    zones = int(max(d["origin"].max(), d["destination"].max())) if len(d) else 0
    out = [
        f"<NUMBER OF ZONES> {zones}",
        f"<TOTAL OD FLOW> {float(d['volume'].sum())!r}",
        "<END OF METADATA>",
        "",
        "",
    ]
    for o, grp in d.groupby("origin", sort=True):
        out.append(f"Origin \t{int(o)}")
        cells = [
            f"{int(j):5d} : {float(v)!r};"
            for j, v in zip(grp["destination"], grp["volume"], strict=True)
        ]
        for i in range(0, len(cells), 5):
            out.append("    " + " ".join(cells[i : i + 5]))
        out.append("")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def read_flows(path: Path) -> pd.DataFrame:
    """Read a ``_flow.tntp`` file into from_node, to_node, volume, cost."""
    import pandas as pd

    rows = []
    for lineno, line in enumerate(_read_text(path).splitlines(), start=1):
        parts = line.replace(";", " ").split()
        if not parts or not parts[0].isdigit():
            continue
        if len(parts) < 3:
            raise InputError("expected from, to, volume[, cost]", file=str(path), row=lineno)
        try:
            rows.append(
                (
                    int(parts[0]),
                    int(parts[1]),
                    float(parts[2]),
                    float(parts[3]) if len(parts) > 3 else np.nan,
                )
            )
        except ValueError:
            raise InputError(f"not a number in {parts[:4]}", file=str(path), row=lineno) from None
    return pd.DataFrame(rows, columns=["from_node", "to_node", "volume", "cost"])
