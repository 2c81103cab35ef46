"""The shipped demand tables (zones, commodity groups, control totals, weights, growth).

Every table is a CSV in ``serai/demand/data`` with its sources on the row;
``estimate=true`` rows carry their reasoning in ``note``. Each table is checked
when read: a bad row is an :class:`~serai.errors.InputError` naming file, row
and field.
"""

from __future__ import annotations

import difflib
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from serai.errors import InputError

__all__ = [
    "TONNES_U3O8_PER_TU",
    "expand_set",
    "groups",
    "growth_table",
    "totals_table",
    "weights_table",
    "zones",
]

#: t U3O8 per t U (molar masses 842.08 / (3 x 238.03)).
TONNES_U3O8_PER_TU = 842.08 / (3 * 238.02891)

_DATA = "serai.demand.data"


def _read(name: str) -> pd.DataFrame:
    with resources.files(_DATA).joinpath(name).open("rb") as fh:
        return pd.read_csv(fh, keep_default_na=False, na_values=[""])


def _need(df: pd.DataFrame, cols: list[str], file: str) -> None:
    for c in cols:
        if c not in df.columns:
            raise InputError(f"missing column '{c}'", file=file, field=c)
        bad = df[c].isna()
        if bad.any():
            raise InputError("empty value", file=file, row=int(np.flatnonzero(bad)[0]) + 2, field=c)


@cache
def zones() -> pd.DataFrame:
    """Demand zones: ``zone_id``, ``name``, ``country``, ``region``, ``place`` (a place
    name of the network), ``lat``, ``lon``.

    Examples
    --------
    >>> from serai.demand import zones
    >>> z = zones()
    >>> z.loc["KZ_SOUTH", "place"], "US_EAST" in z.index
    ('Shymkent', True)
    """
    z = _read("zones.csv")
    _need(z, ["zone_id", "name", "country", "region", "place", "lat", "lon"], "zones.csv")
    if z["zone_id"].duplicated().any():
        i = int(np.flatnonzero(z["zone_id"].duplicated())[0])
        raise InputError("duplicate zone_id", file="zones.csv", row=i + 2, field="zone_id")
    return z.set_index("zone_id")


@cache
def groups() -> pd.DataFrame:
    """Commodity groups of the demand: unit (TEU or t), freight commodity used for
    costs, tonnes per unit, value override, sources.

    Examples
    --------
    >>> from serai.demand import groups
    >>> groups().loc["containers", ["unit", "freight_commodity"]].tolist()
    ['TEU', 'container_teu']
    """
    g = _read("groups.csv")
    _need(g, ["group", "unit", "freight_commodity", "tonnes_per_unit"], "groups.csv")
    return g.set_index("group")


@cache
def totals_table() -> pd.DataFrame:
    """Control totals (one row per flow between two zone sets), with source and year."""
    t = _read("totals.csv")
    _need(t, ["total_id", "group", "origin", "destination", "value", "unit", "year"], "totals.csv")
    known = set(groups().index)
    for i, gname in enumerate(t["group"]):
        if gname not in known:
            raise InputError(
                f"unknown group '{gname}'{_hint(gname, known)}", file="totals.csv", row=i + 2,
                field="group",
            )  # fmt: skip
    for i, r in enumerate(t.itertuples(index=False)):
        if r.estimate is False or str(r.estimate).lower() == "false":
            if not isinstance(r.source, str) or not r.source.strip():
                raise InputError(
                    "a sourced total (estimate=false) needs a source", file="totals.csv",
                    row=i + 2, field="source",
                )  # fmt: skip
        elif not isinstance(r.note, str) or not r.note.strip():
            raise InputError(
                "an estimate needs its reasoning in note", file="totals.csv", row=i + 2,
                field="note",
            )  # fmt: skip
    return t


@cache
def weights_table() -> pd.DataFrame:
    """Zone weights by group (``*`` = any) and role (``o``, ``d`` or ``*``)."""
    w = _read("weights.csv")
    _need(w, ["zone_id", "group", "role", "weight"], "weights.csv")
    return w


@cache
def growth_table() -> pd.DataFrame:
    """Yearly growth rates by group and zone pattern (``*`` = any)."""
    g = _read("growth.csv")
    _need(g, ["group", "origin", "destination", "rate", "from_year", "to_year"], "growth.csv")
    return g


def _hint(value: str, known) -> str:
    close = difflib.get_close_matches(str(value), [str(k) for k in known], n=3)
    return f"; did you mean {', '.join(close)}?" if close else ""


def expand_set(
    tokens: str, z: pd.DataFrame | None = None, *, file: str = "", row=None
) -> list[str]:
    """Zone ids of a ``;``-list of regions, ISO country codes or zone ids (in that order).

    Examples
    --------
    >>> from serai.demand import expand_set
    >>> expand_set("CAUCASUS")
    ['AZ', 'GE', 'GE_PORTS', 'AM']
    >>> expand_set("KG;TM")
    ['KG', 'TM', 'TM_PORT']
    """
    z = zones() if z is None else z
    out: list[str] = []
    for tok in str(tokens).split(";"):
        tok = tok.strip()
        if not tok:
            continue
        hit = z.index[z["region"] == tok].tolist()
        if not hit:
            hit = z.index[z["country"] == tok].tolist()
        if not hit and tok in z.index:
            hit = [tok]
        if not hit:
            known = set(z.index) | set(z["region"]) | set(z["country"])
            raise InputError(
                f"unknown zone, region or country '{tok}'{_hint(tok, known)}",
                file=file or None,
                row=row,
            )
        out += [h for h in hit if h not in out]
    return out
