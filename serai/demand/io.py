"""Demand as data: the :class:`Demand` container, one loader, and user files.

User demand is a long table (CSV or Parquet) with ``group``, ``origin``,
``destination``, ``volume`` and optionally ``unit`` and ``year``, or an OMX file
(HDF5: one matrix per group under ``/data``, zone ids under ``/lookup``). Zones
are the ids of :func:`serai.demand.zones`. Every problem is an
:class:`~serai.errors.InputError` naming the file, row and field; unknown groups
and zones come with suggestions.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from serai.demand.tables import TONNES_U3O8_PER_TU, _hint, groups, zones
from serai.errors import InputError, OptionalDependencyError

__all__ = ["Demand", "load_demand", "read_demand", "write_demand"]

COLUMNS = ["group", "origin", "destination", "volume", "unit", "year"]


@dataclass(frozen=True, eq=False)
class Demand:
    """Freight demand between zones, per year, by commodity group.

    Attributes
    ----------
    table : DataFrame
        ``group``, ``origin``, ``destination``, ``volume``, ``unit``, ``year`` (and
        ``total_id``, ``estimate`` when synthesised).
    year
        The year the volumes are for.
    source
        ``"synthesis"`` or the file it was read from.
    """

    table: pd.DataFrame
    year: int
    source: str = "synthesis"
    meta: dict = field(default_factory=dict)

    def totals(self) -> pd.DataFrame:
        """Volume by group (in the group's unit) and in tonnes."""
        g = groups()
        t = self.table.groupby("group", as_index=False)["volume"].sum()
        t["unit"] = g.loc[t["group"], "unit"].to_numpy()
        t["tonnes"] = t["volume"] * g.loc[t["group"], "tonnes_per_unit"].to_numpy(float)
        return t

    def scaled(self, factor: float | dict) -> Demand:
        """A copy with volumes multiplied (one factor, or one per group)."""
        t = self.table.copy()
        if isinstance(factor, dict):
            t["volume"] = t["volume"] * t["group"].map(factor).fillna(1.0).to_numpy(float)
        else:
            t["volume"] = t["volume"] * float(factor)
        return Demand(t, self.year, self.source, dict(self.meta))


def load_demand(
    year: int | None = None, *, path: str | os.PathLike | None = None, scenario=None
) -> Demand:
    """The demand of ``year``: synthesised from the shipped control totals, or read from ``path``.

    ``scenario`` (a library name, a scenario file or a :class:`serai.scenarios.Scenario`)
    applies its demand changes (growth, scaling, new flows); its year is the default
    year. Without either, the year is 2024.

    Examples
    --------
    >>> from serai.demand import load_demand
    >>> d = load_demand(2030)
    >>> d.year, bool((d.table["volume"] > 0).all())
    (2030, True)
    >>> load_demand(scenario="minerals-us").year
    2030
    """
    s = None
    if scenario is not None:
        from serai.scenarios import load_scenario

        s = load_scenario(scenario)
        year = s.year if year is None else year
    from serai._checks import check_count

    year = 2024 if year is None else check_count(year, "year", 1900, 2100)
    if path is not None:
        d = read_demand(path, year=year)
    else:
        d = Demand(_synthesized(int(year)).copy(), int(year), "synthesis")
    return s.apply_demand(d) if s is not None else d


@functools.lru_cache(maxsize=8)
def _synthesized(year: int) -> pd.DataFrame:
    """The shipped demand of ``year``, synthesised once per process (callers get copies):
    scenario runs, comparisons and tests ask for the same years again and again."""
    from serai.demand.synthesis import synthesize

    return synthesize(year)


def _check(t: pd.DataFrame, file: str, year: int | None, row0: int) -> pd.DataFrame:
    for c in ("group", "origin", "destination", "volume"):
        if c not in t.columns:
            raise InputError(
                f"demand needs the columns group, origin, destination, volume; '{c}' is missing",
                file=file, field=c,
            )  # fmt: skip
    if not len(t):
        raise InputError("the file has no demand rows (a header only)", file=file)
    g = groups()
    z = zones()
    t = t.copy()
    for c in ("group", "origin", "destination"):
        t[c] = t[c].astype(str).str.strip()
    for c, known, what in (
        ("group", g.index, "group"),
        ("origin", z.index, "zone"),
        ("destination", z.index, "zone"),
    ):
        bad = ~t[c].isin(known)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            v = t[c].iloc[i]
            raise InputError(
                f"unknown {what} '{v}'{_hint(v, known)}", file=file, row=i + row0, field=c
            )
    vol = pd.to_numeric(t["volume"], errors="coerce").to_numpy(float)
    bad = ~np.isfinite(vol) | (vol < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"volume must be a number >= 0, got {t['volume'].iloc[i]!r}", file=file,
            row=i + row0, field="volume",
        )  # fmt: skip
    t["volume"] = vol
    want = g.loc[t["group"], "unit"].to_numpy()
    if "unit" in t.columns:
        unit = (
            t["unit"].astype(object).where(t["unit"].notna(), "").astype(str).str.strip().to_numpy()
        )
        unit = np.where(unit == "", want, unit)
        factor = np.ones(len(t))
        for i, (u, w, grp) in enumerate(zip(unit, want, t["group"], strict=True)):
            if u == w:
                continue
            if w == "t" and u in ("kt", "Mt"):
                factor[i] = 1e3 if u == "kt" else 1e6
            elif grp == "uranium" and u == "tU":
                factor[i] = TONNES_U3O8_PER_TU
            elif w == "TEU" and u in ("t", "kt", "Mt"):
                per = float(g.loc[grp, "tonnes_per_unit"])
                factor[i] = {"t": 1.0, "kt": 1e3, "Mt": 1e6}[u] / per
            else:
                raise InputError(
                    f"unit '{u}' does not fit group '{grp}' (measured in {w})", file=file,
                    row=i + row0, field="unit",
                )  # fmt: skip
        t["volume"] = t["volume"] * factor
    t["unit"] = want
    if "year" in t.columns:
        yrs = pd.to_numeric(t["year"], errors="coerce")
        v = yrs.to_numpy(float)
        bad = ~np.isfinite(v) | (v != np.round(v)) | (v < 1900) | (v > 2100)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"year must be a whole number in 1900..2100, got {t['year'].iloc[i]!r}",
                file=file, row=i + row0, field="year",
            )  # fmt: skip
        if year is not None and (yrs != year).any():
            i = int(np.flatnonzero((yrs != year).to_numpy())[0])
            raise InputError(
                f"the file has demand for {int(yrs.iloc[i])}, not for {year}; use --year "
                f"{int(yrs.iloc[i])} or a file for {year}", file=file, row=i + row0, field="year",
            )  # fmt: skip
        t["year"] = yrs.astype(int)
    else:
        t["year"] = year if year is not None else 2024
    same = t["origin"] == t["destination"]
    t = t.loc[~same | (t["volume"] == 0)]
    t = t.groupby(["group", "origin", "destination", "unit", "year"], as_index=False)[
        "volume"
    ].sum()
    return t[COLUMNS]


