"""Lesson import: a parsed spreadsheet checked against the target term, all rows or none."""

import asyncio
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.errors import Unprocessable
from trust_lesson.lessons import repeats
from trust_lesson.lessons.repeats import Plan
from trust_lesson.lessons.service import has_passed, planned_status, possible_instructors
from trust_lesson.lessons.spreadsheet import (
    LessonSheet,
    RowError,
    SpreadsheetRejected,
    check_upload,
    read_sheet,
)
from trust_lesson.models import Course, Lesson, Term, User
from trust_lesson.models.lesson import title_key


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def school_zone(name: str) -> ZoneInfo:
    if name not in _zone_names():
        raise Unprocessable(f'timezone: "{name[:64]}" is not a known time zone such as UTC.')
    return ZoneInfo(name)


async def import_lessons(
    *,
    db: AsyncSession,
    caller: User,
    term: Term,
    content: bytes,
    timezone: str,
    now: datetime,
    past_allowed: bool = False,
) -> list[Lesson]:
    """`past_allowed`: the API's contract (a sheet of the whole term, lessons given included);
    the term page refuses each row whose start has passed, as its form does."""
    zone = school_zone(timezone)
    check_upload(content)
    sheet = await asyncio.to_thread(read_sheet, content, zone)
    course = await db.get_one(Course, term.course_id)
    errors = [*sheet.errors, *_target_errors(sheet, course, term)]
    if not past_allowed:
        errors.extend(_passed_errors(sheet, zone, now))
    planned = await _lessons(db, caller, term, sheet, errors, now)
    plans = [(row, Plan.of(lesson)) for row, lesson in planned]
    errors.extend(await _duplicate_errors(db, plans, zone))
    lessons = [lesson for _, lesson in planned]
    if errors:
        raise SpreadsheetRejected(errors)
    if not lessons:
        raise SpreadsheetRejected([RowError(None, "The sheet has no lessons.")])
    try:
        async with repeats.written(db, [plan for _, plan in plans]):  # checked just above
            db.add_all(lessons)
    except repeats.AlreadyPlanned:  # another import or plan of these lessons was written since
        raise SpreadsheetRejected(await _duplicate_errors(db, plans, zone)) from None
    return lessons


def _same_name(first: str, second: str) -> bool:
    """Names compared as lesson titles are: case and spaces aside."""
    return title_key(first) == title_key(second)


def _target_errors(sheet: LessonSheet, course: Course, term: Term) -> list[RowError]:
    errors = []
    if sheet.course_name is not None and not _same_name(sheet.course_name, course.name):
        message = (
            f'The sheet is for course "{sheet.course_name}", but this term is of "{course.name}".'
        )
        errors.append(RowError(sheet.course_row, message))
    if sheet.term_number is not None and sheet.term_number != term.term_number:
        message = f"The sheet is for term {sheet.term_number}, but this is term {term.term_number}."
        errors.append(RowError(sheet.term_row, message))
    return errors


def _passed_errors(sheet: LessonSheet, zone: ZoneInfo, now: datetime) -> list[RowError]:
    """Rows whose start has passed (`service.has_passed`), in the sheet's time zone."""
    return [
        RowError(
            planned.row,
            f"{planned.start_date.astimezone(zone):%Y-%m-%d %H:%M} has passed"
            f" (it is {now.astimezone(zone):%Y-%m-%d %H:%M} in {zone.key}): plan only lessons"
            " still to come (remove the rows of lessons already given).",
        )
        for planned in sheet.lessons
        if has_passed(planned.start_date, now)
    ]


async def _lessons(
    db: AsyncSession,
    caller: User,
    term: Term,
    sheet: LessonSheet,
    errors: list[RowError],
    now: datetime,
) -> list[tuple[int, Lesson]]:
    """Each row's lesson with its row number; rows whose instructor is unknown become errors.
    The instructor column names a person as teachers do: by username or by email."""
    instructors = await possible_instructors(db=db, caller=caller, term=term)
    named = instructors | {user.email.casefold(): user for user in instructors.values()}
    lessons = []
    for planned in sheet.lessons:
        instructor = (
            caller if planned.instructor is None else named.get(planned.instructor.casefold())
        )
        if instructor is None:
            message = (
                f'Instructor "{planned.instructor}" is not an instructor of this term'
                " (write the username or the email of one, or nothing for yourself)."
            )
            errors.append(RowError(planned.row, message))
            continue
        lessons.append(
            (
                planned.row,
                Lesson(
                    term_id=term.id,
                    instructor_id=instructor.id,
                    title=planned.title,
                    description=planned.description,
                    start_date=planned.start_date,
                    duration_min=planned.duration_min,
                    status=planned_status(planned.start_date, now),
                ),
            )
        )
    return lessons


async def _duplicate_errors(
    db: AsyncSession, plans: Sequence[tuple[int, Plan]], zone: ZoneInfo
) -> list[RowError]:
    """A row repeating an earlier row, or a lesson the term already has, plans nothing twice:
    one rule for both (`repeats`). A sheet imported again after a lesson was given to another
    instructor (or with the column changed) must not plan it a second time; changing a planned
    lesson's instructor is an edit of that lesson."""
    existing = await repeats.planned_in_term(db, [plan for _, plan in plans])
    first_rows: dict[repeats.TitleAndStart, int] = {}
    errors = []
    for row, plan in plans:
        if plan.same in first_rows:
            message = f"Repeats row {first_rows[plan.same]}: the same title and start."
            errors.append(RowError(row, message))
            continue
        first_rows[plan.same] = row
        if plan.same in existing:
            errors.append(RowError(row, repeats.already_planned(plan.title, plan.start, zone)))
    return errors
