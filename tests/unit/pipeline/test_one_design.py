"""One design per county, used everywhere (issue 10).

For every county of the default plan, the lines and capacities of
``factories.csv``, the ``factory_design`` of its dossier, ``facilities.csv``
and ``regdev plan design REGION`` (the command, without what-if options) are
identical; a what-if says how it differs from the plan.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import regdev
from regdev.cli import app
from regdev.design.for_plan import lines_text
from regdev.errors import NotFoundError
from regdev.pipeline import PlanOptions, plan_design

pytestmark = [pytest.mark.solver, pytest.mark.slow]
runner = CliRunner()


@pytest.fixture(scope="module")
def default_plan_dir(tmp_path_factory):
    result = regdev.plan(options=PlanOptions(explain_last=0, report=False))
    return result.write(tmp_path_factory.mktemp("onedesign") / "plan")


def _lines(frame: pd.DataFrame) -> list[tuple[str, int, float, str]]:
    return sorted(
        (str(r.line), int(r.modules), float(r.capacity), str(r.unit)) for r in frame.itertuples()
    )


def test_every_county_has_one_design_everywhere(default_plan_dir):
    out = default_plan_dir
    fac = pd.read_csv(out / "factories.csv", keep_default_na=False)
    facilities = pd.read_csv(out / "facilities.csv")
    doss = {d["region_id"]: d for d in json.loads((out / "dossiers.json").read_text("utf-8"))}
    sched = pd.read_csv(out / "schedule.csv")
    counties = sorted(set(sched.loc[sched["facility"] == "factories", "region_id"]))
    assert len(counties) == 178  # every county that gets factories (Kimhwa's are built)
    assert set(fac["region_id"]) == set(counties)
    for rid in counties:
        in_csv = _lines(fac[fac["region_id"] == rid])
        fd = doss[rid]["factory_design"]
        in_dossier = sorted(
            (ln["line"], ln["modules"], ln["capacity"], ln["unit"]) for ln in fd["production_lines"]
        )
        assert in_csv == in_dossier, rid
        assert fd["jobs"] == int(fac.loc[fac["region_id"] == rid, "jobs"].sum()), rid
        res = runner.invoke(app, ["plan", "design", rid, "--plan-dir", str(out), "--json"])
        assert res.exit_code == 0, res.output
        shown = json.loads(res.stdout)
        assert shown["source"]["kind"] == "plan"
        in_command = sorted(
            (ln["line"], ln["modules"], ln["capacity"], ln["unit"])
            for ln in shown["design"]["lines"]
        )
        assert in_command == in_csv, rid
        assert shown["design"]["jobs"] == fd["jobs"]
        assert shown["design"]["plan_tier"] == doss[rid]["projects"]["factories"]["tier"]
        row = facilities[(facilities["region_id"] == rid) & (facilities["facility"] == "factories")]
        assert row["workers"].tolist() == [float(fd["jobs"])], rid
        recs = [{"line": a, "capacity": c, "unit": u} for a, _m, c, u in in_csv]
        assert sorted(row["lines"].iloc[0].split("; ")) == sorted(lines_text(recs).split("; "))


def test_the_pilot_has_no_design_and_the_command_says_why(default_plan_dir):
    with pytest.raises(NotFoundError, match="built before the horizon"):
        plan_design("Kimhwa", default_plan_dir)


def test_a_what_if_says_how_it_differs_from_the_plan(default_plan_dir):
    out = default_plan_dir
    stored = plan_design("Taehongdan", out)
    victim = stored.lines()[-1]["line"]
    res = runner.invoke(
        app,
        ["plan", "design", "Taehongdan", "--plan-dir", str(out), "--forbid-line", victim, "--json"],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    # the what-if is solved against the plan's own design (rebuilt identical from the folder)
    assert doc["basis"] == "the plan's design"
    base_lines = sorted((ln["line"], ln["capacity"]) for ln in doc["design"]["lines"])
    assert base_lines == sorted((ln["line"], ln["capacity"]) for ln in stored.lines())
    diff = doc["plan_difference"]
    assert diff["compared"] and not diff["identical"]
    assert victim in diff["removed"]
    lo, hi = doc["what_if"]["cost_difference_range"]
    assert lo - 1e-9 <= doc["what_if"]["cost_difference"] <= hi + 1e-9
    res = runner.invoke(
        app, ["plan", "design", "Taehongdan", "--plan-dir", str(out), "--forbid-line", victim]
    )
    assert "differs from the plan's design" in res.stdout
    assert f"removed {victim}" in res.stdout or victim in res.stdout.split("removed", 1)[1]
