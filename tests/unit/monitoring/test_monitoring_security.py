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
