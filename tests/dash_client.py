"""A synchronous in-process client of the monitoring app that posts like the dashboard."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from regdev.monitoring.guard import csrf_token


class Client:
    """``httpx.AsyncClient`` over the ASGI transport, driven synchronously.

    Posts with the page's ``Origin`` and, once logged in, the session's CSRF token in
    ``X-CSRF-Token`` (as HTMX does from the page's ``hx-headers``).
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            headers={"Origin": "http://testserver"},
        )

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.get(url, **kw))

    def post(self, url: str, **kw: Any) -> httpx.Response:
        settings = self.app.state.settings
        cookie = self.client.cookies.get(settings.cookie_name)
        if cookie:
            kw["headers"] = {"X-CSRF-Token": csrf_token(settings, cookie), **kw.get("headers", {})}
        return self.loop.run_until_complete(self.client.post(url, **kw))

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


class Env:
    """The app, its session factory, the seed summary and the settings of a test module."""

    def __init__(self, app: Any, factory: Any, summary: Any, settings: Any) -> None:
        self.app = app
        self.factory = factory
        self.summary = summary
        self.settings = settings

    def client(self, username: str | None = "admin", password: str = "admin-password") -> Client:
        c = Client(self.app)
        if username is not None:
            r = c.post("/login", data={"username": username, "password": password, "next": "/"})
            assert r.status_code == 303, r.text
        return c
