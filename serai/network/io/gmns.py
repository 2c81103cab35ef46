"""GMNS (General Modeling Network Specification): a directory with ``node.csv`` and ``link.csv``.

Column mapping (GMNS field -> serai column)
-------------------------------------------
``node.csv``: ``node_id`` -> ``node_id``, ``x_coord``/``y_coord`` -> ``x``/``y``,
``node_type`` -> ``kind``, ``name`` -> ``name``; ``zone_id`` is kept as a column and a
node is a zone (``is_zone``) when its ``zone_id`` equals its ``node_id`` or its
``node_type`` is ``centroid``/``zone``. On writing, zones get ``zone_id = node_id``
unless the network already has a ``zone_id`` column.

``link.csv``: ``link_id``, ``from_node_id``/``to_node_id`` -> ``from_node``/``to_node``,
``length`` (converted to km), ``free_speed`` -> ``speed`` (converted to km/h),
``capacity`` (GMNS: per lane per hour) times ``lanes`` -> ``capacity`` (per link;
``lanes`` missing counts as one lane), ``vdf_alpha``/``vdf_beta`` -> ``alpha``/``beta``,
``vdf_fftt`` (minutes, the DTALite convention) -> ``free_flow_time``, ``toll``,
``link_type``, ``name``, ``geometry`` (WKT) as they are; ``allowed_uses`` -> ``mode``
(its first use; the full list stays in an ``allowed_uses`` column when a link allows
several). Without ``vdf_fftt``, ``free_flow_time`` is derived as length / speed.
Links with ``directed`` false are two-way: a reverse link is added with a new id
(``max(link_id) + 1, ...``) and the reversed geometry. Every other field is kept
under its own name, both ways.

Units
-----
GMNS gives units in an optional one-row ``config.csv`` (``long_length``, ``speed``).
When it is absent, serai assumes **metres** and **km/h**, the units osm2gmns
writes (the spec's own defaults are miles and mph: pass ``length_unit="mi",
speed_unit="mph"`` for such files). Writers always use metres and km/h and write a
``config.csv`` that says so, so both kinds of reader get it right.

``use_definition.csv`` is read as the modes table (``use`` -> ``mode``) and written
from it; when absent, the modes are the uses the links name. Any other ``*.csv`` in
the directory is read as a table of that name (and other tables are written so);
network metadata is kept in ``serai.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from serai.errors import InputError
from serai.network.core import Network
from serai.network.io._common import (
    check_required,
    check_unique_columns,
    checked_table,
    column_dtypes,
    jsonable_meta,
    line_to_wkt,
    read_meta,
    restore_dtypes,
    wkt_to_line,
)

__all__ = ["read", "write"]

# Length units to km, speed units to km/h.
_LENGTH = {
    "m": 0.001,
    "meter": 0.001,
    "meters": 0.001,
    "metre": 0.001,
    "metres": 0.001,
    "km": 1.0,
    "kilometer": 1.0,
    "kilometers": 1.0,
    "kilometre": 1.0,
    "kilometres": 1.0,
    "mi": 1.609344,
    "mile": 1.609344,
    "miles": 1.609344,
    "ft": 0.0003048,
    "feet": 0.0003048,
    "foot": 0.0003048,
}
_SPEED = {
    "kph": 1.0,
    "km/h": 1.0,
    "kmh": 1.0,
    "kmph": 1.0,
    "mph": 1.609344,
    "mi/h": 1.609344,
    "m/s": 3.6,
}
_NODE_MAP = {"x_coord": "x", "y_coord": "y", "node_type": "kind"}
_LINK_MAP = {
    "from_node_id": "from_node",
    "to_node_id": "to_node",
    "free_speed": "speed",
    "vdf_alpha": "alpha",
    "vdf_beta": "beta",
    "vdf_fftt": "free_flow_time",
}
_META_FILE = "serai.json"


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read table: {exc}", file=str(path)) from None
    df.columns = [str(c).strip() for c in df.columns]
    check_unique_columns(df, str(path))
    return df


def _unit(table: dict[str, float], name: str, given: str | None, default: str, file: str) -> float:
    text = (given or default).strip().lower()
    if text not in table:
        raise InputError(
            f"unknown unit {text!r}; known: {', '.join(sorted(table))}", file=file, field=name
        )
    return table[text]


def _number(df: pd.DataFrame, col: str, file: str) -> pd.Series:
    """A numeric GMNS column, raising on text that is not a number."""
    checked = pd.to_numeric(df[col], errors="coerce")
    given = df[col].notna() & df[col].astype(str).str.strip().ne("")
    bad = np.flatnonzero((given & checked.isna()).to_numpy())
    if len(bad):
        i = int(bad[0])
        raise InputError(f"not a number: {df[col].iloc[i]!r}", file=file, row=i + 1, field=col)
    return checked.astype(float)


def read(
    path: Path,
    *,
    length_unit: str | None = None,
    speed_unit: str | None = None,
    **_: object,
) -> Network:
    """Read a GMNS directory (``node.csv``, ``link.csv``, optional ``config.csv``,
    ``use_definition.csv``).

    Parameters
    ----------
    path
        The directory.
    length_unit, speed_unit
        Units of ``link.length`` and ``link.free_speed`` (``m``, ``km``, ``mi``, ``ft``;
        ``kph``, ``mph``, ``m/s``); default from ``config.csv``, else metres and km/h.
    """
    node_file, link_file = path / "node.csv", path / "link.csv"
    for f in (node_file, link_file):
        if not f.exists():
            raise InputError("missing GMNS table", file=str(f))
    config: dict[str, str] = {}
    config_file = path / "config.csv"
    if config_file.exists():
        cfg = _read_csv(config_file)
        if len(cfg):
            config = {k: v for k, v in cfg.iloc[0].items() if isinstance(v, str)}
    lf, nf = str(link_file), str(node_file)
    km_per = _unit(_LENGTH, "long_length", length_unit or config.get("long_length"), "m", lf)
    kmh_per = _unit(_SPEED, "speed", speed_unit or config.get("speed"), "kph", lf)

    nodes = _read_csv(node_file)
    if "node_id" not in nodes.columns:
        raise InputError("required column is missing", file=nf, field="node_id")
    nodes = nodes.rename(columns={k: v for k, v in _NODE_MAP.items() if k in nodes.columns})
    check_unique_columns(nodes, nf, _NODE_MAP)
    zone = (
        _number(nodes, "zone_id", nf)
        if "zone_id" in nodes.columns
        else pd.Series(np.nan, index=nodes.index)
    )
    nid = pd.to_numeric(nodes["node_id"], errors="coerce")
    kind = (
        nodes["kind"].str.lower() if "kind" in nodes.columns else pd.Series("", index=nodes.index)
    )
    if "is_zone" not in nodes.columns:
        nodes["is_zone"] = ((zone == nid) | kind.isin(["centroid", "zone"])).to_numpy()
    if "zone_id" in nodes.columns:
        flags = nodes["is_zone"].astype(str).str.strip().str.lower().isin(["true", "1", "yes"])
        derived = nid.where(flags.to_numpy())
        if ((derived == zone) | (derived.isna() & zone.isna())).all():
            nodes = nodes.drop(columns=["zone_id"])  # it only says which nodes are zones
    nodes = checked_table(nodes, "nodes", nf, rename={v: k for k, v in _NODE_MAP.items()})

    links = _read_csv(link_file)
    rename_back = {v: k for k, v in _LINK_MAP.items()}
    links = links.rename(columns={k: v for k, v in _LINK_MAP.items() if k in links.columns})
    check_unique_columns(links, lf, _LINK_MAP)
    check_required(links, "links", lf, rename_back)
    if "length" in links.columns:
        links["length"] = _number(links, "length", lf) * km_per
    if "speed" in links.columns:
        links["speed"] = _number(links, "speed", lf) * kmh_per
    if "capacity" in links.columns:
        lanes = _number(links, "lanes", lf) if "lanes" in links.columns else 1.0
        lanes = lanes.fillna(1.0) if isinstance(lanes, pd.Series) else lanes
        links["capacity"] = _number(links, "capacity", lf) * lanes
    if "allowed_uses" in links.columns:
        uses = links["allowed_uses"].fillna("").astype(str)
        first = uses.str.split(r"[,;]", regex=True).str[0].str.strip()
        if "mode" not in links.columns:
            links["mode"] = first.where(first != "", "road")
        if not uses.str.contains(r"[,;]", regex=True).any():
            links = links.drop(columns=["allowed_uses"])
    links = checked_table(links, "links", lf, rename=rename_back)
    if "free_flow_time" not in links.columns and {"length", "speed"} <= set(links.columns):
        links["free_flow_time"] = links["length"] / links["speed"] * 60.0
    links = _two_way(links, lf)

    tables: dict[str, pd.DataFrame] = {}
    sources = {"nodes": nf, "links": lf}
    use_file = path / "use_definition.csv"
    if use_file.exists():
        modes = _read_csv(use_file)
        if "use" not in modes.columns:
            raise InputError("required column is missing", file=str(use_file), field="use")
        modes = modes.rename(columns={"use": "mode"}).fillna({"description": ""})
        tables["modes"] = checked_table(modes, "modes", str(use_file), rename={"mode": "use"})
        sources["modes"] = str(use_file)
    elif "mode" in links.columns:
        used = sorted(set(links["mode"].astype(str)))
        tables["modes"] = pd.DataFrame(
            {"mode": used, "description": ["GMNS use (from link.allowed_uses)."] * len(used)}
        )
        sources["modes"] = lf
    known = {"node.csv", "link.csv", "config.csv", "use_definition.csv"}
    for f in sorted(path.glob("*.csv")):
        if f.name not in known:
            tables[f.stem] = checked_table(_read_csv(f), f.stem, str(f))
            sources[f.stem] = str(f)
    meta = read_meta(path / _META_FILE)
    dtypes = meta.pop("_columns", {})
    if dtypes:  # written by serai: drop what this reader derived and the network did not have
        if "is_zone" not in dtypes.get("nodes", {"is_zone": ""}):
            nodes = nodes.drop(columns=["is_zone"], errors="ignore")
        if "free_flow_time" not in dtypes.get("links", {"free_flow_time": ""}):
            links = links.drop(columns=["free_flow_time"], errors="ignore")
        if "modes" not in dtypes:  # use_definition.csv was written from the built-in modes
            tables.pop("modes", None)
            sources.pop("modes", None)
    nodes, links = (
        restore_dtypes(nodes, dtypes.get("nodes", {})),
        restore_dtypes(links, dtypes.get("links", {})),
    )
    tables = {n: restore_dtypes(df, dtypes.get(n, {})) for n, df in tables.items()}
    meta.setdefault("name", config.get("dataset_name") or path.name)
    if "crs" not in meta:
        meta["crs"] = config.get("crs") or "EPSG:4326"
    meta["sources"] = sources
    return Network.from_tables(nodes=nodes, links=links, meta=meta, **tables)


def _two_way(links: pd.DataFrame, file: str) -> pd.DataFrame:
    """Add the reverse of every undirected link (GMNS ``directed`` false)."""
    if "directed" not in links.columns:
        return links
    text = links["directed"].fillna("true").astype(str).str.strip().str.lower()
    flag = text.map({"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False})
    if flag.isna().any():
        i = int(np.flatnonzero(flag.isna().to_numpy())[0])
        raise InputError(
            f"not true or false: {links['directed'].iloc[i]!r}",
            file=file,
            row=i + 1,
            field="directed",
        )
    back = links.loc[~flag.to_numpy(bool)].copy()
    if not len(back):
        return links.drop(columns=["directed"])
    start = int(links["link_id"].max()) + 1
    back["link_id"] = np.arange(start, start + len(back), dtype=np.int64)
    back["from_node"], back["to_node"] = (
        links.loc[back.index, "to_node"],
        links.loc[back.index, "from_node"],
    )
    if "geometry" in back.columns:
        back["geometry"] = [
            line_to_wkt(wkt_to_line(g)[::-1]) if isinstance(g, str) and g.strip() else ""
            for g in back["geometry"]
        ]
    return pd.concat([links, back], ignore_index=True).drop(columns=["directed"])


def write(network: Network, path: Path, **_: object) -> None:
    """Write a GMNS directory: ``node.csv``, ``link.csv``, ``use_definition.csv``,
    ``config.csv`` (metres, km/h) and ``serai.json`` (network metadata)."""
    path.mkdir(parents=True)
    nodes = network.nodes.copy()
    if "zone_id" not in nodes.columns and "is_zone" in nodes.columns:
        zones = nodes["is_zone"].astype(bool)
        nodes["zone_id"] = nodes["node_id"].astype("Int64").where(zones)
    nodes = nodes.rename(columns={v: k for k, v in _NODE_MAP.items()})
    nodes.to_csv(path / "node.csv", index=False)

    links = network.links.copy()
    if "length" in links.columns:
        links["length"] = links["length"] * 1000.0
    if "capacity" in links.columns and "lanes" in links.columns:
        lanes = pd.to_numeric(links["lanes"], errors="coerce").fillna(1.0).replace(0, 1.0)
        links["capacity"] = links["capacity"] / lanes
    mode = links["mode"] if "mode" in links.columns else pd.Series("road", index=links.index)
    if "allowed_uses" in links.columns:
        given = links["allowed_uses"].fillna("").astype(str)
        links["allowed_uses"] = given.where(given.str.strip() != "", mode)
    else:
        links["allowed_uses"] = mode
    links = links.drop(columns=[c for c in ("mode",) if c in links.columns])
    links["directed"] = True
    links = links.rename(columns={v: k for k, v in _LINK_MAP.items()})
    links.to_csv(path / "link.csv", index=False)

    modes = network.modes.rename(columns={"mode": "use"})
    modes.to_csv(path / "use_definition.csv", index=False)
    for name, df in network.tables.items():
        if name not in ("nodes", "links", "modes"):
            df.to_csv(path / f"{name}.csv", index=False)
    crs = network.meta.get("crs")
    config = pd.DataFrame(
        [
            {
                "dataset_name": network.name,
                "short_length": "m",
                "long_length": "m",
                "speed": "kph",
                "crs": "" if crs is None else str(crs),
                "geometry_field_format": "WKT",
                "currency": "",
                "version_number": "0.96",
            }
        ]
    )
    config.to_csv(path / "config.csv", index=False)
    meta = jsonable_meta(network.meta)
    meta["_columns"] = column_dtypes(network.tables)  # restores user columns' dtypes
    (path / _META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
