"""Make serai/api/static/countries.geojson from Natural Earth 1:50m countries (public domain).

Run from the repository root with ../shared beside it:
    .venv/bin/python web/tools/countries.py
Clips to the map's extent, simplifies (0.03 degree) and keeps ISO2 and name.
"""

from __future__ import annotations

import json
from pathlib import Path

import shapely

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT.parent / "shared" / "data" / "geo" / "natural-earth" / "ne_50m_admin_0_countries.json"
OUT = ROOT / "serai" / "api" / "static" / "countries.geojson"
BBOX = (-30.0, -45.0, 160.0, 78.0)


def main() -> None:
    src = json.loads(SRC.read_text(encoding="utf-8"))
    box = shapely.box(*BBOX)
    feats = []
    for f in src["features"]:
        p = f["properties"]
        g = shapely.geometry.shape(f["geometry"])
        if not g.intersects(box):
            continue
        g = shapely.simplify(shapely.intersection(g, box), 0.03, preserve_topology=True)
        if g.is_empty:
            continue
        iso = p.get("ISO_A2_EH") or p.get("ISO_A2")
        if iso in (None, "-99"):
            iso = p.get("ISO_A2") if p.get("ISO_A2") not in (None, "-99") else ""
        geom = json.loads(shapely.to_geojson(shapely.set_precision(g, 0.001)))
        feats.append(
            {
                "type": "Feature",
                "geometry": geom,
                "properties": {"iso2": iso or "", "name": p.get("NAME", "")},
            }
        )
    fc = {
        "type": "FeatureCollection",
        "properties": {"source": "Natural Earth 1:50m admin 0 countries (public domain)"},
        "features": feats,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fc, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {OUT}: {len(feats)} countries, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
