"""Emission factor tables with provenance: reading and checking them.

The tables live as CSV files in ``serai/emissions/data`` (see ``SOURCES.md`` there).
This module is the only place in :mod:`serai.emissions` that reads files; the
accounting functions take a :class:`FactorSet` (or load the packaged default one).

Examples
--------
>>> from serai.emissions import load_factors
>>> f = load_factors()
>>> float(f.tocs.loc["rail_container_diesel", "ttw"])
17.9
>>> float(f.grid.loc["KZ", "g_co2e_per_kwh"])
641.102
>>> bool(f.hocs.loc["border_crossing", "estimate"])
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from serai.errors import InputError

__all__ = ["TABLES", "FactorSet", "load_factors"]

# file stem -> (index column, numeric columns, required non-empty columns)
TABLES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "tocs": (
        "toc_id",
        ("ttw", "wtt", "kwh_per_unit"),
        ("mode", "ileap_mode", "energy_carrier", "activity_unit", "ttw", "source"),
    ),
    "hocs": ("hoc_id", ("ttw", "wtt"), ("hub_type", "activity_unit", "ttw", "wtt", "source")),
    "grid": ("country", ("g_co2e_per_kwh",), ("g_co2e_per_kwh", "source")),
    "rail_electrification": ("country", ("electrified_share",), ("electrified_share", "source")),
    "energy_carriers": ("energy_carrier", ("wtt_to_ttw", "ttw_kg_per_kg"), ("ileap_carrier",)),
}

_TOC_MODES = {"road", "rail", "sea", "ferry", "inland_waterway"}
_ILEAP_MODES = {"Road", "Rail", "Air", "Sea", "InlandWaterway"}
_HUB_TYPES = {
    "transshipment",
    "storageAndTransshipment",
    "warehouse",
    "liquidBulkTerminal",
    "maritimeContainerterminal",
}


@dataclass(frozen=True, eq=False)
class FactorSet:
    """All factor tables, each a DataFrame indexed by its id column.

    Attributes
    ----------
    tocs : DataFrame
        Transport operation categories, indexed by ``toc_id``: ``mode``, ``ileap_mode``,
        ``energy_carrier``, ``activity_unit`` ("tkm" or "TEUkm"), ``ttw`` and ``wtt``
        (g CO2e per activity unit; ``wtt`` empty = derived from the carrier's WTT/TTW
        ratio, or from the grid for electric traction), ``kwh_per_unit`` (electric only).
    hocs : DataFrame
        Hub operation categories, indexed by ``hoc_id``: ``hub_type`` (iLEAP enum),
        ``activity_unit`` ("TEU" or "tonnes"), ``ttw`` and ``wtt`` (kg CO2e per unit).
    grid : DataFrame
        ``g_co2e_per_kwh`` per ISO-2 country.
    rail_electrification : DataFrame
        ``electrified_share`` (0..1) per ISO-2 country.
    energy_carriers : DataFrame
        ``wtt_to_ttw`` ratio and ``ttw_kg_per_kg`` per energy carrier.
    load_t_per_teu : float
        Tonnes of cargo per loaded TEU used to convert between tonnes and TEU
        (10 t: IMO EEOI guidelines, MEPC.1/Circ.684, via imorules.com).
    origin : str
        Where the tables were read from.

    Every table also has ``source``, ``year``, ``estimate`` and ``note`` columns.
    """

    tocs: pd.DataFrame
    hocs: pd.DataFrame
    grid: pd.DataFrame
    rail_electrification: pd.DataFrame
    energy_carriers: pd.DataFrame
    load_t_per_teu: float = 10.0
    origin: str = "package"

    def table(self, name: str) -> pd.DataFrame:
        """One table by its file stem (``"tocs"``, ``"hocs"``, ...)."""
        return getattr(self, name)

    def provenance(self) -> pd.DataFrame:
        """Every factor row with its table, id, source, year and estimate flag."""
        parts = []
        for name in TABLES:
            t = self.table(name)
            parts.append(
                pd.DataFrame(
                    {
                        "table": name,
                        "id": t.index.astype(str),
                        "source": t["source"].to_numpy(),
                        "year": t["year"].to_numpy(),
                        "estimate": t["estimate"].to_numpy(),
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)


def _read_table(text: str, name: str, where: str) -> pd.DataFrame:
    from io import StringIO

    index_col, numeric, required = TABLES[name]
    df = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    file = f"{where}/{name}.csv"
    for col in (index_col, "source", "year", "estimate", *required):
        if col not in df.columns:
            raise InputError(f"missing column '{col}'", file=file, field=col)
    for i, row in df.iterrows():
        line = int(i) + 2  # header is line 1
        for col in dict.fromkeys((index_col, "source", "year", "estimate", *required)):
            if not str(row[col]).strip():
                raise InputError(
                    "empty value (every factor needs it)", file=file, row=line, field=col
                )
        if str(row["estimate"]).strip().lower() not in {"true", "false"}:
            raise InputError(
                f"estimate must be true or false, got '{row['estimate']}'",
                file=file,
                row=line,
                field="estimate",
            )
    if df[index_col].duplicated().any():
        dup = df[index_col][df[index_col].duplicated()].iloc[0]
        raise InputError(f"duplicate id '{dup}'", file=file, field=index_col)
    for col in numeric:
        if col not in df.columns:
            df[col] = ""
        vals = pd.to_numeric(df[col].replace("", np.nan), errors="coerce")
        bad = vals.isna() & (df[col].str.strip() != "")
        if bad.any():
            line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            raise InputError(
                f"not a number: '{df[col][bad].iloc[0]}'", file=file, row=line, field=col
            )
        if (vals < 0).any():
            line = int(np.flatnonzero((vals < 0).to_numpy())[0]) + 2
            raise InputError("negative factor", file=file, row=line, field=col)
        df[col] = vals.astype(np.float64)
    df["estimate"] = df["estimate"].str.strip().str.lower() == "true"
    df = df.set_index(index_col)
    _check_table(df, name, file)
    return df


def _check_table(df: pd.DataFrame, name: str, file: str) -> None:
    def fail(row_id: str, field: str, msg: str) -> None:
        line = int(np.flatnonzero(df.index == row_id)[0]) + 2
        raise InputError(msg, file=file, row=line, field=field)

    if name == "tocs":
        for tid, r in df.iterrows():
            if r["mode"] not in _TOC_MODES:
                fail(tid, "mode", f"mode must be one of {sorted(_TOC_MODES)}, got '{r['mode']}'")
            if r["ileap_mode"] not in _ILEAP_MODES:
                fail(tid, "ileap_mode", f"ileap_mode must be one of {sorted(_ILEAP_MODES)}")
            if r["activity_unit"] not in {"tkm", "TEUkm"}:
                fail(tid, "activity_unit", "activity_unit must be tkm or TEUkm")
            if r["energy_carrier"] == "Electric" and not np.isfinite(r["kwh_per_unit"]):
                fail(tid, "kwh_per_unit", "an electric TOC needs kwh_per_unit")
    elif name == "hocs":
        for hid, r in df.iterrows():
            if r["hub_type"] not in _HUB_TYPES:
                fail(hid, "hub_type", f"hub_type must be one of {sorted(_HUB_TYPES)}")
            if r["activity_unit"] not in {"TEU", "tonnes"}:
                fail(hid, "activity_unit", "activity_unit must be TEU or tonnes")
    elif name == "rail_electrification":
        s = df["electrified_share"]
        if ((s < 0) | (s > 1)).any():
            fail(s.index[(s < 0) | (s > 1)][0], "electrified_share", "share must be within 0..1")


@cache
def _package_factors() -> FactorSet:
    base = resources.files("serai.emissions") / "data"
    tables = {
        name: _read_table(
            (base / f"{name}.csv").read_text(encoding="utf-8"), name, "serai/emissions/data"
        )
        for name in TABLES
    }
    return FactorSet(**tables, origin="package")


def load_factors(path: str | Path | None = None, *, load_t_per_teu: float = 10.0) -> FactorSet:
    """Read the factor tables.

    Parameters
    ----------
    path
        A directory with ``tocs.csv``, ``hocs.csv``, ``grid.csv``,
        ``rail_electrification.csv`` and ``energy_carriers.csv`` (same columns as the
        packaged ones). None reads the tables shipped with serai (cached).
    load_t_per_teu
        Tonnes of cargo per loaded TEU (default 10 t, IMO EEOI guidelines).

    Returns
    -------
    FactorSet

    Raises
    ------
    InputError
        A table is missing, or a row lacks a source, year or estimate flag, or holds a
        value that is not a non-negative number (the error names file, row and field).
    """
    if not (load_t_per_teu > 0):
        raise InputError(
            f"load_t_per_teu must be > 0, got {load_t_per_teu}", field="load_t_per_teu"
        )
    if path is None:
        base = _package_factors()
        if load_t_per_teu == base.load_t_per_teu:
            return base
        return FactorSet(**{**base.__dict__, "load_t_per_teu": float(load_t_per_teu)})
    folder = Path(path)
    tables = {}
    for name in TABLES:
        file = folder / f"{name}.csv"
        if not file.is_file():
            raise InputError("factor table not found", file=str(file))
        tables[name] = _read_table(file.read_text(encoding="utf-8"), name, str(folder))
    return FactorSet(**tables, load_t_per_teu=float(load_t_per_teu), origin=str(folder))
