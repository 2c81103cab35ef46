"""The reliability tables (element distributions, seasonal closures) and their validation gate.

Two CSV tables in ``serai/reliability/data`` (or a folder of your own with the same
file names), their columns declared once in ``data/columns.csv``:

``distributions.csv``
    One rule per row: which elements it applies to (``match``: a time-model
    parameter id or pattern, ``const.<component>`` for a figure of the network,
    ``access.<component>`` for first/last-mile legs, ``flows.delay`` for congestion),
    the family and spread around the time model's mean, the scope of one draw
    (per element or per route), a correlation group and loading, a seasonal profile,
    and where the spread comes from. The first matching rule wins.
``seasons.csv``
    Monthly share of time the ports of a profile are closed by weather.

Examples
--------
>>> from serai.reliability.tables import reliability_tables
>>> t = reliability_tables()
>>> t.rule_for("border.rail.BY.out.BY-PL")
'border_brest'
>>> t.rule_for("border.rail.TR.in")
'border_rail'
>>> [round(float(x), 3) for x in t.profiles["caspian"][[0, 6, 10]]]
[0.323, 0.0, 0.5]
"""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from serai.errors import InputError

__all__ = ["ReliabilityTables", "Rule", "load_reliability_tables", "reliability_tables"]

_DATA = "serai.reliability.data"
_TABLES = ("distributions", "seasons")


@cache
def _columns() -> dict[str, list[dict[str, str]]]:
    text = resources.files(_DATA).joinpath("columns.csv").read_text(encoding="utf-8")
    out: dict[str, list[dict[str, str]]] = {}
    for row in csv.DictReader(text.splitlines()):
        out.setdefault(row["table"], []).append(row)
    return out


def _read(folder: Path | None, name: str) -> tuple[pd.DataFrame, str]:
    fname = f"{name}.csv"
    try:
        if folder is None:
            with resources.files(_DATA).joinpath(fname).open("rb") as fh:
                return pd.read_csv(fh, dtype=str, keep_default_na=False), fname
        f = Path(folder) / fname
        if not f.exists():
            raise InputError("missing table", file=str(f))
        return pd.read_csv(f, dtype=str, keep_default_na=False), str(f)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot be read as CSV: {exc}", file=fname) from None


def _coerce(df: pd.DataFrame, table: str, fname: str) -> pd.DataFrame:
    """Typed columns after the declared checks (InputError naming file, row and field)."""
    spec = _columns()[table]
    names = [s["column"] for s in spec]
    for c in df.columns:
        if c not in names:
            near = difflib.get_close_matches(c, names, n=2)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise InputError(f"unknown column{hint}", file=fname, field=c)
    out: dict[str, Any] = {}
    n = len(df)
    for s in spec:
        col, dtype, default, check = s["column"], s["dtype"], s["default"], s["check"]
        if col in df.columns:
            raw = df[col].astype(str).str.strip()
        elif s["required"] == "yes":
            raise InputError("required column is missing", file=fname, field=col)
        else:
            raw = pd.Series([""] * n, index=df.index, dtype=object)
        empty = raw == ""
        if s["required"] == "yes" and empty.any():
            row = int(np.flatnonzero(empty.to_numpy())[0]) + 1
            raise InputError("a value is required", file=fname, row=row, field=col)
        raw = raw.where(~empty, default)
        if dtype in ("float64", "int64"):
            num = pd.to_numeric(raw.where(raw != "", None), errors="coerce")
            bad = num.isna() & (raw != "")
            bad |= ~np.isfinite(num.fillna(0.0).to_numpy(float))
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise InputError(
                    f"'{raw.iloc[i]}' is not a number", file=fname, row=i + 1, field=col
                )
            if check == ">=0" and (num < 0).any():
                i = int(np.flatnonzero((num < 0).to_numpy())[0])
                raise InputError(
                    f"must be >= 0, not {raw.iloc[i]}", file=fname, row=i + 1, field=col
                )
            out[col] = num.astype(float) if dtype == "float64" else num
        else:
            out[col] = raw.astype(str)
        if check.startswith("in:"):
            allowed = check[3:].split("|")
            vals = (
                out[col].astype(str) if dtype != "int64" else out[col].astype("Int64").astype(str)
            )
            bad = ~vals.isin(allowed) & (raw != "")
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                v = vals.iloc[i]
                near = difflib.get_close_matches(v, allowed, n=2)
                hint = f"; did you mean {', '.join(near)}?" if near else ""
                raise InputError(
                    f"'{v}' is not one of {', '.join(allowed)}{hint}",
                    file=fname, row=i + 1, field=col,
                )  # fmt: skip
        if check == "unique":
            dup = out[col].duplicated()
            if dup.any():
                i = int(np.flatnonzero(dup.to_numpy())[0])
                raise InputError(
                    f"'{out[col].iloc[i]}' is repeated", file=fname, row=i + 1, field=col
                )
    return pd.DataFrame(out)


class Rule(NamedTuple):
    """One rule of ``distributions.csv`` (the fields the simulation needs)."""

    rule_id: str
    family: str
    cv: float
    scope: str
    group: str
    loading: float
    profile: str


