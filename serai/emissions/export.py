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

__all__ = ["DATA_MODEL", "ileap_schema", "to_ileap", "to_pact", "validate_ileap", "validate_pact"]

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


def _validate(doc: dict, schema: dict) -> None:
    try:
        import jsonschema
    except ImportError:  # pragma: no cover - depends on the environment
        raise OptionalDependencyError("jsonschema", "dev") from None
    jsonschema.Draft7Validator(schema).validate(doc)


def validate_pact(doc: dict) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``doc`` is a :func:`to_pact` ProductFootprint.

    The schema (``pact_shipment_footprint.schema.json``) checks the PACT envelope fields
    serai fills and the embedded ShipmentFootprint against the iLEAP export schema.
    """
    schema = json.loads(
        (
            resources.files("serai.emissions") / "data" / "pact_shipment_footprint.schema.json"
        ).read_text(encoding="utf-8")
    )
    schema["definitions"]["ShipmentFootprint"] = {
        "$ref": "#/definitions/ILEAP/definitions/ShipmentFootprint"
    }
    schema["definitions"]["ILEAP"] = ileap_schema()
    _validate(doc, schema)


def validate_ileap(doc: dict) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``doc`` matches :func:`ileap_schema`.

    Needs the optional package ``jsonschema`` (``pip install 'serai[dev]'``).
    """
    _validate(doc, ileap_schema())


def to_pact(
    footprint: ChainFootprint,
    *,
    company_name: str,
    company_id: str,
    created: str,
    reference_period: tuple[str, str] | None = None,
    factors: FactorSet | None = None,
) -> dict:
    """The footprint as a PACT ``ProductFootprint`` carrying the iLEAP ShipmentFootprint.

    Follows the iLEAP-to-PACT mapping of the iLEAP specification
    (sine-fdn/ileap-extension, ``gen/src/pact_integration.rs``): product category CPC
    83117, product id ``urn:pathfinder:product:customcode:vendor-assigned:shipment:<id>``,
    declared unit ``ton kilometer``, cross-sectoral standard ISO 14083, packaging emissions
    not included, one data-model extension holding the ShipmentFootprint. Per the PACT
    definition, ``pcf.unitaryProductAmount`` is the shipment's tonne-km and
    ``pcf.pCfExcludingBiogenic`` the WTW emissions per tonne-km (kg CO2e / tkm); the total is
    their product. (The iLEAP reference code puts the total WTW in both fields; the iLEAP
    example puts tkm and the total: we follow the PACT per-declared-unit definition.)

    Parameters
    ----------
    footprint
        Result of :func:`~serai.emissions.account_chain` (needs tonne-km > 0).
    company_name, company_id
        Reporting company and its URN (e.g. ``urn:uuid:...`` or ``urn:lei:...``).
    created
        ISO 8601 UTC timestamp (``2025-06-30T00:00:00Z``); also seeds the deterministic id.
    reference_period
        (start, end) ISO 8601 UTC timestamps; default: the calendar year of ``created``.
    factors
        As in :func:`to_ileap`.

    Examples
    --------
    >>> from serai.emissions import account_chain
    >>> from serai.emissions.examples import middle_corridor_example
    >>> pf = to_pact(account_chain(*middle_corridor_example()), company_name="Example Logistics",
    ...              company_id="urn:uuid:00000000-0000-4000-8000-000000000001",
    ...              created="2025-06-30T00:00:00Z")
    >>> pf["pcf"]["declaredUnit"], pf["pcf"]["unitaryProductAmount"], pf["pcf"]["pCfExcludingBiogenic"]
    ('ton kilometer', '110370', '0.02869086')
    """
    import re
    import uuid

    tkm = float(footprint.totals["tonne_km"])
    if not tkm > 0:
        raise InputError("a PACT footprint per tonne-km needs a chain with tonne-km > 0")
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", created):
        raise InputError(f"created must be an ISO 8601 UTC timestamp like 2025-06-30T00:00:00Z, got '{created}'",
                         field="created")  # fmt: skip
    if not company_id.startswith("urn:"):
        raise InputError(
            f"company_id must be a URN (urn:...), got '{company_id}'", field="company_id"
        )
    if reference_period is None:
        year = created[:4]
        reference_period = (f"{year}-01-01T00:00:00Z", f"{int(year) + 1}-01-01T00:00:00Z")
    doc = to_ileap(footprint, factors=factors)
    sid = str(footprint.shipment.shipment_id)
    per_tkm = float(footprint.totals["wtw_kg"]) / tkm
    notes = " ".join(footprint.notes)
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"serai:shipment:{sid}:{created}")),
        "specVersion": "2.2.0",
        "version": 1,
        "created": created,
        "status": "Active",
        "companyName": company_name,
        "companyIds": [company_id],
        "productDescription": f"Logistics emissions of shipment {sid} ({footprint.shipment.commodity or 'freight'})",
        "productIds": [f"urn:pathfinder:product:customcode:vendor-assigned:shipment:{sid}"],
        "productCategoryCpc": "83117",
        "productNameCompany": f"ShipmentFootprint with id {sid}",
        "comment": f"Modelled with serai from default factors (no primary data). {notes}",
        "pcf": {
            "declaredUnit": "ton kilometer",
            "unitaryProductAmount": _dec(tkm, 3),
            "pCfExcludingBiogenic": _dec(per_tkm, 8),
            "fossilGhgEmissions": _dec(per_tkm, 8),
            "fossilCarbonContent": "0",
            "biogenicCarbonContent": "0",
            "characterizationFactors": "AR5",
            "ipccCharacterizationFactorsSources": ["AR5"],
            "crossSectoralStandardsUsed": ["ISO Standard 14083"],
            "boundaryProcessesDescription": "Well-to-wheel (WTT + TTW) GHG emissions of the transport chain "
            "elements and hub operations of the shipment (ISO 14083 / GLEC Framework), modelled with default "
            "intensities; see extensions[0].data and the serai provenance of every factor.",
            "referencePeriodStart": reference_period[0],
            "referencePeriodEnd": reference_period[1],
            "exemptedEmissionsPercent": 0,
            "exemptedEmissionsDescription": "",
            "packagingEmissionsIncluded": False,
            "primaryDataShare": 0,
        },
        "extensions": [
            {
                "specVersion": "2.0.0",
                "dataSchema": "https://api.ileap.sine.dev/shipment-footprint.json",
                "documentation": "https://sine-fdn.github.io/ileap-extension/",
                "data": doc["shipmentFootprint"],
            }
        ],
    }
