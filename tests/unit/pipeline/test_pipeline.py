"""The one-way pipeline: regdev.plan → PlanResult → write_plan (a pure writer)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import highspy
import pandas as pd
import pytest

import regdev
from regdev.errors import ConfigError, InternalError, NotSolvedError
from regdev.pipeline import STAGES, PlanOptions, PlanResult, Progress, write_plan
from regdev.pipeline import plan as run_plan
from regdev.planning import SCHEDULE_COLUMNS, load_scenario
from regdev.planning.output import content_hash
from regdev.registry import load_default, toy_region

pytestmark = pytest.mark.solver

CORE = {"plan.json", "schedule.csv", "facilities.csv", "dossiers.json", "model.mps", "report.html"}
DESIGN_FILES = {"factories.csv", "factory_claims.csv", "factory_raw_materials.csv"}


def toy_scenario():
    return load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})


@pytest.fixture(scope="module")
def toy_result() -> PlanResult:
    return regdev.plan(toy_region(), toy_scenario(), options=PlanOptions(explain_last=2))


def test_docstring_example_of_plan():
    import doctest

    import regdev.pipeline.run

    res = doctest.testmod(regdev.pipeline.run, optionflags=doctest.ELLIPSIS)
    assert res.failed == 0 and res.attempted > 0


def test_plan_is_offered_lazily_by_the_package():
    code = (
        "import sys, regdev\n"
        "heavy = [m for m in ('regdev.pipeline', 'regdev.planning', 'numpy', 'pandas', 'highspy')"
        " if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "import regdev.pipeline\n"
        "assert regdev.plan is regdev.pipeline.plan\n"
        "assert regdev.PlanOptions is regdev.pipeline.PlanOptions\n"
        "assert 'plan' in dir(regdev)\n"
        "print('ok')\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "ok"
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = regdev.nothing_here


def test_result_is_one_frozen_object_with_every_stage(toy_result):
    r = toy_result
    assert r.status == "optimal" and r.has_solution
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.plan = None  # type: ignore[misc]
    assert [d["region_id"] for d in r.dossiers] == sorted(r.plan.problem.region_ids)
    assert sum(1 for d in r.dossiers if d["move_factory_earlier"]) == 2
    assert r.design is not None and r.design.status in ("optimal", "feasible")
    assert set(r.tables) == DESIGN_FILES
    assert r.report is not None and r.report.html.startswith("<!DOCTYPE html>")
    ids = [s.id for s in r.report.sections]
    assert "factory-design" in ids and ids.index("overview") == 0
    assert set(STAGES) <= set(r.timings) and r.timings["total"] >= r.timings["solve"]
    assert r.metadata["input_hash"] == r.plan.problem.input_hash
    assert r.metadata["options"]["explain_last"] == 2
    assert r.registry == toy_region()
    assert r.summary()["factories_per_year"] == {"2024": 2, "2025": 2, "2026": 1}


def test_progress_reports_every_stage_in_order():
    events: list[Progress] = []
    regdev.plan(
        toy_region(), toy_scenario(), options=PlanOptions(explain_last=3), progress=events.append
    )
    order = [e.stage for e in events]
    seen = list(dict.fromkeys(order))
    assert seen == list(STAGES)
    explain = [e for e in events if e.stage == "explain"]
    assert [(e.done, e.total) for e in explain] == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_options_are_checked():
    with pytest.raises(ConfigError, match="time_limit must be > 0"):
        PlanOptions(time_limit=0)
    with pytest.raises(ConfigError, match="strategy"):
        PlanOptions(strategy="guess")


def test_write_plan_folder_of_the_default_country(tmp_path):
    result = run_plan(load_default(), options=PlanOptions(explain_last=3, design=False))
    out = write_plan(result, tmp_path / "plan")
    assert {f.name for f in out.iterdir()} == CORE
    sched = pd.read_csv(out / "schedule.csv")
    assert list(sched.columns) == SCHEDULE_COLUMNS
    assert len(sched) == len(result.plan.schedule)
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
        "certificate",
        "solve_time_s",
        "horizon",
        "n_regions",
        "schedule",
    ):
        assert key in meta, key
    assert meta["objective_sense"] == "maximize"
    assert meta["horizon"] == [2024, 2033]
    assert meta["solver"]["name"] == "highs"
    assert meta["certificate"]["max_violation"] == 0.0
    assert meta["content_hash"] == content_hash(meta)
    assert "extensions" not in meta  # the design was switched off
    doss = json.loads((out / "dossiers.json").read_text("utf-8"))
    assert len(doss) == 179
    moved = {d["region_id"]: d["move_factory_earlier"] for d in doss if d["move_factory_earlier"]}
    assert len(moved) == 3
    for mv in moved.values():
        assert mv["feasible"]
        lo, hi = mv["cost_bounds"]
        assert 0 <= lo <= mv["cost"] <= hi
        assert mv["to_year"] == mv["from_year"] - 1


def test_rerun_is_byte_identical(toy_result, tmp_path):
    again = regdev.plan(toy_region(), toy_scenario(), options=PlanOptions(explain_last=2))
    a = toy_result.write(tmp_path / "a")
    b = write_plan(again, tmp_path / "b")
    names = {f.name for f in a.iterdir()}
    assert names == CORE | DESIGN_FILES == {f.name for f in b.iterdir()}
    for name in sorted(names - {"plan.json"}):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ja = json.loads((a / "plan.json").read_text("utf-8"))
    jb = json.loads((b / "plan.json").read_text("utf-8"))
    assert ja["nondeterministic_fields"] == ["solve_time_s"]
    ja.pop("solve_time_s")
    jb.pop("solve_time_s")
    assert ja == jb
    assert ja["content_hash"] == jb["content_hash"]


def test_writer_only_writes(toy_result, tmp_path, monkeypatch):
    """No solve, no design, no report while writing: every solver run is made to fail."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("the writer ran the solver")

    monkeypatch.setattr(highspy.Highs, "run", refuse)
    import regdev.design.api
    import regdev.reporting.plan_report

    monkeypatch.setattr(regdev.design.api, "design_for_plan", refuse)
    monkeypatch.setattr(regdev.reporting.plan_report, "build_report", refuse)
    out = write_plan(toy_result, tmp_path / "plan")
    assert (out / "report.html").read_text("utf-8") == toy_result.report.html


