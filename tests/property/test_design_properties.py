"""Property tests of the factory designer on random small countries.

Every design: no opened line lacks its raw material (local supply plus paid
imports cover every input); characteristic lines only where their raw
material exists (unless forced); basic categories covered to the target
share from local or nearby production; demand met; at least one line of
each standard group in every factory group; output within capacity and at
least the minimum efficient scale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regdev.design import DesignOptions, design
from regdev.registry import RegionRegistry

SETTINGS = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
RESOURCES = [
    "fish",
    "seaweed",
    "wild fruit",
    "livestock",
    "silk",
    "timber",
    "building_stone",
    "rice",
    "",
]
PHYS = ["mountainous", "mixed", "lowland", "coastal"]


@st.composite
def countries(draw):
    n = draw(st.integers(2, 7))
    rows = [
        {
            "region_id": "X-CAP",
            "name": "Capital",
            "province": "Capital",
            "kind": "capital",
            "population": 500_000,
            "area_km2": 500,
            "lat": 39.0,
            "lon": 126.0,
            "coastal": False,
            "physiography": "lowland",
            "resources": "",
        }
    ]
    for i in range(n):
        res = draw(st.lists(st.sampled_from(RESOURCES), max_size=3, unique=True))
        rows.append(
            {
                "region_id": f"X-R{i}",
                "name": f"Region {i}",
                "province": draw(st.sampled_from(["P", "Q"])),
                "kind": "county",
                "population": draw(st.integers(10_000, 300_000)),
                "area_km2": draw(st.integers(50, 2_000)),
                "lat": draw(st.floats(38.0, 42.0)),
                "lon": draw(st.floats(124.5, 129.5)),
                "coastal": draw(st.booleans()),
                "physiography": draw(st.sampled_from(PHYS)),
                "resources": ";".join(r for r in res if r),
            }
        )
    reg = RegionRegistry.from_frame(pd.DataFrame(rows), source="hypothesis")
    options = DesignOptions(
        coverage_target=draw(st.sampled_from([0.0, 0.3, 0.6, 0.9])),
        specialty_bonus_kusd=draw(st.sampled_from([0.0, 30.0, 200.0])),
        k_neighbours=draw(st.integers(1, 3)),
        time_limit=3.0,  # any feasible design must satisfy the properties
    )
    tier = draw(st.integers(1, 3))
    return reg, options, tier


def _check_design(res) -> None:
    p, sol = res.problem, res.solution
    tol = 1e-5 * max(1.0, float(p.demand.max()))
    # raw materials: use <= local supply + paid imports, and imports are charged
    use = sol.x @ p.inputs
    assert (use <= p.supply + sol.u + tol).all()
    assert (sol.u >= -tol).all()
    opened = sol.y
    # characteristic lines only where the raw material exists in commercial quantity
    char = np.array([k == "characteristic" for k in p.line_kinds])
    assert not (opened[:, char] & ~p.allowed[:, char]).any()
    for i, k in zip(*np.nonzero(opened[:, char]), strict=True):
        k_full = np.flatnonzero(char)[k]
        r = p.line_requires[k_full]
        assert p.supply[i, r] > 0
    # output within capacity and at least the minimum efficient scale when open
    assert (sol.x <= sol.m * p.module_size[None, :] + tol).all()
    assert (sol.x[opened] >= np.broadcast_to(p.mes, sol.x.shape)[opened] - tol).all()
    assert not (sol.m[~opened] > 0).any()
    # demand met and coverage target from local or nearby production
    made = np.zeros_like(p.demand)
    np.add.at(made.T, p.line_category, sol.x.T)
    out = np.zeros_like(made)
    inn = np.zeros_like(made)
    np.add.at(out, p.arc_from, sol.s)
    np.add.at(inn, p.arc_to, sol.s)
    local_or_nearby = made - out + inn
    assert (local_or_nearby + sol.e >= p.demand - tol).all()
    basic = p.category_basic
    assert (local_or_nearby[:, basic] >= p.coverage_target * p.demand[:, basic] - tol).all()
    # one line per standard group per factory group
    groups = np.array(p.line_groups)
    for g in p.standard_groups:
        assert opened[:, groups == g].any(axis=1).all(), g
    # the objective is what the reported costs add up to, and bound <= objective
    assert res.info.bound <= res.objective + 1e-6 * abs(res.objective)


@pytest.mark.solver
@SETTINGS
@given(countries())
def test_design_properties_hold_on_random_countries(country):
    reg, options, tier = country
    res = design(reg, options=options, tiers=tier)
    _check_design(res)
    fac = res.factories_frame()
    assert (fac["raw_materials_needed"].str.len() > 0).sum() >= 1


@pytest.mark.solver
@SETTINGS
@given(countries(), st.data())
def test_design_forced_lines_pay_for_imported_raw_material(country, data):
    reg, options, tier = country
    prog = reg.programme().ids
    rid = data.draw(st.sampled_from(prog))
    line = data.draw(st.sampled_from(["silk_weaving", "seafood_processing", "stone_materials"]))
    res = design(reg, options=options, tiers=tier, force={(rid, line): True})
    p, sol = res.problem, res.solution
    i, k = p.region_pos(rid), p.line_pos(line)
    assert sol.y[i, k]
    r = p.line_requires[k]
    need = (sol.x[i] @ p.inputs)[r]
    assert sol.u[i, r] >= need - p.supply[i, r] - 1e-6
    _check_design_without_allowed(res)


def _check_design_without_allowed(res) -> None:
    p, sol = res.problem, res.solution
    tol = 1e-5 * max(1.0, float(p.demand.max()))
    use = sol.x @ p.inputs
    assert (use <= p.supply + sol.u + tol).all()
