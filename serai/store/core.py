"""Run store: one schema, two backends (DuckDB embedded, PostgreSQL/PostGIS)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from serai.errors import InputError, OptionalDependencyError

__all__ = ["RunStore", "StoredRun", "default_store_url", "open_store"]

RUN_COLUMNS = {
    "run_id": "text",
    "kind": "text",
    "sweep_id": "text",
    "scenario": "text",
    "scenario_hash": "text",
    "scenario_text": "text",
    "year": "int",
    "method": "text",
    "status": "text",
    "error": "text",
    "serai_version": "text",
    "data_versions": "json",
    "parameters": "json",
    "timings": "json",
    "summary": "json",
    "started_at": "ts",
    "finished_at": "ts",
    "elapsed_s": "float",
    "host": "text",
}
#: Columns ``serai runs list`` shows.
LIST_COLUMNS = ["run_id", "kind", "sweep_id", "scenario", "scenario_hash", "year", "method",
                "status", "error", "started_at", "elapsed_s", "serai_version"]  # fmt: skip
_RANK = {"bool": 0, "int": 1, "float": 2, "ts": 3, "json": 4, "text": 5, "geometry": 6}


def default_store_url() -> str:
    """``SERAI_STORE`` if set, else ``serai-runs.duckdb`` in the current folder."""
    return os.environ.get("SERAI_STORE") or "serai-runs.duckdb"


def _kind_of(s: pd.Series, name: str) -> str:
    if name == "geometry":
        return "geometry"
    if pd.api.types.is_bool_dtype(s):
        return "bool"
    if pd.api.types.is_integer_dtype(s):
        return "int"
    if pd.api.types.is_float_dtype(s):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "ts"
    return "text"


def _safe(name: str) -> str:
    n = re.sub(r"[^a-z0-9_]", "_", str(name).lower())
    return n if n and not n[0].isdigit() else f"c_{n}"


class _Backend:
    placeholder = "?"
    types: ClassVar[Mapping[str, str]] = {}

    def execute(self, sql: str, params: tuple = ()) -> None:
        raise NotImplementedError

    def query(self, sql: str, params: tuple = ()) -> pd.DataFrame:
        raise NotImplementedError

    def columns(self, table: str) -> dict[str, str]:
        raise NotImplementedError

    def insert(self, table: str, df: pd.DataFrame, kinds: dict[str, str]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def sql(self, text: str) -> str:
        return text.replace("?", self.placeholder)


#: Suffixes of the user's data files: never opened (and later written) as a run store.
_NOT_A_STORE = {".csv", ".parquet", ".json", ".geojson", ".gpkg", ".xlsx", ".xls", ".txt",
                ".md", ".toml", ".tntp", ".omx", ".png", ".html", ".zip"}  # fmt: skip


def _check_duckdb_file(p: Path) -> None:
    """Refuse a path that is not a DuckDB file: DuckDB would take an 8-byte CSV as an
    empty database and write its tables into the user's file."""
    if p.is_dir():
        raise InputError("the run store is a folder; give a DuckDB file", file=str(p))
    if p.exists() and p.stat().st_size > 0:
        with p.open("rb") as f:
            head = f.read(12)
        if head[8:12] != b"DUCK":
            raise InputError(
                "not a DuckDB run store (give a .duckdb file or a postgresql:// URL)",
                file=str(p),
            )
    elif p.suffix.lower() in _NOT_A_STORE:
        raise InputError(
            f"a run store is a DuckDB file, not {p.suffix} (e.g. runs.duckdb)", file=str(p)
        )


