"""A lesson's meeting link: https only, shown to its students, removable."""

from datetime import UTC, datetime

import httpx
import pytest

from tests.support.factories import signed_in
from tests.support.school import enrol, make_course, make_lesson, make_term
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime

MONDAY = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
CALL = "https://meet.school.example/lesson-42?pwd=abc"


async def test_a_lesson_carries_its_meeting_link_to_its_students(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    student = await signed_in(client, runtime)
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])
    await enrol(client, teacher, term["id"], student)
    lesson = await make_lesson(client, teacher, term["id"], start=MONDAY)
    url = f"/api/v1/lessons/{lesson['id']}"

    linked = await client.patch(url, json={"meeting_url": CALL}, headers=teacher.headers)
    seen = await client.get(url, headers=student.headers)
    removed = await client.patch(url, json={"meeting_url": None}, headers=teacher.headers)

    assert lesson["meeting_url"] is None
    assert linked.json()["meeting_url"] == CALL
    assert seen.json()["meeting_url"] == CALL
    assert removed.json()["meeting_url"] is None


@pytest.mark.parametrize(
    "address",
    [
        "http://meet.school.example/lesson",
        "javascript:alert(1)",
        "https://",
        "https://user:secret@meet.school.example/",
        "https://meet.school.example:port/",
        "https://meet.school.example/a b",
        "data:text/html,<script>alert(1)</script>",
        "https://" + "a" * 2000 + ".example",
    ],
)
async def test_only_an_https_link_is_kept(
    client: httpx.AsyncClient, runtime: Runtime, address: str
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await make_term(client, teacher, (await make_course(client, teacher))["id"])
    lesson = await make_lesson(client, teacher, term["id"], start=MONDAY)

    body = {"meeting_url": address}
    patched = await client.patch(
        f"/api/v1/lessons/{lesson['id']}", json=body, headers=teacher.headers
    )
    created = await client.post(
        "/api/v1/lessons",
        json={
            "term_id": term["id"],
            "title": "Linked",
            "start_date": MONDAY.isoformat(),
            "duration_min": 60,
            "meeting_url": address,
        },
        headers=teacher.headers,
    )

    assert patched.status_code == 422
    assert created.status_code == 422
    assert "meeting_url" in patched.text
    after = await client.get(f"/api/v1/lessons/{lesson['id']}", headers=teacher.headers)
    assert after.json()["meeting_url"] is None
