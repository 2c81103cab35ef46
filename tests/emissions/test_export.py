"""iLEAP-shaped JSON export validated against the schema shipped with serai."""

from __future__ import annotations

import copy
import json

import jsonschema
import pandas as pd
import pytest

from serai.emissions import Shipment, account_chain, ileap_schema, to_ileap, validate_ileap
from serai.emissions.examples import middle_corridor_example


@pytest.fixture(scope="module")
def doc():
    legs, shipment = middle_corridor_example()
    return to_ileap(account_chain(legs, shipment))


def test_schema_is_a_valid_draft7_schema():
    jsonschema.Draft7Validator.check_schema(ileap_schema())


def test_worked_example_export_validates(doc):
    validate_ileap(doc)
    validate_ileap(json.loads(json.dumps(doc)))  # survives a JSON round trip


def test_export_content_matches_the_footprint(doc):
    legs, shipment = middle_corridor_example()
    fp = account_chain(legs, shipment)
    sf = doc["shipmentFootprint"]
    assert sf["shipmentId"] == "XIY-DUI-0001" and sf["mass"] == "10000"
    tces = sf["tces"]
    assert len(tces) == len(legs)
    assert sum(float(t["co2eWTW"]) for t in tces) == pytest.approx(fp.totals["wtw_kg"], abs=1e-5)
    assert sum(float(t["transportActivity"]) for t in tces) == pytest.approx(fp.totals["tonne_km"])
    assert [("hocId" in t) for t in tces] == (legs["element"] == "hoc").tolist()
    assert tces[1]["prevTceIds"] == [tces[0]["tceId"]]
    toc_ids = {t["tocId"] for t in doc["tocs"]}
    hoc_ids = {h["hocId"] for h in doc["hocs"]}
    assert {t["tocId"] for t in tces if "tocId" in t} == toc_ids  # every referenced TOC is exported
    assert {t["hocId"] for t in tces if "hocId" in t} == hoc_ids
    kz = next(t for t in doc["tocs"] if t["tocId"] == "rail_container:KZ:e0.25")
    assert [c["energyCarrier"] for c in kz["energyCarriers"]] == ["Electric", "Diesel"]
    assert float(kz["co2eIntensityWTW"]) == pytest.approx(
        (0.25 * 0.027 * 641.102 + 0.75 * 17.9 * (1 + 0.62665 / 2.57082)) / 1000, rel=1e-6
    )
    assert all(p["sources"] for p in doc["serai"]["elements"])


def test_sfd_distance_and_decimal_format():
    legs = pd.DataFrame({"element": ["tce"], "mode": ["road"], "km": [123.456789], "country": ["DE"],
                         "distance_basis": ["sfd"], "distance_adjustment_factor": [1.05]})  # fmt: skip
    d = to_ileap(account_chain(legs, Shipment("S", mass_t=3.0)))
    validate_ileap(d)
    tce = d["shipmentFootprint"]["tces"][0]
    assert tce["distance"] == {"sfd": "129.63"}
    assert "e" not in tce["co2eWTW"].lower()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["shipmentFootprint"]["tces"][0].__setitem__(
            "co2eWTW", 12.5
        ),  # number, not Decimal
        lambda d: d["shipmentFootprint"]["tces"][0].pop("tocId"),  # neither tocId nor hocId
        lambda d: d["shipmentFootprint"]["tces"][1].__setitem__(
            "tocId", "x"
        ),  # both tocId and hocId
        lambda d: d["shipmentFootprint"]["tces"][0].__setitem__(
            "distance", {"actual": "1", "sfd": "1"}
        ),
        lambda d: d["tocs"][0].__setitem__("mode", "Ferry"),  # not an iLEAP transport mode
        lambda d: d["hocs"][0].__setitem__("hubType", "Port"),
        lambda d: d["shipmentFootprint"].__setitem__("tces", []),
        lambda d: d["serai"]["elements"][0].__setitem__("sources", ""),
        lambda d: d["shipmentFootprint"]["tces"][0].__setitem__("co2eTTW", "-1"),
    ],
)
def test_schema_rejects_broken_documents(doc, mutate):
    bad = copy.deepcopy(doc)
    mutate(bad)
    with pytest.raises(jsonschema.ValidationError):
        validate_ileap(bad)


# --- PACT ProductFootprint envelope

PACT_ARGS = {
    "company_name": "Example Logistics",
    "company_id": "urn:uuid:00000000-0000-4000-8000-000000000001",
    "created": "2025-06-30T00:00:00Z",
}


def test_pact_envelope_validates_and_carries_the_shipment():
    from serai.emissions import to_pact, validate_pact

    legs, shipment = middle_corridor_example()
    fp = account_chain(legs, shipment)
    pf = to_pact(fp, **PACT_ARGS)
    validate_pact(pf)
    pcf = pf["pcf"]
    # per declared unit (tkm) x amount = total WTW
    assert float(pcf["unitaryProductAmount"]) * float(pcf["pCfExcludingBiogenic"]) == pytest.approx(
        fp.totals["wtw_kg"], rel=1e-6
    )
    assert pf["productCategoryCpc"] == "83117" and pcf["packagingEmissionsIncluded"] is False
    assert pf["extensions"][0]["data"] == to_ileap(fp)["shipmentFootprint"]
    assert pf["productIds"] == [
        "urn:pathfinder:product:customcode:vendor-assigned:shipment:XIY-DUI-0001"
    ]
    assert (pcf["referencePeriodStart"], pcf["referencePeriodEnd"]) == (
        "2025-01-01T00:00:00Z",
        "2026-01-01T00:00:00Z",
    )
    assert to_pact(fp, **PACT_ARGS)["id"] == pf["id"]  # deterministic


def test_pact_rejects_bad_arguments_and_broken_documents():
    from serai.emissions import to_pact, validate_pact
    from serai.errors import InputError

    legs, shipment = middle_corridor_example()
    fp = account_chain(legs, shipment)
    with pytest.raises(InputError, match="ISO 8601"):
        to_pact(fp, **{**PACT_ARGS, "created": "30/06/2025"})
    with pytest.raises(InputError, match="URN"):
        to_pact(fp, **{**PACT_ARGS, "company_id": "ACME"})
    hub_only = account_chain(
        pd.DataFrame({"element": ["hoc"], "mode": ["transfer"], "hoc": ["port_container"]}),
        Shipment("H", teu=1),
    )
    with pytest.raises(InputError, match="tonne-km > 0"):
        to_pact(hub_only, **PACT_ARGS)
    pf = to_pact(fp, **PACT_ARGS)
    for mutate in (
        lambda d: d.__setitem__("productCategoryCpc", "12345"),
        lambda d: d["pcf"].__setitem__("declaredUnit", "kilogram"),
        lambda d: d["extensions"][0]["data"]["tces"][0].__setitem__("co2eWTW", 5),
        lambda d: d.__setitem__("companyIds", ["ACME"]),
    ):
        bad = copy.deepcopy(pf)
        mutate(bad)
        with pytest.raises(jsonschema.ValidationError):
            validate_pact(bad)
