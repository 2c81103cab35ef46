"""Carbon price on emissions, and per-link emission intensity arrays for routing.

``link_emission_intensity`` turns the links of a compiled graph into one number per
edge: grams CO2e (WTW) emitted per tonne (or per TEU) of freight traversing it. Pass it
as the cost of a path search to find the least-emission route, or scale it by a carbon
price with :func:`carbon_cost_per_link` and add it to a generalised cost (a new array,
the graph is never changed):

>>> import numpy as np, pandas as pd
>>> from serai.network import Network, compile_network
>>> from serai.paths import shortest_path
>>> from serai.emissions import link_emission_intensity
>>> links = pd.DataFrame({
...     "link_id": [1, 2, 3], "from_node": [1, 2, 1], "to_node": [2, 3, 3],
...     "mode": ["rail", "rail", "road"], "length": [100.0, 100.0, 150.0],
...     "country": ["GE", "GE", "GE"], "free_flow_time": [60.0, 60.0, 100.0]})
>>> net = Network.from_tables(links=links)
>>> g = compile_network(net)
>>> co2 = link_emission_intensity(g, net)   # g CO2e per tonne on each edge
>>> co2.round(1).tolist()  # rail GE: 100 km x 0.027 kWh x 111.551 g; road: 150 km x 90.3 x 1.243755 g
[301.2, 16846.7, 301.2]
>>> shortest_path(g, 1, 3).link_ids.tolist()             # least time: the road
[3]
>>> shortest_path(g, 1, 3, cost=co2).link_ids.tolist()   # least emissions: electric rail
[1, 2]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from serai.emissions.accounting import ChainFootprint
from serai.emissions.factors import FactorSet, load_factors
from serai.emissions.intensity import hub_factors, leg_factors
from serai.emissions.routes import link_electrified_share
from serai.errors import InputError

__all__ = ["carbon_cost", "carbon_cost_per_link", "link_emission_intensity"]

_NO_EMISSION_MODES = {"connector"}


def _price(price_usd_per_t: float) -> float:
    p = float(price_usd_per_t)
    if not (np.isfinite(p) and p >= 0):
        raise InputError(f"carbon price must be a non-negative number (USD per t CO2e), got {price_usd_per_t}",
                         field="price_usd_per_t")  # fmt: skip
    return p


def carbon_cost(footprint: ChainFootprint, price_usd_per_t: float) -> pd.DataFrame:
    """Carbon cost of each element: price (USD per t CO2e) x WTW emissions.

    Returns a DataFrame with ``element_id``, ``element``, ``factor_id``, ``wtw_kg`` and
    ``carbon_cost_usd``; the shipment total is ``result["carbon_cost_usd"].sum()``.

    Examples
    --------
    >>> import pandas as pd
    >>> from serai.emissions import Shipment, account_chain, carbon_cost
    >>> legs = pd.DataFrame({"element": ["tce"], "mode": ["road"], "km": [100.0]})
    >>> fp = account_chain(legs, Shipment("S", mass_t=10.0))
    >>> c = carbon_cost(fp, 100.0)           # 1,000 tkm x 112.31 g = 112.3 kg -> USD 11.23
    >>> round(float(c["carbon_cost_usd"].sum()), 2)
    11.23
    """
    p = _price(price_usd_per_t)
    e = footprint.elements
    out = e[["element_id", "element", "factor_id", "wtw_kg"]].copy()
    out["carbon_cost_usd"] = e["wtw_kg"].to_numpy() / 1000.0 * p
    return out


def carbon_cost_per_link(intensity_g: np.ndarray, price_usd_per_t: float) -> np.ndarray:
    """USD per unit of freight for each edge: ``intensity_g`` (g CO2e per tonne or TEU) x price.

    Add the result (times the shipment's tonnes) to a time or money cost array to price
    carbon in a generalised cost.

    >>> carbon_cost_per_link(np.array([1000.0, 0.0]), 80.0).tolist()
    [0.08, 0.0]
    """
    p = _price(price_usd_per_t)
    return np.asarray(intensity_g, dtype=np.float64) * (p / 1e6)


def link_emission_intensity(
    graph,
    links,
    *,
    factors: FactorSet | None = None,
    per: str = "tonne",
    default_toc: Mapping[str, str] | None = None,
    unknown_country: str = "fallback",
) -> np.ndarray:
    """WTW grams CO2e per tonne (or per TEU) of freight traversing each edge of a graph.

    Parameters
    ----------
    graph : serai.network.Graph
        The compiled graph (edges map to link rows through ``graph.link_rows``).
    links : Network or DataFrame
        The network (or its links table) the graph was compiled from. Columns used:
        ``mode`` (default road), ``length`` (km), ``country`` (ISO-2), optional
        ``electrified_share`` (0..1, NaN = country default) or ``electrified`` (yes/no),
        optional ``toc`` (TOC id per
        link) and optional ``hoc`` (HOC id on ``transfer`` links: a hub operation charged
        per tonne or TEU handled). ``transfer`` links without a HOC and ``connector``
        links emit nothing.
    factors
        Factor tables (default: the packaged ones).
    per
        ``"tonne"`` or ``"TEU"`` (converted with ``factors.load_t_per_teu``).
    default_toc
        TOC per mode when a link gives none.
    unknown_country
        ``"fallback"`` (default): rail links in countries without grid intensity or default
        electrified share use the ``ZZ`` rows (world-average grid, all diesel), so an array
        over a whole network always exists; ``"error"`` raises instead.

    Returns
    -------
    ndarray of float64, shape (graph.n_edges,)
        Non-negative, free of NaN: usable as ``cost=`` in :mod:`serai.paths`.

    Raises
    ------
    InputError
        A link has a mode without TOC, an unknown TOC/HOC, a missing length, or a country
        without the factors it needs; the message names the link_id.
    """
    if factors is None:
        factors = load_factors()
    if per not in {"tonne", "TEU"}:
        raise InputError(f"per must be 'tonne' or 'TEU', got '{per}'", field="per")
    table = links.links if hasattr(links, "links") else links
    if not isinstance(table, pd.DataFrame):
        raise InputError("links must be a Network or a links DataFrame")
    n = len(table)
    labels = (
        [f"link_id {v}" for v in table["link_id"].tolist()]
        if "link_id" in table.columns
        else list(range(n))
    )

    def col(name: str, default: object) -> pd.Series:
        return table[name] if name in table.columns else pd.Series([default] * n, index=table.index)

    mode = (
        col("mode", "road")
        .fillna("road")
        .astype(str)
        .str.strip()
        .str.lower()
        .to_numpy(dtype=object)
    )
    length = pd.to_numeric(col("length", np.nan), errors="coerce").to_numpy(dtype=np.float64)
    country = (
        col("country", "").fillna("").astype(str).str.strip().str.upper().to_numpy(dtype=object)
    )
    share = link_electrified_share(table)
    toc = col("toc", "").fillna("").astype(str).str.strip().to_numpy(dtype=object)
    hoc = col("hoc", "").fillna("").astype(str).str.strip().to_numpy(dtype=object)

    t_per_teu = factors.load_t_per_teu
    value = np.zeros(n)  # g CO2e per tonne
    hub = (mode == "transfer") & (hoc != "")
    moving = ~np.isin(mode, [*_NO_EMISSION_MODES, "transfer"])
    idx = np.flatnonzero(moving)
    if len(idx):
        for i in idx[~(np.isfinite(length[idx]) & (length[idx] >= 0))]:
            raise InputError(f"link length must be a number >= 0 km, got {length[i]}", row=labels[i],
                             field="length")  # fmt: skip
        lf = leg_factors(
            mode[idx], toc[idx], country[idx], share[idx], factors,
            labels=[labels[i] for i in idx], default_toc=default_toc, unknown_country=unknown_country,
        )  # fmt: skip
        g_per_unit_km = (lf["ttw_factor"] + lf["wtt_factor"]).to_numpy()
        per_tonne = np.where(
            lf["activity_unit"].to_numpy() == "TEUkm", g_per_unit_km / t_per_teu, g_per_unit_km
        )
        value[idx] = per_tonne * length[idx]
    hidx = np.flatnonzero(hub)
    if len(hidx):
        hf = hub_factors(hoc[hidx], factors, labels=[labels[i] for i in hidx])
        kg = (hf["ttw_factor"] + hf["wtt_factor"]).to_numpy()
        per_tonne_kg = np.where(hf["activity_unit"].to_numpy() == "TEU", kg / t_per_teu, kg)
        value[hidx] = per_tonne_kg * 1e3
    if per == "TEU":
        value = value * t_per_teu
    return np.ascontiguousarray(graph.edge_values(value), dtype=np.float64)
