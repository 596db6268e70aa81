"""API shapes of identity records, verifications and reviews (names from issue 10)."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from trust_lesson.courses.schemas import NO_NUL
from trust_lesson.models import DocumentType, VerificationStatus
from trust_lesson.schemas import Input, Output

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2200, 12, 31)


def _plausible(day: date | None) -> date | None:
    if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(f"a date between {EARLIEST_DATE} and {LATEST_DATE}")
    return day


Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
DocumentNumber = Annotated[str, Field(min_length=1, max_length=64, pattern=NO_NUL)]
DocumentDate = Annotated[date | None, AfterValidator(_plausible)]
Country = Annotated[str, Field(pattern=r"^[A-Za-z]{1,3}$")]
COUNTRY_CODE = (
    "the country code the document prints: three letters (ISO 3166 alpha-3, e.g. FRA) "
    "or ICAO's shorter code (e.g. D)"
)


class IdentityRecordWrite(Input):
    """The whole record (PUT replaces it; the earlier version stays in the history)."""

    document_number: DocumentNumber
    document_type: DocumentType
    full_name: Name
    parent_full_name: Name
    birth_date: DocumentDate = None
    issue_date: DocumentDate = None
    expiry_date: DocumentDate = None
    issuing_authority: Annotated[str | None, Field(max_length=200, pattern=NO_NUL)] = None
    country: Annotated[Country | None, Field(description=COUNTRY_CODE)] = None
    region: Annotated[str | None, Field(max_length=100, pattern=NO_NUL)] = None


class IdentityRecordRead(Output):
    user_id: int
    document_number: str
    document_type: DocumentType
    full_name: str
    parent_full_name: str
    birth_date: date | None
    issue_date: date | None
    expiry_date: date | None
    issuing_authority: str | None
    country: str | None
    region: str | None
    changed_at: datetime
    changed_by_id: int | None
    versions: int = Field(description="how many versions the record has had (all are kept)")
    verified: bool = Field(description="a verification of this person has passed")


class VerificationAccepted(Output):
    id: int
    status: VerificationStatus = VerificationStatus.PENDING


class FieldRead(Output):
    """One field of the record against the document."""

    field: str
    record_value: str | None
    document_value: str | None
    source: Literal["MRZ", "PRINTED"] | None
    confidence: float
    status: Literal["MATCH", "MISMATCH", "NOT_FOUND"]


class ReviewRead(Output):
    decision: VerificationStatus
    reason: str
    reviewer_id: int | None
    created_at: datetime


class VerificationRead(Output):
    id: int
    user_id: int
    status: VerificationStatus
    machine_status: VerificationStatus | None
    reasons: list[str]
    fields: list[FieldRead]
    not_match_fields: list[str]
    not_found_fields: list[str]
    portrait_similarity: float | None
    has_document_back: bool
    created_at: datetime
    analyzed_at: datetime | None
    decided_at: datetime | None
    reviews: list[ReviewRead] = []


class ReviewDecision(Input):
    decision: Literal["VERIFIED", "REJECTED"]
    reason: Annotated[str, Field(min_length=1, max_length=2000, pattern=NO_NUL)]
