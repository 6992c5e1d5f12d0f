"""Errors specific to the monitoring service (authentication, scope, conflicts).

They extend :mod:`regdev.errors` so the one exception handler in
:mod:`regdev.monitoring.app` can map every error to an HTTP status.
"""

from __future__ import annotations

from regdev.errors import RegdevError


class AuthenticationError(RegdevError, PermissionError):
    """Missing, invalid or expired credentials (HTTP 401), or a locked account."""


class ScopeError(RegdevError, PermissionError):
    """The user's role or scope does not allow the request (HTTP 403)."""


class RateLimitError(RegdevError, PermissionError):
    """Too many requests of one kind from one client (HTTP 429, with ``retry_after`` s)."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ConflictError(RegdevError, ValueError):
    """The request clashes with stored data, e.g. a duplicate key (HTTP 409).

    Parameters
    ----------
    message : str
        What clashes and what to do instead.
    existing : (resource name, id), optional
        The stored record the request duplicates (the API answers with its URL and the
        dashboard links to it).
    """

    def __init__(self, message: str, *, existing: tuple[str, int] | None = None) -> None:
        super().__init__(message)
        self.existing = existing
