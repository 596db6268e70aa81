"""The Jinja2 environment of the pages, built by `create_app` (never at import time)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from trust_lesson.lessons.wording import status_in_words
from trust_lesson.models import Role, User

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True)
class NavLink:
    href: str
    label: str


_NAV: dict[Role, tuple[NavLink, ...]] = {
    Role.STUDENT: (
        NavLink("/home", "Home"),
        NavLink("/consent", "Consent"),
        NavLink("/enrolment", "Face enrolment"),
        NavLink("/identity", "Identity"),
        NavLink("/certificates", "Certificates and data"),
    ),
    Role.INSTRUCTOR: (
        NavLink("/lessons", "Lessons"),
        NavLink("/reviews", "Reviews"),
        NavLink("/identity-reviews", "Identity reviews"),
        NavLink("/admin/courses", "Courses"),  # their own courses: terms, members, planning
    ),
    Role.ADMIN: (
        NavLink("/lessons", "Lessons"),
        NavLink("/reviews", "Reviews"),
        NavLink("/identity-reviews", "Identity reviews"),
        NavLink("/admin/users", "Users"),
        NavLink("/admin/courses", "Courses"),
        NavLink("/admin/evidence", "Evidence"),
    ),
}


def navigation(user: User | None) -> tuple[NavLink, ...]:
    return _NAV[user.role] if user is not None else ()


def _when(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M UTC") -> str:
    """A UTC moment as people read it; also one stored as ISO text (the key file's dates)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value).astimezone(UTC)
    return value.strftime(fmt) if value is not None else ""


def counted(number: int, noun: str) -> str:
    """ "1 student", "201 students": a count with its noun (nouns with a plain plural -s)."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def build_templates() -> Jinja2Templates:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html", "svg")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["when"] = _when
    environment.filters["counted"] = counted
    environment.filters["lesson_status"] = status_in_words
    environment.globals["navigation"] = navigation
    return Jinja2Templates(env=environment)


def render(
    request: Request,
    template: str,
    *,
    user: User | None = None,
    csrf: str = "",
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page: the template with who is signed in, their CSRF token and the navigation."""
    templates: Jinja2Templates = request.app.state.templates
    values = {"user": user, "csrf": csrf, **context}
    return templates.TemplateResponse(request, template, values, status_code=status_code)
