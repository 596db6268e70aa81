from datetime import UTC, date, datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, AwareDatetime, Field

from trust_lesson.courses.schemas import NO_NUL
from trust_lesson.models import LessonStatus
from trust_lesson.schemas import Input, Output, RowId

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def in_range(moment: datetime) -> datetime:
    """A planned start the databases can store, in UTC."""
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("must be between 1970 and 2200") from None
    if not EARLIEST <= utc < LATEST:
        raise ValueError("must be between 1970 and 2200")
    return utc


def day_in_range(day: date) -> date:
    """A day of the lessons list, within the years a lesson can be planned in."""
    if not EARLIEST.date() <= day < LATEST.date():
        raise ValueError("must be between 1970 and 2200")
    return day


def https_meeting(url: str) -> str:
    """A video-call address the lesson room may embed: https, a host, no credentials."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError:
        raise ValueError("has a port that is not a number") from None
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError("must be an https:// address")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not hold a user name or password")
    return url


Id = RowId
PlannedStart = Annotated[AwareDatetime, AfterValidator(in_range)]
ListDay = Annotated[date, AfterValidator(day_in_range)]
Title = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
Description = Annotated[str, Field(max_length=10_000, pattern=NO_NUL)]
Minutes = Annotated[int, Field(ge=1, le=1440, description="1 to 1440 minutes")]
MeetingUrl = Annotated[
    str,
    Field(
        max_length=2000,
        pattern=r"^https://\S+$",
        description="the lesson's video call (https only), shown in the lesson room",
    ),
    AfterValidator(https_meeting),
]


class LessonRead(Output):
    id: int
    term_id: int
    instructor_id: int
    title: str
    description: str
    start_date: datetime
    duration_min: int
    status: LessonStatus
    effective_start_date: datetime | None
    effective_duration_min: int | None
    meeting_url: str | None


class LessonCreate(Input):
    term_id: Id
    title: Title
    description: Description = ""
    start_date: PlannedStart
    duration_min: Minutes
    instructor_id: Id | None = Field(default=None, description="default: the caller")
    meeting_url: MeetingUrl | None = None


class LessonUpdate(Input):
    title: Title | None = None
    description: Description | None = None
    start_date: PlannedStart | None = None
    duration_min: Minutes | None = None
    instructor_id: Id | None = None
    meeting_url: MeetingUrl | None = Field(default=None, description="null removes the link")

    @property
    def changes_schedule(self) -> bool:
        return bool(self.model_fields_set & {"start_date", "duration_min", "instructor_id"})


class RowProblem(Output):
    """One problem: a spreadsheet row, or a form field when the upload itself is not valid."""

    row: int | None = Field(
        default=None, description="spreadsheet row as a person sees it (first row = 1)"
    )
    field: str | None = Field(default=None, description="the form field, for a request problem")
    message: str


class ImportRejected(Output):
    """Row problems of the sheet, or (without `errors`) a problem with the request itself."""

    detail: str
    code: str
    errors: list[RowProblem] = []
