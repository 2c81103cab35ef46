"""ISO 14083 / GLEC accounting of one shipment over a transport chain.

The transport chain contract
----------------------------
A *legs table* (pandas DataFrame), one row per transport chain element (TCE, a leg) or
hub operation (HOC), in travel order:

==============================  =========================================================
column                          meaning
==============================  =========================================================
``element``                     ``"tce"`` (transport leg) or ``"hoc"`` (hub operation)
``mode``                        road, rail, sea, ferry, inland_waterway; ``transfer`` for hubs
``toc``                         optional TOC id (``tocs.csv``, or the blend
                                ``rail_container``); empty = default of the mode
                                (:data:`~serai.emissions.intensity.DEFAULT_TOC`)
``hoc``                         HOC id for hub rows (``hocs.csv``), e.g. ``port_container``,
                                ``rail_terminal_transshipment``,
                                ``gauge_change_transshipment``, ``port_ferry_rail``,
                                ``border_crossing``
``from_name``, ``to_name``      place names (hubs: the hub in ``from_name``)
``km``                          distance of the leg in km (TCE rows; hubs 0 or empty)
``country``                     ISO-2 country of the leg ("" at sea); selects the grid
                                intensity and default electrified share of rail legs
``electrified_share``           optional 0..1 share of the leg on electric traction (rail
                                with a blended TOC); NaN = country default
``distance_adjustment_factor``  optional ISO 14083 distance adjustment factor (default 1)
``distance_basis``              optional ``actual`` (default), ``sfd`` (shortest feasible
                                distance) or ``gcd`` (great circle); stated in the output
==============================  =========================================================

A :class:`Shipment`: cargo mass in tonnes and/or TEU count, commodity id, shipment id.
When only one of mass/TEU is given, the other follows from
``FactorSet.load_t_per_teu`` (10 t per loaded TEU, IMO EEOI guidelines).

Method
------
For each TCE: distance = km x distance_adjustment_factor; transport activity =
mass x distance (tkm) or TEU x distance (TEUkm, for TEU-based TOCs); TTW and WTT
emissions = activity x intensity of the TOC; WTW = WTT + TTW. Blended rail:
intensity = share x electric + (1 - share) x diesel, the electric part having zero TTW
and WTT = kWh per tkm x grid intensity of the country. For each HOC: activity = TEU
(or tonnes) handled, emissions = activity x hub intensity. Totals are sums; the
shipment intensity is total WTW (hubs included) per total tkm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from serai.emissions.factors import FactorSet, load_factors
from serai.emissions.intensity import hub_factors, leg_factors
from serai.errors import InputError

__all__ = ["ChainFootprint", "Shipment", "account_chain"]

_MODES = {"road", "rail", "sea", "ferry", "inland_waterway", "transfer"}
_BASES = {"actual", "sfd", "gcd"}
_MAX_KM = 100_000.0  # a leg longer than twice round the Earth is a mistake


@dataclass(frozen=True)
class Shipment:
    """One shipment: cargo mass and/or containers.

    Parameters
    ----------
    shipment_id
        Identifier (carried into the export).
    mass_t
        Cargo mass in tonnes (freight plus packaging, without the container tare).
    teu
        Number of TEU (a 40-foot container is 2 TEU).
    commodity
        Free commodity id (e.g. an HS code or ``"containerised general cargo"``).

    Examples
    --------
    >>> Shipment("S1", teu=1).resolve(10.0)
    (10.0, 1.0)
    >>> Shipment("S2", mass_t=25.0).resolve(10.0)
    (25.0, 2.5)
    """

    shipment_id: str
    mass_t: float | None = None
    teu: float | None = None
    commodity: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.shipment_id, str | int) or not str(self.shipment_id).strip():
            raise InputError(
                f"a shipment needs a shipment_id (text), got {self.shipment_id!r}",
                field="shipment_id",
            )
        import numbers

        for name, high in (("mass_t", 1e9), ("teu", 1e8)):
            v = getattr(self, name)
            if v is not None and (
                isinstance(v, bool)
                or not isinstance(v, numbers.Real)
                or not (np.isfinite(v) and 0 < v <= high)
            ):
                raise InputError(
                    f"{name} must be a positive number (at most {high:g}), got {v!r}", field=name
                )
        if self.mass_t is None and self.teu is None:
            raise InputError("a shipment needs mass_t and/or teu", field="mass_t")

    def resolve(self, load_t_per_teu: float) -> tuple[float, float]:
        """(mass in t, TEU), filling the missing one with ``load_t_per_teu``."""
        mass = self.mass_t if self.mass_t is not None else self.teu * load_t_per_teu
        teu = self.teu if self.teu is not None else self.mass_t / load_t_per_teu
        return float(mass), float(teu)


@dataclass(frozen=True, eq=False)
class ChainFootprint:
    """Emissions of one shipment over its transport chain.

    Attributes
    ----------
    shipment : Shipment
    elements : DataFrame
        One row per TCE and HOC, in chain order: ``element_id``, ``element``, ``mode``,
        ``factor_id`` (TOC or HOC id), ``from_name``, ``to_name``, ``country``, ``km``,
        ``distance_adjustment_factor``, ``distance_km``, ``distance_basis``, ``mass_t``,
        ``teu``, ``tonne_km``, ``activity``, ``activity_unit``, ``electrified_share``,
        ``grid_g_per_kwh``, ``ttw_factor``, ``wtt_factor``, ``factor_unit``, ``ttw_kg``,
        ``wtt_kg``, ``wtw_kg``, ``intensity_g_per_tkm`` (WTW per tkm, NaN for hubs),
        ``ileap_mode``, ``hub_type``, ``factor_ids`` (factor rows used), ``sources``,
        ``estimate`` (any factor used is an estimate).
    totals : mapping
        ``tonne_km``, ``distance_km``, ``ttw_kg``, ``wtt_kg``, ``wtw_kg``,
        ``transport_wtw_kg``, ``hub_wtw_kg``, ``intensity_g_per_tkm``,
        ``estimate_share_wtw`` (share of WTW from rows that use an estimate), ``mass_t``,
        ``teu``.
    load_t_per_teu : float
    factors_origin : str
    notes : tuple of str
        Statements about the method (distance basis and adjustment, defaults used).
    """

    shipment: Shipment
    elements: pd.DataFrame
    totals: Mapping[str, float] = field(default_factory=dict)
    load_t_per_teu: float = 10.0
    factors_origin: str = "package"
    notes: tuple[str, ...] = ()

    def summary(self) -> pd.DataFrame:
        """The per-element table plus a ``TOTAL`` row (main columns only)."""
        cols = ["element_id", "element", "mode", "factor_id", "from_name", "to_name", "country",
                "distance_km", "tonne_km", "ttw_kg", "wtt_kg", "wtw_kg", "intensity_g_per_tkm"]  # fmt: skip
        t = self.elements[cols].copy()
        total = {c: "" for c in cols}
        total.update(
            element_id="TOTAL",
            distance_km=self.totals["distance_km"],
            tonne_km=self.totals["tonne_km"],
            ttw_kg=self.totals["ttw_kg"],
            wtt_kg=self.totals["wtt_kg"],
            wtw_kg=self.totals["wtw_kg"],
            intensity_g_per_tkm=self.totals["intensity_g_per_tkm"],
        )
        return pd.concat([t, pd.DataFrame([total])], ignore_index=True)


def _column(legs: pd.DataFrame, name: str, default: object) -> pd.Series:
    if name in legs.columns:
        return legs[name]
    return pd.Series([default] * len(legs), index=legs.index)


def _strings(s: pd.Series) -> np.ndarray:
    return np.where(s.isna(), "", s.astype(str).str.strip()).astype(object)


def account_chain(
    legs: pd.DataFrame,
    shipment: Shipment,
    *,
    factors: FactorSet | None = None,
    unknown_country: str = "error",
) -> ChainFootprint:
    """Emissions of a shipment over a transport chain (ISO 14083 / GLEC).

    Parameters
    ----------
    legs
        The legs table (see the module docstring for the columns).
    shipment
        Mass and/or TEU of the shipment.
    factors
        Factor tables (default: the packaged ones, :func:`load_factors`).
    unknown_country
        ``"error"`` (default): a rail leg in a country without grid intensity or default
        electrified share raises. ``"fallback"``: it uses the ``ZZ`` rows (world-average
        grid, all diesel), flagged as estimates.

    Returns
    -------
    ChainFootprint

    Raises
    ------
    InputError
        A row has an unknown element, mode, TOC or HOC, a missing or negative distance,
        a distance adjustment factor <= 0, or a country without the factors it needs. The
        error names the row (the DataFrame index label) and field.

    Examples
    --------
    >>> import pandas as pd
    >>> from serai.emissions import Shipment, account_chain
    >>> legs = pd.DataFrame({
    ...     "element": ["tce", "hoc", "tce"],
    ...     "mode": ["rail", "transfer", "rail"],
    ...     "toc": ["rail_container_diesel", "", "rail_container_electric"],
    ...     "hoc": ["", "rail_terminal_transshipment", ""],
    ...     "from_name": ["A", "B", "B"], "to_name": ["B", "B", "C"],
    ...     "km": [100.0, 0.0, 200.0], "country": ["KZ", "KZ", "KZ"]})
    >>> fp = account_chain(legs, Shipment("S1", teu=1))
    >>> fp.elements["wtw_kg"].round(3).tolist()   # 10 t x 100 km x (17.9 + 17.9 x 0.243755) g
    [22.263, 7.0, 34.62]
    >>> round(fp.totals["wtw_kg"], 3)
    63.883
    """
    if factors is None:
        factors = load_factors()
    if not isinstance(legs, pd.DataFrame):
        raise InputError("legs must be a pandas DataFrame")
    if len(legs) == 0:
        raise InputError("the legs table is empty")
    for col in ("element", "mode"):
        if col not in legs.columns:
            raise InputError(f"the legs table needs a '{col}' column", field=col)
    labels = list(legs.index)
    element = np.char.lower(_strings(legs["element"]).astype(str)).astype(object)
    mode = np.char.lower(_strings(legs["mode"]).astype(str)).astype(object)
    for i in np.flatnonzero(~np.isin(element, ["tce", "hoc"])):
        raise InputError(
            f"element must be 'tce' or 'hoc', got '{element[i]}'", row=labels[i], field="element"
        )
    for i in np.flatnonzero(~np.isin(mode, list(_MODES))):
        raise InputError(
            f"mode must be one of {sorted(_MODES)}, got '{mode[i]}'", row=labels[i], field="mode"
        )
    is_tce = element == "tce"
    for i in np.flatnonzero(is_tce & (mode == "transfer")):
        raise InputError(
            "a transport leg (tce) cannot have mode 'transfer'", row=labels[i], field="mode"
        )

    km = pd.to_numeric(_column(legs, "km", np.nan), errors="coerce").to_numpy(dtype=np.float64)
    for i in np.flatnonzero(is_tce & ~(np.isfinite(km) & (km >= 0) & (km <= _MAX_KM))):
        raise InputError(
            f"a transport leg needs a distance km >= 0 (at most {_MAX_KM:g}), got {km[i]}",
            row=labels[i],
            field="km",
        )
    daf = pd.to_numeric(_column(legs, "distance_adjustment_factor", 1.0), errors="coerce")
    daf = daf.fillna(1.0).to_numpy(dtype=np.float64)
    for i in np.flatnonzero(~((daf > 0) & (daf <= 10))):
        raise InputError(f"distance_adjustment_factor must be > 0 (at most 10), got {daf[i]}", row=labels[i],
                         field="distance_adjustment_factor")  # fmt: skip
    basis = _strings(_column(legs, "distance_basis", "actual"))
    basis = np.where(basis == "", "actual", basis)
    for i in np.flatnonzero(~np.isin(basis, list(_BASES))):
        raise InputError(f"distance_basis must be one of {sorted(_BASES)}, got '{basis[i]}'", row=labels[i],
                         field="distance_basis")  # fmt: skip
    country = np.char.upper(_strings(_column(legs, "country", "")).astype(str)).astype(object)
    toc = _strings(_column(legs, "toc", ""))
    hoc = _strings(_column(legs, "hoc", ""))
    share_in = pd.to_numeric(_column(legs, "electrified_share", np.nan), errors="coerce").to_numpy(
        dtype=float
    )
    from_name = _strings(_column(legs, "from_name", ""))
    to_name = _strings(_column(legs, "to_name", ""))

    mass, teu = shipment.resolve(factors.load_t_per_teu)
    n = len(legs)
    out = {
        "factor_id": np.full(n, "", dtype=object),
        "activity_unit": np.full(n, "", dtype=object),
        "ttw_factor": np.zeros(n),
        "wtt_factor": np.zeros(n),
        "electrified_share": np.full(n, np.nan),
        "grid_g_per_kwh": np.full(n, np.nan),
        "estimate": np.zeros(n, dtype=bool),
        "ileap_mode": np.full(n, "", dtype=object),
        "hub_type": np.full(n, "", dtype=object),
        "factor_ids": np.full(n, "", dtype=object),
        "sources": np.full(n, "", dtype=object),
    }
    ti = np.flatnonzero(is_tce)
    if len(ti):
        lf = leg_factors(
            mode[ti], toc[ti], country[ti], share_in[ti], factors,
            labels=[labels[i] for i in ti], unknown_country=unknown_country,
        )  # fmt: skip
        out["factor_id"][ti] = lf["toc_id"].to_numpy()
        for c in ("activity_unit", "ttw_factor", "wtt_factor", "electrified_share", "grid_g_per_kwh",
                  "estimate", "ileap_mode"):  # fmt: skip
            out[c][ti] = lf[c].to_numpy()
        ids, srcs = _provenance_tce(lf, factors)
        out["factor_ids"][ti], out["sources"][ti] = ids, srcs
    hi = np.flatnonzero(~is_tce)
    if len(hi):
        hf = hub_factors(hoc[hi], factors, labels=[labels[i] for i in hi])
        out["factor_id"][hi] = hf["hoc_id"].to_numpy()
        for c in ("activity_unit", "ttw_factor", "wtt_factor", "estimate", "hub_type"):
            out[c][hi] = hf[c].to_numpy()
        out["factor_ids"][hi] = ["hocs:" + h for h in hf["hoc_id"]]
        out["sources"][hi] = factors.hocs["source"].reindex(hf["hoc_id"]).to_numpy()

    distance = np.where(is_tce, km * daf, 0.0)
    tonne_km = np.where(is_tce, mass * distance, 0.0)
    unit = out["activity_unit"]
    activity = np.select(
        [unit == "tkm", unit == "TEUkm", unit == "TEU", unit == "tonnes"],
        [tonne_km, teu * distance, np.full(n, teu), np.full(n, mass)],
        default=np.nan,
    )
    # TCE factors are g per unit, HOC factors kg per unit
    scale = np.where(is_tce, 1e-3, 1.0)
    ttw_kg = activity * out["ttw_factor"] * scale
    wtt_kg = activity * out["wtt_factor"] * scale
    wtw_kg = ttw_kg + wtt_kg
    with np.errstate(divide="ignore", invalid="ignore"):
        intensity = np.where(is_tce & (tonne_km > 0), wtw_kg * 1e3 / tonne_km, np.nan)
    factor_unit = np.where(is_tce, "g CO2e/" + unit.astype(str), "kg CO2e/" + unit.astype(str))

    width = max(2, len(str(n)))
    elements = pd.DataFrame(
        {
            "element_id": [f"E{i + 1:0{width}d}" for i in range(n)],
            "element": element,
            "mode": mode,
            "factor_id": out["factor_id"],
            "from_name": from_name,
            "to_name": to_name,
            "country": country,
            "km": np.where(is_tce, km, 0.0),
            "distance_adjustment_factor": np.where(is_tce, daf, np.nan),
            "distance_km": distance,
            "distance_basis": np.where(is_tce, basis, ""),
            "mass_t": mass,
            "teu": teu,
            "tonne_km": tonne_km,
            "activity": activity,
            "activity_unit": unit,
            "electrified_share": out["electrified_share"],
            "grid_g_per_kwh": out["grid_g_per_kwh"],
            "ttw_factor": out["ttw_factor"],
            "wtt_factor": out["wtt_factor"],
            "factor_unit": factor_unit,
            "ttw_kg": ttw_kg,
            "wtt_kg": wtt_kg,
            "wtw_kg": wtw_kg,
            "intensity_g_per_tkm": intensity,
            "ileap_mode": out["ileap_mode"],
            "hub_type": out["hub_type"],
            "factor_ids": out["factor_ids"],
            "sources": out["sources"],
            "estimate": out["estimate"],
        },
        index=pd.RangeIndex(n),
    )
    tkm_total = float(tonne_km.sum())
    wtw_total = float(wtw_kg.sum())
    totals = {
        "mass_t": mass,
        "teu": teu,
        "distance_km": float(distance.sum()),
        "tonne_km": tkm_total,
        "ttw_kg": float(ttw_kg.sum()),
        "wtt_kg": float(wtt_kg.sum()),
        "wtw_kg": wtw_total,
        "transport_wtw_kg": float(wtw_kg[is_tce].sum()),
        "hub_wtw_kg": float(wtw_kg[~is_tce].sum()),
        "intensity_g_per_tkm": wtw_total * 1e3 / tkm_total if tkm_total > 0 else float("nan"),
        "estimate_share_wtw": float(wtw_kg[out["estimate"]].sum() / wtw_total)
        if wtw_total > 0
        else 0.0,
    }
    if not all(np.isfinite(v) for k, v in totals.items() if k != "intensity_g_per_tkm"):
        raise InputError("the footprint overflows (mass and distance too large to add up)")
    notes = [
        "Distances: km x distance_adjustment_factor per leg; basis per leg in 'distance_basis' "
        "(actual = actual distance, sfd = shortest feasible distance, gcd = great circle).",
        f"Mass {mass:g} t, {teu:g} TEU (load factor {factors.load_t_per_teu:g} t per TEU where one is derived).",
        "WTW = WTT + TTW (GHG, g CO2e); electric traction counted as WTT (grid generation intensity).",
    ]
    if np.any(daf[is_tce] != 1.0):
        notes.append(
            "Distance adjustment factors other than 1 applied: see 'distance_adjustment_factor'."
        )
    return ChainFootprint(
        shipment=shipment,
        elements=elements,
        totals=MappingProxyType(totals),
        load_t_per_teu=factors.load_t_per_teu,
        factors_origin=factors.origin,
        notes=tuple(notes),
    )


def _provenance_tce(lf: pd.DataFrame, factors: FactorSet) -> tuple[list[str], list[str]]:
    """Factor ids and source citations used by each leg."""
    ids, srcs = [], []
    tocs = factors.tocs
    for r in lf.itertuples(index=False):
        i, s = [], []
        if r.toc_electric and r.electrified_share > 0:
            i += [f"tocs:{r.toc_electric}", f"grid:{r.grid_key}"]
            s += [tocs.at[r.toc_electric, "source"], factors.grid.at[r.grid_key, "source"]]
        if r.toc_fuel and r.electrified_share < 1:
            i.append(f"tocs:{r.toc_fuel}")
            s.append(tocs.at[r.toc_fuel, "source"])
            carrier = tocs.at[r.toc_fuel, "energy_carrier"]
            if not np.isfinite(tocs.at[r.toc_fuel, "wtt"]):
                i.append(f"energy_carriers:{carrier}")
                s.append(factors.energy_carriers.at[carrier, "source"])
            elif isinstance(tocs.at[r.toc_fuel, "wtt_source"], str):
                s.append(tocs.at[r.toc_fuel, "wtt_source"])
        if r.share_from_country_default:
            i.append(f"rail_electrification:{r.share_key}")
            s.append(factors.rail_electrification.at[r.share_key, "source"])
        ids.append("; ".join(i))
        srcs.append(" | ".join(dict.fromkeys(s)))
    return ids, srcs
