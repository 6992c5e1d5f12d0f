from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from regdev.monitoring import testing

API = "/api/v1"


def test_login_and_me(client: TestClient, login, world: testing.World) -> None:
    h = login("county_a1")
    r = client.get(f"{API}/users/me", headers=h)
    assert r.status_code == 200
    assert r.json()["region_id"] == "T-A1"
    assert "password_hash" not in r.json()


def test_unauthenticated_is_401(client: TestClient, world: testing.World) -> None:
    assert client.get(f"{API}/projects").status_code == 401
    assert (
        client.get(f"{API}/projects", headers={"Authorization": "Bearer nonsense"}).status_code
        == 401
    )


def test_list_filter_paginate_projects(client: TestClient, login) -> None:
    h = login("nat")
    r = client.get(f"{API}/projects", headers=h, params={"limit": 2})
    body = r.json()
    assert r.status_code == 200
    assert body["count"] == 4
    assert len(body["data"]) == 2
    r = client.get(f"{API}/projects", headers=h, params={"province_id": "B"})
    assert {p["region_id"] for p in r.json()["data"]} == {"T-B1", "T-B2"}
    r = client.get(f"{API}/projects", headers=h, params={"state": "groundbreaking"})
    assert [p["region_id"] for p in r.json()["data"]] == ["T-B2"]


def test_county_user_sees_only_own_county(client: TestClient, login, world: testing.World) -> None:
    h = login("county_a1")
    r = client.get(f"{API}/projects", headers=h)
    assert {p["region_id"] for p in r.json()["data"]} == {"T-A1"}
    r = client.get(f"{API}/sites", headers=h)
    assert {s["region_id"] for s in r.json()["data"]} == {"T-A1"}


def _operation(site_id: int, month: int = 1, **kw: object) -> dict[str, object]:
    body: dict[str, object] = {
        "site_id": site_id,
        "line": "noodles",
        "year": 2025,
        "month": month,
        "output": 80.0,
        "capacity": 100.0,
        "raw_local": 60.0,
        "raw_imported": 5.0,
    }
    body.update(kw)
    return body


def test_county_cannot_read_or_write_other_county_both_ways(
    client: TestClient, login, world: testing.World
) -> None:
    a1, b1 = login("county_a1"), login("county_b1")
    # each creates a record in their own county
    ra = client.post(f"{API}/operations", headers=a1, json=_operation(world.site_a1.id))
    rb = client.post(f"{API}/operations", headers=b1, json=_operation(world.site_b1.id))
    assert ra.status_code == 201, ra.text
    assert rb.status_code == 201, rb.text
    id_a, id_b = ra.json()["id"], rb.json()["id"]
    # A1 -> B1: read, update, delete, create all refused; since issue 16 an out-of-scope
    # row answers like a missing one (404, and 422 "unknown site" on create) so that ids
    # outside one's scope cannot be probed
    assert client.get(f"{API}/operations/{id_b}", headers=a1).status_code == 404
    assert (
        client.patch(f"{API}/operations/{id_b}", headers=a1, json={"output": 1}).status_code == 404
    )
    assert client.delete(f"{API}/operations/{id_b}", headers=a1).status_code == 404
    r = client.post(f"{API}/operations", headers=a1, json=_operation(world.site_b1.id, month=2))
    assert r.status_code == 422
    # B1 -> A1: the same the other way
    assert client.get(f"{API}/operations/{id_a}", headers=b1).status_code == 404
    assert (
        client.patch(f"{API}/operations/{id_a}", headers=b1, json={"output": 1}).status_code == 404
    )
    assert client.delete(f"{API}/operations/{id_a}", headers=b1).status_code == 404
    r = client.post(f"{API}/operations", headers=b1, json=_operation(world.site_a1.id, month=2))
    assert r.status_code == 422
    # lists never leak the other county's rows
    ids_a = {o["id"] for o in client.get(f"{API}/operations", headers=a1).json()["data"]}
    ids_b = {o["id"] for o in client.get(f"{API}/operations", headers=b1).json()["data"]}
    assert ids_a == {id_a}
    assert ids_b == {id_b}
    export = client.get(f"{API}/operations/export.csv", headers=a1).text
    assert len(export.strip().splitlines()) == 2  # header + own row
    # the records are unchanged
    nat = login("nat")
    assert client.get(f"{API}/operations/{id_b}", headers=nat).json()["output"] == 80.0


