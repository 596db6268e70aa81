"""What the evidence pages show: the log's state for the administrator, the certificates a
student may download, and what the school knows of a credential id (the QR code's address)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.attendance.service import is_newest
from trust_lesson.courses.scopes import student_of_term
from trust_lesson.evidence import log
from trust_lesson.models import (
    AttendanceDecision,
    Course,
    EvidenceCheckpoint,
    EvidenceLogHead,
    EvidenceVerification,
    IssuedCertificate,
    Lesson,
    Term,
)


@dataclass(frozen=True)
class LogStatus:
    size: int
    checkpoint: EvidenceCheckpoint | None
    verification: EvidenceVerification | None
    issued: int
    revoked: int


async def log_status(db: AsyncSession) -> LogStatus:
    counts = select(func.count(IssuedCertificate.id), func.count(IssuedCertificate.revoked_at))
    issued, revoked = (await db.execute(counts)).one()
    newest_run = select(EvidenceVerification).order_by(EvidenceVerification.id.desc()).limit(1)
    return LogStatus(
        size=await db.scalar(select(EvidenceLogHead.size)) or 0,
        checkpoint=await log.latest_checkpoint(db),
        verification=(await db.scalars(newest_run)).first(),
        issued=issued,
        revoked=revoked,
    )


@dataclass(frozen=True)
class TermRow:
    term: Term
    course: Course
    decided: list[tuple[Lesson, AttendanceDecision]]


async def own_certificates(db: AsyncSession, *, student_id: int) -> list[TermRow]:
    """The student's terms, newest first, each with its decided lessons in date order."""
    terms = await db.execute(
        select(Term, Course)
        .join(Course, Course.id == Term.course_id)
        .where(student_of_term(student_id, Term.id))
        .order_by(Term.id.desc())
    )
    rows = {term.id: TermRow(term, course, []) for term, course in terms}
    decided = await db.execute(
        select(Lesson, AttendanceDecision)
        .join(AttendanceDecision, AttendanceDecision.lesson_id == Lesson.id)
        .where(
            AttendanceDecision.user_id == student_id,
            Lesson.term_id.in_(list(rows)),
            is_newest(),
        )
        .order_by(Lesson.start_date, Lesson.id)
    )
    for lesson, decision in decided:
        rows[lesson.term_id].decided.append((lesson, decision))
    return list(rows.values())


@dataclass(frozen=True)
class CredentialState:
    credential_id: str
    issued_at: datetime | None
    revoked_at: datetime | None
    revoked_reason: str | None


async def credential_state(db: AsyncSession, credential_id: str) -> CredentialState:
    """Whether the school issued this credential id and whether it revoked it (no names)."""
    query = select(IssuedCertificate).where(IssuedCertificate.credential_id == credential_id)
    found = (await db.scalars(query)).first()
    if found is None:
        return CredentialState(credential_id, None, None, None)
    return CredentialState(credential_id, found.issued_at, found.revoked_at, found.revoked_reason)
