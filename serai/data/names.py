"""A node's name in a year: the names of its points that stand for something open then.

The build names a node by the named points snapped to it, joined by ``" / "`` in the
order of its ``point_id`` (``alat|alat_phase2|alat_port``: "Alat (Baku Int'l Sea Trade
Port) / Baku port (Alat) phase 2 / Baku International Sea Trade Port (Alat)"). Some
points stand for a facility with a status of its own: a planned expansion of a port
(``expansions``: Alat phase 2, planned, no date) or a port not open yet (its port node,
Anaklia deep-sea port, planned, 2029). In a year when that facility is not open, the rail
and road nodes at its site must not carry its name: a route of 2020 through Alat reads
"Alat (Baku Int'l Sea Trade Port) / Baku International Sea Trade Port (Alat)", and one of
2025 to Anaklia ends at the rail line at its site, not at a port that is not there.

One rule (:func:`serai.data.status.open_mask`), applied where a network is made for a
year (:func:`serai.data.network_in_year`, and today's network of
:func:`serai.data.load_network`): a node whose name is the join of its points' names is
named by its points open that year; other names (a node named by its own source, or the
facility's own node) are left as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from serai.network import Network

__all__ = ["closed_points", "named_for_year", "names_in_year"]

#: Kinds of node that are a facility of their own point (its status is the facility's).
FACILITY_KINDS = ("port", "terminal")


def closed_points(net: Network, year: int | None) -> set[str]:
    """Point ids that stand for a facility not open in ``year`` (``None``: today).

    A point is closed when it is an ``expansions`` element not open in ``year``, or the
    point of a facility node (kind ``port`` or ``terminal``, that point alone) not open in
    ``year``. A place (a city, a border, a junction) is never closed by a line under
    construction through it: its station is a ``station`` node, not a facility.

    Parameters
    ----------
    net
        A network of every year (as :func:`serai.data.load_network` reads it before
        keeping a year's part).
    year
        The year, or ``None`` for today's network.

    Returns
    -------
    set of str
    """
    from serai.data.status import open_mask

    out: set[str] = set()
    exp = net.tables.get("expansions")
    if exp is not None and len(exp) and "element_id" in exp.columns:
        out |= set(exp.loc[~open_mask(exp, year), "element_id"].astype(str))
    nodes = net.nodes
    if {"kind", "point_id"} <= set(nodes.columns):
        nodes = nodes[nodes["kind"].isin(FACILITY_KINDS).to_numpy()]
        pid = nodes["point_id"].fillna("").astype(str)
        own = (pid != "").to_numpy() & ~pid.str.contains("|", regex=False).to_numpy()
        if own.any():
            out |= set(pid[own & ~open_mask(nodes, year)])
    return out


def names_in_year(net: Network, year: int | None) -> pd.Series | None:
    """The new names of the nodes of ``net`` in ``year`` (by ``node_id``; ``None``: none).

    A node open in ``year`` whose name is the join of its points' names (``" / "``, in the
    order of its ``point_id``; or of all but some dated ones, as named for another year) is
    named by its points open in ``year`` (dated ones closed in ``year`` left out:
    :func:`closed_points`; "" when none is left: the routes' legs then label it "near
    <place>"), each name once ("Aktau port", not "Aktau port / Aktau port").

    Examples
    --------
    >>> import pandas as pd
    >>> from serai.network import Network
    >>> nodes = pd.DataFrame({"node_id": [1, 2], "kind": ["junction", "port"],
    ...     "name": ["Alat / Alat phase 2", "Alat"], "point_id": ["alat|alat2", "alat"],
    ...     "status": ["operational", "operational"]})
    >>> points = pd.DataFrame({"point_id": ["alat", "alat2"], "name": ["Alat", "Alat phase 2"]})
    >>> exp = pd.DataFrame({"element_id": ["alat2"], "status": ["planned"], "open_year": [2030]})
    >>> net = Network.from_tables(nodes=nodes, links=pd.DataFrame(
    ...     {"link_id": [], "from_node": [], "to_node": []}), points=points, expansions=exp)
    >>> names_in_year(net, 2025).to_dict(), names_in_year(net, 2030)
    ({1: 'Alat'}, None)
    >>> net.nodes.loc[0, "name"] = "Alat / Alat"
    >>> net.tables["points"].loc[1, "name"] = "Alat"
    >>> names_in_year(net, 2030).to_dict()
    {1: 'Alat'}
    """
    from serai.data.status import open_mask

    nodes = net.nodes
    pts = net.tables.get("points")
    if pts is None or not len(pts) or not {"name", "point_id"} <= set(nodes.columns):
        return None
    closed = closed_points(net, year)
    dated = closed | closed_points(net, None)  # a name made for today is made again
    pid = nodes["point_id"]
    nodes = nodes[pid.notna().to_numpy() & (pid != "").to_numpy()]  # named by points: a few
    pid = nodes["point_id"].astype(str)
    hit = pid.str.contains("|", regex=False).to_numpy() | pid.isin(dated).to_numpy()
    hit = hit & open_mask(nodes, year)
    if not hit.any():
        return None
    label = pts.drop_duplicates("point_id").set_index("point_id")["name"].astype(str)
    names = nodes["name"].fillna("").astype(str).to_numpy(object)
    new: dict[int, str] = {}
    for i in np.flatnonzero(hit):
        ids = pid.iat[i].split("|")
        if not all(q in label.index for q in ids):
            continue
        made = set()  # all its points, less some dated ones; each name once or not
        for keep in range(1 << len(ids)):
            parts = [label[q] for k, q in enumerate(ids) if keep >> k & 1 or q not in dated]
            made |= {" / ".join(parts), " / ".join(dict.fromkeys(parts))}
        if names[i] not in made:
            continue  # a name of its own (not made of its points): left as it is
        name = " / ".join(dict.fromkeys(label[q] for q in ids if q not in closed))
        if name != names[i]:
            new[int(nodes["node_id"].iat[i])] = name
    return pd.Series(new, dtype=object, name="name") if new else None


def named_for_year(out: Network, whole: Network, year: int | None) -> Network:
    """``out`` with its nodes named for ``year`` (:func:`names_in_year` read on ``whole``).

    Parameters
    ----------
    out
        The network to name (``whole`` itself, or the part of it open in ``year``).
    whole
        The network of every year: a facility's own node, dropped from ``out`` in a year
        it is not open, tells its status.
    year
        The year, or ``None`` for today's network.

    Returns
    -------
    Network
        ``out`` itself when no name changes, else a copy with a new ``nodes`` table.
    """
    from serai.network import Network

    names = names_in_year(whole, year)
    if names is None:
        return out
    nodes = out.nodes
    at = nodes["node_id"].isin(names.index).to_numpy()
    if not at.any():
        return out
    name = nodes["name"].copy()
    name[at] = names.loc[nodes.loc[at, "node_id"].to_numpy()].to_numpy()
    return Network({**out.tables, "nodes": nodes.assign(name=name)}, out.meta)
