"""Course pages for staff: the list, a new course, a course's terms and attendance policy, its
name and description, its deletion."""

import math
from enum import Enum
from typing import Annotated, Any

from annotated_types import Ge, Gt, Le
from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from trust_lesson.attendance import policies
from trust_lesson.courses import service
from trust_lesson.courses.dependencies import ManagedCourse
from trust_lesson.courses.schemas import CourseCreate, CourseUpdate, TermCreate
from trust_lesson.deps import DbDep
from trust_lesson.errors import DomainError
from trust_lesson.presence.policy import AttendancePolicy, LivenessChecks
from trust_lesson.web.dependencies import StaffViewer, Viewer
from trust_lesson.web.forms import FormProblems, parse_form, problems_of
from trust_lesson.web.paging import PageRequest, PageRequestDep, page_of
from trust_lesson.web.templating import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=10_000)]

POLICY_LABELS = {
    "entry_tolerance_min": ("Entry check within", "minutes after the start"),
    "recheck_mean_interval_min": ("A random re-check every", "minutes on average"),
    "recheck_min_gap_min": ("Never two checks within", "minutes"),
    "answer_deadline_s": ("Time to answer a check", "seconds"),
    "end_check_lead_min": ("End check within the last", "minutes"),
    "verified_at": ("Face similarity that verifies", "of 100"),
    "review_at": ("Face similarity that goes to review", "of 100 (below it fails)"),
    "verified_share_needed_percent": ("Checks verified to attend", "percent"),
    "image_retention_days": ("Pictures kept for", "days"),
    "template_retention_days": ("Face templates kept after last activity", "days"),
    "anchored_enrolment": ("Face enrolment only of the verified identity's person", "yes or no"),
    "identity_required": ("A verified identity needed to join lessons", "yes or no"),
    "liveness_checks": ("Checks that ask for a head turn (liveness)", ""),
    "liveness_answer_s": ("Time to answer a head-turn check", "seconds"),
    "liveness_two_step": ("Head turns to one side, then to the other", "yes or no"),
}
# The words for a choice of the policy; a value without words shows its name in lower case.
CHOICE_WORDS: dict[Enum, str] = {
    LivenessChecks.ENTRY_AND_ONE_RANDOM: "the entry check and one random check per lesson",
    LivenessChecks.ALL: "every check",
    LivenessChecks.NONE: "none",
}


def policy_fields(policy: AttendancePolicy) -> list[dict[str, Any]]:
    """Each field of the policy with its label, unit, default and bounds, for the form.

    A yes-or-no or enum field is a choice: ``choices`` holds (the value posted, the words
    shown), and ``value`` is the posted form of the current value, so a refused form that
    re-shows what was posted selects the same way."""
    fields = []
    for name, info in AttendancePolicy.model_fields.items():
        label, unit = POLICY_LABELS.get(name, (name, ""))
        bounds: dict[str, object] = {"min": None, "max": None, "above": False}
        for rule in info.metadata:
            if isinstance(rule, Ge):
                bounds["min"] = rule.ge
            elif isinstance(rule, Gt):
                bounds["min"], bounds["above"] = rule.gt, True
            elif isinstance(rule, Le):
                bounds["max"] = rule.le
        choices = _choices(info.annotation)
        in_minutes = name.endswith("_min")
        words = {
            "min_words": _bound_words(bounds["min"], minimum=True, in_minutes=in_minutes),
            "max_words": _bound_words(bounds["max"], minimum=False, in_minutes=in_minutes),
        }
        fields.append(
            {
                "name": name,
                "label": label,
                "unit": unit,
                "value": _posted(getattr(policy, name)),
                "default": info.default,
                "default_words": _words_of(choices, info.default),
                "step": "1" if info.annotation is int else "any",
                "choices": choices,
                **bounds,
                **words,
            }
        )
    return fields


