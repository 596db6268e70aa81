"""Lesson import: a parsed spreadsheet checked against the target term, all rows or none."""

import asyncio
import unicodedata
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

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
    lessons = await _lessons(db, caller, term, sheet, errors, now)
    if errors:
        raise SpreadsheetRejected(errors)
    if not lessons:
        raise SpreadsheetRejected([RowError(None, "The sheet has no lessons.")])
    db.add_all(lessons)
    await db.flush()
    return lessons


def _same_name(first: str, second: str) -> bool:
    def normal(name: str) -> str:
        return unicodedata.normalize("NFC", name).strip().casefold()

    return normal(first) == normal(second)


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
) -> list[Lesson]:
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
            Lesson(
                term_id=term.id,
                instructor_id=instructor.id,
                title=planned.title,
                description=planned.description,
                start_date=planned.start_date,
                duration_min=planned.duration_min,
                status=planned_status(planned.start_date, now),
            )
        )
    return lessons
