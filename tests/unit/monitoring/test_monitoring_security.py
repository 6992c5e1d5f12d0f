"""Regression tests of issue 16 at the HTTP level (run on SQLite and PostgreSQL).

Each test names the defect it covers; each fails on the code before the fix.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from regdev.monitoring import testing
from regdev.monitoring.deps import get_hasher

API = "/api/v1"


class CountingHasher(PasswordHasher):
    def __init__(self, delay_s: float = 0.0) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.delay_s = delay_s
        self.calls = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:  # noqa: A002
        with self._lock:
            self.calls += 1
        time.sleep(self.delay_s)
        return super().verify(hash, password)


@pytest.fixture
def counting(app: FastAPI) -> CountingHasher:
    hasher = CountingHasher(delay_s=0.05)
    before = app.dependency_overrides[get_hasher]
    app.dependency_overrides[get_hasher] = lambda: hasher
    yield hasher
    app.dependency_overrides[get_hasher] = before


def _token(client: TestClient, username: str, password: str) -> int:
    r = client.post(f"{API}/login/access-token", data={"username": username, "password": password})
    return r.status_code


# defect 3 -------------------------------------------------------------------------------


def test_defect3_twenty_parallel_wrong_passwords_counted_exactly(
    engine: Engine, client: TestClient, world: testing.World, counting: CountingHasher
) -> None:
    if engine.dialect.name == "sqlite":
        pytest.skip("in-memory SQLite shares one connection (file variant in test_monitoring_auth)")
    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(lambda _: _token(client, "nat", "wrong password"), range(20)))
    assert counting.calls == 5, codes
    assert all(c == 401 for c in codes)
    # a burst containing the right password after the limit gets no token
    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(
            pool.map(
                lambda p: _token(client, "nat", p), ["wrong", testing.PASSWORD, "x", "wrong 2"]
            )
        )
    assert 200 not in codes
    assert counting.calls == 5


# defect 4 -------------------------------------------------------------------------------


def test_defect4_failures_from_elsewhere_do_not_lock_the_administrator_out(
    app: FastAPI, world: testing.World
) -> None:
    attacker = TestClient(app, client=("198.51.100.7", 50000))
    admin = TestClient(app, client=("127.0.0.1", 50001))
    for _ in range(10):
        assert _token(attacker, "nat", "guess") in (401,)
    assert _token(admin, "nat", testing.PASSWORD) == 200


# defect 5: CSRF, framing --------------------------------------------------------------


def _cookie_client(app: FastAPI, client: TestClient, username: str) -> tuple[TestClient, str]:
    r = client.post(
        f"{API}/login/access-token", data={"username": username, "password": testing.PASSWORD}
    )
    token = r.json()["access_token"]
    c = TestClient(app)
    c.cookies.set(app.state.settings.cookie_name, token)
    return c, token


def _survey(world: testing.World) -> dict[str, object]:
    return {
        "site_id": world.site_a1.id,
        "date": "2025-03-01",
        "product_category": "noodles",
        "score": 7,
    }


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "http://testserver:8081", "https://testserver", "null"]
)
def test_defect5_cookie_writes_from_another_origin_or_port_are_refused(
    app: FastAPI, client: TestClient, world: testing.World, origin: str
) -> None:
    from regdev.monitoring.guard import csrf_token

    c, token = _cookie_client(app, client, "county_a1")
    good = csrf_token(app.state.settings, token)
    # even with a valid token, another origin (or port) is refused
    r = c.post(
        f"{API}/surveys", json=_survey(world), headers={"Origin": origin, "X-CSRF-Token": good}
    )
    assert r.status_code == 403, r.text
    files = {"file": ("s.csv", "site_id,date,product_category,score\n1,2025-03-01,x,5\n")}
    r = c.post(f"{API}/surveys/import", files=files, headers={"Origin": origin})
    assert r.status_code == 403
    r = c.post("/county/T-A1/forms/survey", data={"csrf_token": good}, headers={"Origin": origin})
    assert r.status_code == 403


def test_defect5_cookie_api_writes_need_the_csrf_token(
    app: FastAPI, client: TestClient, world: testing.World
) -> None:
    from regdev.monitoring.guard import csrf_token

    c, token = _cookie_client(app, client, "county_a1")
    same = {"Origin": "http://testserver"}
    assert c.post(f"{API}/surveys", json=_survey(world), headers=same).status_code == 403
    bad = {**same, "X-CSRF-Token": "0" * 40}
    assert c.post(f"{API}/surveys", json=_survey(world), headers=bad).status_code == 403
    ok = {**same, "X-CSRF-Token": csrf_token(app.state.settings, token)}
    assert c.post(f"{API}/surveys", json=_survey(world), headers=ok).status_code == 201
    # no Origin and no Referer with a cookie: refused (browsers always send one)
    assert c.post(f"{API}/surveys", json=_survey(world)).status_code == 403
    # a bearer token needs none of this (browsers cannot attach it cross-origin)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.post(f"{API}/surveys", json=_survey(world), headers=bearer).status_code == 201


def test_defect5_dashboard_form_needs_its_token(
    app: FastAPI, client: TestClient, world: testing.World
) -> None:
    from regdev.monitoring.guard import csrf_token

    c, token = _cookie_client(app, client, "county_a1")
    form = {
        "site_id": str(world.site_a1.id),
        "date": "2025-03-01",
        "product_category": "noodles",
        "score": "7",
    }
    same = {"Origin": "http://testserver"}
    r = c.post("/county/T-A1/forms/survey", data=form, headers=same)
    assert r.status_code == 403
    form["csrf_token"] = csrf_token(app.state.settings, token)
    r = c.post("/county/T-A1/forms/survey", data=form, headers=same, follow_redirects=False)
    assert r.status_code == 303, r.text


def test_security_headers_forbid_framing_and_sniffing(client: TestClient) -> None:
    for url in ("/login", f"{API}/health", f"{API}/docs"):
        r = client.get(url)
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"


# defect 11: bodies bounded before authentication ---------------------------------------


def test_defect11_unauthenticated_bodies_are_refused_before_they_are_read(
    app: FastAPI, client: TestClient
) -> None:
    # a streamed multipart upload (no Content-Length): cut off at the anonymous limit
    # while the server reads it (the form would otherwise be parsed before the 401)
    def body():  # noqa: ANN202 - a generator the client streams
        yield b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
        for _ in range(64):
            yield b"x" * (1 << 20)

    multipart = {"Content-Type": "multipart/form-data; boundary=x"}
    r = client.post(f"{API}/surveys/import", content=body(), headers=multipart)
    assert r.status_code == 413
    # a declared size over the limit is refused before a byte of the body is read
    big = {"Content-Length": str(300 << 20), "Content-Type": "application/json"}
    r = client.post(f"{API}/surveys", content=b"{}", headers=big)
    assert r.status_code == 413


def test_defect11_signed_in_json_bodies_are_bounded(
    client: TestClient, login, world: testing.World
) -> None:
    h = login("county_a1")
    body = b'{"comment": "' + b"x" * (2 << 20) + b'"}'
    r = client.post(
        f"{API}/surveys", content=body, headers={**h, "Content-Type": "application/json"}
    )
    assert r.status_code == 413


# defect 8 (part): NUL bytes in URLs ----------------------------------------------------


def test_defect8_nul_in_paths_and_queries_is_400_not_500(
    client: TestClient, login, world: testing.World
) -> None:
    h = login("nat")
    for url in ("/county/T-A1%00", f"{API}/regions/T%00A1", f"{API}/projects?region_id=%00"):
        r = client.get(url, headers=h)
        assert r.status_code == 400, (url, r.status_code)


# defect 10: CSV injection and bare CR in exports ---------------------------------------


def test_defect10_api_export_defuses_formulas_and_quotes_bare_cr(
    client: TestClient, login, world: testing.World
) -> None:
    import csv
    import io

    h = login("county_a1")
    for comment in ("=cmd|' /C calc'!A0", "@SUM(1+1)", "line one\rline two"):
        body = {**_survey(world), "comment": comment}
        assert client.post(f"{API}/surveys", json=body, headers=h).status_code == 201
    r = client.get(f"{API}/surveys/export.csv", headers=h)
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.text, newline="")))
    comments = [row["comment"] for row in rows]
    assert "'=cmd|' /C calc'!A0" in comments
    assert "'@SUM(1+1)" in comments
    assert "line one\rline two" in comments
    assert len(rows) == 3


# defect 1: a bulk import does not freeze the server ------------------------------------


def _operations_csv(site_id: int, n: int) -> bytes:
    months = [(y, m) for y in (2025,) for m in range(1, 13)]
    out = ["site_id,line,year,month,output,capacity,unit"]
    k = 0
    line = 0
    while k < n:
        for y, m in months[: n - k]:
            out.append(f"{site_id},L{line:06d},{y},{m},10.5,20,t")
            k += 1
        line += 1
    return ("\n".join(out) + "\n").encode()


def test_defect1_import_runs_off_the_event_loop(
    engine: Engine, app: FastAPI, login, world: testing.World
) -> None:
    import asyncio

    import httpx

    if engine.dialect.name != "sqlite":
        pytest.skip("one back end is enough for the event-loop check")
    h = login("county_a1")
    data = _operations_csv(world.site_a1.id, 6000)

    boundary = "regdev-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="ops.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )

    async def chunks():  # noqa: ANN202 - streamed like a network upload (64 KiB pieces)
        for k in range(0, len(body), 1 << 16):
            yield body[k : k + (1 << 16)]
            await asyncio.sleep(0)

    async def scenario() -> tuple[list[float], int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            # warm up (the very first request of an application pays one-time costs)
            await c.get(f"{API}/health")
            headers = {**h, "Content-Type": f"multipart/form-data; boundary={boundary}"}
            task = asyncio.create_task(
                c.post(f"{API}/operations/import", content=chunks(), headers=headers)
            )
            lat: list[float] = []
            while not task.done():
                t0 = time.perf_counter()
                r = await c.get(f"{API}/health")
                lat.append(time.perf_counter() - t0)
                assert r.status_code == 200
                await asyncio.sleep(0.02)
            return lat, (await task).status_code

    lat, status = asyncio.run(scenario())
    assert status == 201
    # before the fix the import blocked the event loop: /health was answered once, after
    # it; now it answers throughout (typically in a few ms: the strict 100 ms bound is a
    # speed target, measured by the benchmark, not by a test on a shared machine)
    assert len(lat) >= 5, f"/health answered {len(lat)} times during the import"
    lat.sort()
    assert lat[len(lat) // 2] < 0.1, f"median /health {lat[len(lat) // 2] * 1000:.0f} ms"


def test_bulk_rows_and_audit_equal_the_single_row_path(
    session_factory, client: TestClient, login, world: testing.World
) -> None:
    from sqlalchemy import select

    from regdev.monitoring import audit, crud
    from regdev.monitoring.models import AuditEntry, FactoryOperation

    h = login("county_a1")
    files = {"file": ("ops.csv", _operations_csv(world.site_a1.id, 4500), "text/csv")}
    r = client.post(f"{API}/operations/import", files=files, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["n_rows"] == 4500
    with session_factory() as s:
        assert audit.verify_chain(s).ok
        ops = {str(o.id): crud.to_dict(o) for o in s.execute(select(FactoryOperation)).scalars()}
        afters = {
            e.entity_id: e.after
            for e in s.execute(
                select(AuditEntry).where(AuditEntry.entity == "operations")
            ).scalars()
        }
    assert len(ops) == 4500
    assert afters == ops


# one set of domain rules (API = dashboard) ----------------------------------------------


def _op(world: testing.World, **kw: object) -> dict[str, object]:
    return {
        "site_id": world.site_a1.id,
        "line": "noodles",
        "year": 2025,
        "month": 1,
        "output": 80,
        "capacity": 100,
        **kw,
    }


def test_api_refuses_what_the_dashboard_refuses(
    client: TestClient, login, world: testing.World
) -> None:
    import datetime as dt

    from regdev.monitoring import rules

    h = login("county_a1")
    today = dt.datetime.now(dt.UTC).date()
    for kw in (
        {"year": 2200, "month": 1},
        {"year": 2019, "month": 12},
        {"year": today.year, "month": today.month},  # the unfinished month (issue 15)
        {"output": 151, "capacity": 100},
    ):
        r = client.post(f"{API}/operations", json=_op(world, **kw), headers=h)
        assert r.status_code == 422, (kw, r.text)
    y, m = rules.last_finished_month()
    r = client.post(f"{API}/operations", json=_op(world, year=y, month=m, output=-0.0), headers=h)
    assert r.status_code == 201, r.text
    assert str(r.json()["output"]) == "0.0"
    assert r.json()["raw_local"] is None  # not given = unknown (issue 15)
    future = (today + dt.timedelta(days=1)).isoformat()
    r = client.post(f"{API}/surveys", json={**_survey(world), "date": future}, headers=h)
    assert r.status_code == 422


def test_timestamps_with_a_zone_are_stored_in_utc_and_returned_with_it(
    client: TestClient, login, world: testing.World
) -> None:
    h = login("county_a1")
    body = {
        "store_id": "S1",
        "region_id": "T-A1",
        "timestamp": "2025-06-01T09:00:00+09:00",
        "mean_temp_c": 14.0,
        "moisture_pct": 13.5,
    }
    r = client.post(f"{API}/grain-status", json=body, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["timestamp"] in ("2025-06-01T00:00:00Z", "2025-06-01T00:00:00+00:00")
    r = client.post(
        f"{API}/grain-status", json={**body, "timestamp": "2999-01-01T00:00:00"}, headers=h
    )
    assert r.status_code == 422


def test_duplicate_answer_links_the_existing_record(
    client: TestClient, login, world: testing.World
) -> None:
    h = login("county_a1")
    first = client.post(f"{API}/operations", json=_op(world), headers=h)
    assert first.status_code == 201
    r = client.post(f"{API}/operations", json=_op(world), headers=h)
    assert r.status_code == 409
    existing = r.json()["existing"]
    assert existing["id"] == first.json()["id"]
    assert client.get(existing["url"], headers=h).json()["id"] == first.json()["id"]


# defect 9: scope gaps; 403 vs 404 --------------------------------------------------------


def test_defect9_county_cannot_put_a_site_on_another_countys_project(
    client: TestClient, login, world: testing.World
) -> None:
    nat = login("nat")
    projects = client.get(f"{API}/projects", headers=nat).json()["data"]
    b2 = next(p for p in projects if p["region_id"] == "T-B2")  # no site yet
    a1 = login("county_a1")
    body = {
        "project_id": b2["id"],
        "region_id": "T-A1",
        "facility": "factories",
        "name": "hijack",
        "operating_since": "2025-01-01",
    }
    r = client.post(f"{API}/sites", json=body, headers=a1)
    assert r.status_code == 422, r.text
    assert "another region" in r.text


def test_defect9_factory_users_cannot_change_projects_or_sites(
    client: TestClient, login, world: testing.World
) -> None:
    fac = login("factory_a1")
    site = client.get(f"{API}/sites/{world.site_a1.id}", headers=fac)
    assert site.status_code == 200
    r = client.patch(f"{API}/sites/{world.site_a1.id}", json={"status": "closed"}, headers=fac)
    assert r.status_code == 403
    pid = site.json()["project_id"]
    assert client.get(f"{API}/projects/{pid}", headers=fac).status_code == 200
    r = client.patch(f"{API}/projects/{pid}", json={"state": "suspended"}, headers=fac)
    assert r.status_code == 403


def test_defect9_factory_grain_list_agrees_with_get(
    client: TestClient, login, world: testing.World
) -> None:
    a1 = login("county_a1")
    body = {
        "store_id": "S1",
        "region_id": "T-A1",
        "timestamp": "2025-06-01T09:00:00",
        "mean_temp_c": 14.0,
        "moisture_pct": 13.5,
    }
    gid = client.post(f"{API}/grain-status", json=body, headers=a1).json()["id"]
    fac = login("factory_a1")
    listed = [g["id"] for g in client.get(f"{API}/grain-status", headers=fac).json()["data"]]
    readable = client.get(f"{API}/grain-status/{gid}", headers=fac).status_code == 200
    assert (gid in listed) == readable


def test_out_of_scope_ids_answer_like_missing_ones(
    client: TestClient, login, world: testing.World
) -> None:
    a1 = login("county_a1")
    other = client.get(f"{API}/sites/{world.site_b1.id}", headers=a1)
    missing = client.get(f"{API}/sites/999999", headers=a1)
    assert other.status_code == missing.status_code == 404
    assert other.json()["detail"].replace(str(world.site_b1.id), "N") == missing.json()[
        "detail"
    ].replace("999999", "N")


# defect 8: the rest of the 500s ------------------------------------------------------------


def test_defect8_bad_dashboard_input_is_never_a_500(
    app: FastAPI, client: TestClient, world: testing.World
) -> None:
    from regdev.monitoring.guard import csrf_token

    c, token = _cookie_client(app, client, "county_a1")
    h = {"Origin": "http://testserver", "X-CSRF-Token": csrf_token(app.state.settings, token)}
    nat = c.get(f"{API}/projects?region_id=T-A1", headers={"Authorization": f"Bearer {token}"})
    pid = nat.json()["data"][0]["id"]
    forms = [
        (
            "survey",
            {
                "site_id": str(world.site_a1.id),
                "date": "2025-01-01",
                "product_category": "no\x00dles",
                "score": "5",
            },
        ),
        (
            "milestone",
            {"project_id": str(pid), "milestone": "construction", "planned_date": "2999-01-01"},
        ),
        (
            "milestone",
            {"project_id": str(pid), "milestone": "construction", "planned_date": "1800-06-01"},
        ),
    ]
    for name, data in forms:
        r = c.post(f"/county/T-A1/forms/{name}", data=data, headers=h, follow_redirects=False)
        assert r.status_code == 422, (name, data, r.status_code)
    # notes keep being accepted however long the history grows
    for k in range(12):
        data = {
            "project_id": str(pid),
            "milestone": "construction",
            "planned_date": "2024-06-01",
            "note": f"{k:02d} " + "n" * 490,
        }
        r = c.post("/county/T-A1/forms/milestone", data=data, headers=h, follow_redirects=False)
        assert r.status_code == 303, (k, r.status_code, r.text[-600:])
    note = c.get(f"{API}/projects/{pid}", headers={"Authorization": f"Bearer {token}"}).json()[
        "note"
    ]
    assert len(note) <= 4000
    assert "11 nnn" in note
    r = c.post(
        "/login",
        data={"username": "na\x00t", "password": "x"},
        headers={"Origin": "http://testserver"},
    )
    assert r.status_code == 401


def test_defect8_deeply_nested_json_cell_is_a_422(
    client: TestClient, login, world: testing.World
) -> None:
    h = login("county_a1")
    deep = "[" * 3000 + "]" * 3000
    cell = '"' + deep.replace('"', '""') + '"'
    text = f"site_id,line,date,lot_code,sample_size,defects\n{world.site_a1.id},l,2025-01-01,L1,5,{cell}\n"
    r = client.post(f"{API}/quality/import", files={"file": ("q.csv", text, "text/csv")}, headers=h)
    assert r.status_code == 422, r.text


# defect 2: a login flood costs the writers little --------------------------------------


def test_login_throttle_refuses_a_flood_before_hashing(
    app: FastAPI, client: TestClient, world: testing.World, counting: CountingHasher
) -> None:
    from regdev.monitoring import auth

    before = app.state.login_throttle
    app.state.login_throttle = auth.LoginThrottle(per_minute=6, burst=3)
    try:
        codes = [_token(client, f"flood-{i}", "wrong") for i in range(10)]
    finally:
        app.state.login_throttle = before
    assert codes[:3] == [401, 401, 401]
    assert set(codes[3:]) == {429}
    assert counting.calls == 3  # refused attempts cost no hash


def test_login_throttle_refills() -> None:
    from regdev.monitoring import auth

    t = auth.LoginThrottle(per_minute=60, burst=2)
    assert t.take("a", now=0.0) == 0.0
    assert t.take("a", now=0.0) == 0.0
    assert t.take("a", now=0.0) == pytest.approx(1.0)
    assert t.take("b", now=0.0) == 0.0  # per address
    assert t.take("a", now=1.0) == 0.0


def test_writes_do_not_wait_for_login_hashing(tmp_path) -> None:  # noqa: ANN001
    """Defect 2: while passwords are being checked no SQLite write lock is held."""
    from regdev.monitoring import auth
    from regdev.monitoring.config import Settings
    from regdev.monitoring.db import begin_write, make_engine, make_session_factory

    eng = make_engine(f"sqlite:///{tmp_path / 'flood.db'}")
    testing.create_schema(eng)
    factory = make_session_factory(eng)
    with factory() as s:
        testing.build_world(s)
    slow = CountingHasher(delay_s=1.0)
    settings = Settings(database_url="sqlite://", secret_key="k" * 32)
    th = threading.Thread(
        target=lambda: auth.authenticate(
            factory, username="nat", password="wrong", settings=settings, hasher=slow, client="x"
        )
    )
    th.start()
    time.sleep(0.3)  # the login is now hashing
    t0 = time.perf_counter()
    with factory() as s:
        begin_write(s)  # BEGIN IMMEDIATE: would wait behind a login holding the lock
        s.commit()
    waited = time.perf_counter() - t0
    th.join()
    eng.dispose()
    assert slow.calls == 1
    assert waited < 0.5, f"a write waited {waited:.2f} s for a login"


def test_logout_needs_the_token_of_a_valid_session_only(
    app: FastAPI, client: TestClient, world: testing.World
) -> None:
    from regdev.monitoring.guard import csrf_token

    c, token = _cookie_client(app, client, "county_a1")
    same = {"Origin": "http://testserver"}
    assert c.post("/logout", headers=same, follow_redirects=False).status_code == 403
    good = {"csrf_token": csrf_token(app.state.settings, token)}
    r = c.post("/logout", data=good, headers=same, follow_redirects=False)
    assert r.status_code == 303
    # the session is revoked; an old page's logout form (with its token) still just
    # drops the cookie, and a garbage cookie is dropped without one
    stale = TestClient(app)
    stale.cookies.set(app.state.settings.cookie_name, token)
    assert stale.post("/logout", data=good, headers=same, follow_redirects=False).status_code == 303
    junk = TestClient(app)
    junk.cookies.set(app.state.settings.cookie_name, "not-a-token")
    assert junk.post("/logout", headers=same, follow_redirects=False).status_code == 303
    h = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{API}/users/me", headers=h).status_code == 401
