"""The instructor's lesson pages: lessons by date, a lesson with start/stop and its live roster,
its change and its deletion (what PATCH and DELETE /api/v1/lessons/{id} do, by the same rules)."""

from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from trust_lesson.attendance import roster, service, timeline
from trust_lesson.attendance.dependencies import staffed_lesson
from trust_lesson.deps import DbDep, NowDep
from trust_lesson.errors import DomainError
from trust_lesson.evidence.dependencies import SchoolKeysDep
from trust_lesson.lessons import service as lessons
from trust_lesson.lessons.dependencies import ManagedLesson, TaughtLesson
from trust_lesson.lessons.schemas import LessonUpdate, ListDay
from trust_lesson.models import AttendanceDecision, Lesson, LessonStatus, Term, User
from trust_lesson.web.browser_session import seal, seal_matches
from trust_lesson.web.dependencies import StaffViewer, Viewer
from trust_lesson.web.forms import FormProblems, parse_form, problems_of
from trust_lesson.web.paging import (
    ROWS_PER_PAGE,
    PageRequest,
    PageRequestDep,
    page_of,
    page_request_named,
)
from trust_lesson.web.templating import render

router = APIRouter(include_in_schema=False)
PageLesson = Annotated[Lesson, Depends(staffed_lesson)]
RosterPage = Annotated[PageRequest, Depends(page_request_named("roster_page"))]
"""The roster and the decision history come a page of students at a time."""
Text = Annotated[str, Form(max_length=10_000)]
Changeable = Annotated[str | None, Form(max_length=10_000)]
"""A field of the change form that only a lesson not yet given shows (None: not sent)."""
REFRESH_SECONDS = 5
BACKWARDS = "This day comes before the first day: no day lies between them. Choose a later one."
CHANGE_NOTICES = {"changed": "The lesson is changed.", "unchanged": "Nothing changed."}
"""What the change form did, said above the lesson after the redirect (`done`)."""
DECISIONS_PER_STUDENT = 100
"""The most decisions of one student a history page fetches (each review adds one)."""


@router.get("/lessons")
async def lesson_list(
    request: Request,
    viewer: StaffViewer,
    db: DbDep,
    now: NowDep,
    asked: PageRequestDep,
    start: Annotated[ListDay | None, Query(alias="from")] = None,
    end: Annotated[ListDay | None, Query(alias="to")] = None,
    deleted: Annotated[str, Query(max_length=1_000)] = "",
    sealed: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """Lessons planned from `from` to `to`, both days included (default: -7 to +30 days),
    a page of them at a time, each with its course and term. `deleted` and its `sealed`: the
    notice naming the lesson this session just deleted (`seal`)."""
    first = start or (now - timedelta(days=7)).date()
    last = end or (now + timedelta(days=30)).date()
    problems = {"to": BACKWARDS} if last < first else {}
    found = await lessons.list_visible_with_terms(
        db=db,
        caller=viewer.user,
        start=datetime.combine(first, time.min, tzinfo=UTC),
        end=datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC),
        limit=asked.fetch,
        offset=asked.offset,
    )
    return render(
        request,
        "lessons/list.html",
        user=viewer.user,
        csrf=viewer.csrf,
        lessons=page_of(found, asked),
        first=first,
        last=last,
        problems=problems,
        dates=urlencode({"from": first.isoformat(), "to": last.isoformat()}),
        notice=deleted if seal_matches(viewer.csrf, sealed, "deleted", deleted) else "",
    )


@router.get("/lessons/{lesson_id}")
async def lesson_page(
    request: Request,
    viewer: StaffViewer,
    lesson: PageLesson,
    db: DbDep,
    now: NowDep,
    asked: RosterPage,
    done: str = "",
) -> Response:
    notice = CHANGE_NOTICES.get(done, "")
    return await _lesson_page(request, viewer, lesson, db, now, asked, notice=notice)


async def _lesson_page(
    request: Request,
    viewer: Viewer,
    lesson: Lesson,
    db: DbDep,
    now: datetime,
    asked: PageRequest = PageRequest(1),
    *,
    problem: str = "",
    status_code: int = 200,
    notice: str = "",
    typed: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
) -> Response:
    """`problem`: why Start, Stop or Delete was refused (a second press, another tab), shown
    above the lesson as it now is; `typed` and `problems`: a refused change, shown again."""
    return render(
        request,
        "lessons/lesson.html",
        user=viewer.user,
        csrf=viewer.csrf,
        status_code=status_code,
        lesson=lesson,
        teaches=lessons.teaches(viewer.user, lesson),
        refresh=REFRESH_SECONDS,
        problem=problem,
        notice=notice,
        **await _change_context(db, viewer, lesson, typed, problems or {}),
        **await _roster_context(db, lesson, now, asked),
    )


