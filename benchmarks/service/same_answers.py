"""Two `serai serve` trees give the same answers to the load test's questions, byte for byte.

    .venv/bin/python benchmarks/service/same_answers.py --root /tmp/before [--n 200]
        [--serve-arg=--processes=2]

Starts `serai serve` from ``--root`` (e.g. a git worktree of an older commit) and from this
checkout, each on a free 127.0.0.1 port, and sends both the first ``--n`` questions of
load.py's ``distinct`` mix and of its popular ones (``POST /api/route`` with geometry),
plus invalid ones (a missing field, an unknown place, an unknown country code, a body that
is not JSON), once with ``Accept-Encoding: gzip`` and once without: the status, the
headers in order (but ``Date``, ``Server`` and ``Content-Length``) and the body bytes
(decompressed; the ``took_ms`` timing masked) must be equal. Prints the count compared and
the first differences; exits 1 on any. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import POPULAR, all_questions, encode, free_port, sequence, start_server

BAD = [
    b'{"origin": "Almaty"}',
    b'{"origin": "Almaty", "destination": "Nowhereville"}',
    b'{"origin": "Almaty", "destination": "Poti", "avoid_countries": ["XX"]}',
    b'{"origin": "Almaty", "destination": "Poti", "objective": "fastest", "colour": 1}',
    b"{not json",
]


def ask(base: str, body: bytes, gz: bool) -> tuple:
    h = {"Content-Type": "application/json", **({"Accept-Encoding": "gzip"} if gz else {})}
    req = urllib.request.Request(base + "/api/route", data=body, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            status, headers, data = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, headers, data = e.code, e.headers, e.read()
    enc = headers.get("Content-Encoding")
    if enc == "gzip":
        data = gzip.decompress(data)
    data = re.sub(rb'"took_ms":[0-9.eE+-]+', b'"took_ms":0', data)
    # every header in order but the date, the server's name and the length (the digits
    # of took_ms; a gzip body's length changes with the compressor)
    rest = [(k.lower(), v) for k, v in headers.items()
            if k.lower() not in ("date", "server", "content-length")]  # fmt: skip
    return status, headers.get("Content-Type"), enc, headers.get("X-Cache"), data, rest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", required=True, help="the other checkout")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--serve-arg", action="append", default=[])
    a = ap.parse_args()
    bodies = [encode(q) for q in sequence("distinct", a.n) + all_questions()[:POPULAR]] + BAD
    servers, bases = [], []
    try:
        for root in (a.root, None):
            port = free_port()
            servers.append(start_server(port, a.serve_arg, root=root))
            bases.append(f"http://127.0.0.1:{port}")
        diffs = []
        for body in bodies:
            for gz in (True, False):  # the second time: a cache hit for answers
                x, y = (ask(b, body, gz) for b in bases)
                if x != y:
                    diffs.append((body, gz, x[:4], y[:4], x[5], y[5]))
        n = 2 * len(bodies)
        print(json.dumps({"compared": n, "different": len(diffs), "root": a.root}))
        for d in diffs[:5]:
            print(d)
        sys.exit(1 if diffs else 0)
    finally:
        for s in servers:
            s.terminate()
            s.wait(timeout=30)


if __name__ == "__main__":
    main()
