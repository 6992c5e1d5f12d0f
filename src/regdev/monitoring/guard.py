"""Request guard (ASGI middleware): URL sanity, cross-origin writes, body limits, headers.

Runs before routing, authentication and body parsing, and costs no database access:

1. **NUL in the URL** — a path or query string with a NUL byte is refused with 400
   (PostgreSQL refuses NUL in text, which would otherwise surface as a 500).
2. **Cross-origin writes (CSRF)** — a ``POST``/``PUT``/``PATCH``/``DELETE`` whose
   ``Origin`` (or, without one, ``Referer``) is not the service's own origin
   (scheme, host *and port*) is refused with 403, whatever its credentials.  A write
   that carries the session cookie but no ``Authorization`` header must also carry
   an ``Origin`` or ``Referer`` (browsers always send one) and a CSRF token: the
   ``X-CSRF-Token`` header (HTMX sends it on every request; API clients using the
   cookie must send it) or, for plain HTML forms, the ``csrf_token`` form field, which
   the dashboard route checks.  The token is an HMAC of the session's user, epoch and
   password fingerprint under the secret (:func:`csrf_token`), so a page on another
   origin, which can read neither the cookie nor the dashboard's pages, cannot make one.
   Bearer-token requests are not subject to the token (a browser cannot attach that
   header cross-origin without a CORS preflight, which the service never allows).
3. **Body limits before authentication** — a request body larger than its limit gets
   413 as soon as the limit is passed (at once when ``Content-Length`` says so),
   before anything parses it: requests without a valid token (signature and expiry,
   no database) get ``max_anonymous_body_bytes`` (enough for the login form), signed-in
   requests ``max_body_bytes``, CSV imports ``max_upload_bytes``.
4. **Security headers** on every response: ``Content-Security-Policy`` (scripts and
   styles from the service only, ``frame-ancestors 'none'``, forms post to the service
   only), ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff``,
   ``Referrer-Policy: same-origin``, ``Cross-Origin-Opener-Policy`` and
   ``-Resource-Policy: same-origin``.
"""

from __future__ import annotations

import hashlib
import hmac
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from regdev.monitoring import auth
from regdev.monitoring.config import Settings
from regdev.monitoring.errors import AuthenticationError

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "CURRENT_SETTINGS",
    "GuardMiddleware",
    "csrf_for_user",
    "csrf_ok",
    "csrf_token",
]

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: Swagger UI sets a few inline styles from its bundle.
CSP_DOCS = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


#: Settings of the application serving the current request (set by the middleware;
#: copied into the worker threads that render pages).
CURRENT_SETTINGS: ContextVar[Settings | None] = ContextVar("regdev_settings", default=None)


def _csrf(settings: Settings, user_id: int, epoch: int, fingerprint: str) -> str:
    msg = f"csrf\n{user_id}\n{epoch}\n{fingerprint}".encode()
    return hmac.new(settings.secret_key.encode(), msg, hashlib.sha256).hexdigest()[:40]


def csrf_token(settings: Settings, session_token: str) -> str | None:
    """The CSRF token that goes with a session cookie (``None`` if the cookie is invalid).

    ``HMAC(secret, user id, session epoch, password fingerprint)``: the same for every
    token of one session state, different after logout or a password change, and
    impossible to compute without the secret.
    """
    try:
        c = auth.verify_token(session_token, settings=settings)
    except AuthenticationError:
        return None
    return _csrf(settings, c.user_id, c.epoch, c.fingerprint)


def csrf_for_user(user: Any, settings: Settings | None = None) -> str:
    """The CSRF token of ``user``'s current session state (for rendering forms)."""
    settings = settings or CURRENT_SETTINGS.get()
    if settings is None:
        return ""
    return _csrf(settings, user.id, int(user.session_epoch or 0), auth.fingerprint(user))


def csrf_ok(settings: Settings, session_token: str | None, given: str | None) -> bool:
    """Whether ``given`` is the CSRF token of ``session_token``."""
    if not session_token or not given or not given.isascii():
        return False  # (compare_digest refuses non-ASCII text: a 500 found by fuzzing)
    expected = csrf_token(settings, session_token)
    return expected is not None and hmac.compare_digest(expected, given)


class _TooLarge(Exception):
    pass


def _plain(status: int, text: str) -> tuple[Message, Message]:
    body = text.encode()
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            *_HEADERS,
            (b"content-security-policy", CSP.encode()),
        ],
    }
    return start, {"type": "http.response.body", "body": body}


def _own_origin(scope: Scope, headers: Headers) -> str:
    scheme = scope.get("scheme", "http")
    host = headers.get("host")
    if host is None:
        server = scope.get("server") or ("localhost", None)
        host = server[0] if server[1] in (None, 80, 443) else f"{server[0]}:{server[1]}"
    default = {"http": ":80", "https": ":443"}.get(scheme, "")
    if default and host.endswith(default):
        host = host[: -len(default)]
    return f"{scheme}://{host}".lower()


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1].lower()
    default = {"http": ":80", "https": ":443"}.get(parts.scheme, "")
    if default and host.endswith(default):
        host = host[: -len(default)]
    return f"{parts.scheme.lower()}://{host}"


