"""Run the docstring examples of the planning and reporting modules."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "regdev.planning",
    "regdev.planning.scenario",
    "regdev.planning.sizing",
    "regdev.planning.problem",
    "regdev.reporting.svg",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0


def test_docs_state_the_default_cadence():
    from pathlib import Path

    from regdev.planning.problem import factory_cadence

    doc = " ".join(
        (Path(__file__).resolve().parents[3] / "docs" / "planning.md").read_text("utf-8").split()
    )
    assert factory_cadence(179, 20, 10).tolist() == [20] * 8 + [19, 0]
    assert "20 a year in 2024–2031, 19 in 2032 and none in 2033" in doc