class _DuckDB(_Backend):
    types: ClassVar[Mapping[str, str]] = {"text": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN",
             "json": "JSON", "ts": "TIMESTAMP", "geometry": "VARCHAR"}  # fmt: skip

    def __init__(self, path: str) -> None:
        try:
            import duckdb
        except ImportError:
            raise OptionalDependencyError("duckdb", "store") from None
        p = Path(path)
        if p.parent and not p.parent.exists():
            raise InputError("the folder of the run store does not exist", file=str(p))
        _check_duckdb_file(p)
        try:
            self.con = duckdb.connect(str(p))
        except duckdb.Error as exc:
            raise InputError(f"cannot open the run store: {exc}", file=str(p)) from None
        self.url = str(p)

    def execute(self, sql: str, params: tuple = ()) -> None:
        self.con.execute(self.sql(sql), list(params))

    def query(self, sql: str, params: tuple = ()) -> pd.DataFrame:
        return self.con.execute(self.sql(sql), list(params)).fetchdf()

    def columns(self, table: str) -> dict[str, str]:
        rows = self.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = ? ORDER BY ordinal_position",
            [table],
        ).fetchall()
        return {c: _from_sql(t) for c, t in rows}

    def insert(self, table: str, df: pd.DataFrame, kinds: dict[str, str]) -> None:
        cols = ", ".join(f'"{c}"' for c in df.columns)
        self.con.register("_serai_insert", df)
        try:
            self.con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM _serai_insert')
        finally:
            self.con.unregister("_serai_insert")

    def close(self) -> None:
        self.con.close()


class _Postgres(_Backend):
    placeholder = "%s"
    types: ClassVar[Mapping[str, str]] = {"text": "TEXT", "int": "BIGINT", "float": "DOUBLE PRECISION", "bool": "BOOLEAN",
             "json": "JSONB", "ts": "TIMESTAMP", "geometry": "geometry(Geometry, 4326)"}  # fmt: skip

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise OptionalDependencyError("psycopg", "store") from None
        try:
            self.con = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(f"cannot connect to the run store: {msg}", field="store") from None
        self.url = re.sub(r"//([^:@/]*):[^@/]*@", r"//\1:***@", url)
        try:
            self.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except Exception as exc:
            raise InputError(
                f"the run store needs PostGIS in this database ({str(exc).strip().splitlines()[0]})",
                field="store",
            ) from None

    def execute(self, sql: str, params: tuple = ()) -> None:
        with self.con.cursor() as cur:
            cur.execute(self.sql(sql), params)

    def query(self, sql: str, params: tuple = ()) -> pd.DataFrame:
        with self.con.cursor() as cur:
            cur.execute(self.sql(sql), params)
            rows = cur.fetchall()
            cols = [d.name for d in cur.description] if cur.description else []
        return pd.DataFrame(rows, columns=cols)

    def columns(self, table: str) -> dict[str, str]:
        df = self.query(
            "SELECT column_name, data_type, udt_name FROM information_schema.columns "
            "WHERE table_name = ? ORDER BY ordinal_position",
            (table,),
        )
        return {
            c: ("geometry" if u == "geometry" else _from_sql(t))
            for c, t, u in zip(df.get("column_name", []), df.get("data_type", []),
                               df.get("udt_name", []), strict=True)
        }  # fmt: skip

    def insert(self, table: str, df: pd.DataFrame, kinds: dict[str, str]) -> None:
        cols = list(df.columns)
        data = []
        for c in cols:
            v = df[c]
            k = kinds.get(c, "text")
            if k == "geometry":
                arr = [None if (x is None or x != x or x == "") else f"SRID=4326;{x}" for x in v]
            elif k in ("int", "float", "bool"):
                arr = [None if pd.isna(x) else x for x in v.astype(object).tolist()]
            elif k == "ts":
                arr = [None if pd.isna(x) else pd.Timestamp(x).to_pydatetime() for x in v]
            else:
                arr = [None if (x is None or (isinstance(x, float) and x != x) or x is pd.NA) else str(x)
                       for x in v.astype(object).tolist()]  # fmt: skip
            data.append(arr)
        names = ", ".join(f'"{c}"' for c in cols)
        with self.con.cursor() as cur:
            with cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as cp:
                for row in zip(*data, strict=True):
                    cp.write_row(row)

    def close(self) -> None:
        self.con.close()


def _from_sql(t: str) -> str:
    t = t.upper()
    if t in ("BIGINT", "INTEGER", "SMALLINT", "HUGEINT", "UBIGINT"):
        return "int"
    if t in ("DOUBLE", "DOUBLE PRECISION", "REAL", "FLOAT") or t.startswith("DECIMAL"):
        return "float"
    if t == "BOOLEAN":
        return "bool"
    if t.startswith("TIMESTAMP"):
        return "ts"
    if t in ("JSON", "JSONB"):
        return "json"
    if t == "USER-DEFINED":
        return "geometry"
    return "text"


