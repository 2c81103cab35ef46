"""docs/emissions.md: the generated tables must match the engine and the shipped factors."""

from __future__ import annotations

from pathlib import Path

from tools import gen_emissions_docs

ROOT = Path(__file__).resolve().parents[2]


def test_committed_emissions_docs_are_up_to_date():
    text = (ROOT / "docs" / "emissions.md").read_text(encoding="utf-8")
    assert text.count("<!-- BEGIN generated:") == 6
    assert gen_emissions_docs.render(text) == text, "run: python tools/gen_emissions_docs.py"


def test_worked_example_total_in_docs_matches_engine():
    from serai.emissions import account_chain
    from serai.emissions.examples import middle_corridor_example

    legs, shipment = middle_corridor_example()
    total = account_chain(legs, shipment).totals["wtw_kg"]
    text = (ROOT / "docs" / "emissions.md").read_text(encoding="utf-8")
    assert f"**{total:,.1f}**" in text
