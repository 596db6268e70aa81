from datetime import date
from typing import Annotated

from pydantic import EmailStr, Field, ValidationInfo, field_validator, model_validator

from trust_lesson.models import MemberRole, TermStatus
from trust_lesson.schemas import Input, Output, RowId

NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL characters

CourseName = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
END_BEFORE_START = "must not be before the start date."
Description = Annotated[str, Field(max_length=10_000, pattern=NO_NUL)]


class CourseRead(Output):
    id: int
    name: str
    description: str
    terms_count: int
    created_by_id: int | None


class CourseCreate(Input):
    name: CourseName
    description: Description = ""


class CourseUpdate(Input):
    name: CourseName | None = None
    description: Description | None = None


class TermRead(Output):
    id: int
    course_id: int
    term_number: int
    status: TermStatus
    start_date: date | None
    end_date: date | None


class _TermDates(Input):
    start_date: date | None = None
    end_date: date | None = None

    @field_validator("end_date")
    @classmethod
    def _ends_after_it_starts(cls, end: date | None, info: ValidationInfo) -> date | None:
        """Said of `end_date` (beside that field on a page), as the service says it."""
        start = info.data.get("start_date")
        if start and end and end < start:
            raise ValueError(END_BEFORE_START)
        return end


class TermCreate(_TermDates):
    status: TermStatus = TermStatus.WAITING


class TermUpdate(_TermDates):
    status: TermStatus | None = None


class MemberRead(Output):
    term_id: int
    user_id: int
    role: MemberRole
    username: str
    full_name: str


class MemberUpdate(Input):
    role: MemberRole


class MemberCreate(Input):
    """Who to enrol: by `email` (anyone with an account), or by `user_id` only for an account
    the caller may already see (admins: any; instructors: people of the courses they manage)."""

    email: EmailStr | None = Field(default=None, max_length=254)
    user_id: RowId | None = None
    role: MemberRole = MemberRole.STUDENT

    @model_validator(mode="after")
    def _one_way_to_name_the_person(self) -> "MemberCreate":
        if (self.email is None) == (self.user_id is None):
            raise ValueError("give either email or user_id (exactly one)")
        return self
