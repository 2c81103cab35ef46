"""Money per segment: a through rate is the sum of its segments' charges.

Components (USD per unit; :data:`serai.freight.params.MONEY`):

``tariff``
    Line haul: rail per km by tariff zone (``rail.rate.<zone>``, USD per FEU-km: through
    rates fitted to China - Europe transit quotes; a consignment of containerised minerals
    that starts in Kazakhstan pays per t CAREC's consignment cost instead on every railway:
    ``rail.rate.KZ.export`` on its Kazakh rail, the CAREC average
    ``rail.rate.export.CAREC`` in other CAREC members, the same average (EST)
    ``rail.rate.export.OTHER`` elsewhere, :func:`export_rate_ids`, :func:`pays_export_rate`,
    :func:`pays_consignment_rate`), truck
    per km (``road.rate``), sea per km (``sea.rate.deep`` on ocean legs,
    ``sea.rate.regional`` in the Mediterranean, Black and Caspian seas), a ferry or
    feeder crossing per box (``ferry.caspian.kz`` for Aktau/Kuryk - Alat,
    ``ferry.caspian.tm`` for Turkmenbashi - Alat, ``ferry.roro.caspian``,
    ``feeder.caspian``, ``feeder.blacksea``).
``hub``
    A lift at a rail terminal, transfer or break of gauge (``lift``), port handling at
    each loading and discharge (``port.thc``, ``port.thc.caspian``).
``border_fee``
    Documents and fees at a crossing outside a customs union (``border.fee.rail``,
    ``border.fee.road``).
``market``
    The premium of container deliveries from China into Kazakhstan and Central Asia
    (``market.import.CA``, charged where a route ends there, whatever the last mode, when
    it starts in China: :meth:`LinkCosts.without_market` for every other origin, see
    :func:`pays_no_import_premium`): boxes go in full and come back empty, and the
    published China - Aktau rate (Argus 2025, facts §4.4, the one observation the premium
    is fitted on) is about twice a China - Europe through rate. No published rate shows
    such a premium on another lane (Iran, Türkiye, Europe or Russia into Central Asia), so
    routes from there pay their segments only.

Parameters are per FEU for containers; a 20 ft box costs ``teu.ratio`` of a 40 ft
box, and containerised minerals pay their share of a box (``units_per_box`` in
``commodities.csv``). Bulk and liquid bulk pay per tonne (``bulk.*``: CAREC rail
costs per t-km, model inputs for sea and road). No dangerous-goods surcharge is
sourced, so none is applied (``dg7.factor`` = 1, an estimate: a lower bound).
"""

from __future__ import annotations

import numpy as np

from serai.freight.commodities import Commodity
from serai.freight.elements import Elements
from serai.freight.params import ParamSet, TermBuilder, _zones

__all__ = [
    "CAREC_MEMBERS",
    "CENTRAL_ASIA_ZONES",
    "EXPORT_RATE_IDS",
    "PREMIUM_ORIGIN_ZONES",
    "add_money_terms",
    "costs_variant",
    "export_rate_ids",
    "money_scale",
    "pays_consignment_rate",
    "pays_export_rate",
    "pays_no_import_premium",
    "starts_in_import_zone",
]

#: Zones where a rail delivery pays the import-market premium.
CENTRAL_ASIA_ZONES = ("KZ", "CA")
#: Zones of the origins whose deliveries into :data:`CENTRAL_ASIA_ZONES` pay the premium:
#: the lane it was measured on (Argus, China -> Almaty & Aktau, facts §4.4).
PREMIUM_ORIGIN_ZONES = ("CN",)


def starts_in_import_zone(country: str) -> bool:
    """True when ``country`` lies in the import-premium zone (Kazakhstan, Central Asia).

    >>> starts_in_import_zone("KZ"), starts_in_import_zone("CN")
    (True, False)
    """
    return bool(country) and _zones().get(str(country), "OTHER") in CENTRAL_ASIA_ZONES


