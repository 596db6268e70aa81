"""Arrange a school through the API: courses, terms, enrolments and lessons."""

from datetime import UTC, datetime
from typing import Any

import httpx

from tests.support.factories import Person


async def make_course(
    client: httpx.AsyncClient, owner: Person, name: str = "Learn Python"
) -> dict[str, Any]:
    response = await client.post("/api/v1/courses", json={"name": name}, headers=owner.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def make_term(client: httpx.AsyncClient, owner: Person, course_id: int) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/courses/{course_id}/terms", json={}, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def enrol(
    client: httpx.AsyncClient, owner: Person, term_id: int, person: Person, role: str = "STUDENT"
) -> None:
    response = await client.post(
        f"/api/v1/terms/{term_id}/members",
        json={"email": person.user.email, "role": role},
        headers=owner.headers,
    )
    assert response.status_code == 201, response.text


async def make_lesson(
    client: httpx.AsyncClient,
    instructor: Person,
    term_id: int,
    *,
    start: datetime = datetime(2026, 3, 2, 14, 0, tzinfo=UTC),
    title: str = "Variables",
    duration_min: int = 60,
    given_to: Person | None = None,
) -> dict[str, Any]:
    """A lesson `instructor` plans: theirs, or given to another instructor of the term."""
    payload: dict[str, object] = {
        "term_id": term_id,
        "title": title,
        "start_date": start.isoformat(),
        "duration_min": duration_min,
    }
    if given_to is not None:
        payload["instructor_id"] = given_to.id
    response = await client.post("/api/v1/lessons", json=payload, headers=instructor.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
