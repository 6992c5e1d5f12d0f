"""Server-rendered, fully offline dashboard of the monitoring service.

``router`` (a FastAPI ``APIRouter`` under ``/dashboard``) serves the login page, the
national, province and county pages, data-entry forms with inline validation (HTMX),
CSV downloads of every table and the vendored static files.  Nothing on any page
refers to an external URL: HTMX is vendored under ``static/``, charts and the map are
inline SVG drawn on the server from the national outline shipped with the registry.
"""

from __future__ import annotations

from regdev.monitoring.dashboard.routes import PREFIX, router

__all__ = ["PREFIX", "router"]
