"""The examples in the assignment docstrings run and give what they show."""

from __future__ import annotations

import doctest

import pytest

from serai import _csv
from serai.assignment import config, dispatch, engine, vdf
from serai.network import clean


@pytest.mark.parametrize(
    "module", [config, engine, vdf, dispatch, clean, _csv], ids=lambda m: m.__name__
)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
