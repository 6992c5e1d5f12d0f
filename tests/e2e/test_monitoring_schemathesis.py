"""Schemathesis against the OpenAPI schema: zero 5xx over at least 2,000 generated requests.

Every operation is fuzzed with schema-conforming (positive) and schema-violating
(negative) cases, authenticated as a national user so the requests reach the handlers,
then as county, factory and viewer users (scope checks under fuzzing).
Runs on SQLite (2,000+ requests) and, when reachable, PostgreSQL (a shorter run that
catches back-end-specific refusals such as NUL bytes or integer overflow).
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from sqlalchemy import Engine
from starlette.testclient import TestClient

from evaluation_seed import seed_records
from regdev.monitoring import testing
from regdev.monitoring.app import create_app
from regdev.monitoring.config import Settings
from regdev.monitoring.db import make_engine, make_session_factory
from regdev.monitoring.deps import get_hasher

API = "/api/v1"


@pytest.fixture(params=["sqlite", "postgresql"])
def fuzz_engine(request: pytest.FixtureRequest) -> Iterator[tuple[str, Engine]]:
    if request.param == "sqlite":
        eng = testing.sqlite_memory_engine()
        yield "sqlite", eng
        eng.dispose()
        return
    if testing.pg_base_url() is None:
        pytest.skip(testing.pg_skip_reason())
    with testing.fresh_pg_schema() as url:
        eng = make_engine(url)
        testing.create_schema(eng)
        yield "postgresql", eng
        eng.dispose()


def _fuzz(
    client: TestClient,
    strategy: st.SearchStrategy[schemathesis.Case],
    n: int,
    headers: dict[str, str],
    statuses: Counter[int],
    failures: list[str],
) -> None:
    @given(case=strategy)
    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        extra = {} if "login" in case.path else headers
        kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=extra)
        cookies = kwargs.pop("cookies", None)
        client.cookies.clear()
        if cookies:
            client.cookies.update(cookies)
        resp = client.request(**kwargs)
        statuses[resp.status_code] += 1
        if resp.status_code >= 500:
            failures.append(
                f"{case.method} {case.formatted_path} -> {resp.status_code}: {resp.text[:300]}"
            )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run()


def test_no_server_errors_under_fuzzing(fuzz_engine: tuple[str, Engine]) -> None:
    backend, engine = fuzz_engine
    with make_session_factory(engine)() as s:
        seed_records(s, testing.build_world(s))  # records, so the evaluation endpoints compute
    app = create_app(Settings(database_url="sqlite://"), engine=engine)
    app.dependency_overrides[get_hasher] = lambda: testing.FAST_HASHER
    with TestClient(app) as client:  # one event-loop portal for every request
        r = client.post(
            f"{API}/login/access-token", data={"username": "nat", "password": testing.PASSWORD}
        )
        token = r.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            schema = schemathesis.openapi.from_asgi(f"{API}/openapi.json", app)
        operations = [r.ok() for r in schema.get_all_operations()]
        assert len(operations) >= 40

        # operations that can revoke the fuzzing user's token (password change, deactivation)
        # or lock accounts run after the others, so they cannot starve them of authenticated requests
        def last(op: schemathesis.APIOperation) -> bool:
            return ("/users" in op.path and op.method.upper() == "PATCH") or "login" in op.path

        def strategies(
            ops: list[schemathesis.APIOperation],
        ) -> st.SearchStrategy[schemathesis.Case]:
            return st.one_of(
                [
                    op.as_strategy(generation_mode=m)
                    for op in ops
                    for m in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
                ]
            )

        n_main, n_scoped, n_last = (1700, 100, 150) if backend == "sqlite" else (360, 15, 40)
        statuses: Counter[int] = Counter()
        failures: list[str] = []
        main_ops = strategies([op for op in operations if not last(op)])
        _fuzz(client, main_ops, n_main, headers, statuses, failures)
        # the scope checks under fuzzing: county, factory and read-only users
        for username in ("county_a1", "factory_a1", "view"):
            r = client.post(
                f"{API}/login/access-token",
                data={"username": username, "password": testing.PASSWORD},
            )
            scoped = {"Authorization": f"Bearer {r.json()['access_token']}"}
            _fuzz(client, main_ops, n_scoped, scoped, statuses, failures)
        _fuzz(
            client,
            strategies([op for op in operations if last(op)]),
            n_last,
            headers,
            statuses,
            failures,
        )
    total = sum(statuses.values())
    print(f"{backend}: {total} requests, statuses {dict(sorted(statuses.items()))}")
    assert not failures, "\n".join(failures[:20])
    if backend == "sqlite":
        assert total >= 2000
    assert (
        statuses[200] + statuses[201] + statuses[204] > total // 10
    )  # the fuzzing reached the handlers