def _bound_words(bound: object, *, minimum: bool, in_minutes: bool) -> str:
    """A bound for people: at most two decimals, rounded so that the number shown is itself
    allowed (up for a minimum, down for a maximum); a fraction of a minute also in seconds
    (1/6 minute: "0.17 (10 seconds)", not "0.16666666666666666")."""
    if not isinstance(bound, int | float):
        return ""
    hundredths = bound * 100
    rounded = math.ceil(hundredths - 1e-9) if minimum else math.floor(hundredths + 1e-9)
    shown = f"{rounded / 100:.2f}".rstrip("0").rstrip(".")
    if in_minutes and not math.isclose(rounded, hundredths, abs_tol=1e-9):
        return f"{shown} ({bound * 60:.3g} seconds)"
    return shown


def policy_problems(problems: dict[str, str]) -> dict[str, str]:
    """A refused choice is explained with the words of its choices, not the enum's names."""
    readable = dict(problems)
    for name in problems.keys() & AttendancePolicy.model_fields.keys():
        choices = _choices(AttendancePolicy.model_fields[name].annotation)
        if choices:
            readable[name] = f"Choose one of: {', '.join(words for _, words in choices)}."
    return readable


def _choices(annotation: object) -> list[tuple[str, str]]:
    if annotation is bool:
        return [("yes", "yes"), ("no", "no")]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [(str(member.value), _choice_words(member)) for member in annotation]
    return []


def _words_of(choices: list[tuple[str, str]], value: object) -> str:
    return next((words for posted, words in choices if posted == _posted(value)), "")


def _choice_words(member: Enum) -> str:
    return CHOICE_WORDS.get(member, str(member.value).replace("_", " ").lower())