def read_demand(path: str | os.PathLike, *, year: int | None = None) -> Demand:
    """Read and check a demand file (``.csv``, ``.parquet`` or ``.omx``).

    Parameters
    ----------
    path
        The file.
    year
        Expected year (a ``year`` column must match it); default: the file's own
        year, else 2024.
    """
    p = Path(path)
    name = str(p)
    if not p.exists():
        raise InputError("no such file", file=name)
    if p.is_dir():
        raise InputError("is a folder; give a demand file (.csv, .parquet or .omx)", file=name)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        try:
            t = pd.read_csv(p, keep_default_na=False, na_values=[""])
        except (
            pd.errors.ParserError,
            pd.errors.EmptyDataError,
            UnicodeDecodeError,
            ValueError,
        ) as e:
            raise InputError(f"cannot read the CSV: {e}", file=name) from None
        t = _check(t, name, year, 2)
    elif suffix in (".parquet", ".pq"):
        try:
            t = pd.read_parquet(p)
        except Exception as e:  # pyarrow raises several types
            raise InputError(f"cannot read the Parquet file: {e}", file=name) from None
        t = _check(t, name, year, 1)
    elif suffix == ".omx":
        t = _check(_read_omx(p), name, year, 1)
    else:
        raise InputError(
            f"unknown demand format '{suffix}' (use .csv, .parquet or .omx)", file=name
        )
    yr = int(t["year"].iloc[0]) if len(t) else (year or 2024)
    return Demand(t, yr, name)


