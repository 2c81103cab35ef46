"""Write numeric columns as CSV text exactly as ``pandas.DataFrame.to_csv(index=False)``.

For the commands that write a table of numbers and have no other use for pandas
(``serai assign`` to ``.csv``): pandas formats a float column with
``values.astype(str)`` (numpy's shortest round-trip text), an empty field for NaN,
and an integer or boolean column with ``astype(str)``; rows end with
``os.linesep``. This does the same, so the files are byte for byte the ones pandas
writes (``tests/test_csv.py`` compares them).

Examples
--------
>>> import io, numpy as np
>>> buf = io.StringIO()
>>> write_columns(buf, {"id": np.array([1, 2]), "v": np.array([0.1, np.nan])})
>>> buf.getvalue().splitlines()
['id,v', '1,0.1', '2,']
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from typing import TextIO

import numpy as np

__all__ = ["write_columns"]


def _text(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind == "f":
        out = a.astype(str).astype(object)
        out[np.isnan(a)] = ""
        return out
    if a.dtype.kind in "iub":
        return a.astype(str).astype(object)
    raise TypeError(f"only numeric columns are written here, got dtype {a.dtype}")


def write_columns(out: TextIO, columns: Mapping[str, np.ndarray]) -> None:
    """Write ``columns`` (equal-length 1-d numeric arrays) with a header row to ``out``."""
    names = list(columns)
    texts = [_text(np.asarray(columns[c])) for c in names]
    w = csv.writer(out, lineterminator=os.linesep)
    w.writerow(names)
    w.writerows(zip(*texts, strict=True))
