"""A small hand-built Eurasian network for routing tests (coordinates approximate)."""

from __future__ import annotations

import pandas as pd

from serai.network import Network

NODES = [
    # id, name, country, kind, lon, lat, aliases, unlocode
    (1, "Xi'an", "CN", "city", 108.9, 34.3, "西安;Xian", "CNXIY"),
    (2, "Alashankou", "CN", "border", 82.6, 45.2, "阿拉山口", ""),
    (3, "Dostyk", "KZ", "gauge_change", 82.5, 45.3, "Достык", ""),
    (4, "Almaty", "KZ", "city", 76.9, 43.2, "Алматы;阿拉木图;Alma-Ata", "KZALA"),
    (5, "Aktau", "KZ", "port", 51.2, 43.6, "Ақтау", "KZSCO"),
    (6, "Alat", "AZ", "port", 49.4, 39.9, "Ələt", "AZALT"),
    (7, "Tbilisi", "GE", "city", 44.8, 41.7, "თბილისი", "GETBS"),
    (8, "Akhalkalaki", "GE", "gauge_change", 43.5, 41.4, "", ""),
    (9, "Kars", "TR", "city", 43.1, 40.6, "", ""),
    (10, "Istanbul", "TR", "city", 29.0, 41.0, "İstanbul", "TRIST"),
    (11, "Moscow", "RU", "city", 37.6, 55.8, "Москва", "RUMOW"),
    (12, "Brest", "BY", "border", 23.7, 52.1, "Брэст", ""),
    (13, "Malaszewicze", "PL", "gauge_change", 23.5, 52.0, "Małaszewicze", ""),
    (14, "Duisburg", "DE", "city", 6.8, 51.4, "", "DEDUI"),
    (15, "Shanghai", "CN", "port", 121.5, 31.2, "上海", "CNSHA"),
    (16, "Rotterdam", "NL", "port", 4.5, 51.9, "", "NLRTM"),
    (17, "Poti", "GE", "port", 41.7, 42.1, "ფოთი", "GEPTI"),
    (18, "Constanța", "RO", "port", 28.6, 44.2, "Constanta", "ROCND"),
    (19, "Port Said", "EG", "node", 32.3, 31.3, "", ""),
    (20, "Cape Town", "ZA", "node", 18.4, -33.9, "", ""),
    (21, "Singapore", "SG", "node", 103.8, 1.3, "", ""),
    (22, "Gibraltar", "GI", "node", -5.6, 36.0, "", ""),
]

# id, from, to, mode, km, gauge, passage, status, open_year  (both directions added)
LINKS = [
    (1, 1, 2, "rail", 2900, 1435, "", "open", None),
    (2, 2, 3, "rail", 12, 1435, "", "open", None),  # CN -> KZ border, standard gauge to Dostyk
    (3, 3, 4, "rail", 880, 1520, "", "open", None),
    (4, 4, 5, "rail", 2900, 1520, "", "open", None),
    (5, 6, 7, "rail", 520, 1520, "", "open", None),
    (6, 7, 8, "rail", 160, 1520, "", "open", None),
    (7, 8, 9, "rail", 105, 1435, "", "open", None),  # GE -> TR standard gauge from Akhalkalaki
    (8, 9, 10, "rail", 1500, 1435, "", "open", None),
    (9, 4, 11, "rail", 3900, 1520, "", "open", None),
    (10, 11, 12, "rail", 1100, 1520, "", "open", None),
    (11, 12, 13, "rail", 10, 1520, "", "open", None),
    (12, 13, 14, "rail", 1150, 1435, "", "open", None),
    (13, 10, 18, "rail", 650, 1435, "", "open", None),
    (14, 7, 17, "rail", 310, 1520, "", "open", None),
    (15, 16, 14, "rail", 230, 1435, "", "open", None),
    (16, 18, 14, "rail", 2000, 1435, "", "open", None),
    (17, 15, 1, "rail", 1400, 1435, "", "open", None),
    # sea
    (20, 15, 21, "sea", 4100, None, "malacca", "open", None),
    (21, 21, 19, "sea", 8300, None, "suez", "open", None),  # via Bab-el-Mandeb and Suez
    (22, 19, 22, "sea", 3600, None, "", "open", None),
    (23, 22, 16, "sea", 2700, None, "", "open", None),
    (24, 21, 20, "sea", 9700, None, "", "open", None),
    (25, 20, 22, "sea", 8500, None, "cape", "open", None),
    (26, 17, 10, "sea", 1100, None, "", "open", None),
    (27, 10, 19, "sea", 1300, None, "dardanelles", "open", None),
    (28, 17, 18, "sea", 1150, None, "", "open", None),
    (29, 10, 18, "sea", 370, None, "bosporus", "open", None),
    # a planned shortcut (not open before 2030)
    (30, 3, 5, "rail", 2600, 1520, "", "planned", 2030),
    # road
    (40, 4, 5, "road", 2700, None, "", "open", None),
]

SERVICES = [
    # service_id, from, to, mode, crossing_h, frequency_per_week
    ("aktau_alat_rail_ferry", 5, 6, "ferry", 20.0, 3.0),
    ("aktau_alat_roro", 5, 6, "roro", 18.0, 7.0),
]


def toy_network(services=SERVICES, extra_links=()) -> Network:
    nodes = pd.DataFrame(
        NODES, columns=["node_id", "name", "country", "kind", "x", "y", "aliases", "unlocode"]
    )
    rows = []
    for lid, a, b, mode, km, gauge, passage, status, oy in [*LINKS, *extra_links]:
        for k, (f, t) in enumerate(((a, b), (b, a))):
            rows.append((lid * 10 + k, f, t, mode, float(km), gauge, passage, status, oy))
    links = pd.DataFrame(
        rows,
        columns=[
            "link_id",
            "from_node",
            "to_node",
            "mode",
            "length",
            "gauge",
            "passage",
            "status",
            "open_year",
        ],
    )
    svc = pd.DataFrame(
        services,
        columns=["service_id", "from_node", "to_node", "mode", "crossing_h", "frequency_per_week"],
    )
    return Network.from_tables(nodes=nodes, links=links, services=svc, meta={"name": "toy"})
