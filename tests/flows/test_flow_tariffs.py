"""The flows price a shipment by the router's tariff rule for its commodity and origin.

The router prices a containerised mineral consignment from Kazakhstan at the Kazakh export
rail rate (``rail.rate.KZ.export``, CAREC TFI3) and a route from China with the import
premium (``tariffs.costs_variant``, ``Router.costs_from``). The flow model priced every OD pair
of a group as a route from China: Kazakh uranium and copper at the transit through rate (USD
0.0083 per t-km instead of 0.0883), a box from Europe into Kazakhstan with the premium.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from serai.demand import Demand, zones
from serai.flows import FlowConfig, build_model
from serai.flows.model import class_table

ROWS = [
    ("uranium", "KZ_SOUTH", "RO", 2000.0),  # a mineral consignment from Kazakhstan
    ("uranium", "UZ_NAV", "US_EAST", 1000.0),  # the same group in transit through Kazakhstan
    ("copper", "KZ_EAST", "CN_URC", 3.0e5),
    ("containers", "CN_XIY", "DE_W", 60000.0),  # from China: the import premium's lane
    ("containers", "DE_W", "KZ_ALA", 1000.0),  # into Kazakhstan, not from China: no premium
    ("grain", "KZ_NORTH", "UZ_TAS", 1.0e6),
]
#: CAREC TFI3, Kazakh rail cost per 500 km and 20 t of cargo: USD 883 (2022), band 724 (2020)
#: - 924 (2021); ../shared/facts/corridor-facts.md §4.4, cpmm.carecprogram.org/2022-report/
#: kazakhstan. Per t-km of cargo: 883 / 500 / 20.
CAREC_KZ_USD_PER_TKM = 883.0 / 500.0 / 20.0
CAREC_BAND = (724.0 / 500.0 / 20.0, 924.0 / 500.0 / 20.0)


@pytest.fixture(scope="module")
def model():
    from serai.freight.cache import cached_router

    router = cached_router(year=2024)  # the router `serai flows` uses (disk cache)
    t = pd.DataFrame(ROWS, columns=["group", "origin", "destination", "volume"])
    t["unit"] = np.where(t["group"] == "containers", "TEU", "t")
    t["year"] = 2024
    return build_model(
        router.rg.network, Demand(t, 2024, "test"), FlowConfig(year=2024), router=router
    )


def _od(model, group: str, origin: str, destination: str) -> int:
    od = model.od
    sel = (od["group"] == group) & (od["origin"] == origin) & (od["destination"] == destination)
    return int(np.flatnonzero(sel.to_numpy())[0])


def _kazakh_rail(vl: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Line-haul rail links inside Kazakhstan (no service, both ends in KZ)."""
    return (
        (vl["kind"].to_numpy()[rows] == "move")
        & (vl["mode"].to_numpy()[rows] == "rail")
        & (vl["service_id"].to_numpy()[rows] == "")
        & (vl["from_country"].to_numpy()[rows] == "KZ")
        & (vl["to_country"].to_numpy()[rows] == "KZ")
    )


@pytest.mark.parametrize(
    ("group", "origin", "destination"),
    [("uranium", "KZ_SOUTH", "RO"), ("copper", "KZ_EAST", "CN_URC")],
)
def test_kazakh_mineral_export_pays_the_carec_rate_in_the_flows_as_in_the_router(
    model, group, origin, destination
):
    z = zones()
    i = _od(model, group, origin, destination)
    lc = model.costs[int(model.od.loc[i, "class"])]
    assert CAREC_BAND[0] <= CAREC_KZ_USD_PER_TKM <= CAREC_BAND[1]
    # the shipment as the router prices it (`serai route`)
    r = model.router.route(z.loc[origin, "place"], z.loc[destination, "place"], lc.commodity)
    rows = np.asarray(r.vlink_rows)
    kz = _kazakh_rail(model.rg.vlinks, rows)
    km = float(model.rg.vlinks["km"].to_numpy()[rows][kz].sum())
    assert km > 300.0  # the export leaves Kazakhstan by rail
    # 1 t of cargo per unit, no class-7 surcharge (dg7.factor 1, EST): CAREC's cost per t-km
    assert lc.commodity.tonnes_per_unit == 1.0
    hand = km * CAREC_KZ_USD_PER_TKM
    assert float(lc.usd_tariff[rows][kz].sum()) == pytest.approx(hand, rel=1e-9)
    # the flow model's cost of the router's path: the router's tariff and total
    assert float(lc.usd_tariff[rows].sum()) == pytest.approx(r.totals["usd_tariff"], rel=1e-9)
    assert float(lc.usd[rows].sum()) == pytest.approx(r.totals["usd"], rel=1e-9)


def test_every_od_pair_pays_the_routers_costs_of_its_origin(model):
    p = model.problem
    rows_of = np.asarray(model.rg.graph.link_rows)
    seen = set()
    for i, e in model.seeds:
        seen.add(i)
        k = int(p.od_class[i])
        target = model.zone_places.loc[model.od.loc[i, "origin"], "target"]
        lr = model.router.costs_from(target, model.costs[k].commodity)
        vr = rows_of[e]
        assert float(p.edge_cost[k][e].sum()) == pytest.approx(float(lr.gc[vr].sum()), rel=1e-12)
        assert float(model.costs[k].usd_tariff[vr].sum()) == pytest.approx(
            float(lr.usd_tariff[vr].sum()), rel=1e-12
        )
        assert model.costs[k].variant == lr.variant
    assert seen == set(range(len(model.od)))


def test_groups_split_by_the_cost_of_their_origins(model):
    t = class_table(model).set_index("class")
    # uranium from Kazakhstan (export rate) and from Uzbekistan (through rate in transit)
    assert t.loc["uranium|export_kz", "group"] == "uranium"
    assert t.loc["uranium|no_market", "group"] == "uranium"
    # boxes from China (the premium) and from Europe (none)
    assert t.loc["containers", "variant"] == "" and "containers|no_market" in t.index
    # bulk has neither: one class
    assert (t["group"] == "grain").sum() == 1 and (t["group"] == "copper").sum() == 1
    # the Uzbek uranium crossing Kazakhstan keeps the transit through rate
    i = _od(model, "uranium", "UZ_NAV", "US_EAST")
    lc = model.costs[int(model.od.loc[i, "class"])]
    vl = model.rg.vlinks
    rows = np.flatnonzero(_kazakh_rail(vl, np.arange(len(vl))) & lc.allowed)
    per_tkm = lc.usd_tariff[rows] / vl["km"].to_numpy()[rows]
    assert float(np.nanmax(per_tkm)) < CAREC_BAND[0] / 5
