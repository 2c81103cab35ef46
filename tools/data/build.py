"""Build the embedded Eurasian multimodal network (``serai data build``).

Inputs: ``tools/data/raw`` (vendored open data, see ``raw/SOURCES.md``),
``tools/data/anchors.csv`` (corridor nodes), ``tools/data/connectors.csv`` (listed
bridges over gaps of the source graph) and, when present, the curated fact tables
in ``tools/data/facts`` (see ``facts/README.md``). Output: one Parquet file per
table plus ``network.json`` in ``serai/data/eurasia`` (readable with
``serai.network.read_network`` and loaded by ``serai.data.load_eurasia``).

The build is deterministic: every table is sorted and rounded before writing. This module
runs the stages in order; each stage lives in :mod:`tools.data.steps` (the names it had
here are still importable from this module).
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from tools.data.geo import Countries
from tools.data.steps.borders import (
    _border_crossings,
    _closed_transit,
    _connectors_table,
    _gauge_breaks,
    _stamp_closures,
)
from tools.data.steps.common import (
    _LAND,
    ACCESS_DETOUR,
    BROAD_GAUGE,
    FACTS,
    GAUGE_EXCEPTIONS,
    HERE,
    ID_BASE,
    LINE_SNAP_KM,
    MAX_ACCESS_KM,
    OUT,
    RAW,
    REPO,
    TOWN_POPULATION,
    TRANSFER_KM,
    ShapeStore,
    _gauge,
    _in_box,
    _land,
    _src,
    _undirected_to_links,
)
from tools.data.steps.finish import (
    _at_least_great_circle,
    _finish_links,
    _finish_nodes,
    _open_with_lines,
)
from tools.data.steps.land import (
    _attach_points,
    _ferry_links,
    _final_snaps,
    land_modes,
    snap_points,
    transfers,
)
from tools.data.steps.lines import (
    _add_fact_lines,
    _add_services,
    _path_geometry,
    _rail_distance,
    _tag_lines,
)
from tools.data.steps.sources import (
    _point_values,
    _points,
    _read_csv,
    _speeds,
    _towns,
    load_facts,
)
from tools.data.steps.water import (
    _expansions,
    _port_access,
    _waterways,
    port_table,
    sea_and_waterways,
)
from tools.data.steps.write import CHECK_YEARS, _write, _write_into, anomalies

__all__ = [
    "ACCESS_DETOUR",
    "BROAD_GAUGE",
    "CHECK_YEARS",
    "FACTS",
    "GAUGE_EXCEPTIONS",
    "HERE",
    "ID_BASE",
    "LINE_SNAP_KM",
    "MAX_ACCESS_KM",
    "OUT",
    "RAW",
    "REPO",
    "TOWN_POPULATION",
    "TRANSFER_KM",
    "_LAND",
    "ShapeStore",
    "_add_fact_lines",
    "_add_services",
    "_at_least_great_circle",
    "_attach_points",
    "_border_crossings",
    "_closed_transit",
    "_connectors_table",
    "_expansions",
    "_ferry_links",
    "_final_snaps",
    "_finish_links",
    "_finish_nodes",
    "_gauge",
    "_gauge_breaks",
    "_in_box",
    "_land",
    "_open_with_lines",
    "_path_geometry",
    "_point_values",
    "_points",
    "_port_access",
    "_rail_distance",
    "_read_csv",
    "_speeds",
    "_src",
    "_stamp_closures",
    "_tag_lines",
    "_towns",
    "_undirected_to_links",
    "_waterways",
    "_write",
    "_write_into",
    "anomalies",
    "build",
    "land_modes",
    "load_facts",
    "main",
    "port_table",
    "sea_and_waterways",
    "snap_points",
    "transfers",
]  # fmt: skip


def build(
    out: Path = OUT,
    *,
    raw: Path = RAW,
    facts_dir: Path = FACTS,
    log=print,
    overwrite: bool = True,
    check: bool = True,
) -> dict:
    """Run the whole build and write the network to ``out``. Returns a report dict.

    ``out`` is replaced as a whole at the end (``serai._fs.replace_folder``): an
    interrupted build leaves the previous one intact, and files in ``out`` that the
    build did not write are kept; without ``overwrite`` a build refuses to replace
    files there that an earlier build did not write. With ``check`` (default) the new
    network replaces ``out`` only if ``serai data check`` finds no anomaly in it, today and
    in 2030 (planned lines open); else an InputError names the counts and ``out`` is kept.
    """
    t0 = time.perf_counter()
    # ---- sources ------------------------------------------------------------------------------
    countries = Countries.from_topojson(
        raw / "countries-10m.json", codes_from=raw / "ne_50m_admin_0_countries.json"
    )
    anchors = pd.read_csv(HERE / "anchors.csv", dtype=str, keep_default_na=False)
    connectors = pd.read_csv(HERE / "connectors.csv", keep_default_na=False)
    ferries = pd.read_csv(HERE / "ferries.csv", keep_default_na=False)
    facts = load_facts(facts_dir)
    points = _points(facts, anchors)
    log(f"facts tables: {', '.join(sorted(facts)) or 'none'}; {len(points)} named points")
    shapes = ShapeStore()

    # ---- land modes, sea, waterways, ports ----------------------------------------------------
    node_frames, link_frames, bridge_frames, land = land_modes(
        raw, points, connectors, ferries, countries, shapes.add, log
    )
    ports, sea_nodes, sea_links, ww_nodes, ww_links = sea_and_waterways(raw, shapes.add, log)
    port_nodes, expansions = port_table(ports, points, countries, facts)
    node_frames += [sea_nodes, ww_nodes, port_nodes]
    # port <-> the water node it reaches with the least land crossed (port access, country of
    # the port): a sea node (mode sea), else a waterway node (mode inland_waterway)
    access = _port_access(port_nodes, sea_nodes, ww_nodes, shapes.add, log)
    link_frames += [sea_links, ww_links, access]
    nodes = pd.concat(node_frames, ignore_index=True)
    links = pd.concat(link_frames, ignore_index=True)

    # ---- snap named points to the land networks; transfers ------------------------------------
    snaps = snap_points(land, points)
    links, access_bridges = transfers(land, port_nodes, points, snaps, nodes, links)
    bridge_frames += access_bridges
    nodes = _attach_points(nodes, snaps, points)

    # ---- facts: lines, services --------------------------------------------------------------
    links, nodes = _add_fact_lines(links, nodes, snaps, facts, points, log, countries)
    links = _tag_lines(links, nodes, facts, log)
    links = _add_services(links, nodes, facts, log, shapes.geometry(), shapes.add)

    # ---- defaults, status, ids; borders ------------------------------------------------------
    nodes, links = _closed_transit(nodes, links, log)
    links = _at_least_great_circle(links, nodes, log)
    links = _finish_links(links, _speeds())
    nodes = _finish_nodes(nodes)
    nodes = _open_with_lines(nodes, links)
    links = _stamp_closures(links, nodes, facts)
    snaps = _final_snaps(snaps, nodes, log)
    tables = {
        "nodes": nodes, "links": links, "shapes": shapes.table(),
        "border_crossings": _border_crossings(links, nodes, facts),
        "gauge_breaks": _gauge_breaks(links, nodes, facts),
        "connectors": _connectors_table(bridge_frames), "points": snaps.merge(
            points[["point_id", "name", "aliases", "unlocode", "lat", "lon"]], on="point_id"
        ).sort_values(["point_id", "mode"]),
        "expansions": expansions,
    }  # fmt: skip
    for name in ("terminals", "services", "sources", "attributes", "validation_routes", "tariffs",
                 "border_status", "lines"):  # fmt: skip
        if name in facts:
            tables[f"facts_{name}" if name in ("attributes", "lines") else name] = facts[name]
    if "facts_attributes" in tables:
        tables["provenance"] = tables.pop("facts_attributes")

    # ---- write behind the check gate ----------------------------------------------------------
    counts = _write(out, tables, overwrite=overwrite, check=check, log=log)
    report = {
        "anomalies": {("today" if y is None else y): sum(c.values()) for y, c in counts.items()},
        "seconds": round(time.perf_counter() - t0, 1),
        "nodes": len(nodes),
        "links": len(links),
        "links_by_mode": links["mode"].value_counts().sort_index().to_dict(),
        "bytes": sum(f.stat().st_size for f in out.glob("*.parquet")),
    }
    log(f"wrote {out} in {report['seconds']} s: {report}")
    return report


def main() -> None:  # pragma: no cover
    build()


if __name__ == "__main__":  # pragma: no cover
    main()
