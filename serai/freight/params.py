"""Model parameters (time and tariff elements) with their provenance, and the terms that use them.

Every number of the time model (:mod:`serai.freight.timemodel`) and the tariff model
(:mod:`serai.freight.tariffs`) is a row of a table in ``serai/freight/data``:

``time_params.csv`` and ``tariff_params.csv``
    ``param_id, value, unit, basis, fit, low, high, prior_sd, year, source, note``.
    ``basis`` is ``measured`` (a published figure, with its source and year) or
    ``estimate`` (reasoning in ``note``). ``fit=true`` marks estimates that
    ``serai data calibrate`` may fit, within ``[low, high]`` and with a log-normal
    prior of standard deviation ``prior_sd`` around ``value``.
``border_times.csv``
    Border-crossing time per side of a crossing: ``mode, country, direction (in, out,
    *), crossing_id`` (empty = every crossing of that country) and ``hours``; the
    rows become parameters ``border.<mode>.<country>.<direction>[.<crossing_id>]``.
``calibrated.csv``
    Written by ``serai data calibrate``: the fitted value of each calibrated
    parameter, its prior, and the observations it rests on. A fitted value replaces
    the table value and the parameter's basis becomes ``calibrated``.

A model builds :class:`Terms` once per routing graph and commodity: each term adds
``coef * value`` (or ``coef / value`` for speeds) of one parameter, or a constant, to
one time or money component of one virtual link. Evaluating the terms for a vector of
parameter values is a few array operations, which keeps the calibration fast and
makes the route's time and money exactly the sum of its elements.

Examples
--------
>>> from serai.freight.params import model_params
>>> p = model_params()
>>> p.value("rail.speed.KZ"), p.basis_of("rail.speed.KZ")
(57.9, 'measured')
>>> p.value("border.rail.KZ.in")
78.0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from serai.errors import InputError

__all__ = [
    "BASES",
    "COMPONENTS",
    "MONEY",
    "TIME",
    "ParamSet",
    "TermBuilder",
    "Terms",
    "border_fallback",
    "model_params",
    "network_params",
    "zone_of",
]

#: Table of a network holding a scenario's parameter overrides (``param_id``, ``value``, ...).
NETWORK_PARAMS_TABLE = "model_params"

_DATA = "serai.freight.data"

#: Time components (hours) of a virtual link, kept apart for reliability modelling.
TIME = ("motion", "rest", "dwell", "border_out", "border_in", "schedule", "queue")
#: Money components (USD per unit).
MONEY = ("tariff", "hub", "border_fee", "market")
COMPONENTS = TIME + MONEY
#: Provenance classes, in this order in every array that splits by basis.
BASES = ("measured", "calibrated", "estimate")
_BASIS_CODE = {b: i for i, b in enumerate(BASES)}

_PARAM_COLUMNS = (
    "param_id",
    "value",
    "unit",
    "basis",
    "fit",
    "low",
    "high",
    "prior_sd",
    "year",
    "source",
    "note",
)


def _read(name: str) -> pd.DataFrame:
    with resources.files(_DATA).joinpath(name).open("rb") as fh:
        return pd.read_csv(fh, keep_default_na=False, na_values=[""], dtype={"crossing": str})


def _bool(v: object) -> bool:
    return str(v).strip().lower() in ("true", "1", "yes")


def _border_rows(df: pd.DataFrame) -> pd.DataFrame:
    """``border_times.csv`` rows as parameter rows."""
    cid = df["crossing"].fillna("").astype(str)
    pid = (
        "border."
        + df["mode"].astype(str)
        + "."
        + df["country"].astype(str)
        + "."
        + df["direction"].astype(str)
        + np.where(cid != "", "." + cid, "")
    )
    out = df.rename(columns={"hours": "value"}).assign(param_id=pid, unit="h")
    return out


@dataclass(frozen=True, eq=False)
class ParamSet:
    """An immutable set of model parameters (values, bounds, priors, provenance).

    Attributes
    ----------
    table
        One row per parameter: the columns of the parameter tables plus ``prior``
        (the table value before calibration), ``calibrated`` (bool) and
        ``observations`` (``;``-list of the observations a fitted value rests on).
    """

    table: pd.DataFrame
    index: Mapping[str, int] = field(repr=False)
    values: np.ndarray = field(repr=False)

    @classmethod
    def from_table(cls, table: pd.DataFrame) -> ParamSet:
        t = table.reset_index(drop=True)
        dup = t["param_id"][t["param_id"].duplicated()]
        if len(dup):
            raise InputError(f"duplicate parameter id '{dup.iloc[0]}'", field="param_id")
        vals = pd.to_numeric(t["value"], errors="coerce").to_numpy(float)
        bad = ~np.isfinite(vals)
        if bad.any():
            raise InputError(
                f"parameter '{t['param_id'].iloc[int(np.flatnonzero(bad)[0])]}' has no numeric value",
                field="value",
            )
        vals.setflags(write=False)
        return cls(t, {p: i for i, p in enumerate(t["param_id"])}, vals)

    def __len__(self) -> int:
        return len(self.values)

    def __contains__(self, pid: object) -> bool:
        return pid in self.index

    @property
    def ids(self) -> list[str]:
        return list(self.table["param_id"])

    def idx(self, pid: str) -> int:
        """Position of a parameter (InputError with suggestions when unknown)."""
        try:
            return self.index[pid]
        except KeyError:
            import difflib

            near = difflib.get_close_matches(pid, list(self.index), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise InputError(f"unknown model parameter '{pid}'{hint}", field="param_id") from None

    def value(self, pid: str) -> float:
        return float(self.values[self.idx(pid)])

    def basis_of(self, pid: str) -> str:
        return self.basis()[self.idx(pid)]

    def basis(self) -> np.ndarray:
        """Provenance per parameter: measured, calibrated or estimate (read-only; made once
        per ParamSet: first/last-mile legs ask for it per part, ~10 pandas calls each)."""
        b = self.__dict__.get("_basis")
        if b is None:
            b = self.table["basis"].astype(str).to_numpy(object).copy()
            b[self.table["calibrated"].to_numpy(bool)] = "calibrated"
            b.setflags(write=False)
            object.__setattr__(self, "_basis", b)
        return b

    def basis_codes(self) -> np.ndarray:
        return np.array([_BASIS_CODE[b] for b in self.basis()], dtype=np.int8)

    def with_values(
        self, values: Mapping[str, float] | np.ndarray, *, calibrated: Iterable[str] = ()
    ) -> ParamSet:
        """A copy with new values (a full vector, or a mapping of some ids)."""
        t = self.table.copy()
        if isinstance(values, Mapping):
            for pid, v in values.items():
                t.loc[self.idx(pid), "value"] = float(v)
        else:
            arr = np.asarray(values, dtype=float)
            if arr.shape != self.values.shape:
                raise InputError(f"need {len(self.values)} parameter values, got {arr.shape}")
            t["value"] = arr
        cal = set(calibrated)
        if cal:
            t["calibrated"] = t["calibrated"].to_numpy(bool) | t["param_id"].isin(cal).to_numpy()
        return ParamSet.from_table(t)

    def for_year(self, year: int | None) -> ParamSet:
        """The parameters of a network year: measured values of that year.

        A parameter measured in year ``Y0`` (its table row's ``year``) keeps its value for
        ``year >= Y0`` (the latest measurement stands, no extrapolation). For an earlier
        year, ``param_history.csv`` gives the value of the latest year at or before it,
        or of its earliest year when ``year`` precedes them all (e.g. the CAREC Kazakh rail
        border times and speeds of 2019-2021 for a 2017 or 2018 figure). Returns ``self``
        when nothing changes (``year`` None, or not before any table year).

        Examples
        --------
        >>> p = model_params()
        >>> p.for_year(2025) is p
        True
        >>> p.for_year(2018).value("rail.speed.KZ")  # CAREC 2020, the earliest measured
        65.2
        >>> p.for_year(2021).value("border.road.GE.*")
        3.6
        """
        if year is None:
            return self
        h = _history()
        if not len(h):
            return self
        year = int(year)
        tyear = pd.to_numeric(self.table["year"], errors="coerce").to_numpy(float)
        t = None
        for pid, rows in h.groupby("param_id", sort=False):
            i = self.index.get(str(pid))
            if i is None or not np.isfinite(tyear[i]) or year >= tyear[i]:
                continue
            ys = rows["year"].to_numpy(int)
            before = ys <= year
            k = int(np.argmax(np.where(before, ys, -1))) if before.any() else int(np.argmin(ys))
            r = rows.iloc[k]
            if t is None:
                t = self.table.copy()
            # the value of that year, with its provenance (a derived value is an estimate)
            t.loc[i, ["value", "basis", "year", "source"]] = [
                float(r["value"]),
                str(r["basis"]),
                int(r["year"]),
                str(r["source"]),
            ]
        return self if t is None else ParamSet.from_table(t)

    def first(self, candidates: Sequence[str]) -> str | None:
        """The first of ``candidates`` that is a parameter (None if none is)."""
        for c in candidates:
            if c in self.index:
                return c
        return None


def _load_table() -> pd.DataFrame:
    frames = []
    for name in ("time_params.csv", "tariff_params.csv"):
        t = _read(name)
        missing = [c for c in _PARAM_COLUMNS if c not in t.columns]
        if missing:
            raise InputError(f"columns missing: {missing}", file=name)
        frames.append(t.assign(table=name.removesuffix(".csv")))
    b = _read("border_times.csv")
    frames.append(_border_rows(b).assign(table="border_times"))
    t = pd.concat(frames, ignore_index=True)
    t["fit"] = t["fit"].map(_bool)
    if "includes_gauge" in t.columns:
        t["includes_gauge"] = t["includes_gauge"].map(_bool)
    else:
        t["includes_gauge"] = False
    bad = ~t["basis"].isin(["measured", "estimate"])
    if bad.any():
        r = t.loc[bad].iloc[0]
        raise InputError(
            f"basis must be measured or estimate, not '{r['basis']}'",
            file=str(r["table"]),
            row=str(r["param_id"]),
            field="basis",
        )
    t["prior"] = pd.to_numeric(t["value"], errors="coerce")
    t["calibrated"] = False
    t["observations"] = ""
    return t


def _apply_calibration(t: pd.DataFrame) -> pd.DataFrame:
    try:
        c = _read("calibrated.csv")
    except FileNotFoundError:
        return t
    if not len(c):
        return t
    pos = {p: i for i, p in enumerate(t["param_id"])}
    for r in c.itertuples(index=False):
        i = pos.get(str(r.param_id))
        if i is None:
            raise InputError(
                f"calibrated parameter '{r.param_id}' is not in the parameter tables",
                file="calibrated.csv",
                field="param_id",
            )
        if not bool(t.at[i, "fit"]):
            raise InputError(
                f"'{r.param_id}' is not marked fit=true but has a calibrated value",
                file="calibrated.csv",
                field="param_id",
            )
        t.at[i, "value"] = float(r.value)
        t.at[i, "calibrated"] = True
        t.at[i, "observations"] = str(r.observations) if r.observations == r.observations else ""
    return t


@cache
def _history() -> pd.DataFrame:
    """``param_history.csv``: values of measured parameters in years before their table row."""
    h = _read("param_history.csv")
    name = "param_history.csv"
    for col in ("param_id", "year", "value", "basis", "source"):
        if col not in h.columns:
            raise InputError(f"column '{col}' missing", file=name, field=col)
    for c in ("year", "value"):
        num = pd.to_numeric(h[c], errors="coerce")
        bad = ~np.isfinite(num.to_numpy(float))
        if bad.any():
            raise InputError(
                f"'{c}' must be a number", file=name, row=int(np.flatnonzero(bad)[0]) + 2, field=c
            )
        h[c] = num
    known = set(_load_table()["param_id"])
    unknown = sorted(set(h["param_id"]) - known)
    if unknown:
        raise InputError(f"unknown parameter '{unknown[0]}'", file=name, field="param_id")
    return h


@cache
def model_params() -> ParamSet:
    """The shipped parameters, with the calibrated values of ``calibrated.csv`` applied."""
    return ParamSet.from_table(_apply_calibration(_load_table()))


def border_fallback(pid: str, ids: Iterable[str] | Mapping[str, int]) -> str | None:
    """The parameter a border side of one country falls back to when it has no row.

    ``border.<mode>.<CC>.<in|out|*>`` of a country ``CC`` without its own row takes the
    country's both-direction row, else the mode's default ``border.<mode>.*.*`` (the
    order of :func:`serai.freight.timemodel.border_side_param`). A scenario may name such
    an id to change one country's border sides only: the id gets its own row, valued
    from this fallback. ``None`` when ``pid`` has a row or is not of that form.

    >>> p = model_params()
    >>> border_fallback("border.rail.AZ.in", p.index), border_fallback("border.rail.KZ.in", p.index)
    ('border.rail.*.*', None)
    >>> border_fallback("border.rail.*.in", p.index), border_fallback("border.sea.AZ.in", p.index)
    (None, None)
    """
    if pid in ids:
        return None
    parts = pid.split(".")
    if (
        len(parts) != 4
        or parts[0] != "border"
        or parts[1] not in ("rail", "road")
        or parts[3] not in ("in", "out", "*")
        or not (len(parts[2]) == 2 and parts[2].isalpha() and parts[2].isupper())
    ):
        return None
    mode, cc, d = parts[1], parts[2], parts[3]
    for c in ([f"border.{mode}.{cc}.*"] if d != "*" else []) + [f"border.{mode}.*.*"]:
        if c in ids:
            return c
    return None


def network_params(network) -> ParamSet:
    """The parameters the links of ``network`` are costed with: the shipped, calibrated ones
    with the overrides the network carries (table ``model_params``, left there by a
    scenario's ``[[parameter]]`` changes; see :mod:`serai.scenarios`).

    Every consumer that costs links without explicit parameters (routes, flows, chains,
    the service) gets them from here, so a scenario's speeds, border times and tariffs act
    wherever its network is used.

    Examples
    --------
    >>> import pandas as pd
    >>> from serai.network import Network
    >>> nodes = pd.DataFrame({"node_id": [1, 2], "x": [70.0, 74.0], "y": [45.0, 45.0]})
    >>> links = pd.DataFrame({"link_id": [1], "from_node": [1], "to_node": [2], "length": [1.0]})
    >>> net = Network.from_tables(nodes=nodes, links=links)
    >>> network_params(net) is model_params()
    True
    >>> t = pd.DataFrame({"param_id": ["rail.speed.KZ"], "value": [62.5]})
    >>> network_params(net.with_tables(model_params=t)).value("rail.speed.KZ")
    62.5
    """
    base = model_params().for_year((getattr(network, "meta", None) or {}).get("year"))
    tables = getattr(network, "tables", None) or {}
    t = tables.get(NETWORK_PARAMS_TABLE)
    if t is None or not len(t):
        return base
    vals = dict(zip(t["param_id"].astype(str), t["value"].astype(float), strict=True))
    extra = [pid for pid in vals if pid not in base.index]
    if extra:  # a country's border side the scenario gave its own row (border_fallback)
        rows = []
        for pid in extra:
            fb = border_fallback(pid, base.index)
            if fb is None:
                base.idx(pid)  # raises: unknown model parameter
            r = base.table.loc[base.idx(fb)].copy()
            _, _, cc, d = pid.split(".")
            r["param_id"], r["country"], r["direction"], r["fit"] = pid, cc, d, False
            r["note"] = f"{r.get('note', '')} (own row of a scenario, from {fb})"
            rows.append(r)
        base = ParamSet.from_table(pd.concat([base.table, pd.DataFrame(rows)], ignore_index=True))
    return base.with_values(vals)


@cache
def prior_params() -> ParamSet:
    """The parameters as in the tables, before calibration (the calibration's starting point)."""
    return ParamSet.from_table(_load_table())


@cache
def _zones() -> dict[str, str]:
    t = _read("zones.csv")
    return dict(zip(t["country"].astype(str), t["zone"].astype(str), strict=True))


def zone_of(countries: Iterable[str]) -> np.ndarray:
    """Rail speed and tariff zone of each country code (``OTHER`` when not listed).

    >>> zone_of(["KZ", "PL", "XX"]).tolist()
    ['KZ', 'EU', 'OTHER']
    """
    z = _zones()
    codes, uniq = pd.factorize(pd.Series(list(countries), dtype=object).astype(str))
    return (
        np.array([z.get(u, "OTHER") for u in uniq], dtype=object)[codes]
        if len(uniq)
        else (np.empty(0, dtype=object))
    )


# ---------------------------------------------------------------------------- terms
@dataclass(frozen=True, eq=False)
class Terms:
    """Additive terms of the per-link components, linear in a parameter or its inverse.

    Term ``k`` adds to component ``comp[k]`` of row ``row[k]``: ``coef[k]`` (constant,
    ``param[k] == -1``), ``coef[k] * value[param[k]]`` or, with ``inv[k]``,
    ``coef[k] / value[param[k]]``. ``basis[k]`` is the provenance code of a constant
    (parameters carry their own).
    """

    n_rows: int
    row: np.ndarray
    comp: np.ndarray
    param: np.ndarray
    coef: np.ndarray
    inv: np.ndarray
    basis: np.ndarray

    def subset(self, rows: np.ndarray) -> Terms:
        """Terms of the given rows only, renumbered 0..len(rows)-1 in that order."""
        rows = np.asarray(rows, np.int64)
        pos = np.full(self.n_rows, -1, np.int64)
        pos[rows] = np.arange(len(rows))
        keep = pos[self.row] >= 0
        return Terms(
            len(rows),
            pos[self.row[keep]],
            self.comp[keep],
            self.param[keep],
            self.coef[keep],
            self.inv[keep],
            self.basis[keep],
        )

    def values_of(self, values: np.ndarray) -> np.ndarray:
        """Value of every term for the parameter vector ``values``."""
        has = self.param >= 0
        p = np.where(has, self.param, 0)
        v = np.asarray(values, float)[p]
        with np.errstate(divide="ignore"):
            val = np.where(self.inv, self.coef / v, self.coef * v)
        return np.where(has, val, self.coef)

    def evaluate(
        self, values: np.ndarray, param_basis: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Components (len(COMPONENTS), n_rows) and, with ``param_basis``, per-basis sums.

        The second array has shape (2, len(BASES), n_rows): hours (index 0) and money
        (index 1) by provenance class.
        """
        val = self.values_of(values)
        n = self.n_rows
        K = len(COMPONENTS)
        comps = np.bincount(self.comp * n + self.row, weights=val, minlength=K * n).reshape(K, n)
        if param_basis is None:
            return comps, None
        b = np.where(
            self.param >= 0, np.asarray(param_basis)[np.maximum(self.param, 0)], self.basis
        )
        money = (self.comp >= len(TIME)).astype(np.int64)
        key = (money * len(BASES) + b.astype(np.int64)) * n + self.row
        prov = np.bincount(key, weights=val, minlength=2 * len(BASES) * n).reshape(2, len(BASES), n)
        return comps, prov


class TermBuilder:
    """Collects terms (vectorised) for :class:`Terms`."""

    def __init__(self, params: ParamSet, n_rows: int) -> None:
        self.params = params
        self.n = n_rows
        self._parts: list[tuple[np.ndarray, ...]] = []

    def add(
        self,
        rows: np.ndarray,
        comp: str,
        param: str | np.ndarray | None,
        coef: float | np.ndarray = 1.0,
        *,
        inv: bool = False,
        basis: str | np.ndarray = "estimate",
    ) -> None:
        """Add terms for ``rows``: ``param`` is one id, an array of ids per row, or None.

        With ``param=None`` (a constant), ``coef`` is the value and ``basis`` its provenance;
        rows with a NaN constant are skipped.
        """
        rows = np.asarray(rows, np.int64)
        if not len(rows):
            return
        coef = np.broadcast_to(np.asarray(coef, float), rows.shape).copy()
        ci = COMPONENTS.index(comp)
        if param is None:
            pidx = np.full(len(rows), -1, np.int64)
            ok = np.isfinite(coef)
        else:
            names = np.broadcast_to(np.asarray(param, dtype=object), rows.shape)
            uniq, inverse = np.unique(names.astype(str), return_inverse=True)
            pidx = np.array([self.params.idx(u) for u in uniq], np.int64)[inverse]
            ok = np.isfinite(coef)
        bcode = np.broadcast_to(
            np.vectorize(lambda b: _BASIS_CODE[str(b)], otypes=[np.int8])(np.asarray(basis)),
            rows.shape,
        )
        self._parts.append(
            (
                rows[ok],
                np.full(int(ok.sum()), ci, np.int64),
                pidx[ok],
                coef[ok],
                np.full(int(ok.sum()), bool(inv)),
                np.asarray(bcode)[ok].astype(np.int8),
            )
        )

    def build(self) -> Terms:
        if not self._parts:
            e = np.empty(0, np.int64)
            return Terms(self.n, e, e, e, np.empty(0), np.empty(0, bool), np.empty(0, np.int8))
        cols = [np.concatenate([p[i] for p in self._parts]) for i in range(6)]
        for c in cols:
            c.setflags(write=False)
        return Terms(self.n, *cols)