def test_write_is_atomic_when_writing_fails(toy_result, tmp_path, monkeypatch):
    out = write_plan(toy_result, tmp_path / "plan")
    before = {f.name: f.read_bytes() for f in out.iterdir()}

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    import regdev.pipeline.writer

    monkeypatch.setattr(regdev.pipeline.writer, "write_mps", broken)
    with pytest.raises(OSError, match="disk full"):
        write_plan(toy_result, tmp_path / "plan")
    assert {f.name: f.read_bytes() for f in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]  # no temporary folder left


def test_tables_and_extensions_go_into_the_folder(toy_result, tmp_path):
    extra = dataclasses.replace(
        toy_result,
        tables={"lines.csv": pd.DataFrame({"region_id": ["X"], "share": [1 / 3], "ok": [True]})},
        extensions={"mine": {"n_lines": 1}},
    )
    out = write_plan(extra, tmp_path / "plan")
    assert (out / "lines.csv").read_text("utf-8") == "region_id,share,ok\nX,0.333333,true\n"
    assert not (out / "factories.csv").exists()
    meta = json.loads((out / "plan.json").read_text("utf-8"))
    assert meta["extensions"] == {"mine": {"n_lines": 1}}
    for bad in ("plan.json", "sub/x.csv", "notes.txt"):
        wrong = dataclasses.replace(toy_result, tables={bad: pd.DataFrame()})
        with pytest.raises(InternalError, match="plain"):
            write_plan(wrong, tmp_path / "bad")
    assert not (tmp_path / "bad").exists()


def test_a_plan_without_solution_stops_after_the_solve(monkeypatch, tmp_path):
    import regdev.pipeline.run as run

    real = run.stage_solve

    def no_solution(problem, options, say):
        plan = real(problem, options, say)
        return dataclasses.replace(plan, status="no_solution", x_=None, certificate=None)

    monkeypatch.setattr(run, "stage_solve", no_solution)
    result = regdev.plan(toy_region(), toy_scenario())
    assert result.status == "no_solution" and not result.has_solution
    assert result.dossiers == () and result.design is None and result.report is None
    with pytest.raises(NotSolvedError):
        result.write(tmp_path / "plan")
    assert not (tmp_path / "plan").exists()


def test_paths_are_accepted_for_regions_and_scenario(tmp_path):
    from regdev.registry import write_regions

    regions = tmp_path / "toy.csv"
    write_regions(toy_region(), regions)
    scenario = tmp_path / "toy.toml"
    scenario.write_text('name = "toy"\n[factories]\nper_year = 2\n', encoding="utf-8")
    result = regdev.plan(regions, scenario, options=PlanOptions(explain_last=0, report=False))
    assert result.scenario.name == "toy" and result.report is None
    assert result.metadata["registry_source"] == str(regions)
    assert result.plan.problem.n_regions == 5
