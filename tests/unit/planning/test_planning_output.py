from __future__ import annotations

import highspy
import pytest

from regdev.errors import NotSolvedError
from regdev.pipeline import PlanOptions, write_plan
from regdev.pipeline import plan as run_plan
from regdev.planning import build_problem, load_scenario, plan_rollout
from regdev.registry import load_default, toy_region

TOY_SCENARIO = {"factories": {"per_year": 2}, "history": {"enabled": False}}


@pytest.fixture(scope="module")
def default_plan():
    return plan_rollout(build_problem(load_default()))


@pytest.fixture(scope="module")
def toy_plan():
    sc = load_scenario().with_updates(**TOY_SCENARIO)
    return plan_rollout(build_problem(toy_region(), sc))


@pytest.mark.solver
def test_default_plan_is_optimal_and_respects_the_cadence(default_plan):
    p = default_plan
    assert p.status == "optimal"
    assert p.gap <= 1e-4
    assert p.objective <= p.bound + 1e-6
    s = p.schedule
    fac = s[s["facility"] == "factories"].groupby("year").size()
    # 178 candidates: the 179 programme counties less Kimhwa, whose pilot factories are built
    assert fac.to_dict() == {**{y: 20 for y in range(2024, 2032)}, 2032: 18}
    assert p.greedy_objective is not None
    assert p.greedy_objective <= p.objective + 1e-9
    assert p.certificate is not None and p.certificate.ok()
    assert p.certificate.max_violation == 0.0  # a 0/1 schedule satisfies every row exactly


@pytest.mark.solver
def test_mps_resolves_to_the_plan_objective(default_plan, tmp_path):
    from regdev.planning import write_mps

    path = write_mps(default_plan, tmp_path / "model.mps")
    text = path.read_text("utf-8")
    assert "OBJSENSE" in text and "MAX" in text
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 1e-7)
    h.readModel(str(path))
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert h.getInfo().objective_function_value == pytest.approx(default_plan.objective, rel=1e-6)


def test_non_optimal_plan_refuses_to_give_a_solution(toy_plan):
    import dataclasses

    stopped = dataclasses.replace(toy_plan, status="feasible", gap=0.01)
    with pytest.raises(NotSolvedError, match="status 'feasible'"):
        _ = stopped.schedule
    assert len(stopped.schedule_frame(allow_feasible=True)) == len(toy_plan.schedule)
    failed = dataclasses.replace(toy_plan, status="no_solution", x_=None)
    with pytest.raises(NotSolvedError):
        failed.solution(allow_feasible=True)


def test_read_plan_round_trip_and_bad_rows(toy_plan, tmp_path):
    from regdev.errors import ConfigError, DataValidationError
    from regdev.planning import read_plan

    sc = load_scenario().with_updates(**TOY_SCENARIO)
    result = run_plan(toy_region(), sc, options=PlanOptions(explain_last=0, design=False))
    out = write_plan(result, tmp_path / "plan")
    back = read_plan(out, toy_region())
    assert back.status == toy_plan.status
    assert back.certificate is not None and back.certificate.ok()
    assert back.objective == pytest.approx(toy_plan.objective)
    assert back.schedule.equals(toy_plan.schedule)
    with pytest.raises(ConfigError, match="other inputs"):
        read_plan(out)  # the default country is not the toy region
    sched = (out / "schedule.csv").read_text("utf-8").splitlines()
    sched[1] = sched[1].replace(",2024,", ",2033,", 1)
    (out / "schedule.csv").write_text("\n".join(sched) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"schedule\.csv:2:year: .* not allowed"):
        read_plan(out, toy_region())
