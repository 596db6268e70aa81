"""Issue 11: deleting a lesson, a term or a course never destroys attendance evidence. Staff
get a 409 naming what is kept; the database refuses too (evidence rows RESTRICT, as they do
for accounts), so no other path cascades a capture, a decision or a certificate away."""

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests.presence.live import load_capture
from tests.privacy.stories import attended_lesson, log_holds
from tests.support.clock import FakeClock
from tests.support.school import make_lesson
from trust_lesson.db import transaction
from trust_lesson.models import Course, Lesson, Term
from trust_lesson.runtime import Runtime


async def test_staff_cannot_delete_a_lesson_term_or_course_that_evidence_names(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    story = await attended_lesson(client, runtime, clock)
    teacher, lesson_id, term_id = story.live.instructor, story.live.lesson_id, story.live.term_id
    course_id = (await client.get(f"/api/v1/terms/{term_id}", headers=teacher.headers)).json()[
        "course_id"
    ]
    planned = await make_lesson(client, teacher, term_id, start=clock.now, title="Not given")
    picture = (await load_capture(runtime, story.capture_id)).blob_key
    assert picture is not None

    refused = [
        await client.delete(f"/api/v1/lessons/{lesson_id}", headers=teacher.headers),
        await client.delete(f"/api/v1/terms/{term_id}", headers=teacher.headers),
        await client.delete(f"/api/v1/courses/{course_id}", headers=teacher.headers),
    ]
    unused = await client.delete(f"/api/v1/lessons/{planned['id']}", headers=teacher.headers)

    assert [answer.status_code for answer in refused] == [409, 409, 409]
    for answer, what in zip(refused, ("lesson", "term", "course"), strict=True):
        detail = answer.json()["detail"]
        assert detail.startswith(f"This {what} keeps attendance evidence (")
        assert "1 capture" in detail and "1 certificate" in detail, detail
    assert unused.status_code == 204  # a lesson nobody attended still goes
    assert await runtime.blobs.get(picture)  # the picture stays with its capture
    assert await log_holds(runtime)  # `trust-lesson evidence verify` passes


async def test_the_database_refuses_to_cascade_evidence_away(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    """Whatever deletes the row (a script, a console, a future code path) meets the keys."""
    story = await attended_lesson(client, runtime, clock, students=1)
    async with transaction(runtime.session_factory) as db:
        course_id = await db.scalar(sa.select(Term.course_id).where(Term.id == story.live.term_id))
    deletions = [
        sa.delete(Lesson).where(Lesson.id == story.live.lesson_id),
        sa.delete(Term).where(Term.id == story.live.term_id),
        sa.delete(Course).where(Course.id == course_id),
    ]

    for deletion in deletions:
        with pytest.raises(IntegrityError):
            async with transaction(runtime.session_factory) as db:
                await db.execute(deletion)

    assert (await load_capture(runtime, story.capture_id)).verdict is not None
    assert await log_holds(runtime)
