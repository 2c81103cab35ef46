"""Export a shipment footprint in the shape of the iLEAP / PACT data model.

:func:`to_ileap` returns a JSON-ready dict with the iLEAP types (SFC iLEAP technical
specification, sine-fdn/ileap-extension): a ``ShipmentFootprint`` holding one ``TCE`` per
transport leg and per hub operation (hub TCEs carry a ``hocId``, distance 0), the ``TOC``
and ``HOC`` intensities the TCEs refer to, and a ``serai`` block with the provenance of
every number (factor ids, source citations, estimate flags, distance adjustments).
iLEAP numbers are Decimals written as JSON strings; units: mass kg, distance km,
transport activity tkm, emissions kg CO2e, TOC intensity kg CO2e per tkm (or TEUkm),
HOC intensity kg CO2e per TEU (or tonne).

The JSON Schema shipped with serai (``ileap_schema()``) describes this export;
:func:`validate_ileap` checks a document against it (needs ``jsonschema``).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import numpy as np

from serai.emissions.accounting import ChainFootprint
from serai.emissions.factors import FactorSet, load_factors
from serai.errors import InputError, OptionalDependencyError

__all__ = ["DATA_MODEL", "ileap_schema", "to_ileap", "validate_ileap"]

DATA_MODEL = "iLEAP ShipmentFootprint/TOC/HOC (SFC iLEAP, PACT data model extension)"


def _dec(x: float, digits: int = 6) -> str:
    """An iLEAP Decimal string (no exponent, trailing zeros trimmed)."""
    x = float(x)
    if not np.isfinite(x):
        raise InputError(f"cannot export a non-finite number ({x}) as an iLEAP Decimal")
    s = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if s in {"", "-0"} else s


def _location(name: str, country: str) -> dict:
    return {"city": name, "country": {"geographyCountry": country} if len(country) == 2 else None}


def _fuel_carrier(factors: FactorSet, carrier: str, share: float) -> dict:
    ec = factors.energy_carriers
    ttw = float(ec.at[carrier, "ttw_kg_per_kg"])
    ratio = float(ec.at[carrier, "wtt_to_ttw"])
    return {
        "energyCarrier": str(ec.at[carrier, "ileap_carrier"]),
        "relativeShare": _dec(share, 4),
        "feedstocks": [{"feedstock": "Fossil"}],
        "energyConsumptionUnit": "kg",
        "emissionFactorWTW": _dec(ttw * (1.0 + ratio), 4),
        "emissionFactorTTW": _dec(ttw, 4),
    }


def _electric_carrier(grid_g_per_kwh: float, share: float) -> dict:
    return {
        "energyCarrier": "Electric",
        "relativeShare": _dec(share, 4),
        "feedstocks": [{"feedstock": "Grid"}],
        "energyConsumptionUnit": "kWh",
        "emissionFactorWTW": _dec(grid_g_per_kwh / 1000.0, 6),
        "emissionFactorTTW": "0",
    }


def to_ileap(footprint: ChainFootprint, *, factors: FactorSet | None = None) -> dict:
    """The footprint as an iLEAP-shaped JSON document (a dict).

    Parameters
    ----------
    footprint
        Result of :func:`~serai.emissions.account_chain`.
    factors
        The factor tables the footprint was computed with (default: the ones it records
        in ``factors_origin``); used for the TOC and HOC entries.

    Returns
    -------
    dict
        ``{"dataModel", "shipmentFootprint", "tocs", "hocs", "serai"}``; serialise with
        ``json.dumps``. TOC ids of blended rail legs encode country and electric share
        (e.g. ``rail_container:KZ:e0.25``) because the intensity depends on both.

    Examples
    --------
    >>> import pandas as pd
    >>> from serai.emissions import Shipment, account_chain, to_ileap
    >>> legs = pd.DataFrame({"element": ["tce"], "mode": ["rail"], "km": [500.0], "country": ["KZ"]})
    >>> doc = to_ileap(account_chain(legs, Shipment("S9", teu=1)))
    >>> tce = doc["shipmentFootprint"]["tces"][0]
    >>> tce["tocId"], tce["distance"], tce["transportActivity"], tce["co2eWTW"]
    ('rail_container:KZ:e0.25', {'actual': '500'}, '5000', '105.124241')
    """
    if factors is None:
        origin = footprint.factors_origin
        factors = load_factors(
            None if origin == "package" else origin, load_t_per_teu=footprint.load_t_per_teu
        )
    e = footprint.elements
    sid = str(footprint.shipment.shipment_id)
    mass_kg = footprint.totals["mass_t"] * 1000.0
    teu = footprint.totals["teu"]
    tces, tocs, hocs, prov = [], {}, {}, []
    prev: str | None = None
    for r in e.itertuples(index=False):
        tce_id = f"{sid}-{r.element_id}"
        tce: dict = {"tceId": tce_id}
        if prev is not None:
            tce["prevTceIds"] = [prev]
        if r.element == "tce":
            toc_id = str(r.factor_id)
            if (
                r.factor_id not in factors.tocs.index
            ):  # blend: intensity depends on country and share
                toc_id = f"{r.factor_id}:{r.country or 'XX'}:e{_dec(r.electrified_share, 4)}"
            tce["tocId"] = toc_id
            if toc_id not in tocs:
                tocs[toc_id] = _toc_entry(r, toc_id, factors)
        else:
            tce["hocId"] = str(r.factor_id)
            if r.factor_id not in hocs:
                hocs[r.factor_id] = _hoc_entry(str(r.factor_id), factors)
        tce["shipmentId"] = sid
        tce["mass"] = _dec(mass_kg, 3)
        if footprint.shipment.teu is not None and float(teu).is_integer():
            tce["packagingOrTrEqType"] = "Container"
            tce["packagingOrTrEqAmount"] = int(teu)
        basis = r.distance_basis if r.element == "tce" else "actual"
        tce["distance"] = {basis: _dec(r.distance_km, 3)}
        if r.from_name or r.to_name:
            tce["origin"] = _location(r.from_name, r.country)
            tce["destination"] = _location(r.to_name or r.from_name, r.country)
        tce["transportActivity"] = _dec(r.tonne_km, 3)
        tce["co2eWTW"] = _dec(r.wtw_kg, 6)
        tce["co2eTTW"] = _dec(r.ttw_kg, 6)
        tces.append(tce)
        p = {
            "tceId": tce_id,
            "element": r.element,
            "mode": r.mode,
            "factorId": str(r.factor_id),
            "factorIds": r.factor_ids,
            "sources": r.sources,
            "estimate": bool(r.estimate),
        }
        if r.element == "tce":
            p["distanceAdjustmentFactor"] = _dec(r.distance_adjustment_factor, 6)
            p["distanceKmBeforeAdjustment"] = _dec(r.km, 3)
            p["electrifiedShare"] = _dec(r.electrified_share, 4)
            if np.isfinite(r.grid_g_per_kwh):
                p["gridIntensityGPerKWh"] = _dec(r.grid_g_per_kwh, 3)
            if np.isfinite(r.intensity_g_per_tkm):
                p["intensityGPerTkmWTW"] = _dec(r.intensity_g_per_tkm, 4)
        prov.append(p)
        prev = tce_id
    t = footprint.totals
    sf: dict = {"mass": _dec(mass_kg, 3), "shipmentId": sid}
    if footprint.shipment.teu is not None:
        sf["numberOfItems"] = _dec(teu, 3)
        sf["typeOfItems"] = "TEU"
    sf["tces"] = tces
    return {
        "dataModel": DATA_MODEL,
        "shipmentFootprint": sf,
        "tocs": list(tocs.values()),
        "hocs": list(hocs.values()),
        "serai": {
            "commodity": str(footprint.shipment.commodity),
            "loadTonnesPerTEU": _dec(footprint.load_t_per_teu, 4),
            "factorsOrigin": footprint.factors_origin,
            "totals": {
                "tonneKm": _dec(t["tonne_km"], 3),
                "co2eTTW": _dec(t["ttw_kg"], 6),
                "co2eWTT": _dec(t["wtt_kg"], 6),
                "co2eWTW": _dec(t["wtw_kg"], 6),
                "transportCo2eWTW": _dec(t["transport_wtw_kg"], 6),
                "hubCo2eWTW": _dec(t["hub_wtw_kg"], 6),
                "estimateShareWTW": _dec(t["estimate_share_wtw"], 4),
                **(
                    {"intensityGPerTkmWTW": _dec(t["intensity_g_per_tkm"], 4)}
                    if np.isfinite(t["intensity_g_per_tkm"])
                    else {}
                ),
            },
            "elements": prov,
            "notes": list(footprint.notes),
        },
    }


def _toc_entry(r, toc_id: str, factors: FactorSet) -> dict:
    tocs = factors.tocs
    share = float(r.electrified_share)
    carriers = []
    if share > 0:
        carriers.append(_electric_carrier(float(r.grid_g_per_kwh), share))
    if share < 1:
        fuel_toc = toc_id if r.factor_id in tocs.index else _blend_fuel(str(r.factor_id))
        carriers.append(
            _fuel_carrier(factors, str(tocs.at[fuel_toc, "energy_carrier"]), 1.0 - share)
        )
    base = r.factor_id if r.factor_id in tocs.index else _blend_fuel(str(r.factor_id))
    desc = str(tocs.at[base, "description"])
    if r.factor_id not in tocs.index:
        desc = f"Rail container train, {share:.0%} electric traction in {r.country} (blend of electric and diesel TOCs)"
    return {
        "tocId": toc_id,
        "isVerified": False,
        "isAccredited": False,
        "description": desc,
        "mode": str(r.ileap_mode),
        "energyCarriers": carriers,
        "co2eIntensityWTW": _dec((r.ttw_factor + r.wtt_factor) / 1000.0, 8),
        "co2eIntensityTTW": _dec(r.ttw_factor / 1000.0, 8),
        "transportActivityUnit": str(r.activity_unit),
    }


def _blend_fuel(blend: str) -> str:
    from serai.emissions.intensity import BLENDS

    return BLENDS[blend][1]


def _hoc_entry(hoc_id: str, factors: FactorSet) -> dict:
    h = factors.hocs.loc[hoc_id]
    return {
        "hocId": hoc_id,
        "isVerified": False,
        "isAccredited": False,
        "description": str(h["description"]),
        "hubType": str(h["hub_type"]),
        "energyCarriers": [_fuel_carrier(factors, str(h["energy_carrier"]), 1.0)],
        "co2eIntensityWTW": _dec(h["ttw"] + h["wtt"], 6),
        "co2eIntensityTTW": _dec(h["ttw"], 6),
        "hubActivityUnit": str(h["activity_unit"]),
    }


@cache
def _schema_text() -> str:
    return (resources.files("serai.emissions") / "data" / "ileap_export.schema.json").read_text(
        encoding="utf-8"
    )


def ileap_schema() -> dict:
    """The JSON Schema (draft-07) of the :func:`to_ileap` export, shipped with serai."""
    return json.loads(_schema_text())


def validate_ileap(doc: dict) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``doc`` matches :func:`ileap_schema`.

    Needs the optional package ``jsonschema`` (``pip install 'serai[dev]'``).
    """
    try:
        import jsonschema
    except ImportError:  # pragma: no cover - depends on the environment
        raise OptionalDependencyError("jsonschema", "dev") from None
    jsonschema.Draft7Validator(ileap_schema()).validate(doc)
