"""Response cache and conditional GET for the read endpoints (ASGI middleware).

Covers ``GET`` under the API prefix (Bearer token or session cookie) and the
dashboard's pages and CSV downloads (``/``, ``/csv/…``, ``/province/…``,
``/county/…``; session cookie only, as those routes accept nothing else).

Invalidation rule
-----------------
Every change to the monitoring data goes through the core (``crud``, ``bulk``,
``plan_import``, ``history``, ``reference``, ``demo``), which appends to the
hash-chained audit log in the same transaction, and so moves the audit-chain head
(``audit_head.seq``, ``audit_head.hash``).  That includes user accounts: creating a
user, changing a password, a role, a scope or deactivating an account are audited.
The head is therefore a version number of everything a read endpoint can return, and
a response stays valid exactly as long as the head has not moved.

Such a ``GET`` is answered from the cache when an entry exists for
``(user scope, path, query string, audit head, UTC date)``, where the user scope is
``(user id, role, province, county, site)`` of the token's user *at that head*:

1. the token's signature and expiry are checked on every request (no database);
2. the head is read (one primary-key lookup);
3. the token → user-scope map is itself cached per head, so a changed password,
   role or scope, or a deactivated account, misses it and is re-checked against the
   database by :func:`regdev.monitoring.auth.user_from_token` (tokens signed for the
   old password hash are then refused by the normal route);
4. a hit returns the stored body with an ``ETag``; a request whose ``If-None-Match``
   names it gets ``304 Not Modified`` and no body.

Anything else (no or bad credentials, a miss, a non-200 response, ``Set-Cookie``) goes
through the normal route (with its own authentication and scope checks), whose
``200`` responses are then stored.  So a hit only exists if the same user, with the
same scope, got that ``200`` at the same head on the same day.  Not cached: the
audit endpoints (``/audit/verify`` exists to detect changes that bypassed the log),
users, login, health, the OpenAPI document and docs.  Login attempts (lockout) are
not audited, but no cached endpoint shows them, and lockout only refuses new logins.

The only ways to see a stale response are writes that bypass the core (raw SQL, the
benchmark's bulk seeder on a live server); ``regdev restore`` of a different history
ends at a different head hash.  The cache is per process (each uvicorn worker has its
own), bounded by entries and bytes (LRU), and thread-safe.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from regdev.monitoring import auth
from regdev.monitoring.config import Settings
from regdev.monitoring.errors import AuthenticationError
from regdev.monitoring.models import AuditHead, User

__all__ = [
    "PRINCIPAL_KEY",
    "CachedBody",
    "LruCache",
    "ReadCache",
    "ReadCacheMiddleware",
    "read_head",
]

#: First path segments (after the API prefix) that are never cached.
UNCACHED_SEGMENTS = frozenset({"audit", "users", "login", "health", "openapi.json", "docs"})
#: Dashboard pages and CSV downloads (the routes behind the dashboard's page cache).
DASHBOARD_PREFIXES = ("/csv/", "/province/", "/county/")
_DROP_HEADERS = frozenset({b"date", b"server", b"etag", b"cache-control", b"x-cache"})
Key = tuple[Hashable, ...]
#: ASGI scope key under which the middleware hands ``(token, user)`` to the route
#: (:func:`regdev.monitoring.deps.get_optional_user`), so a ``GET`` that misses the
#: response cache does not read its user a second time.
PRINCIPAL_KEY = "regdev.principal"
Scope_ = tuple[int, str, str | None, str | None, int | None]


@dataclass(frozen=True)
class CachedBody:
    """A stored ``200`` response: headers (without date/server), body and ETag."""

    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: bytes


class LruCache:
    """A bounded (entries and bytes), thread-safe LRU map.

    Parameters
    ----------
    max_entries : int
        Capacity in entries; ``0`` disables the cache.
    max_bytes : int
        Capacity in stored body bytes (for :class:`CachedBody` values).
    """

    def __init__(self, max_entries: int, max_bytes: int = 1 << 62) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._data: OrderedDict[Key, Any] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits_ = 0
        self.misses_ = 0

    @staticmethod
    def _size(value: Any) -> int:
        return len(value.body) if isinstance(value, CachedBody) else 0

    def get(self, key: Key) -> Any:
        """The value stored under ``key``, or ``None``."""
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses_ += 1
                return None
            self._data.move_to_end(key)
            self.hits_ += 1
            return value

    def put(self, key: Key, value: Any) -> None:
        """Store ``value``, evicting least recently used entries beyond capacity."""
        size = self._size(value)
        if self.max_entries <= 0 or size > self.max_bytes:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= self._size(old)
            self._data[key] = value
            self._bytes += size
            while len(self._data) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._data.popitem(last=False)
                self._bytes -= self._size(evicted)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._data.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._data)


_HEAD_SQL = f"SELECT seq, hash FROM {AuditHead.__tablename__} WHERE id = 1"  # noqa: S608


def read_head(engine: Engine) -> tuple[int, str]:
    """The audit-chain head ``(seq, hash)``; ``(0, "")`` before the first change.

    Uses the pooled DBAPI connection directly: this runs on every cached request, and
    the ORM/Core statement machinery costs more than the lookup itself.
    """
    conn = engine.raw_connection()
    try:
        cur = conn.cursor()
        cur.execute(_HEAD_SQL)
        row = cur.fetchone()
        cur.close()
    finally:
        conn.close()  # back to the pool, which rolls back
    return (0, "") if row is None else (int(row[0]), str(row[1]))


class ReadCache:
    """The caches behind :class:`ReadCacheMiddleware` (one per application).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The application's database.
    settings : Settings
        Token secret, API prefix and cookie name.
    max_entries, max_bytes : int
        Bounds of the response cache.
    max_body : int
        Larger responses are not stored.
    """

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        max_entries: int = 4096,
        max_bytes: int = 64 << 20,
        max_body: int = 1 << 20,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.responses = LruCache(max_entries, max_bytes)
        self.users = LruCache(1024)
        self.max_body = max_body
        self.inline_db = engine.dialect.name == "sqlite"

    def clear(self) -> None:
        """Drop every cached response and user."""
        self.responses.clear()
        self.users.clear()

    def rebind(self, engine: Engine) -> None:
        """Read from ``engine`` from now on, and drop everything cached (tests)."""
        self.engine = engine
        self.inline_db = engine.dialect.name == "sqlite"
        self.clear()

    def principal(self, token: str, head: tuple[int, str]) -> User | None:
        """The token's user as of ``head`` (``None``: not a valid login), cached per head.

        The user is read once per (token, audit head) and kept detached from any
        session: every change that can revoke a token (logout, a new password,
        deactivation, a new role or scope) is audited and so moves the head, after
        which the user is read and checked again.  The token's signature and expiry are
        checked by the caller on every request.
        """
        key: Key = (token, head)
        hit = self.users.get(key)
        if hit is not None:
            return hit if hit else None
        try:
            with Session(self.engine) as session:
                user = auth.user_from_token(session, token, settings=self.settings)
                session.expunge(user)
        except AuthenticationError:
            self.users.put(key, ())
            return None
        self.users.put(key, user)
        return user

    def user_scope(self, token: str, head: tuple[int, str]) -> Scope_ | None:
        """The scope of the token's user at ``head`` (``None``: not a valid login)."""
        user = self.principal(token, head)
        return None if user is None else _scope_of(user)


