"""docs/tutorial.ipynb runs top to bottom in a fresh kernel and shows what it says."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed")
nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed")
pytest.importorskip("ipykernel", reason="ipykernel is not installed")

ROOT = Path(__file__).resolve().parents[1]


def _text(cell) -> str:
    out = []
    for o in cell.get("outputs", []):
        data = o.get("data", {})
        out.append(data.get("text/plain", "") + data.get("text/html", "") + o.get("text", ""))
    return "\n".join(out)


def test_tutorial_executes():
    nb = nbformat.read(ROOT / "docs" / "tutorial.ipynb", as_version=4)
    nbclient.NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not any(o.get("output_type") == "error" for o in c.outputs) for c in code)
    texts = [_text(c) for c in code]
    # compact reprs: a few hundred characters of text, an HTML table, never the arrays
    route_text = texts[2]
    assert "Middle Corridor" in route_text or "Southern" in route_text or "Sea via" in route_text
    assert len(code[2].outputs[0]["data"]["text/plain"]) < 400
    assert "<table" in code[2].outputs[0]["data"]["text/html"]
    assert "Router" in texts[1] and len(code[1].outputs[0]["data"]["text/plain"]) < 400
    assert "geometry" in texts[7]
    assert "error" in texts[8] and "Atlantis" in texts[8]
