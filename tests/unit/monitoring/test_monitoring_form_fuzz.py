"""Fuzz the dashboard's other form endpoints: login, logout, evaluation "decide" (zero 5xx).

``test_dashboard_fuzz.py`` covers the county page's data-entry forms and Schemathesis
the JSON API (from its OpenAPI document).  The plain HTML forms outside both — the
login form, the logout form and the evaluation page's decide form — are posted here
with hostile values (NUL, lone surrogates, very long text, odd Unicode, wrong types,
unknown fields, with and without a valid CSRF token and session), on SQLite and
PostgreSQL.  Every answer must be below 500.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from starlette.testclient import TestClient

from regdev.monitoring import auth, testing
from regdev.monitoring.app import create_app
from regdev.monitoring.config import Settings
from regdev.monitoring.deps import get_hasher
from regdev.monitoring.guard import csrf_token

N_EXAMPLES = 150

_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(
        [
            "",
            "\x00",
            "nat\x00",
            "x" * 5000,
            "accepted",
            "rejected",
            "T-A1|1|L1|maintenance",
            "'; DROP TABLE users; --",
            "<script>alert(1)</script>",
            "//evil.example/",
            "https://evil.example/",
            "/county/T-A1",
            "강원도",
            "\u202e",
            "\r\n",
        ]
    ),
)


@pytest.fixture
def form_client(
    engine: Engine, world: testing.World
) -> Iterator[tuple[TestClient, dict[str, str], str]]:
    app = create_app(
        Settings(
            database_url="sqlite://",
            secret_key="fuzz-secret-0123456789abcdef",
            login_rate_per_minute=6000,
            login_burst=10_000,
        ),
        engine=engine,
    )
    app.dependency_overrides[get_hasher] = lambda: testing.FAST_HASHER
    with TestClient(app) as client:
        token = auth.create_token(world.county_a1, settings=app.state.settings)
        good = csrf_token(app.state.settings, token) or ""
        yield client, {"Origin": "http://testserver"}, token + "|" + good


@st.composite
def posts(draw: st.DrawFn) -> tuple[str, dict[str, str], bool]:
    """(path, form data, send the session cookie)."""
    path = draw(st.sampled_from(["/login", "/logout", "/evaluation/recommendations/decide"]))
    names = {
        "/login": ["username", "password", "next"],
        "/logout": ["csrf_token"],
        "/evaluation/recommendations/decide": ["key", "decision", "note", "csrf_token"],
    }[path]
    data = {n: draw(_text) for n in names if draw(st.booleans())}
    if draw(st.booleans()):
        data[draw(st.text(min_size=1, max_size=10))] = draw(_text)
    return path, data, draw(st.booleans())


def test_login_logout_and_decide_forms_never_answer_5xx(
    form_client: tuple[TestClient, dict[str, str], str],
) -> None:
    client, headers, secrets = form_client
    session_cookie, good_csrf = secrets.split("|")
    statuses: Counter[int] = Counter()
    failures: list[str] = []

    @given(post=posts(), real_token=st.booleans())
    @settings(
        max_examples=N_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(post: tuple[str, dict[str, str], bool], real_token: bool) -> None:
        path, data, with_cookie = post
        if real_token and "csrf_token" in data:
            data = {**data, "csrf_token": good_csrf}
        client.cookies.clear()
        if with_cookie:
            client.cookies.set("regdev_session", session_cookie)
        try:
            r = client.post(path, data=data, headers=headers, follow_redirects=False)
        except UnicodeEncodeError:
            return  # the client cannot even send it
        statuses[r.status_code] += 1
        if r.status_code >= 500:
            failures.append(f"POST {path} {data!r} -> {r.status_code}: {r.text[:300]}")

    run()
    assert failures == [], "\n".join(failures[:10])
    assert sum(statuses.values()) >= N_EXAMPLES * 0.9
    # the handlers were reached: refused logins, CSRF refusals, redirects after logout
    assert statuses[401] > 0
    assert statuses[403] > 0
    assert statuses[303] > 0


def test_non_ascii_csrf_token_is_refused_not_a_500(
    form_client: tuple[TestClient, dict[str, str], str],
) -> None:
    """Found by the fuzzer: ``hmac.compare_digest`` raised TypeError on non-ASCII text."""
    client, headers, secrets = form_client
    client.cookies.set("regdev_session", secrets.split("|")[0])
    for path, data in (
        ("/logout", {"csrf_token": "é"}),
        ("/evaluation/recommendations/decide", {"csrf_token": "토큰", "key": "k"}),
    ):
        r = client.post(path, data=data, headers=headers, follow_redirects=False)
        assert r.status_code == 403, (path, r.status_code, r.text[:200])
    r = client.post(
        "/api/v1/operations",
        json={},
        headers={**headers, "X-CSRF-Token": "\u00e9".encode("latin-1")},
    )
    assert r.status_code == 403
