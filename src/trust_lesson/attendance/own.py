"""A student's own attendance: their current decision in each of some lessons. Read only."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.attendance.service import is_newest
from trust_lesson.models import AttendanceDecision


async def own_decisions(
    *, db: AsyncSession, user_id: int, lesson_ids: Sequence[int]
) -> dict[int, AttendanceDecision]:
    """The student's current decision per lesson id (lessons not decided yet are absent)."""
    if not lesson_ids:
        return {}
    query = select(AttendanceDecision).where(
        AttendanceDecision.user_id == user_id,
        AttendanceDecision.lesson_id.in_(lesson_ids),
        is_newest(),
    )
    return {decision.lesson_id: decision for decision in (await db.execute(query)).scalars()}
