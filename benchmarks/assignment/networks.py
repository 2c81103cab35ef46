"""The benchmark networks, laid out once for every engine.

``prepare(tntp, out)`` writes, under ``out``:

- ``<Folder>/<stem>_net.tntp`` and ``_trips.tntp`` for each network (a TNTP folder tree that
  serai, TAP-B and the AequilibraE driver all read), and
- the power-1.5 variants: the same network with every BPR power rewritten to 1.5 (the
  TNTP files here all use power 4; Hessen, which uses 1.5, is not among them), named
  ``<name>-p1.5``. Nothing else changes (capacities, b, demand), so the variant keeps its
  network's size and congestion pattern but has a BPR whose derivative is unbounded in
  curvature at zero flow.

TAP-B reads the same files; its net file also needs the generalised-cost factors in the
header (``<TOLL FACTOR>``, ``<DISTANCE FACTOR>``), which are added for Chicago-Sketch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Bench:
    name: str  # label in the tables
    folder: str  # folder under the TNTP root
    stem: str  # file stem: <stem>_net.tntp, <stem>_trips.tntp
    length_weight: float
    toll_weight: float
    power: float | None = None  # rewrite every BPR power to this

    @property
    def out_folder(self) -> str:
        return self.folder if self.power is None else f"{self.folder}-p{self.power:g}"


BASE = {
    "SiouxFalls": Bench("SiouxFalls", "SiouxFalls", "SiouxFalls", 0.0, 0.0),
    "Anaheim": Bench("Anaheim", "Anaheim", "Anaheim", 0.0, 0.0),
    "ChicagoSketch": Bench("ChicagoSketch", "Chicago-Sketch", "ChicagoSketch", 0.04, 0.02),
    "BerlinTiergarten": Bench(
        "BerlinTiergarten", "Berlin-Tiergarten", "berlin-tiergarten", 0.0, 0.0
    ),
}
VARIANTS = {
    "Anaheim-p1.5": Bench("Anaheim-p1.5", "Anaheim", "Anaheim", 0.0, 0.0, 1.5),
    "ChicagoSketch-p1.5": Bench(
        "ChicagoSketch-p1.5", "Chicago-Sketch", "ChicagoSketch", 0.04, 0.02, 1.5
    ),
}
ALL = {**BASE, **VARIANTS}

_COLUMNS = ["init_node", "term_node", "capacity", "length", "free_flow_time", "b", "power"]


def rewrite_power(text: str, power: float) -> str:
    """A TNTP net file with the 7th link column (power) set to ``power`` on every link."""
    head, sep, body = text.partition("<END OF METADATA>")
    lines = body.split("\n")
    for i, line in enumerate(lines):
        s = line.strip()
        if not s or s.startswith("~"):
            continue
        cells = re.split(r"[ \t]+", s.rstrip(";").strip())
        if len(cells) < len(_COLUMNS):
            continue
        cells[6] = f"{power:g}"
        lines[i] = "\t" + "\t".join(cells) + "\t;"
    return head + sep + "\n".join(lines)


def _with_factors(text: str, b: Bench) -> str:
    extra = ""
    if "<TOLL FACTOR>" not in text and b.toll_weight:
        extra += f"<TOLL FACTOR> {b.toll_weight:g}\n"
    if "<DISTANCE FACTOR>" not in text and b.length_weight:
        extra += f"<DISTANCE FACTOR> {b.length_weight:g}\n"
    return text.replace("<END OF METADATA>", extra + "<END OF METADATA>", 1) if extra else text


def prepare(tntp: Path, out: Path, names: list[str]) -> dict[str, tuple[Path, Path]]:
    """Write the networks; returns name -> (net file, trips file) under ``out``."""
    paths = {}
    for name in names:
        b = ALL[name]
        src = tntp / b.folder
        dst = out / b.out_folder
        dst.mkdir(parents=True, exist_ok=True)
        net = (src / f"{b.stem}_net.tntp").read_text(encoding="utf-8", errors="replace")
        if b.power is not None:
            net = rewrite_power(net, b.power)
        net_f, trips_f = dst / f"{b.stem}_net.tntp", dst / f"{b.stem}_trips.tntp"
        net_f.write_text(_with_factors(net, b))
        trips_f.write_text((src / f"{b.stem}_trips.tntp").read_text(errors="replace"))
        paths[name] = (net_f, trips_f)
    return paths
