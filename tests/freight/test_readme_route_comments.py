"""What the README says a `serai route` line answers is what it answers.

The README's line ``serai route --from Shanghai --to Rotterdam --modes sea --avoid-passage
suez  # via the Cape`` answered "Sea via Panama" (the Panama Canal lane is a passage of the
network: with Suez alone avoided the shortest way crosses the Pacific, 25,013 against
25,754 km round the Cape, as serai/freight/flagship.py notes). Oracle: the corridor the README
comment names, asked of the router on the 2025 network with the line's own options.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
#: README comment -> the corridor label the answer must carry
SAYS = {"via the Cape": "Sea via Cape"}


def _lines() -> list[tuple[str, str]]:
    out = []
    for line in README.read_text(encoding="utf-8").splitlines():
        cmd, _, comment = line.partition("#")
        for says, corridor in SAYS.items():
            if cmd.startswith("serai route ") and comment.strip() == says:
                out.append((cmd.strip(), corridor))
    return out


def _options(cmd: str) -> dict:
    argv = shlex.split(cmd)[2:]
    opts = dict(zip(argv[::2], argv[1::2], strict=True))
    split = lambda v: [x for x in re.split(r"[,;]", v) if x]  # noqa: E731
    kw = {}
    if "--modes" in opts:
        kw["modes"] = split(opts["--modes"])
    if "--avoid-passage" in opts:
        kw["avoid_passages"] = split(opts["--avoid-passage"])
    assert set(opts) <= {"--from", "--to", "--modes", "--avoid-passage"}, cmd
    return {"origin": opts["--from"], "destination": opts["--to"], **kw}


@pytest.mark.skipif(not README.exists(), reason="needs the repository's README")
def test_the_readme_route_comments_hold(eurasia_router_2025):
    lines = _lines()
    assert lines, "no README route line says 'via the Cape'"
    for cmd, corridor in lines:
        r = eurasia_router_2025.route(**_options(cmd))
        assert r.corridor == corridor, (cmd, r.corridor)