def test_provincial_and_factory_scope(client: TestClient, login, world: testing.World) -> None:
    prov = login("prov_a")
    regions = {p["region_id"] for p in client.get(f"{API}/projects", headers=prov).json()["data"]}
    assert regions == {"T-A1", "T-A2"}
    fac = login("factory_a1")
    assert (
        client.post(f"{API}/operations", headers=fac, json=_operation(world.site_a1.id)).status_code
        == 201
    )
    assert (
        client.post(f"{API}/operations", headers=fac, json=_operation(world.site_b1.id)).status_code
        == 422  # another site is unknown to a factory user (issue 16: no id probing)
    )
    sites = client.get(f"{API}/sites", headers=fac).json()["data"]
    assert [s["id"] for s in sites] == [world.site_a1.id]


def test_viewer_is_read_only(client: TestClient, login, world: testing.World) -> None:
    v = login("view")
    assert client.get(f"{API}/projects", headers=v).json()["count"] == 4
    assert (
        client.post(f"{API}/operations", headers=v, json=_operation(world.site_a1.id)).status_code
        == 403
    )


def test_validation_errors_name_the_field(client: TestClient, login, world: testing.World) -> None:
    h = login("nat")
    r = client.post(f"{API}/operations", headers=h, json=_operation(world.site_a1.id, month=13))
    assert r.status_code == 422
    locs = [d["loc"] for d in r.json()["detail"]]
    assert ["body", "month"] in locs
    r = client.post(f"{API}/operations", headers=h, json=_operation(999_999))
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "site_id"]
    # before the site operated: reporting duties start at inauguration (2024-12-20)
    r = client.post(
        f"{API}/operations",
        headers=h,
        json={**_operation(world.site_a1.id), "year": 2024, "month": 11},
    )
    assert r.status_code == 422
    assert "operates since" in r.json()["detail"][0]["msg"]
    r = client.post(
        f"{API}/surveys",
        headers=h,
        json={
            "site_id": world.site_a1.id,
            "date": "2025-01-02",
            "product_category": "soy sauce",
            "score": 11,
        },
    )
    assert r.status_code == 422
    assert client.get(f"{API}/projects/999999", headers=h).status_code == 404


def test_duplicate_operation_is_409(client: TestClient, login, world: testing.World) -> None:
    h = login("nat")
    assert (
        client.post(f"{API}/operations", headers=h, json=_operation(world.site_a1.id)).status_code
        == 201
    )
    assert (
        client.post(f"{API}/operations", headers=h, json=_operation(world.site_a1.id)).status_code
        == 409
    )


