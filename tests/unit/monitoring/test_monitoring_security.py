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

    async def scenario() -> tuple[float, int, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            # warm up (the very first request of an application pays one-time costs)
            await c.get(f"{API}/health")
            headers = {**h, "Content-Type": f"multipart/form-data; boundary={boundary}"}
            task = asyncio.create_task(
                c.post(f"{API}/operations/import", content=chunks(), headers=headers)
            )
            worst, n = 0.0, 0
            while not task.done():
                t0 = time.perf_counter()
                r = await c.get(f"{API}/health")
                worst = max(worst, time.perf_counter() - t0)
                assert r.status_code == 200
                n += 1
                await asyncio.sleep(0.02)
            return worst, n, (await task).status_code

    worst, n, status = asyncio.run(scenario())
    assert status == 201
    assert n >= 3, "the import finished before /health was asked; make the file larger"
    assert worst < 0.1, f"/health took {worst * 1000:.0f} ms during the import"


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
