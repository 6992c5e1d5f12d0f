"""End to end (issue 10): plan → write → db import-plan → progress through the API →
regdev plan --actuals → built fixed, late moved, changes.csv explains each → a second
import duplicates nothing.

Runs on a SQLite file; the PostgreSQL variant runs when a test PostgreSQL is reachable
(:func:`regdev.monitoring.testing.pg_base_url`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import regdev
from regdev.cli import app as cli_app
from regdev.monitoring import crud, schemas, testing
from regdev.monitoring.app import create_app
from regdev.monitoring.config import Settings
from regdev.monitoring.db import make_engine
from regdev.monitoring.deps import get_hasher
from regdev.monitoring.history import load_history
from regdev.monitoring.lines import line_choices
from regdev.monitoring.models import Plan, Project, Site
from regdev.monitoring.plan_import import design_lines, import_plan
from regdev.pipeline import PlanOptions, explain

pytestmark = [pytest.mark.slow, pytest.mark.solver]
API = "/api/v1"
AS_OF = "2026-12-01"
runner = CliRunner()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'monitoring.db'}"
        engine = make_engine(url)
        testing.create_schema(engine)
        engine.dispose()
        yield url
        return
    if testing.pg_base_url() is None:
        pytest.skip(testing.pg_skip_reason())
    with testing.fresh_pg_schema() as url:
        engine = make_engine(url)
        testing.create_schema(engine)
        engine.dispose()
        yield url


def _live_pairs(engine: Engine) -> Counter[tuple[str, str]]:
    with Session(engine) as s:
        rows = s.execute(
            select(Project.region_id, Project.facility).where(Project.state != "cancelled")
        ).all()
    return Counter((str(r), str(f)) for r, f in rows)


def test_replan_from_actuals_end_to_end(db_url: str, tmp_path: Path) -> None:
    # 1. default country -> regdev.plan -> write
    first = tmp_path / "plan"
    regdev.plan(options=PlanOptions(explain_last=0)).write(first)
    old = pd.read_csv(first / "schedule.csv")

    # 2. db import-plan (with the historical record, as `regdev db demo` does)
    engine = make_engine(db_url)
    with Session(engine) as s:
        load_history(s)
        plan1 = import_plan(s, first)
        s.commit()
        plan1_id = plan1.id
        crud.create_user(
            s,
            actor=None,
            hasher=testing.FAST_HASHER,
            data=schemas.UserCreate(username="nat", password=testing.PASSWORD, role="national"),
        )
        s.commit()
        ours = s.execute(select(Project).where(Project.plan_id == plan1_id)).scalars().all()
        fac_2026 = sorted(
            (p for p in ours if p.facility == "factories" and p.cohort_year == 2026),
            key=lambda p: p.region_id,
        )
        hosp_2026 = sorted(
            (p for p in ours if p.facility == "hospital" and p.cohort_year == 2026),
            key=lambda p: p.region_id,
        )
        ids = {"built": fac_2026[0].id, "late_started": fac_2026[1].id}
        ids["cancelled"] = hosp_2026[0].id
        pairs = {
            k: (p.region_id, p.facility)
            for k, p in zip(
                ("built", "late_started", "cancelled"),
                (fac_2026[0], fac_2026[1], hosp_2026[0]),
                strict=True,
            )
        }
        not_started = (fac_2026[2].region_id, "factories")
        # the design's lines of every factory site were stored with the plan
        lines = design_lines(s, fac_2026[0].region_id)
        fac_csv = pd.read_csv(first / "factories.csv")
        assert sorted(ln["line"] for ln in lines) == sorted(
            fac_csv.loc[fac_csv["region_id"] == fac_2026[0].region_id, "line"]
        )
    assert max(_live_pairs(engine).values()) == 1

    # 3. record progress with delays through the API
    service = create_app(Settings(database_url=db_url), engine=engine)
    service.dependency_overrides[get_hasher] = lambda: testing.FAST_HASHER
    with TestClient(service) as client:
        r = client.post(
            f"{API}/login/access-token", data={"username": "nat", "password": testing.PASSWORD}
        )
        assert r.status_code == 200, r.text
        h = {"Authorization": f"Bearer {r.json()['access_token']}"}
        updates = {
            "built": {
                "state": "operating",
                "actual_groundbreaking": "2026-03-10",
                "actual_inauguration": "2026-11-20",
            },
            # broke ground 107 days late: expected 2026-12-31 + 107 days = 2027-04-17
            "late_started": {"state": "groundbreaking", "actual_groundbreaking": "2026-06-15"},
            "cancelled": {"state": "cancelled"},
        }
        for key, body in updates.items():
            r = client.patch(f"{API}/projects/{ids[key]}", headers=h, json=body)
            assert r.status_code == 200, (key, r.text)

    # the factory that opened took the plan's design lines (monthly capacity = yearly / 12):
    # the dashboard offers exactly these, the same lines as factories.csv
    with Session(engine) as s:
        site = s.execute(select(Site).where(Site.project_id == ids["built"])).scalar_one()
        choices = line_choices(s, [site.id])[site.id]
    mine = fac_csv.loc[fac_csv["region_id"] == pairs["built"][0]]
    assert choices and all(c.designed for c in choices)
    assert {c.name: round(float(c.capacity or 0.0), 6) for c in choices} == {
        str(r.line): round(float(r.capacity) / 12.0, 6) for r in mine.itertuples()
    }

    # 4. regdev plan --actuals (previous plan: the out folder's own)
    res = runner.invoke(
        cli_app,
        [
            "plan",
            "--out",
            str(first),
            "--actuals",
            db_url,
            "--as-of",
            AS_OF,
            "--explain-last",
            "0",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    new = pd.read_csv(first / "schedule.csv")
    changes = pd.read_csv(first / "changes.csv")

    def row(frame: pd.DataFrame, pair: tuple[str, str]) -> pd.DataFrame:
        return frame[(frame["region_id"] == pair[0]) & (frame["facility"] == pair[1])]

    built = row(new, pairs["built"])
    assert built["year"].tolist() == [2026] and built["locked"].tolist() == [True]
    late = row(new, pairs["late_started"])
    assert late["year"].tolist() == [2027] and late["locked"].tolist() == [True]
    assert (
        row(changes, pairs["late_started"])["reason"]
        .str.contains("under construction, 107 days behind plan")
        .all()
    )
    # planned for 2026, not started by the actuals date: no earlier than 2027
    waiting = row(new, not_started)
    assert waiting.empty or int(waiting["year"].iloc[0]) >= 2027
    assert row(changes, not_started)["reason"].str.contains("not started by 2026-12-01").all()
    assert row(changes, pairs["cancelled"])["reason"].str.contains("cancelled").all()
    # nothing new goes into the years that have passed
    fresh = new[(new["year"] <= 2026) & ~new["locked"]]
    assert fresh.empty, fresh
    # changes.csv explains every change, and only the changes
    merged = old.merge(new, on=["region_id", "facility"], how="outer", suffixes=("_old", "_new"))
    differ = merged[merged["year_old"].fillna(-1) != merged["year_new"].fillna(-1)]
    assert len(changes) == len(differ) > 0
    assert changes["reason"].str.len().min() > 10
    assert set(changes["change"]) <= {"moved", "added", "dropped"}
    # the re-plan reads back (its input hash covers the actuals) and explains a region
    explained = explain(pairs["late_started"][0], first)
    assert explained.dossier["projects"]["factories"]["year"] == 2027
    assert explained.dossier["projects"]["factories"]["lock_source"] == "actuals"
    html = (first / "report.html").read_text("utf-8")
    assert "What changed since the last plan" in html
    assert "What the plan takes as given" in html

    # 5. import the new plan: tracked projects are updated, never duplicated; twice
    with Session(engine) as s:
        plan2 = import_plan(s, first, name="re-plan")
        s.commit()
        assert plan2.meta["n_projects_updated"] > 0
        started = s.get(Project, ids["late_started"])
        assert started is not None and started.state == "groundbreaking"
    assert max(_live_pairs(engine).values()) == 1
    before = sum(_live_pairs(engine).values())
    with Session(engine) as s:
        plan3 = import_plan(s, first, name="re-plan again")
        s.commit()
        assert plan3.meta["n_projects_created"] == 0
        n_plans = len(s.execute(select(Plan)).scalars().all())
    assert sum(_live_pairs(engine).values()) == before
    assert max(_live_pairs(engine).values()) == 1
    assert n_plans == 4  # history, the plan, the re-plan, its second import
    engine.dispose()


def test_actuals_as_of_without_actuals_is_a_usage_error(tmp_path: Path) -> None:
    res = runner.invoke(cli_app, ["plan", "--out", str(tmp_path / "p"), "--as-of", AS_OF])
    assert res.exit_code != 0
    assert dt.date.fromisoformat(AS_OF)  # the date itself is valid: the error is the missing source
