"""The evaluation commands in-process (Typer's CliRunner) on a small seeded database.

The installed console script is tested in tests/e2e/test_evaluation_cli.py; these runs
cover the rendering paths (tables, --json, --site/--line charts, --scenario, errors).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evaluation_seed import seed_records
from regdev.cli import app
from regdev.monitoring import testing
from regdev.monitoring.db import make_engine, make_session_factory
from regdev.monitoring.migrate import upgrade

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("evalcli-inproc") / "m.db"
    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    with make_session_factory(eng)() as s:
        seed_records(s, testing.build_world(s))
    eng.dispose()
    return str(path)


def test_appraise_table_json_and_scenario(db: str, tmp_path: Path) -> None:
    res = runner.invoke(app, ["appraise", "T-A1", "--db", db])
    assert res.exit_code == 0, res.output
    assert "NPV" in res.output and "Lines" in res.output
    scen = tmp_path / "s.toml"
    scen.write_text("[appraisal]\ndiscount_rate = 0.12\n", encoding="utf-8")
    base = json.loads(runner.invoke(app, ["appraise", "T-A1", "--db", db, "--json"]).output)
    high = json.loads(
        runner.invoke(
            app, ["appraise", "T-A1", "--db", db, "--json", "--scenario", str(scen)]
        ).output
    )
    assert high["scenario"]["discount_rate"] == 0.12
    assert high["counties"][0]["npv_kusd"] < base["counties"][0]["npv_kusd"]
    cohort = runner.invoke(app, ["appraise", "--cohort", "2024", "--db", db])
    assert cohort.exit_code == 0, cohort.output


def test_emulate_quality_customers_render(db: str, tmp_path: Path) -> None:
    res = runner.invoke(app, ["emulate", "--db", db, "--draws", "50", "--level", "factory"])
    assert res.exit_code == 0, res.output
    assert "League table 2025" in res.output
    q = runner.invoke(app, ["quality", "--db", db])
    assert q.exit_code == 0 and "WE1" in q.output
    chart = runner.invoke(app, ["quality", "--db", db, "--site", "1", "--line", "soy sauce"])
    assert chart.exit_code == 0, chart.output
    assert "UCL" in chart.output
    cj = runner.invoke(app, ["quality", "--db", db, "--site", "1", "--json"])
    assert json.loads(cj.output)["site_id"] == 1
    sig = tmp_path / "sig.csv"
    c = runner.invoke(app, ["customers", "--db", db, "--signals-out", str(sig)])
    assert c.exit_code == 0, c.output
    assert "Recommendations" in c.output
    assert sig.exists()
    assert json.loads(runner.invoke(app, ["customers", "--db", db, "--json"]).output)["count"] >= 1


@pytest.mark.solver
def test_plan_design_takes_a_signals_file(tmp_path: Path) -> None:
    sig = tmp_path / "signals.csv"
    sig.write_text(
        "region_id,action,line,category,multiplier\n"
        "KP-KAN-KIMHWA,forbid,soft_drinks,,\n"
        "KP-KAN-KIMHWA,demand,,condiments,1.2\n"
        "KP-PYY-KANGDONG,force,dairy,,\n",
        encoding="utf-8",
    )
    res = runner.invoke(app, ["plan", "design", "Kimhwa", "--signals", str(sig), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    changes = doc["what_if"]["changes"]
    assert changes == [{"action": "forbid", "line": "soft_drinks"}] or [
        (c["action"], c["line"]) for c in changes
    ] == [("forbid", "soft_drinks")]
    assert "condiments x1.2" in res.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "region_id,action,line,category,multiplier\nKP-KAN-KIMHWA,grow,x,,\n", encoding="utf-8"
    )
    assert runner.invoke(app, ["plan", "design", "Kimhwa", "--signals", str(bad)]).exit_code == 1
