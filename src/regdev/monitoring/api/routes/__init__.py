"""One router per resource family; :func:`api_router` joins them."""

from __future__ import annotations

from fastapi import APIRouter

from regdev.monitoring.api.routes import admin, evaluation, login, reports, resources


def api_router() -> APIRouter:
    """The ``/api/v1`` router with every resource."""
    router = APIRouter()
    router.include_router(login.router)
    router.include_router(reports.router)
    for r in resources.build_routers():
        router.include_router(r)
    router.include_router(admin.router)
    router.include_router(evaluation.router)
    return router
