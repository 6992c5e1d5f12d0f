"""Evaluation API and pages: scope of every endpoint, decisions, process changes, downloads.

Who may read what (``regdev.monitoring.evaluation``): the league table is readable by every
authenticated role; scorecards, charts, alerts, recommendations, appraisals and signals
follow the user's scope; decisions and process changes need a writer in scope.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from evaluation_seed import seed_records
from regdev.monitoring import testing
from regdev.monitoring.app import create_app
from regdev.monitoring.config import Settings
from regdev.monitoring.db import make_engine, make_session_factory
from regdev.monitoring.deps import get_hasher
from regdev.monitoring.migrate import current_revision, upgrade

API = "/api/v1/evaluation"
ROLES = ("nat", "view", "prov_a", "county_a1", "county_b1", "factory_a1")


@pytest.fixture
def seeded(world: testing.World, session_factory: sessionmaker[Session]) -> testing.World:
    with session_factory() as s:
        seed_records(s, world)
    return world


def test_league_is_readable_by_every_role(client: TestClient, login, seeded: testing.World) -> None:  # noqa: ANN001
    first = None
    for user in ROLES:
        r = client.get(f"{API}/league", headers=login(user), params={"draws": 50})
        assert r.status_code == 200, (user, r.text)
        body = r.json()
        assert body["period"] == 2025 and body["previous"] == 2024
        assert len(body["data"]) == 3
        ranks = [
            (row["unit"], row["rank"], row["rank_p05"], row["rank_p95"]) for row in body["data"]
        ]
        first = first or ranks
        assert ranks == first  # the same national table for everybody
    assert client.get(f"{API}/league").status_code == 401


def test_league_is_reproducible_and_filters_peer_groups(
    client: TestClient, login, seeded: testing.World
) -> None:  # noqa: ANN001
    h = login("nat")
    a = client.get(f"{API}/league", headers=h, params={"draws": 200, "seed": 7}).json()
    b = client.get(f"{API}/league", headers=h, params={"draws": 200, "seed": 7}).json()
    assert a["data"] == b["data"]
    group = a["data"][0]["peer_group"]
    f = client.get(f"{API}/league", headers=h, params={"peer_group": group, "draws": 50}).json()
    assert {r["peer_group"] for r in f["data"]} == {group}
    fac = client.get(f"{API}/league", headers=h, params={"level": "factory", "draws": 50}).json()
    assert len(fac["data"]) == 3
    assert client.get(f"{API}/league", headers=h, params={"year": 1999}).status_code == 404


@pytest.mark.parametrize(
    ("user", "region", "status"),
    [
        ("nat", "T-B1", 200),
        ("view", "T-B1", 200),
        ("prov_a", "T-A1", 200),
        ("prov_a", "T-B1", 403),
        ("county_a1", "T-A1", 200),
        ("county_a1", "T-B1", 403),
        ("county_b1", "T-A1", 403),
        ("factory_a1", "T-A1", 200),
        ("factory_a1", "T-A2", 403),
        ("nat", "T-NOPE", 404),
    ],
)
def test_county_scorecard_scope(
    client: TestClient, login, seeded: testing.World, user: str, region: str, status: int
) -> None:  # noqa: ANN001
    r = client.get(f"{API}/counties/{region}/scorecard", headers=login(user))
    assert r.status_code == status, r.text
    if status == 200:
        body = r.json()
        assert body["region_id"] == region
        assert [y["year"] for y in body["years"]] == [2024, 2025]
        assert (
            body["league"]["rank_p05"] <= body["league"]["rank"] <= body["league"]["rank_p95"]
            or body["league"]["rank_p05"] <= body["league"]["rank_median"]
        )
        assert body["contributions"]["from"] == 2024


def test_site_scorecard_and_charts_scope(client: TestClient, login, seeded: testing.World) -> None:  # noqa: ANN001
    a1, b1 = seeded.site_a1.id, seeded.site_b1.id
    assert client.get(f"{API}/sites/{a1}/scorecard", headers=login("factory_a1")).status_code == 200
    assert client.get(f"{API}/sites/{b1}/scorecard", headers=login("factory_a1")).status_code == 403
    assert (
        client.get(f"{API}/sites/{b1}/control-charts", headers=login("county_a1")).status_code
        == 403
    )
    assert client.get(f"{API}/sites/999999/control-charts", headers=login("nat")).status_code == 404
    r = client.get(
        f"{API}/sites/{a1}/control-charts", headers=login("county_a1"), params={"line": "soy sauce"}
    )
    assert r.status_code == 200
    chart = r.json()["data"][0]
    spike = [p for p in chart["p"]["points"] if p["lot_code"].endswith("202511")]
    assert spike and "WE1" in spike[0]["rules"]
    assert chart["p"]["points"][0]["ucl"] > chart["p"]["points"][0]["centre"]


def test_alerts_are_scoped_and_name_the_rule(
    client: TestClient, login, seeded: testing.World
) -> None:  # noqa: ANN001
    nat = client.get(f"{API}/alerts", headers=login("nat")).json()
    assert any(a["rule"] == "WE1" and a["region_id"] == "T-A1" for a in nat["data"])
    assert all(a["description"] for a in nat["data"])
    b1 = client.get(f"{API}/alerts", headers=login("county_b1")).json()
    assert {a["region_id"] for a in b1["data"]} <= {"T-B1"}
    assert not any(a["region_id"] == "T-A1" for a in b1["data"])


def test_recommendation_decisions_and_signals(
    client: TestClient, login, seeded: testing.World
) -> None:  # noqa: ANN001
    recs = client.get(f"{API}/recommendations", headers=login("county_a1")).json()["data"]
    assert recs and {r["region_id"] for r in recs} == {"T-A1"}
    key = recs[0]["key"]
    body = {"key": key, "decision": "accepted", "note": "agreed at the county meeting"}
    assert (
        client.post(
            f"{API}/recommendations/decisions", headers=login("view"), json=body
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{API}/recommendations/decisions", headers=login("county_b1"), json=body
        ).status_code
        == 404
    )
    r = client.post(f"{API}/recommendations/decisions", headers=login("county_a1"), json=body)
    assert r.status_code == 201, r.text
    assert r.json()["decided_by"] == "county_a1"
    after = client.get(f"{API}/recommendations", headers=login("county_a1")).json()["data"]
    assert next(x for x in after if x["key"] == key)["decision"] == "accepted"
    sig = client.get(f"{API}/signals", headers=login("nat")).json()
    assert sig["count"] >= 1
    assert {s["region_id"] for s in sig["data"]} == {"T-A1"}
    assert client.get(f"{API}/signals", headers=login("county_b1")).json()["count"] == 0
    bad = client.post(
        f"{API}/recommendations/decisions", headers=login("nat"), json={**body, "decision": "maybe"}
    )
    assert bad.status_code == 422


def test_process_change_starts_a_new_limit_version(
    client: TestClient, login, seeded: testing.World
) -> None:  # noqa: ANN001
    a1, b1 = seeded.site_a1.id, seeded.site_b1.id
    body = {"site_id": a1, "line": "noodles", "date": "2025-03-01", "reason": "tier 3 upgrade"}
    assert (
        client.post(f"{API}/process-changes", headers=login("view"), json=body).status_code == 403
    )
    assert (
        client.post(
            f"{API}/process-changes", headers=login("factory_a1"), json={**body, "site_id": b1}
        ).status_code
        == 403
    )
    r = client.post(f"{API}/process-changes", headers=login("factory_a1"), json=body)
    assert r.status_code == 201, r.text
    charts = client.get(
        f"{API}/sites/{a1}/control-charts", headers=login("nat"), params={"line": "noodles"}
    ).json()
    versions = charts["data"][0]["p"]["versions"]
    assert [v["reason"] for v in versions] == ["", "tier 3 upgrade"]
    listed = client.get(f"{API}/process-changes", headers=login("county_b1")).json()
    assert listed == []


def test_appraisal_scope_and_content(client: TestClient, login, seeded: testing.World) -> None:  # noqa: ANN001
    r = client.get(f"{API}/appraisal", headers=login("county_a1"), params={"region_id": "T-A1"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["mode"] == "ex-post"
    assert body["counties"][0]["region_id"] == "T-A1"
    assert {s["parameter"] for s in body["sensitivity"]} == {
        "discount_rate",
        "price",
        "utilisation",
    }
    assert (
        client.get(
            f"{API}/appraisal", headers=login("county_a1"), params={"region_id": "T-B1"}
        ).status_code
        == 403
    )
    cohort = client.get(
        f"{API}/appraisal", headers=login("county_a1"), params={"cohort": 2024}
    ).json()
    assert {c["region_id"] for c in cohort["counties"]} == {"T-A1"}
    assert client.get(f"{API}/appraisal", headers=login("nat")).status_code == 400


def test_empty_database_gives_empty_results(
    client: TestClient, login, world: testing.World
) -> None:  # noqa: ANN001
    h = login("nat")
    assert client.get(f"{API}/league", headers=h).json()["data"] == []
    assert client.get(f"{API}/alerts", headers=h).json()["count"] == 0
    assert client.get(f"{API}/recommendations", headers=h).json()["count"] == 0
    assert (
        client.get(f"{API}/appraisal", headers=h, params={"region_id": "T-A1"}).status_code == 404
    )


# ----------------------------------------------------------------------- dashboard


@pytest.fixture(scope="module")
def dash_app(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, testing.World]]:
    tmp = tmp_path_factory.mktemp("evaldash")
    url = f"sqlite:///{tmp / 'm.db'}"
    eng = make_engine(url)
    upgrade(eng)
    with make_session_factory(eng)() as s:
        world = testing.build_world(s)
        seed_records(s, world)
    app = create_app(Settings(database_url=url, secret_key="x" * 40), engine=eng)
    app.dependency_overrides[get_hasher] = lambda: testing.FAST_HASHER
    with TestClient(app) as c:
        yield c, world
    eng.dispose()


def _dash_login(c: TestClient, user: str) -> None:
    c.cookies.clear()
    r = c.post(
        "/login", data={"username": user, "password": testing.PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 303


def test_dashboard_pages_scope_and_downloads(dash_app: tuple[TestClient, testing.World]) -> None:
    c, world = dash_app
    c.cookies.clear()
    assert c.get("/evaluation", follow_redirects=False).status_code == 303  # to the login page
    _dash_login(c, "county_a1")
    r = c.get("/evaluation?sort=quality&desc=1")
    assert r.status_code == 200 and 'data-table="league"' in r.text
    assert c.get("/evaluation/county/T-A1").status_code == 200
    assert c.get("/evaluation/county/T-B1").status_code == 403
    assert c.get(f"/evaluation/site/{world.site_b1.id}").status_code == 403
    page = c.get(f"/evaluation/site/{world.site_a1.id}")
    assert page.status_code == 200
    assert 'class="point signal"' in page.text and 'data-rules="WE1' in page.text
    csv = c.get("/evaluation/download/league.csv")
    assert csv.status_code == 200 and csv.text.startswith("rank,rank_interval,name")
    xlsx = c.get("/evaluation/download/league.xlsx")
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.active is not None and wb.active.cell(1, 1).value == "rank"
    assert c.get("/evaluation/download/nothing.csv").status_code == 404
    listing = c.get("/evaluation/appraisal")
    assert listing.status_code == 200 and "cohort=2024" in listing.text
    ap = c.get("/evaluation/appraisal?cohort=2024")
    assert ap.status_code == 200 and 'data-table="sensitivity"' in ap.text
    assert c.get("/evaluation/appraisal/download/counties.csv?cohort=2024").text.startswith(
        "region_id,n_lines"
    )
    assert c.get("/evaluation/appraisal?region=T-B1").status_code == 403
    ko = c.get("/evaluation?lang=ko")
    assert "순위표" in ko.text


def test_dashboard_accepts_a_recommendation(dash_app: tuple[TestClient, testing.World]) -> None:
    c, _ = dash_app
    _dash_login(c, "view")
    page = c.get("/evaluation/recommendations")
    assert page.status_code == 200 and 'name="decision" value="accepted"' not in page.text
    _dash_login(c, "county_a1")
    page = c.get("/evaluation/recommendations")
    import re

    forms = re.findall(
        r'<form method="post" action="/evaluation/recommendations/decide"[^>]*>(.*?)</form>',
        page.text,
        re.S,
    )
    assert forms
    # the form's own hidden fields (the session's CSRF token and the key), as a browser
    # sends them, from the dashboard's own origin (the request guard refuses
    # cookie-authenticated writes without Origin/Referer: issue 16)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', forms[0]))
    assert set(fields) == {"csrf_token", "key"} and fields["csrf_token"]
    without_token = {"key": fields["key"], "decision": "accepted"}
    r = c.post(
        "/evaluation/recommendations/decide",
        data=without_token,
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert r.status_code == 403  # a form without the token is refused (CSRF)
    assert 'data-decision="accepted"' not in c.get("/evaluation/recommendations").text
    r = c.post(
        "/evaluation/recommendations/decide",
        data={**fields, "decision": "accepted"},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    again = c.get("/evaluation/recommendations")
    assert 'data-decision="accepted"' in again.text
    sig = c.get("/evaluation/signals.csv")
    assert sig.text.splitlines()[0].startswith("region_id,action,line,category,multiplier")
    assert "T-A1" in sig.text


def test_upgrade_from_0002_keeps_data_and_adds_the_evaluation_tables(tmp_path: Path) -> None:
    eng: Engine = make_engine(f"sqlite:///{tmp_path / 'u.db'}")
    upgrade(eng, "0002")
    with eng.begin() as conn:
        conn.execute(text("INSERT INTO provinces (id, name) VALUES ('P', 'Province P')"))
    upgrade(eng)
    assert current_revision(eng) == "0006"  # 0005: dashboard (issue 15), 0006: grain cables (16)
    with eng.connect() as conn:
        assert conn.execute(text("SELECT name FROM provinces")).scalar_one() == "Province P"
        assert conn.execute(text("SELECT COUNT(*) FROM evaluation_decisions")).scalar_one() == 0
        assert conn.execute(text("SELECT COUNT(*) FROM process_changes")).scalar_one() == 0
    eng.dispose()
