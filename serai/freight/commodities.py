"""Commodities and what routing needs to know about them, read from ``serai/freight/data``.

``commodities.csv`` has one row per commodity: unit, value, dangerous-goods class,
handling class (``container``, ``bulk``, ``liquid_bulk``), the box it travels in
(``FEU`` or ``TEU``) and how many units fill one box, the modes, service kinds and
transfer-point kinds it may use, the breaks of gauge where it may change gauge
(``gauge_breaks``, empty: any), the modes of a first/last-mile leg off the network
(``first_mile``), and where each rule comes from. Times and money are
not here: they are the time and tariff models' parameters (:mod:`serai.freight.params`,
``time_params.csv``, ``tariff_params.csv``, ``border_times.csv``), per FEU for
containers and per tonne for bulk.

Values marked ``estimate`` are researcher estimates, not published figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

from serai.errors import InputError

__all__ = ["Commodity", "commodity", "commodity_table"]

_DATA = "serai.freight.data"


def _read(name: str) -> pd.DataFrame:
    with resources.files(_DATA).joinpath(name).open("rb") as fh:
        return pd.read_csv(fh, keep_default_na=False, na_values=[""])


@cache
def commodity_table() -> pd.DataFrame:
    """The commodities table (one row per commodity, with sources).

    Examples
    --------
    >>> from serai.freight import commodity_table
    >>> commodity_table().loc["uranium_uoc", ["dg_class", "un_number"]].tolist()
    [7.0, 2912.0]
    """
    return _read("commodities.csv").set_index("commodity")


def _split(value: object) -> tuple[str, ...]:
    if not isinstance(value, str) or not value.strip():
        return ()
    return tuple(v.strip() for v in value.split(";") if v.strip())


@dataclass(frozen=True)
class Commodity:
    """Everything routing needs to know about one commodity.

    Costs are per ``unit`` (FEU, TEU or tonne). Containerised goods travel in a
    ``box`` (``FEU`` or ``TEU``) filled by ``units_per_box`` units; ``base_per_unit``
    is FEU per unit (containers) or tonnes per unit (bulk).
    """

    commodity: str
    name: str
    unit: str
    tonnes_per_unit: float
    handling: str
    base_per_unit: float  # FEU per unit (container) or tonnes per unit (bulk)
    value_usd_per_unit: float
    vot_usd_per_unit_h: float
    dg_class: str
    un_number: str
    modes: tuple[str, ...]
    service_modes: tuple[str, ...]
    transfer_kinds: tuple[str, ...]  # empty = transfers allowed at any node
    box: str = ""  # FEU or TEU for containerised goods
    units_per_box: float = 1.0
    # modes of a first/last-mile leg to or from a place off the network (``road``: a truck;
    # empty: none); may differ from ``modes`` (class 7: a truck from the mine, no road haul)
    first_mile: tuple[str, ...] = ("road",)
    # breaks of gauge (``gauge_breaks.gauge_break_id`` of the network) where the commodity
    # may change gauge; empty: at any. Class 7 changes gauge only at licensed sites, as it
    # loads ships only at listed ports (commodities.csv, column gauge_breaks)
    gauge_breaks: tuple[str, ...] = ()

    def describe(self) -> str:
        dg = f", UN {self.un_number} class {self.dg_class}" if self.dg_class else ""
        return f"{self.name} (per {self.unit}{dg})"


def _text(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def commodity(name: str | Commodity) -> Commodity:
    """Look up a commodity by key (``container_feu``, ``uranium_uoc``, ...).

    ``container`` and ``feu`` are accepted for ``container_feu``, ``teu`` for
    ``container_teu``, ``uranium`` for ``uranium_uoc``.

    Examples
    --------
    >>> from serai.freight import commodity
    >>> c = commodity("uranium")
    >>> c.dg_class, c.unit, "ferry" in c.service_modes
    ('7', 't', True)
    >>> commodity("tungsten").box, commodity("tungsten").units_per_box
    ('TEU', 20.0)
    """
    if isinstance(name, Commodity):
        return name
    hit = _BY_NAME.get(name) if type(name) is str else None
    if hit is not None:  # the tables are read once (commodity_table, _build): a pure look-up
        return hit
    table = commodity_table()
    aliases = {
        "container": "container_feu",
        "feu": "container_feu",
        "teu": "container_teu",
        "uranium": "uranium_uoc",
        "tungsten": "tungsten_concentrate",
        "apt": "tungsten_apt",
        "rare_earths": "rare_earth_concentrate",
        "copper": "copper_cathode",
        "oil": "oil_products",
    }
    key = aliases.get(str(name).strip().lower(), str(name).strip().lower())
    if key not in table.index:
        import difflib

        near = difflib.get_close_matches(key, list(table.index) + list(aliases), n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise InputError(
            f"unknown commodity '{name}'{hint} (known: {', '.join(table.index)})", field="commodity"
        )
    got = _build(key)
    if type(name) is str:
        if len(_BY_NAME) >= 256:  # names typed by users: bounded (known ones only)
            _BY_NAME.clear()  # a dict shared by threads: clear and set are atomic
        _BY_NAME[name] = got
    return got


_BY_NAME: dict[str, Commodity] = {}  # commodity(name) of names asked before


@cache
def _build(key: str) -> Commodity:
    row = commodity_table().loc[key]
    handling = str(row["handling"])
    base = float(row["feu_per_unit"]) if handling == "container" else float(row["tonnes_per_unit"])
    value = float(row["value_usd_per_unit"])
    vot = value * float(row["carrying_rate_per_year"]) / 8760.0
    return Commodity(
        commodity=key,
        name=str(row["name"]),
        unit=str(row["unit"]),
        tonnes_per_unit=float(row["tonnes_per_unit"]),
        handling=handling,
        base_per_unit=base,
        value_usd_per_unit=value,
        vot_usd_per_unit_h=vot,
        dg_class=_text(row["dg_class"]),
        un_number=_text(row["un_number"]),
        modes=_split(row["modes"]),
        service_modes=_split(row["service_modes"]),
        transfer_kinds=_split(row["transfer_kinds"]),
        box=_text(row.get("box", "")),
        units_per_box=float(row.get("units_per_box", 1.0) or 1.0),
        first_mile=_split(row["first_mile"]) if "first_mile" in row.index else ("road",),
        gauge_breaks=_split(row["gauge_breaks"]) if "gauge_breaks" in row.index else (),
    )
