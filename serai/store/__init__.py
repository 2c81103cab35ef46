"""The run store: every scenario run recorded with its inputs and result tables, in an
embedded DuckDB file (default) or a PostgreSQL/PostGIS database, with one schema.

Tables (plain SQL; ``serai runs`` and :class:`RunStore` read them):

``serai_runs``
    One row per run: ``run_id``, ``kind`` (``scenario``), ``sweep_id``, ``scenario``,
    ``scenario_hash``, ``scenario_text`` (the files of its ``extends`` chain),
    ``year``, ``method``, ``status`` (``ok`` or ``failed``), ``error``,
    ``serai_version``, ``data_versions``, ``parameters``, ``timings``, ``summary``
    (JSON), ``started_at``, ``finished_at``, ``elapsed_s``, ``host``.
``serai_run_tables``
    ``run_id``, ``table_name``, ``n_rows``: which result tables a run has.
``serai_<table>``
    A result table of every run (``serai_indicators``, ``serai_links``, ...), with
    ``run_id`` first; columns are added as new ones appear. ``geometry`` columns
    (WKT in DuckDB) are PostGIS ``geometry(Geometry, 4326)`` in PostgreSQL.

>>> import tempfile, os
>>> from serai.store import open_store
>>> st = open_store(os.path.join(tempfile.mkdtemp(), "runs.duckdb"))
>>> st.runs().columns[:3].tolist()
['run_id', 'kind', 'sweep_id']
"""

from __future__ import annotations

from serai.store.core import RunStore, StoredRun, default_store_url, open_store

__all__ = ["RunStore", "StoredRun", "default_store_url", "open_store"]
