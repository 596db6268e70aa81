"""Wires the pages' shared parts into the app: templates and `/static`."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from trust_lesson.web.templating import STATIC, build_templates


class _Revalidated(StaticFiles):
    """Our own CSS and JS: a browser keeps them but asks (ETag) before reusing them."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "no-cache"
        return response


def install_web(app: FastAPI) -> None:
    app.state.templates = build_templates()
    app.mount("/static", _Revalidated(directory=STATIC), name="static")
