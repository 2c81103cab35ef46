"""Chains on the embedded Eurasian network: the facts' uranium chain, class 7 rules, US ends."""

from __future__ import annotations

import numpy as np
import pytest

from serai.minerals import ChainModel
from serai.minerals.dashboard import DashboardRow, checks, dashboard
from serai.minerals.elements import chain_elements


@pytest.fixture(scope="module")
def model() -> ChainModel:
    return ChainModel.load()


def _port_events_and_services(model, chain):
    """Port nodes (kind 'port') where the chain's routes load or unload a ship, and the
    services they board; read from the routes' virtual links."""
    net = model.router.rg.network
    v = model.router.rg.vlinks
    port_nodes = set(net.nodes.loc[net.nodes["kind"] == "port", "node_id"])
    ports, services = set(), set()
    for leg in chain.legs:
        if leg.route is None:
            continue
        rows = v.iloc[np.asarray(leg.route.vlink_rows)]
        not_svc = rows.loc[rows["service_id"] == ""]
        ports |= (set(not_svc["from_node"]) | set(not_svc["to_node"])) & port_nodes
        services |= {s.removesuffix("~r") for s in rows["service_id"] if s}
    return ports, services


def _allowed_port_nodes(model) -> set[int]:
    """Port nodes whose UN/LOCODE has an allow rule for class 7 (read from the tables)."""
    rules = model.data.dg_rules
    codes = set(rules.loc[(rules["scope"] == "port") & (rules["rule"] == "allow"), "element"])
    nodes = model.router.rg.network.nodes
    return set(nodes.loc[nodes["unlocode"].isin(codes), "node_id"])


@pytest.mark.parametrize(
    ("origin", "dest", "avoid"),
    [
        ("Inkai", "EU converter", ("RU",)),
        ("Inkai", "EU converter", ()),
        ("Navoiyuran", "EU converter", ("RU",)),
        ("Inkai", "US converter", ()),
        ("Inkai", "Canada converter", ("RU",)),
    ],
)
def test_uranium_never_uses_an_unlisted_port_or_service(model, origin, dest, avoid):
    c = model.chain(origin, dest, "uranium", avoid_countries=avoid)
    ports, services = _port_events_and_services(model, c)
    assert ports and ports <= _allowed_port_nodes(model)
    allowed = set(model.data.dg_rules.query("rule == 'allow' and scope == 'service'")["element"])
    assert services <= allowed


def test_russia_free_uranium_follows_the_facts_chain(model):
    # corridor-facts 5.1: mine-truck-rail-Aktau-rail ferry-Baku-rail Georgia-Black Sea port,
    # consolidated at Poti
    c = model.chain("Inkai", "EU converter", "uranium", avoid_countries=["RU"])
    leg = c.legs[0]
    assert leg.table.loc[0, "mode"] == "road"  # truck from the mine to the railhead
    assert "aktau_alat_rail_ferry" in leg.route.services
    ports = [r.from_name for r in leg.table.itertuples() if r.kind == "port"]
    assert any("Poti" in p for p in ports)
    assert {"KZ", "AZ", "GE"} <= set(leg.route.countries)
    assert "RU" not in leg.route.countries
    assert any(e.element_id == "chokepoint:caspian_crossing" for e in chain_elements(model, c))


def test_chain_to_a_us_converter_enters_through_a_listed_port(model):
    # class 7 may enter the US only through a port with an allow rule (dg_rules.csv: USBAL);
    # Norfolk, New York, Savannah, Houston and New Orleans are nearer to some plants
    c = model.chain("Inkai", "US converter", "uranium", avoid_countries=["RU"])
    assert c.facilities[-1] == "metropolis"
    assert c.legs[-1].to_access.place_name.startswith("Baltimore")
    ports, _ = _port_events_and_services(model, c)
    nodes = model.router.rg.network.nodes.set_index("node_id")
    assert "USBAL" in set(nodes.loc[sorted(ports), "unlocode"])
    # the same chain for copper cathode (no rule) lands at another US port
    cu = model.chain("Aktogay", "US buyer", "copper")
    assert not cu.legs[-1].to_access.place_name.startswith("Baltimore")


def test_uranium_to_canada_lands_at_montreal(model):
    # the TITR ships uranium to Canada (facts 5.1: 2,300 t in 2023 to France, Canada, ...);
    # Cameco's converter at Port Hope (Ontario) is reached from Montréal (class 7 allow rule,
    # EST), the head of the St Lawrence lane, by road: great circle x 1.3 by hand from the
    # hand coordinates of both (Montréal 45.51 N 73.56 W, Port Hope 43.95 N 78.29 W)
    c = model.chain("Inkai", "Canada converter", "uranium", avoid_countries=["RU"])
    assert c.facilities[-1] == "port_hope"
    ports, _ = _port_events_and_services(model, c)
    nodes = model.router.rg.network.nodes.set_index("node_id")
    assert "CAMTR" in set(nodes.loc[sorted(ports), "unlocode"])
    assert "st_lawrence" in c.legs[-1].route.passages
    lat1, lon1, lat2, lon2 = np.radians([45.51, -73.56, 43.95, -78.29])
    gc = 6371.0 * np.arccos(
        np.sin(lat1) * np.sin(lat2) + np.cos(lat1) * np.cos(lat2) * np.cos(lon2 - lon1)
    )
    assert c.legs[-1].to_access.km == pytest.approx(1.3 * gc, rel=0.02)


def test_dashboard_row_and_v16_checks(model):
    d = dashboard(model, [DashboardRow("copper", "Kazakhstan: Aktogay", "aktogay", "EU buyer")])
    assert d["chain"].str.len().gt(0).all()
    assert (d["usd_per_t"] > 0).all() and (d["days"] > 0).all()
    ck = checks(model, which=("V16",))
    assert set(ck["check"]) == {"V16"}
    ru_free = ck.loc[ck["quantity"] == "KZ uranium -> EU converter avoiding RU: route"]
    assert ru_free["verdict"].iloc[0] == "matches"
    quota = ck.loc[ck["quantity"].str.startswith("TITR uranium needed")]
    assert quota["model"].iloc[0].startswith("3,800 tU")
    # verdicts are computed: 3,800 tU > the 3,500 tU quota, the ferry carries far more
    ferry = ck.loc[ck["quantity"].str.startswith("Aktau-Alat rail ferry")]
    assert "does not bind" in ferry["verdict"].iloc[0]
    assert "the quota binds first (3,800 tU > 3,500 tU)" in ferry["verdict"].iloc[0]


def test_v18_tells_a_coverage_gap_from_a_missing_chain(model):
    from serai.minerals.dashboard import _off_network_buyers

    fac = model.data.facilities
    ea = model.resolve("East Asia buyer", "rare_earths").facility_ids
    outside = [f for f in ea if fac.loc[f, "country"] != "CN"]
    off = _off_network_buyers(model, "East Asia buyer", "rare_earths", ("CN",))
    # listed only when every buyer left has no access place on the network
    assert bool(off) == (bool(outside) and not any(model.access(f) for f in outside))
    assert off == [str(fac.loc[f, "name"]) for f in outside] or not off
    assert _off_network_buyers(model, "EU buyer", "rare_earths", ("CN",)) == []
