"""docs/schema.md is generated from the column declarations and must be up to date."""

from pathlib import Path

from serai.schema import table_names, table_schema
from tools import gen_schema_docs

ROOT = Path(__file__).resolve().parents[2]


def test_committed_schema_docs_are_up_to_date():
    committed = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    assert committed == gen_schema_docs.render(), "run: python tools/gen_schema_docs.py"


def test_committed_format_docs_are_up_to_date():
    committed = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    assert committed == gen_schema_docs.render_formats(), "run: python tools/gen_schema_docs.py"
    for name in ("csv", "parquet", "geojson", "gpkg", "gmns", "tntp"):
        assert f"\n## {name} (" in committed


def test_schema_docs_list_every_declared_column():
    text = gen_schema_docs.render()
    for table in table_names():
        assert f"### {table}\n" in text
        for col in table_schema(table).columns:
            assert f"| `{col.name}` | {col.dtype} | {col.unit} |" in text