def test_project_lifecycle_and_site_creation(
    client: TestClient, login, world: testing.World
) -> None:
    h = login("nat")
    pid = next(
        p["id"]
        for p in client.get(f"{API}/projects", headers=h).json()["data"]
        if p["region_id"] == "T-B2"
    )
    # skipping backwards is refused; a state without its date is refused
    assert (
        client.patch(f"{API}/projects/{pid}", headers=h, json={"state": "planned"}).status_code
        == 422
    )
    r = client.patch(f"{API}/projects/{pid}", headers=h, json={"state": "inauguration"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "actual_inauguration"]
    r = client.patch(
        f"{API}/projects/{pid}",
        headers=h,
        json={"state": "operating", "actual_inauguration": "2025-01-10"},
    )
    assert r.status_code == 200, r.text
    sites = client.get(f"{API}/sites", headers=h, params={"region_id": "T-B2"}).json()["data"]
    assert len(sites) == 1
    assert sites[0]["operating_since"] == "2025-01-10"
    pva = client.get(f"{API}/projects/{pid}/planned-vs-actual", headers=h).json()
    inaug = next(m for m in pva["milestones"] if m["milestone"] == "inauguration")
    assert inaug["slippage_days"] == (dt.date(2025, 1, 10) - dt.date(2024, 12, 31)).days
    assert inaug["on_time"] is False


def test_cohort_and_progress_reports(client: TestClient, login) -> None:
    h = login("nat")
    cohorts = client.get(f"{API}/reports/cohorts", headers=h).json()
    assert len(cohorts) == 1
    c = cohorts[0]
    # 3 inaugurated on 2024-12-20 (on time), T-B2 overdue and not inaugurated
    assert (c["n_projects"], c["n_inaugurated"], c["n_due"], c["n_on_time"]) == (4, 3, 4, 3)
    assert c["share_on_time"] == 0.75
    assert c["mean_slippage_days"] == -11
    prog = {row["key"]: row for row in client.get(f"{API}/reports/progress", headers=h).json()}
    assert prog["A"]["by_state"] == {"operating": 2}
    assert prog["B"]["by_state"] == {"operating": 1, "groundbreaking": 1}
    by_year = client.get(f"{API}/reports/progress", headers=h, params={"by": "year"}).json()
    assert by_year[0]["key"] == "2024"
    assert by_year[0]["share_operating"] == 0.75


def test_csv_export_import_roundtrip(client: TestClient, login, world: testing.World) -> None:
    h = login("nat")
    lines = ["site_id,line,year,month,output,capacity,raw_local,raw_imported"]
    lines += [f"{world.site_a1.id},noodles,2025,{m},{50 + m},100,40,2" for m in range(1, 13)]
    r = client.post(
        f"{API}/operations/import",
        headers=h,
        files={"file": ("ops.csv", "\n".join(lines), "text/csv")},
    )
    assert r.status_code == 201, r.text
    assert r.json()["n_rows"] == 12
    exported = client.get(
        f"{API}/operations/export.csv", headers=h, params={"site_id": world.site_a1.id}
    ).text
    rows = exported.strip().splitlines()
    assert len(rows) == 13
    assert rows[0].startswith("id,site_id,region_id,line,year,month,output")


def test_bulk_import_is_all_or_nothing(client: TestClient, login, world: testing.World) -> None:
    h = login("nat")
    lines = ["site_id,line,year,month,output,capacity"]
    lines += [f"{world.site_a1.id},soap,2025,{m},10,20" for m in range(1, 6)]
    lines.append(f"{world.site_a1.id},soap,2025,13,10,20")  # bad month on row 7
    r = client.post(
        f"{API}/operations/import",
        headers=h,
        files={"file": ("x.csv", "\n".join(lines), "text/csv")},
    )
    assert r.status_code == 422
    d = r.json()["detail"][0]
    assert (d["row"], d["loc"][-1]) == (7, "month")
    assert client.get(f"{API}/operations", headers=h).json()["count"] == 0


def test_bulk_import_refuses_other_county_rows(
    client: TestClient, login, world: testing.World
) -> None:
    h = login("county_a1")
    lines = [
        "site_id,line,year,month,output,capacity",
        f"{world.site_a1.id},soap,2025,1,1,2",
        f"{world.site_b1.id},soap,2025,1,1,2",
    ]
    r = client.post(
        f"{API}/operations/import",
        headers=h,
        files={"file": ("x.csv", "\n".join(lines), "text/csv")},
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["row"] == 3
    assert client.get(f"{API}/operations", headers=login("nat")).json()["count"] == 0


def test_lockout_after_five_failures(client: TestClient, world: testing.World) -> None:
    url = f"{API}/login/access-token"
    for _ in range(5):
        assert (
            client.post(url, data={"username": "nat", "password": "wrong password"}).status_code
            == 401
        )
    r = client.post(url, data={"username": "nat", "password": testing.PASSWORD})
    assert r.status_code == 401
    assert "locked" in r.json()["detail"]
    # another account is unaffected
    assert (
        client.post(url, data={"username": "view", "password": testing.PASSWORD}).status_code == 200
    )


def test_users_admin_national_only(client: TestClient, login, world: testing.World) -> None:
    body = {
        "username": "newbie",
        "password": "long enough pw",
        "role": "county",
        "region_id": "T-B3",
    }
    assert client.post(f"{API}/users", headers=login("prov_a"), json=body).status_code == 403
    r = client.post(f"{API}/users", headers=login("nat"), json=body)
    assert r.status_code == 201, r.text
    bad = {**body, "username": "other", "region_id": None}
    r = client.post(f"{API}/users", headers=login("nat"), json=bad)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "region_id"]


def test_audit_records_changes_and_verifies(
    client: TestClient, login, world: testing.World
) -> None:
    h = login("county_a1")
    r = client.post(f"{API}/operations", headers=h, json=_operation(world.site_a1.id))
    oid = r.json()["id"]
    client.patch(f"{API}/operations/{oid}", headers=h, json={"output": 90})
    nat = login("nat")
    entries = client.get(f"{API}/audit", headers=nat, params={"entity": "operations"}).json()[
        "data"
    ]
    assert [e["action"] for e in entries] == ["create", "update"]
    assert entries[1]["actor"] == "county_a1"
    assert entries[1]["before"]["output"] == 80.0
    assert entries[1]["after"]["output"] == 90.0
    v = client.get(f"{API}/audit/verify", headers=nat).json()
    assert v["ok"] is True
    assert client.get(f"{API}/audit", headers=h).status_code == 403


def test_project_import_creates_sites_for_inaugurated_rows(client: TestClient, login) -> None:
    h = login("nat")
    csv_text = "\n".join(
        [
            "region_id,facility,cohort_year,state,actual_groundbreaking,actual_inauguration",
            "T-B3,hospital,2025,operating,2025-02-01,2025-11-30",
            "T-A2,leisure_complex,2026,planned,,",
        ]
    )
    r = client.post(
        f"{API}/projects/import", headers=h, files={"file": ("p.csv", csv_text, "text/csv")}
    )
    assert r.status_code == 201, r.text
    sites = client.get(f"{API}/sites", headers=h, params={"region_id": "T-B3"}).json()["data"]
    assert [(s["facility"], s["operating_since"]) for s in sites] == [("hospital", "2025-11-30")]


def test_reference_import_needs_national_and_refuses_duplicates(client: TestClient, login) -> None:
    csv_text = "id,name\nC,Province C\nC,Province C again"
    files = {"file": ("prov.csv", csv_text, "text/csv")}
    assert (
        client.post(f"{API}/provinces/import", headers=login("prov_a"), files=files).status_code
        == 403
    )
    r = client.post(f"{API}/provinces/import", headers=login("nat"), files=files)
    assert r.status_code == 422
    assert r.json()["detail"][0]["row"] == 3
    ok = {"file": ("prov.csv", "id,name\nC,Province C", "text/csv")}
    assert client.post(f"{API}/provinces/import", headers=login("nat"), files=ok).status_code == 201
    again = client.post(f"{API}/provinces/import", headers=login("nat"), files=ok)
    assert again.status_code == 422
    assert "already exists" in again.json()["detail"][0]["msg"]


def test_lone_surrogates_and_nul_are_422(client: TestClient, login) -> None:
    h = {**login("nat"), "Content-Type": "application/json"}
    for bad in (b"\\ud800x", b"a\\u0000b"):
        body = b'{"name": "' + bad + b'", "start_year": 2024, "end_year": 2030}'
        r = client.post(f"{API}/programmes", headers=h, content=body)
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["loc"] == ["body", "name"]


def test_county_cannot_move_a_project_out_of_its_county(client: TestClient, login) -> None:
    h = login("county_a1")
    pid = client.get(f"{API}/projects", headers=h).json()["data"][0]["id"]
    r = client.patch(f"{API}/projects/{pid}", headers=h, json={"region_id": "T-B1"})
    assert r.status_code == 403
    assert client.get(f"{API}/projects/{pid}", headers=h).json()["region_id"] == "T-A1"
