"""A corpus of corrupted network files per format, made from SiouxFalls.

Each :class:`Mutation` is one known defect (NaN capacity, an infinite length, a
dangling node, ...) written into one format (CSV, Parquet, GeoJSON, GeoPackage, GMNS,
TNTP), or a byte-level corruption of a valid file (truncation, flipped bytes, garbage).
``expect`` says what a correct reader + validator must do with it:

- ``"reject"``: an error (:class:`~serai.errors.SeraiError` at read, or a validation
  error);
- ``"flag"``: at least a warning (unusual but usable data);
- ``"any"``: anything but a foreign exception (the defect may be harmless, e.g. a
  truncation at a line end).

The corpus is made with pandas/pyogrio/json directly (not serai's writers), so a
writer that refuses bad data does not hide a reader's weakness.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SIOUX = Path(__file__).resolve().parents[1] / "data" / "SiouxFalls"
FORMATS = ("csv", "parquet", "geojson", "gpkg", "gmns", "tntp")


@dataclass(frozen=True)
class Mutation:
    name: str
    fmt: str
    expect: str  # reject | flag | any
    path: Path


# ----------------------------------------------------------------------------- base tables


def base_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """SiouxFalls nodes (lon/lat) and links with mode/status, straight from the TNTP text."""
    rows = []
    for line in (SIOUX / "SiouxFalls_net.tntp").read_text().splitlines():
        parts = line.replace(";", " ").split()
        if len(parts) >= 10 and parts[0].isdigit():
            rows.append([float(v) for v in parts[:10]])
    a = np.array(rows)
    links = pd.DataFrame(
        {
            "link_id": np.arange(1, len(a) + 1),
            "from_node": a[:, 0].astype(int),
            "to_node": a[:, 1].astype(int),
            "capacity": a[:, 2],
            "length": a[:, 3],
            "free_flow_time": a[:, 4],
            "alpha": a[:, 5],
            "beta": a[:, 6],
            "toll": a[:, 8],
            "mode": "road",
            "status": "operational",
        }
    )
    nrows = []
    for line in (SIOUX / "SiouxFalls_node.tntp").read_text().splitlines()[1:]:
        p = line.replace(";", " ").split()
        if p:
            nrows.append((int(p[0]), float(p[1]), float(p[2])))
    nodes = pd.DataFrame(nrows, columns=["node_id", "x", "y"])
    nodes["is_zone"] = True
    return nodes, links


# ------------------------------------------------------------------------- raw writers


def _csv_dir(nodes, links, out: Path, meta: dict, suffix: str = ".csv") -> Path:
    out.mkdir(parents=True)
    for name, df in (("nodes", nodes), ("links", links)):
        if suffix == ".csv":
            df.to_csv(out / f"{name}.csv", index=False)
        else:
            df.to_parquet(out / f"{name}.parquet", index=False)
    (out / "network.json").write_text(json.dumps(meta))
    return out


def _gmns_dir(nodes, links, out: Path, meta: dict) -> Path:
    out.mkdir(parents=True)
    n = nodes.rename(columns={"x": "x_coord", "y": "y_coord"})
    n.to_csv(out / "node.csv", index=False)
    lk = links.rename(
        columns={
            "from_node": "from_node_id",
            "to_node": "to_node_id",
            "alpha": "vdf_alpha",
            "beta": "vdf_beta",
            "free_flow_time": "vdf_fftt",
            "mode": "allowed_uses",
        }
    )
    if "length" in lk:
        lk["length"] = lk["length"] * 1000.0
    lk.to_csv(out / "link.csv", index=False)
    cfg = {"long_length": "m", "speed": "kph"}
    if "crs" in meta:
        cfg["crs"] = meta["crs"] or ""
    pd.DataFrame([cfg]).to_csv(out / "config.csv", index=False)
    return out


def _geojson(nodes, links, out: Path, meta: dict) -> Path:
    feats = []
    xy = {}
    for r in nodes.to_dict("records"):
        x, y = r.pop("x", None), r.pop("y", None)
        xy[r.get("node_id")] = (x, y)
        geom = {"type": "Point", "coordinates": [x, y]} if x is not None else None
        feats.append({"type": "Feature", "geometry": geom, "properties": {"table": "nodes", **r}})
    for r in links.to_dict("records"):
        g = r.pop("geometry", None)
        if g is None:
            a, b = xy.get(r.get("from_node")), xy.get(r.get("to_node"))
            g = [list(a), list(b)] if a and b else None
        geom = {"type": "LineString", "coordinates": g} if g else None
        feats.append({"type": "Feature", "geometry": geom, "properties": {"table": "links", **r}})
    doc = {"type": "FeatureCollection", "features": feats, "serai": {"meta": meta}}
    out.write_text(json.dumps(doc, default=_plain))  # allow_nan: NaN / Infinity tokens
    return out


def _plain(v):
    if isinstance(v, np.generic):
        return v.item()
    raise TypeError(type(v))


def _gpkg(nodes, links, out: Path, meta: dict) -> Path:
    import pyogrio.raw as raw
    import shapely

    crs = meta.get("crs", "EPSG:4326")

    def fields(df):
        data, names = [], []
        for c in df.columns:
            s = df[c]
            if s.dtype == object:
                arr = np.array([None if v is None else str(v) for v in s], dtype=object)
            else:
                arr = s.to_numpy()
            data.append(arr)
            names.append(str(c))
        return data, names

    pts = shapely.points(nodes["x"].to_numpy(float), nodes["y"].to_numpy(float))
    d, nm = fields(nodes.drop(columns=["x", "y"]))
    raw.write(out, shapely.to_wkb(pts), d, nm, layer="nodes", driver="GPKG",
              geometry_type="Point", crs=crs)  # fmt: skip
    xy = dict(zip(nodes["node_id"], zip(nodes["x"], nodes["y"], strict=True), strict=True))
    lines = []
    for r in links.itertuples(index=False):
        g = getattr(r, "geometry", None)
        if g is not None and not (isinstance(g, float) and np.isnan(g)):
            lines.append(shapely.linestrings(g))
        else:
            a, b = xy.get(r.from_node), xy.get(r.to_node)
            lines.append(shapely.linestrings([a, b]) if a and b else None)
    d, nm = fields(links.drop(columns=[c for c in ("geometry",) if c in links.columns]))
    raw.write(out, shapely.to_wkb(np.array(lines, dtype=object)), d, nm, layer="links",
              driver="GPKG", geometry_type="LineString", crs=crs)  # fmt: skip
    return out


def _tntp(nodes, links, out: Path, meta: dict) -> Path:
    n_nodes = meta.get("tntp_nodes", len(nodes))
    head = [
        "<NUMBER OF ZONES> 24",
        f"<NUMBER OF NODES> {n_nodes}",
        "<FIRST THRU NODE> 1",
        f"<NUMBER OF LINKS> {meta.get('tntp_links', len(links))}",
        "<END OF METADATA>",
        "",
        "~\tinit_node\tterm_node\tcapacity\tlength\tfree_flow_time\tb\tpower\tspeed\ttoll\tlink_type\t;",
    ]
    body = []
    for r in links.itertuples(index=False):
        vals = [r.from_node, r.to_node, r.capacity, r.length, r.free_flow_time, r.alpha, r.beta,
                0, r.toll, 1]  # fmt: skip
        body.append("\t" + "\t".join(str(v) for v in vals) + "\t;")
    out.write_text("\n".join(head + body) + "\n")
    node_file = out.with_name(out.name.replace("_net", "_node"))
    rows = [f"{i}\t{x}\t{y}\t;" for i, x, y in zip(nodes.node_id, nodes.x, nodes.y, strict=True)]
    node_file.write_text("Node\tX\tY\t;\n" + "\n".join(rows) + "\n")
    return out


def write_raw(fmt: str, nodes, links, folder: Path, meta: dict | None = None) -> Path:
    """Write tables in ``fmt`` without any check; returns the path to read."""
    meta = {"crs": "EPSG:4326", **(meta or {})}
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        return _csv_dir(nodes, links, folder / "net_csv", meta)
    if fmt == "parquet":
        return _csv_dir(nodes, links, folder / "net_parquet", meta, ".parquet")
    if fmt == "gmns":
        return _gmns_dir(nodes, links, folder / "net_gmns", meta)
    if fmt == "geojson":
        return _geojson(nodes, links, folder / "net.geojson", meta)
    if fmt == "gpkg":
        return _gpkg(nodes, links, folder / "net.gpkg", meta)
    if fmt == "tntp":
        return _tntp(nodes, links, folder / "x_net.tntp", meta)
    raise ValueError(fmt)


# ------------------------------------------------------------------- semantic mutations

Edit = Callable[[pd.DataFrame, pd.DataFrame, dict], None]


def _set(table: str, col: str, value, row: int = 4) -> Edit:
    def edit(nodes, links, meta):
        df = nodes if table == "nodes" else links
        if col not in df.columns:
            df[col] = pd.Series([None] * len(df), dtype=object)
        if df[col].dtype != object and isinstance(value, str):
            df[col] = df[col].astype(object)
        if df[col].dtype.kind in "iu" and isinstance(value, float):
            df[col] = df[col].astype(float)
        df.loc[row, col] = value

    return edit


def _meta(**kw) -> Edit:
    def edit(nodes, links, meta):
        meta.update(kw)

    return edit


def _all(table: str, col: str, value) -> Edit:
    def edit(nodes, links, meta):
        df = nodes if table == "nodes" else links
        df[col] = value

    return edit


def _drop_rows(table: str) -> Edit:
    def edit(nodes, links, meta):
        if table == "nodes":
            return nodes.iloc[0:0], links
        return nodes, links.iloc[0:0]

    return edit


def _far_geometry(nodes, links, meta):
    links["geometry"] = None
    links["geometry"] = links["geometry"].astype(object)
    links.at[3, "geometry"] = [[10.0, 50.0], [11.0, 51.0]]


def _dup_node(nodes, links, meta):
    nodes.loc[len(nodes)] = nodes.loc[0]


_ALL_FMT = FORMATS
_TABLE_FMT = ("csv", "parquet", "geojson", "gpkg", "gmns")
_GEO_FMT = ("csv", "parquet", "geojson", "gpkg", "gmns")

#: name -> (edit, expect, formats)
SEMANTIC: dict[str, tuple[Edit, str, tuple[str, ...]]] = {
    "nan_capacity": (_set("links", "capacity", float("nan")), "flag", _ALL_FMT),
    "inf_capacity": (_set("links", "capacity", float("inf")), "reject", _ALL_FMT),
    "zero_capacity": (_set("links", "capacity", 0.0), "reject", _ALL_FMT),
    "neg_capacity": (_set("links", "capacity", -5.0), "reject", _ALL_FMT),
    "inf_length": (_set("links", "length", float("inf")), "reject", _ALL_FMT),
    "nan_length_tntp": (_set("links", "length", float("nan")), "reject", ("tntp",)),
    "neg_length": (_set("links", "length", -1.0), "reject", _ALL_FMT),
    "zero_length": (_set("links", "length", 0.0), "flag", _ALL_FMT),
    "huge_length": (_set("links", "length", 1e300), "reject", _ALL_FMT),
    "inf_fft": (_set("links", "free_flow_time", float("inf")), "reject", _ALL_FMT),
    "nan_fft": (_set("links", "free_flow_time", float("nan")), "flag", _ALL_FMT),
    "neg_fft": (_set("links", "free_flow_time", -3.0), "reject", _ALL_FMT),
    "neg_alpha": (_set("links", "alpha", -0.15), "reject", _ALL_FMT),
    "inf_beta": (_set("links", "beta", float("inf")), "reject", _ALL_FMT),
    "nan_beta_tntp": (_set("links", "beta", float("nan")), "reject", ("tntp",)),
    "inf_toll": (_set("links", "toll", float("inf")), "reject", _ALL_FMT),
    "neg_toll": (_set("links", "toll", -1.0), "reject", _ALL_FMT),
    "text_capacity": (_set("links", "capacity", "abc"), "reject", ("csv", "gmns", "geojson")),
    "lon_out_of_range": (_set("nodes", "x", 200.0), "reject", _GEO_FMT),
    "lat_out_of_range": (_set("nodes", "y", -95.0), "reject", _GEO_FMT),
    "inf_coordinate": (_set("nodes", "x", float("inf")), "reject", ("csv", "parquet", "gmns")),
    "crs_3857_on_lonlat": (_meta(crs="EPSG:3857"), "reject", ("csv", "parquet", "gpkg", "gmns")),
    "unknown_crs": (_meta(crs="EPSG:999999"), "reject", ("csv", "parquet", "gmns")),
    "geometry_far_from_nodes": (_far_geometry, "reject", ("geojson", "gpkg")),
    "dup_link_id": (_set("links", "link_id", 1), "reject", _TABLE_FMT),
    "dup_node_id": (_dup_node, "reject", _TABLE_FMT),
    "dangling_to_node": (_set("links", "to_node", 999), "reject", _TABLE_FMT),
    "tntp_nodes_metadata_4": (_meta(tntp_nodes=4), "reject", ("tntp",)),
    "tntp_links_metadata": (_meta(tntp_links=3), "reject", ("tntp",)),
    "tntp_node_9_of_4": (_meta(tntp_nodes=4), "reject", ("tntp",)),
    # GMNS takes its modes from the uses its links name: any text is a mode there
    "unknown_mode": (
        _set("links", "mode", "hovercraft"),
        "reject",
        ("csv", "parquet", "geojson", "gpkg"),
    ),
    "empty_mode": (_set("links", "mode", "  "), "any", _TABLE_FMT),
    "unknown_status": (_set("links", "status", "maybe"), "reject", _TABLE_FMT),
    "empty_links": (_drop_rows("links"), "reject", _ALL_FMT),
    "empty_nodes": (_drop_rows("nodes"), "reject", ("csv", "parquet", "gmns", "gpkg")),
    "nan_link_id": (_set("links", "link_id", float("nan")), "reject", _TABLE_FMT),
    "frac_node_id": (_set("links", "from_node", 1.5), "reject", _TABLE_FMT),
    "huge_node_id": (_set("links", "from_node", 2.0**70), "reject", _TABLE_FMT),
    "self_loop": (_set("links", "to_node", 2, row=2), "flag", _ALL_FMT),
    "electrified_share_2": (_set("links", "electrified_share", 2.0), "reject", _TABLE_FMT),
    "open_year_negative": (_set("links", "open_year", -5), "reject", _TABLE_FMT),
    "unknown_toc": (_set("links", "toc", "warp_drive"), "reject", _TABLE_FMT),
    "bad_is_zone": (_set("nodes", "is_zone", "perhaps"), "reject", ("csv", "gmns", "geojson")),
    "all_nan_fft": (_all("links", "free_flow_time", float("nan")), "flag", _TABLE_FMT),
    "neg_speed": (_set("links", "speed", -50.0), "reject", _TABLE_FMT),
}


def semantic(folder: Path, only: str | None = None) -> Iterator[Mutation]:
    """Every known defect in every format it can be written in (or just defect ``only``)."""
    for name, (edit, expect, fmts) in SEMANTIC.items():
        if only is not None and name != only:
            continue
        for fmt in fmts:
            nodes, links = base_tables()
            meta: dict = {}
            res = edit(nodes, links, meta)
            if res is not None:
                nodes, links = res
            where = folder / f"{name}-{fmt}"
            if where.exists():
                shutil.rmtree(where)
            try:
                path = write_raw(fmt, nodes, links, where, meta)
            except Exception as exc:  # the library cannot even write it: skip
                print(f"corpus: cannot write {name} as {fmt}: {exc}")
                continue
            yield Mutation(name, fmt, expect, path)


# ------------------------------------------------------------------ byte-level mutations


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(f for f in path.iterdir() if f.is_file())
    return [path]


def bytewise(folder: Path, n_per_format: int = 20, seed: int = 12) -> Iterator[Mutation]:
    """Truncations, flipped bytes, garbage, empty and deeply nested files of valid networks."""
    rng = random.Random(seed)
    for fmt in FORMATS:
        for k in range(n_per_format):
            nodes, links = base_tables()
            where = folder / f"bytes{k}-{fmt}"
            if where.exists():
                shutil.rmtree(where)
            path = write_raw(fmt, nodes, links, where)
            targets = [f for f in _files(path) if not f.name.endswith("_node.tntp")]
            f = rng.choice(targets)
            data = bytearray(f.read_bytes())
            kind = ("truncate", "flip", "garbage", "empty", "dup_line", "nul", "latin1",
                    "nest")[k % 8]  # fmt: skip
            expect = "any"
            if kind == "truncate":
                data = data[: rng.randrange(1, max(2, len(data) - 1))]
            elif kind == "flip":
                for _ in range(rng.randint(1, 8)):
                    i = rng.randrange(len(data))
                    data[i] = rng.randrange(256)
            elif kind == "garbage":
                data = bytearray(rng.randbytes(rng.randint(1, 4000)))
                expect = "reject"
            elif kind == "empty":
                data = bytearray()
                expect = "reject" if f.name not in ("network.json",) else "any"
            elif kind == "dup_line":
                lines = bytes(data).split(b"\n")
                i = rng.randrange(1, max(2, len(lines)))
                lines.insert(i, lines[min(i, len(lines) - 1)])
                data = bytearray(b"\n".join(lines))
            elif kind == "nul":
                i = rng.randrange(len(data))
                data[i:i] = b"\x00" * rng.randint(1, 50)
            elif kind == "latin1":
                data = bytearray(bytes(data).replace(b"e", b"\xe9"))
            elif kind == "nest":
                if f.suffix in (".geojson", ".json"):
                    data = bytearray(b"[" * 200000 + b"]" * 200000)
                    expect = "reject"
                else:
                    data = bytearray(data[: len(data) // 2]) + bytearray(rng.randbytes(64))
            f.write_bytes(bytes(data))
            yield Mutation(f"{kind}:{f.name}", fmt, expect, path)


def corpus(folder: Path, n_bytes_per_format: int = 20) -> list[Mutation]:
    """The whole corpus (semantic defects in every format, then byte-level corruption)."""
    folder.mkdir(parents=True, exist_ok=True)
    return list(semantic(folder)) + list(bytewise(folder, n_bytes_per_format))
