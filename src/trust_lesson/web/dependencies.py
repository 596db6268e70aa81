"""Who is looking at a page: the signed-in user with the CSRF token their forms carry."""

import asyncio
import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from trust_lesson.auth.dependencies import (
    CredentialsDep,
    CurrentUser,
    require_admin,
    require_staff,
)
from trust_lesson.deps import SettingsDep
from trust_lesson.models import User
from trust_lesson.runtime import Runtime
from trust_lesson.web.browser_session import cookie_token, csrf_token

log = logging.getLogger("trust_lesson.web")

# How long an error page may spend finding out who is signed in before it stays plain.
LOOKUP_SECONDS = 2.0


@dataclass(frozen=True)
class Viewer:
    user: User
    csrf: str


def viewer(user: CurrentUser, found: CredentialsDep, settings: SettingsDep) -> Viewer:
    token = csrf_token(settings.resolved_secret_key(), found.token) if found.from_cookie else ""
    return Viewer(user=user, csrf=token)


PageViewer = Annotated[Viewer, Depends(viewer)]


def staff_viewer(viewer: PageViewer) -> Viewer:
    require_staff(viewer.user)
    return viewer


def admin_viewer(viewer: PageViewer) -> Viewer:
    require_admin(viewer.user)
    return viewer


StaffViewer = Annotated[Viewer, Depends(staff_viewer)]
AdminViewer = Annotated[Viewer, Depends(admin_viewer)]


async def viewer_if_signed_in(request: Request) -> Viewer | None:
    """The person of the request's browser session, for an error page's navigation, in a
    short database session of its own, closed and never committed. None when there is no
    session, or the lookup fails or is slow (the database down or busy): the page stays plain."""
    token = cookie_token(request)
    if token is None:
        return None
    runtime: Runtime = request.app.state.runtime
    try:
        async with asyncio.timeout(LOOKUP_SECONDS), runtime.session_factory() as db:
            user_id = await runtime.session_store.resolve(db, token=token, now=runtime.clock())
            user = await db.get(User, user_id) if user_id is not None else None
    except Exception as error:  # an error page never fails for want of its navigation
        log.info("error page without navigation: %s", type(error).__name__)
        return None
    if user is None or not user.is_active:
        return None
    return Viewer(user=user, csrf=csrf_token(runtime.settings.resolved_secret_key(), token))
