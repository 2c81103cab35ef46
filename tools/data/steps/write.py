"""Write the tables as a whole behind the ``serai data check`` gate (last stage of the
build)."""

from __future__ import annotations

import json
from pathlib import Path

from tools.data.steps.common import OUT

CHECK_YEARS = (None, 2030)  # today's network and the one with the planned lines open


def _write(out: Path, tables: dict, overwrite: bool = True, check: bool = True, log=print) -> dict:
    """Write the tables into ``out`` as a whole; with ``check``, only if ``serai data check``
    finds no anomaly in the new network for each of :data:`CHECK_YEARS` (else
    :class:`serai.errors.InputError` and ``out`` keeps the previous build)."""
    from serai._fs import replace_folder

    # the checkout's data folder is the build's own: its tables are replaced, stale ones dropped
    owned = ("*.parquet", "network.json") if Path(out).resolve() == OUT.resolve() else ()
    with replace_folder(out, overwrite=overwrite, owned=owned) as new:
        _write_into(new, tables)
        counts = anomalies(new, log) if check else {}
        bad = {y: {k: v for k, v in c.items() if v} for y, c in counts.items()}
        bad = {y: c for y, c in bad.items() if c}
        if bad:
            from serai.errors import InputError

            what = "; ".join(
                f"{'today' if y is None else y}: " + ", ".join(f"{k} {v:,}" for k, v in c.items())
                for y, c in bad.items()
            )
            raise InputError(
                f"the new network has anomalies ({what}); the previous build is kept. "
                "`serai data check --network <folder> --details 20` lists them (build with "
                "--allow-anomalies --out <folder> to inspect)",
                file=str(out),
            )
    return counts


def anomalies(folder: Path, log=print) -> dict:
    """``serai data check`` counts of the network in ``folder`` for each of CHECK_YEARS."""
    from serai.data import load_network
    from serai.data.check import check_network, default_land_path, load_land

    land_paths = default_land_path()
    land = load_land(*land_paths) if land_paths else None
    net = load_network(path=folder)
    out = {}
    for y in CHECK_YEARS:
        rep = check_network(net, year=y, land=land)
        out[y] = dict(rep.counts)
        log(f"check ({'today' if y is None else y}): {rep.total} anomalies {rep.counts}")
    return out


def _write_into(out: Path, tables: dict) -> None:
    for name, df in tables.items():
        df = df.reset_index(drop=True)
        for c in df.columns:
            if df[c].dtype == object:
                df[c] = df[c].astype(str).replace({"nan": "", "<NA>": ""})
        df.to_parquet(out / f"{name}.parquet", index=False, compression="zstd")
    meta = {"name": "eurasia", "crs": "EPSG:4326", "units": {"length": "km", "free_flow_time": "min"},
            "licence": "ODbL-1.0 (rail/road, © OpenStreetMap contributors); see LICENSE.md and SOURCES.md"}  # fmt: skip
    (out / "network.json").write_text(
        json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
