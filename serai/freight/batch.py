"""Batch routing: one row per shipment in, one row per shipment out.

The shipments table (CSV, Excel, Parquet) has one row per shipment:

=================  ========  ====================================================
column             required  meaning
=================  ========  ====================================================
origin             yes       place: name, alias, UN/LOCODE or "lat,lon"
destination        yes       place
id                 no        your shipment id (kept in the results)
commodity          no        commodity key (default ``container``)
quantity           no        units of the commodity (default 1; FEU, TEU or t)
year               no        network year (default: the batch's year)
objective          no        time, cost, generalised (default) or emissions
avoid_countries    no        ISO2 codes separated by ``;``
avoid_passages     no        sea passages separated by ``;`` (suez, cape, ...)
via                no        places separated by ``;``, visited in order
modes              no        allowed modes separated by ``;`` (rail;road;sea;ferry)
carbon_price       no        USD per t CO2e added to the generalised cost
=================  ========  ====================================================

Every row goes through one validation gate; a bad row (unknown place with
suggestions, unknown commodity, bad number, no route) becomes a row with
``status = "error"`` and the message, with its ``row`` number as a spreadsheet
shows it (the header is row 1), and the other rows are still routed.
Results carry per-unit and total time, distance, money and CO2e, the corridor,
the countries and passages and the route's path on the real link shapes (WKT).

Examples
--------
>>> import pandas as pd
>>> from serai.freight.batch import parse_shipments
>>> rows, bad = parse_shipments(pd.DataFrame({"origin": ["Almaty", ""],
...     "destination": ["Poti", "Baku"], "quantity": ["2", "x"]}))
>>> [r.row for r in rows], [(b["row"], b["error"][:33]) for b in bad]
([2], [(3, "field 'origin': a place is needed")])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from serai.errors import InputError, SeraiError

__all__ = [
    "COLUMNS",
    "RESULT_COLUMNS",
    "Shipment",
    "parse_shipments",
    "read_shipments",
    "route_batch",
    "write_results",
]

COLUMNS = (
    "id",
    "origin",
    "destination",
    "commodity",
    "quantity",
    "year",
    "objective",
    "avoid_countries",
    "avoid_passages",
    "via",
    "modes",
    "carbon_price",
)
RESULT_COLUMNS = (
    "row",
    "id",
    "origin",
    "destination",
    "commodity",
    "quantity",
    "year",
    "status",
    "error",
    "from_name",
    "to_name",
    "corridor",
    "unit",
    "days",
    "km",
    "usd_per_unit",
    "usd_total",
    "gc_usd_per_unit",
    "co2e_kg_per_unit",
    "co2e_t_total",
    "countries",
    "passages",
    "geometry",
)
_NUMERIC = (
    "quantity",
    "days",
    "km",
    "usd_per_unit",
    "usd_total",
    "gc_usd_per_unit",
    "co2e_kg_per_unit",
    "co2e_t_total",
)
MAX_ROWS = 100_000
_ALIASES = {"from": "origin", "to": "destination", "o": "origin", "d": "destination"}


@dataclass(frozen=True)
class Shipment:
    """One validated row of the shipments table."""

    row: int
    id: str
    origin: str
    destination: str
    commodity: str = "container"
    quantity: float = 1.0
    year: int | None = None
    objective: str = "generalised"
    avoid_countries: tuple[str, ...] = ()
    avoid_passages: tuple[str, ...] = ()
    via: tuple[str, ...] = ()
    modes: tuple[str, ...] | None = None
    carbon_price: float = 0.0


def read_shipments(path: Path) -> pd.DataFrame:
    """Read a shipments table (``.csv``, ``.xlsx``, ``.parquet``) as text columns."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", file=str(path))
    suf = path.suffix.lower()
    try:
        if suf in (".csv", ".txt"):
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        elif suf == ".tsv":
            df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
        elif suf in (".xlsx", ".xlsm"):
            df = pd.read_excel(path, dtype=str, keep_default_na=False)
        elif suf == ".parquet":
            df = pd.read_parquet(path).astype(object)
        else:
            raise InputError(
                f"unknown shipments format '{suf}'; use .csv, .tsv, .xlsx or .parquet",
                file=str(path),
            )
    except SeraiError:
        raise
    except ImportError as exc:
        raise InputError(f"cannot read {suf} files here: {exc}", file=str(path)) from None
    except Exception as exc:  # parser errors: one line, no traceback
        raise InputError(f"cannot read the table: {exc}", file=str(path)) from None
    return df


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return str(v).strip()


