"""A small synthetic network and facility tables for chain tests.

Rail line A - B - C - D with a detour C - E - D, a Russian bypass B - R - D, a lake
ferry B - E, two Black-Sea-like ports (P1 'Badport', not listed for class 7, and
P2 'Goodport', listed) joined by sea through a junction S to 'Westport' (Q) and rail
on to W1 and W2. A is a leaf: the link A - B is a bridge.

Every facility sits on a place of the network with an access row of 0 km and no
transfer event, so a chain's cost is exactly the sum of its legs' router costs
(weighted by the mass factors) -- the brute-force oracle needs nothing else.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pandas as pd

from serai.network import Network

NODES = [
    # id, name, country, kind, x (lon), y (lat), unlocode
    (1, "A", "KZ", "city", 60.0, 45.0, ""),
    (2, "B", "KZ", "city", 61.0, 45.0, ""),
    (3, "C", "KZ", "city", 62.0, 45.0, ""),
    (4, "D", "GE", "city", 63.0, 45.0, ""),
    (5, "E", "GE", "city", 62.0, 46.0, ""),
    (6, "Badport", "GE", "port", 64.0, 45.0, "GEBAD"),
    (7, "Goodport", "GE", "port", 64.0, 46.0, "GEGOD"),
    (8, "Westport", "DE", "port", 70.0, 50.0, "DEWST"),
    (9, "W1", "DE", "city", 71.0, 50.0, ""),
    (10, "W2", "DE", "city", 71.0, 51.0, ""),
    (11, "R", "RU", "city", 61.5, 44.0, ""),
    (12, "S", "", "sea", 67.0, 48.0, ""),
]

# id, from, to, mode, km, passage  (both directions added; rail diesel only)
LINKS = [
    (1, 1, 2, "rail", 100.0, ""),
    (2, 2, 3, "rail", 300.0, ""),
    (3, 3, 4, "rail", 100.0, ""),
    (4, 3, 5, "rail", 120.0, ""),
    (5, 5, 4, "rail", 90.0, ""),
    (6, 4, 6, "rail", 50.0, ""),
    (7, 4, 7, "rail", 150.0, ""),
    (8, 6, 12, "sea", 400.0, ""),
    (9, 7, 12, "sea", 420.0, "bosporus"),
    (10, 12, 8, "sea", 800.0, ""),
    (11, 8, 9, "rail", 100.0, ""),
    (12, 8, 10, "rail", 150.0, ""),
    (13, 9, 10, "rail", 60.0, ""),
    (14, 2, 11, "rail", 200.0, ""),
    (15, 11, 4, "rail", 250.0, ""),
]

SERVICES = [("lake_ferry", 2, 5, "ferry", 2.0, 14.0, 50.0)]


def synthetic_network(services=SERVICES) -> Network:
    nodes = pd.DataFrame(
        NODES, columns=["node_id", "name", "country", "kind", "x", "y", "unlocode"]
    )
    rows = []
    for lid, a, b, mode, km, passage in LINKS:
        for k, (f, t) in enumerate(((a, b), (b, a))):
            rows.append((lid * 10 + k, f, t, mode, km, passage, 0.0))
    links = pd.DataFrame(
        rows,
        columns=[
            "link_id",
            "from_node",
            "to_node",
            "mode",
            "length",
            "passage",
            "electrified_share",
        ],
    )
    svc = pd.DataFrame(
        services,
        columns=[
            "service_id",
            "from_node",
            "to_node",
            "mode",
            "crossing_h",
            "frequency_per_week",
            "length",
        ],
    )
    return Network.from_tables(nodes=nodes, links=links, services=svc, meta={"name": "synthetic"})


# facility_id, mineral, stage, country, region, place, capacity, unit, status, lat, lon
FACILITIES = [
    ("u_mine", "uranium", "mine", "KZ", "Central Asia", "A", None, "tU", "operating"),
    ("conv_b", "uranium", "conversion", "KZ", "Central Asia", "B", 5000, "tU", "operating"),
    ("conv_r", "uranium", "conversion", "RU", "Russia", "R", 5000, "tU", "operating"),
    ("conv_w1", "uranium", "conversion", "DE", "EU", "W1", 5000, "tU", "operating"),
    ("conv_small", "uranium", "conversion", "KZ", "Central Asia", "C", 10, "tU", "operating"),
    ("enr_c", "uranium", "enrichment", "KZ", "Central Asia", "C", 5000, "tSWU", "operating"),
    ("enr_d", "uranium", "enrichment", "GE", "Central Asia", "D", 5000, "tSWU", "operating"),
    ("enr_w2", "uranium", "enrichment", "DE", "EU", "W2", 5000, "tSWU", "operating"),
    ("enr_plan", "uranium", "enrichment", "KZ", "Central Asia", "B", 5000, "tSWU", "planned"),
    ("fab_w1", "uranium", "fabrication", "DE", "EU", "W1", None, "", "operating"),
    ("fab_w2", "uranium", "fabrication", "DE", "EU", "W2", None, "", "operating"),
    ("fab_e", "uranium", "fabrication", "GE", "Central Asia", "E", None, "", "operating"),
    ("cu_mine", "copper", "mine", "KZ", "Central Asia", "A", 1000, "tCu", "operating"),
    ("smelter_b", "copper", "smelting", "KZ", "Central Asia", "B", 5000, "tCu", "operating"),
    ("smelter_tiny", "copper", "smelting", "KZ", "Central Asia", "A", 50, "tCu", "operating"),
    ("smelter_w2", "copper", "smelting", "DE", "EU", "W2", 5000, "tCu", "operating"),
    ("cu_buyer_c", "copper", "buyer", "KZ", "Central Asia", "C", None, "", "operating"),
    ("cu_buyer_w1", "copper", "buyer", "DE", "EU", "W1", None, "", "operating"),
]


def write_tables(folder: Path, facilities=FACILITIES, dg_rules=None) -> Path:
    """Copy the packaged product/stage tables and write synthetic facilities and rules."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    src = resources.files("serai.minerals.data")
    for name in ("products", "stages", "units", "chokepoints", "checks", "demand"):
        with resources.as_file(src.joinpath(f"{name}.csv")) as p:
            shutil.copy(p, folder / f"{name}.csv")
    xy = {n[1]: (n[5], n[4]) for n in NODES}
    opens = {"enr_plan": 2028}  # a planned plant with a date: open from 2028
    fac, acc = [], []
    for k, (fid, mineral, stage, country, region, place, cap, unit, status) in enumerate(
        facilities
    ):
        lat, lon = xy[place]
        # distinct sites (> 1 km apart) that share the place
        fac.append(
            {
                "facility_id": fid,
                "name": fid.replace("_", " ").title(),
                "mineral": mineral,
                "stage": stage,
                "country": country,
                "region": region,
                "lat": lat + 0.02 * (k % 7),
                "lon": lon,
                "capacity": cap,
                "capacity_unit": unit,
                "status": status,
                "open_year": opens.get(fid, ""),
                "source": "test",
                "estimate": "false",
            }
        )
        acc.append(
            {
                "facility_id": fid,
                "place": place,
                "mode": "road",
                "km": 0,
                "event": "none",
                "source": "test",
                "estimate": "false",
            }
        )
    pd.DataFrame(fac).to_csv(folder / "facilities.csv", index=False)
    pd.DataFrame(acc).to_csv(folder / "access.csv", index=False)
    pd.DataFrame(
        [
            {
                "locode": "DEWST",
                "name": "Westport",
                "country": "DE",
                "region": "EU",
                "lat": 50.0,
                "lon": 70.0,
                "role": "entry",
                "source": "test",
                "estimate": "false",
            }
        ]
    ).to_csv(folder / "ports.csv", index=False)
    rules = (
        dg_rules
        if dg_rules is not None
        else [
            ("class:7", "port", "GEGOD", "allow"),
            ("class:7", "port", "DEWST", "allow"),
        ]
    )
    pd.DataFrame(
        [
            {
                "applies_to": a,
                "scope": s,
                "element": e,
                "rule": r,
                "source": "test",
                "estimate": "false",
            }
            for a, s, e, r in rules
        ]
    ).to_csv(folder / "dg_rules.csv", index=False)
    return folder
