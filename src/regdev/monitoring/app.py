"""Application factory: ``create_app(settings=None) -> FastAPI`` (no module-level app).

One exception handler maps the error hierarchy to HTTP statuses:
:class:`~regdev.errors.DataValidationError` → 422 (with the field and what was
expected), :class:`~regdev.errors.NotFoundError` → 404, :class:`ScopeError` → 403,
:class:`AuthenticationError` → 401, :class:`ConflictError` → 409, other
:class:`~regdev.errors.RegdevError` → 400.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from regdev._version import __version__
from regdev.errors import ConfigError, DataValidationError, NotFoundError, Problem, RegdevError
from regdev.monitoring import apidocs, auth
from regdev.monitoring.config import Settings
from regdev.monitoring.db import make_engine, make_read_engine, make_session_factory
from regdev.monitoring.errors import (
    AuthenticationError,
    ConflictError,
    RateLimitError,
    ScopeError,
)
from regdev.monitoring.fast_reads import FastListMiddleware, FastReads
from regdev.monitoring.guard import GuardMiddleware
from regdev.monitoring.read_cache import ReadCache, ReadCacheMiddleware

_STATUS: list[tuple[type[RegdevError], int]] = [
    (DataValidationError, 422),
    (NotFoundError, 404),
    (ScopeError, 403),
    (AuthenticationError, 401),
    (ConflictError, 409),
    (RateLimitError, 429),
    (ConfigError, 400),
]


def _problem_detail(p: Problem | str) -> dict[str, Any]:
    if isinstance(p, str):
        return {"loc": ["body"], "msg": p, "type": "value_error"}
    loc: list[Any] = ["body"]
    if p.column:
        loc.append(p.column)
    out: dict[str, Any] = {"loc": loc, "msg": p.message, "type": "value_error", "file": p.file}
    if p.row is not None:
        out["row"] = p.row
    return out


def _ascii_json(doc: Any, status: int, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(doc, ensure_ascii=True, default=repr)
    return Response(body, status_code=status, media_type="application/json", headers=headers)


async def _handle_regdev_error(request: Request, exc: Exception) -> Response:
    status = next((code for cls, code in _STATUS if isinstance(exc, cls)), 400)
    if isinstance(exc, DataValidationError):
        return _ascii_json({"detail": [_problem_detail(p) for p in exc.problems]}, status)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, RateLimitError):
        headers = {"Retry-After": str(max(1, round(exc.retry_after)))}
    doc: dict[str, Any] = {"detail": str(exc)}
    existing = getattr(exc, "existing", None)
    if isinstance(exc, ConflictError) and existing is not None:
        name, row_id = existing
        prefix = request.app.state.settings.api_prefix
        doc["existing"] = {"resource": name, "id": row_id, "url": f"{prefix}/{name}/{row_id}"}
    return _ascii_json(doc, status, headers)


async def _handle_db_busy(request: Request, exc: Exception) -> Response:
    """A write that waited too long for the database lock (e.g. behind a bulk import)."""
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower():
        return _ascii_json(
            {"detail": "the database is busy (a long write is running); retry shortly"},
            503,
            {"Retry-After": "5"},
        )
    raise exc


async def _handle_request_validation(request: Request, exc: Exception) -> Response:
    """FastAPI's 422, rendered as ASCII JSON so inputs with lone surrogates cannot break it."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    return _ascii_json({"detail": jsonable_encoder(errors)}, 422)


def _in_memory(settings: Settings) -> bool:
    return settings.database_url in ("sqlite://", "sqlite:///:memory:")


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """Build the monitoring service.

    Parameters
    ----------
    settings : Settings, optional
        Configuration; read from the environment (``REGDEV_*``) when omitted.
    engine : sqlalchemy.Engine, optional
        Use this engine instead of one made from ``settings.database_url`` (tests).

    Returns
    -------
    fastapi.FastAPI
        The application, with the REST API under ``settings.api_prefix`` and the
        dashboard at ``/``.
    """
    from regdev.monitoring.api.routes import api_router
    from regdev.monitoring.dashboard import router as dashboard_router
    from regdev.monitoring.dashboard.evaluation_pages import router as evaluation_pages_router

    settings = settings or Settings()
    settings.check_secrets()
    own_engine = engine is not None
    engine = engine or make_engine(settings.database_url)
    app = FastAPI(
        title="regdev monitoring",
        version=__version__,
        description="Tracks the regional-development programme: projects, sites, operations, "
        "quality, surveys; planned versus actual; users, scope and audit.",
        openapi_url=f"{settings.api_prefix}/openapi.json",
        docs_url=None,  # served from the package below (offline, no inline script)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.hasher = auth.make_hasher(settings)
    app.state.login_throttle = auth.LoginThrottle(
        settings.login_rate_per_minute, settings.login_burst
    )
    # reads (response cache, principals, the list path) use a read-only engine of
    # their own: a separate pool, and a statement that would write fails
    read_engine = (
        engine if own_engine or _in_memory(settings) else make_read_engine(settings.database_url)
    )
    app.state.read_engine = read_engine
    app.state.read_cache = ReadCache(read_engine, settings)
    app.state.fast_reads = FastReads(enabled=settings.fast_reads)
    app.add_middleware(
        FastListMiddleware,
        cache=app.state.read_cache,
        prefix=settings.api_prefix,
        switch=app.state.fast_reads,
    )
    app.add_middleware(ReadCacheMiddleware, cache=app.state.read_cache)
    app.add_middleware(GuardMiddleware, settings=settings)  # outermost: runs first
    app.add_exception_handler(RegdevError, _handle_regdev_error)
    app.add_exception_handler(RequestValidationError, _handle_request_validation)
    app.add_exception_handler(OperationalError, _handle_db_busy)
    app.include_router(api_router(), prefix=settings.api_prefix)
    app.include_router(dashboard_router)
    app.include_router(evaluation_pages_router)

    @app.get(f"{settings.api_prefix}/health", tags=["health"])
    async def health() -> dict[str, str]:
        """Liveness probe (answered on the event loop: no thread, no database)."""
        return {"status": "ok", "version": __version__}

    app.include_router(apidocs.router(settings.api_prefix))
    return app
