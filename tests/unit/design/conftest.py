"""Fixtures for the factory-designer tests: a hand-solvable two-county problem."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from regdev.design.problem import DesignOptions, DesignProblem


def make_two_county_problem(**overrides: Any) -> DesignProblem:
    """Two counties A and B, 100 km apart; see ``test_design_hand_solved.py`` for the answer."""
    params: dict[str, Any] = {
        "region_ids": ["A", "B"],
        "region_names": ["Alpha", "Beta"],
        "provinces": ["P", "P"],
        "line_ids": ["L", "F"],
        "line_groups": ["food", "seafood"],
        "line_kinds": ["standard", "characteristic"],
        "line_category": np.array([0, 1]),
        "line_requires": np.array([-1, 0]),
        "categories": ["c", "f"],
        "resources": ["fish"],
        "category_basic": np.array([True, False]),
        "tonnes_per_unit": np.array([1.0, 1.0]),
        "module_size": np.array([100.0, 100.0]),
        "mes": np.array([50.0, 20.0]),
        "module_cost": np.array([[10.0, 5.0], [10.0, 5.0]]),
        "capex_per_module": np.array([[80.0, 40.0], [80.0, 40.0]]),
        "labour_per_module": np.array([[10.0, 5.0], [10.0, 5.0]]),
        "unit_cost": np.array([1.0, 1.0]),
        "inputs": np.array([[0.0], [1.0]]),
        "supply": np.array([[1000.0], [0.0]]),
        "demand": np.array([[150.0, 20.0], [30.0, 20.0]]),
        "allowed": np.array([[True, True], [True, False]]),
        "arc_from": np.array([0, 1]),
        "arc_to": np.array([1, 0]),
        "arc_km": np.array([100.0, 100.0]),
        "import_km": np.array([[50.0], [50.0]]),
        "external_cost": np.full((2, 2), 2.0),
        "baseline_tkm": np.full((2, 2), 100.0),
        "bonus": np.array([[0.0, 3.0], [0.0, 0.0]]),
        "coverage_target": 0.5,
        "cost_per_tkm": 0.001,
        "standard_groups": ["food"],
        "tiers": np.array([2, 2]),
        "options": DesignOptions(),
        "metadata": {"force": {}},
    }
    params.update(overrides)
    return DesignProblem(**params)


@pytest.fixture
def two_county() -> Callable[..., DesignProblem]:
    """Factory fixture: the two-county problem with optional overrides."""
    return make_two_county_problem
