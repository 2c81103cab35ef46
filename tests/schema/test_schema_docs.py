"""docs/schema.md is generated from the column declarations and must be up to date."""

import importlib.util
from pathlib import Path

from serai.schema import table_names, table_schema

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location(
        "gen_schema_docs", ROOT / "tools" / "gen_schema_docs.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_committed_schema_docs_are_up_to_date():
    committed = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    assert committed == _tool().render(), "run: python tools/gen_schema_docs.py"


def test_committed_format_docs_are_up_to_date():
    committed = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    assert committed == _tool().render_formats(), "run: python tools/gen_schema_docs.py"
    for name in ("csv", "parquet", "geojson", "gpkg", "gmns", "tntp"):
        assert f"\n## {name} (" in committed


def test_schema_docs_list_every_declared_column():
    text = _tool().render()
    for table in table_names():
        assert f"### {table}\n" in text
        for col in table_schema(table).columns:
            assert f"| `{col.name}` | {col.dtype} | {col.unit} |" in text
