"""Who is looking at a page: the signed-in user with the CSRF token their forms carry."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from trust_lesson.auth.dependencies import (
    CredentialsDep,
    CurrentUser,
    require_admin,
    require_staff,
)
from trust_lesson.deps import SettingsDep
from trust_lesson.models import User
from trust_lesson.web.browser_session import csrf_token


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
