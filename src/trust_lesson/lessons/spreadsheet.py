"""Reads the lesson spreadsheet teachers already use (xlsx), without touching the database.

Layout: a title row; "Course name:" followed by the name; "Term number:" followed by a
non-negative integer; then the header `Title | Date | Time | Duration | Instructor (optional) |
Description` and one lesson per row. Rows are numbered as a person sees them (first row = 1).
"""

import io
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from trust_lesson.errors import PayloadTooLarge, Unprocessable, UnsupportedMediaType

MAX_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_LESSONS = 2_000
MAX_ROWS = 10_000
MAX_COLUMNS = 26
XLSX_MAGIC = b"PK\x03\x04"
HEADER = ("Title", "Date", "Time", "Duration", "Instructor (optional)", "Description")
LESSON_COLUMNS = len(HEADER)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
TIME_FORMATS = ("%H:%M", "%H:%M:%S")


@dataclass(frozen=True)
class RowError:
    row: int | None
    message: str


@dataclass(frozen=True)
class PlannedLesson:
    row: int
    title: str
    start_date: datetime
    duration_min: int
    instructor: str | None
    description: str


@dataclass
class LessonSheet:
    course_name: str | None = None
    term_number: int | None = None
    lessons: list[PlannedLesson] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    course_row: int | None = None
    term_row: int | None = None


class SpreadsheetRejected(Unprocessable):
    """422 with every problem found, each naming its spreadsheet row."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        count = len(errors)
        super().__init__(
            f"The spreadsheet has {count} problem{'s' if count != 1 else ''}; nothing was imported."
        )
        self.errors = sorted(errors, key=lambda e: e.row or 0)

    def body(self) -> dict[str, Any]:
        rows = [{"row": e.row, "message": e.message} for e in self.errors]
        return {**super().body(), "errors": rows}


class CellProblem(ValueError):
    pass


def check_upload(content: bytes) -> None:
    """Size, then type by content (a zip container), then the unpacked size (zip bombs)."""
    if len(content) > MAX_BYTES:
        raise PayloadTooLarge(f"The spreadsheet is larger than {MAX_BYTES // 1024 // 1024} MB.")
    if not content.startswith(XLSX_MAGIC):
        raise UnsupportedMediaType("Upload an Excel workbook (.xlsx).")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile:
        raise UnsupportedMediaType("Upload an Excel workbook (.xlsx).") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise PayloadTooLarge("The spreadsheet unpacks to more data than allowed.")
    _check_expansion(content)


# openpyxl reads styles, shared strings and the other parts whole, whatever they are named
# (issue 8/5: a 16 KiB file with 2 million <xf/> styles took 35 s and 1.2 GiB). Every XML part
# may hold at most what a full sheet of MAX_ROWS x MAX_COLUMNS cells needs, counted streaming.
ELEMENT_BUDGET = 2 * (MAX_ROWS + 1) * (MAX_COLUMNS + 1)


def _check_expansion(content: bytes) -> None:
    """Count the elements of every XML part, streaming, stopping at the budget."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for part in archive.namelist():
            if part.endswith((".xml", ".rels")) and _more_elements_than(
                archive, part, ELEMENT_BUDGET
            ):
                raise Unprocessable(
                    f"The workbook's {part} holds more than {ELEMENT_BUDGET} entries, far more "
                    "than a lesson plan needs; save the sheet again as a plain workbook."
                )


def _more_elements_than(archive: zipfile.ZipFile, part: str, budget: int) -> bool:
    """Tags ("<") counted in 1 MiB chunks of the inflated part: C speed, no XML parsing yet.

    A start and an end tag per element (an empty one has one): the count errs towards refusing.
    """
    marks = 0
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            marks += chunk.count(b"<")
            if marks > 2 * budget:
                return True
    return False


def read_sheet(content: bytes, zone: ZoneInfo) -> LessonSheet:
    return parse_rows(_rows(content), zone)


def _rows(content: bytes) -> list[tuple[Any, ...]]:
    """The active sheet's cell values, at most MAX_ROWS + 1 rows of MAX_COLUMNS columns."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # malformed parts raise many kinds of errors; all mean "not readable"
        raise Unprocessable("The file is not a readable Excel workbook (.xlsx).") from None
    try:
        sheet = workbook.active
        if sheet is None:
            raise Unprocessable("The workbook has no sheet.")
        rows = sheet.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS, values_only=True)
        return [tuple(row) for row in rows]
    except Unprocessable:
        raise
    except Exception:
        raise Unprocessable("The file is not a readable Excel workbook (.xlsx).") from None
    finally:
        workbook.close()


def parse_rows(rows: Sequence[tuple[Any, ...]], zone: ZoneInfo) -> LessonSheet:
    sheet = LessonSheet()
    if len(rows) > MAX_ROWS:
        sheet.errors.append(RowError(None, f"The sheet has more than {MAX_ROWS} rows."))
        return sheet
    header_row = _read_preamble(rows, sheet)
    if header_row is None:
        sheet.errors.append(RowError(None, f"No header row {' | '.join(HEADER)} was found."))
        return sheet
    _require_labels(sheet)
    header_problems = _header_errors(header_row, rows[header_row - 1])
    if header_problems:
        sheet.errors.extend(header_problems)
        return sheet
    _read_lessons(rows, header_row, zone, sheet)
    return sheet


def _label(value: Any) -> str:
    return _text(value).rstrip(":").strip().casefold() if isinstance(value, str) else ""


def _read_preamble(rows: Sequence[tuple[Any, ...]], sheet: LessonSheet) -> int | None:
    """Reads the course name and term number; returns the header's row number."""
    for number, values in enumerate(rows, start=1):
        labels = [_label(value) for value in values]
        if _looks_like_header(labels[:LESSON_COLUMNS]):
            return number
        for column, label in enumerate(labels):
            following = values[column + 1] if column + 1 < len(values) else None
            if label == "course name":
                sheet.course_row, sheet.course_name = number, _text(following) or None
            elif label == "term number":
                sheet.term_row = number
                sheet.term_number = _term_number(following, number, sheet)
    return None


