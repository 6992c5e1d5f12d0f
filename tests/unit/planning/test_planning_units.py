"""Issue 9 (partly): the construction units' relocation implied by a factory schedule."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from regdev.planning.units import great_circle_km, relocation


def test_relocation_equals_brute_force_on_small_cohorts():
    rng = np.random.default_rng(7)
    for _ in range(20):
        n = 8
        lat, lon = rng.uniform(38, 42, n), rng.uniform(124, 130, n)
        yi = np.array([0, 0, 0, 0, 1, 1, 1, -1])
        got = relocation(yi, lat, lon, n_years=2)["km_per_year"][1]
        prev, cur = np.arange(4), np.array([4, 5, 6])
        d = great_circle_km(lat[prev], lon[prev], lat[cur], lon[cur])
        best = min(
            sum(d[r, c] for c, r in enumerate(perm)) for perm in itertools.permutations(range(4), 3)
        )
        assert got == pytest.approx(best)


def test_one_degree_of_longitude_on_the_equator():
    d = great_circle_km(np.array([0.0]), np.array([0.0]), np.array([0.0]), np.array([1.0]))
    assert d[0, 0] == pytest.approx(2 * np.pi * 6371.0088 / 360)


@pytest.mark.solver
def test_plan_json_reports_the_units_relocation():
    from regdev.planning import build_problem, plan_rollout
    from regdev.planning.output import build_plan_json
    from regdev.registry import load_default

    plan = plan_rollout(build_problem(load_default(), history=False))
    units = build_plan_json(plan, plan.schedule)["construction_units"]
    assert units["years"][0] == 2024 and units["km_per_year"][0] == 0
    assert units["total_km"] == pytest.approx(sum(units["km_per_year"]), abs=1.0)
    assert 0 < units["max_move_km"] < 1000  # the country is about 600 km across
    assert units["moves"] == 7 * 20 + 19  # 20 → 20 seven times, 20 → 19 once