def _list(v: Any) -> tuple[str, ...]:
    return tuple(x.strip() for x in _text(v).replace(",", ";").split(";") if x.strip())


def parse_shipments(
    table: pd.DataFrame, *, file: str | None = None, max_rows: int = MAX_ROWS
) -> tuple[list[Shipment], list[dict[str, Any]]]:
    """Validate every row; returns (good shipments, bad rows as {row, id, error}).

    Unknown columns are an error naming them (with the accepted ones), so a typo
    in a header never silently drops a constraint.
    """
    from serai.freight.commodities import commodity
    from serai.freight.route import OBJECTIVES

    cols = {c: _ALIASES.get(str(c).strip().lower(), str(c).strip().lower()) for c in table.columns}
    unknown = [c for c, k in cols.items() if k not in COLUMNS]
    if unknown:
        import difflib

        hints = [
            f"'{c}' (did you mean '{m[0]}'?)"
            if (m := difflib.get_close_matches(cols[c], COLUMNS, 1))
            else f"'{c}'"
            for c in unknown
        ]
        raise InputError(
            f"unknown column(s) {', '.join(hints)}; accepted: {', '.join(COLUMNS)}", file=file
        )
    t = table.rename(columns=cols)
    for need in ("origin", "destination"):
        if need not in t.columns:
            raise InputError(f"the shipments table needs a '{need}' column", file=file)
    if len(t) > max_rows:
        raise InputError(f"{len(t):,} rows; at most {max_rows:,} per batch", file=file)
    good: list[Shipment] = []
    bad: list[dict[str, Any]] = []
    for i, rec in enumerate(t.to_dict(orient="records")):
        row = i + 2  # spreadsheet row: the header is row 1
        sid = _text(rec.get("id")) or str(i + 1)
        try:
            o, d = _text(rec.get("origin")), _text(rec.get("destination"))
            if not o:
                raise InputError("a place is needed", field="origin")
            if not d:
                raise InputError("a place is needed", field="destination")
            com = _text(rec.get("commodity")) or "container"
            commodity(com)  # unknown -> InputError with suggestions
            q_txt = _text(rec.get("quantity"))
            try:
                q = float(q_txt) if q_txt else 1.0
            except ValueError:
                raise InputError(f"not a number: {q_txt!r}", field="quantity") from None
            if not np.isfinite(q) or q <= 0:
                raise InputError(f"must be a positive number, got {q_txt}", field="quantity")
            y_txt = _text(rec.get("year"))
            try:
                year = int(float(y_txt)) if y_txt else None
            except (ValueError, OverflowError):  # "abc", "nan", "inf"
                raise InputError(f"not a year: {y_txt!r}", field="year") from None
            # its range: the network's, when the row is routed (serai.data.years.check_year)
            obj = _text(rec.get("objective")).lower() or "generalised"
            if obj not in OBJECTIVES:
                raise InputError(
                    f"unknown objective {obj!r}; use {', '.join(OBJECTIVES)}", field="objective"
                )
            cp_txt = _text(rec.get("carbon_price"))
            try:
                cp = float(cp_txt) if cp_txt else 0.0
            except ValueError:
                raise InputError(f"not a number: {cp_txt!r}", field="carbon_price") from None
            if not np.isfinite(cp) or cp < 0:
                raise InputError("must be zero or more", field="carbon_price")
            modes = _list(rec.get("modes"))
            good.append(
                Shipment(
                    row=row,
                    id=sid,
                    origin=o,
                    destination=d,
                    commodity=com,
                    quantity=q,
                    year=year,
                    objective=obj,
                    avoid_countries=_list(rec.get("avoid_countries")),
                    avoid_passages=_list(rec.get("avoid_passages")),
                    via=_list(rec.get("via")),
                    modes=modes or None,
                    carbon_price=cp,
                )
            )
        except InputError as exc:
            bad.append({"row": row, "id": sid, "error": str(exc), **_echo(rec)})
    return good, bad


