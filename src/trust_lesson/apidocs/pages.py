"""`/docs` (Swagger UI) from assets bundled with the service, no CDN (issue 8/13).

The pages carry no inline script, so they work under the strict Content-Security-Policy of
`security_headers.py`: the Swagger UI start-up lives in our own `static/swagger-init.js`, which
reads the schema address from its own `data-openapi-url` attribute. Swagger UI and ReDoc come
from the `fastapi-offline` package (a pinned version in uv.lock, installed from PyPI).
ReDoc is not offered: it injects inline styles, which the policy refuses (it rendered only
"Something went wrong" in Chromium), and one documentation page is enough.
"""

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

ASSETS_URL = "/docs/assets"
_BUNDLED = Path(fastapi_offline.__file__).parent / "static"
_OURS = Path(__file__).parent / "static"


class _CachedAssets(StaticFiles):
    """Static files a browser may keep for a day (they change only with a release)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response


def install_api_docs(app: FastAPI) -> None:
    """Mounts the assets and the page (the app is created with docs_url=None).

    The page is a module-level function reading the app from its request: FastAPI keeps every
    endpoint it classifies in a process-wide cache of 4,096, so an endpoint closing over its
    app kept each app the test suite built (a whole runtime and database engine) alive.
    """
    app.mount(ASSETS_URL + "/ui", _CachedAssets(directory=_BUNDLED), name="docs-ui-assets")
    app.mount(ASSETS_URL + "/app", _CachedAssets(directory=_OURS), name="docs-app-assets")
    app.add_api_route("/docs", swagger_ui, methods=["GET"], include_in_schema=False)


async def swagger_ui(request: Request) -> HTMLResponse:
    app: FastAPI = request.app
    page = _swagger_page(escape(app.title), _root(request), app.openapi_url or "")
    return HTMLResponse(page)


def _root(request: Request) -> str:
    return escape(str(request.scope.get("root_path", "")))


def _swagger_page(title: str, root: str, openapi_url: str) -> str:
    assets = root + ASSETS_URL
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - API</title>
<link rel="icon" href="{assets}/ui/favicon.png">
<link rel="stylesheet" href="{assets}/ui/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{assets}/ui/swagger-ui-bundle.js"></script>
<script src="{assets}/app/swagger-init.js" data-openapi-url="{root}{escape(openapi_url)}"></script>
</body></html>"""