@dataclass(eq=False)
class StoredRun:
    """A run read back from the store: its record and result tables (read on first use).

    ``name``, ``year``, ``summary`` and ``tables`` give what a :class:`~serai.scenarios.run.ScenarioResult`
    gives, so comparisons work on either.
    """

    store: RunStore
    record: dict
    _tables: dict = field(default_factory=dict, repr=False)
    scenario: Any = None  # the loaded scenario, when known (targets, measures, appraisal)

    @property
    def run_id(self) -> str:
        return str(self.record["run_id"])

    @property
    def name(self) -> str:
        return str(self.record["scenario"])

    @property
    def year(self) -> int:
        return int(self.record["year"])

    @property
    def summary(self) -> dict:
        return _json(self.record.get("summary"))

    @property
    def table_names(self) -> list[str]:
        t = self.store._b.query(
            "SELECT table_name FROM serai_run_tables WHERE run_id = ? ORDER BY table_name",
            (self.run_id,),
        )
        return t["table_name"].tolist()

    @property
    def tables(self) -> _LazyTables:
        return _LazyTables(self)


class _LazyTables(Mapping):
    def __init__(self, run: StoredRun) -> None:
        self.run = run

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self.run._tables:
            if name not in self.run.table_names:
                raise KeyError(name)
            self.run._tables[name] = self.run.store.table(self.run.run_id, name)
        return self.run._tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.run.table_names)

    def __len__(self) -> int:
        return len(self.run.table_names)


def _json(v: Any) -> dict:
    if v is None or (isinstance(v, float) and v != v):
        return {}
    if isinstance(v, dict):
        return v
    return json.loads(v)


