"""Lesson import: a parsed spreadsheet checked against the target term, all rows or none."""

import asyncio
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.errors import Unprocessable
from trust_lesson.lessons.service import planned_status, possible_instructors
from trust_lesson.lessons.spreadsheet import (
    LessonSheet,
    RowError,
    SpreadsheetRejected,
    check_upload,
    read_sheet,
)
from trust_lesson.models import Course, Lesson, Term, User


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
) -> list[Lesson]:
    zone = school_zone(timezone)
    check_upload(content)
    sheet = await asyncio.to_thread(read_sheet, content, zone)
    course = await db.get_one(Course, term.course_id)
    errors = [*sheet.errors, *_target_errors(sheet, course, term)]
    planned = await _lessons(db, caller, term, sheet, errors, now)
    errors.extend(await _duplicate_errors(db, term, planned, zone))
    lessons = [lesson for _, lesson in planned]
    if errors:
        raise SpreadsheetRejected(errors)
    if not lessons:
        raise SpreadsheetRejected([RowError(None, "The sheet has no lessons.")])
    db.add_all(lessons)
    await db.flush()
    return lessons


def _normal(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def _same_name(first: str, second: str) -> bool:
    return _normal(first) == _normal(second)


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


async def _lessons(
    db: AsyncSession,
    caller: User,
    term: Term,
    sheet: LessonSheet,
    errors: list[RowError],
    now: datetime,
) -> list[tuple[int, Lesson]]:
    """Each row's lesson with its row number; rows whose instructor is unknown become errors."""
    instructors = await possible_instructors(db=db, caller=caller, term=term)
    lessons = []
    for planned in sheet.lessons:
        instructor = (
            caller if planned.instructor is None else instructors.get(planned.instructor.casefold())
        )
        if instructor is None:
            message = f'Instructor "{planned.instructor}" is not an instructor of this term.'
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
    db: AsyncSession, term: Term, planned: Sequence[tuple[int, Lesson]], zone: ZoneInfo
) -> list[RowError]:
    """A row repeating an earlier row, or a lesson the term already has, plans nothing twice.

    One rule for both: the same title (case and spaces aside) at the same start is one lesson,
    whoever teaches it. Every student of the term is expected at each of its lessons, so two
    lessons of one title at one time would be one lesson counted twice; a sheet imported again
    after a lesson was given to another instructor (or with the column changed) must not plan
    it a second time. Changing a planned lesson's instructor is an edit of that lesson.
    """
    existing = await _planned_in_term(db, term, [lesson for _, lesson in planned])
    first_rows: dict[tuple[str, datetime], int] = {}
    errors = []
    for row, lesson in planned:
        same = (_normal(lesson.title), lesson.start_date)
        if same in first_rows:
            message = f"Repeats row {first_rows[same]}: the same title and start."
            errors.append(RowError(row, message))
            continue
        first_rows[same] = row
        if same in existing:
            start = lesson.start_date.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            message = f'The lesson "{lesson.title}" at {start} is already planned in this term.'
            errors.append(RowError(row, message))
    return errors


async def _planned_in_term(
    db: AsyncSession, term: Term, lessons: Sequence[Lesson]
) -> set[tuple[str, datetime]]:
    """Normalised title and start of the term's lessons between the sheet's first and last start."""
    if not lessons:
        return set()
    starts = [lesson.start_date for lesson in lessons]
    query = select(Lesson.title, Lesson.start_date).where(
        Lesson.term_id == term.id,
        Lesson.start_date >= min(starts),
        Lesson.start_date <= max(starts),
    )
    return {(_normal(title), start) for title, start in (await db.execute(query)).all()}
