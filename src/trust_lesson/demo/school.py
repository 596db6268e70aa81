"""The demo's school, set up through the HTTP API: people, a course, a term and a running lesson.

Every step is a request a real client would send; the only thing done outside the API is the
first administrator, created beforehand as `trust-lesson create-user` does.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from trust_lesson.demo.pictures import Person, jpeg

API = "/api/v1"


@dataclass
class Account:
    """A signed-in person of the demo."""

    user_id: int
    email: str
    full_name: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Student:
    account: Account
    face: Person
    role: str
    """'present', 'replaced' or 'silent': how the demo plays them."""
    stand_in: Person | None = None


@dataclass
class School:
    instructor: Account
    students: list[Student]
    course_id: int
    term_id: int
    lesson_id: int
    started_at: datetime
    extra: dict[str, Any] = field(default_factory=dict)


def demo_policy(minutes: int) -> dict[str, float | str]:
    """PRODUCT.md's policy with its intervals compressed to fit a lesson of ``minutes``.

    About six random checks per lesson, never two within a twelfth of the lesson, each to be
    answered in a little more than half the minimum gap; the end check in the last sixth.
    The demo's students are still photos that cannot turn their heads: no liveness checks
    (``trust-lesson vision liveness`` judges a burst offline).
    """
    gap_min = minutes / 12
    return {
        "entry_tolerance_min": max(1.0, minutes / 3),
        "recheck_mean_interval_min": minutes / 6,
        "recheck_min_gap_min": gap_min,
        "answer_deadline_s": min(60.0, round(gap_min * 60 * 0.6, 1)),
        "end_check_lead_min": minutes / 6,
        "liveness_checks": "NONE",
    }


def checked(answer: httpx.Response, expected: int = 200) -> Any:
    if answer.status_code != expected:
        request = answer.request
        raise RuntimeError(
            f"{request.method} {request.url.path} answered {answer.status_code}: {answer.text}"
        )
    return answer.json() if answer.content else None


async def sign_in(http: httpx.AsyncClient, email: str, password: str) -> Account:
    body = {"email": email, "password": password}
    token = checked(await http.post(f"{API}/auth/login", json=body))["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    me = checked(await http.get(f"{API}/users/me", headers=headers))
    return Account(user_id=me["id"], email=email, full_name=me["full_name"], token=token)


async def create_person(
    http: httpx.AsyncClient, admin: Account, *, username: str, full_name: str, role: str
) -> Account:
    password = secrets.token_urlsafe(18)
    email = f"{username}@demo.example"
    body = {"email": email, "password": password, "full_name": full_name, "username": username}
    checked(await http.post(f"{API}/users", json=body | {"role": role}, headers=admin.headers), 201)
    return await sign_in(http, email, password)


async def enrol_face(http: httpx.AsyncClient, student: Account, face: Person) -> int:
    """Consent, then the selfies: the templates the worker compares every capture with."""
    base = f"{API}/users/{student.user_id}"
    checked(await http.post(f"{base}/consent", headers=student.headers), 201)
    files = [
        ("images", (f"selfie{n}.jpg", jpeg(photo), "image/jpeg"))
        for n, photo in enumerate(face.photos, start=1)
    ]
    enrolled = checked(
        await http.post(f"{base}/face-enrolment", files=files, headers=student.headers), 201
    )
    return int(enrolled["templates"])


async def make_course(
    http: httpx.AsyncClient, instructor: Account, minutes: int, tag: str
) -> tuple[int, int]:
    """A course with the compressed policy and one term; (course id, term id). Its name carries
    the run's tag, as the accounts' do: course names are unique, and a data dir keeps the
    courses of earlier runs."""
    headers = instructor.headers
    name = f"Defensive driving (demo {tag})"
    course = checked(
        await http.post(
            f"{API}/courses",
            json={"name": name, "description": "Trust Lesson demo"},
            headers=headers,
        ),
        201,
    )
    policy = demo_policy(minutes)
    checked(await http.put(f"{API}/courses/{course['id']}/policy", json=policy, headers=headers))
    term = checked(
        await http.post(f"{API}/courses/{course['id']}/terms", json={}, headers=headers), 201
    )
    return int(course["id"]), int(term["id"])


async def enrol(
    http: httpx.AsyncClient, instructor: Account, term_id: int, student: Account
) -> None:
    body = {"email": student.email, "role": "STUDENT"}
    answer = await http.post(
        f"{API}/terms/{term_id}/members", json=body, headers=instructor.headers
    )
    checked(answer, 201)


async def start_lesson(
    http: httpx.AsyncClient, instructor: Account, term_id: int, minutes: int
) -> tuple[int, datetime]:
    """Plan a lesson starting now and start it; (lesson id, effective start)."""
    body = {
        "term_id": term_id,
        "title": "Hazard perception",
        "start_date": datetime.now(UTC).isoformat(),
        "duration_min": minutes,
    }
    lesson = checked(await http.post(f"{API}/lessons", json=body, headers=instructor.headers), 201)
    started = checked(
        await http.post(f"{API}/lessons/{lesson['id']}/start", headers=instructor.headers)
    )
    return int(lesson["id"]), datetime.fromisoformat(started["effective_start_date"])