def _scope_of(user: User) -> Scope_:
    return (user.id, user.role, user.province_id, user.region_id, user.site_id)


def _etag(key: Key) -> bytes:
    return b'"' + hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest().encode() + b'"'


class ReadCacheMiddleware:
    """ASGI middleware serving cached API ``GET`` responses (see the module docstring).

    Parameters
    ----------
    app : ASGI application
        The wrapped application.
    cache : ReadCache
        The caches (kept on ``app.state.read_cache`` so tests can inspect them).
    """

    def __init__(self, app: ASGIApp, *, cache: ReadCache) -> None:
        self.app = app
        self.cache = cache
        self.prefix = cache.settings.api_prefix.rstrip("/") + "/"

    def _kind(self, scope: Scope) -> str | None:
        """``"api"``, ``"page"`` (dashboard, cookie only) or ``None`` (not cached)."""
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        path: str = scope["path"]
        if path.startswith(self.prefix):
            first = path[len(self.prefix) :].split("/", 1)[0]
            return None if first in UNCACHED_SEGMENTS else "api"
        if path == "/" or path.startswith(DASHBOARD_PREFIXES):
            return "page"
        return None

    @staticmethod
    def _language(scope: Scope) -> tuple[str, bytes]:
        """What decides a dashboard page's language besides ``?lang=`` (part of the key).

        The ``regdev_lang`` cookie and ``Accept-Language``; a user's stored preference is
        part of the user row (changing it is audited, so the head moves).
        """
        cookie, accept = "", b""
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookie = cookie_parser(value.decode("latin-1")).get("regdev_lang", "")
            elif name == b"accept-language":
                accept = value[:64]
        return cookie, accept

    def _credentials(self, scope: Scope, kind: str) -> tuple[str | None, bytes | None]:
        token: str | None = None
        cookie: str | None = None
        inm: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"authorization" and kind == "api":
                scheme, _, param = value.decode("latin-1").partition(" ")
                if scheme.lower() == "bearer" and param:
                    token = param
            elif name == b"cookie":
                cookie = value.decode("latin-1")
            elif name == b"if-none-match":
                inm = value
        if token is None and cookie:
            token = cookie_parser(cookie).get(self.cache.settings.cookie_name) or None
        return token, inm

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer from the cache, or pass through and store a ``200``."""
        kind = self._kind(scope)
        if kind is None:
            await self.app(scope, receive, send)
            return
        token, inm = self._credentials(scope, kind)
        if token is None:
            await self.app(scope, receive, send)
            return
        try:
            auth.verify_token(token, settings=self.cache.settings)
        except AuthenticationError:
            await self.app(scope, receive, send)
            return
        cache = self.cache
        if cache.inline_db:  # one indexed read on a local file: cheaper than a thread hop
            head = read_head(cache.engine)
        else:
            head = await anyio.to_thread.run_sync(read_head, cache.engine)
        user = cache.users.get((token, head))
        if user is None:
            user = await anyio.to_thread.run_sync(cache.principal, token, head)
        if not user:
            await self.app(scope, receive, send)
            return
        key: Key = (
            _scope_of(user),
            scope["path"],
            scope.get("query_string", b""),
            head,
            dt.datetime.now(dt.UTC).date().toordinal(),
            self._language(scope) if kind == "page" else None,
        )
        hit: CachedBody | None = cache.responses.get(key)
        if hit is not None:
            await self._reply(send, hit, not_modified=inm is not None and hit.etag in _tags(inm))
            return
        # the route reuses this principal instead of reading the user again
        scope[PRINCIPAL_KEY] = (token, user)
        await self._pass_and_store(scope, receive, send, key)

    @staticmethod
    async def _reply(send: Send, hit: CachedBody, *, not_modified: bool) -> None:
        common = [
            (b"etag", hit.etag),
            (b"cache-control", b"private, no-cache"),
            (b"x-cache", b"hit"),
        ]
        if not_modified:
            await send({"type": "http.response.start", "status": 304, "headers": common})
            await send({"type": "http.response.body", "body": b""})
            return
        headers = [*hit.headers, *common]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": hit.body})

    async def _pass_and_store(self, scope: Scope, receive: Receive, send: Send, key: Key) -> None:
        etag = _etag(key)
        state: dict[str, Any] = {"store": False, "headers": (), "chunks": [], "size": 0}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k not in _DROP_HEADERS]
                ok = message["status"] == 200 and not any(k == b"set-cookie" for k, _ in headers)
                state["store"] = ok
                state["headers"] = tuple(headers)
                if ok:
                    headers += [(b"etag", etag), (b"cache-control", b"private, no-cache")]
                    message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and state["store"]:
                body = message.get("body", b"")
                state["size"] += len(body)
                if state["size"] > self.cache.max_body:
                    state["store"] = False
                    state["chunks"] = []
                else:
                    state["chunks"].append(body)
                if not message.get("more_body", False) and state["store"]:
                    self.cache.responses.put(
                        key, CachedBody(state["headers"], b"".join(state["chunks"]), etag)
                    )
            await send(message)

        await self.app(scope, receive, capture)


def _tags(header: bytes) -> set[bytes]:
    tags = {t.strip() for t in header.split(b",")}
    return tags | {t[2:] for t in tags if t.startswith(b"W/")}
