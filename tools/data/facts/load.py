"""Load and check the corridor fact tables (build input, never imported by ``serai``).

The tables and their columns are declared in ``schema.csv`` beside this file
(table, column, dtype, required, check, description). :func:`load_facts` reads
every table, checks it against the declaration and the provenance rules, and
raises :class:`serai.errors.InputError` naming the file, row and field of the
first problem. :func:`check_facts` returns every problem instead.

Provenance rules (every table with ``source_id`` and ``estimate`` columns):
a row with ``estimate=false`` must cite at least one source; a row with
``estimate=true`` must give its reasoning in ``note``; every cited source must
exist in ``sources.csv``.

Examples
--------
>>> from tools.data.facts.load import FACTS_DIR, load_facts
>>> facts = load_facts(FACTS_DIR)
>>> facts["points"].set_index("point_id").loc["aktau_port", "unlocode"]
'KZAAU'
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from serai.errors import InputError

__all__ = [
    "FACTS_DIR",
    "TABLES",
    "FactProblem",
    "check_facts",
    "load_facts",
    "model_values",
    "split_list",
]

FACTS_DIR = Path(__file__).resolve().parent
TABLES = (
    "sources",
    "points",
    "lines",
    "services",
    "border_crossings",
    "border_status",
    "gauge_breaks",
    "attributes",
    "tariffs",
    "validation_routes",
)
_ELEMENT_TABLES = {
    "point": ("points", "point_id"),
    "line": ("lines", "line_id"),
    "service": ("services", "service_id"),
    "crossing": ("border_crossings", "crossing_id"),
    "gauge_break": ("gauge_breaks", "gauge_break_id"),
}
_ISO2 = re.compile(r"^[A-Z]{2}$")
_UNLOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")


@dataclass(frozen=True)
class FactProblem:
    """One problem in one cell of a fact table."""

    file: str
    row: int | None  # 1-based data row (header excluded); None for table-level problems
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}"

    def to_error(self) -> InputError:
        return InputError(self.message, file=self.file, row=self.row, field=self.field)


def split_list(value: object) -> list[str]:
    """Split a ``;``-separated cell into its items (empty cell -> [])."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    return [v.strip() for v in str(value).split(";") if v.strip()]


def _schema(directory: Path) -> pd.DataFrame:
    return pd.read_csv(directory / "schema.csv", dtype=str, keep_default_na=False)


