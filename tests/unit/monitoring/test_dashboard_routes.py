"""Dashboard routes in-process (ASGI transport): login, pages, CSV, forms, scope, cache."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from regdev.monitoring import crud, schemas
from regdev.monitoring.app import create_app
from regdev.monitoring.auth import make_hasher
from regdev.monitoring.config import Settings
from regdev.monitoring.dashboard._seed import SeedSummary, seed_synthetic
from regdev.monitoring.db import make_engine, make_session_factory, session_scope
from regdev.monitoring.guard import csrf_token
from regdev.monitoring.migrate import upgrade
from regdev.monitoring.models import AuditEntry, FactoryOperation, Project, Site, SiteLine, Survey


class Client:
    """A synchronous wrapper over ``httpx.AsyncClient`` with the ASGI transport.

    Posts like the dashboard in a browser: with the page's ``Origin`` and, once logged
    in, the session's CSRF token in ``X-CSRF-Token`` (HTMX sends it from the page's
    ``hx-headers``; plain forms carry it as a hidden field).
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            headers={"Origin": "http://testserver"},
        )

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.get(url, **kw))

    def post(self, url: str, **kw: Any) -> httpx.Response:
        settings = self.app.state.settings
        cookie = self.client.cookies.get(settings.cookie_name)
        if cookie:
            kw["headers"] = {"X-CSRF-Token": csrf_token(settings, cookie), **kw.get("headers", {})}
        return self.loop.run_until_complete(self.client.post(url, **kw))

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


class Env:
    def __init__(self, app: Any, factory: Any, summary: SeedSummary, settings: Settings) -> None:
        self.app = app
        self.factory = factory
        self.summary = summary
        self.settings = settings

    def client(self, username: str | None = "admin", password: str = "admin-password") -> Client:
        c = Client(self.app)
        if username is not None:
            r = c.post("/login", data={"username": username, "password": password, "next": "/"})
            assert r.status_code == 303, r.text
        return c


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    tmp: Path = tmp_path_factory.mktemp("dash-routes")
    url = f"sqlite:///{tmp / 'm.db'}"
    settings = Settings(
        database_url=url,
        argon2_time_cost=1,
        argon2_memory_cost=1024,
        secret_key="unit-test-secret-0123456789",
    )
    engine = make_engine(url)
    upgrade(engine)
    summary = seed_synthetic(engine, settings=settings, n_months=6, lines_per_site=2, rng=3)
    rid = summary.operating_region_ids[0]
    factory = make_session_factory(engine)
    with session_scope(factory, write=True) as s:
        hasher = make_hasher(settings)
        for data in (
            {
                "username": "county",
                "password": "county-password",
                "role": "county",
                "region_id": rid,
            },
            {"username": "viewer", "password": "viewer-password", "role": "viewer"},
        ):
            crud.create_user(
                s, actor=None, data=schemas.UserCreate.model_validate(data), hasher=hasher
            )
    app = create_app(settings, engine=engine)
    yield Env(app, factory, summary, settings)
    engine.dispose()


def _site_of(env: Env, rid: str) -> Site:
    with env.factory() as s:
        return s.execute(select(Site).where(Site.region_id == rid)).scalars().first()


