from __future__ import annotations

import json

import highspy
import pandas as pd
import pytest

from regdev.errors import NotSolvedError
from regdev.planning import (
    SCHEDULE_COLUMNS,
    build_problem,
    load_scenario,
    plan_rollout,
    write_plan,
)
from regdev.planning.hooks import PlanExtension, ReportSection
from regdev.planning.output import content_hash
from regdev.registry import load_default, toy_region

FILES = {"plan.json", "schedule.csv", "facilities.csv", "dossiers.json", "model.mps", "report.html"}


@pytest.fixture(scope="module")
def default_plan():
    return plan_rollout(build_problem(load_default()))


@pytest.fixture(scope="module")
def toy_plan():
    sc = load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})
    return plan_rollout(build_problem(toy_region(), sc))


@pytest.mark.solver
def test_default_plan_is_optimal_and_respects_the_cadence(default_plan):
    p = default_plan
    assert p.status == "optimal"
    assert p.gap <= 1e-4
    assert p.objective <= p.bound + 1e-6
    s = p.schedule
    fac = s[s["facility"] == "factories"].groupby("year").size()
    assert fac.to_dict() == {**{y: 20 for y in range(2024, 2032)}, 2032: 19}
    assert p.greedy_objective is not None
    assert p.greedy_objective <= p.objective + 1e-9


@pytest.mark.solver
def test_write_plan_folder(default_plan, tmp_path):
    from regdev.planning import build_dossiers
    from regdev.planning.explain import last_scheduled

    targets = last_scheduled(default_plan, 3)
    dossiers = build_dossiers(default_plan, move_earlier=targets)
    out = write_plan(default_plan, tmp_path / "plan", dossiers=dossiers, hooks=[])
    assert {f.name for f in out.iterdir()} == FILES
    sched = pd.read_csv(out / "schedule.csv")
    assert list(sched.columns) == SCHEDULE_COLUMNS
    assert len(sched) == len(default_plan.schedule)
    meta = json.loads((out / "plan.json").read_text("utf-8"))
    for key in (
        "regdev_version",
        "input_hash",
        "scenario",
        "solver",
        "status",
        "objective",
        "objective_sense",
        "objective_offset",
        "bound",
        "gap",
        "solve_time_s",
        "horizon",
        "n_regions",
        "schedule",
    ):
        assert key in meta, key
    assert meta["objective_sense"] == "maximize"
    assert meta["horizon"] == [2024, 2033]
    assert meta["solver"]["name"] == "highs"
    assert meta["content_hash"] == content_hash(meta)
    doss = json.loads((out / "dossiers.json").read_text("utf-8"))
    assert len(doss) == 179
    moved = {d["region_id"]: d["move_factory_earlier"] for d in doss if d["move_factory_earlier"]}
    assert set(moved) == set(targets)
    for mv in moved.values():
        assert mv["feasible"]
        lo, hi = mv["cost_bounds"]
        assert 0 <= lo <= mv["cost"] <= hi
        assert mv["to_year"] == mv["from_year"] - 1


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


@pytest.mark.solver
def test_rerun_is_byte_identical(toy_plan, tmp_path):
    sc = load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})
    again = plan_rollout(build_problem(toy_region(), sc))
    a = write_plan(toy_plan, tmp_path / "a", hooks=[])
    b = write_plan(again, tmp_path / "b", hooks=[])
    for name in sorted(FILES - {"plan.json"}):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ja = json.loads((a / "plan.json").read_text("utf-8"))
    jb = json.loads((b / "plan.json").read_text("utf-8"))
    assert ja["nondeterministic_fields"] == ["solve_time_s"]
    ja.pop("solve_time_s")
    jb.pop("solve_time_s")
    assert ja == jb
    assert ja["content_hash"] == jb["content_hash"]


def test_write_is_atomic_when_a_hook_fails(toy_plan, tmp_path):
    out = write_plan(toy_plan, tmp_path / "plan", hooks=[])
    before = (out / "plan.json").read_bytes()

    def broken(plan, dossiers):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_plan(toy_plan, tmp_path / "plan", hooks=[("broken", broken)])
    assert (out / "plan.json").read_bytes() == before


def test_hooks_add_files_sections_and_dossier_entries(toy_plan, tmp_path):
    def hook(plan, dossiers):
        first = dossiers[0]["region_id"]
        return PlanExtension(
            files={"factories.csv": "region_id,line\nX,bakery\n"},
            sections=[ReportSection("factory-lines", "Factory lines", "<p>lines here</p>", 85)],
            dossier_entries={first: {"factory_lines": ["bakery"]}},
            plan_json={"n_lines": 1},
        )

    out = write_plan(toy_plan, tmp_path / "plan", hooks=[("design", hook)])
    assert (out / "factories.csv").read_text("utf-8").startswith("region_id,line")
    html = (out / "report.html").read_text("utf-8")
    assert 'id="factory-lines"' in html and "lines here" in html
    doss = json.loads((out / "dossiers.json").read_text("utf-8"))
    assert doss[0]["factory_lines"] == ["bakery"]
    meta = json.loads((out / "plan.json").read_text("utf-8"))
    assert meta["extensions"] == {"design": {"n_lines": 1}}


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

    out = write_plan(toy_plan, tmp_path / "plan", hooks=[])
    back = read_plan(out, toy_region())
    assert back.status == toy_plan.status
    assert back.objective == pytest.approx(toy_plan.objective)
    assert back.schedule.equals(toy_plan.schedule)
    with pytest.raises(ConfigError, match="other inputs"):
        read_plan(out)  # the default country is not the toy region
    sched = (out / "schedule.csv").read_text("utf-8").splitlines()
    sched[1] = sched[1].replace(",2024,", ",2033,", 1)
    (out / "schedule.csv").write_text("\n".join(sched) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"schedule\.csv:2:year: .* not allowed"):
        read_plan(out, toy_region())
