"""Lesson spreadsheets in the teachers' layout, generated with openpyxl."""

import io
from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

from openpyxl import Workbook

HEADER = ("Title", "Date", "Time", "Duration", "Instructor (optional)", "Description")
ONE_LESSON = (("Variables", datetime(2026, 3, 10), time(10, 0), 60, None, "Names and values"),)


def lesson_workbook(
    *,
    course: Any = "Learn Python",
    term: Any = 0,
    lessons: Sequence[Sequence[Any]] = ONE_LESSON,
    header: Sequence[str] = HEADER,
    trailing_formulas: int = 0,
) -> bytes:
    """Title row; "Course name:" in E2; "Term number:" in E3; empty row; header in row 5."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet4"
    sheet["A1"] = "Course Lessons"
    sheet["E2"], sheet["F2"] = "Course name:", course
    sheet["E3"], sheet["F3"] = "Term number:", term
    for column, name in enumerate(header, start=1):
        sheet.cell(row=5, column=column, value=name)
    for row, lesson in enumerate(lessons, start=6):
        for column, value in enumerate(lesson, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text as typed, even "=HYPERLINK(...)" (issue 8/5)
    first_empty = 6 + len(lessons)
    for row in range(first_empty, first_empty + trailing_formulas):
        sheet.cell(row=row, column=8, value="=TEXT(C6, )")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