def _read_omx(p: Path) -> pd.DataFrame:
    try:
        import h5py
    except ImportError:
        raise OptionalDependencyError("h5py", "omx") from None
    try:
        fh = h5py.File(p, "r")
    except OSError as e:
        raise InputError(f"not an OMX (HDF5) file: {e}", file=str(p)) from None
    with fh:
        if "data" not in fh or "lookup" not in fh or not len(fh["lookup"]):
            raise InputError(
                "an OMX file needs /data matrices and a /lookup of zone ids", file=str(p)
            )
        lk = fh["lookup"]
        key = next((k for k in ("zone", "zones", "zone_id") if k in lk), next(iter(lk)))
        ids = [x.decode() if isinstance(x, bytes) else str(x) for x in lk[key][()]]
        frames = []
        for gname in fh["data"]:
            m = np.asarray(fh["data"][gname][()], dtype=float)
            if m.shape != (len(ids), len(ids)):
                raise InputError(
                    f"matrix '{gname}' is {m.shape}, the lookup has {len(ids)} zones",
                    file=str(p), field=gname,
                )  # fmt: skip
            i, j = np.nonzero(m)
            frames.append(
                pd.DataFrame(
                    {
                        "group": gname,
                        "origin": np.array(ids, dtype=object)[i],
                        "destination": np.array(ids, dtype=object)[j],
                        "volume": m[i, j],
                    }
                )
            )
    if not frames:
        return pd.DataFrame(columns=["group", "origin", "destination", "volume"])
    return pd.concat(frames, ignore_index=True)


def write_demand(demand: Demand, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write a demand as ``.csv``, ``.parquet`` (long table) or ``.omx`` (one matrix per group).

    The file is written next to the target and renamed into place; an existing
    file is replaced only with ``overwrite``.
    """
    from serai._fs import atomic_path

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".csv", ".parquet", ".omx"):
        raise InputError(
            f"unknown demand format '{suffix}' (use .csv, .parquet or .omx)", file=str(p)
        )
    with atomic_path(p, overwrite=overwrite) as tmp:
        t = demand.table[COLUMNS]
        if suffix == ".csv":
            t.to_csv(tmp, index=False)
        elif suffix == ".parquet":
            t.to_parquet(tmp, index=False)
        else:
            _write_omx(t, Path(tmp))
    return p


def _write_omx(t: pd.DataFrame, p: Path) -> None:
    try:
        import h5py
    except ImportError:
        raise OptionalDependencyError("h5py", "omx") from None
    ids = sorted(set(t["origin"]) | set(t["destination"]))
    pos = {z: i for i, z in enumerate(ids)}
    with h5py.File(p, "w") as fh:
        fh.attrs["OMX_VERSION"] = np.bytes_("0.2")
        fh.attrs["SHAPE"] = np.array([len(ids), len(ids)], dtype=np.int32)
        data = fh.create_group("data")
        for gname, sub in t.groupby("group"):
            m = np.zeros((len(ids), len(ids)))
            np.add.at(
                m,
                (sub["origin"].map(pos).to_numpy(), sub["destination"].map(pos).to_numpy()),
                sub["volume"].to_numpy(float),
            )
            data.create_dataset(str(gname), data=m)
        fh.create_group("lookup").create_dataset("zone", data=np.array(ids, dtype="S"))