class GuardMiddleware:
    """The request guard (see the module docstring).

    Parameters
    ----------
    app : ASGI application
        The application to protect.
    settings : Settings
        Limits, cookie name, secret and API prefix.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.docs_prefix = f"{settings.api_prefix}/docs"

    def _credentials(self, headers: Headers) -> tuple[str | None, str | None]:
        """(bearer token, session cookie) as sent."""
        authz = headers.get("authorization", "")
        bearer = authz[7:].strip() if authz[:7].lower() == "bearer " else None
        cookie = None
        if "cookie" in headers:
            cookie = cookie_parser(headers["cookie"]).get(self.settings.cookie_name)
        return bearer, cookie

    def _signed_in(self, token: str | None) -> bool:
        if not token:
            return False
        try:
            auth.verify_token(token, settings=self.settings)
        except AuthenticationError:
            return False
        return True

    def _limit(self, path: str, signed_in: bool) -> int:
        s = self.settings
        if not signed_in:
            return s.max_anonymous_body_bytes
        if path.startswith(s.api_prefix) and path.endswith("/import"):
            return s.max_upload_bytes
        return s.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Guard one request (HTTP only; other scopes pass through)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        CURRENT_SETTINGS.set(self.settings)
        path: str = scope.get("path", "")
        if (
            "\x00" in path
            or b"%00" in scope.get("query_string", b"")
            or "\x00" in str(scope.get("raw_path", b""))
        ):
            await self._refuse(send, 400, "NUL bytes are not allowed in URLs")
            return
        headers = Headers(scope=scope)
        method: str = scope["method"]
        bearer, cookie = self._credentials(headers)
        if method in _UNSAFE:
            refused = self._cross_origin(scope, headers, bearer, cookie)
            if refused:
                await self._refuse(send, 403, refused)
                return
        limit = self._limit(path, self._signed_in(bearer or cookie))
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, 413, f"request body larger than {limit} bytes")
            return
        csp = (CSP_DOCS if path.startswith(self.docs_prefix) else CSP).encode()
        state = {"started": False, "over": False}
        too_large = f"request body larger than {limit} bytes"

        async def guarded_send(message: Message) -> None:
            if state["over"]:
                # the application turned the cut-off body into an error of its own
                # (e.g. FastAPI's 400 for an unparsable form): answer 413 instead
                if message["type"] == "http.response.start" and not state["started"]:
                    state["started"] = True
                    await self._refuse(send, 413, too_large)
                return
            if message["type"] == "http.response.start":
                state["started"] = True
                existing = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in _HEADERS if k not in existing]
                if b"content-security-policy" not in existing:
                    extra.append((b"content-security-policy", csp))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    state["over"] = True
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            if not state["started"]:
                state["started"] = True
                await self._refuse(send, 413, too_large)
        except Exception:
            if not state["over"]:
                raise
            if not state["started"]:
                state["started"] = True
                await self._refuse(send, 413, too_large)

    def _cross_origin(
        self, scope: Scope, headers: Headers, bearer: str | None, cookie: str | None
    ) -> str | None:
        """Why an unsafe request is refused as cross-site, or ``None``."""
        own = _own_origin(scope, headers)
        origin = headers.get("origin")
        referer = headers.get("referer")
        if origin is not None and origin != "null":
            if origin.lower().rstrip("/") != own:
                return f"cross-origin request from {origin} refused"
        elif referer:
            if _origin_of(referer) != own:
                return "cross-origin request refused (Referer from another origin)"
        elif origin == "null" and bearer is None:
            return "request from an opaque origin refused"
        if bearer is None and cookie is not None:
            if origin is None and not referer:
                return "a cookie-authenticated write needs an Origin or Referer header"
            path: str = scope.get("path", "")
            given = headers.get(CSRF_HEADER)
            if given is not None and not csrf_ok(self.settings, cookie, given):
                return "CSRF token does not match the session"
            if given is None and path.startswith(self.settings.api_prefix):
                return (
                    "cookie-authenticated API writes need the X-CSRF-Token header "
                    "(or use Authorization: Bearer)"
                )
        return None

    async def _refuse(self, send: Send, status: int, text: str) -> None:
        start, body = _plain(status, text)
        await send(start)
        await send(body)


def form_token_ok(settings: Settings, cookie: str | None, headers: Any, form: Any) -> bool:
    """Whether a dashboard form write carries the session's CSRF token.

    Accepts the ``X-CSRF-Token`` header (HTMX; already checked by the middleware) or
    the ``csrf_token`` form field (plain HTML forms).
    """
    given = headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    return csrf_ok(settings, cookie, None if given is None else str(given))
