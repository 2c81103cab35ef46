"""Vectorised factor lookup: TTW and WTT intensity of transport legs and hub operations.

Shared by the transport-chain accounting (:mod:`serai.emissions.accounting`) and the
per-link intensity arrays for routing (:mod:`serai.emissions.cost`). Plain functions over
arrays and a :class:`~serai.emissions.factors.FactorSet`; nothing is read or printed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from serai.emissions.factors import FactorSet
from serai.errors import InputError

__all__ = ["BLENDS", "DEFAULT_TOC", "hub_factors", "leg_factors"]

#: TOC used when a leg gives none, by mode.
DEFAULT_TOC: Mapping[str, str] = {
    "road": "truck_40t_diesel",
    "rail": "rail_container",
    "sea": "sea_container_8000teu",
    "ferry": "ropax_caspian",
    "inland_waterway": "iww_average",
}

#: Blended TOCs: (electric TOC, fuel TOC) mixed by the leg's electrified share
#: (or the country default from ``rail_electrification.csv``).
BLENDS: Mapping[str, tuple[str, str]] = {
    "rail_container": ("rail_container_electric", "rail_container_diesel"),
}


def _where(labels: Sequence[object] | None, i: int) -> object:
    return i if labels is None else labels[i]


def _lookup(table: pd.DataFrame, keys: np.ndarray, col: str) -> np.ndarray:
    """``table[col]`` for each key (NaN for empty or unknown keys)."""
    return table[col].reindex(keys).to_numpy(dtype=np.float64, na_value=np.nan)


def leg_factors(
    mode: Sequence[str],
    toc: Sequence[str] | None,
    country: Sequence[str],
    electrified_share: Sequence[float] | None,
    factors: FactorSet,
    *,
    labels: Sequence[object] | None = None,
    default_toc: Mapping[str, str] | None = None,
    unknown_country: str = "error",
) -> pd.DataFrame:
    """TTW and WTT intensity (g CO2e per activity unit) of transport legs.

    Parameters
    ----------
    mode, toc, country, electrified_share
        One value per leg. ``toc`` may be empty (the mode's default TOC is used);
        ``electrified_share`` may be NaN (the country's default share is used for
        blended rail TOCs).
    factors
        The factor tables.
    labels
        Row labels used in error messages (positions when None).
    default_toc
        TOC per mode when a leg gives none (default :data:`DEFAULT_TOC`).
    unknown_country
        ``"error"``: a leg that needs the grid intensity or default electrified share of a
        country without a row raises. ``"fallback"``: such a country uses the ``ZZ`` rows
        (world-average grid, all diesel; flagged as estimates).

    Returns
    -------
    DataFrame
        One row per leg: ``toc_id``, ``toc_electric``, ``toc_fuel``,
        ``electrified_share`` (share of the activity on electric traction),
        ``grid_g_per_kwh``, ``activity_unit``, ``ttw_factor``, ``wtt_factor``,
        ``ileap_mode``, ``estimate``.

    Raises
    ------
    InputError
        Unknown TOC, TOC of another mode, mode without a default TOC, share outside
        0..1, or a country without grid intensity / electrified-share default where one is
        needed. The error names the row (label) and field.
    """
    defaults = DEFAULT_TOC if default_toc is None else default_toc
    mode = np.asarray(mode, dtype=object).astype(str)
    n = len(mode)
    country = np.asarray(country, dtype=object)
    country = np.where(pd.isna(country), "", country).astype(str)
    if toc is None:
        toc_arr = np.full(n, "", dtype=object)
    else:
        toc_arr = np.asarray(toc, dtype=object)
        toc_arr = np.where(pd.isna(toc_arr), "", toc_arr).astype(str)
    share_in = (
        np.full(n, np.nan)
        if electrified_share is None
        else np.asarray(
            pd.to_numeric(pd.Series(electrified_share), errors="coerce"), dtype=np.float64
        )
    )

    # 1. resolve TOC ids
    toc_id = np.where(
        toc_arr == "", np.array([defaults.get(m, "") for m in mode], dtype=object), toc_arr
    )
    tocs = factors.tocs
    for i in np.flatnonzero(toc_id == ""):
        raise InputError(
            f"no default TOC for mode '{mode[i]}'; give a 'toc' (known: {', '.join(sorted(tocs.index))})",
            row=_where(labels, i),
            field="mode",
        )
    is_blend = np.isin(toc_id, list(BLENDS))
    known = is_blend | np.isin(toc_id, tocs.index.to_numpy())
    for i in np.flatnonzero(~known):
        raise InputError(
            f"unknown TOC '{toc_id[i]}' (known: {', '.join(sorted([*tocs.index, *BLENDS]))})",
            row=_where(labels, i),
            field="toc",
        )
    elec = np.full(n, "", dtype=object)
    fuel = np.full(n, "", dtype=object)
    for b, (e_id, f_id) in BLENDS.items():
        m = toc_id == b
        elec[m], fuel[m] = e_id, f_id
    single = ~is_blend
    carrier_single = tocs["energy_carrier"].reindex(toc_id[single]).to_numpy()
    is_elec_single = carrier_single == "Electric"
    idx_single = np.flatnonzero(single)
    elec[idx_single[is_elec_single]] = toc_id[idx_single[is_elec_single]]
    fuel[idx_single[~is_elec_single]] = toc_id[idx_single[~is_elec_single]]

    # mode consistency (blends: their parts' mode)
    part = np.where(fuel != "", fuel, elec)
    toc_mode = tocs["mode"].reindex(part).to_numpy()
    for i in np.flatnonzero(toc_mode != mode):
        raise InputError(
            f"TOC '{toc_id[i]}' is for mode '{toc_mode[i]}', not '{mode[i]}'",
            row=_where(labels, i),
            field="toc",
        )

    if unknown_country not in {"error", "fallback"}:
        raise InputError(f"unknown_country must be 'error' or 'fallback', got '{unknown_country}'",
                         field="unknown_country")  # fmt: skip
    share_key = country.copy()
    grid_key = country.copy()
    if unknown_country == "fallback":
        share_key[~np.isin(country, factors.rail_electrification.index.to_numpy())] = "ZZ"
        grid_key[~np.isin(country, factors.grid.index.to_numpy())] = "ZZ"

    # 2. electrified share
    bad = ~np.isnan(share_in) & ((share_in < 0) | (share_in > 1))
    for i in np.flatnonzero(bad):
        raise InputError(
            f"electrified_share must be within 0..1, got {share_in[i]}",
            row=_where(labels, i),
            field="electrified_share",
        )
    country_share = _lookup(factors.rail_electrification, share_key, "electrified_share")
    share = np.zeros(n)
    share[elec != ""] = 1.0
    blend_share = np.where(np.isnan(share_in), country_share, share_in)
    share = np.where(is_blend, blend_share, share)
    for i in np.flatnonzero(is_blend & np.isnan(share)):
        raise InputError(
            f"no default electrified share for country '{country[i]}' (rail_electrification.csv); "
            "give electrified_share or an explicit electric/diesel TOC",
            row=_where(labels, i),
            field="electrified_share",
        )

    # 3. electric part: WTT = share x kWh/unit x grid; TTW = share x TTW(elec) (0)
    grid = _lookup(factors.grid, grid_key, "g_co2e_per_kwh")
    needs_grid = share > 0
    for i in np.flatnonzero(needs_grid & np.isnan(grid)):
        raise InputError(
            f"no grid intensity for country '{country[i]}' (grid.csv), needed for electric traction",
            row=_where(labels, i),
            field="country",
        )
    kwh = _lookup(tocs, elec, "kwh_per_unit")
    ttw_e = np.nan_to_num(_lookup(tocs, elec, "ttw"))
    wtt_e = np.where(needs_grid, np.nan_to_num(kwh) * np.nan_to_num(grid), 0.0)

    # 4. fuel part: TTW published; WTT published or TTW x carrier ratio
    ttw_f = np.nan_to_num(_lookup(tocs, fuel, "ttw"))
    wtt_pub = _lookup(tocs, fuel, "wtt")
    carrier = tocs["energy_carrier"].reindex(fuel).to_numpy()
    ratio = _lookup(factors.energy_carriers, carrier, "wtt_to_ttw")
    wtt_f = np.where(np.isnan(wtt_pub), ttw_f * np.nan_to_num(ratio), wtt_pub)
    for i in np.flatnonzero((fuel != "") & np.isnan(wtt_pub) & np.isnan(ratio) & (share < 1)):
        raise InputError(
            f"TOC '{fuel[i]}' has no WTT and energy carrier '{carrier[i]}' no WTT/TTW ratio",
            row=_where(labels, i),
            field="toc",
        )

    ttw = share * ttw_e + (1.0 - share) * ttw_f
    wtt = share * wtt_e + (1.0 - share) * wtt_f
    unit = tocs["activity_unit"].reindex(part).to_numpy()
    ileap_mode = tocs["ileap_mode"].reindex(part).to_numpy()
    est_e = tocs["estimate"].reindex(elec).fillna(False).to_numpy(dtype=bool)
    est_f = tocs["estimate"].reindex(fuel).fillna(False).to_numpy(dtype=bool)
    est_grid = factors.grid["estimate"].reindex(grid_key).fillna(False).to_numpy(dtype=bool)
    est_share = (
        factors.rail_electrification["estimate"]
        .reindex(share_key)
        .fillna(False)
        .to_numpy(dtype=bool)
    )
    estimate = (
        ((share > 0) & (est_e | est_grid))
        | ((share < 1) & est_f)
        | (is_blend & np.isnan(share_in) & est_share)
    )
    return pd.DataFrame(
        {
            "toc_id": toc_id,
            "toc_electric": elec,
            "toc_fuel": fuel,
            "electrified_share": share,
            "share_from_country_default": is_blend & np.isnan(share_in),
            "grid_g_per_kwh": np.where(needs_grid, grid, np.nan),
            "grid_key": grid_key,
            "share_key": share_key,
            "activity_unit": unit,
            "ileap_mode": ileap_mode,
            "ttw_factor": ttw,
            "wtt_factor": wtt,
            "estimate": estimate,
        }
    )


def hub_factors(
    hoc: Sequence[str],
    factors: FactorSet,
    *,
    labels: Sequence[object] | None = None,
) -> pd.DataFrame:
    """TTW and WTT intensity (kg CO2e per TEU or tonne handled) of hub operations.

    Returns a DataFrame with ``hoc_id``, ``activity_unit``, ``hub_type``, ``ttw_factor``,
    ``wtt_factor``, ``estimate``; raises :class:`InputError` naming the row for an
    empty or unknown HOC.
    """
    hoc = np.asarray(hoc, dtype=object)
    hoc = np.where(pd.isna(hoc), "", hoc).astype(str)
    hocs = factors.hocs
    for i in np.flatnonzero(~np.isin(hoc, hocs.index.to_numpy())):
        msg = "a hub operation needs a 'hoc'" if hoc[i] == "" else f"unknown HOC '{hoc[i]}'"
        raise InputError(
            f"{msg} (known: {', '.join(sorted(hocs.index))})", row=_where(labels, i), field="hoc"
        )
    t = hocs.reindex(hoc)
    return pd.DataFrame(
        {
            "hoc_id": hoc,
            "activity_unit": t["activity_unit"].to_numpy(),
            "hub_type": t["hub_type"].to_numpy(),
            "ttw_factor": t["ttw"].to_numpy(dtype=np.float64),
            "wtt_factor": t["wtt"].to_numpy(dtype=np.float64),
            "estimate": t["estimate"].to_numpy(dtype=bool),
        }
    )
