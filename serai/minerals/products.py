"""Products as freight commodities, and their dangerous-goods rules as route constraints.

A product (``products.csv``) borrows the handling class, per-mode tariffs and hub costs
of a freight commodity (``base_commodity``) and brings its own container fill
(``tonnes_per_feu``), value, modes, services and transfer points. Its unit is the
tonne, so every cost, time and emission of a leg is per tonne of that product.

The port and service rules (``dg_rules.csv``) become masks through
:class:`serai.freight.Constraints`: ports a product may not use are avoided nodes (the
sea-side port node, so no ship is loaded or unloaded there), services it may not board
are avoided services. With ``port_policy = listed`` (class 7) only ports and services
with an ``allow`` rule are used; with ``any`` everything but ``deny`` rules.

>>> from serai.minerals import load_minerals
>>> from serai.minerals.products import product_commodity
>>> c = product_commodity(load_minerals(), "uranium_uf6_natural")
>>> c.commodity, c.unit, c.dg_class, round(c.base_per_unit, 3)
('mineral:uranium_uf6_natural', 't', '7', 0.04)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from serai.errors import InputError
from serai.freight import Commodity, commodity, commodity_table
from serai.minerals.tables import MineralData

__all__ = ["PortIndex", "ProductRules", "port_nodes", "product_commodity", "product_rules"]


def _split(v: object) -> tuple[str, ...]:
    return tuple(x.strip() for x in str(v or "").split(";") if x.strip())


def product_commodity(data: MineralData, product: str) -> Commodity:
    """The freight :class:`~serai.freight.Commodity` of a product, per tonne.

    Its key is ``"mineral:<product>"`` so router caches never mix it with a freight
    commodity of the same name.
    """
    return _product_commodity(id(data), data, product)


@cache
def _product_commodity(_key: int, data: MineralData, product: str) -> Commodity:
    if product not in data.products.index:
        raise InputError(f"unknown product '{product}'", field="product")
    row = data.products.loc[product]
    base = commodity(str(row["base_commodity"]))
    if base.handling != "container":
        raise InputError(
            f"base commodity {base.commodity} is not containerised; only container handling "
            "is supported for mineral products",
            file="products.csv",
            field="base_commodity",
        )
    feu_per_t = 1.0 / float(row["tonnes_per_feu"])
    # priced by the tariff model per box: a 20 ft box holds half a FEU's tonnes
    box = base.box or "FEU"
    per_box = float(row["tonnes_per_feu"]) / (2.0 if box == "TEU" else 1.0)
    value = float(row["value_usd_per_t"])
    rate = float(commodity_table().loc[base.commodity, "carrying_rate_per_year"])
    return replace(
        base,
        commodity=f"mineral:{product}",
        name=str(row["name"]),
        unit="t",
        tonnes_per_unit=1.0,
        base_per_unit=feu_per_t,
        value_usd_per_unit=value,
        vot_usd_per_unit_h=value * rate / 8760.0,
        dg_class=str(row["dg_class"] or ""),
        un_number=str(row["un_number"] or ""),
        modes=_split(row["modes"]),
        service_modes=_split(row["service_modes"]),
        transfer_kinds=_split(row["transfer_kinds"]),
        box=box,
        units_per_box=per_box,
    )


@dataclass(frozen=True)
class ProductRules:
    """Route constraints a product's rules add: ports (nodes) and services to avoid.

    ``allowed_ports`` / ``allowed_services`` list what ``listed`` products may use;
    ``notes`` says which rules name an element this network does not have.
    """

    product: str
    policy: str
    avoid_nodes: frozenset[int]
    avoid_services: frozenset[str]
    allowed_ports: tuple[str, ...]
    allowed_services: tuple[str, ...]
    notes: tuple[str, ...]


class PortIndex:
    """Sea-side port nodes (kind ``port``) of a network, found by place, LOCODE or point.

    Built once per router: the nodes of kind ``port``, UN/LOCODEs, named points and the
    transfer links that join a port's rail or road node to its sea node.
    """

    def __init__(self, router) -> None:
        net = router.rg.network
        nodes = net.nodes
        self.router = router
        ids = nodes["node_id"].to_numpy(np.int64)
        kind = nodes["kind"].astype(str).to_numpy() if "kind" in nodes else np.full(len(ids), "")
        self.ports = frozenset(int(x) for x in ids[kind == "port"])
        self.locode: dict[str, set[int]] = {}
        if "unlocode" in nodes:
            for code, nid in zip(nodes["unlocode"].fillna("").astype(str), ids, strict=True):
                if code:
                    self.locode.setdefault(code.replace(" ", "").upper(), set()).add(int(nid))
        self.point: dict[str, set[int]] = {}
        pts = net.tables.get("points")
        if pts is not None and {"point_id", "node_id"} <= set(pts.columns):
            for pid, nid in zip(pts["point_id"].astype(str), pts["node_id"], strict=True):
                self.point.setdefault(pid, set()).add(int(nid))
        if "point_id" in nodes:
            for pid, nid in zip(nodes["point_id"].fillna("").astype(str), ids, strict=True):
                for p in pid.split("|"):
                    if p.strip():
                        self.point.setdefault(p.strip(), set()).add(int(nid))
        self.near: dict[int, set[int]] = {}
        links = net.links
        tr = links.loc[links["mode"].astype(str) == "transfer"]
        for f, t in zip(tr["from_node"].astype(int), tr["to_node"].astype(int), strict=True):
            self.near.setdefault(f, set()).add(t)
            self.near.setdefault(t, set()).add(f)

    def nodes(self, place: str) -> np.ndarray:
        """Port nodes of a place: its node, its named point's nodes, nodes with that
        UN/LOCODE, and nodes joined to any of them by transfer links."""
        found: set[int] = set(self.locode.get(str(place).replace(" ", "").upper(), ()))
        try:
            target = self.router.places.resolve(place)
        except InputError:
            target = None
        if isinstance(target, str):
            found |= self.point.get(target, set())
        elif target is not None:
            found.add(int(target))
        for n in list(found):
            found |= self.near.get(n, set())
        return np.array(sorted(found & self.ports), dtype=np.int64)


def port_nodes(router, place: str) -> np.ndarray:
    """Sea-side port nodes of a place on ``router``'s network (see :class:`PortIndex`)."""
    return PortIndex(router).nodes(place)