def test_pages_need_login_and_login_rejects_bad_password(env: Env) -> None:
    c = env.client(None)
    r = c.get("/", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/"
    r = c.get("/county/X", headers={"HX-Request": "true"})
    assert r.status_code == 401
    assert r.headers["HX-Redirect"].startswith("/login?next=")
    r = c.post("/login", data={"username": "admin", "password": "nope", "next": "/"})
    assert r.status_code == 401
    assert "incorrect username or password" in r.text
    # the refusal in the page's language (issue 15): Korean for ?lang=ko
    r = c.post("/login?lang=ko", data={"username": "admin", "password": "nope", "next": "/"})
    assert r.status_code == 401
    assert "사용자 이름 또는 암호가 틀립니다" in r.text
    assert "incorrect username or password" not in r.text
    # an open redirect is refused
    r = c.post(
        "/login",
        data={"username": "admin", "password": "admin-password", "next": "//evil.example/"},
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    assert "httponly" in r.headers["set-cookie"].lower()
    assert "samesite=strict" in r.headers["set-cookie"].lower()
    for bad_next in ("/\t/evil.example/", "https://evil.example/", "/\\evil.example"):
        r = c.post(
            "/login", data={"username": "admin", "password": "admin-password", "next": bad_next}
        )
        assert r.headers["location"] == "/"
    r = c.post(
        "/login", data={"username": "admin", "password": "admin-password", "next": "/county/X?a=1"}
    )
    assert r.headers["location"] == "/county/X?a=1"
    r = c.post("/logout")
    assert r.status_code == 303
    assert c.get("/", follow_redirects=False).status_code == 303
    c.close()


def test_static_whitelist_and_no_external_urls_in_pages(env: Env) -> None:
    c = env.client()
    r = c.get("/static/htmx.min.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert (
        c.get("/static/htmx.min.js", headers={"If-None-Match": r.headers["etag"]}).status_code
        == 304
    )
    assert c.get("/static/..%2Fcache.py").status_code == 404
    assert c.get("/static/secret.txt").status_code == 404
    rid = env.summary.operating_region_ids[0]
    for url in ("/", f"/county/{rid}", "/province/KP-02", "/login"):
        html = c.get(url).text
        for attr in ("src=", "href=", "action="):
            for chunk in html.split(attr)[1:]:
                target = chunk[1:].split(chunk[0], 1)[0]
                assert not target.startswith(("http:", "https:", "//")), (url, target)
    c.close()


def test_national_page_counts_match_the_database(env: Env) -> None:
    c = env.client()
    r = c.get("/")
    assert r.status_code == 200
    assert r.text.count('class="site') == 179
    rows = list(csv.DictReader(io.StringIO(c.get("/csv/progress_by_year.csv").text)))
    with env.factory() as s:
        n = s.execute(select(func.count()).select_from(Project)).scalar_one()
        n_2024 = s.execute(
            select(func.count()).select_from(Project).where(Project.cohort_year == 2024)
        ).scalar_one()
    assert sum(int(row["total"]) for row in rows) == n
    assert next(int(row["total"]) for row in rows if row["cohort_year"] == "2024") == n_2024
    for name in ("progress_by_province", "cohort_on_time", "regions"):
        resp = c.get(f"/csv/{name}.csv")
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/csv")
    assert c.get("/csv/nope.csv").status_code == 404
    c.close()


def test_province_and_county_pages_and_csv(env: Env) -> None:
    c = env.client()
    r = c.get("/province/KP-02")
    assert r.status_code == 200
    assert c.get("/province/KP-99").status_code == 404
    assert c.get("/province/KP-02/csv/regions.csv").status_code == 200
    rid = env.summary.operating_region_ids[0]
    r = c.get(f"/county/{rid}")
    assert r.status_code == 200
    for form in ("production", "milestone", "quality", "survey"):
        assert f'id="form-{form}"' in r.text
    with env.factory() as s:
        n_ops = s.execute(
            select(func.count())
            .select_from(FactoryOperation)
            .where(FactoryOperation.region_id == rid)
        ).scalar_one()
        n_surv = s.execute(
            select(func.count()).select_from(Survey).where(Survey.region_id == rid)
        ).scalar_one()
    ops = list(csv.DictReader(io.StringIO(c.get(f"/county/{rid}/csv/operations.csv").text)))
    assert len(ops) == min(n_ops, 48)
    surveys = list(csv.DictReader(io.StringIO(c.get(f"/county/{rid}/csv/surveys.csv").text)))
    assert len(surveys) == min(n_surv, 30)
    for name in ("projects", "milestones", "sites", "quality", "survey_summary", "grain_status"):
        assert c.get(f"/county/{rid}/csv/{name}.csv").status_code == 200
    assert c.get("/county/KP-NOPE").status_code == 404
    c.close()


def _month(delta: int = 0) -> str:
    today = dt.datetime.now(dt.UTC).date()
    idx = today.year * 12 + today.month - 1 + delta
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def _chart_value(html: str, month: str) -> float:
    import re

    m = re.search(rf'data-month="{month}" data-value="([0-9.eE+-]+)"', html)
    return float(m.group(1)) if m else 0.0


def test_production_form_saves_through_crud_with_audit_and_refreshes(env: Env) -> None:
    c = env.client()
    rid = env.summary.operating_region_ids[1]
    site = _site_of(env, rid)
    # the site's design gains two lines (as `db import-plan` stores them): the form offers
    # only design lines, so a new line-month can be entered for them
    with session_scope(env.factory, write=True) as s:
        for name in ("unit test line", "plain post"):
            s.add(SiteLine(site_id=site.id, name=name, product=name, capacity=50.0, unit="t"))
    assert "unit test line" in c.get(f"/county/{rid}").text
    page_before = c.get(f"/county/{rid}/fragment/production-chart")
    assert c.get(f"/county/{rid}/fragment/production-chart").headers.get("X-Cache") == "hit"
    with env.factory() as s:
        n_audit = s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    data = {
        "site_id": str(site.id),
        "line": "unit test line",
        "month": _month(-1),  # the current month is unfinished and refused (issue 15)
        "output": "42",
        "capacity": "50",
    }
    r = c.post(f"/county/{rid}/forms/production", data=data, headers={"HX-Request": "true"})
    assert r.status_code == 200, r.text
    assert r.headers["HX-Trigger"] == "production-saved"
    assert "Saved unit test line" in r.text
    with env.factory() as s:
        row = s.execute(
            select(FactoryOperation).where(FactoryOperation.line == "unit test line")
        ).scalar_one()
        assert row.output == 42.0
        assert row.region_id == rid
        assert s.execute(select(func.count()).select_from(AuditEntry)).scalar_one() > n_audit
    # the cache key moved with the audit head: the chart shows the new month
    chart = c.get(f"/county/{rid}/fragment/production-chart")
    assert chart.headers.get("X-Cache") is None
    # (last month already has the seeded lines' output: the chart shows 42 more)
    assert _chart_value(chart.text, _month(-1)) == pytest.approx(
        _chart_value(page_before.text, _month(-1)) + 42
    )
    assert chart.text != page_before.text
    assert "unit test line" in c.get(f"/county/{rid}/fragment/operations").text
    # duplicate line-month: the core's rule comes back inline with 422
    r = c.post(f"/county/{rid}/forms/production", data=data, headers={"HX-Request": "true"})
    assert r.status_code == 422
    assert "msg-bad" in r.text
    # without HTMX a good post redirects back to the county page
    r = c.post(
        f"/county/{rid}/forms/production", data=data | {"month": _month(-1), "line": "plain post"}
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/county/{rid}#form-production"
    c.close()


def test_inline_validation_and_bad_submissions(env: Env) -> None:
    c = env.client()
    rid = env.summary.operating_region_ids[0]
    site = _site_of(env, rid)
    url = f"/county/{rid}/forms/production"
    r = c.post(
        url + "/validate",
        data={"output": "-1"},
        headers={"HX-Request": "true", "HX-Trigger-Name": "output"},
    )
    assert r.status_code == 200
    assert "greater than or equal to 0" in r.text
    r = c.post(
        url + "/validate",
        data={"output": "5"},
        headers={"HX-Request": "true", "HX-Trigger-Name": "output"},
    )
    assert r.text == ""
    bad = {"site_id": str(site.id), "line": "x", "month": "2999-01", "output": "1", "capacity": "1"}
    r = c.post(url, data=bad, headers={"HX-Request": "true"})
    assert r.status_code == 422
    assert "has not ended" in r.text
    assert 'value="2999-01"' in r.text  # the user's input is kept
    # a site of another county is refused by the context check
    other = _site_of(env, env.summary.operating_region_ids[2])
    r = c.post(
        url,
        data=bad | {"site_id": str(other.id), "month": _month(-1)},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 422
    assert "not a producing site of this county" in r.text
    # a non-HTMX bad post renders the whole page with the messages
    r = c.post(url, data=bad)
    assert r.status_code == 422
    assert "<h1>" in r.text
    assert c.post(f"/county/{rid}/forms/nope", data=bad).status_code == 404
    c.close()


def test_quality_survey_and_milestone_forms(env: Env) -> None:
    c = env.client()
    rid = env.summary.operating_region_ids[3]
    site = _site_of(env, rid)
    h = {"HX-Request": "true"}
    with env.factory() as s:
        line = (
            s.execute(
                select(SiteLine.name).where(SiteLine.site_id == site.id).order_by(SiteLine.name)
            )
            .scalars()
            .first()
        )
    assert line is not None  # the seeded design lines
    today = dt.datetime.now(dt.UTC).date().isoformat()
    r = c.post(
        f"/county/{rid}/forms/quality",
        data={
            "site_id": str(site.id),
            "line": line,
            "date": today,
            "lot_code": "LOT-9",
            "sample_size": "50",
            "defects": "2",
            "defect_type": "weight",
        },
        headers=h,
    )
    assert r.status_code == 200, r.text
    r = c.post(
        f"/county/{rid}/forms/survey",
        data={
            "site_id": str(site.id),
            "date": today,
            "product_category": "food",
            "score": "9",
            "comment": "good",
        },
        headers=h,
    )
    assert r.status_code == 200, r.text
    page = c.get(f"/county/{rid}")
    assert "LOT-9" in page.text
    assert "weight: 2" in page.text
    # milestone: move a planned project (another county) through groundbreaking
    with env.factory() as s:
        proj = s.execute(select(Project).where(Project.state == "planned")).scalars().first()
        prid, pid = proj.region_id, proj.id
    r = c.post(
        f"/county/{prid}/forms/milestone",
        data={
            "project_id": str(pid),
            "milestone": "groundbreaking",
            "actual_date": today,
            "note": "ground broken",
        },
        headers=h,
    )
    assert r.status_code == 200, r.text
    with env.factory() as s:
        proj = s.get(Project, pid)
        assert proj.state == "groundbreaking"
        assert proj.actual_groundbreaking == dt.date.fromisoformat(today)
        assert "ground broken" in proj.note
    # a cancelled project cannot come back: the core's lifecycle rule, shown inline
    r = c.post(
        f"/county/{prid}/forms/milestone",
        data={"project_id": str(pid), "milestone": "cancelled", "planned_date": today},
        headers=h,
    )
    assert r.status_code == 200
    r = c.post(
        f"/county/{prid}/forms/milestone",
        data={"project_id": str(pid), "milestone": "operating", "actual_date": today},
        headers=h,
    )
    assert r.status_code == 422
    assert "cannot move a project" in r.text
    c.close()


def test_county_user_scope_and_viewer_has_no_forms(env: Env) -> None:
    rid = env.summary.operating_region_ids[0]
    other = env.summary.operating_region_ids[1]
    c = env.client("county", "county-password")
    assert c.get(f"/county/{rid}").status_code == 200
    r = c.get(f"/county/{other}")
    assert r.status_code == 403
    assert c.get(f"/county/{other}/csv/operations.csv").status_code == 403
    site = _site_of(env, other)
    r = c.post(
        f"/county/{other}/forms/production",
        data={
            "site_id": str(site.id),
            "line": "x",
            "month": _month(-1),
            "output": "1",
            "capacity": "1",
        },
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 403
    with env.factory() as s:
        assert (
            s.execute(select(FactoryOperation).where(FactoryOperation.line == "x")).first() is None
        )
    # the national page of a county user counts only their county
    rows = list(csv.DictReader(io.StringIO(c.get("/csv/regions.csv").text)))
    assert [r["region"] for r in rows] == [c2 for c2 in [rows[0]["region"]]]
    assert len(rows) == 1
    c.close()
    v = env.client("viewer", "viewer-password")
    page = v.get(f"/county/{rid}")
    assert page.status_code == 200
    assert 'id="form-production"' not in page.text
    v.close()


def test_county_csv_equals_the_table_on_the_page(env: Env) -> None:
    from regdev.monitoring.dashboard import pages
    from regdev.monitoring.models import User

    rid = env.summary.operating_region_ids[4]
    with env.factory() as s:
        admin = s.execute(select(User).where(User.username == "admin")).scalar_one()
        page = pages.build_county(s, admin, rid, base="")
        shown = page.tables()
        assert set(shown) == set(pages.COUNTY_TABLES)
        for name, table in shown.items():
            alone = pages.county_table(s, admin, rid, name)
            assert alone is not None
            assert alone.to_csv() == table.to_csv(), name
        assert pages.county_table(s, admin, rid, "nope") is None
    c = env.client()
    assert c.get(f"/county/{rid}/csv/nope.csv").status_code == 404
    assert c.get(f"/county/{rid}/csv/quality.csv").text == shown["quality"].to_csv()
    c.close()


def test_factory_user_sees_only_their_site(env: Env) -> None:
    rid = env.summary.operating_region_ids[5]
    site = _site_of(env, rid)
    with session_scope(env.factory, write=True) as s:
        crud.create_user(
            s,
            actor=None,
            data=schemas.UserCreate.model_validate(
                {
                    "username": "factory-mgr",
                    "password": "factory-password",
                    "role": "factory",
                    "site_id": site.id,
                }
            ),
            hasher=make_hasher(env.settings),
        )
    c = env.client("factory-mgr", "factory-password")
    r = c.get(f"/county/{rid}")
    assert r.status_code == 200
    sites = list(csv.DictReader(io.StringIO(c.get(f"/county/{rid}/csv/sites.csv").text)))
    assert [int(row["id"]) for row in sites] == [site.id]
    assert c.get(f"/county/{env.summary.operating_region_ids[6]}").status_code == 403
    c.close()


def test_duplicate_record_links_the_existing_one(env: Env) -> None:
    """Issue 15: a duplicate is answered with a link to the stored record, nothing marked."""
    c = env.client()
    rid = env.summary.operating_region_ids[3]
    site = _site_of(env, rid)
    with session_scope(env.factory, write=True) as s:
        s.add(SiteLine(site_id=site.id, name="duplicate line", capacity=20.0))
    data = {
        "site_id": str(site.id),
        "line": "duplicate line",
        "month": _month(-2),
        "output": "10",
        "capacity": "20",
        "raw_local": "",
    }
    h = {"HX-Request": "true"}
    assert c.post(f"/county/{rid}/forms/production", data=data, headers=h).status_code == 200
    with env.factory() as s:
        row = s.execute(
            select(FactoryOperation).where(FactoryOperation.line == "duplicate line")
        ).scalar_one()
        assert row.raw_local is None  # blank = unknown
    r = c.post(f"/county/{rid}/forms/production", data=data, headers=h)
    assert r.status_code == 422
    # the link opens the record's own dashboard page, where it can be corrected or voided
    assert f'href="/operation/{row.id}"' in r.text
    assert "please correct the marked fields" not in r.text
    page = c.get(f"/operation/{row.id}")
    assert page.status_code == 200
    assert 'id="form-correct"' in page.text and 'id="form-void"' in page.text
    assert c.get(f"/api/v1/operations/{row.id}").json()["id"] == row.id
    c.close()
