"""Staffing norms, training requirement and the national coverage-set builder."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

import regdev.health.staffing as staffing_mod
from regdev.health.covering import coverage_matrix
from regdev.health.national import coverage_sets
from regdev.health.staffing import (
    hospital_staff,
    load_norms,
    norms_table,
    post_staff,
    training_lead_years,
    training_requirement,
)
from regdev.health.travel import TravelParameters, crow_minutes


def test_docstring_examples():
    res = doctest.testmod(staffing_mod)
    assert res.attempted > 0 and res.failed == 0


def test_every_norm_has_a_source_and_a_kind():
    t = norms_table()
    assert t["source"].str.len().min() > 10
    assert set(t["kind"]) <= {"norm", "assumption"}


def test_post_and_hospital_staff_by_hand():
    n = load_norms()
    assert post_staff(100.0, n) == {"doctors": 1, "nurses": 2, "iehk_basic_modules_per_year": 4}
    h = hospital_staff(100_000.0, n)
    # 0.9/1000 → 90 doctors; 2.5/1000 → 250 beds; 0.6 per bed → 150 nurses; 10 modules × 4
    assert h == {
        "doctors": 90,
        "beds": 250,
        "nurses": 150,
        "iehk_supplementary_modules_per_year": 40,
    }


def test_training_starts_a_course_length_before_opening():
    staff = pd.DataFrame({"region_id": ["a", "a", "b"], "doctors": [2, 10, 5], "nurses": [2, 6, 3]})
    t = training_requirement(staff, {"a": 2030, "b": 2030}, {"a": "P", "b": "P"})
    rows = {int(r.year): r for r in t.itertuples()}
    assert rows[2024].doctors_to_start == 17 and rows[2024].nurses_to_start == 0
    assert rows[2028].nurses_to_start == 11
    assert training_lead_years() == 6


def test_kdtree_coverage_sets_equal_the_dense_matrix():
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"lat": 39 + rng.uniform(0, 0.3, 300), "lon": 126 + rng.uniform(0, 0.3, 300)})
    c = d.iloc[::3]
    terrain = np.where(np.arange(300) % 2 == 0, "lowland", "mountainous")
    p = TravelParameters()
    sparse = coverage_sets(d, c, terrain, 45.0, p)
    dense = coverage_matrix(crow_minutes(d["lat"], d["lon"], c["lat"], c["lon"], terrain, p), 45.0)
    diff = abs(sparse - dense)
    assert sparse.nnz > 0
    # identical up to pairs lying exactly on the boundary (floating point)
    assert diff.nnz <= 2


@pytest.mark.slow
def test_national_mclp_has_a_certified_gap():
    from regdev.health.national import national_mclp
    from regdev.health.settlements import synthetic_settlements
    from regdev.registry import load_default

    reg = load_default()
    s = synthetic_settlements(reg, total=40_000, seed=1)
    cand = s.iloc[::2]
    out = national_mclp(reg, s, cand, 300, standard=30.0, time_limit=60)
    r = out.result
    assert r.bound >= r.covered > 0
    assert r.gap == pytest.approx((r.bound - r.covered) / r.covered)
