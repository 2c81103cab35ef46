"""Worked example: one container Xi'an -> Duisburg via the Middle Corridor.

Route: rail China (Xi'an -> Khorgos), gauge change Khorgos/Altynkol, rail Kazakhstan
(Altynkol -> Aktau), port Aktau, Caspian ferry Aktau -> Alat, port Alat, rail Azerbaijan
and Georgia to Poti, port Poti, Black Sea feeder Poti -> Constanta, port Constanta, rail
Romania, Hungary, Austria, Germany, rail terminal Duisburg.

Leg distances are illustrative estimates (EST), not routing output; the Aktau-Alat
distance (497 km) is the searoute-computed figure from corridor-facts section 3.2. When
freight routing exists, the legs table comes from the route instead.

>>> legs, shipment = middle_corridor_example()
>>> len(legs), shipment.teu, shipment.mass_t
(17, 1.0, 10.0)
"""

from __future__ import annotations

import pandas as pd

from serai.emissions.accounting import Shipment

__all__ = ["middle_corridor_example"]

_ROWS = [
    # element, mode, toc, hoc, from, to, km, country
    ("tce", "rail", "", "", "Xi'an", "Khorgos", 3300.0, "CN"),
    ("hoc", "transfer", "", "gauge_change_transshipment", "Khorgos/Altynkol", "", 0.0, "KZ"),
    ("tce", "rail", "", "", "Altynkol", "Aktau", 3000.0, "KZ"),
    ("hoc", "transfer", "", "port_container", "Aktau", "", 0.0, "KZ"),
    ("tce", "ferry", "ropax_caspian", "", "Aktau", "Alat", 497.0, ""),
    ("hoc", "transfer", "", "port_container", "Alat", "", 0.0, "AZ"),
    ("tce", "rail", "", "", "Alat", "Boyuk Kasik", 500.0, "AZ"),
    ("hoc", "transfer", "", "border_crossing", "Boyuk Kasik/Gardabani", "", 0.0, "GE"),
    ("tce", "rail", "", "", "Gardabani", "Poti", 360.0, "GE"),
    ("hoc", "transfer", "", "port_container", "Poti", "", 0.0, "GE"),
    ("tce", "sea", "sea_container_feeder", "", "Poti", "Constanta", 1150.0, ""),
    ("hoc", "transfer", "", "port_container", "Constanta", "", 0.0, "RO"),
    ("tce", "rail", "", "", "Constanta", "Curtici", 750.0, "RO"),
    ("tce", "rail", "", "", "Lokoshaza", "Hegyeshalom", 400.0, "HU"),
    ("tce", "rail", "", "", "Nickelsdorf", "Passau", 380.0, "AT"),
    ("tce", "rail", "", "", "Passau", "Duisburg", 700.0, "DE"),
    ("hoc", "transfer", "", "rail_terminal_transshipment", "Duisburg", "", 0.0, "DE"),
]


def middle_corridor_example() -> tuple[pd.DataFrame, Shipment]:
    """The legs table and shipment (one TEU, 10 t of cargo) of the worked example."""
    legs = pd.DataFrame(
        _ROWS, columns=["element", "mode", "toc", "hoc", "from_name", "to_name", "km", "country"]
    )
    legs["electrified_share"] = float("nan")
    legs["distance_adjustment_factor"] = 1.0
    return legs, Shipment(
        "XIY-DUI-0001", mass_t=10.0, teu=1.0, commodity="containerised general cargo"
    )
