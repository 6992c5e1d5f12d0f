"""Interactive API documentation (Swagger UI) served from the package, offline.

``GET {api_prefix}/docs`` is a small HTML page that loads the vendored Swagger UI
bundle and stylesheet (``static/apidocs``, provenance and licence in its SOURCES.md)
and an init script from the service itself: no CDN, no inline script, the validator
badge (an external call) off.  Only a fixed list of files is served.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape

__all__ = ["ASSETS", "router"]

#: Served files and their media types.
ASSETS: dict[str, str] = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-init.js": "text/javascript; charset=utf-8",
    "swagger-ui.LICENSE.txt": "text/plain; charset=utf-8",
    "swagger-ui.NOTICE.txt": "text/plain; charset=utf-8",
    "swagger-ui-bundle.js.LICENSE.txt": "text/plain; charset=utf-8",
}

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>regdev monitoring API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{static}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{static}/swagger-ui-bundle.js"></script>
<script src="{static}/swagger-init.js"></script>
</body>
</html>
"""


@lru_cache(maxsize=len(ASSETS))
def _asset(name: str) -> tuple[bytes, str]:
    data = resources.files("regdev.monitoring").joinpath(f"static/apidocs/{name}").read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:16]


def router(api_prefix: str) -> APIRouter:
    """The documentation page and its assets under ``{api_prefix}/docs``."""
    r = APIRouter(include_in_schema=False)
    docs = f"{api_prefix}/docs"

    @r.get(docs)
    async def swagger_page() -> HTMLResponse:
        html = _PAGE.format(
            static=escape(f"{docs}/static"), openapi=escape(f"{api_prefix}/openapi.json")
        )
        return HTMLResponse(html)

    @r.get(docs + "/static/{name}")
    async def swagger_asset(name: str, request: Request) -> Response:
        if name not in ASSETS:
            return Response("not found", status_code=404, media_type="text/plain")
        data, etag = _asset(name)
        headers = {"ETag": f'"{etag}"', "Cache-Control": "public, max-age=86400"}
        if request.headers.get("if-none-match") == f'"{etag}"':
            return Response(status_code=304, headers=headers)
        return Response(data, media_type=ASSETS[name], headers=headers)

    return r
