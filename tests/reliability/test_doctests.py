"""Run the examples in the docstrings of serai.reliability (they are part of the API docs)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "serai.reliability",
    "serai.reliability.dists",
    "serai.reliability.montecarlo",
    "serai.reliability.tables",
    "serai.reliability.objective",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
