"""The scenario file schema, declared as data (``serai/scenarios/data/schema.csv``), and the
checks that read it.

Each row declares one key: its ``section`` (empty = the top of the file; ``capacity``,
``demand.flow``, ... = an array of tables ``[[capacity]]``; ``appraisal`` = a table;
``*`` = a key every change may carry), ``type``, ``required``, ``default``, ``check``
and ``description``. :func:`check_document` checks a parsed file against it: unknown
keys (with suggestions), wrong types and values out of range are errors naming the file,
the line and the key. Checks that need the data (element names, countries, model
parameters, zones) are in :mod:`serai.scenarios.known`.
"""

from __future__ import annotations

import math
import re
from functools import cache
from importlib import resources

import pandas as pd

from serai.errors import suggest
from serai.scenarios._toml import TomlDoc

__all__ = [
    "ARRAY_SECTIONS",
    "ELEMENT_KINDS",
    "TABLE_SECTIONS",
    "check_document",
    "schema_table",
    "section_keys",
]

#: Sections written as arrays of tables (``[[open]]``); ``demand.*`` sit under ``[demand]``.
ARRAY_SECTIONS = (
    "open",
    "close",
    "border",
    "capacity",
    "disruption",
    "parameter",
    "add_line",
    "demand.growth",
    "demand.scale",
    "demand.flow",
    "measure",
    "target",
)
#: Sections written as one table.
TABLE_SECTIONS = ("appraisal",)
#: Element kinds (the part before ``:``) and what they name.
ELEMENT_KINDS = {
    "line": "a rail or road line (facts lines and added lines)",
    "service": "a ferry or feeder service",
    "point": "a port (its water side)",
    "crossing": "a border crossing",
    "gauge_break": "a gauge-change terminal",
    "passage": "a sea passage (suez, babalmandab, bosporus, ...)",
    "expansion": "a planned expansion (alat_phase2)",
    "fleet": "a fleet capacity (caspian_rail_ferries, caspian_roro)",
    "corridor": "a combined capacity (kz_cn_rail)",
}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_NO_CHANGE_META = ("measure", "target")  # sections whose rows are not changes


@cache
def schema_table() -> pd.DataFrame:
    """The declared keys (one row per section and key).

    Examples
    --------
    >>> t = schema_table()
    >>> t.set_index(["section", "key"]).loc[("capacity", "factor"), "type"]
    'float'
    """
    with resources.files("serai.scenarios.data").joinpath("schema.csv").open("rb") as fh:
        t = pd.read_csv(fh, keep_default_na=False, dtype=str)
    return t


@cache
def section_keys(section: str) -> dict[str, dict]:
    """Declared keys of a section (with the keys every change may carry)."""
    t = schema_table()
    rows = t[t["section"] == section]
    if section in ARRAY_SECTIONS:
        rows = pd.concat([rows, t[t["section"] == "*"]])
    return {r["key"]: dict(r) for _, r in rows.iterrows()}


def _type_ok(value: object, typ: str) -> bool:
    if typ == "str":
        return isinstance(value, str)
    if typ == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if typ == "float":  # TOML has nan and inf: never a usable scenario number
        return (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
            and abs(value) <= 1e12
        )
    if typ == "bool":
        return isinstance(value, bool)
    if typ == "list[str]":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if typ == "list[int]":
        return isinstance(value, list) and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        )
    if typ == "str|list[str]":
        return isinstance(value, str) or _type_ok(value, "list[str]")
    raise ValueError(f"schema.csv: unknown type {typ}")


_TYPE_WORDS = {
    "str": "a string",
    "int": "an integer",
    "float": "a finite number",
    "bool": "true or false",
    "list[str]": "a list of strings",
    "list[int]": "a list of integers",
    "str|list[str]": "a string or a list of strings",
}


