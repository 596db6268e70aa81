"""The retention schedule (R25), applied by the hourly sweep. Flushes only: the task owns
the transaction.

- Capture pictures: `image_retention_days` (the course's policy, 180 by default) after the
  picture was taken, once it has its verdict.
- Identity document photos and selfies: `TL_IDENTITY_DOCUMENT_RETENTION_DAYS` (30) after the
  verification was decided.
- Face templates: `template_retention_days` after the person's last activity (the newest of
  their enrolment and their pictures). One enrolment serves every course, so the longest
  retention among the courses the person belongs to applies (a template a course still needs
  stays); PRODUCT.md's 3 years for a person in no course. No policy keeps one past 3 years.

Hashes, verdicts, reviews, decisions, verification outcomes and the log stay, so certificates
remain verifiable. Each purge is one log entry per person (``purge``); a sweep handles at most
``BATCH`` rows of each kind and the next sweep goes on.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.models import (
    Capture,
    CaptureStatus,
    Course,
    FaceTemplate,
    IdentityVerification,
    Lesson,
    Term,
    TermMember,
)
from trust_lesson.presence.policy import AttendancePolicy
from trust_lesson.privacy import purge
from trust_lesson.storage.blobs import BlobStore

BATCH = 1000


@dataclass
class Swept:
    pictures: int = 0
    documents: int = 0
    templates: int = 0

    @property
    def total(self) -> int:
        return self.pictures + self.documents + self.templates


async def sweep(
    db: AsyncSession, *, now: datetime, blobs: BlobStore, document_retention: timedelta
) -> Swept:
    """Purge what is due; the log entries come last (they hold the log's head row)."""
    policies = {
        course_id: AttendancePolicy.from_stored(stored, course_id=course_id)
        for course_id, stored in (await db.execute(select(Course.id, Course.policy))).all()
    }
    pictures: list[tuple[dict[int, list[int]], str]] = []
    for course_id, policy in policies.items():
        purged = await _capture_pictures(db, course_id, policy, now=now, blobs=blobs)
        why = f"retention: {policy.image_retention_days} days after the picture was taken"
        pictures.append((purged, why))
    documents = await purge.identity_documents(
        db, which=IdentityVerification.decided_at <= now - document_retention, now=now,
        blobs=blobs, limit=BATCH,
    )  # fmt: skip
    templates = {
        days: await _face_templates(db, days, _longer(policies, days), now=now)
        for days in _template_retentions(policies)
    }
    for purged, why in pictures:
        await purge.log_pictures(db, purged, why=why, now=now)
    why = f"retention: {document_retention.days} days after the verification was decided"
    await purge.log_identity_documents(db, documents, why=why, now=now)
    for days, people in templates.items():
        why = f"retention: {days} days after the person's last activity (their courses' longest)"
        await purge.log_templates(db, people, why=why, now=now)
    return Swept(
        pictures=sum(len(ids) for purged, _ in pictures for ids in purged.values()),
        documents=sum(len(ids) for ids in documents.values()),
        templates=sum(sum(people.values()) for people in templates.values()),
    )


def _template_retentions(policies: dict[int, AttendancePolicy]) -> list[int]:
    """Every retention a person's templates can have, shortest first."""
    product = AttendancePolicy().template_retention_days
    return sorted({policy.template_retention_days for policy in policies.values()} | {product})


def _longer(policies: dict[int, AttendancePolicy], days: int) -> list[int]:
    return [c for c, policy in policies.items() if policy.template_retention_days > days]


async def _capture_pictures(
    db: AsyncSession, course_id: int, policy: AttendancePolicy, *, now: datetime, blobs: BlobStore
) -> dict[int, list[int]]:
    """The course's pictures with a verdict, taken longer ago than its retention."""
    lessons = select(Lesson.id).join(Term, Term.id == Lesson.term_id)
    which = (
        Capture.lesson_id.in_(lessons.where(Term.course_id == course_id))
        & (Capture.status == CaptureStatus.DONE)
        & (Capture.created_at <= now - policy.image_retention)
    )
    return await purge.capture_pictures(db, which=which, now=now, blobs=blobs, limit=BATCH)


async def _face_templates(
    db: AsyncSession, days: int, longer: list[int], *, now: datetime
) -> dict[int, int]:
    """Templates of people whose retention is ``days`` (no course of theirs in ``longer``, the
    courses that keep templates longer; in no course at all: PRODUCT.md's 3 years) and who
    have had no enrolment and no picture for that long."""
    cutoff = now - timedelta(days=days)
    member = select(TermMember.user_id).join(Term, Term.id == TermMember.term_id)
    person = FaceTemplate.user_id
    due = ~exists().where(Capture.user_id == person, Capture.created_at > cutoff)
    if longer:
        due &= person.not_in(member.where(Term.course_id.in_(longer)))
    if days < AttendancePolicy().template_retention_days:
        due &= person.in_(member)
    idle = (
        select(person)
        .where(due)
        .group_by(person)
        .having(func.max(FaceTemplate.created_at) <= cutoff)
        .limit(BATCH)
    )
    return await purge.face_templates(db, which=person.in_(idle))
