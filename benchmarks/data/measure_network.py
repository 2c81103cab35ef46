"""Size and load time of the embedded network (run on demand, not in the tests).

    SERAI_CACHE_DIR=off .venv/bin/python benchmarks/data/measure_network.py

Prints the Parquet size of ``serai/data/eurasia``, nodes and links, the first
``load_network()`` of this process (imports of the loader included) and two builds of
``make_router(load_network(2025))`` (the on-disk router cache off), with the load average.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def main() -> None:
    import serai
    from serai.data import load_network
    from serai.freight.query import make_router

    folder = Path(serai.__file__).parent / "data" / "eurasia"
    size = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    print(f"size_bytes={size} ({size / 1e6:.2f} MB)")
    t = time.perf_counter()
    net = load_network()
    print(f"load_network() first call {time.perf_counter() - t:.2f} s")
    print("nodes", len(net.nodes), "links", len(net.links))
    print("links by mode", net.links["mode"].value_counts().to_dict())
    for _ in range(2):
        t = time.perf_counter()
        make_router(load_network(2025))
        print(f"make_router(load_network(2025)) {time.perf_counter() - t:.2f} s")
    print("load average", os.getloadavg())


if __name__ == "__main__":
    main()