def _looks_like_header(labels: Sequence[str]) -> bool:
    known = {name.casefold() for name in HEADER} | {"instructor"}
    return sum(label in known for label in labels) >= 2


def _term_number(value: Any, row: int, sheet: LessonSheet) -> int | None:
    if _text(value) == "":
        return None
    try:
        number = _whole_number(value)
    except CellProblem:
        number = -1
    if number < 0:
        sheet.errors.append(RowError(row, f'Term number "{_text(value)}" is not a whole number.'))
        return None
    return number


def _require_labels(sheet: LessonSheet) -> None:
    if sheet.course_row is None:
        sheet.errors.append(RowError(None, 'No "Course name:" cell was found above the header.'))
    elif sheet.course_name is None:
        sheet.errors.append(RowError(sheet.course_row, "Course name is empty."))
    if sheet.term_row is None:
        sheet.errors.append(RowError(None, 'No "Term number:" cell was found above the header.'))
    elif sheet.term_number is None and not any(e.row == sheet.term_row for e in sheet.errors):
        sheet.errors.append(RowError(sheet.term_row, "Term number is empty."))


def _header_errors(row: int, values: tuple[Any, ...]) -> list[RowError]:
    errors = []
    for column, expected in enumerate(HEADER):
        found = _text(values[column]) if column < len(values) else ""
        accepted = {expected.casefold(), expected.split(" (")[0].casefold()}
        if found.casefold() not in accepted:
            letter = chr(ord("A") + column)
            shown = f'"{found}"' if found else "nothing"
            message = f'The header row has no "{expected}" in column {letter} (found {shown}).'
            errors.append(RowError(row, message))
    return errors


def _read_lessons(
    rows: Sequence[tuple[Any, ...]], header_row: int, zone: ZoneInfo, sheet: LessonSheet
) -> None:
    for number, values in _lesson_rows(rows, header_row):
        if len(sheet.lessons) + len(sheet.errors) >= MAX_LESSONS:
            sheet.errors.append(
                RowError(number, f"A sheet may hold at most {MAX_LESSONS} lessons.")
            )
            return
        try:
            sheet.lessons.append(_lesson(number, values, zone))
        except CellProblem as problem:
            sheet.errors.append(RowError(number, str(problem)))


def _lesson_rows(
    rows: Sequence[tuple[Any, ...]], header_row: int
) -> Iterable[tuple[int, tuple[Any, ...]]]:
    """Rows after the header with anything in columns A-F (stray cells further right ignored)."""
    for number, values in enumerate(rows[header_row:], start=header_row + 1):
        cells = (tuple(values) + (None,) * LESSON_COLUMNS)[:LESSON_COLUMNS]
        if any(_text(cell) for cell in cells):
            yield number, cells


def _lesson(row: int, cells: tuple[Any, ...], zone: ZoneInfo) -> PlannedLesson:
    title_cell, date_cell, time_cell, duration_cell, instructor_cell, description_cell = cells
    problems = []
    title = _text(title_cell)
    if not title or len(title) > 200:
        problems.append("Title must have 1 to 200 characters.")
    parsed: dict[str, Any] = {}
    for name, parser, cell in (
        ("date", _date, date_cell),
        ("time", _time, time_cell),
        ("duration", _duration, duration_cell),
    ):
        try:
            parsed[name] = parser(cell)
        except CellProblem as problem:
            problems.append(str(problem))
    if problems:
        raise CellProblem(" ".join(problems))
    start = datetime.combine(parsed["date"], parsed["time"], tzinfo=zone).astimezone(UTC)
    return PlannedLesson(
        row=row,
        title=title,
        start_date=start,
        duration_min=parsed["duration"],
        instructor=_text(instructor_cell) or None,
        description=_text(description_cell)[:10_000],
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value)).strip()


def _date(value: Any) -> date:
    day = _any_date(value)
    if not 1970 <= day.year < 2200:
        raise CellProblem(f"Date {day.isoformat()} must be between 1970 and 2200.")
    return day


def _any_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        raise CellProblem("Date is empty.")
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellProblem(f'Date "{text}" is not a date (write 2026-03-02 or 02/03/2026).')


def _time(value: Any) -> time:
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    if isinstance(value, timedelta) and timedelta(0) <= value < timedelta(days=1):
        return (datetime.min + value).time()
    text = _text(value)
    if not text:
        raise CellProblem("Time is empty.")
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    raise CellProblem(f'Time "{text}" is not a time of day (write 14:30).')


def _duration(value: Any) -> int:
    text = _text(value)
    if not text:
        raise CellProblem("Duration is empty.")
    try:
        minutes = _whole_number(value)
    except CellProblem:
        raise CellProblem(f'Duration "{text}" is not a number of minutes.') from None
    if not 1 <= minutes <= 1440:
        raise CellProblem(f"Duration {minutes} must be between 1 and 1440 minutes.")
    return minutes


def _whole_number(value: Any) -> int:
    if isinstance(value, bool):
        raise CellProblem("not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value)
    if text.isdigit() and len(text) < 10:
        return int(text)
    raise CellProblem("not a number")