def pays_no_import_premium(country: str) -> bool:
    """True when a route from ``country`` pays no import-market premium.

    Only deliveries from :data:`PREMIUM_ORIGIN_ZONES` (China) pay it: the lane the premium
    was measured on. A route from inside the zone (domestic, export) or from any other
    country (Iran, Türkiye, Europe, ...) pays its segments only.

    >>> pays_no_import_premium("CN"), pays_no_import_premium("KZ"), pays_no_import_premium("IR")
    (False, True, True)
    """
    return not country or _zones().get(str(country), "OTHER") not in PREMIUM_ORIGIN_ZONES


#: Zones whose routes from inside pay the domestic/export rail rate on their own rail
#: (``rail.rate.<zone>.export``): Kazakhstan, where CAREC measures it (TFI3, facts §4.4).
EXPORT_RATE_ZONES = ("KZ",)


def pays_export_rate(country: str) -> bool:
    """True when a container route from ``country`` pays the Kazakh export rail rate.

    A haul that starts in Kazakhstan (domestic, or export to a border or port) is not a
    China - Europe transit: it pays CAREC's cost of a consignment on Kazakh rail
    (``rail.rate.KZ.export``, :attr:`~serai.freight.cost.LinkCosts.export_kz`) rather than
    the through rate ``rail.rate.KZ`` fitted to transit quotes.

    >>> pays_export_rate("KZ"), pays_export_rate("CN"), pays_export_rate("UZ")
    (True, False, False)
    """
    return bool(country) and _zones().get(str(country), "OTHER") in EXPORT_RATE_ZONES


#: CAREC member countries (carecprogram.org, 2024): their rail carries a Kazakh export
#: consignment at the CAREC rail average ``rail.rate.export.CAREC`` (TFI3, measured).
CAREC_MEMBERS = ("AF", "AZ", "CN", "GE", "KG", "KZ", "MN", "PK", "TJ", "TM", "UZ")
#: The rail rates (USD per t-km of cargo) of an export consignment from Kazakhstan, by
#: where the rail km lie: Kazakhstan, another CAREC member, elsewhere (EST).
EXPORT_RATE_IDS = ("rail.rate.KZ.export", "rail.rate.export.CAREC", "rail.rate.export.OTHER")


def export_rate_ids(countries: np.ndarray) -> np.ndarray:
    """The export rail rate (:data:`EXPORT_RATE_IDS`) of rail km in each country.

    A consignment that starts in Kazakhstan (:func:`pays_export_rate`) pays, per t, CAREC's
    Kazakh cost on Kazakh rail (``rail.rate.KZ.export``, TFI3 2022: USD 883 per 500 km and
    20 t), the CAREC rail average on the rail of another CAREC member
    (``rail.rate.export.CAREC``, 804) and the same average, an estimate, elsewhere
    (``rail.rate.export.OTHER``: the facts give no Russian, Iranian or European consignment
    cost). Not the through rates fitted to China - Europe transit trains on any railway:
    else a Kazakh export saves by leaving Kazakhstan early.

    >>> export_rate_ids(np.array(["KZ", "UZ", "RU"], dtype=object)).tolist()
    ['rail.rate.KZ.export', 'rail.rate.export.CAREC', 'rail.rate.export.OTHER']
    """
    from serai.freight.params import zone_of

    c = np.asarray(countries, dtype=object).astype(str)
    out = np.where(np.isin(c, CAREC_MEMBERS), EXPORT_RATE_IDS[1], EXPORT_RATE_IDS[2])
    out = np.where(zone_of(c) == "KZ", EXPORT_RATE_IDS[0], out)
    return out.astype(object)


