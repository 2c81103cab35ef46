"""Put the generated figures into ``README.md``: one source for every number it quotes.

Two marked blocks of the README are generated, never edited by hand:

- the table of flagship answers (:func:`serai.freight.flagship.readme_table`: the questions of
  ``make demo``, answered on the embedded network of each question's year; ``make demo``
  writes the same table to ``out/demo/route_summary.md``);
- the paragraph on validation, copied from ``docs/validation.md`` (written by
  ``serai data validate-report`` from the same answers as that report's tables).

Usage::

    python tools/readme_figures.py          # rewrite the two blocks of README.md
    python tools/readme_figures.py --check  # exit 1 if either is out of date

``tests/test_readme.py`` fails when a block is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
VALIDATION = ROOT / "docs" / "validation.md"


def block(text: str, begin: str, end: str, *, where: str = "README.md") -> tuple[int, int]:
    """(start, stop) of the text between the ``begin`` and ``end`` marker lines."""
    i = text.find(begin)
    j = text.find(end, i + 1) if i >= 0 else -1
    if i < 0 or j < 0:
        raise SystemExit(f"{where}: markers {begin!r} ... {end!r} not found")
    return i + len(begin) + 1, j


def validation_paragraph(report: str | None = None) -> str:
    """The paragraph between the markers of ``docs/validation.md``."""
    from serai.data.validation_report import README_BEGIN, README_END

    text = report if report is not None else VALIDATION.read_text("utf-8")
    a, b = block(text, README_BEGIN, README_END, where="docs/validation.md")
    return text[a:b]


def flagship_table() -> str:
    """The table of flagship answers on the embedded network (routers from the cache)."""
    from serai.freight.cache import cached_router
    from serai.freight.flagship import FLAGSHIP, answer_flagship, readme_table, summary_table

    routers = {y: cached_router(year=y) for y in sorted({q.year for q in FLAGSHIP})}
    return readme_table(summary_table(answer_flagship(routers))) + "\n"


def render(readme: str, table: str, paragraph: str) -> str:
    """``readme`` with the two blocks replaced."""
    from serai.data.validation_report import README_BEGIN, README_END
    from serai.freight.flagship import TABLE_BEGIN, TABLE_END

    a, b = block(readme, TABLE_BEGIN, TABLE_END)
    readme = readme[:a] + table + readme[b:]
    a, b = block(readme, README_BEGIN, README_END)
    return readme[:a] + paragraph + readme[b:]


def main(argv: list[str]) -> int:
    old = README.read_text("utf-8")
    new = render(old, flagship_table(), validation_paragraph())
    if "--check" in argv:
        if new != old:
            print("README.md figures are out of date: run python tools/readme_figures.py")
            return 1
        return 0
    if new != old:
        tmp = README.with_suffix(".md.tmp")
        tmp.write_text(new, encoding="utf-8")
        tmp.replace(README)
        print("README.md: figures updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