def _echo(rec: dict[str, Any]) -> dict[str, Any]:
    """A rejected row's own columns for its result row (the quantity and year as typed
    when they are numbers; a value that is not, the row's error names it, stays empty).

    >>> _echo({"origin": "Almaty", "destination": "Poti", "quantity": "40", "year": "2030",
    ...        "objective": "fastest!"})
    {'origin': 'Almaty', 'destination': 'Poti', 'commodity': '', 'quantity': 40.0, 'year': 2030}
    >>> _echo({"origin": "A", "destination": "B", "quantity": "x", "year": "soon"})["quantity"]
    """
    out: dict[str, Any] = {k: _text(rec.get(k)) for k in ("origin", "destination", "commodity")}
    q = pd.to_numeric(pd.Series([_text(rec.get("quantity")) or None]), errors="coerce").iloc[0]
    y = pd.to_numeric(pd.Series([_text(rec.get("year")) or None]), errors="coerce").iloc[0]
    out["quantity"] = float(q) if np.isfinite(q) else None
    out["year"] = int(y) if np.isfinite(y) and float(y).is_integer() else None
    return out


def route_batch(
    shipments: Iterable[Shipment],
    router_for: Callable[[int | None], Any],
    *,
    year: int | None = None,
    geometry: bool = True,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Route every shipment; a failure becomes an error row, the others are routed.

    Parameters
    ----------
    shipments
        Validated rows (:func:`parse_shipments`).
    router_for
        ``router_for(year)`` returns the router of that year (the CLI and the
        service pass their cached routers, so each year is built once).
    year
        Year of rows that give none.
    geometry
        Add the route's path on the real link shapes as WKT.
    progress
        Called with the number of rows done after each row.
    """
    from serai.freight.checks import check_codes
    from serai.freight.route import Constraints
    from serai.freight.shapes import route_wkt

    out: list[dict[str, Any]] = []
    for n, s in enumerate(shipments, 1):
        y = s.year if s.year is not None else year
        base = {
            "row": s.row,
            "id": s.id,
            "origin": s.origin,
            "destination": s.destination,
            "commodity": s.commodity,
            "quantity": s.quantity,
            "year": y,
        }
        try:
            router = router_for(y)
            locate = getattr(router, "locate", None) or router.resolve
            for fld in ("origin", "destination"):
                try:
                    locate(getattr(s, fld))
                except InputError as exc:
                    raise InputError(exc.reason, field=fld) from None
            check_codes(
                router,
                avoid_countries=s.avoid_countries,
                avoid_passages=s.avoid_passages,
                modes=s.modes,
            )
            cons = Constraints.make(
                avoid_countries=s.avoid_countries,
                avoid_passages=s.avoid_passages,
                via=s.via,
                modes=s.modes,
            )
            r = router.route(
                s.origin,
                s.destination,
                s.commodity,
                objective=s.objective,
                constraints=cons,
                carbon_price_usd_per_t=s.carbon_price,
            )
            co2 = float(r.co2e_kg)
            out.append(
                {
                    **base,
                    "status": "ok",
                    "error": "",
                    "from_name": r.origin_name,
                    "to_name": r.destination_name,
                    "corridor": r.corridor,
                    "unit": r.unit,
                    "days": round(r.days, 3),
                    "km": round(r.km, 1),
                    "usd_per_unit": round(r.usd, 2),
                    "usd_total": round(r.usd * s.quantity, 2),
                    "gc_usd_per_unit": round(float(r.totals["gc_usd"]), 2),
                    "co2e_kg_per_unit": round(co2, 3) if co2 == co2 else None,
                    "co2e_t_total": round(co2 * s.quantity / 1000, 4) if co2 == co2 else None,
                    "countries": "-".join(r.countries),
                    "passages": ";".join(r.passages),
                    "geometry": route_wkt(r, router.rg.network) if geometry else "",
                }
            )
        except SeraiError as exc:
            out.append({**base, "status": "error", "error": str(exc)})
        if progress is not None:
            progress(n)
    df = pd.DataFrame(out, columns=list(RESULT_COLUMNS))
    df["year"] = df["year"].astype("Int64")
    return df


def bad_rows_frame(bad: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows rejected by the validation gate, in the results' columns."""
    df = pd.DataFrame([{**b, "status": "error"} for b in bad], columns=list(RESULT_COLUMNS))
    return df


def combine(routed: pd.DataFrame, bad: list[dict[str, Any]]) -> pd.DataFrame:
    """Routed and rejected rows in the input's row order."""
    if not bad:
        return routed.reset_index(drop=True)
    both = pd.concat([routed.astype(object), bad_rows_frame(bad).astype(object)], ignore_index=True)
    both["year"] = pd.to_numeric(both["year"]).astype("Int64")
    both["row"] = both["row"].astype(np.int64)
    for c in _NUMERIC:
        both[c] = pd.to_numeric(both[c]).astype(float)
    return both.sort_values("row", kind="stable").reset_index(drop=True)


FORMATS = (".csv", ".xlsx", ".parquet", ".gpkg", ".geojson")
_XLSX_CELL = 32_767


def write_results(df: pd.DataFrame, out: Path, *, overwrite: bool = False) -> Path:
    """Write the results (CSV, Excel, Parquet, GeoPackage or GeoJSON) atomically.

    The file is written to a temporary name in the target folder and renamed
    into place; an existing file is replaced only with ``overwrite``. In Excel a
    path longer than a cell holds (32,767 characters) is rounded to fewer digits
    and, if still too long, left out with a note in ``error``. GeoPackage and
    GeoJSON need the ``geo`` extra (pyogrio, shapely).
    """
    from serai._fs import atomic_path

    out = Path(out)
    suf = out.suffix.lower()
    if suf not in FORMATS:
        raise InputError(f"unknown output format '{suf}'; use {', '.join(FORMATS)}", file=str(out))
    try:  # atomic_path makes missing folders, as every other writer does
        with atomic_path(out, overwrite=overwrite) as tmp:
            if suf == ".csv":
                df.to_csv(tmp, index=False)
            elif suf == ".parquet":
                df.to_parquet(tmp, index=False)
            elif suf == ".xlsx":
                x = df.copy()
                long = x["geometry"].fillna("").str.len() > _XLSX_CELL
                if long.any():
                    x.loc[long, "geometry"] = x.loc[long, "geometry"].map(_shorter_wkt)
                    still = x["geometry"].fillna("").str.len() > _XLSX_CELL
                    x.loc[still, "geometry"] = ""
                    x.loc[still, "error"] = "path too long for an Excel cell; see the CSV or GPKG"
                x.to_excel(tmp, index=False, sheet_name="routes")
            else:
                _write_geo(df, tmp, suf)
    except ImportError as exc:
        raise InputError(
            f"writing {suf} needs an optional package ({exc.name}): pip install 'serai[service]'",
            file=str(out),
        ) from None
    except (SeraiError, OSError):
        raise
    except Exception as exc:  # GDAL's errors (.gpkg, .geojson): a full disk, a size limit, ...
        if suf not in (".gpkg", ".geojson"):
            raise
        from serai.network.io.gpkg import gdal_write_error

        raise gdal_write_error(exc, out, "the results") from None
    return out


def _shorter_wkt(wkt: str) -> str:
    import re

    return re.sub(r"(-?\d+\.\d{2})\d+", r"\1", wkt)


def _write_geo(df: pd.DataFrame, tmp: Path, suf: str) -> None:
    from serai.network.io.gpkg import _deps, _fields

    raw, shapely = _deps()
    wkt = [g if isinstance(g, str) and g else None for g in df["geometry"]]
    geoms = shapely.from_wkt(np.array(wkt, dtype=object))
    data, names, masks = _fields(df.drop(columns=["geometry"]))
    tmp.unlink(missing_ok=True)
    raw.write(
        tmp,
        geometry=shapely.to_wkb(geoms),
        field_data=data,
        fields=names,
        field_mask=masks,
        geometry_type="MultiLineString",
        crs="EPSG:4326",
        driver="GPKG" if suf == ".gpkg" else "GeoJSON",
        layer="routes" if suf == ".gpkg" else None,
    )
