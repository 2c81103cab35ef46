"""serai's CSV writer for numeric columns writes the bytes pandas' ``to_csv`` writes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from serai._csv import write_columns


def test_same_bytes_as_pandas(tmp_path):
    rng = np.random.default_rng(4)
    special = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1e16, 1e15, 123456789.125, 1e-5,
                        1e-4, 0.1, 1 / 3, 5e-324, 1.7976931348623157e308, 100.0, -2.5])  # fmt: skip
    n = len(special)
    cols = {
        "id": np.arange(n, dtype=np.int64) * 10**12,
        "small": np.arange(n, dtype=np.int32) - 3,
        "flag": np.arange(n) % 2 == 0,
        "special": special,
        "random": rng.lognormal(0, 20, n) * rng.choice([-1, 1], n),
        "f32": np.where(np.abs(special) < 1e38, special, 1.0).astype(np.float32),
    }
    got, want = tmp_path / "got.csv", tmp_path / "want.csv"
    with open(got, "w", encoding="utf-8", newline="") as fh:
        write_columns(fh, cols)
    pd.DataFrame(cols).to_csv(want, index=False)
    assert got.read_bytes() == want.read_bytes()
