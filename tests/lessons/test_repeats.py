"""One lesson per title and start in a term, whoever teaches it, however it is planned: the
form, the API (plan and change) and the import ask the same rule, and the database holds it
when two plans pass the check at once."""

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from tests.lessons.test_import import lesson_count, school_term
from tests.support.factories import Person, signed_in
from tests.support.school import enrol, make_course, make_lesson, make_term
from tests.support.spreadsheets import lesson_workbook
from trust_lesson.db import create_engine, create_session_factory, transaction
from trust_lesson.lessons import imports, repeats
from trust_lesson.lessons import service as lessons
from trust_lesson.lessons.schemas import LessonCreate
from trust_lesson.lessons.spreadsheet import SpreadsheetRejected
from trust_lesson.models import Role, Term, User
from trust_lesson.models.lesson import title_key
from trust_lesson.runtime import Runtime

MONDAY = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
MONDAY_AT_3 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
REFUSED = 'title: The lesson "loops" at 2026-03-02 14:00 UTC is already planned in this term.'


def test_a_title_is_compared_case_spaces_and_unicode_forms_aside() -> None:
    assert title_key("  Loops\tand\n LISTS ") == "loops and lists"
    assert title_key("Cafe\u0301") == title_key("Caf\u00e9")
    assert title_key("STRASSE") == title_key("Straße")
    assert title_key("Loops") != title_key("Loop s")


async def plan(
    client: httpx.AsyncClient, person: Person, term_id: int, title: str, **more: Any
) -> httpx.Response:
    body = {"term_id": term_id, "title": title, "start_date": MONDAY.isoformat()}
    body |= {"duration_min": 60} | more
    return await client.post("/api/v1/lessons", json=body, headers=person.headers)


async def test_planning_a_lesson_the_term_has_is_refused_in_words_whoever_teaches_it(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    smith = await signed_in(client, runtime, Role.INSTRUCTOR, name="Smith")
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])
    await enrol(client, teacher, term["id"], smith, "INSTRUCTOR")
    await make_lesson(client, teacher, term["id"], title="Loops", start=MONDAY)

    again = await plan(client, teacher, term["id"], "loops", instructor_id=smith.id)

    assert again.status_code == 409, again.text
    assert again.json() == {"detail": REFUSED, "code": "conflict"}
    assert await lesson_count(client, teacher) == 1


async def test_the_same_title_at_another_start_or_in_another_term_is_another_lesson(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    course = await make_course(client, teacher)
    first, second = [await make_term(client, teacher, course["id"]) for _ in range(2)]
    await make_lesson(client, teacher, first["id"], title="Loops", start=MONDAY)

    later = await plan(client, teacher, first["id"], "Loops", start_date="2026-03-02T15:00:00Z")
    elsewhere = await plan(client, teacher, second["id"], "Loops")

    assert (later.status_code, elsewhere.status_code) == (201, 201)


async def test_a_lesson_changed_into_another_ones_title_and_start_is_refused(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])
    await make_lesson(client, teacher, term["id"], title="Loops", start=MONDAY)
    lists = await make_lesson(client, teacher, term["id"], title="Lists", start=MONDAY)
    later = await make_lesson(client, teacher, term["id"], title="Loops", start=MONDAY_AT_3)
    lists_url, later_url = (f"/api/v1/lessons/{lesson['id']}" for lesson in (lists, later))

    retitled = await client.patch(lists_url, json={"title": "loops"}, headers=teacher.headers)
    moved = await client.patch(
        later_url, json={"start_date": "2026-03-02T15:00:00+01:00"}, headers=teacher.headers
    )
    own_case = await client.patch(later_url, json={"title": "LOOPS"}, headers=teacher.headers)

    assert retitled.status_code == 409, retitled.text
    assert retitled.json()["detail"] == REFUSED
    assert moved.status_code == 409, moved.text
    assert moved.json()["detail"].startswith('title: The lesson "Loops" at 2026-03-02 14:00 UTC')
    assert own_case.status_code == 200, own_case.text
    kept = (await client.get(later_url, headers=teacher.headers)).json()
    assert (kept["title"], kept["start_date"]) == ("LOOPS", "2026-03-02T15:00:00Z")


async def test_many_plans_of_one_lesson_at_once_plan_it_once(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])

    answers = await asyncio.gather(*(plan(client, teacher, term["id"], "loops") for _ in range(6)))

    assert sorted(a.status_code for a in answers) == [201] + [409] * 5, [a.text for a in answers]
    assert {a.json()["detail"] for a in answers if a.status_code == 409} == {REFUSED}
    assert await lesson_count(client, teacher) == 1


def written_meanwhile(
    db: AsyncSession, url: str, other: Callable[[AsyncSession], Awaitable[object]]
) -> None:
    """When `db` is about to write (its first flush, after its checks), `other` runs to its
    commit in a session of its own: the order of two plans racing past their checks, every
    time. `other` runs on a thread of its own (its own event loop and engine); this one waits."""

    async def committed() -> None:
        engine = create_engine(url)
        try:
            async with transaction(create_session_factory(engine)) as session:
                await other(session)
        finally:
            await engine.dispose()

    def run_other(*_: object) -> None:
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, committed()).result()

    event.listen(db.sync_session, "before_flush", run_other, once=True)


async def test_an_import_that_loses_the_race_plans_nothing_and_names_its_rows(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """Two imports of one sheet at once: both find the term empty; the one that writes second
    is refused by the database and answers as if it had come after."""
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await school_term(client, teacher)
    sheet = lesson_workbook(
        lessons=[
            ("Loops", "2026-03-11", "14:30", 60, None, ""),
            ("Functions", "2026-03-12", "14:30", 60, None, ""),
        ]
    )

    async def import_sheet(db: AsyncSession) -> object:
        caller, planned_term = (
            await db.get_one(User, teacher.id),
            await db.get_one(Term, term["id"]),
        )
        return await imports.import_lessons(
            db=db, caller=caller, term=planned_term, content=sheet, timezone="UTC", now=MONDAY
        )

    with pytest.raises(SpreadsheetRejected) as refused:
        async with transaction(runtime.session_factory) as db:
            written_meanwhile(db, runtime.settings.database_url, import_sheet)
            await import_sheet(db)

    assert [(error.row, error.message) for error in refused.value.errors] == [
        (6, 'The lesson "Loops" at 2026-03-11 14:30 is already planned in this term.'),
        (7, 'The lesson "Functions" at 2026-03-12 14:30 is already planned in this term.'),
    ]
    assert await lesson_count(client, teacher) == 2


async def test_a_plan_that_loses_the_race_is_refused_like_a_later_one(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])
    data = LessonCreate(term_id=term["id"], title="loops", start_date=MONDAY, duration_min=60)

    async def plan_loops(db: AsyncSession) -> object:
        caller, planned_term = (
            await db.get_one(User, teacher.id),
            await db.get_one(Term, term["id"]),
        )
        return await lessons.create(db=db, caller=caller, term=planned_term, data=data, now=MONDAY)

    with pytest.raises(repeats.AlreadyPlanned) as refused:
        async with transaction(runtime.session_factory) as db:
            written_meanwhile(db, runtime.settings.database_url, plan_loops)
            await plan_loops(db)

    assert (refused.value.status_code, refused.value.detail) == (409, REFUSED)
    assert await lesson_count(client, teacher) == 1
