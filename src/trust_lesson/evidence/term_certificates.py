"""Term certificates: one credential for a student's whole term.

It lists every lesson of the term the student has a decision for, each with its current
decision and checks, and carries one inclusion proof per decision, all against one signed
checkpoint. `certificate_check.py` checks it like a lesson certificate, decision by decision.
"""

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.errors import NotFound
from trust_lesson.evidence import certificates, revocation
from trust_lesson.evidence.certificates import (
    CONTEXT,
    CREDENTIAL_TYPE,
    TERM_CREDENTIAL_TYPE,
    attendance_summary,
    covering_checkpoint,
    decision_entry,
    inclusion_evidence,
    issuer_id,
    lesson_summary,
)
from trust_lesson.evidence.keys import SchoolKeys
from trust_lesson.evidence.log import utc_text
from trust_lesson.models import AttendanceDecision, Course, Lesson, Term, User


async def term_certificate(
    db: AsyncSession,
    *,
    keys: SchoolKeys,
    public_url: str,
    term_id: int,
    student_id: int,
    now: datetime,
) -> dict[str, Any]:
    """The certificate of the student's current decisions in the term: the one issued for
    exactly these decisions already, else a new one."""
    decided = await current_decisions(db, term_id, student_id)
    kept = await certificates.stored_certificate(
        db, student_id=student_id, lesson_id=None, term_id=term_id,
        decisions=[decision.id for decision, _ in decided],
    )  # fmt: skip
    if kept is not None:
        return kept
    return await _issue(db, keys, public_url, term_id, student_id, decided, now)


async def current_decisions(
    db: AsyncSession, term_id: int, student_id: int
) -> list[tuple[AttendanceDecision, Lesson]]:
    """Each lesson's newest decision for the student, in the order the lessons took place."""
    rows = await db.execute(
        select(AttendanceDecision, Lesson)
        .join(Lesson, Lesson.id == AttendanceDecision.lesson_id)
        .where(Lesson.term_id == term_id, AttendanceDecision.user_id == student_id)
        .order_by(Lesson.start_date, Lesson.id, AttendanceDecision.id)
    )
    newest: dict[int, tuple[AttendanceDecision, Lesson]] = {}
    for decision, lesson in rows:
        newest[lesson.id] = (decision, lesson)  # later decisions of a lesson replace earlier
    if not newest:
        raise NotFound("This student has no attendance decision in this term yet.")
    return list(newest.values())


async def _issue(
    db: AsyncSession,
    keys: SchoolKeys,
    public_url: str,
    term_id: int,
    student_id: int,
    decided: list[tuple[AttendanceDecision, Lesson]],
    now: datetime,
) -> dict[str, Any]:
    entries = [await decision_entry(db, decision.id) for decision, _ in decided]
    head = await covering_checkpoint(db, keys, max(entry.index for entry in entries), now)
    term, course, student = await _names(db, term_id, student_id)
    issued = await certificates.record(
        db, lesson_id=None, term_id=term_id, student_id=student_id,
        decisions=[decision.id for decision, _ in decided], now=now,
    )  # fmt: skip
    outcomes = Counter(str(decision.decision) for decision, _ in decided)
    credential = {
        "@context": CONTEXT,
        "id": issued.credential_id,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE, TERM_CREDENTIAL_TYPE],
        "issuer": {"id": issuer_id(keys), "name": keys.public.origin},
        "validFrom": utc_text(now),
        "credentialSubject": {
            "id": certificates.subject_id(keys, student),
            "name": student.full_name,
            "term": {
                "id": term.id,
                "number": term.term_number,
                "course": course.name,
                "start": term.start_date.isoformat() if term.start_date else None,
                "end": term.end_date.isoformat() if term.end_date else None,
            },
            "summary": {
                "lessons": len(decided),
                "attended": outcomes["ATTENDED"],
                "partial": outcomes["PARTIAL"],
                "absent": outcomes["ABSENT"],
                "pendingReview": outcomes["PENDING_REVIEW"],
            },
            "lessons": [
                {**lesson_summary(lesson, course), "attendance": attendance_summary(decision)}
                for decision, lesson in decided
            ],
        },
        "evidence": [await inclusion_evidence(db, entry, head) for entry in entries],
        "credentialStatus": revocation.credential_status(public_url, issued.id),
    }
    return certificates.sign_and_keep(credential, issued, keys, now)


async def _names(db: AsyncSession, term_id: int, student_id: int) -> tuple[Term, Course, User]:
    row = (
        await db.execute(
            select(Term, Course, User)
            .join(Course, Course.id == Term.course_id)
            .join(User, User.id == student_id)
            .where(Term.id == term_id)
        )
    ).one()
    return row[0], row[1], row[2]
