"""Grain status keeps the warmest sensor of each cable (``cable_max_temp_c``, issue 16)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from regdev.monitoring import schemas, testing

API = "/api/v1"
Login = Callable[[str], dict[str, str]]


def _body(**extra: object) -> dict[str, object]:
    return {
        "store_id": "granary-1",
        "region_id": "T-A1",
        "timestamp": "2025-06-01T09:00:00+09:00",
        "mean_temp_c": 14.5,
        "moisture_pct": 13.2,
        "alarms": ["warning hot_spot cable c2: 31.0 °C"],
        "max_temp_c": 31.0,
        **extra,
    }


def test_cable_maxima_round_trip(client: TestClient, login: Login, world: testing.World) -> None:
    h = login("county_a1")
    cables = {"c1": 15.25, "c2": 31.0, "c3": 14.0}
    r = client.post(f"{API}/grain-status", headers=h, json=_body(cable_max_temp_c=cables))
    assert r.status_code == 201, r.text
    assert r.json()["cable_max_temp_c"] == cables
    got = client.get(f"{API}/grain-status/{r.json()['id']}", headers=h).json()
    assert got["cable_max_temp_c"] == cables
    listed = client.get(f"{API}/grain-status?region_id=T-A1", headers=h).json()["data"]
    assert listed[0]["cable_max_temp_c"] == cables
    # reports without cables (older controllers) keep null
    r = client.post(f"{API}/grain-status", headers=h, json=_body())
    assert r.status_code == 201, r.text
    assert r.json()["cable_max_temp_c"] is None
    csv = client.get(f"{API}/grain-status/export.csv", headers=h).text
    assert '"{""c1"": 15.25, ""c2"": 31.0, ""c3"": 14.0}"' in csv


def test_cable_maxima_are_checked(client: TestClient, login: Login, world: testing.World) -> None:
    h = login("county_a1")
    for bad in (
        {"c1": 121.0},  # above the physical range of the other temperatures
        {"c1": "hot"},
        {"": 15.0},
        {f"c{i}": 15.0 for i in range(schemas.MAX_CABLES + 1)},
        [15.0, 16.0],
    ):
        r = client.post(f"{API}/grain-status", headers=h, json=_body(cable_max_temp_c=bad))
        assert r.status_code == 422, (bad, r.text)


def test_the_grain_reporter_body_is_accepted_whole() -> None:
    import datetime as dt

    from regdev.grain.report import DETAIL_FIELDS, StoreStatus, status_payload

    status = StoreStatus(
        store_id="granary-1",
        timestamp=dt.datetime(2025, 6, 1, 0, 0, tzinfo=dt.UTC),
        grain_temp_c=(14.0, 15.0),
        moisture_pct=13.0,
        cables=(("c1", (14.0, 15.5)), ("c2", (13.0, float("nan")))),
    )
    body = status_payload(status, region_id="T-A1", details=True)
    assert "cable_max_temp_c" in DETAIL_FIELDS
    parsed = schemas.GrainStatusCreate.model_validate(body)  # no field refused as unknown
    assert parsed.cable_max_temp_c == {"c1": 15.5, "c2": 13.0}
