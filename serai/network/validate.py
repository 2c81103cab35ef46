"""Network validation: every problem at once, each with table, row, id and column.

Checks come from the declared schema (``serai/schema/columns.csv``): required
columns and values, ``unique`` keys, ``ref:table.column`` references, numeric
bounds (``>0``, ``>=0``) and coordinate ranges (``lon``, ``lat``). Beyond the
declared checks: every number must be finite and below ``1e12`` in size; code
columns (``status``, ``toc``, ``hoc``) must hold known codes (with suggestions);
shares lie in 0..1, years in 1800..2200; a network needs links and nodes; a
projected CRS must be known and not hold longitude/latitude numbers; a link's drawn
line must start and end near its nodes. Unusual but usable data (zero lengths or
free-flow times, partly missing capacities) is one warning per column with a count.

``purpose="assignment"`` adds what an assignment needs (free-flow time and capacity
on every link), so ``serai network validate --for assignment`` refuses exactly what
:func:`serai.assignment.assign` refuses. Work is vectorised with pandas; only the
problems found are turned into Python objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from serai.errors import NetworkValidationError
from serai.network.core import Network
from serai.schema import table_schema

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Problem", "ValidationReport", "validate"]

# Columns whose zero values are legitimate but worth a warning (one line with a count).
_WARN_ZERO = {
    ("links", "free_flow_time"): "zero free-flow time (allowed, e.g. connectors)",
    ("links", "length"): "zero length (usable when length is not in the cost)",
}
_MAX_ABS = 1e12  # larger numbers are mistakes (and overflow sums and powers)
_STATUS = ("operational", "under_construction", "planned")
_SHARE = {("links", "electrified_share")}
_YEAR = {("links", "open_year"), ("nodes", "open_year")}
_PURPOSES = ("any", "assignment")
_NEAR_KM = 25.0  # a drawn link line must start and end this close to its nodes


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
        import pandas as pd

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
    import pandas as pd

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
    import pandas as pd

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
        elif check.rstrip("?") in (">0", ">=0", ">1"):
            v = values.to_numpy(dtype=float, na_value=np.nan)
            strict = check.startswith(">0")
            zero_ok = (table, spec.name) in _WARN_ZERO
            with np.errstate(invalid="ignore"):
                huge = np.isinf(v) | (np.abs(v) > _MAX_ABS)
                if check.startswith(">1"):
                    bad = v <= 1
                else:
                    bad = v <= 0 if strict and not zero_ok else v < 0
                bad &= ~huge
            if not check.endswith("?") and not check.startswith(">1"):  # "?": may be missing
                bad |= np.isnan(v)
            label = {">0": "a positive number", ">=0": "a non-negative number",
                     ">1": "a number greater than 1"}[check.rstrip("?")]  # fmt: skip
            problems += _rows(
                df,
                bad,
                table,
                spec.name,
                f"must be {label}, got {{value}}",
                key,
                file=file,
                values=v[bad],
            )
            problems += _rows(df, huge, table, spec.name, "must be a finite number below 1e12, "
                              "got {value}", key, file=file, values=v[huge])  # fmt: skip
            if (table, spec.name) in _SHARE:
                with np.errstate(invalid="ignore"):
                    over = v > 1
                problems += _rows(df, over, table, spec.name, "a share must lie in 0..1, got "
                                  "{value}", key, file=file, values=v[over])  # fmt: skip
            warn = _WARN_ZERO.get((table, spec.name))
            if warn:
                problems += _summary(df, v == 0, table, spec.name, warn, key, file)
            if check.endswith("?") and len(v):
                missing = np.isnan(v)
                if missing.any() and not missing.all() and spec.name == "capacity":
                    problems += _summary(
                        df, missing, table, spec.name,
                        "capacity missing (such links cannot be assigned)", key, file,
                    )  # fmt: skip
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
        elif check in ("lon", "lat"):  # planar: any finite number
            v = values.to_numpy(dtype=float, na_value=np.nan)
            bad = np.isinf(v) | (np.abs(np.nan_to_num(v)) > _MAX_ABS)
            problems += _rows(df, bad, table, spec.name, "coordinate {value} is not a finite "
                              "number below 1e12", key, file=file, values=v[bad])  # fmt: skip
        if (table, spec.name) in _YEAR and spec.name in df.columns:
            v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            with np.errstate(invalid="ignore"):
                bad = (v < 1800) | (v > 2200)
            problems += _rows(df, bad, table, spec.name, "year {value} is outside 1800..2200",
                              key, file=file, values=v[bad])  # fmt: skip
        if spec.name == "status" and spec.dtype == "string":
            problems += _codes(df, values, table, spec.name, "status", _STATUS, key, file)
        elif table == "links" and spec.name in ("toc", "hoc"):
            problems += _codes(df, values, table, spec.name, spec.name, _emission_ids(spec.name),
                               key, file)  # fmt: skip
    if table in ("links", "nodes") and not len(df):
        problems.append(Problem(table, None, None, None, f"the network has no {table}", "error",
                                file))  # fmt: skip
    return problems


def _summary(
    df: pd.DataFrame,
    mask: np.ndarray,
    table: str,
    column: str,
    message: str,
    key: str | None,
    file: str | None,
) -> list[Problem]:
    """One warning for every row in ``mask``: the count and the first few ids."""
    idx = np.flatnonzero(mask)
    if not len(idx):
        return []
    ids = df[key].to_numpy()[idx[:3]] if key and key in df.columns else idx[:3] + 1
    what = "id" if key and key in df.columns else "row"
    first = ", ".join(str(i) for i in ids) + (", ..." if len(idx) > 3 else "")
    msg = f"{message}: {len(idx)} of {len(df)} rows ({what} {first})"
    return [Problem(table, None, None, column, msg, "warning", file)]


def _codes(df, values, table, column, kind, known, key, file) -> list[Problem]:
    """Errors for values that are not known codes (empty = the declared default)."""
    from serai.errors import suggest

    text = values.astype(str).str.strip()
    bad = ~(text.isin(known) | text.eq("") | values.isna()).to_numpy()
    out = []
    for i in np.flatnonzero(bad)[:1000]:
        close = suggest(text.iloc[i], known)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        listed = ", ".join(known) if len(known) <= 12 else f"{len(known)} codes, see the docs"
        out += _rows(df, np.arange(len(df)) == i, table, column,
                     f"unknown {kind} '{text.iloc[i]}'{hint} known: {listed}", key, file=file)  # fmt: skip
    return out


def _emission_ids(column: str) -> tuple[str, ...]:
    from importlib import resources

    import pandas as pd

    name = "tocs.csv" if column == "toc" else "hocs.csv"
    with resources.files("serai.emissions.data").joinpath(name).open("rb") as fh:
        ids = pd.read_csv(fh, usecols=[0]).iloc[:, 0].astype(str).tolist()
    return tuple(sorted(set(ids) | ({"rail_container"} if column == "toc" else set())))


def _crs_problems(network: Network) -> list[Problem]:
    """A projected CRS must be known and must not hold longitude/latitude numbers."""
    crs = network.meta.get("crs")
    if crs is None or network.is_geographic or str(crs).strip() == "":
        return []
    file = (network.meta.get("sources") or {}).get("nodes")
    try:
        from pyproj import CRS
        from pyproj.exceptions import CRSError
    except ImportError:  # pragma: no cover - the geo extra is absent
        return []
    try:
        c = CRS.from_user_input(str(crs))
    except (CRSError, TypeError, ValueError):
        return [Problem("nodes", None, None, "crs", f"unknown CRS {str(crs)[:60]!r}", "error",
                        file)]  # fmt: skip
    if c.is_geographic:
        return []
    nodes = network.nodes
    if not {"x", "y"} <= set(nodes.columns):
        return []
    x = nodes["x"].to_numpy(dtype=float, na_value=np.nan)
    y = nodes["y"].to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() >= 2 and (np.abs(x[ok]) <= 180).all() and (np.abs(y[ok]) <= 90).all():
        return [Problem("nodes", None, None, "crs", f"the coordinates look like longitude/"
                        f"latitude degrees, but the CRS is {crs} (projected, in "
                        f"{c.axis_info[0].unit_name if c.axis_info else 'linear units'}); "
                        "declare EPSG:4326 or give projected coordinates", "error", file)]  # fmt: skip
    return []


def _geometry_problems(network: Network) -> list[Problem]:
    """A link's drawn line must start and end near its end nodes."""
    import pandas as pd

    links, nodes = network.links, network.nodes
    if "geometry" not in links.columns or not {"x", "y"} <= set(nodes.columns):
        return []
    from serai.network.io._common import wkt_to_line

    xy = nodes.drop_duplicates("node_id").set_index("node_id")[["x", "y"]]
    xy = xy.apply(pd.to_numeric, errors="coerce")
    geo = network.is_geographic
    arr = xy.to_numpy(float)
    arr = arr[np.isfinite(arr).all(axis=1)]
    span = float(np.ptp(arr, axis=0).max()) if len(arr) else 0.0
    tol = _NEAR_KM if geo else max(span * 0.02, 1e-9)
    bad, far = [], []
    for i, (text, a, b) in enumerate(
        zip(links["geometry"].tolist(), links["from_node"], links["to_node"], strict=True)
    ):
        if not isinstance(text, str) or not text.strip():
            continue
        try:
            line = wkt_to_line(text)
        except ValueError:
            continue  # reported by the readers
        ends = []
        for node, pt in ((a, line[0]), (b, line[-1])):
            if node in xy.index:
                ends.append(_distance(xy.loc[node].to_numpy(float), pt, geo))
        d = max(ends) if ends else 0.0
        if d > tol:
            bad.append(i)
            far.append(d)
    mask = np.zeros(len(links), dtype=bool)
    mask[bad] = True
    unit = "km" if geo else "units"
    return _rows(links, mask, "links", "geometry",
                 f"the drawn line ends {{value:.3g}} {unit} from its node(s) (more than "
                 f"{tol:.3g} {unit})", "link_id", file=(network.meta.get("sources") or {}).get(
                     "links"), values=far)  # fmt: skip


