"""History is the truth (issue 10): what was built or is under construction is fixed in every plan."""

from __future__ import annotations

import warnings

import pytest

from regdev.planning import build_problem, load_scenario, plan_rollout
from regdev.planning.history import (
    PILOT_ASSUMPTION,
    HistoryConflictWarning,
    programme_facts,
)
from regdev.planning.output import build_plan_json
from regdev.registry import historical_cohorts, load_default

KIMHWA = "KP-KAN-KIMHWA"


@pytest.fixture(scope="module")
def registry():
    return load_default()


def test_kimhwa_pilot_counts_as_built_and_is_the_only_pilot():
    facts = programme_facts(load_scenario())
    pilots = [(f.region_id, f.facility) for f in facts if f.source == "pilot"]
    assert pilots == [(KIMHWA, "factories")]
    # every real cohort of 2024-2026 is fixed: the facts cover historical_cohorts exactly
    fixed = {f.region_id for f in facts if f.facility == "factories" and f.source != "pilot"}
    cohorts = historical_cohorts("regional_industry_factories")
    assert fixed == {r for y in (2024, 2025, 2026) for r in cohorts.get(y, [])}


@pytest.mark.solver
@pytest.mark.parametrize(
    "updates",
    [
        {},
        {"factories": {"per_year": "auto"}, "capacity": {"scale": "auto"}},
        {"factories": {"per_year": 25}},
        {"horizon": {"first_year": 2026, "last_year": 2033}},
    ],
    ids=["default", "auto", "per-year-25", "from-2026"],
)
def test_no_kimhwa_factory_project_in_any_default_plan(registry, updates):
    sc = load_scenario().with_updates(**updates) if updates else load_scenario()
    problem = build_problem(registry, sc)
    plan = plan_rollout(problem)
    assert plan.status == "optimal"
    sched = plan.schedule
    assert sched.query("region_id == @KIMHWA and facility == 'factories'").empty
    # its other facilities are planned as for any county
    assert not sched.query("region_id == @KIMHWA and facility == 'hospital'").empty
    # and every fact within the horizon is fixed at its year
    for fact in problem.metadata["history"]["facts"]:
        if fact["state"] not in ("built", "under_construction") or fact["region_id"] == KIMHWA:
            continue
        got = sched.query("region_id == @fact['region_id'] and facility == @fact['facility']")
        if fact["year"] < sc.horizon.first_year:
            assert got.empty
        else:
            assert got["year"].tolist() == [fact["year"]]
            assert got["locked"].tolist() == [True]
    data = build_plan_json(plan, sched)
    assert data["history"]["assumptions"] == [PILOT_ASSUMPTION]


def test_a_lock_contradicting_the_data_is_reported_not_silent(registry):
    cohort_2024 = historical_cohorts("regional_industry_factories")[2024][0]
    sc = load_scenario().with_updates(
        locks=[
            {"region": KIMHWA, "facility": "factories", "year": 2027},
            {"region": cohort_2024, "facility": "factories", "year": 2029},
            {"region": KIMHWA, "facility": "hospital", "year": 2027},
        ]
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        problem = build_problem(registry, sc)
    msgs = [str(w.message) for w in caught if issubclass(w.category, HistoryConflictWarning)]
    assert len(msgs) == 2
    assert any(KIMHWA in m and "built before 2024" in m for m in msgs)
    assert any(cohort_2024 in m and "fixed to 2024" in m for m in msgs)
    conflicts = problem.metadata["history"]["conflicts"]
    assert {(c["region_id"], c["kind"]) for c in conflicts} == {
        (KIMHWA, "lock-vs-data"),
        (cohort_2024, "lock-vs-data"),
    }
    f = problem.factory_index
    i, j = problem.region_ids.index(KIMHWA), problem.region_ids.index(cohort_2024)
    assert not problem.eligible[i, f]  # the data wins
    assert problem.years[problem.lock_year[j, f]] == 2024
    # the lock the data says nothing against is kept
    h = problem.facilities.index("hospital")
    assert problem.years[problem.lock_year[i, h]] == 2027
    assert problem.lock_source[i, h] == "scenario"


def test_plan_from_scratch_fixes_nothing(registry):
    problem = build_problem(registry, load_scenario(), history=False)
    assert problem.metadata["history"]["facts"] == []
    assert (problem.lock_year < 0).all()
