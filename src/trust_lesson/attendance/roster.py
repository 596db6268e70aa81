"""The live roster of a lesson: each student's checks so far, in two queries per page."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.attendance.checks import Check, checks_query, group_by_student, to_check
from trust_lesson.attendance.schemas import RosterEntry, RosterState
from trust_lesson.courses.scopes import student_of_term
from trust_lesson.models import (
    AttendanceDecision,
    Challenge,
    Lesson,
    PresenceSession,
    User,
)
from trust_lesson.presence.verdicts import AWAITS_REVIEW, Verdict


@dataclass(frozen=True)
class RosterRow:
    """A roster entry with the checks it counts (the instructor's page draws them)."""

    entry: RosterEntry
    checks: list[Check]


async def roster(
    *, db: AsyncSession, lesson: Lesson, now: datetime, limit: int, offset: int
) -> list[RosterEntry]:
    """Enrolled students, anybody who joined and anybody decided about, by username, with
    their checks by `now`."""
    rows = await roster_rows(db=db, lesson=lesson, now=now, limit=limit, offset=offset)
    return [row.entry for row in rows]


async def roster_rows(
    *, db: AsyncSession, lesson: Lesson, now: datetime, limit: int, offset: int
) -> list[RosterRow]:
    """The roster with each student's checks, still in two queries whatever the class size."""
    people = _people(lesson).order_by(User.username, User.id).limit(limit).offset(offset)
    students = (await db.execute(people)).all()
    ids = [student.id for student in students]
    query = checks_query(lesson.id, now).where(Challenge.user_id.in_(ids))
    checks = group_by_student([to_check(row) for row in await db.execute(query)])
    return [
        RosterRow(
            entry=_entry(
                student.id,
                student.username,
                student.full_name,
                student.joined_at,
                checks.get(student.id, []),
                now,
            ),
            checks=checks.get(student.id, []),
        )
        for student in students
    ]


async def count_students(*, db: AsyncSession, lesson: Lesson) -> int:
    """How many students the whole roster has (its pages show some of them)."""
    return int(await db.scalar(select(func.count()).select_from(_people(lesson).subquery())) or 0)


def _people(lesson: Lesson) -> Select[int, str, str, datetime]:
    """The roster's students: enrolled in the lesson's term, anybody who joined it, and anybody
    the lesson decided about (a student unenrolled since keeps their decisions in view)."""
    decided = (
        select(AttendanceDecision.id)
        .where(AttendanceDecision.lesson_id == lesson.id, AttendanceDecision.user_id == User.id)
        .exists()
    )
    return (
        select(User.id, User.username, User.full_name, PresenceSession.joined_at)
        .outerjoin(
            PresenceSession,
            and_(PresenceSession.user_id == User.id, PresenceSession.lesson_id == lesson.id),
        )
        .where(
            or_(
                student_of_term(User.id, lesson.term_id),
                PresenceSession.id.is_not(None),
                decided,
            )
        )
    )


def _entry(
    user_id: int,
    username: str,
    full_name: str,
    joined_at: datetime | None,
    checks: Sequence[Check],
    now: datetime,
) -> RosterEntry:
    open_check = next((check for check in checks if check.is_open(now)), None)
    settled = [check for check in checks if check.final_verdict(now) is not None]
    counts = Counter(check.final_verdict(now) for check in settled)
    last = settled[-1] if settled else None
    return RosterEntry(
        user_id=user_id,
        username=username,
        full_name=full_name,
        joined=joined_at is not None,
        joined_at=joined_at,
        checks_issued=len(checks),
        checks_verified=counts.get(Verdict.VERIFIED, 0),
        checks_analysing=sum(check.analysing and check.review is None for check in checks),
        verdict_counts={verdict: n for verdict, n in counts.items() if verdict is not None},
        open_challenge=open_check is not None,
        open_challenge_deadline=open_check.deadline if open_check else None,
        last_check_at=_taken_at(last) if last else None,
        last_verdict=last.final_verdict(now) if last else None,
        state=_state(joined_at, checks, open_check, now),
    )


def _taken_at(check: Check) -> datetime:
    """When the picture was taken, or the deadline of a check missed."""
    if check.captured_at is not None:
        return check.captured_at
    return check.deadline


def _state(
    joined_at: datetime | None, checks: Sequence[Check], open_check: Check | None, now: datetime
) -> RosterState:
    if joined_at is None and not checks:
        return RosterState.NOT_JOINED
    if open_check is not None:
        return RosterState.CHECK_OPEN
    answered = [check for check in checks if check.final_verdict(now) or check.analysing]
    if not answered:
        return RosterState.WAITING
    verdict = answered[-1].final_verdict(now)
    if verdict is None:
        return RosterState.ANALYSING
    if verdict is Verdict.VERIFIED:
        return RosterState.VERIFIED
    if answered[-1].review is None and verdict in AWAITS_REVIEW:
        return RosterState.NEEDS_REVIEW
    return RosterState.FAILED