def _distance(a: np.ndarray, b, geographic: bool) -> float:
    if not np.isfinite(a).all():
        return 0.0
    if not geographic:
        return float(np.hypot(a[0] - b[0], a[1] - b[1]))
    lon1, lat1, lon2, lat2 = map(np.radians, (a[0], a[1], b[0], b[1]))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return float(2 * 6371.0088 * np.arcsin(np.sqrt(min(1.0, h))))


def _purpose_problems(network: Network, purpose: str) -> list[Problem]:
    """What an assignment needs on every link: free-flow time and capacity."""
    if purpose != "assignment":
        return []
    links = network.links
    file = (network.meta.get("sources") or {}).get("links")
    out = []
    for col in ("free_flow_time", "capacity"):
        if col not in links.columns:
            out.append(Problem("links", None, None, col,
                               "required column is missing (assignment needs it)", "error", file))  # fmt: skip
            continue
        v = links[col].to_numpy(dtype=float, na_value=np.nan)
        out += _rows(links, np.isnan(v), "links", col,
                     "missing (assignment needs a value on every link)", "link_id", file=file)  # fmt: skip
    return out


def validate(
    network: Network, *, purpose: str = "any", raise_on_error: bool = False
) -> ValidationReport:
    """Check a network against its declared schema and report every problem.

    Parameters
    ----------
    network
        The network to check.
    purpose
        ``"any"`` (default), or ``"assignment"`` to also require what an assignment
        needs (free-flow time and capacity on every link).
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
    from serai.errors import InputError

    if purpose not in _PURPOSES:
        raise InputError(f"unknown purpose '{purpose}'; one of {', '.join(_PURPOSES)}",
                         field="purpose")  # fmt: skip
    if not isinstance(network, Network):
        raise InputError(f"expected a Network, got {type(network).__name__}", field="network")
    problems: list[Problem] = []
    for table in network.tables:
        problems += _check_table(network, table)
    problems += _crs_problems(network)
    problems += _geometry_problems(network)
    problems += _purpose_problems(network, purpose)
    links = network.links
    if {"from_node", "to_node"} <= set(links.columns):
        loop = (links["from_node"] == links["to_node"]).fillna(False).to_numpy(dtype=bool)
        problems += _summary(
            links,
            loop,
            "links",
            "to_node",
            "self-loop (from_node == to_node)",
            "link_id",
            (network.meta.get("sources") or {}).get("links"),
        )
    report = ValidationReport(tuple(problems))
    if raise_on_error:
        report.raise_if_errors()
    return report
