"""Network validation: every problem at once, each with table, row, id and column.

Checks come from the declared schema (``serai/schema/columns.csv``): required
columns and values, ``unique`` keys, ``ref:table.column`` references, numeric
bounds (``>0``, ``>=0``) and coordinate ranges (``lon``, ``lat``). Work is
vectorised with pandas; only the problems found are turned into Python objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from serai.errors import NetworkValidationError
from serai.network.core import Network
from serai.schema import table_schema

__all__ = ["Problem", "ValidationReport", "validate"]

# Columns whose zero values are legitimate but worth a warning.
_WARN_ZERO = {("links", "free_flow_time"): "zero free-flow time (allowed, e.g. connectors)"}


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a network table."""

    table: str
    row: int | None  # 1-based data row, None for table-level problems
    id: object | None  # value of the table's key column in that row
    column: str | None
    message: str
    severity: str = "error"  # "error" or "warning"
    file: str | None = None

    def __str__(self) -> str:
        where = [self.file or self.table]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.id is not None:
            where.append(f"id {self.id}")
        if self.column is not None:
            where.append(f"field '{self.column}'")
        return f"{self.severity}: {', '.join(where)}: {self.message}"


@dataclass(frozen=True)
class ValidationReport:
    """Every problem found by :func:`validate`."""

    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [(p.severity, p.table, p.row, p.id, p.column, p.message) for p in self.problems],
            columns=["severity", "table", "row", "id", "column", "message"],
        )

    def raise_if_errors(self) -> None:
        if not self.ok:
            raise NetworkValidationError(list(self.problems))


def _rows(
    df: pd.DataFrame,
    mask: np.ndarray,
    table: str,
    column: str | None,
    message: str,
    key: str | None,
    severity: str = "error",
    file: str | None = None,
    values: Iterable | None = None,
) -> list[Problem]:
    idx = np.flatnonzero(mask)
    if not len(idx):
        return []
    ids = df[key].to_numpy()[idx] if key and key in df.columns else [None] * len(idx)
    vals = list(values) if values is not None else None
    out = []
    for j, (i, ident) in enumerate(zip(idx, ids, strict=True)):
        msg = message.format(value=vals[j]) if vals is not None else message
        ident = None if ident is None or pd.isna(ident) else ident
        out.append(Problem(table, int(i) + 1, ident, column, msg, severity, file))
    return out


def _check_table(net: Network, table: str) -> list[Problem]:
    df = net.tables[table]
    try:
        schema = table_schema(table)
    except KeyError:
        return []
    file = (net.meta.get("sources") or {}).get(table)
    key = schema.id_column
    problems: list[Problem] = []
    for col in schema.required:
        if col not in df.columns:
            problems.append(
                Problem(table, None, None, col, "required column is missing", "error", file)
            )
    geographic = net.is_geographic
    for spec in schema.columns:
        if spec.name not in df.columns:
            continue
        values = df[spec.name]
        isna = values.isna().to_numpy()
        if spec.required and isna.any():
            problems += _rows(
                df,
                isna,
                table,
                spec.name,
                f"missing or not a valid {spec.dtype} value",
                key,
                file=file,
            )
        check = spec.check
        if check == "unique":
            dup = values.duplicated(keep="first").to_numpy() & ~isna
            problems += _rows(
                df,
                dup,
                table,
                spec.name,
                "duplicate id {value}",
                None,
                file=file,
                values=values.to_numpy()[dup],
            )
        elif check.startswith("ref:"):
            ref_table, ref_col = check[4:].split(".")
            if ref_table == "modes":
                ref = net.modes
            elif ref_table in net.tables:
                ref = net.tables[ref_table]
            else:
                continue
            if ref_col not in ref.columns:
                continue
            known = pd.Index(ref[ref_col].dropna().unique())
            bad = ~values.isin(known).to_numpy() & ~isna
            what = (
                "unknown mode '{value}'"
                if ref_table == "modes"
                else (f"refers to {ref_table[:-1]} {{value}}, which does not exist")
            )
            problems += _rows(
                df, bad, table, spec.name, what, key, file=file, values=values.to_numpy()[bad]
            )
        elif check.rstrip("?") in (">0", ">=0"):
            v = values.to_numpy(dtype=float, na_value=np.nan)
            strict = check.startswith(">0")
            with np.errstate(invalid="ignore"):
                bad = v <= 0 if strict else v < 0
            if not check.endswith("?"):  # "?" = a missing value is allowed
                bad |= np.isnan(v)
            label = "positive" if strict else "non-negative"
            problems += _rows(
                df,
                bad,
                table,
                spec.name,
                f"must be a {label} number, got {{value}}",
                key,
                file=file,
                values=v[bad],
            )
            warn = _WARN_ZERO.get((table, spec.name))
            if warn:
                problems += _rows(df, v == 0, table, spec.name, warn, key, "warning", file)
        elif check in ("lon", "lat") and geographic:
            v = values.to_numpy(dtype=float, na_value=np.nan)
            lim = 180.0 if check == "lon" else 90.0
            with np.errstate(invalid="ignore"):
                bad = np.abs(v) > lim
            name = "longitude" if check == "lon" else "latitude"
            problems += _rows(
                df,
                bad,
                table,
                spec.name,
                f"{name} {{value}} is out of range [-{lim:g}, {lim:g}]",
                key,
                file=file,
                values=v[bad],
            )
    return problems


def validate(network: Network, *, raise_on_error: bool = False) -> ValidationReport:
    """Check a network against its declared schema and report every problem.

    Parameters
    ----------
    network
        The network to check.
    raise_on_error
        Raise :class:`~serai.errors.NetworkValidationError` if any error is found.

    Returns
    -------
    ValidationReport
        All problems (errors and warnings), each naming table, row, id and column.

    Examples
    --------
    >>> import pandas as pd
    >>> from serai.network import Network, validate
    >>> net = Network.from_tables(
    ...     nodes=pd.DataFrame({"node_id": [1, 2, 2]}),
    ...     links=pd.DataFrame({"link_id": [1], "from_node": [1], "to_node": [3],
    ...                         "length": [-1.0]}),
    ... )
    >>> for p in validate(net).errors:
    ...     print(p)
    error: nodes, row 3, field 'node_id': duplicate id 2
    error: links, row 1, id 1, field 'to_node': refers to node 3, which does not exist
    error: links, row 1, id 1, field 'length': must be a positive number, got -1.0
    """
    problems: list[Problem] = []
    for table in network.tables:
        problems += _check_table(network, table)
    links = network.links
    if {"from_node", "to_node"} <= set(links.columns):
        loop = (links["from_node"] == links["to_node"]).fillna(False).to_numpy(dtype=bool)
        problems += _rows(
            links,
            loop,
            "links",
            "to_node",
            "self-loop (from_node == to_node)",
            "link_id",
            "warning",
            (network.meta.get("sources") or {}).get("links"),
        )
    report = ValidationReport(tuple(problems))
    if raise_on_error:
        report.raise_if_errors()
    return report
