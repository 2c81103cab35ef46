"""Run the examples in the docstrings of serai.minerals (they are part of the API docs)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["serai.minerals.tables", "serai.minerals.products", "serai.minerals.validation"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
