"""Files for emissions: read a legs table, write the iLEAP JSON (never over a user's file).

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "legs.csv").write_text("element,mode,km,country\\ntce,rail,500,KZ\\n")
>>> legs = read_legs(d / "legs.csv")
>>> legs.index.tolist(), legs["km"].tolist()
([2], [500])
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from serai.emissions.accounting import ChainFootprint, Shipment, account_chain
from serai.emissions.factors import FactorSet
from serai.errors import InputError

__all__ = ["account_file", "read_legs", "write_json"]

_TEXT = ("element", "mode", "toc", "hoc", "from_name", "to_name", "country", "distance_basis")


def read_legs(path: str | Path) -> pd.DataFrame:
    """Read a legs table from ``.csv`` or ``.parquet``.

    The index is the file line number (header = line 1), so errors raised by
    :func:`~serai.emissions.account_chain` on this table name the line.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("legs file not found", file=str(p))
    try:
        if p.suffix.lower() == ".parquet":
            df = pd.read_parquet(p)
        elif p.suffix.lower() in {".csv", ".txt"}:
            df = pd.read_csv(
                p, dtype={c: str for c in _TEXT}, keep_default_na=False, na_values=[""]
            )
        else:
            raise InputError("legs must be .csv or .parquet", file=str(p))
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"cannot read the legs table: {exc}", file=str(p)) from None
    for c in _TEXT:
        if c in df.columns:
            df[c] = df[c].fillna("").astype(str)
    df.index = pd.RangeIndex(2, len(df) + 2)
    return df


def account_file(
    path: str | Path, shipment: Shipment, *, factors: FactorSet | None = None
) -> ChainFootprint:
    """:func:`read_legs` then :func:`account_chain`; errors name the file, line and field."""
    legs = read_legs(path)
    try:
        return account_chain(legs, shipment, factors=factors)
    except InputError as exc:
        if exc.file is not None:
            raise
        raise InputError(exc.reason, file=str(path), row=exc.row, field=exc.field) from None


def write_json(doc: dict, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``doc`` as UTF-8 JSON; refuse to replace an existing file unless ``overwrite``."""
    from serai._fs import write_json as _write_json

    return _write_json(path, doc, overwrite=overwrite)
