"""Geographic helpers for the build: countries by point-in-polygon, distances, simplification."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["Countries", "haversine_km", "simplify_lines", "topojson_polygons"]

# Natural Earth 4.0 gives ISO_A2 = -99 for a few units; WB_A2 or this table fills them.
_ISO_FIX = {"NOR": "NO", "FRA": "FR", "CYN": "CY", "KAS": "IN", "SOL": "SO"}
EARTH_R = 6371.0088
# Units of the 1:10m countries that the 1:50m file (the source of the codes) does not have.
# Baikonur is Kazakh territory leased to Russia: the Kazakh main line Kyzylorda - Aral runs
# through it (Tyuratam) with no border. Disputed reefs and banks ("") are left out.
_TOPO_FIX = {
    "Baikonur": "KZ",
    "Gibraltar": "GI",
    "Cyprus U.N. Buffer Zone": "CY",
    "Dhekelia": "GB",
    "Akrotiri": "GB",
    "USNB Guantanamo Bay": "US",
    "U.S. Minor Outlying Is.": "UM",
    "Indian Ocean Ter.": "AU",
    "Coral Sea Is.": "AU",
    "Tuvalu": "TV",
    "Clipperton I.": "FR",
    "Spratly Is.": "",
    "Bajo Nuevo Bank": "",
    "Serranilla Bank": "",
    "Scarborough Reef": "",
}


def _ne_code(p: dict) -> str:
    """ISO alpha-2 of a Natural Earth admin-0 feature's properties ("" if none)."""
    code = p["ISO_A2"]
    if code in ("-99", None):
        code = p.get("WB_A2") if p.get("WB_A2") not in ("-99", None) else None
        code = code or _ISO_FIX.get(p["ADM0_A3"], "")
    return code


def topojson_polygons(path: Path):
    """``(name, id, MultiPolygon)`` of each polygon feature of the first object of a TopoJSON.

    Decodes quantised, delta-encoded arcs (``transform``) or plain arcs; an arc index ``~i``
    is arc ``i`` reversed; rings of fewer than 4 points (degenerate at the quantisation) are
    dropped.

    >>> import json, tempfile, pathlib
    >>> topo = {"type": "Topology", "transform": {"scale": [1, 1], "translate": [10, 20]},
    ...         "arcs": [[[0, 0], [2, 0], [0, 2]], [[2, 2], [-2, 0], [0, -2]]],
    ...         "objects": {"c": {"type": "GeometryCollection", "geometries": [
    ...             {"type": "Polygon", "id": "001", "properties": {"name": "Sq"},
    ...              "arcs": [[0, 1]]}]}}}
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.json"
    >>> _ = f.write_text(json.dumps(topo))
    >>> [(n, i, g.area, g.bounds) for n, i, g in topojson_polygons(f)]
    [('Sq', '001', 4.0, (10.0, 20.0, 12.0, 22.0))]
    """
    from shapely.geometry import MultiPolygon, Polygon

    topo = json.loads(Path(path).read_text(encoding="utf-8"))
    tf = topo.get("transform")
    arcs = []
    for a in topo["arcs"]:
        a = np.asarray(a, float)[:, :2]
        if tf:
            a = np.cumsum(a, axis=0) * np.asarray(tf["scale"], float) + np.asarray(
                tf["translate"], float
            )
        arcs.append(a)

    def ring(ix):
        parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in ix]
        pts = np.concatenate([parts[0]] + [p[1:] for p in parts[1:]])
        return pts if len(pts) >= 4 else None

    obj = next(iter(topo["objects"].values()))
    for g in obj["geometries"]:
        if g["type"] not in ("Polygon", "MultiPolygon"):
            continue
        polys = [g["arcs"]] if g["type"] == "Polygon" else g["arcs"]
        out = []
        for rings in polys:
            shell = ring(rings[0])
            if shell is None:
                continue
            holes = [h for h in (ring(r) for r in rings[1:]) if h is not None]
            out.append(Polygon(shell, holes))
        if out:
            yield (
                str(g.get("properties", {}).get("name", "")),
                str(g.get("id", "")),
                MultiPolygon(out),
            )


