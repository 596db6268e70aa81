"""One lesson per title and start in a term: the check that names a repeat, and the write that
the database's unique constraint settles.

The same title (case and spaces aside: `models.lesson.title_key`) at the same start in one term
is one lesson, whoever teaches it. Every student of the term is expected at each of its
lessons, so two lessons of one title at one time would be one lesson counted twice. The form
and the API (plan and change) write lessons through `planning`, the spreadsheet import (which
names each repeated row itself) through `written`: the check says in words what is repeated,
and the constraint on (term_id, title_key,
start_date) holds the rule when two plans pass the check at once (two imports of one sheet, a
double click): the second write fails, writes nothing, and is answered as the check answers.
"""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.errors import Conflict
from trust_lesson.models import Lesson
from trust_lesson.models.lesson import title_key

TitleAndStart = tuple[str, datetime]


@dataclass(frozen=True)
class Plan:
    """A lesson as the rule sees it: its term, title and start, and its id when it is a change
    of a lesson already planned (which is not counted against itself)."""

    term_id: int
    title: str
    start: datetime
    lesson_id: int | None = None

    @classmethod
    def of(cls, lesson: Lesson) -> "Plan":
        return cls(lesson.term_id, lesson.title, lesson.start_date, lesson.id)

    @property
    def same(self) -> TitleAndStart:
        return title_key(self.title), self.start


def already_planned(title: str, start: datetime, zone: ZoneInfo | None = None) -> str:
    """The refusal in words: in the sheet's time zone for an import; for the API and the form,
    whose times are UTC, in UTC and saying so."""
    if zone is not None:
        when = f"{start.astimezone(zone):%Y-%m-%d %H:%M}"
    else:
        when = f"{start.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return f'The lesson "{title}" at {when} is already planned in this term.'


class AlreadyPlanned(Conflict):
    """409 for the form and the API: the field is the title (`field: message`)."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(f"title: {already_planned(plan.title, plan.start)}")


async def planned_in_term(db: AsyncSession, plans: Sequence[Plan]) -> set[TitleAndStart]:
    """Title keys and starts of the term's other lessons between the plans' first and last
    start (the plans are of one term)."""
    if not plans:
        return set()
    starts = [plan.start for plan in plans]
    query = select(Lesson.title_key, Lesson.start_date).where(
        Lesson.term_id == plans[0].term_id,
        Lesson.start_date >= min(starts),
        Lesson.start_date <= max(starts),
    )
    own = [plan.lesson_id for plan in plans if plan.lesson_id is not None]
    if own:
        query = query.where(Lesson.id.not_in(own))
    return {(key, start) for key, start in (await db.execute(query)).all()}


async def _refuse_if_planned(db: AsyncSession, plans: Sequence[Plan]) -> None:
    planned = await planned_in_term(db, plans)
    for plan in plans:
        if plan.same in planned:
            raise AlreadyPlanned(plan)


@asynccontextmanager
async def planning(db: AsyncSession, plans: Sequence[Plan]) -> AsyncIterator[None]:
    """Checks `plans`, then runs the block, which adds or changes their lessons, as `written`
    does. AlreadyPlanned, with nothing of the block written, when the term has a lesson of a
    plan's title and start: found by the check, or written since (the constraint).

    The check runs before the savepoint: on SQLite a read inside the write transaction would
    pin a snapshot that a parallel commit makes stale ("database is locked", not a clash)."""
    await _refuse_if_planned(db, plans)
    async with written(db, plans):
        yield


@asynccontextmanager
async def written(db: AsyncSession, plans: Sequence[Plan]) -> AsyncIterator[None]:
    """Runs the block in a savepoint and flushes it, for plans already checked (the import
    checks every row itself, to name each repeat). AlreadyPlanned, with nothing of the block
    written, when a lesson of a plan's title and start was written since the check; any other
    refusal of the database is raised as it is."""
    try:
        async with db.begin_nested():
            yield
            await db.flush()
    except IntegrityError:
        await _refuse_if_planned(db, plans)
        raise
