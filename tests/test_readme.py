"""Every command of the README runs verbatim in a fresh copy of the repository.

The ``sh`` blocks run line by line with bash (a failing line fails the test
with its output); the ``python`` blocks run together, in order, as one script.
The copy holds the tracked files (as a fresh clone would) and the test's
environment stands for ``make demo`` and ``. .venv/bin/activate``: the
interpreter running the tests comes first on the PATH. Lines the test cannot
run verbatim are skipped, and only these: ``make ...`` (they build that
environment and run this suite), ``. .venv/bin/activate`` and ``serai serve``
without ``--help`` or ``--status`` (it runs until stopped; tests/api and tests/web
start it). The commands start no route server in the background
(``SERAI_ROUTE_SERVER=use``, tests/conftest.py); the test checks none is left.

Each ``sh`` block is one test, run in a fresh copy of its own (so the blocks can run on
different pytest-xdist workers), except blocks that use a folder an earlier block writes
into, which run after it in the same copy (:func:`_sh_units`); a static test checks that
no two blocks name the same file, so running them one after the other in one folder, as
a reader does, writes nothing twice.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# README lines known to fail, with the reason; each must still fail (a line that starts to
# work fails the test until it is taken off this list). Keep it empty: fix the line instead.
KNOWN_BROKEN: dict[str, str] = {}
FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.S | re.M)


def blocks(lang: str) -> list[str]:
    return [b for lng, b in FENCE.findall((ROOT / "README.md").read_text("utf-8")) if lng == lang]


def _skip(line: str) -> bool:
    return (
        line.startswith("make ")
        or line.startswith(". .venv/bin/activate")
        or (line.startswith("serai serve") and not {"--help", "--status"} & set(line.split()))
    )


def _copy_tracked_files() -> Path:
    import tempfile

    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    dst = Path(tempfile.mkdtemp(prefix="serai-readme-")) / "serai"
    for f in files:
        if not f:
            continue
        src = ROOT / f.decode()
        if src.is_file():
            (dst / f.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / f.decode())
    return dst


def _a_copy():
    """A copy of the tracked files, removed when the fixture ends."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    dst = _copy_tracked_files()
    yield dst
    shutil.rmtree(dst.parent, ignore_errors=True)


@pytest.fixture
def fresh_clone():
    """A fresh copy of the tracked files, removed after the test."""
    yield from _a_copy()


@pytest.fixture(scope="module")
def clone():
    """One copy of the tracked files for the module's tests."""
    yield from _a_copy()


@pytest.fixture(scope="module")
def env():
    bindir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", ""), "NO_COLOR": "1"}


def _lines(block: str) -> list[str]:
    return [ln.strip() for ln in block.splitlines() if ln.strip() and not ln.startswith("#")]


def _sh_blocks() -> list[tuple[str, list[str]]]:
    """(test id, lines) of each ``sh`` block with a line the test runs."""
    out = []
    for k, b in enumerate(blocks("sh")):
        lines = _lines(b)
        if any(not _skip(ln) for ln in lines):
            first = next(ln for ln in lines if not _skip(ln)).split()
            out.append(
                (f"{k:02d}-{first[1].strip('-') if first[0] == 'serai' else first[0]}", lines)
            )
    return out


def test_readme_has_the_activation_line():
    assert any(". .venv/bin/activate" in b for b in blocks("sh"))


def test_sh_blocks_have_lines_to_run():
    # the README's commands, not only `make ...`: at least 15 lines run verbatim below
    assert sum(not _skip(ln) for _, lines in _sh_blocks() for ln in lines) >= 15


_OUTPUT = re.compile(r"^[\w.-]+(/[\w.-]+)*(\.[A-Za-z]\w*|/)?$")


def _files_named(line: str, tracked: set[str]) -> set[str]:
    """Relative paths a line names that are not in the repository (what it writes)."""
    import shlex

    words = shlex.split(line.split("  #")[0].split(" #")[0], posix=True)
    out = set()
    for w in words[1:]:
        if w.startswith("-") or ("/" not in w and not re.search(r"\.[A-Za-z]\w*$", w)):
            continue
        if _OUTPUT.match(w) and w.rstrip("/") not in tracked:
            out.add(w.rstrip("/"))
    return out


def test_sh_blocks_write_no_file_twice():
    # the blocks run in copies of their own (test_sh_blocks_run_verbatim); a reader runs them
    # one after the other in one folder: no two blocks may write the same file, or the
    # second would meet the first's output (refused without --overwrite)
    tracked = _tracked()
    seen: dict[str, str] = {}
    for name, lines in _sh_blocks():
        names = set().union(*(_files_named(ln, tracked) for ln in lines if not _skip(ln)))
        for f in names:
            assert f not in seen, f"{f} is written by README blocks {seen[f]} and {name}"
            seen[f] = name
    assert {"sioux.gpkg", "out/runs.duckdb", "results.csv"} <= set(seen)


def _tracked() -> set[str]:
    tracked = set(
        subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    )
    return tracked | {str(Path(t).parent) for t in tracked}


