"""The dashboard monitors (issue 15) and keeps production lines honest (issue 10, item 7).

In-process (ASGI transport) against a seeded SQLite file:

* language: ``?lang=``, the cookie, the user's stored preference, ``Accept-Language``;
  Korean pages carry ``lang="ko"`` and Korean labels;
* landing on one's scope, county search;
* overdue milestones and missing monthly reports: computed against hand-made cases;
* production lines only from the site's design; a wrong record corrected or voided with
  a reason, audited, never duplicated; a voided record leaves the figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dash_client import Client, Env
from regdev.errors import DataValidationError, NotFoundError
from regdev.monitoring import crud, lines, rules, schemas
from regdev.monitoring.app import create_app
from regdev.monitoring.auth import make_hasher
from regdev.monitoring.config import Settings
from regdev.monitoring.dashboard import queries as q
from regdev.monitoring.dashboard._seed import seed_synthetic
from regdev.monitoring.db import make_engine, make_session_factory, session_scope
from regdev.monitoring.errors import ScopeError
from regdev.monitoring.migrate import upgrade
from regdev.monitoring.models import (
    AuditEntry,
    FactoryOperation,
    Project,
    Region,
    Site,
    SiteLine,
    User,
)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    tmp: Path = tmp_path_factory.mktemp("dash-monitor")
    url = f"sqlite:///{tmp / 'm.db'}"
    settings = Settings(
        database_url=url,
        argon2_time_cost=1,
        argon2_memory_cost=1024,
        secret_key="unit-test-secret-0123456789",
        environment="development",
    )
    engine = make_engine(url)
    upgrade(engine)
    summary = seed_synthetic(engine, settings=settings, n_months=6, lines_per_site=2, rng=5)
    rid = summary.operating_region_ids[0]
    factory = make_session_factory(engine)
    with session_scope(factory, write=True) as s:
        prov = s.get(Region, rid).province_id  # type: ignore[union-attr]
        hasher = make_hasher(settings)
        for data in (
            {
                "username": "county",
                "password": "county-password",
                "role": "county",
                "region_id": rid,
            },
            {
                "username": "prov",
                "password": "prov-password",
                "role": "provincial",
                "province_id": prov,
            },
        ):
            crud.create_user(
                s, actor=None, data=schemas.UserCreate.model_validate(data), hasher=hasher
            )
    app = create_app(settings, engine=engine)
    yield Env(app, factory, summary, settings)
    engine.dispose()


def _site(env: Env, rid: str) -> Site:
    with env.factory() as s:
        site = s.execute(select(Site).where(Site.region_id == rid)).scalars().first()
        assert site is not None
        return site


# --- language -----------------------------------------------------------------------


def test_language_from_query_cookie_preference_and_browser(env: Env) -> None:
    c = env.client()
    en = c.get("/")
    assert '<html lang="en">' in en.text
    assert "National overview" in en.text
    ko = c.get("/?lang=ko")
    assert '<html lang="ko">' in ko.text
    assert "전국 현황" in ko.text
    assert "regdev_lang=ko" in ko.headers["set-cookie"]
    # the cookie keeps the choice on the next pages
    assert '<html lang="ko">' in c.get("/").text
    c.client.cookies.delete("regdev_lang")
    assert '<html lang="en">' in c.get("/").text
    # the browser's language when nothing else says
    assert '<html lang="ko">' in c.get("/", headers={"Accept-Language": "ko-KP,ko;q=0.9"}).text
    # a stored preference (audited like any change of a user), offered in the header
    page = c.get(f"/county/{env.summary.operating_region_ids[0]}?lang=ko").text
    assert 'action="/language"' in page
    assert f'name="next" value="/county/{env.summary.operating_region_ids[0]}"' in page
    r = c.post("/language", data={"lang": "ko", "next": "/"})
    assert r.status_code == 303
    c.client.cookies.delete("regdev_lang")
    assert '<html lang="ko">' in c.get("/").text
    with env.factory() as s:
        admin = s.execute(select(User).where(User.username == "admin")).scalar_one()
        assert admin.language == "ko"
    c.post("/language", data={"lang": "en", "next": "/"})
    assert c.post("/language", data={"lang": "fr", "next": "/"}).status_code == 422
    c.close()


def test_korean_names_are_marked_on_english_pages(env: Env) -> None:
    c = env.client()
    rid = env.summary.operating_region_ids[0]
    html = c.get(f"/county/{rid}?lang=en").text
    with env.factory() as s:
        region = s.get(Region, rid)
        assert region is not None and region.name_ko
    assert f'<span class="sub" lang="ko">{region.name_ko}</span>' in html
    assert f"<h1>{region.name_ko}" in c.get(f"/county/{rid}?lang=ko").text
    c.close()


# --- landing and search -------------------------------------------------------------


def test_users_land_on_their_scope_and_find_counties(env: Env) -> None:
    rid = env.summary.operating_region_ids[0]
    with env.factory() as s:
        region = s.get(Region, rid)
        assert region is not None
    c = env.client("county", "county-password")
    r = c.get("/", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/county/{rid}"
    assert c.get("/national").status_code == 200
    c.close()
    p = env.client("prov", "prov-password")
    r = p.get("/", follow_redirects=False)
    assert r.headers["location"] == f"/province/{region.province_id}"
    # search by Korean name, by part of the English name, and a miss
    r = p.get("/search", params={"q": region.name_ko}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/county/{rid}"
    r = p.get("/search", params={"q": "zzzz"})
    assert r.status_code == 200
    assert "Nothing matches" in r.text
    p.close()
    a = env.client()
    assert a.get("/", follow_redirects=False).status_code == 200  # national users stay
    a.close()


# --- alerts: hand-made cases ----------------------------------------------------------


def test_overdue_milestones_against_hand_made_projects(env: Env) -> None:
    today = rules.today()
    past = today - dt.timedelta(days=30)
    future = today + dt.timedelta(days=30)
    rid = env.summary.operating_region_ids[7]
    with session_scope(env.factory, write=True) as s:
        admin = s.execute(select(User).where(User.username == "admin")).scalar_one()
        made = {}
        for key, data in {
            # planned, groundbreaking due 30 days ago, not reached: overdue by 30 days
            "late": {"planned_groundbreaking": past, "planned_inauguration": future},
            # construction reached on time (state passed the milestone): not overdue
            "passed": {
                "planned_groundbreaking": past,
                "state": "construction",
                "actual_construction": past,
            },
            # actual date given: not overdue
            "done": {"planned_groundbreaking": past, "actual_groundbreaking": past},
            # cancelled: never overdue
            "cancelled": {"planned_groundbreaking": past, "state": "cancelled"},
            # due in the future: not overdue
            "future": {"planned_groundbreaking": future},
        }.items():
            p = crud.create_project(
                s,
                actor=admin,
                data=schemas.ProjectCreate.model_validate(
                    {"region_id": rid, "facility": "hospital", "cohort_year": 2026, **data}
                ),
            )
            made[key] = p.id
        found = q.overdue_milestones(s, admin, today=today, region_id=rid)
    mine = {o.project.id: o for o in found if o.project.id in made.values()}
    assert set(mine) == {made["late"]}
    assert mine[made["late"]].milestone == "groundbreaking"
    assert mine[made["late"]].days_overdue == 30


def test_missing_reports_follow_the_design_lines(env: Env) -> None:
    rid = env.summary.operating_region_ids[8]
    site = _site(env, rid)
    last = rules.last_finished_month()
    with session_scope(env.factory, write=True) as s:
        admin = s.execute(select(User).where(User.username == "admin")).scalar_one()
        before = q.missing_reports(s, admin, month=last, producing=("factories",), region_id=rid)
        assert before == []  # the seeder reports every line every month
        s.add(SiteLine(site_id=site.id, name="new design line", capacity=10.0))
        s.flush()
        after = q.missing_reports(s, admin, month=last, producing=("factories",), region_id=rid)
    assert [(m.site.id, m.missing_lines) for m in after] == [(site.id, ("new design line",))]
    c = env.client()
    page = c.get(f"/county/{rid}").text
    assert "new design line" in page
    assert "△ 1 operating factory has not reported" in page
    c.close()


# --- lines: choices, correction, void -----------------------------------------------


def test_a_typo_cannot_become_a_new_line(env: Env) -> None:
    rid = env.summary.operating_region_ids[2]
    site = _site(env, rid)
    month = rules.last_finished_month()
    c = env.client()
    r = c.post(
        f"/county/{rid}/forms/production",
        data={
            "site_id": str(site.id),
            "line": "clothnig",
            "month": f"{month[0]:04d}-{month[1]:02d}",
            "output": "5",
            "capacity": "10",
        },
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 422
    assert "is not a production line of" in r.text
    assert 'aria-invalid="true"' in r.text
    with env.factory() as s:
        assert (
            s.execute(
                select(func.count())
                .select_from(FactoryOperation)
                .where(FactoryOperation.line == "clothnig")
            ).scalar_one()
            == 0
        )
    # the form offers the design's lines as a choice, grouped by factory
    html = c.get(f"/county/{rid}").text
    assert '<select id="production-line" name="line"' in html
    assert "<optgroup" in html
    c.close()


def test_correct_and_void_are_audited_and_need_a_reason(env: Env) -> None:
    rid = env.summary.operating_region_ids[4]
    site = _site(env, rid)
    with env.factory() as s:
        row = (
            s.execute(
                select(FactoryOperation)
                .where(FactoryOperation.site_id == site.id)
                .order_by(FactoryOperation.year.desc(), FactoryOperation.month.desc())
            )
            .scalars()
            .first()
        )
        assert row is not None
        op_id, old_output, y, m = row.id, row.output, row.year, row.month
        series_before = {(p.year, p.month): p.output for p in q.monthly_series(s, _admin(s), rid)}
    c = env.client()
    # no reason: refused, nothing changes
    r = c.post(f"/operation/{op_id}/correct", data={"output": "1", "capacity": "500"})
    assert r.status_code == 422
    assert 'aria-invalid="true"' in r.text
    # with a reason: corrected, the reason kept, old and new in the audit trail
    r = c.post(
        f"/operation/{op_id}/correct",
        data={"output": "1", "capacity": "500", "raw_local": "", "reason": "meter misread"},
    )
    assert r.status_code == 303
    with env.factory() as s:
        row = s.get(FactoryOperation, op_id)
        assert row is not None
        assert row.output == 1.0
        assert row.raw_local is None  # blank = not known
        assert "meter misread" in row.note
        entry = (
            s.execute(
                select(AuditEntry)
                .where(AuditEntry.entity == "operations", AuditEntry.entity_id == str(op_id))
                .order_by(AuditEntry.seq.desc())
            )
            .scalars()
            .first()
        )
        assert entry is not None
        assert entry.before["output"] == old_output
        assert entry.after["output"] == 1.0
    page = c.get(f"/operation/{op_id}").text
    assert "meter misread" in page
    assert f"output: {old_output}" in page
    # void: kept, marked, left out of the chart's sums
    r = c.post(f"/operation/{op_id}/void", data={"reason": "x"})
    assert r.status_code == 422
    r = c.post(f"/operation/{op_id}/void", data={"reason": "entered for the wrong line"})
    assert r.status_code == 303
    with env.factory() as s:
        row = s.get(FactoryOperation, op_id)
        assert row is not None and row.voided
        series_after = {(p.year, p.month): p.output for p in q.monthly_series(s, _admin(s), rid)}
    assert series_after.get((y, m), 0.0) == pytest.approx(series_before[(y, m)] - old_output)
    assert "st-voided" in c.get(f"/site/{site.id}").text
    # the emulation drive's indicators leave it out too
    from regdev.monitoring.evaluation import load_frames

    with env.factory() as s:
        ops = load_frames(s, None).operations
    same = ops[(ops.site_id == site.id) & (ops.line == row.line) & (ops.year == y)]
    assert m not in set(same.month)
    # the same line and month cannot be entered again: the form links to this record
    r = c.post(
        f"/county/{rid}/forms/production",
        data={
            "site_id": str(site.id),
            "line": row.line,
            "month": f"{y:04d}-{m:02d}",
            "output": "3",
            "capacity": "500",
        },
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 422
    assert f'href="/operation/{op_id}"' in r.text
    c.close()


def _admin(s: object) -> User:
    return s.execute(select(User).where(User.username == "admin")).scalar_one()  # type: ignore[attr-defined]


def test_lines_module_refuses_without_reason_and_scope(env: Env) -> None:
    rid = env.summary.operating_region_ids[5]
    other = env.summary.operating_region_ids[6]
    with session_scope(env.factory, write=True) as s:
        county = s.execute(select(User).where(User.username == "county")).scalar_one()
        op = (
            s.execute(select(FactoryOperation).where(FactoryOperation.region_id == rid))
            .scalars()
            .first()
        )
        assert op is not None
        with pytest.raises(DataValidationError):
            lines.void_operation(s, actor=_admin(s), operation_id=op.id, reason="  ")
        # a county user of another county may not touch it
        assert county.region_id != rid
        with pytest.raises((ScopeError, NotFoundError)):
            lines.void_operation(s, actor=county, operation_id=op.id, reason="not mine")
    assert other != rid
    with env.factory() as s:
        op2 = s.get(FactoryOperation, op.id)
        assert op2 is not None and not op2.voided


def test_line_choices_fall_back_to_reported_lines(env: Env) -> None:
    rid = env.summary.operating_region_ids[9]
    site = _site(env, rid)
    with session_scope(env.factory, write=True) as s:
        designed = lines.line_choices(s, [site.id])[site.id]
        assert designed and all(c.designed for c in designed)
        for row in s.execute(select(SiteLine).where(SiteLine.site_id == site.id)).scalars():
            s.delete(row)
        s.flush()
        fallback = lines.line_choices(s, [site.id])[site.id]
        assert sorted(c.name for c in fallback) == sorted(c.name for c in designed)
        assert not any(c.designed for c in fallback)
        s.rollback()


def test_empty_database_says_what_to_do(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'e.db'}"
    settings = Settings(
        database_url=url,
        argon2_time_cost=1,
        argon2_memory_cost=1024,
        secret_key="unit-test-secret-0123456789",
        environment="development",
    )
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(make_session_factory(engine), write=True) as s:
        crud.create_user(
            s,
            actor=None,
            data=schemas.UserCreate.model_validate(
                {"username": "admin", "password": "admin-password", "role": "national"}
            ),
            hasher=make_hasher(settings),
        )
    app = create_app(settings, engine=engine)
    c = Client(app)
    c.post("/login", data={"username": "admin", "password": "admin-password", "next": "/"})
    html = c.get("/").text
    assert "regdev db import-plan" in html
    assert "As of " in html
    assert 'class="chart"' not in html  # no blank 0-1 axes
    assert c.get("/?lang=ko").text.count("regdev db import-plan") >= 1
    c.close()
    engine.dispose()
    assert Project is not None


def test_set_design_lines_adds_updates_and_audits(env: Env) -> None:
    rid = env.summary.operating_region_ids[10]
    site = _site(env, rid)
    with session_scope(env.factory, write=True) as s:
        n_audit = s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
        existing = lines.line_choices(s, [site.id])[site.id]
        first = existing[0]
        changed = lines.set_design_lines(
            s,
            actor="planner",
            site_id=site.id,
            lines=[
                lines.LineChoice(site.id, first.name, first.product, 999.0, first.unit),
                lines.LineChoice(site.id, "kimchi", "kimchi", 12.0, "t"),
            ],
        )
        assert changed == 2
        # one audit entry per line added or changed
        assert s.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == n_audit + 2
        again = lines.set_design_lines(
            s,
            actor="planner",
            site_id=site.id,
            lines=[lines.LineChoice(site.id, "kimchi", "kimchi", 12.0, "t")],
        )
        assert again == 0
        after = {c.name: c.capacity for c in lines.line_choices(s, [site.id])[site.id]}
    assert after[first.name] == 999.0
    assert after["kimchi"] == 12.0
    assert len(after) == len(existing) + 1
