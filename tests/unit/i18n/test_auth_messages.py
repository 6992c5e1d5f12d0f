"""Sign-in and access refusals read in the user's language (issue 15, item 2)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from regdev.i18n import use_language
from regdev.monitoring import auth
from regdev.monitoring.errors import RateLimitError, ScopeError


def _user(role: str) -> Any:
    return SimpleNamespace(role=role, username="kim")


def test_viewer_refusal_in_korean_and_english() -> None:
    with use_language("ko"), pytest.raises(ScopeError, match="열람자는 읽기만 할 수 있습니다"):
        auth.require_writer(_user("viewer"))
    with use_language("en"), pytest.raises(ScopeError, match="viewers have read-only access"):
        auth.require_writer(_user("viewer"))


def test_role_refusal_keeps_its_values_in_korean() -> None:
    with use_language("ko"), pytest.raises(ScopeError) as info:
        auth.require_role(_user("county"), "national", "provincial")
    text = str(info.value)
    assert "national, provincial" in text
    assert "'county'" in text
    assert "역할" in text


def test_login_throttle_in_korean() -> None:
    throttle = auth.LoginThrottle(per_minute=0.0001, burst=1)
    auth.throttle_login(throttle, "10.0.0.1")  # the one allowed attempt
    with use_language("ko"), pytest.raises(RateLimitError) as info:
        auth.throttle_login(throttle, "10.0.0.1")
    assert "가입 시도가 너무 많습니다" in str(info.value)