class RunStore:
    """Runs and their result tables in DuckDB (a file path) or PostgreSQL (``postgresql://``).

    Use :func:`open_store`. The schema is created on first use; result tables grow
    columns as new ones appear, and a column whose type widens (int -> float -> text)
    is altered.
    """

    def __init__(self, url: str | os.PathLike) -> None:
        u = str(url)
        if u.startswith(("postgresql://", "postgres://")):
            self._b: _Backend = _Postgres(u)
            self.kind = "postgresql"
        else:
            if u.startswith("duckdb://"):
                u = u[len("duckdb://") :]
            self._b = _DuckDB(u)
            self.kind = "duckdb"
        self.url = self._b.url
        self._ensure("serai_runs", RUN_COLUMNS, key="run_id")
        self._ensure("serai_run_tables", {"run_id": "text", "table_name": "text", "n_rows": "int"})

    # ------------------------------------------------------------ schema
    def _ensure(self, table: str, kinds: dict[str, str], key: str | None = None) -> None:
        have = self._b.columns(table)
        t = self._b.types
        if not have:
            cols = ", ".join(
                f'"{c}" {t[k]}' + (" PRIMARY KEY" if c == key else "") for c, k in kinds.items()
            )
            self._b.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ({cols})')
            return
        for c, k in kinds.items():
            if c not in have:
                self._b.execute(f'ALTER TABLE "{table}" ADD COLUMN "{c}" {t[k]}')
            elif _RANK.get(k, 5) > _RANK.get(have[c], 5) and have[c] != "geometry":
                using = f' USING "{c}"::{t[k]}' if self.kind == "postgresql" else ""
                self._b.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{c}" TYPE {t[k]}{using}')

    def _result_table(self, name: str, df: pd.DataFrame) -> tuple[str, pd.DataFrame, dict]:
        table = f"serai_{_safe(name)}"
        out = df.copy()
        out.columns = [_safe(c) for c in out.columns]
        out = out.loc[:, ~out.columns.duplicated()]
        kinds = {"run_id": "text", **{c: _kind_of(out[c], c) for c in out.columns}}
        have = self._b.columns(table)
        # a column stored wider than this run's data: cast the data up
        for c, k in list(kinds.items()):
            if c in have and _RANK.get(have[c], 5) > _RANK.get(k, 5):
                kinds[c] = have[c]
        self._ensure(table, kinds)
        for c, k in kinds.items():
            if c == "run_id":
                continue
            if k == "text":
                out[c] = out[c].astype(object).where(out[c].notna(), None)
                out[c] = out[c].map(lambda x: None if x is None else str(x))
            elif k == "float":
                out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
            elif k == "int":
                out[c] = pd.to_numeric(out[c], errors="coerce").astype("Int64")
        return table, out, kinds

    # ----------------------------------------------------------- writing
    def new_run_id(self) -> str:
        return dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]

    def record(
        self,
        result,
        *,
        run_id: str | None = None,
        sweep_id: str | None = None,
        started_at: dt.datetime | None = None,
        parameters: Mapping[str, Any] | None = None,
    ) -> str:
        """Record a :class:`~serai.scenarios.run.ScenarioResult`; returns its run id."""
        s = result.scenario
        sm = result.summary
        rid = run_id or self.new_run_id()
        finished = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        total = float(sm.get("timings_s", {}).get("total_s", 0.0))
        started = (started_at or (finished - dt.timedelta(seconds=total))).replace(tzinfo=None)
        params = {"method": sm.get("method"), "flows": sm.get("flows"), "routes": sm.get("routes"),
                  **dict(parameters or {})}  # fmt: skip
        for name, df in result.tables.items():
            table, data, kinds = self._result_table(name, df)
            data.insert(0, "run_id", rid)
            if len(data):
                self._b.insert(table, data, kinds)
            self._b.execute(
                "INSERT INTO serai_run_tables (run_id, table_name, n_rows) VALUES (?, ?, ?)",
                (rid, name, len(df)),
            )
        self._insert_run(
            {"run_id": rid, "kind": "scenario", "sweep_id": sweep_id, "scenario": s.name,
             "scenario_hash": s.hash, "scenario_text": s.text, "year": int(s.year),
             "method": sm.get("method"), "status": "ok", "error": None,
             "serai_version": sm.get("serai_version"),
             "data_versions": json.dumps(sm.get("data_versions", {})),
             "parameters": json.dumps(params, default=str),
             "timings": json.dumps(sm.get("timings_s", {})),
             "summary": json.dumps(sm, default=str), "started_at": started,
             "finished_at": finished, "elapsed_s": total, "host": socket.gethostname()}
        )  # fmt: skip
        return rid

    def record_failure(
        self,
        scenario: str,
        error: str,
        *,
        text: str = "",
        scenario_hash: str | None = None,
        year: int | None = None,
        sweep_id: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        elapsed_s: float = 0.0,
    ) -> str:
        """Record a run that failed (with its error message); returns its run id."""
        from serai.scenarios.run import _serai_version

        rid = self.new_run_id()
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        self._insert_run(
            {"run_id": rid, "kind": "scenario", "sweep_id": sweep_id, "scenario": scenario,
             "scenario_hash": scenario_hash, "scenario_text": text, "year": year,
             "method": (parameters or {}).get("method"), "status": "failed", "error": error,
             "serai_version": _serai_version(), "data_versions": json.dumps({}),
             "parameters": json.dumps(dict(parameters or {}), default=str),
             "timings": json.dumps({"total_s": elapsed_s}), "summary": json.dumps({}),
             "started_at": now - dt.timedelta(seconds=elapsed_s), "finished_at": now,
             "elapsed_s": float(elapsed_s), "host": socket.gethostname()}
        )  # fmt: skip
        return rid

    def _insert_run(self, row: dict) -> None:
        cols = list(RUN_COLUMNS)
        names = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join("?" for _ in cols)
        self._b.execute(
            f"INSERT INTO serai_runs ({names}) VALUES ({marks})", tuple(row.get(c) for c in cols)
        )

    # ----------------------------------------------------------- reading
    def runs(self, *, scenario: str | None = None, limit: int | None = None) -> pd.DataFrame:
        """The runs, newest first (without the scenario text and JSON columns)."""
        cols = ", ".join(f'"{c}"' for c in LIST_COLUMNS)
        sql = f"SELECT {cols} FROM serai_runs"
        params: tuple = ()
        if scenario:
            sql += " WHERE scenario = ?"
            params = (scenario,)
        sql += " ORDER BY started_at DESC, run_id DESC"
        if limit is not None:
            from serai._checks import check_count

            sql += f" LIMIT {check_count(limit, 'limit', 1, 10**9)}"
        df = self._b.query(sql, params)
        return df if len(df) else pd.DataFrame(columns=LIST_COLUMNS)

    def resolve(self, ref: str) -> str:
        """A run id from a run id, a unique prefix of one, or a scenario name (its latest ok run)."""
        r = self._b.query(
            "SELECT run_id FROM serai_runs WHERE run_id LIKE ? ORDER BY run_id", (f"{ref}%",)
        )
        if len(r) == 1:
            return str(r["run_id"].iloc[0])
        if len(r) > 1:
            raise InputError(f"'{ref}' matches {len(r)} runs; give more of the run id", field="run")
        r = self._b.query(
            "SELECT run_id FROM serai_runs WHERE scenario = ? AND status = 'ok' "
            "ORDER BY started_at DESC, run_id DESC LIMIT 1",
            (ref,),
        )
        if len(r):
            return str(r["run_id"].iloc[0])
        from serai.errors import unknown

        known = (
            self._b.query("SELECT DISTINCT scenario FROM serai_runs")["scenario"] if True else []
        )
        raise unknown("run or scenario", ref, [str(k) for k in known if k], field="run")

    def get(self, ref: str) -> StoredRun:
        """A stored run by run id (or prefix) or scenario name (its latest ok run)."""
        rid = self.resolve(ref)
        rec = self._b.query("SELECT * FROM serai_runs WHERE run_id = ?", (rid,))
        return StoredRun(self, rec.iloc[0].to_dict())

    def table(self, run_id: str, name: str) -> pd.DataFrame:
        """One result table of a run (geometry as WKT)."""
        table = f"serai_{_safe(name)}"
        cols = self._b.columns(table)
        if not cols:
            raise InputError(f"no result table '{name}' in the store", field="table")
        sel = ", ".join(
            (f'ST_AsText("{c}") AS "{c}"' if k == "geometry" and self.kind == "postgresql" else f'"{c}"')
            for c, k in cols.items()
            if c != "run_id"
        )  # fmt: skip
        df = self._b.query(f'SELECT {sel} FROM "{table}" WHERE run_id = ?', (run_id,))
        return df

    def query(self, sql: str, params: tuple = ()) -> pd.DataFrame:
        """Plain SQL on the store (``?`` placeholders)."""
        return self._b.query(sql, params)

    def export(
        self, ref: str, out: str | os.PathLike, *, overwrite: bool = False, fmt: str = "csv"
    ) -> Path:
        """Write a run's tables (CSV or Parquet), ``run.json`` and ``scenario.toml`` to a folder."""
        from serai._fs import replace_folder

        if fmt not in ("csv", "parquet"):
            raise InputError(f"unknown format '{fmt}' (csv or parquet)", field="format")
        run = self.get(ref)
        out = Path(out)
        with replace_folder(out, overwrite=overwrite) as tmp:
            for name in run.table_names:
                df = run.tables[name]
                p = Path(tmp) / f"{name}.{fmt}"
                df.to_csv(p, index=False) if fmt == "csv" else df.to_parquet(p, index=False)
            rec = {k: v for k, v in run.record.items() if k != "scenario_text"}
            for k in ("data_versions", "parameters", "timings", "summary"):
                rec[k] = _json(rec.get(k))
            (Path(tmp) / "run.json").write_text(
                json.dumps(rec, indent=2, default=str), encoding="utf-8"
            )
            (Path(tmp) / "scenario.toml").write_text(
                str(run.record.get("scenario_text") or ""), encoding="utf-8"
            )
        return out

    def close(self) -> None:
        self._b.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RunStore({self.kind}: {self.url})"


def open_store(url: str | os.PathLike | None = None) -> RunStore:
    """Open (and create) a run store: a DuckDB file path (default :func:`default_store_url`)
    or a ``postgresql://user@host/db`` URL."""
    return RunStore(url if url is not None else default_store_url())


def _np_default(o: Any) -> Any:
    if isinstance(o, np.integer | np.floating):
        return o.item()
    return str(o)