async def _change_context(
    db: DbDep,
    viewer: Viewer,
    lesson: Lesson,
    typed: dict[str, str] | None,
    problems: dict[str, str],
) -> dict[str, Any]:
    """The change form: what was typed, or the lesson as it is; its start, length and
    instructor only while it may still move (not yet given), and then who may teach it."""
    movable = lesson.status in lessons.STARTABLE
    instructors: list[User] = []
    if movable:
        term = await db.get_one(Term, lesson.term_id)
        allowed = await lessons.possible_instructors(db=db, caller=viewer.user, term=term)
        people = {user.id: user for user in allowed.values()}
        if lesson.instructor_id not in people:  # no longer one who may teach: kept, shown
            people[lesson.instructor_id] = await db.get_one(User, lesson.instructor_id)
        instructors = sorted(people.values(), key=lambda user: user.full_name.casefold())
    return {
        "movable": movable,
        "instructors": instructors,
        "values": typed if typed is not None else _as_typed(lesson),
        "problems": problems,
    }


def _as_typed(lesson: Lesson) -> dict[str, str]:
    """The lesson as its change form shows it (the start as a datetime-local input takes it)."""
    return {
        "title": lesson.title,
        "start_date": f"{lesson.start_date.astimezone(UTC):%Y-%m-%dT%H:%M}",
        "duration_min": str(lesson.duration_min),
        "instructor_id": str(lesson.instructor_id),
        "description": lesson.description,
        "meeting_url": lesson.meeting_url or "",
    }


@router.get("/lessons/{lesson_id}/roster")
async def roster_partial(
    request: Request,
    viewer: StaffViewer,
    lesson: PageLesson,
    db: DbDep,
    now: NowDep,
    asked: RosterPage,
) -> Response:
    """The roster alone: what the lesson page fetches again every few seconds (its page)."""
    return render(
        request,
        "lessons/roster.html",
        lesson=lesson,
        **await _roster_context(db, lesson, now, asked),
    )


async def _roster_context(
    db: DbDep, lesson: Lesson, now: datetime, asked: PageRequest
) -> dict[str, Any]:
    fetched = await roster.roster_rows(
        db=db, lesson=lesson, now=now, limit=asked.fetch, offset=asked.offset
    )
    students = page_of(fetched, asked)
    rows = students.rows
    decisions: dict[int, AttendanceDecision] = {}
    if lesson.status is LessonStatus.FINISHED:
        current = await service.list_decisions(
            db=db, lesson=lesson, user_id=None, history=False, limit=ROWS_PER_PAGE, offset=0,
            among=[row.entry.user_id for row in rows],
        )  # fmt: skip
        decisions = {decision.user_id: decision for decision in current}
    return {
        "rows": rows,
        "students": students,
        "students_total": await roster.count_students(db=db, lesson=lesson),
        "marks": {
            row.entry.user_id: timeline.marks(row.checks, lesson=lesson, now=now) for row in rows
        },
        "decisions": decisions,
        "now": now,
    }


@router.get("/lessons/{lesson_id}/history")
async def decision_history(
    request: Request,
    viewer: StaffViewer,
    lesson: PageLesson,
    db: DbDep,
    now: NowDep,
    asked: RosterPage,
) -> Response:
    """Every decision of the lesson, automatic and by reviewers, oldest first per student, for
    a page of the roster's students at a time."""
    fetched = await roster.roster_rows(
        db=db, lesson=lesson, now=now, limit=asked.fetch, offset=asked.offset
    )
    students = page_of(fetched, asked)
    names = {row.entry.user_id: row.entry.full_name for row in students.rows}
    every = await service.list_decisions(
        db=db, lesson=lesson, user_id=None, history=True, offset=0,
        limit=DECISIONS_PER_STUDENT * ROWS_PER_PAGE, among=list(names),
    )  # fmt: skip
    return render(
        request,
        "lessons/history.html",
        user=viewer.user,
        csrf=viewer.csrf,
        lesson=lesson,
        decisions=every,
        names=names,
        students=students,
    )