def _toml_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _check_value(doc: TomlDoc, path: tuple, spec: dict, value: object) -> None:
    typ, check = spec["type"], spec["check"]
    if not _type_ok(value, typ):
        raise doc.error(f"must be {_TYPE_WORDS[typ]}, not {_toml_type(value)} ({value!r})", path)
    if not check:
        return
    vals = value if isinstance(value, list) else [value]
    for v in vals:
        if "|" in check and check not in ("str|list[str]",):
            choices = check.split("|")
            if v not in choices:
                near = suggest(v, choices)
                did = f"; did you mean {' or '.join(near)}?" if near else ""
                raise doc.error(f"unknown value {v!r}{did} (use {', '.join(choices)})", path)
        elif check == "year" and not (1900 <= v <= 2100):
            raise doc.error(f"year must be between 1900 and 2100, got {v}", path)
        elif check == "positive" and not v > 0:
            raise doc.error(f"must be > 0, got {v}", path)
        elif check == "nonnegative" and not v >= 0:
            raise doc.error(f"must be >= 0, got {v}", path)
        elif check == "fraction" and not (0 <= v <= 1):
            raise doc.error(f"must be between 0 and 1, got {v}", path)
        elif check == "month" and not (1 <= v <= 12):
            raise doc.error(f"months are 1 to 12, got {v}", path)
        elif check == "rate" and not (-0.5 <= v <= 1.0):
            raise doc.error(f"a yearly rate between -0.5 and 1, got {v}", path)
        elif check == "gauge" and not (500 <= v <= 2000):
            raise doc.error(f"gauge in mm (e.g. 1435 or 1520), got {v}", path)
        elif check in ("id", "new_id") and not _ID.match(v):
            raise doc.error(f"{v!r} is not an identifier (letters, digits, '_', '-', '.')", path)
        elif check in ("element", "element_or_capacity", "capacity_element"):
            kind, sep, name = v.partition(":")
            if not sep or not name:
                raise doc.error(
                    f"{v!r} is not an element name; write kind:id, e.g. point:aktau_port "
                    f"(kinds: {', '.join(ELEMENT_KINDS)})",
                    path,
                )
            if kind not in ELEMENT_KINDS:
                near = suggest(kind, ELEMENT_KINDS)
                did = f"; did you mean {' or '.join(near)}?" if near else ""
                raise doc.error(
                    f"unknown element kind {kind!r}{did} (kinds: {', '.join(ELEMENT_KINDS)})",
                    path,
                )
        elif check == "capacity_unit":
            from serai.scenarios.known import capacity_units

            if v not in capacity_units():
                near = suggest(v, capacity_units())
                did = f"; did you mean {' or '.join(near)}?" if near else ""
                raise doc.error(
                    f"unknown capacity unit {v!r}{did} (use {', '.join(capacity_units())})", path
                )


def _check_keys(doc: TomlDoc, table: dict, section: str, path: tuple) -> None:
    keys = section_keys(section)
    for k, v in table.items():
        p = (*path, k)
        if k not in keys:
            near = suggest(k, keys)
            did = f"; did you mean {' or '.join(near)}?" if near else ""
            where = (
                f"[[{section}]]"
                if section in ARRAY_SECTIONS
                else (f"[{section}]" if section else "the top level")
            )
            raise doc.error(f"unknown key {k!r} in {where}{did} (keys: {', '.join(keys)})", p)
        _check_value(doc, p, keys[k], v)
    for k, spec in keys.items():
        if spec["required"] == "yes" and k not in table and section != "":
            raise doc.error(f"missing required key '{k}' ({spec['description']})", path)


def _check_row(doc: TomlDoc, section: str, row: dict, path: tuple) -> None:
    """Rules across keys of one change."""

    def need_one(*keys: str) -> None:
        have = [k for k in keys if k in row]
        if len(have) != 1:
            what = "none" if not have else " and ".join(have)
            raise doc.error(f"give exactly one of {', '.join(keys)} (got {what})", path)

    if section == "capacity":
        need_one("value", "factor")
        if "value" in row and "unit" not in row:
            raise doc.error("a capacity value needs its unit", (*path, "value"))
        if "factor" in row and "unit" in row:
            raise doc.error("unit goes with value, not with factor", (*path, "unit"))
    elif section == "parameter":
        need_one("value", "factor", "add")
    elif section == "demand.flow":
        if "minerals" in row:
            for k in ("group", "origin", "destination", "volume", "unit"):
                if k in row:
                    raise doc.error(
                        f"'{k}' comes from the mineral scenario; give minerals and share only",
                        (*path, k),
                    )
        else:
            for k in ("group", "origin", "destination", "volume"):
                if k not in row:
                    raise doc.error(
                        f"a new flow needs '{k}' (or minerals = a mineral demand scenario)", path
                    )
    elif section == "target":
        if ("indicator" in row) == ("route" in row):
            raise doc.error("a target names an indicator or a route (one of them)", path)
        if "route" in row and "metric" not in row:
            raise doc.error("a route target needs its metric (days, km, usd, co2e_kg)", path)
        need_one("value", "ratio")
    elif section == "close":
        fy, ry = row.get("from_year"), row.get("reopen_year")
        if fy is not None and ry is not None and ry <= fy:
            raise doc.error("reopen_year must be after from_year", (*path, "reopen_year"))
    elif section == "border":
        if row.get("status") == "open" and "reopen_year" in row:
            raise doc.error("an open border takes from_year (the year it reopens)", path)
    elif section == "measure":
        bs, be = row.get("build_start"), row.get("build_end")
        if bs is not None and be is not None and be < bs:
            raise doc.error("build_end is before build_start", (*path, "build_end"))
    if section not in _NO_CHANGE_META and not row.get("source"):
        if not row.get("estimate"):
            raise doc.error(
                "a change needs its source (facts section and citation), or "
                "estimate = true with the reasoning in note",
                path,
            )
        if not row.get("note"):
            raise doc.error("an estimate needs its reasoning in note", path)
    if section == "measure" and not row.get("source") and row.get("capex_musd", 0) > 0:
        if not (row.get("estimate") and row.get("note")):
            raise doc.error(
                "a measure's cost needs its source, or estimate = true with the reasoning in note",
                path,
            )


