"""Static map of the embedded network (matplotlib, imported lazily)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from serai.network.core import Network

__all__ = ["render_map"]

_STYLE = {  # mode -> (colour, width, z-order)
    "sea": ("#6baed6", 0.5, 1),
    "road": ("#bdbdbd", 0.35, 2),
    "rail": ("#252525", 0.6, 3),
    "ferry": ("#08519c", 1.4, 4),
    "transfer": ("#fd8d3c", 0.8, 5),
}
_STATUS_COLOUR = {"under_construction": "#e6550d", "planned": "#d62728"}


def render_map(
    net: Network,
    out: Path,
    *,
    bbox: tuple[float, float, float, float] = (-11.0, 18.0, 122.0, 62.0),
    label_points: bool = True,
    dpi: int = 130,
) -> Path:
    """Draw links by mode (and non-operational ones by status) and label the named points.

    Parameters
    ----------
    net
        A network with ``links.shape_id`` and a ``shapes`` table (as shipped), or
        straight lines between node coordinates otherwise.
    out
        PNG path (written; the CLI refuses to replace an existing file without --overwrite).
    bbox
        (lon_min, lat_min, lon_max, lat_max) of the view.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    links = net.links
    nodes = net.nodes.set_index("node_id")
    shapes = net.tables.get("shapes")
    segs_by_shape: dict[int, np.ndarray] = {}
    if shapes is not None:
        sid = shapes["shape_id"].to_numpy()
        cuts = np.flatnonzero(np.diff(sid)) + 1
        xy = np.column_stack([shapes["x"].to_numpy(float), shapes["y"].to_numpy(float)])
        for s, part in zip(sid[np.r_[0, cuts]], np.split(xy, cuts), strict=True):
            segs_by_shape[int(s)] = part
    span_x, span_y = bbox[2] - bbox[0], (bbox[3] - bbox[1]) * 1.35
    fig, ax = plt.subplots(figsize=(16, max(4.0, min(12.0, 16 * span_y / span_x + 0.5))))
    one_way = links[links["from_node"] < links["to_node"]]
    for mode, (colour, width, z) in _STYLE.items():
        sub = one_way[one_way["mode"] == mode]
        if not len(sub):
            continue
        for status in ("operational", "under_construction", "planned"):
            part = sub[sub["status"] == status] if "status" in sub.columns else sub
            if not len(part):
                continue
            lines = []
            for r in part.itertuples():
                shp = getattr(r, "shape_id", None)
                if shp is not None and not _isna(shp) and int(shp) in segs_by_shape:
                    lines.append(segs_by_shape[int(shp)])
                else:
                    a, b = nodes.loc[r.from_node], nodes.loc[r.to_node]
                    lines.append(np.array([[a.x, a.y], [b.x, b.y]]))
            c = _STATUS_COLOUR.get(status, colour)
            ls = "solid" if status == "operational" else (0, (3, 2))
            w = width if status == "operational" else 1.8
            label = mode if status == "operational" else f"{mode} ({status.replace('_', ' ')})"
            ax.add_collection(
                LineCollection(
                    lines,
                    colors=c,
                    linewidths=w,
                    linestyles=ls,
                    zorder=z + (3 if status != "operational" else 0),
                    label=label,
                )
            )
    if label_points and "point_id" in net.nodes.columns:
        named = net.nodes[net.nodes["point_id"].astype(str) != ""]
        named = named.drop_duplicates("point_id")
        inside = named["x"].between(bbox[0], bbox[2]) & named["y"].between(bbox[1], bbox[3])
        named = named[inside]
        ax.scatter(named["x"], named["y"], s=9, c="#e31a1c", zorder=10)
        for r in named.itertuples():
            label = str(r.name or r.point_id).split(" / ")[0]
            ax.annotate(
                label, (r.x, r.y), fontsize=6, xytext=(2, 2), textcoords="offset points", zorder=11
            )
    ax.set_xlim(bbox[0], bbox[2])
    ax.set_ylim(bbox[1], bbox[3])
    ax.set_aspect(1.35)
    ax.set_title(
        "serai embedded Eurasian freight network (rail, road, sea, ferries) — © OpenStreetMap contributors (ODbL), Eurostat SeaRoute, Natural Earth",
        fontsize=9,
    )
    ax.legend(loc="lower left", fontsize=7)
    ax.grid(alpha=0.2)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return out


def _isna(v) -> bool:
    import pandas as pd

    return v is None or bool(pd.isna(v))