def product_rules(
    data: MineralData, product: str, router, ports: PortIndex | None = None
) -> ProductRules:
    """The port and service constraints of ``product`` on ``router``'s network."""
    ports = ports if ports is not None else PortIndex(router)
    prod = data.products.loc[product]
    keys = {product}
    if prod["dg_class"]:
        keys.add(f"class:{prod['dg_class']}")
    rules = data.dg_rules.loc[data.dg_rules["applies_to"].isin(keys)]
    policy = str(prod["port_policy"])
    all_ports = set(ports.ports)
    svc = router.rg.vlinks["service_id"].astype(str).str.removesuffix("~r")
    all_services = set(svc[svc != ""])
    notes: list[str] = []
    allow_p: set[int] = set()
    deny_p: set[int] = set()
    allow_s: set[str] = set()
    deny_s: set[str] = set()
    for r in rules.itertuples(index=False):
        if r.scope == "port":
            found = set(ports.nodes(r.element).tolist())
            if not found:
                notes.append(f"{r.rule} rule for port {r.element}: not a port of this network")
            (allow_p if r.rule == "allow" else deny_p).update(found)
        else:
            if r.element not in all_services:
                notes.append(f"{r.rule} rule for service {r.element}: not on this network")
            (allow_s if r.rule == "allow" else deny_s).add(r.element)
    if policy == "listed":
        avoid_p = (all_ports - allow_p) | deny_p
        avoid_s = (all_services - allow_s) | deny_s
    else:
        avoid_p, avoid_s = deny_p, deny_s
    avoid_s &= all_services
    allowed_names = rules.loc[(rules["scope"] == "port") & (rules["rule"] == "allow"), "element"]
    allowed_svc = rules.loc[(rules["scope"] == "service") & (rules["rule"] == "allow"), "element"]
    return ProductRules(
        product=product,
        policy=policy,
        avoid_nodes=frozenset(int(x) for x in avoid_p),
        avoid_services=frozenset(avoid_s),
        allowed_ports=tuple(allowed_names),
        allowed_services=tuple(allowed_svc),
        notes=tuple(notes),
    )
