"""The instructor's lesson pages: lessons by date, a lesson with start/stop and its live roster."""

from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import RedirectResponse, Response

from trust_lesson.attendance import roster, service, timeline
from trust_lesson.attendance.dependencies import staffed_lesson
from trust_lesson.deps import DbDep, NowDep
from trust_lesson.errors import DomainError
from trust_lesson.evidence.dependencies import SchoolKeysDep
from trust_lesson.lessons import service as lessons
from trust_lesson.lessons.dependencies import TaughtLesson
from trust_lesson.lessons.schemas import ListDay
from trust_lesson.models import AttendanceDecision, Lesson, LessonStatus
from trust_lesson.web.dependencies import StaffViewer, Viewer
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
REFRESH_SECONDS = 5
BACKWARDS = "This day comes before the first day: no day lies between them. Choose a later one."
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
) -> Response:
    """Lessons planned from `from` to `to`, both days included (default: -7 to +30 days),
    a page of them at a time."""
    first = start or (now - timedelta(days=7)).date()
    last = end or (now + timedelta(days=30)).date()
    problems = {"to": BACKWARDS} if last < first else {}
    found = await lessons.list_visible(
        db=db,
        caller=viewer.user,
        start=datetime.combine(first, time.min, tzinfo=UTC),
        end=datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC),
        term_id=None,
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
    )


@router.get("/lessons/{lesson_id}")
async def lesson_page(
    request: Request,
    viewer: StaffViewer,
    lesson: PageLesson,
    db: DbDep,
    now: NowDep,
    asked: RosterPage,
) -> Response:
    return await _lesson_page(request, viewer, lesson, db, now, asked)


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
) -> Response:
    """`problem`: why Start or Stop was refused (a second press, another tab), shown above
    the lesson as it now is."""
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
        **await _roster_context(db, lesson, now, asked),
    )


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
