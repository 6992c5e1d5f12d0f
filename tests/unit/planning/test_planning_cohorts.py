"""Issue 9: the cohort profile (plan.json "cohorts") and the report's "Who comes first" section."""

from __future__ import annotations

import json

import pytest

from regdev.planning import build_problem, load_scenario, plan_rollout
from regdev.planning.cohorts import COHORT_COLUMNS, cohort_profile
from regdev.registry import load_default


@pytest.fixture(scope="module")
def plan():
    return plan_rollout(build_problem(load_default()))


@pytest.mark.solver
def test_cohort_profile_counts_every_project_once(plan):
    prof = cohort_profile(plan)
    assert tuple(prof.columns) == COHORT_COLUMNS
    sched = plan.schedule
    counts = sched.groupby(["facility", "year"]).size()
    got = prof.set_index(["facility", "year"])["n_regions"]
    assert got.to_dict() == counts.to_dict()
    fac = prof[prof["facility"] == "factories"].set_index("year")
    # the real 2024 and 2025 cohorts are locked in full
    assert fac.loc[2024, "locked"] == 20 and fac.loc[2025, "locked"] == 20
    assert ((prof["rural_share"] >= 0) & (prof["rural_share"] <= 1)).all()


@pytest.mark.solver
def test_plan_json_and_report_carry_the_cohorts_and_the_greedy_gain(plan):
    from regdev.planning.output import build_plan_json
    from regdev.reporting import build_report
    from regdev.reporting.cohorts import SECTION_ID, cohort_section

    data = json.loads(json.dumps(build_plan_json(plan, plan.schedule), default=str))
    assert data["welfare"] == {
        "objective": "prioritarian",
        "epsilon": 2.0,
        "population_exponent": 0.25,
    }
    first = [c for c in data["cohorts"] if c["facility"] == "factories"][0]
    assert first["year"] == 2024 and first["n_regions"] == 20
    section = cohort_section(plan)
    assert section.id == SECTION_ID
    assert "Who comes first" in section.title
    assert (
        section.html.count("<tr>") == 1 + int((plan.schedule["facility"] == "factories").any()) * 9
    )
    gain = 100 * (plan.objective - plan.greedy_objective) / plan.greedy_objective
    assert f"{gain:+.3f} %" in section.html
    if gain < 1.0:
        assert "stays below 1 %" in section.html
    report = build_report(plan, [], extra_sections=[section])
    assert f'id="{SECTION_ID}"' in report.html


def test_headcount_objective_is_named_in_the_section():
    from regdev.registry import toy_region
    from regdev.reporting.cohorts import cohort_section

    sc = load_scenario().with_updates(
        factories={"per_year": 2}, history={"enabled": False}, equity={"objective": "headcount"}
    )
    section = cohort_section(plan_rollout(build_problem(toy_region(), sc)))
    assert "headcount objective" in section.html