def haversine_km(lon1, lat1, lon2, lat2):
    """Great-circle distance in km (vectorised)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, float)) for a in (lon1, lat1, lon2, lat2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_R * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


class Countries:
    """Natural Earth admin-0 polygons with a vectorised ISO alpha-2 lookup.

    ``Countries(path)`` reads a GeoJSON of Natural Earth admin-0 countries (1:50m);
    :meth:`from_topojson` reads the 1:10m countries of ``world-atlas`` (TopoJSON), whose
    borders are about five times more precise: at 1:50m, lines that run along a border
    (Edirne - Kapikule, Zhanibek) showed crossings into a neighbour that do not exist.
    """

    def __init__(self, path: Path | None = None, *, geoms=None, iso=None):
        import shapely

        if path is not None:
            geoms, iso = [], []
            for f in json.loads(Path(path).read_text(encoding="utf-8"))["features"]:
                geoms.append(shapely.geometry.shape(f["geometry"]))
                iso.append(_ne_code(f["properties"]))
        self.geoms = list(geoms)
        self.iso = np.array(list(iso), dtype=object)
        self.tree = shapely.STRtree(self.geoms)

    @classmethod
    def from_topojson(cls, path: Path, codes_from: Path) -> Countries:
        """The countries of a world-atlas TopoJSON (``countries-10m.json``).

        Its features carry an ISO 3166 numeric id and a name; the alpha-2 code is the one
        the Natural Earth GeoJSON ``codes_from`` gives that numeric code (or, for units
        without one, that name). A feature whose code cannot be found is an error.
        """
        by_num: dict[str, str] = {}
        by_name: dict[str, str] = {}
        for f in json.loads(Path(codes_from).read_text(encoding="utf-8"))["features"]:
            p = f["properties"]
            code = _ne_code(p)
            if not code:
                continue
            if str(p.get("ISO_N3")) not in ("-99", "None") and p.get("ISO_A2") not in ("-99", None):
                by_num[str(p["ISO_N3"])] = code
            for key in ("NAME", "ADMIN", "NAME_LONG", "BRK_NAME"):
                if p.get(key):
                    by_name.setdefault(str(p[key]), code)
        geoms, iso = [], []
        for name, num, geom in topojson_polygons(path):
            code = _TOPO_FIX.get(name, by_num.get(num) or by_name.get(name))
            if code == "":
                continue
            if code is None:
                raise ValueError(
                    f"{path}: country {name!r} (id {num}) has no ISO code in {codes_from}"
                )
            geoms.append(geom)
            iso.append(code)
        return cls(geoms=geoms, iso=iso)

    def lookup(self, lon, lat, *, nearest_km: float = 0.0) -> np.ndarray:
        """ISO2 of the polygon containing each point ("" if none).

        Points outside every polygon (coast, simplified borders) take the nearest
        polygon's code when it is within ``nearest_km`` (approximate: degrees*111).
        """
        import shapely

        pts = shapely.points(np.asarray(lon, float), np.asarray(lat, float))
        out = np.full(len(pts), "", dtype=object)
        ip, ig = self.tree.query(pts, predicate="within")
        # a point on two polygons (shared border): keep the first hit, deterministic
        order = np.lexsort((ig, ip))
        ip, ig = ip[order], ig[order]
        first = np.ones(len(ip), bool)
        first[1:] = ip[1:] != ip[:-1]
        out[ip[first]] = self.iso[ig[first]]
        if nearest_km > 0:
            miss = np.flatnonzero(out == "")
            if len(miss):
                jp, jg = self.tree.query_nearest(
                    pts[miss], max_distance=nearest_km / 111.0, all_matches=False
                )
                out[miss[jp]] = self.iso[jg]
        return out


def simplify_lines(offsets, seq, lon, lat, tolerance_deg: float):
    """Douglas-Peucker simplified coordinates of each node sequence, rounded to 1e-4 deg.

    Returns (offsets, lon, lat) of the simplified polylines, CSR-style.
    """
    import shapely

    n = len(offsets) - 1
    counts = np.diff(offsets)
    coords = np.column_stack([lon[seq], lat[seq]])
    idx = np.repeat(np.arange(n), counts)
    lines = shapely.linestrings(coords, indices=idx)
    simple = shapely.simplify(lines, tolerance_deg, preserve_topology=False)
    pts, index = shapely.get_coordinates(simple, return_index=True)
    new_counts = np.bincount(index, minlength=n)
    new_off = np.zeros(n + 1, np.int64)
    np.cumsum(new_counts, out=new_off[1:])
    return new_off, np.round(pts[:, 0], 4), np.round(pts[:, 1], 4)