@dataclass(frozen=True, eq=False)
class ReliabilityTables:
    """Checked reliability tables: rules (in priority order) and seasonal profiles.

    Attributes
    ----------
    distributions
        The rules (``distributions.csv``), in file order.
    seasons
        The monthly closure shares (``seasons.csv``).
    profiles
        Profile name -> array of 12 closure shares (January first).
    folder
        Where the tables were read ('' for the shipped ones).
    """

    distributions: pd.DataFrame
    seasons: pd.DataFrame
    profiles: dict[str, np.ndarray]
    folder: str = ""
    _cache: dict[str, int] = field(default_factory=dict, repr=False)

    @cached_property
    def records(self) -> tuple[Rule, ...]:
        """The rules as plain records, in priority order (fast access in loops)."""
        d = self.distributions
        return tuple(
            Rule(
                str(r.rule_id),
                str(r.family),
                float(r.cv),
                str(r.scope),
                str(r.group),
                float(r.loading),
                str(r.profile),
            )
            for r in d.itertuples(index=False)
        )

    def rule_index(self, key: str) -> int:
        """Row of the first rule matching ``key`` (-1 when none does)."""
        hit = self._cache.get(key)
        if hit is None:
            hit = -1
            for i, pat in enumerate(self.distributions["match"]):
                if fnmatchcase(key, pat):
                    hit = i
                    break
            self._cache[key] = hit  # a benign race: every thread writes the same value
        return hit

    def rule_for(self, key: str) -> str | None:
        """The rule id of the first rule matching ``key`` (None when none does)."""
        i = self.rule_index(key)
        return None if i < 0 else str(self.distributions["rule_id"].iat[i])

    def rule(self, rule_id: str) -> pd.Series:
        """One rule by id (InputError with suggestions when unknown)."""
        d = self.distributions
        hit = d.index[d["rule_id"] == rule_id]
        if not len(hit):
            near = difflib.get_close_matches(rule_id, list(d["rule_id"]), n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise InputError(f"unknown reliability rule '{rule_id}'{hint}", field="rule_id")
        return d.loc[hit[0]]


def _check(dist: pd.DataFrame, seasons: pd.DataFrame, fd: str, fs: str) -> dict[str, np.ndarray]:
    from serai.reliability.dists import family_code

    profiles: dict[str, np.ndarray] = {}
    for name, g in seasons.groupby("profile", sort=False):
        months = g["month"].astype(int).to_numpy()
        if sorted(months.tolist()) != list(range(1, 13)):
            missing = sorted(set(range(1, 13)) - set(months.tolist()))
            raise InputError(
                f"profile '{name}' needs one row per month (missing or repeated: {missing or 'repeat'})",
                file=fs, field="month",
            )  # fmt: skip
        share = np.zeros(12)
        share[months - 1] = g["closed_share"].to_numpy(float)
        if np.any(share > 1):
            i = int(g.index[np.flatnonzero(g["closed_share"].to_numpy(float) > 1)[0]]) + 1
            raise InputError("a closed share must be 0..1", file=fs, row=i, field="closed_share")
        profiles[str(name)] = share
    for i, r in enumerate(dist.itertuples(index=False), start=1):
        family_code(r.family)
        if r.family in ("normal", "lognormal", "gamma", "uniform") and not r.cv > 0:
            raise InputError(f"family {r.family} needs cv > 0", file=fd, row=i, field="cv")
        if r.family == "uniform" and r.cv > 1 / np.sqrt(3) + 1e-6:
            raise InputError("a uniform time needs cv <= 1/sqrt(3)", file=fd, row=i, field="cv")
        if r.family == "storm":
            if not r.profile:
                raise InputError("a storm rule needs a profile", file=fd, row=i, field="profile")
            if r.profile not in profiles:
                near = difflib.get_close_matches(r.profile, list(profiles), n=2)
                hint = f"; did you mean {', '.join(near)}?" if near else ""
                raise InputError(
                    f"unknown profile '{r.profile}'{hint}", file=fd, row=i, field="profile"
                )
            if (profiles[r.profile] <= 0).all():
                raise InputError(
                    f"profile '{r.profile}' is never closed", file=fd, row=i, field="profile"
                )
        elif r.profile:
            raise InputError("only storm rules take a profile", file=fd, row=i, field="profile")
        if r.loading > 1:
            raise InputError("a loading must be 0..1", file=fd, row=i, field="loading")
    return profiles


def load_reliability_tables(folder: str | Path | None = None) -> ReliabilityTables:
    """Read and check ``distributions.csv`` and ``seasons.csv`` (shipped ones by default)."""
    path = None if folder is None else Path(folder)
    dist, fd = _read(path, "distributions")
    seas, fs = _read(path, "seasons")
    dist = _coerce(dist, "distributions", fd)
    seas = _coerce(seas, "seasons", fs)
    profiles = _check(dist, seas, fd, fs)
    return ReliabilityTables(dist, seas, profiles, "" if path is None else str(path))


@cache
def reliability_tables() -> ReliabilityTables:
    """The shipped reliability tables (read once)."""
    return load_reliability_tables()