def _posted(value: object) -> object:
    """A value as the form posts it: yes or no, an enum's value, a whole number without
    ".0" (a saved policy stores 20 seconds as 20.0), any other number exactly as it is."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# What the policy form did, said above it after the redirect (`saved`).
SAVED_NOTICES = {
    "policy": "The policy is saved; it applies to lessons from now on.",
    "defaults": "The policy is back to the defaults; they apply to lessons from now on.",
}
COURSE_SAVED = "The course's name and description are saved."
COURSE_DELETED = "The course is deleted, with its terms, their members and planned lessons."


@router.get("/admin/courses")
async def courses_page(
    request: Request, viewer: StaffViewer, db: DbDep, asked: PageRequestDep, done: str = ""
) -> Response:
    notice = COURSE_DELETED if done == "deleted" else ""
    return await _courses_page(
        request, viewer, db, asked=asked, values={}, problems={}, notice=notice
    )


async def _courses_page(
    request: Request,
    viewer: Viewer,
    db: DbDep,
    *,
    asked: PageRequest = PageRequest(1),
    values: dict[str, str],
    problems: dict[str, str],
    status_code: int = 200,
    notice: str = "",
) -> Response:
    courses = await service.list_visible(
        db=db, caller=viewer.user, limit=asked.fetch, offset=asked.offset
    )
    return render(
        request,
        "admin/courses.html",
        user=viewer.user,
        csrf=viewer.csrf,
        status_code=status_code,
        courses=page_of(courses, asked),
        values=values,
        problems=problems,
        notice=notice,
    )


@router.post("/admin/courses")
async def create_course(
    request: Request, viewer: StaffViewer, db: DbDep, name: Text = "", description: Text = ""
) -> Response:
    values = {"name": name, "description": description}
    try:
        course = await service.create_course(
            db=db, caller=viewer.user, data=parse_form(CourseCreate, values)
        )
    except (FormProblems, DomainError) as error:
        problems = problems_of(error)
        return await _courses_page(
            request, viewer, db, values=values, problems=problems, status_code=422
        )
    return RedirectResponse(f"/admin/courses/{course.id}", status_code=303)


@router.get("/admin/courses/{course_id}")
async def course_page(
    request: Request,
    viewer: StaffViewer,
    course: ManagedCourse,
    db: DbDep,
    asked: PageRequestDep,
    saved: str = "",
) -> Response:
    return await _course_page(
        request, viewer, course, db, asked=asked, problems={}, policy_values=None,
        saved=SAVED_NOTICES.get(saved, ""), about_notice=COURSE_SAVED if saved == "course" else "",
    )  # fmt: skip


async def _course_page(
    request: Request,
    viewer: Viewer,
    course: ManagedCourse,
    db: DbDep,
    *,
    asked: PageRequest = PageRequest(1),
    problems: dict[str, str],
    policy_values: dict[str, str] | None,
    status_code: int = 200,
    saved: str = "",
    about: tuple[dict[str, str], dict[str, str]] | None = None,
    about_notice: str = "",
    delete_problem: str = "",
) -> Response:
    """`about`: what was typed in the name-and-description form and its problems."""
    typed, about_problems = about or ({"name": course.name, "description": course.description}, {})
    terms = await service.list_terms(
        db=db, caller=viewer.user, course=course, limit=asked.fetch, offset=asked.offset
    )
    fields = policy_fields(policies.course_policy(course))
    for field in fields if policy_values else ():
        field["value"] = policy_values.get(field["name"], "") if policy_values else ""
    return render(
        request,
        "admin/course.html",
        user=viewer.user,
        csrf=viewer.csrf,
        status_code=status_code,
        course=course,
        terms=page_of(terms, asked),
        policy_fields=fields,
        custom_policy=course.policy is not None,
        problems=problems,
        saved=saved,
        about_values=typed,
        about_problems=about_problems,
        about_notice=about_notice,
        delete_problem=delete_problem,
    )


@router.post("/admin/courses/{course_id}/terms")
async def create_term(viewer: StaffViewer, course: ManagedCourse, db: DbDep) -> Response:
    term = await service.create_term(db=db, course=course, data=TermCreate())
    return RedirectResponse(f"/admin/terms/{term.id}", status_code=303)


@router.post("/admin/courses/{course_id}/policy")
async def set_policy(
    request: Request, viewer: StaffViewer, course: ManagedCourse, db: DbDep
) -> Response:
    """Saves the whole policy (every field validated as the API does), or resets it."""
    form = await request.form()
    if form.get("reset") == "defaults":
        await policies.set_policy(db=db, course=course, policy=None)
        return RedirectResponse(
            f"/admin/courses/{course.id}?saved=defaults#policy", status_code=303
        )
    values = {name: str(form.get(name, "")).strip() for name in AttendancePolicy.model_fields}
    try:
        policy = parse_form(AttendancePolicy, {k: v for k, v in values.items() if v != ""})
    except FormProblems as error:
        return await _course_page(
            request,
            viewer,
            course,
            db,
            problems=policy_problems(error.problems),
            policy_values=values,
            status_code=422,
        )
    await policies.set_policy(db=db, course=course, policy=policy)
    return RedirectResponse(f"/admin/courses/{course.id}?saved=policy#policy", status_code=303)


@router.post("/admin/courses/{course_id}")
async def edit_course(
    request: Request,
    viewer: StaffViewer,
    course: ManagedCourse,
    db: DbDep,
    name: Text = "",
    description: Text = "",
) -> Response:
    """The name and description, as `PATCH /api/v1/courses/{id}` changes them."""
    values = {"name": name, "description": description}
    try:
        await service.update_course(db=db, course=course, data=parse_form(CourseUpdate, values))
    except (FormProblems, DomainError) as error:
        code = error.status_code if isinstance(error, DomainError) else 422
        return await _course_page(
            request, viewer, course, db, problems={}, policy_values=None,
            about=(values, problems_of(error)), status_code=code,
        )  # fmt: skip
    return RedirectResponse(f"/admin/courses/{course.id}?saved=course#about", status_code=303)


@router.post("/admin/courses/{course_id}/delete")
async def delete_course(
    request: Request, viewer: StaffViewer, course: ManagedCourse, db: DbDep
) -> Response:
    """As `DELETE /api/v1/courses/{id}`: a course whose lessons were given, or that evidence
    names, is kept, and the refusal is said beside the button."""
    try:
        await service.delete_course(db=db, course=course)
    except DomainError as error:
        return await _course_page(
            request, viewer, course, db, problems={}, policy_values=None,
            delete_problem=error.detail, status_code=error.status_code,
        )  # fmt: skip
    return RedirectResponse("/admin/courses?done=deleted", status_code=303)
