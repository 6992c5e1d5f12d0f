"""The direct read path of the API's list endpoints answers exactly like the FastAPI route."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from regdev.monitoring import crud, schemas, testing
from regdev.monitoring.rules import last_finished_month

API = "/api/v1"
Login = Callable[[str], dict[str, str]]
_n = itertools.count()


@pytest.fixture
def records(world: testing.World, session_factory: sessionmaker[Session]) -> testing.World:
    """Operations, quality samples, surveys and grain reports on two counties' sites."""
    system = crud.system_user()
    y, m = last_finished_month()  # sites operate since December 2024
    with session_factory() as s:
        for site in (world.site_a1, world.site_b1):
            for line, (year, month) in itertools.product(
                ("L1", "L2"), [(y, m), (2025, 12), (2025, 6), (2025, 1)]
            ):
                crud.create(
                    s,
                    resource_name="operations",
                    actor=system,
                    data=schemas.OperationCreate(
                        site_id=site.id,
                        line=line,
                        year=year,
                        month=month,
                        output=12.5,
                        capacity=20.0,
                        raw_local=None if line == "L2" else 3.25,
                    ),
                )
            for i in range(3):
                crud.create(
                    s,
                    resource_name="quality",
                    actor=system,
                    data=schemas.QualityCreate(
                        site_id=site.id,
                        line="L1",
                        date=dt.date(2025, 3, 1 + i),
                        lot_code=f"LOT-{i}",
                        sample_size=50,
                        defects={"crack": i, "stain": 1} if i else {},
                    ),
                )
                crud.create(
                    s,
                    resource_name="surveys",
                    actor=system,
                    data=schemas.SurveyCreate(
                        site_id=site.id,
                        date=dt.date(2025, 4, 1 + i),
                        product_category="soap",
                        score=7 + i,
                        comment="부드럽다 <b>ok</b>" if i == 1 else "",
                    ),
                )
        for rid in ("T-A1", "T-B1"):
            crud.create(
                s,
                resource_name="grain-status",
                actor=system,
                data=schemas.GrainStatusCreate(
                    store_id=f"store-{rid}",
                    region_id=rid,
                    timestamp=dt.datetime(2025, 6, 1, 9, 0, tzinfo=dt.UTC),
                    mean_temp_c=14.5,
                    moisture_pct=13.0,
                    alarms=["hot spot"],
                ),
            )
        s.commit()
    return world


QUERIES = [
    "",
    "region_id=T-A1",
    "region_id=T-B1",
    "province_id=A",
    "province_id=B&limit=1",
    "limit=1",
    "limit=2&skip=1",
    "skip=1000",
    "limit=1000",
    "region_id=nowhere",
    "region_id=T-A1&region_id=T-B1",  # the last value counts, as in FastAPI
    "year=2025&month=6",
    "year_from=2020&year_to=2999&line=L1",
    "date_from=2020-01-01&date_to=2099-12-31",
    "kind=county",
    "facility=factories&state=operating",
    # answered by FastAPI on both paths (422 or its rules for empty values)
    "limit=0",
    "limit=1001",
    "skip=-1",
    "year=abc",
    "date_from=yesterday",
    "region_id=",
    "limit=",
    "region_id=%00",
]


@pytest.fixture
def toggled(app: FastAPI) -> Iterator[FastAPI]:
    before = app.state.fast_reads.enabled
    yield app
    app.state.fast_reads.enabled = before


def _get(client: TestClient, url: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
    sep = "&" if "?" in url else "?"
    r = client.get(f"{url}{sep}nocache={next(_n)}", headers=headers)  # always a cache miss
    return r.status_code, r.headers.get("content-type", ""), r.content


def test_fast_list_path_answers_exactly_like_the_route(
    client: TestClient, login: Login, records: testing.World, toggled: FastAPI
) -> None:
    switch = toggled.state.fast_reads
    listable = [r for r in crud.RESOURCES.values() if crud.listable_as_records(r)]
    assert {r.name for r in listable} >= {"projects", "sites", "operations", "quality", "surveys"}
    compared = answered_before = 0
    for username in ("nat", "prov_a", "county_b1", "factory_a1"):
        headers = login(username)
        for res, query in itertools.product(listable, QUERIES):
            url = f"{API}/{res.name}" + (f"?{query}" if query else "")
            switch.enabled = True
            answered_before = switch.answered
            fast = _get(client, url, headers)
            used_fast_path = switch.answered > answered_before
            switch.enabled = False
            slow = _get(client, url, headers)
            assert switch.answered == answered_before + used_fast_path
            assert fast == slow, (username, url)
            # empty values are left to FastAPI's own rules; errors are FastAPI's too
            known = {f.name for f in res.filters} | {"skip", "limit"}
            empty = {p[:-1] for p in query.split("&") if p.endswith("=")}
            delegated = fast[0] != 200 or bool(empty & known)
            assert used_fast_path != delegated, (username, url)
            compared += used_fast_path
    assert compared > 300


def test_fast_list_path_keeps_scope_and_authentication(
    client: TestClient, login: Login, records: testing.World, toggled: FastAPI
) -> None:
    toggled.state.fast_reads.enabled = True
    url = f"{API}/operations?limit=1000"
    everything = client.get(url, headers=login("nat")).json()
    county = client.get(url, headers=login("county_a1")).json()
    assert everything["count"] == 16
    assert county["count"] == 8
    assert {row["region_id"] for row in county["data"]} == {"T-A1"}
    factory = client.get(url, headers=login("factory_a1")).json()
    assert {row["site_id"] for row in factory["data"]} == {records.site_a1.id}
    # no credentials, a forged token: FastAPI's 401, never the read path
    before = toggled.state.fast_reads.answered
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer x.y"}).status_code == 401
    assert toggled.state.fast_reads.answered == before


def test_logout_revokes_the_read_path(
    client: TestClient, login: Login, records: testing.World, toggled: FastAPI
) -> None:
    toggled.state.fast_reads.enabled = True
    headers = login("county_a1")
    url = f"{API}/sites?region_id=T-A1"
    assert client.get(url, headers=headers).status_code == 200
    assert client.post(f"{API}/logout", headers=headers).status_code in (200, 204)
    r = client.get(f"{url}&after=logout", headers=headers)
    assert r.status_code == 401
    # writes check the user at the current audit head too: the old token is refused
    body = {
        "site_id": records.site_a1.id,
        "date": "2025-05-01",
        "product_category": "x",
        "score": 5,
    }
    assert client.post(f"{API}/surveys", headers=headers, json=body).status_code == 401
    fresh = login("county_a1")
    assert client.post(f"{API}/surveys", headers=fresh, json=body).status_code == 201
