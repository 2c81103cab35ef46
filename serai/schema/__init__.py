"""Column declarations for every network table, read from ``columns.csv``.

The schema is data: each row of ``serai/schema/columns.csv`` declares one column
(table, name, dtype, unit, default, required, check, description). Validation,
IO and the generated docs read it; no column is declared anywhere else.

Examples
--------
>>> from serai.schema import table_schema
>>> table_schema("links")["length"].unit
'km'
>>> table_schema("links").required
('link_id', 'from_node', 'to_node')
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ColumnSpec",
    "TableSchema",
    "default_modes",
    "read_schema",
    "schema_markdown",
    "table_names",
    "table_schema",
]


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """Declaration of one column of one table."""

    table: str
    name: str
    dtype: str
    unit: str
    default: object
    required: bool
    check: str
    description: str

    def default_array(self, n: int) -> np.ndarray:
        """An array of ``n`` default values for this column."""
        if self.dtype == "float64":
            return np.full(n, np.nan if self.default is None else float(self.default))
        if self.dtype == "int64":
            return np.full(n, 0 if self.default is None else int(self.default), dtype=np.int64)
        if self.dtype == "bool":
            return np.full(n, bool(self.default))
        return np.full(n, "" if self.default is None else str(self.default), dtype=object)


@dataclass(frozen=True, slots=True)
class TableSchema:
    """The columns of one table, in declaration order."""

    name: str
    columns: tuple[ColumnSpec, ...]

    def __getitem__(self, column: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == column:
                return c
        raise KeyError(f"table '{self.name}' declares no column '{column}'")

    def __contains__(self, column: object) -> bool:
        return any(c.name == column for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def id_column(self) -> str | None:
        """The column whose check is ``unique`` (the table's key), if any."""
        for c in self.columns:
            if c.check == "unique":
                return c.name
        return None


def _parse_default(dtype: str, text: str) -> object:
    if text == "":
        return None
    if dtype == "bool":
        return text.strip().lower() in {"true", "1", "yes"}
    if dtype == "int64":
        return int(text)
    if dtype == "float64":
        return float(text)
    return text


def read_schema(text: str) -> dict[str, TableSchema]:
    """Table schemas from the text of a ``columns.csv`` (columns table, column, dtype, unit,
    default, required, check, description), in the order the tables first appear."""
    by_table: dict[str, list[ColumnSpec]] = {}
    for row in csv.DictReader(text.splitlines()):
        spec = ColumnSpec(
            table=row["table"],
            name=row["column"],
            dtype=row["dtype"],
            unit=row["unit"],
            default=_parse_default(row["dtype"], row["default"]),
            required=row["required"].strip().lower() == "yes",
            check=row["check"],
            description=row["description"],
        )
        by_table.setdefault(spec.table, []).append(spec)
    return {t: TableSchema(t, tuple(cols)) for t, cols in by_table.items()}


@cache
def _all() -> dict[str, TableSchema]:
    return read_schema(
        resources.files("serai.schema").joinpath("columns.csv").read_text(encoding="utf-8")
    )


def table_names() -> tuple[str, ...]:
    """Names of every declared table."""
    return tuple(_all())


def table_schema(table: str) -> TableSchema:
    """The declared schema of ``table``.

    Raises
    ------
    KeyError
        If no such table is declared.
    """
    try:
        return _all()[table]
    except KeyError:
        raise KeyError(f"no table '{table}' is declared; known: {', '.join(_all())}") from None


def default_modes() -> pd.DataFrame:
    """The built-in modes table (used when a network brings none)."""
    import pandas as pd

    path = resources.files("serai.schema").joinpath("modes.csv")
    with resources.as_file(path) as p:
        return pd.read_csv(p, dtype=str, keep_default_na=False)


def schema_markdown() -> str:
    """The schema as Markdown tables, one per table (for the docs)."""
    out = []
    for t, schema in _all().items():
        out.append(
            f"### {t}\n\n| column | type | unit | default | required | check | description |"
        )
        out.append("|---|---|---|---|---|---|---|")
        for c in schema.columns:
            d = "" if c.default is None else c.default
            req = "yes" if c.required else ""
            out.append(
                f"| `{c.name}` | {c.dtype} | {c.unit} | {d} | {req} | {c.check} | {c.description} |"
            )
        out.append("")
    return "\n".join(out)