def check_document(doc: TomlDoc) -> dict:
    """Check a parsed scenario file against the schema; returns its sections.

    Returns a dict with the top-level keys, ``appraisal`` (a dict) and one list of
    rows per array section (``"demand.flow"``, ...). Each row is a dict of the file's
    keys plus ``_path`` (its key path) for later error messages.

    Examples
    --------
    >>> from serai.scenarios._toml import TomlDoc
    >>> doc = TomlDoc.parse('year = 2030\\n[[close]]\\nelement = "passage:suez"\\nestimat = true\\n',
    ...                     "red.toml")
    >>> check_document(doc)
    Traceback (most recent call last):
    ...
    serai.scenarios._toml.ScenarioFileError: red.toml, line 4, key 'close[1].estimat': unknown key 'estimat' in [[close]]; did you mean estimate? (keys: ...)
    """
    data = doc.data
    out: dict = {s: [] for s in ARRAY_SECTIONS}
    top = {}
    for k, v in data.items():
        if k == "demand":
            if not isinstance(v, dict):
                raise doc.error("demand must be a table ([demand])", ("demand",))
            for sk, sv in v.items():
                sec = f"demand.{sk}"
                if sec not in ARRAY_SECTIONS:
                    near = suggest(sk, ["growth", "scale", "flow"])
                    did = f"; did you mean {' or '.join(near)}?" if near else ""
                    raise doc.error(
                        f"unknown demand section {sk!r}{did} (use [[demand.growth]], "
                        "[[demand.scale]], [[demand.flow]])",
                        ("demand", sk),
                    )
                _rows(doc, sec, sv, ("demand", sk), out)
        elif k in ARRAY_SECTIONS:
            _rows(doc, k, v, (k,), out)
        elif k in TABLE_SECTIONS:
            if not isinstance(v, dict):
                raise doc.error(f"{k} must be a table ([{k}])", (k,))
            _check_keys(doc, v, k, (k,))
            out[k] = dict(v)
        elif isinstance(v, dict | list) and k not in section_keys(""):
            known = [*ARRAY_SECTIONS, *TABLE_SECTIONS, "demand"]
            near = suggest(k, known)
            did = f"; did you mean {' or '.join(near)}?" if near else ""
            raise doc.error(f"unknown section {k!r}{did} (sections: {', '.join(known)})", (k,))
        else:
            top[k] = v
    _check_keys(doc, top, "", ())
    out.update(top)
    out.setdefault("appraisal", {})
    return out


def _rows(doc: TomlDoc, section: str, value: object, path: tuple, out: dict) -> None:
    if not (isinstance(value, list) and all(isinstance(r, dict) for r in value)):
        raise doc.error(f"{section} must be written as an array of tables ([[{section}]])", path)
    for i, row in enumerate(value):
        p = (*path, i)
        _check_keys(doc, row, section, p)
        _check_row(doc, section, row, p)
        r = dict(row)
        r["_path"] = p
        r["_file"] = doc.file
        out[section].append(r)


def markdown_table() -> str:
    """The declared keys as a Markdown table (``docs/scenarios.md`` carries it; a test checks
    that the page matches the declaration).

    >>> markdown_table().splitlines()[0]
    '| section | key | type | required | default | check | description |'
    """
    t = schema_table()
    lines = [
        "| section | key | type | required | default | check | description |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in t.itertuples(index=False):
        sec = (
            "(top)"
            if not r.section
            else (
                "(every change)"
                if r.section == "*"
                else f"`[[{r.section}]]`"
                if r.section in ARRAY_SECTIONS
                else f"`[{r.section}]`"
            )
        )
        check = r.check.replace("|", " or ")
        typ = r.type.replace("|", " or ")
        lines.append(
            f"| {sec} | `{r.key}` | {typ} | {r.required} | {r.default} | {check} | {r.description} |"
        )
    return "\n".join(lines)
