"""The Examples of the shared reporting modules, the font module and the boundaries run."""

import doctest
import importlib

import pytest

MODULES = [
    "regdev.fonts",
    "regdev.registry.boundaries",
    "regdev.reporting.maps",
    "regdev.reporting.xlsx",
    "regdev.reporting.compare",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0
    assert res.failed == 0