def _read_raw(path: Path, problems: list[FactProblem]) -> pd.DataFrame | None:
    """Read a CSV as strings, reporting rows with the wrong number of fields."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        problems.append(FactProblem(path.name, None, None, "file is empty"))
        return None
    header, body = rows[0], rows[1:]
    good = []
    for i, r in enumerate(body, start=1):
        if len(r) != len(header):
            problems.append(
                FactProblem(
                    path.name,
                    i,
                    None,
                    f"has {len(r)} fields, header has {len(header)} (quote cells containing commas)",
                )
            )
        else:
            good.append(r)
    return pd.DataFrame(good, columns=header, dtype=object)


def _is_empty(v: object) -> bool:
    return v is None or (isinstance(v, float) and pd.isna(v)) or str(v).strip() == ""


def _convert(df: pd.DataFrame, spec: pd.DataFrame, fname: str, problems: list[FactProblem]):
    out = {}
    for _, c in spec.iterrows():
        col, dtype = c["column"], c["dtype"]
        raw = df[col] if col in df else pd.Series([""] * len(df), dtype=object)
        if dtype == "string":
            out[col] = raw.map(lambda v: None if _is_empty(v) else str(v).strip())
            continue
        vals = []
        for i, v in enumerate(raw, start=1):
            if _is_empty(v):
                vals.append(None)
                continue
            s = str(v).strip()
            try:
                if dtype == "float":
                    vals.append(float(s))
                elif dtype == "int":
                    f = float(s)
                    if f != int(f):
                        raise ValueError
                    vals.append(int(f))
                elif dtype == "bool":
                    if s.lower() not in ("true", "false"):
                        raise ValueError
                    vals.append(s.lower() == "true")
                else:
                    raise InputError(f"schema.csv declares unknown dtype '{dtype}'", field=col)
            except ValueError:
                problems.append(FactProblem(fname, i, col, f"'{s}' is not a valid {dtype}"))
                vals.append(None)
        if dtype == "float":
            out[col] = pd.Series([pd.NA if v is None else v for v in vals], dtype="Float64")
        elif dtype == "int":
            out[col] = pd.Series([pd.NA if v is None else v for v in vals], dtype="Int64")
        else:
            out[col] = pd.Series([pd.NA if v is None else v for v in vals], dtype="boolean")
    extra = [c for c in df.columns if c not in set(spec["column"])]
    for c in extra:  # undeclared columns are carried through as strings
        out[c] = df[c]
    return pd.DataFrame(out, index=range(len(df)))


def _check_value(check: str, v: object, keys: dict[str, set[str]]) -> str | None:
    """Return a message when ``v`` fails ``check`` (v is not empty)."""
    if check == "lat":
        return None if -90 <= float(v) <= 90 else f"latitude {v} outside [-90, 90]"
    if check == "lon":
        return None if -180 <= float(v) <= 180 else f"longitude {v} outside [-180, 180]"
    if check == "year":
        return None if 1800 <= int(v) <= 2060 else f"year {v} outside 1800..2060"
    if check == ">0":
        return None if float(v) > 0 else f"{v} must be > 0"
    if check == ">=0":
        return None if float(v) >= 0 else f"{v} must be >= 0"
    if check == "iso2":
        return None if _ISO2.match(str(v)) else f"'{v}' is not an ISO 3166-1 alpha-2 code"
    if check == "iso2list":
        bad = [x for x in split_list(v) if not _ISO2.match(x)]
        return f"not ISO 3166-1 alpha-2: {bad}" if bad else None
    if check == "unlocode":
        return None if _UNLOCODE.match(str(v)) else f"'{v}' is not a UN/LOCODE"
    if check.startswith("in:"):
        allowed = check[3:].split("|")
        return None if str(v) in allowed else f"'{v}' not one of {allowed}"
    if check.startswith("inlist:"):
        allowed = check[7:].split("|")
        bad = [x for x in split_list(v) if x not in allowed]
        return f"{bad} not among {allowed}" if bad else None
    if check.startswith("ref:") or check.startswith("refs:"):
        target = check.split(":", 1)[1]
        items = [str(v)] if check.startswith("ref:") else split_list(v)
        bad = [x for x in items if x not in keys.get(target, set())]
        return f"unknown {target}: {bad}" if bad else None
    if check == "sources":
        bad = [x for x in split_list(v) if x not in keys["sources.source_id"]]
        return f"source_id not in sources.csv: {bad}" if bad else None
    if check == "element":
        kind, _, rest = str(v).partition(":")
        if kind in ("corridor", "mode") and rest:
            return None
        if kind in _ELEMENT_TABLES:
            table, key = _ELEMENT_TABLES[kind]
            return None if rest in keys.get(f"{table}.{key}", set()) else f"unknown {kind} '{rest}'"
        return f"'{v}' must look like point:<id>, line:<id>, service:<id>, crossing:<id>, gauge_break:<id>, corridor:<name> or mode:<mode>"
    if check == "unique" or check == "":
        return None
    return f"schema.csv declares unknown check '{check}'"


def check_facts(
    directory: str | Path = FACTS_DIR,
) -> tuple[dict[str, pd.DataFrame], list[FactProblem]]:
    """Read every fact table and return (tables, problems); never raises for bad rows."""
    directory = Path(directory)
    schema = _schema(directory)
    problems: list[FactProblem] = []
    tables: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        path = directory / f"{name}.csv"
        fname = f"{name}.csv"
        if not path.exists():
            problems.append(FactProblem(fname, None, None, "file missing"))
            continue
        raw = _read_raw(path, problems)
        if raw is None:
            continue
        spec = schema[schema["table"] == name]
        for col in spec["column"]:
            if col not in raw.columns:
                problems.append(FactProblem(fname, None, col, "declared column missing"))
        tables[name] = _convert(raw, spec, fname, problems)

    keys: dict[str, set[str]] = {}
    for name, df in tables.items():
        for _, c in schema[(schema["table"] == name) & (schema["check"] == "unique")].iterrows():
            col = c["column"]
            vals = df[col].dropna()
            keys[f"{name}.{col}"] = set(vals)
            for i in df.index[df[col].duplicated(keep="first") & df[col].notna()]:
                problems.append(
                    FactProblem(f"{name}.csv", i + 1, col, f"duplicate '{df.at[i, col]}'")
                )
    keys.setdefault("sources.source_id", set())

    for name, df in tables.items():
        fname = f"{name}.csv"
        spec = schema[schema["table"] == name]
        for _, c in spec.iterrows():
            col, check, required = c["column"], c["check"], c["required"] == "yes"
            for i, v in enumerate(df[col], start=1):
                if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
                    if required:
                        problems.append(FactProblem(fname, i, col, "required value is empty"))
                    continue
                msg = _check_value(check, v, keys)
                if msg:
                    problems.append(FactProblem(fname, i, col, msg))
        problems.extend(_check_provenance(name, df))
    problems.extend(_check_rows(tables))
    return tables, problems


def _check_provenance(name: str, df: pd.DataFrame) -> list[FactProblem]:
    if "source_id" not in df or "estimate" not in df:
        return []
    out = []
    for i, (src, est, note) in enumerate(
        zip(df["source_id"], df["estimate"], df.get("note", [None] * len(df)), strict=True), start=1
    ):
        if est is not pd.NA and est is not None and bool(est):
            if _is_empty(note):
                out.append(
                    FactProblem(
                        f"{name}.csv", i, "note", "estimate=true needs the reasoning in note"
                    )
                )
        elif not split_list(src):
            out.append(
                FactProblem(
                    f"{name}.csv",
                    i,
                    "source_id",
                    "no source: cite one or set estimate=true with a note",
                )
            )
    return out


def _check_rows(tables: dict[str, pd.DataFrame]) -> list[FactProblem]:
    """Cross-column rules that the per-column checks cannot express."""
    out: list[FactProblem] = []

    def band(name: str, df: pd.DataFrame, need_some: bool) -> None:
        for i, (v, lo, hi) in enumerate(
            zip(df["value"], df["low"], df["high"], strict=True), start=1
        ):
            has = [x is not pd.NA and not pd.isna(x) for x in (v, lo, hi)]
            if need_some and not any(has):
                out.append(FactProblem(f"{name}.csv", i, "value", "no value, low or high"))
            if has[1] and has[2] and lo > hi:
                out.append(FactProblem(f"{name}.csv", i, "low", f"low {lo} > high {hi}"))

    if "attributes" in tables:
        a = tables["attributes"]
        band("attributes", a, need_some=True)
        for i, (use, v) in enumerate(zip(a["use"], a["value"], strict=True), start=1):
            if use is not pd.NA and bool(use) and pd.isna(v):
                out.append(
                    FactProblem("attributes.csv", i, "value", "a use=true row needs a value")
                )
        used = a[a["use"].fillna(False).astype(bool)]
        dup = used.duplicated(["element", "attribute"], keep="first")
        for i in used.index[dup]:
            out.append(
                FactProblem(
                    "attributes.csv",
                    i + 1,
                    "use",
                    f"second use=true row for ({a.at[i, 'element']}, {a.at[i, 'attribute']})",
                )
            )
    for name in ("tariffs", "validation_routes"):
        if name in tables:
            band(name, tables[name], need_some=True)
    if "validation_routes" in tables:
        r = tables["validation_routes"]
        units = {"length_km": "km", "time_h": "h", "time_days": "days"}
        for i, (m, u) in enumerate(zip(r["metric"], r["unit"], strict=True), start=1):
            if m in units and u != units[m]:
                out.append(
                    FactProblem(
                        "validation_routes.csv", i, "unit", f"metric {m} needs unit {units[m]}"
                    )
                )
    if "sources" in tables:
        s = tables["sources"]
        for i, q in enumerate(s["quality"], start=1):
            if q == "estimate":
                out.append(
                    FactProblem(
                        "sources.csv",
                        i,
                        "quality",
                        "estimates are flagged on the row, not as a source",
                    )
                )
    return out


def load_facts(directory: str | Path = FACTS_DIR) -> dict[str, pd.DataFrame]:
    """Read and check every fact table; raise on the first problem.

    Raises
    ------
    serai.errors.InputError
        Naming the file, row and field of the first problem (and how many more).
    """
    tables, problems = check_facts(directory)
    if problems:
        err = problems[0].to_error()
        if len(problems) > 1:
            raise InputError(
                f"{err.reason} (and {len(problems) - 1} more problem(s))",
                file=err.file,
                row=err.row,
                field=err.field,
            )
        raise err
    return tables


def model_values(facts: dict[str, pd.DataFrame], kind: str) -> pd.DataFrame:
    """Wide table of the ``use=true`` attribute values of one element kind.

    ``kind`` is the element prefix (``point``, ``line``, ``corridor``, ``mode``, ...).
    Returns one row per element id and one column per attribute.

    Examples
    --------
    >>> from tools.data.facts.load import load_facts, model_values
    >>> float(model_values(load_facts(), "point").loc["alat_port", "capacity"])
    15.0
    """
    a = facts["attributes"]
    a = a[a["use"].fillna(False).astype(bool) & a["element"].str.startswith(kind + ":")]
    ids = a["element"].str.slice(len(kind) + 1)
    wide = (
        pd.DataFrame({"id": ids, "attribute": a["attribute"], "value": a["value"].astype(float)})
        .pivot(index="id", columns="attribute", values="value")
        .rename_axis(index=f"{kind}_id", columns=None)
    )
    return wide