def pays_consignment_rate(c: Commodity) -> bool:
    """True for a producer's containerised consignment: a container commodity priced per t.

    Minerals (uranium, tungsten, copper, ...) are shipped by their producer as consignments
    at the national tariff (CAREC TFI3, per t); a general FEU or TEU (``unit`` FEU/TEU) is
    a forwarder's box on a container train sold at the through rate, and a box at the
    Khorgos Gateway or Dostyk dry ports is mostly a Chinese transit box (EST).

    >>> from serai.freight import commodity
    >>> pays_consignment_rate(commodity("uranium_uoc")), pays_consignment_rate(commodity("container"))
    (True, False)
    """
    return c.handling == "container" and str(c.unit) == "t"


def costs_variant(lc, country: str):
    """The link costs (:class:`~serai.freight.cost.LinkCosts`) of a route from ``country``.

    From Kazakhstan :attr:`~serai.freight.cost.LinkCosts.export_kz` (no import premium,
    rail at the export rates of :func:`export_rate_ids`), from China ``lc`` itself (the import premium), from
    anywhere else :attr:`~serai.freight.cost.LinkCosts.without_market`.
    """
    if pays_export_rate(country):
        return lc.export_kz
    if pays_no_import_premium(country):
        return lc.without_market
    return lc


def money_scale(c: Commodity, values: np.ndarray, p: ParamSet) -> float:
    """Factor from the per-FEU (or per-t) parameters to the commodity's unit.

    >>> from serai.freight import commodity
    >>> from serai.freight.params import model_params
    >>> p = model_params()
    >>> money_scale(commodity("container_feu"), p.values, p)
    1.0
    >>> round(money_scale(commodity("container_teu"), p.values, p), 3) == round(p.value("teu.ratio"), 3)
    True
    """
    v = np.asarray(values, float)
    f = 1.0
    if c.handling == "container":
        box = v[p.idx("teu.ratio")] if c.box == "TEU" else 1.0
        f = float(box) / float(c.units_per_box)
    else:
        f = float(c.tonnes_per_unit)
    if c.dg_class == "7":
        f *= float(v[p.idx("dg7.factor")])
    return f


def add_money_terms(tb: TermBuilder, el: Elements, p: ParamSet, handling: str) -> None:
    """Add the money terms (per FEU, or per t for bulk) of every virtual link of ``el``."""
    if handling == "container":
        _container(tb, el, p)
    else:
        _bulk(tb, el, p)


def _zone_param(p: ParamSet, prefix: str, zones: np.ndarray, default: str) -> np.ndarray:
    ids = np.array([f"{prefix}.{z}" for z in zones], dtype=object)
    return np.where([i in p for i in ids], ids, default).astype(object)


