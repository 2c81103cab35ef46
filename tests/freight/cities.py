"""The 150 most populous places of the corridor region (Natural Earth), for the Duisburg check.

Rule (documented in ``benchmarks/freight/bench_places.py`` and the README): the gazetteer's
Natural Earth places (``source`` naturalearth or naturalearth+geonames; population the larger
of NE ``pop_max`` and GeoNames) in

* Europe: the EU, EFTA and UK, the western Balkans, Ukraine, Belarus, Moldova;
* Türkiye; the Caucasus (Georgia, Armenia, Azerbaijan); Central Asia (Kazakhstan, Uzbekistan,
  Kyrgyzstan, Tajikistan, Turkmenistan); Iran; China;
* Russia west of the Urals (longitude < 60° E);

the 150 largest by population, Duisburg itself left out. Routed by their Natural Earth name.
"""

from __future__ import annotations

import pandas as pd

EUROPE = (
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "IS LI NO CH GB AL BA ME MK RS XK UA BY MD AD MC SM"
).split()
ASIA = "TR GE AM AZ KZ UZ KG TJ TM IR CN".split()


def region_cities(n: int = 150) -> pd.DataFrame:
    """name, country, admin1, lat, lon, population of the n largest places of the region."""
    from serai.freight.gazetteer import load_gazetteer

    p = load_gazetteer().places
    ne = p.loc[p["source"].str.startswith("naturalearth")]
    keep = ne["country"].isin(EUROPE + ASIA) | ((ne["country"] == "RU") & (ne["lon"] < 60.0))
    keep &= ne["name"] != "Duisburg"
    t = ne.loc[keep].sort_values(["population", "place_id"], ascending=[False, True])
    return t.head(n)[["place_id", "name", "country", "admin1", "lat", "lon", "population"]]
