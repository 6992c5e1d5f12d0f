"""One router per resource family; :func:`api_router` joins them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from regdev.monitoring import schemas
from regdev.monitoring.api.routes import admin, evaluation, login, reports, resources

#: Error answers every operation may give (declared in the OpenAPI document).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": schemas.ErrorDetail, "description": "Malformed request (e.g. NUL in the URL)"},
    401: {"model": schemas.ErrorDetail, "description": "Missing, invalid or expired credentials"},
    403: {
        "model": schemas.ErrorDetail,
        "description": "Role does not allow it, or a cross-site/CSRF check failed",
    },
    404: {"model": schemas.ErrorDetail, "description": "No such record within your scope"},
    409: {"model": schemas.ConflictDetail, "description": "Clashes with a stored record"},
    413: {"model": schemas.ErrorDetail, "description": "Request body over the size limit"},
    429: {"model": schemas.ErrorDetail, "description": "Too many login attempts from one address"},
    503: {"model": schemas.ErrorDetail, "description": "Database busy (retry after a moment)"},
}


def api_router() -> APIRouter:
    """The ``/api/v1`` router with every resource (and the errors each may answer)."""
    router = APIRouter(responses=ERROR_RESPONSES)
    router.include_router(login.router)
    router.include_router(reports.router)
    for r in resources.build_routers():
        router.include_router(r)
    router.include_router(admin.router)
    router.include_router(evaluation.router)
    return router
