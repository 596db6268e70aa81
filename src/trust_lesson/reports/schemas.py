"""The term attendance report as the API answers it."""

from datetime import datetime

from pydantic import Field

from trust_lesson.courses.schemas import TermRead
from trust_lesson.models import LessonStatus
from trust_lesson.presence.verdicts import Decision
from trust_lesson.schemas import Output

DecisionCounts = dict[Decision, int]
"""How many current decisions of each kind: every kind named, 0 when none."""


def no_decisions() -> DecisionCounts:
    return dict.fromkeys(Decision, 0)


class ReportCourse(Output):
    id: int
    name: str


class ReportLesson(Output):
    id: int
    title: str
    start_date: datetime = Field(description="the planned start")
    status: LessonStatus
    counts: DecisionCounts = Field(
        description="the students' current decisions of this lesson, by kind (a lesson is "
        "decided when it finishes)"
    )


class LessonDecision(Output):
    lesson_id: int
    decision: Decision


class StudentAttendance(Output):
    user_id: int
    username: str
    full_name: str
    counts: DecisionCounts = Field(description="the student's current decisions, by kind")
    decided: int = Field(description="lessons of the term with a decision about the student")
    attendance_rate: float | None = Field(
        description="ATTENDED of the decided lessons (0 to 1); null when none is decided"
    )
    decisions: list[LessonDecision] = Field(
        description="the current decision of each decided lesson, in the lessons' order"
    )


class TermReport(Output):
    course: ReportCourse
    term: TermRead
    lessons: list[ReportLesson] = Field(description="every lesson of the term, by planned start")
    lessons_finished: int
    counts: DecisionCounts = Field(description="every current decision of the term, by kind")
    students_total: int = Field(
        description="enrolled STUDENT members, and anybody a lesson of the term decided about"
    )
    students: list[StudentAttendance] = Field(description="a page of them (limit, offset)")