def _container(tb: TermBuilder, el: Elements, p: ParamSet) -> None:
    kind, lm = el.kind, el.layer_mode
    rows = np.arange(el.n)
    move = kind == "move"
    svc = el.service != ""
    caspian = el.region == "caspian"
    # ---- line haul
    rail = rows[move & ~svc & (el.mode == "rail")]
    tb.add(
        rail, "tariff", _zone_param(p, "rail.rate", el.zone[rail], "rail.rate.OTHER"), el.km[rail]
    )
    road = rows[move & ~svc & (el.mode == "road")]
    tb.add(road, "tariff", "road.rate", el.km[road])
    sea = rows[move & ~svc & (el.mode == "sea")]
    deep = el.region[sea] == "deep"
    tb.add(sea[deep], "tariff", "sea.rate.deep", el.km[sea[deep]])
    tb.add(sea[~deep], "tariff", "sea.rate.regional", el.km[sea[~deep]])
    other = rows[move & ~svc & ~np.isin(el.mode, ["rail", "road", "sea"])]
    for m in np.unique(el.mode[other]):
        r = other[el.mode[other] == m]
        if f"{m}.rate" in p:
            tb.add(r, "tariff", f"{m}.rate", el.km[r])
        else:  # no tariff for this mode: not allowed (NaN)
            tb.add(r, "tariff", None, np.full(len(r), np.nan))
    s = rows[move & svc]
    g, sm = el.svc_group[s], el.service_mode[s]
    ids = np.full(len(s), "", dtype=object)
    ids[(g == "caspian_kz") & (sm == "ferry")] = "ferry.caspian.kz"
    ids[(g == "caspian_tm") & (sm == "ferry")] = "ferry.caspian.tm"
    ids[np.char.startswith(g.astype(str), "caspian") & (sm == "ferry") & (ids == "")] = (
        "ferry.caspian.kz"
    )
    ids[np.char.startswith(g.astype(str), "caspian") & (sm == "roro")] = "ferry.roro.caspian"
    ids[np.char.startswith(g.astype(str), "caspian") & (sm == "feeder")] = "feeder.caspian"
    ids[g == "black_sea"] = "feeder.blacksea"
    per_box = ids != ""
    tb.add(s[per_box], "tariff", ids[per_box])
    # other services: the regional sea rate per km (estimate)
    tb.add(s[~per_box], "tariff", "sea.rate.regional", el.km[s[~per_box]])

    # ---- hubs
    ends = np.isin(kind, ["access", "egress"])
    lifts = rows[
        np.isin(kind, ["transfer"])
        | ((kind == "gauge") & ~np.isfinite(el.net_event_usd))
        | (ends & (lm == "rail"))
        | (np.isin(kind, ["board", "alight"]) & (el.event == "transfer"))
    ]
    tb.add(lifts, "hub", "lift")
    gm = rows[(kind == "gauge") & np.isfinite(el.net_event_usd)]
    tb.add(gm, "hub", None, el.net_event_usd[gm], basis="measured")
    port = rows[
        (kind == "port")
        | (ends & (lm == "sea"))
        | (np.isin(kind, ["board", "alight"]) & (el.service_mode == "feeder"))
    ]
    tb.add(port, "hub", np.where(caspian[port], "port.thc.caspian", "port.thc").astype(object))

    # ---- borders and the import market
    b = rows[(kind == "border") & ~el.union_crossing]
    tb.add(
        b,
        "border_fee",
        np.where(lm[b] == "road", "border.fee.road", "border.fee.rail").astype(object),
    )
    imp = rows[(kind == "egress") & np.isin(el.zone, CENTRAL_ASIA_ZONES)]
    tb.add(imp, "market", "market.import.CA")


def _bulk(tb: TermBuilder, el: Elements, p: ParamSet) -> None:
    kind, lm = el.kind, el.layer_mode
    rows = np.arange(el.n)
    move = kind == "move"
    svc = el.service != ""
    rail = rows[move & ~svc & (el.mode == "rail")]
    tb.add(
        rail,
        "tariff",
        np.where(el.zone[rail] == "KZ", "bulk.rail.rate.KZ", "bulk.rail.rate").astype(object),
        el.km[rail],
    )
    for m, pid in (("road", "bulk.road.rate"), ("sea", "bulk.sea.rate")):
        r = rows[move & ~svc & (el.mode == m)]
        tb.add(r, "tariff", pid, el.km[r])
    other = rows[move & ~svc & ~np.isin(el.mode, ["rail", "road", "sea"])]
    for m in np.unique(el.mode[other]):
        r = other[el.mode[other] == m]
        pid = f"bulk.{m}.rate"
        tb.add(r, "tariff", pid if pid in p else None, el.km[r] if pid in p else np.nan)
    s = rows[move & svc]
    tb.add(s, "tariff", "bulk.ferry.rate", el.km[s])
    ends = np.isin(kind, ["access", "egress"])
    lifts = rows[
        np.isin(kind, ["transfer", "gauge"])
        | (ends & (lm == "rail"))
        | (np.isin(kind, ["board", "alight"]) & (el.event == "transfer"))
    ]
    tb.add(lifts, "hub", "bulk.lift")
    port = rows[(kind == "port") | (ends & (lm == "sea"))]
    tb.add(port, "hub", "bulk.port.fee")
    b = rows[(kind == "border") & ~el.union_crossing]
    tb.add(b, "border_fee", "bulk.border.fee")
