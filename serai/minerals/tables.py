"""The minerals tables (facilities, products, chain stages, rules) and their validation gate.

Every table is a CSV in ``serai/minerals/data`` (or in a folder of your own with the
same file names); its columns are declared once in ``data/columns.csv`` (table,
column, dtype, unit, default, required, check, description), as the network tables
are in ``serai/schema/columns.csv``. :func:`load_minerals` reads and checks them all:
a problem is an :class:`~serai.errors.InputError` naming the file, the data row
(1 = first row after the header) and the field.

Checks (``check`` column): ``unique``; ``in:a|b|c``; ``ref:table.column``; ``>=0``,
``>0`` (``?`` suffix: empty allowed); ``lat``/``lon`` ranges; ``commodity`` (a key of
the freight commodities table). Unknown columns are errors too (a misspelt column
would otherwise be lost).

Examples
--------
>>> from serai.minerals import load_minerals
>>> data = load_minerals()
>>> data.facilities.loc["navoiyuran", "country"]
'UZ'
>>> sorted(set(data.stages["mineral"]))
['copper', 'lithium', 'rare_earths', 'tungsten', 'uranium']
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from serai.errors import InputError
from serai.schema import TableSchema, read_schema

__all__ = ["TABLES", "MineralData", "load_minerals", "minerals_schema"]

TABLES = (
    "products",
    "stages",
    "units",
    "facilities",
    "access",
    "ports",
    "dg_rules",
    "chokepoints",
    "demand",
    "checks",
)
_DATA = "serai.minerals.data"


@cache
def minerals_schema() -> dict[str, TableSchema]:
    """The declared columns of every minerals table (``data/columns.csv``)."""
    return read_schema(resources.files(_DATA).joinpath("columns.csv").read_text(encoding="utf-8"))


@dataclass(frozen=True, eq=False)
class MineralData:
    """The checked minerals tables (pandas DataFrames; keyed tables indexed by their key).

    ``products`` (index product), ``stages``, ``units``, ``facilities`` (index
    facility_id), ``access``, ``ports`` (index locode), ``dg_rules``, ``chokepoints``
    (index chokepoint), ``demand``, ``checks`` (index check_id); ``folder`` says where
    they were read.
    """

    products: pd.DataFrame
    stages: pd.DataFrame
    units: pd.DataFrame
    facilities: pd.DataFrame
    access: pd.DataFrame
    ports: pd.DataFrame
    dg_rules: pd.DataFrame
    chokepoints: pd.DataFrame
    demand: pd.DataFrame
    checks: pd.DataFrame
    folder: str

    def stage_rows(self, mineral: str) -> pd.DataFrame:
        """The chain template of a mineral, in order."""
        return self.stages.loc[self.stages["mineral"] == mineral].sort_values("seq")

    def per_t(self, product: str, unit: str) -> float:
        """Units (tU, tSWU, ...) in one tonne of ``product``; ``t`` is 1."""
        if not unit or unit == "t":
            return 1.0
        u = self.units
        hit = u.loc[(u["product"] == product) & (u["unit"] == unit), "per_t"]
        if not len(hit):
            raise InputError(
                f"no conversion from {unit} to tonnes of {product} in units.csv",
                file="units.csv",
                field="unit",
            )
        return float(hit.iloc[0])


def _read_csv(path: Path | None, name: str) -> tuple[pd.DataFrame, str]:
    fname = f"{name}.csv"
    if path is None:
        with resources.files(_DATA).joinpath(fname).open("rb") as fh:
            df = pd.read_csv(fh, dtype=str, keep_default_na=False)
        return df, fname
    f = Path(path) / fname
    if not f.exists():
        raise InputError("missing table", file=str(f))
    try:
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot be read as CSV: {exc}", file=str(f)) from None
    return df, str(f)


def _coerce(df: pd.DataFrame, schema: TableSchema, fname: str) -> pd.DataFrame:
    unknown = [c for c in df.columns if c not in schema]
    if unknown:
        c = unknown[0]
        near = difflib.get_close_matches(c, schema.names, n=2)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise InputError(
            f"unknown column{hint} Declared: {', '.join(schema.names)}", file=fname, field=c
        )
    out = {}
    n = len(df)
    for spec in schema.columns:
        if spec.name not in df.columns:
            if spec.required and spec.default is None:
                raise InputError("required column is missing", file=fname, field=spec.name)
            raw = pd.Series([""] * n, index=df.index, dtype=object)
        else:
            raw = df[spec.name].astype(str).str.strip()
        empty = raw == ""
        if spec.required and spec.default is None and empty.any():
            row = int(np.flatnonzero(empty.to_numpy())[0]) + 1
            raise InputError("a value is required", file=fname, row=row, field=spec.name)
        if spec.default is not None:
            raw = raw.where(~empty, str(spec.default))
            empty = raw == ""
        if spec.dtype in ("float64", "int64"):
            num = pd.to_numeric(raw.where(~empty, None), errors="coerce")
            bad = num.isna() & ~empty
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise InputError(
                    f"'{raw.iloc[i]}' is not a number", file=fname, row=i + 1, field=spec.name
                )
            if spec.dtype == "int64":
                frac = num.notna() & (num != num.round())
                if frac.any():
                    i = int(np.flatnonzero(frac.to_numpy())[0])
                    raise InputError(
                        f"'{raw.iloc[i]}' is not a whole number",
                        file=fname,
                        row=i + 1,
                        field=spec.name,
                    )
                num = num.astype("Int64")
            else:
                num = num.astype("float64")
            out[spec.name] = num
        elif spec.dtype == "bool":
            low = raw.str.lower()
            ok = low.isin(["true", "false", "1", "0", "yes", "no"]) | empty
            if not ok.all():
                i = int(np.flatnonzero(~ok.to_numpy())[0])
                raise InputError(
                    f"'{raw.iloc[i]}' is not true or false", file=fname, row=i + 1, field=spec.name
                )
            out[spec.name] = low.isin(["true", "1", "yes"])
        else:
            out[spec.name] = raw.astype(object)
    return pd.DataFrame(out, index=df.index)


def _check(df: pd.DataFrame, schema: TableSchema, fname: str, tables: dict) -> None:
    for spec in schema.columns:
        check = spec.check
        if not check:
            continue
        col = df[spec.name]
        present = col.notna() & (col.astype(str) != "")
        if check == "unique":
            dup = col.duplicated() & present
            if dup.any():
                i = int(np.flatnonzero(dup.to_numpy())[0])
                raise InputError(
                    f"'{col.iloc[i]}' appears twice", file=fname, row=i + 1, field=spec.name
                )
        elif check.startswith("in:"):
            allowed = check[3:].split("|")
            bad = present & ~col.isin(allowed)
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                v = str(col.iloc[i])
                near = difflib.get_close_matches(v, allowed, n=2)
                hint = f"; did you mean {', '.join(near)}?" if near else ""
                raise InputError(
                    f"'{v}' is not one of {', '.join(allowed)}{hint}",
                    file=fname,
                    row=i + 1,
                    field=spec.name,
                )
        elif check.startswith("ref:"):
            t, c = check[4:].split(".")
            ref = tables[t]
            keys = set(ref.index if ref.index.name == c else ref[c])
            bad = present & ~col.isin(keys)
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                v = str(col.iloc[i])
                near = difflib.get_close_matches(v, sorted(map(str, keys)), n=2)
                hint = f"; did you mean {', '.join(near)}?" if near else ""
                raise InputError(
                    f"'{v}' is not a {t}.{c}{hint}", file=fname, row=i + 1, field=spec.name
                )
        elif check.rstrip("?") in (">=0", ">0"):
            num = pd.to_numeric(col, errors="coerce")
            strict = check.startswith(">0")
            bad = num.notna() & ((num <= 0) if strict else (num < 0))
            if not check.endswith("?") and spec.required:
                bad |= num.isna()
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise InputError(
                    f"must be {'> 0' if strict else '>= 0'}, got {col.iloc[i]}",
                    file=fname,
                    row=i + 1,
                    field=spec.name,
                )
        elif check in ("lat", "lon"):
            num = pd.to_numeric(col, errors="coerce")
            lim = 90.0 if check == "lat" else 180.0
            bad = num.notna() & (num.abs() > lim)
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise InputError(
                    f"{col.iloc[i]} is not a valid {'latitude' if check == 'lat' else 'longitude'}",
                    file=fname,
                    row=i + 1,
                    field=spec.name,
                )
        elif check == "commodity":
            from serai.freight import commodity_table

            known = set(commodity_table().index)
            bad = present & ~col.isin(known)
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise InputError(
                    f"'{col.iloc[i]}' is not a freight commodity (known: "
                    f"{', '.join(sorted(known))})",
                    file=fname,
                    row=i + 1,
                    field=spec.name,
                )


def _row_of(df: pd.DataFrame, mask: pd.Series | np.ndarray) -> int:
    return int(np.flatnonzero(np.asarray(mask))[0]) + 1


def _cross_checks(t: dict[str, pd.DataFrame], names: dict[str, str]) -> None:
    st = t["stages"]
    key = st["mineral"] + ":" + st["stage"]
    if key.duplicated().any():
        raise InputError(
            f"stage '{key[key.duplicated()].iloc[0]}' appears twice",
            file=names["stages"],
            row=_row_of(st, key.duplicated()),
            field="stage",
        )
    for m, g in st.groupby("mineral"):
        seq = sorted(g["seq"].astype(int))
        if seq != list(range(len(seq))):
            raise InputError(
                f"stages of {m} must be numbered 0..{len(seq) - 1}, got {seq}",
                file=names["stages"],
                field="seq",
            )
        roles = g.sort_values("seq")["role"].tolist()
        if roles[0] != "mine" or roles[-1] != "buyer" or set(roles[1:-1]) - {"process"}:
            raise InputError(
                f"stages of {m} must run mine, process..., buyer; got {roles}",
                file=names["stages"],
                field="role",
            )
    need_in = (st["role"] != "mine") & (st["product_in"] == "")
    need_out = (st["role"] != "buyer") & (st["product_out"] == "")
    need_r = (st["role"] == "process") & st["t_in_per_t_out"].isna()
    for mask, field in (
        (need_in, "product_in"),
        (need_out, "product_out"),
        (need_r, "t_in_per_t_out"),
    ):
        if mask.any():
            raise InputError(
                "required for this role", file=names["stages"], row=_row_of(st, mask), field=field
            )
    fac = t["facilities"]
    fkey = fac["mineral"] + ":" + fac["stage"]
    bad = ~fkey.isin(set(key))
    if bad.any():
        i = _row_of(fac, bad)
        v = fkey[bad].iloc[0]
        near = difflib.get_close_matches(v, sorted(set(key)), n=2)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise InputError(
            f"no stage '{v}' in stages.csv{hint}", file=names["facilities"], row=i, field="stage"
        )
    units = set(zip(t["units"]["product"], t["units"]["unit"], strict=True))
    prod_of = dict(
        zip(key, st["product_out"].where(st["product_out"] != "", st["product_in"]), strict=True)
    )
    for i, (k, u) in enumerate(zip(fkey, fac["capacity_unit"], strict=True)):
        if u and u != "t" and (prod_of[k], u) not in units:
            raise InputError(
                f"no conversion of {u} to tonnes of {prod_of[k]} in units.csv",
                file=names["facilities"],
                row=i + 1,
                field="capacity_unit",
            )
    has_amount = fac["capacity"].notna() | fac["output"].notna()
    nounit = has_amount & (fac["capacity_unit"] == "")
    if nounit.any():
        raise InputError(
            "capacity or output given without a unit",
            file=names["facilities"],
            row=_row_of(fac, nounit),
            field="capacity_unit",
        )
    dated = fac["status"].isin(["construction", "planned"]) | fac["open_year"].isna()
    odd = ~dated & (fac["status"] != "operating")
    if odd.any():
        raise InputError(
            "only planned or under-construction facilities take an open_year",
            file=names["facilities"],
            row=_row_of(fac, odd),
            field="open_year",
        )
    prods = t["products"]
    classes = {f"class:{c}" for c in prods["dg_class"] if c}
    bad = ~t["dg_rules"]["applies_to"].isin(set(prods["product"]) | classes)
    if bad.any():
        v = t["dg_rules"].loc[bad, "applies_to"].iloc[0]
        raise InputError(
            f"'{v}' is neither a product nor a dangerous-goods class of a product "
            f"({', '.join(sorted(classes))})",
            file=names["dg_rules"],
            row=_row_of(t["dg_rules"], bad),
            field="applies_to",
        )
    for col in ("product_in", "product_out"):
        wrong = (st[col] != "") & (
            st[col].map(dict(zip(prods["product"], prods["mineral"], strict=True))) != st["mineral"]
        )
        if wrong.any():
            raise InputError(
                "product of another mineral",
                file=names["stages"],
                row=_row_of(st, wrong),
                field=col,
            )


@cache
def _packaged() -> MineralData:
    return _load(None)


def load_minerals(folder: str | Path | None = None) -> MineralData:
    """Read and check the minerals tables (the packaged ones, or those in ``folder``).

    Parameters
    ----------
    folder
        A folder with the ten CSV files (``products.csv``, ``stages.csv``, ...);
        None: the tables shipped in ``serai/minerals/data``.

    Raises
    ------
    InputError
        The first problem found, with file, row and field.
    """
    return _packaged() if folder is None else _load(Path(folder))


def _load(folder: Path | None) -> MineralData:
    schemas = minerals_schema()
    tables: dict[str, pd.DataFrame] = {}
    names: dict[str, str] = {}
    keyed = {
        "products": "product",
        "facilities": "facility_id",
        "ports": "locode",
        "chokepoints": "chokepoint",
        "checks": "check_id",
    }
    for name in TABLES:
        raw, fname = _read_csv(folder, name)
        names[name] = fname
        tables[name] = _coerce(raw, schemas[name], fname).reset_index(drop=True)
    for name in TABLES:  # references need every table coerced first
        _check(tables[name], schemas[name], names[name], tables)
    _cross_checks(tables, names)
    for name, k in keyed.items():
        tables[name] = tables[name].set_index(k, drop=False)
        tables[name].index.name = None
    return MineralData(**tables, folder=str(folder) if folder else "serai/minerals/data")