def _sh_units() -> list[tuple[str, list[str]]]:
    """The blocks to run together, in README order: a block naming a file in a folder an earlier
    block writes into (``out/``: the scenario block's ``--store out/runs.duckdb`` needs the
    folder the flows block made) runs after that block, in the same copy."""
    tracked = _tracked()
    units: list[tuple[list[str], list[str], set[str]]] = []  # names, lines, folders written
    for name, lines in _sh_blocks():
        files = set().union(*(_files_named(ln, tracked) for ln in lines if not _skip(ln)))
        folders = {f.split("/", 1)[0] for f in files if "/" in f}
        dep = next((u for u in units if u[2] & folders), None)
        if dep is None:
            units.append(([name], list(lines), folders))
        else:
            dep[0].append(name)
            dep[1].extend(lines)
            dep[2].update(folders)
    return [("+".join(names), lines) for names, lines, _ in units]


@pytest.mark.parametrize(("name", "lines"), _sh_units(), ids=[n for n, _ in _sh_units()])
def test_sh_blocks_run_verbatim(name, lines, fresh_clone, env):
    ran = 0
    for line in lines:
        if _skip(line):
            continue
        r = subprocess.run(
            ["bash", "-o", "pipefail", "-c", line],
            cwd=fresh_clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if line in KNOWN_BROKEN:
            assert r.returncode != 0, f"README line works now: take it off KNOWN_BROKEN: {line}"
            continue
        assert r.returncode == 0, (
            f"README line failed ({r.returncode}): {line}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
        )
        ran += 1
    assert ran >= 1
    if sys.platform.startswith("linux"):  # no route server started in the background is left
        from tests.live import serve_processes

        assert serve_processes(env["SERAI_CACHE_DIR"]) == []


def test_python_blocks_run_verbatim(clone, env):
    script = "\n\n".join(blocks("python"))
    assert script
    r = subprocess.run(
        [sys.executable, "-c", script],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert r.returncode == 0, (
        f"README python blocks failed:\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    )


def test_validation_paragraph_is_the_reports():
    # the README quotes docs/validation.md's figures through one generated paragraph
    from serai.data.validation_report import README_BEGIN, README_END
    from tools import readme_figures as tool

    readme = (ROOT / "README.md").read_text("utf-8")
    a, b = tool.block(readme, README_BEGIN, README_END)
    assert readme[a:b] == tool.validation_paragraph(), "run: python tools/readme_figures.py"
    assert "USD" in readme[a:b] and " of " in readme[a:b]


def test_flagship_table_is_what_the_questions_answer():
    # every figure of the README's table is today's answer of its question (make demo's)
    from serai.freight.flagship import TABLE_BEGIN, TABLE_END
    from tools import readme_figures as tool

    readme = (ROOT / "README.md").read_text("utf-8")
    a, b = tool.block(readme, TABLE_BEGIN, TABLE_END)
    assert readme[a:b] == tool.flagship_table(), "run: python tools/readme_figures.py"


def test_readme_table_reads_the_summary_rows():
    # hand-made summary rows -> the table's cells (pairs side by side, 'no route' kept)
    import pandas as pd

    from serai.freight.flagship import README_TABLE, readme_table

    rows = []
    for k, (_, group, variants) in enumerate(README_TABLE):
        for j, v in enumerate(variants):
            rows.append({"question": group, "variant": v, "corridor": f"C{j}",
                         "days": 10.04 + k, "km": 1234.4 + j, "usd": 999.5 + j})  # fmt: skip
    rows[0]["corridor"] = "no route"
    md = readme_table(pd.DataFrame(rows)).splitlines()
    assert len(md) == 2 + len(README_TABLE)
    assert md[2].endswith("| no route | – | – | – |")
    sea = next(ln for ln in md if ln.startswith("| Xi'an -> Duisburg by sea"))
    assert sea.endswith("| C0 / C1 | 14.0 / 14.0 | 1,234 / 1,235 | 1,000 / 1,000 |")


def _readme_and_docs() -> list[tuple[str, str]]:
    return [
        (str(p.relative_to(ROOT)), p.read_text("utf-8"))
        for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    ]


def test_urls_to_paste_are_ascii():
    # a query in another script pasted into a URL (`curl "http://...?q=Алм"`) reaches uvicorn
    # unencoded: "Invalid HTTP request received." The docs show curl encoding it
    # (-G --data-urlencode) and no URL or endpoint with a non-ASCII query
    url = re.compile(r"(?:https?://|/api/)[^\s`\"')]*")
    bad = [(f, u) for f, text in _readme_and_docs() for u in url.findall(text) if not u.isascii()]
    assert not bad, bad
    curls = readme_curl_lines()
    assert any("--data-urlencode" in ln and "/api/places" in ln for ln in curls), curls
    for ln in curls:
        assert ln.isascii() or " -G " in ln, ln


def readme_curl_lines() -> list[str]:
    """The README's ``curl`` commands (``console`` blocks: they need a running ``serai serve``;
    tests/api/test_serve_process.py runs them against one)."""
    return [
        ln.strip()
        for b in blocks("console")
        for ln in b.splitlines()
        if ln.strip().startswith("curl ")
    ]
