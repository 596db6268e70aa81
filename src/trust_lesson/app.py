"""The web application: `create_app(settings)` wires routers, middleware and the lifespan."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from trust_lesson import __version__
from trust_lesson.apidocs.pages import install_api_docs
from trust_lesson.attendance.endpoints import router as attendance_router
from trust_lesson.attendance.pages import router as attendance_pages
from trust_lesson.auth.endpoints import router as auth_router
from trust_lesson.auth.pages import router as auth_pages
from trust_lesson.biometrics.endpoints import router as biometrics_router
from trust_lesson.biometrics.pages import router as biometrics_pages
from trust_lesson.clock import Clock, utc_now
from trust_lesson.courses.endpoints import router as courses_router
from trust_lesson.courses.pages import router as course_pages
from trust_lesson.courses.term_pages import router as term_pages
from trust_lesson.error_handlers import install_error_handlers
from trust_lesson.evidence.endpoints import router as evidence_router
from trust_lesson.evidence.pages import router as evidence_pages
from trust_lesson.health.endpoints import router as health_router
from trust_lesson.identity.endpoints import router as identity_router
from trust_lesson.identity.pages import router as identity_pages
from trust_lesson.identity.review_pages import router as identity_review_pages
from trust_lesson.lessons.endpoints import router as lessons_router
from trust_lesson.lessons.pages import router as lesson_pages
from trust_lesson.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from trust_lesson.presence.endpoints import router as presence_router
from trust_lesson.presence.pages import router as presence_pages
from trust_lesson.privacy.endpoints import router as privacy_router
from trust_lesson.privacy.pages import router as privacy_pages
from trust_lesson.reports.endpoints import router as reports_router
from trust_lesson.reports.pages import router as report_pages
from trust_lesson.runtime import build_runtime
from trust_lesson.schemas import VALIDATION_RESPONSES
from trust_lesson.security_headers import SecurityHeadersMiddleware
from trust_lesson.settings import Settings
from trust_lesson.users.endpoints import router as users_router
from trust_lesson.users.home_page import router as home_pages
from trust_lesson.users.pages import router as user_pages
from trust_lesson.web.install import install_web

ROUTERS = (
    health_router,
    auth_router,
    users_router,
    biometrics_router,
    identity_router,
    privacy_router,
    courses_router,
    lessons_router,
    presence_router,
    attendance_router,
    reports_router,
    evidence_router,
)
PAGES = (
    auth_pages,
    home_pages,
    biometrics_pages,
    privacy_pages,
    identity_pages,
    presence_pages,
    lesson_pages,
    attendance_pages,
    identity_review_pages,
    user_pages,
    course_pages,
    term_pages,
    report_pages,
    evidence_pages,
)


def create_app(settings: Settings | None = None, *, clock: Clock = utc_now) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.ensure_data_dir()
        app.state.runtime = runtime = build_runtime(settings, clock)
        if settings.runs_embedded_worker:
            runtime.start_worker_process()
        try:
            yield
        finally:
            await app.state.runtime.close()

    app = FastAPI(
        title="Trust Lesson",
        version=__version__,
        description="Proof that a student really attended a live online lesson.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    install_api_docs(app)
    install_web(app)
    for router in ROUTERS:
        # Our 422 body (errors.py), documented instead of FastAPI's default list shape.
        api = router.prefix.startswith("/api/")
        app.include_router(router, responses=VALIDATION_RESPONSES if api else None)
    for pages in PAGES:
        app.include_router(pages)
    install_error_handlers(app)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware)
    return app
