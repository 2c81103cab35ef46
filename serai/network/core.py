"""The :class:`Network` container: named tables plus metadata, nothing else.

Behaviour lives in modules (``validate``, ``io``, ``compile``); the container only
holds pandas tables whose declared columns (``serai.schema``) have their declared
dtypes. Undeclared columns the user brought are kept as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from serai.schema import table_names, table_schema

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Network", "coerce_table", "column_or_default"]

_INT_NA = "Int64"


def coerce_table(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Return a copy of ``df`` with each declared column cast to its declared dtype.

    Values that cannot be cast become missing (``<NA>`` / ``NaN``); validation
    then reports them with their row. Undeclared columns are kept unchanged.
    """
    import pandas as pd

    out = df.copy()
    try:
        schema = table_schema(table)
    except KeyError:
        return out
    for spec in schema.columns:
        if spec.name not in out.columns:
            continue
        col = out[spec.name]
        if spec.dtype in ("int64", "float64"):
            num = pd.to_numeric(col, errors="coerce")
            if spec.dtype == "int64":
                num = num.astype("Float64")
                whole = num.isna() | (num == num.round())
                num = num.where(whole)
                num = num.astype(_INT_NA)
                if not num.isna().any():
                    num = num.astype(np.int64)
            else:
                num = num.astype(np.float64)
            out[spec.name] = num
        elif spec.dtype == "bool":
            if col.dtype != bool:
                text = col.astype(str).str.strip().str.lower()
                mapped = text.map(
                    {
                        "true": True,
                        "1": True,
                        "yes": True,
                        "1.0": True,
                        "false": False,
                        "0": False,
                        "no": False,
                        "0.0": False,
                        "": spec.default,
                    }
                )
                out[spec.name] = mapped.astype("boolean")
                if not out[spec.name].isna().any():
                    out[spec.name] = out[spec.name].astype(bool)
        else:
            out[spec.name] = col.astype(object).where(col.notna(), "").astype(str)
    return out


def column_or_default(df: pd.DataFrame, table: str, column: str) -> np.ndarray:
    """Values of ``column`` as a numpy array, or the declared default if absent."""
    if column in df.columns:
        return df[column].to_numpy()
    return table_schema(table)[column].default_array(len(df))


@dataclass(frozen=True)
class Network:
    """A transport network: declared tables (nodes, links, modes, ...) and metadata.

    Build one with :meth:`Network.from_tables` or a reader in :mod:`serai.network.io`.
    A Network is never modified in place: :meth:`with_tables` returns a new one.

    Parameters
    ----------
    tables
        Table name to DataFrame. ``nodes`` and ``links`` are always present.
    meta
        Free metadata: ``name``, ``crs`` (``"EPSG:4326"`` for lon/lat, ``None`` for
        unknown planar coordinates), ``sources`` (table name to file), ...

    Examples
    --------
    >>> import pandas as pd
    >>> from serai.network import Network
    >>> net = Network.from_tables(
    ...     nodes=pd.DataFrame({"node_id": [1, 2]}),
    ...     links=pd.DataFrame({"link_id": [10], "from_node": [1], "to_node": [2],
    ...                         "length": [5.0]}),
    ... )
    >>> net.summary()["links"]
    1
    """

    tables: Mapping[str, pd.DataFrame]
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tables", MappingProxyType(dict(self.tables)))
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))

    @classmethod
    def from_tables(
        cls,
        *,
        nodes: pd.DataFrame | None = None,
        links: pd.DataFrame,
        meta: Mapping[str, Any] | None = None,
        **tables: pd.DataFrame,
    ) -> Network:
        """Build a network from DataFrames, casting declared columns to their dtypes.

        If ``nodes`` is omitted, one node per id seen in ``links`` is created.
        """
        import pandas as pd

        if nodes is None:
            ids = pd.unique(
                pd.concat(
                    [
                        pd.to_numeric(links["from_node"], errors="coerce"),
                        pd.to_numeric(links["to_node"], errors="coerce"),
                    ]
                ).dropna()
            )
            nodes = pd.DataFrame({"node_id": np.sort(ids.astype(np.int64))})
        all_tables = {"nodes": nodes, "links": links, **tables}
        coerced = {name: coerce_table(df, name) for name, df in all_tables.items()}
        m = {"crs": "EPSG:4326"}
        m.update(meta or {})
        return cls(coerced, m)

    @property
    def nodes(self) -> pd.DataFrame:
        return self.tables["nodes"]

    @property
    def links(self) -> pd.DataFrame:
        return self.tables["links"]

    @property
    def modes(self) -> pd.DataFrame:
        """The modes table, or the built-in one when the network brings none."""
        if "modes" in self.tables:
            return self.tables["modes"]
        from serai.schema import default_modes

        return default_modes()

    @property
    def name(self) -> str:
        return str(self.meta.get("name", "network"))

    @property
    def is_geographic(self) -> bool:
        """True when node x/y are WGS84 longitude/latitude."""
        crs = self.meta.get("crs")
        return crs is not None and str(crs).upper() in {"EPSG:4326", "WGS84", "OGC:CRS84"}

    def with_tables(self, meta: Mapping[str, Any] | None = None, **tables: pd.DataFrame) -> Network:
        """A new network with some tables replaced or added (declared columns cast)."""
        new = dict(self.tables)
        new.update({name: coerce_table(df, name) for name, df in tables.items()})
        m = dict(self.meta)
        m.update(meta or {})
        return Network(new, m)

    def summary(self) -> dict[str, Any]:
        """Counts for display: nodes, links, zones, links per mode, total length per mode."""
        import pandas as pd

        links = self.links
        out: dict[str, Any] = {
            "name": self.name,
            "nodes": len(self.nodes),
            "links": len(links),
            "zones": int(np.asarray(column_or_default(self.nodes, "nodes", "is_zone"), bool).sum()),
            "tables": sorted(self.tables),
        }
        if len(links):
            modes = pd.Series(column_or_default(links, "links", "mode"), dtype=str)
            out["links_by_mode"] = modes.value_counts().sort_index().to_dict()
            if "length" in links.columns:
                length = pd.Series(links["length"].to_numpy(dtype=float), index=links.index)
                out["length_by_mode"] = (
                    length.groupby(modes.to_numpy()).sum().round(3).sort_index().to_dict()
                )
        return out

    def __repr__(self) -> str:
        parts = ", ".join(f"{k}={len(v)}" for k, v in self.tables.items())
        return f"Network({self.name!r}, {parts})"

    def _repr_html_(self) -> str:
        from serai.reprs import network_html

        return network_html(self)


def known_tables() -> tuple[str, ...]:
    """Declared table names (re-exported for IO)."""
    return table_names()
