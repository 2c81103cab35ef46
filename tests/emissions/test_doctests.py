"""Run the examples in the docstrings of serai.emissions (they are part of the API docs)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "serai.emissions.factors",
    "serai.emissions.accounting",
    "serai.emissions.cost",
    "serai.emissions.export",
    "serai.emissions.examples",
    "serai.emissions.io",
    "serai.emissions.routes",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
