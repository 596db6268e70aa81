"""The term attendance report as a CSV file: one row per student, one column per lesson.

Written through `trust_lesson.tables`, the one home of spreadsheet output, so a name or a
lesson title that starts like a formula reaches the spreadsheet as text (CSV injection).
"""

import re
import unicodedata

from trust_lesson import tables
from trust_lesson.presence.verdicts import Decision
from trust_lesson.reports.schemas import ReportLesson, StudentAttendance, TermReport

TOTALS = tuple(decision.value.replace("_", " ").capitalize() for decision in Decision)
HEADER_START = ("User id", "Username", "Name")
HEADER_END = (*TOTALS, "Decided lessons", "Attendance rate (%)")


def report_csv(report: TermReport) -> bytes:
    header = [*HEADER_START, *(lesson_heading(lesson) for lesson in report.lessons), *HEADER_END]
    rows = [_row(student, report.lessons) for student in report.students]
    return tables.csv_bytes(header, rows)


def lesson_heading(lesson: ReportLesson) -> str:
    """The title and the planned start: two lessons of a term may share a title."""
    return f"{lesson.title} ({lesson.start_date:%Y-%m-%d %H:%M} UTC)"


def _row(student: StudentAttendance, lessons: list[ReportLesson]) -> list[tables.Cell]:
    decided = {entry.lesson_id: entry.decision.value for entry in student.decisions}
    rate = student.attendance_rate
    return [
        student.user_id,
        student.username,
        student.full_name,
        *(decided.get(lesson.id) for lesson in lessons),
        *(student.counts[decision] for decision in Decision),
        student.decided,
        None if rate is None else round(rate * 100, 1),
    ]


def csv_name(report: TermReport) -> str:
    """`attendance-learn-python-term-0.csv`: the course's name in plain ASCII letters."""
    plain = unicodedata.normalize("NFKD", report.course.name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60].strip("-") or "course"
    return f"attendance-{slug}-term-{report.term.term_number}.csv"
