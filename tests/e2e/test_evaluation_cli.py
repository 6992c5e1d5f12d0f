"""The installed `regdev` console script: appraise, emulate, quality, customers (exit codes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REGDEV = Path(sys.executable).with_name("regdev")


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REGDEV), *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("evalcli") / "demo.db")
    res = run("db", "seed-demo", "--db", db, "--no-plan", "--until", "2025-06")
    assert res.returncode == 0, res.stderr
    return db


pytestmark = pytest.mark.skipif(not REGDEV.exists(), reason="console script not installed")


def test_appraise_ex_post_kimhwa(demo_db: str) -> None:
    res = run("appraise", "Kimhwa", "--db", demo_db, "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["mode"] == "ex-post"
    assert doc["counties"][0]["region_id"] == "KP-KAN-KIMHWA"
    assert doc["notes"][0].startswith("DEMO DATA")


def test_appraise_cohort_and_errors(demo_db: str) -> None:
    res = run("appraise", "--cohort", "2024", "--db", demo_db, "--json")
    assert res.returncode == 0, res.stderr
    assert len(json.loads(res.stdout)["counties"]) >= 10
    usage = run("appraise", "--db", demo_db)
    assert usage.returncode == 2
    assert "REGION" in usage.stderr
    unknown = run("appraise", "KP-NOWHERE", "--db", demo_db)
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("error:")
    assert "Traceback" not in unknown.stderr


def test_appraise_ex_ante_from_a_plan_folder(tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / "factories.csv").write_text(
        "region_id,line,unit,capacity,production,jobs,capital_cost,annual_cost\n"
        "KP-KAN-KIMHWA,soy_sauce_paste,t,1000,900,40,900,700\n",
        encoding="utf-8",
    )
    (plan / "schedule.csv").write_text(
        "region_id,facility,year\nKP-KAN-KIMHWA,factories,2024\n", encoding="utf-8"
    )
    res = run("appraise", "--cohort", "2024", "--plan", str(plan), "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["mode"] == "ex-ante"
    assert doc["lines"][0]["line"] == "soy_sauce_paste"
    (plan / "factories.csv").write_text("region_id,line\nX,y\n", encoding="utf-8")
    bad = run("appraise", "Kimhwa", "--plan", str(plan))
    assert bad.returncode == 1
    assert "factories.csv:1:" in bad.stderr


def test_emulate_quality_customers(demo_db: str, tmp_path: Path) -> None:
    res = run("emulate", "--db", demo_db, "--draws", "100", "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["demo"] is True
    assert doc["data"][0]["rank"] == 1
    assert run("emulate", "--db", demo_db, "--level", "moon").returncode == 2
    q = run("quality", "--db", demo_db, "--json")
    assert q.returncode == 0, q.stderr
    assert {"count", "data"} <= set(json.loads(q.stdout))
    sig = tmp_path / "signals.csv"
    c = run("customers", "--db", demo_db, "--signals-out", str(sig))
    assert c.returncode == 0, c.stderr
    assert sig.read_text(encoding="utf-8").startswith("region_id,action,line,category,multiplier")
    ko = run("--lang", "ko", "emulate", "--db", demo_db, "--draws", "20", "--top", "3")
    assert ko.returncode == 0
    assert "순위표" in ko.stdout
    assert "시연 자료" in ko.stderr  # demo figures are labelled as demo
