"""The read-path response cache: hits, ETag/304, and invalidation by the audit head."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from regdev.monitoring import testing
from regdev.monitoring.read_cache import CachedBody, LruCache

API = "/api/v1"
Login = Callable[[str], dict[str, str]]


def test_second_read_is_a_hit_with_etag_and_304(
    client: TestClient, login: Login, world: testing.World
) -> None:
    h = login("nat")
    url = f"{API}/projects?region_id=T-A1"
    first = client.get(url, headers=h)
    assert first.status_code == 200
    assert first.headers.get("x-cache") is None
    etag = first.headers["etag"]
    second = client.get(url, headers=h)
    assert second.headers.get("x-cache") == "hit"
    assert second.json() == first.json()
    assert second.headers["etag"] == etag
    assert second.headers["content-type"] == first.headers["content-type"]
    r304 = client.get(url, headers={**h, "If-None-Match": etag})
    assert r304.status_code == 304
    assert r304.content == b""
    other = client.get(url, headers={**h, "If-None-Match": '"not-it"'})
    assert other.status_code == 200
    assert other.json() == first.json()


def test_a_write_through_the_api_invalidates(
    client: TestClient, login: Login, world: testing.World
) -> None:
    h = login("nat")
    url = f"{API}/projects?region_id=T-A1"
    before = client.get(url, headers=h)
    assert client.get(url, headers=h).headers.get("x-cache") == "hit"
    pid = before.json()["data"][0]["id"]
    r = client.patch(f"{API}/projects/{pid}", headers=h, json={"name": "renamed by test"})
    assert r.status_code == 200, r.text
    after = client.get(url, headers=h)
    assert after.headers.get("x-cache") is None
    assert after.json()["data"][0]["name"] == "renamed by test"
    assert after.headers["etag"] != before.headers["etag"]
    # the old ETag no longer yields 304
    assert (
        client.get(url, headers={**h, "If-None-Match": before.headers["etag"]}).status_code == 200
    )


def test_password_change_revokes_cached_reads(
    client: TestClient, login: Login, world: testing.World
) -> None:
    h = login("county_a1")
    url = f"{API}/sites"
    assert client.get(url, headers=h).status_code == 200
    assert client.get(url, headers=h).headers.get("x-cache") == "hit"
    r = client.patch(
        f"{API}/users/me",
        headers=h,
        json={"password": "a brand new password", "current_password": testing.PASSWORD},
    )
    assert r.status_code == 200, r.text
    assert client.get(url, headers=h).status_code == 401


def test_logout_revokes_cached_reads(
    client: TestClient, login: Login, world: testing.World
) -> None:
    h = login("county_a1")
    url = f"{API}/sites"
    assert client.get(url, headers=h).status_code == 200
    assert client.get(url, headers=h).headers.get("x-cache") == "hit"
    assert client.post(f"{API}/logout", headers=h).status_code == 204
    assert client.get(url, headers=h).status_code == 401
    assert client.get(f"{API}/users/me", headers=h).status_code == 401


def test_deactivation_revokes_cached_reads(
    client: TestClient, login: Login, world: testing.World
) -> None:
    nat, a1 = login("nat"), login("county_a1")
    url = f"{API}/sites"
    client.get(url, headers=a1)
    assert client.get(url, headers=a1).headers.get("x-cache") == "hit"
    r = client.patch(f"{API}/users/{world.county_a1.id}", headers=nat, json={"is_active": False})
    assert r.status_code == 200, r.text
    assert client.get(url, headers=a1).status_code == 401


def test_entries_are_per_user_scope(client: TestClient, login: Login, world: testing.World) -> None:
    a1, b1 = login("county_a1"), login("county_b1")
    url = f"{API}/sites"
    rows_a = client.get(url, headers=a1).json()["data"]
    assert client.get(url, headers=a1).headers.get("x-cache") == "hit"
    r_b = client.get(url, headers=b1)
    assert r_b.headers.get("x-cache") is None
    assert {s["region_id"] for s in rows_a} == {"T-A1"}
    assert {s["region_id"] for s in r_b.json()["data"]} == {"T-B1"}
    # a county user is still refused another county's row (never a cached 200)
    site_a = rows_a[0]["id"]
    assert client.get(f"{API}/sites/{site_a}", headers=a1).status_code == 200
    assert client.get(f"{API}/sites/{site_a}", headers=a1).headers.get("x-cache") == "hit"
    assert client.get(f"{API}/sites/{site_a}", headers=b1).status_code in (403, 404)


def test_bad_or_missing_credentials_are_never_served_from_cache(
    client: TestClient, login: Login, world: testing.World
) -> None:
    h = login("nat")
    url = f"{API}/projects"
    client.get(url, headers=h)
    assert client.get(url, headers=h).headers.get("x-cache") == "hit"
    assert client.get(url).status_code == 401
    token = h["Authorization"].split()[1]
    assert client.get(url, headers={"Authorization": f"Bearer {token[:-2]}AA"}).status_code == 401


def test_audit_endpoints_are_not_cached(
    client: TestClient, login: Login, world: testing.World
) -> None:
    h = login("nat")
    for _ in range(2):
        r = client.get(f"{API}/audit/verify", headers=h)
        assert r.status_code == 200
        assert r.headers.get("x-cache") is None
        assert "etag" not in r.headers


def test_lru_bounds_entries_and_bytes() -> None:
    cache = LruCache(max_entries=3, max_bytes=10)

    def body(n: int) -> CachedBody:
        return CachedBody((), b"x" * n, b'"e"')

    cache.put(("a",), body(4))
    cache.put(("b",), body(4))
    assert cache.get(("a",)) is not None  # a is now the most recent
    cache.put(("c",), body(4))  # 12 bytes > 10: evicts b (least recent)
    assert cache.get(("b",)) is None
    assert cache.get(("a",)) is not None
    assert cache.get(("c",)) is not None
    cache.put(("big",), body(11))  # larger than the whole cache: not stored
    assert cache.get(("big",)) is None
    assert len(cache) == 2
    empty = LruCache(max_entries=0)
    empty.put(("a",), body(1))
    assert empty.get(("a",)) is None