@router.post("/lessons/{lesson_id}/start")
async def start(
    request: Request, viewer: StaffViewer, lesson: TaughtLesson, db: DbDep, now: NowDep
) -> Response:
    try:
        await lessons.start(db=db, lesson=lesson, now=now)
    except DomainError as error:
        return await _lesson_page(
            request, viewer, lesson, db, now, problem=error.detail, status_code=error.status_code
        )
    return RedirectResponse(f"/lessons/{lesson.id}", status_code=303)


@router.post("/lessons/{lesson_id}/stop")
async def stop(
    request: Request,
    viewer: StaffViewer,
    lesson: TaughtLesson,
    db: DbDep,
    now: NowDep,
    keys: SchoolKeysDep,
) -> Response:
    try:
        await lessons.stop(db=db, lesson=lesson, now=now, keys=keys)
    except DomainError as error:
        return await _lesson_page(
            request, viewer, lesson, db, now, problem=error.detail, status_code=error.status_code
        )
    return RedirectResponse(f"/lessons/{lesson.id}", status_code=303)


@router.post("/lessons/{lesson_id}/edit")
async def change_lesson(
    request: Request,
    viewer: StaffViewer,
    lesson: ManagedLesson,
    db: DbDep,
    now: NowDep,
    title: Text = "",
    description: Text = "",
    meeting_url: Text = "",
    start_date: Changeable = None,
    duration_min: Changeable = None,
    instructor_id: Changeable = None,
) -> Response:
    """What `PATCH /api/v1/lessons/{id}` does, with the fields that differ from the lesson; a
    start that has passed is refused, as the term page's form refuses it. `start_date` from a
    datetime-local input, read as UTC (the form says so)."""
    typed: dict[str, str | None] = {
        "title": title,
        "description": description,
        "meeting_url": meeting_url,
        "start_date": start_date,
        "duration_min": duration_min,
        "instructor_id": instructor_id,
    }
    changes = _changes(lesson, typed)
    shown = _as_typed(lesson) | {name: value for name, value in typed.items() if value is not None}
    if not changes:
        return RedirectResponse(f"/lessons/{lesson.id}?done=unchanged#notice", status_code=303)
    try:
        data = parse_form(LessonUpdate, changes)
        await lessons.update_lesson(db=db, caller=viewer.user, lesson=lesson, data=data, now=now)
    except (FormProblems, DomainError) as error:
        await db.refresh(lesson)  # as it is, not as the refused change left it in memory
        return await _lesson_page(
            request, viewer, lesson, db, now, typed=shown, problems=problems_of(error),
            status_code=error.status_code if isinstance(error, DomainError) else 422,
        )  # fmt: skip
    return RedirectResponse(f"/lessons/{lesson.id}?done=changed#notice", status_code=303)


def _changes(lesson: Lesson, typed: Mapping[str, str | None]) -> dict[str, object]:
    """The fields sent that differ from the lesson, as `LessonUpdate` reads them: a field left
    as shown changes nothing, so a lesson already given keeps its schedule untouched."""
    shown = _as_typed(lesson)
    changes: dict[str, object] = {
        name: value for name, value in typed.items() if value is not None and value != shown[name]
    }
    if "start_date" in changes:
        start = str(changes["start_date"])
        changes["start_date"] = f"{start}:00+00:00" if len(start) == 16 else start
    if changes.get("meeting_url") == "":
        changes["meeting_url"] = None  # an emptied field removes the link
    return changes


@router.post("/lessons/{lesson_id}/delete")
async def delete_lesson(
    request: Request, viewer: StaffViewer, lesson: ManagedLesson, db: DbDep, now: NowDep
) -> Response:
    """What `DELETE /api/v1/lessons/{id}` does; a refusal (the lesson was given, or keeps
    evidence) is said on the lesson's page. Then the lessons list, with a notice naming it."""
    when = f"{lesson.start_date.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    named = f'The lesson "{lesson.title}" planned {when} is deleted.'
    try:
        await lessons.delete(db=db, lesson=lesson)
    except DomainError as error:
        return await _lesson_page(
            request, viewer, lesson, db, now, problem=error.detail, status_code=error.status_code
        )
    query = urlencode({"deleted": named, "sealed": seal(viewer.csrf, "deleted", named)})
    return RedirectResponse(f"/lessons?{query}#notice", status_code=303)
