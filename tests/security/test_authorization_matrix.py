"""R11, R12: every route of the OpenAPI schema, called by each role, as owner and non-owner.

`MATRIX` holds one row per (method, path) with the expected outcome for each role:
- "ok": authorized (2xx, or 409/422 when the body or the object's state is refused),
- "no": refused, 403 or 404, and the answer carries none of the object's data,
- "401": not signed in.
A route in the schema without a row, or a row for a route that no longer exists, fails the
test. The world is two courses: A (taught by `instructor`, with `student` enrolled, a
`co_instructor` who is an INSTRUCTOR member of its term and a `member_instructor`, an
instructor account enrolled in it as a STUDENT) and B (taught by `other_instructor`, with
`other_student`). Ids in paths are always course A's;
`/users/{user_id}` means `student`. Destructive routes get a fresh world for every role.
"""

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.support.factories import PASSWORD, Person
from tests.support.school import enrol, make_course, make_lesson, make_term
from trust_lesson.auth.passwords import hash_password_sync
from trust_lesson.db import transaction
from trust_lesson.models import Role, User
from trust_lesson.runtime import Runtime

ROLES = (
    "anonymous", "student", "other_student", "instructor", "other_instructor", "admin",
    "co_instructor", "member_instructor",
)  # fmt: skip
MISSING_CAPTURE = 2_000_000_000
_numbers = itertools.count(1)

# role order:  anonymous, student, other_student, instructor, other_instructor, admin,
#               co_instructor, member_instructor
PUBLIC = ("ok",) * 8
SIGNED_IN = ("401", "ok", "ok", "ok", "ok", "ok", "ok", "ok")
ADMIN_ONLY = ("401", "no", "no", "no", "no", "ok", "no", "no")
STAFF = ("401", "no", "no", "ok", "ok", "ok", "ok", "ok")
COURSE_STAFF = ("401", "no", "no", "ok", "no", "ok", "ok", "no")
COURSE_PEOPLE = ("401", "ok", "no", "ok", "no", "ok", "ok", "ok")
SELF_OR_ADMIN = ("401", "ok", "no", "no", "no", "ok", "no", "no")
SELF_ONLY = ("401", "ok", "no", "no", "no", "no", "no", "no")
TEACHER_ONLY = ("401", "no", "no", "ok", "no", "no", "no", "no")
ENROLLED_STUDENT = ("401", "ok", "no", "no", "no", "no", "no", "ok")
NOBODY = ("401", "no", "no", "no", "no", "no", "no", "no")
OWNER_OR_REVIEWERS = ("401", "ok", "no", "ok", "no", "ok", "ok", "no")

MATRIX: dict[tuple[str, str], tuple[str, ...]] = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/health/ready"): PUBLIC,
    ("GET", "/.well-known/trust-lesson/keys"): PUBLIC,
    ("GET", "/api/v1/evidence/checkpoint"): PUBLIC,
    ("GET", "/api/v1/evidence/status-list"): PUBLIC,
    ("POST", "/api/v1/evidence/verify"): PUBLIC,
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): SIGNED_IN,
    ("POST", "/api/v1/auth/register"): PUBLIC,
    ("GET", "/api/v1/users/me"): SIGNED_IN,
    ("PATCH", "/api/v1/users/me"): SIGNED_IN,
    ("GET", "/api/v1/users"): ADMIN_ONLY,
    ("POST", "/api/v1/users"): ADMIN_ONLY,
    ("GET", "/api/v1/users/{user_id}"): SELF_OR_ADMIN,
    ("PATCH", "/api/v1/users/{user_id}"): SELF_OR_ADMIN,
    ("DELETE", "/api/v1/users/{user_id}"): ADMIN_ONLY,
    ("GET", "/api/v1/users/{user_id}/consent"): SELF_OR_ADMIN,
    ("POST", "/api/v1/users/{user_id}/consent"): SELF_ONLY,
    ("DELETE", "/api/v1/users/{user_id}/consent"): SELF_ONLY,
    ("GET", "/api/v1/users/{user_id}/face-enrolment"): SELF_OR_ADMIN,
    ("POST", "/api/v1/users/{user_id}/face-enrolment"): SELF_ONLY,
    ("DELETE", "/api/v1/users/{user_id}/face-enrolment"): SELF_OR_ADMIN,
    ("GET", "/api/v1/users/{user_id}/identity"): SELF_OR_ADMIN,
    ("PUT", "/api/v1/users/{user_id}/identity"): SELF_OR_ADMIN,
    ("GET", "/api/v1/users/{user_id}/export"): SELF_ONLY,
    ("POST", "/api/v1/users/{user_id}/identity/verifications"): SELF_ONLY,
    ("GET", "/api/v1/identity-verifications"): STAFF,  # scoped: each reviewer's own people
    # no such verification: nobody sees one (tests/identity covers the scoping of real ones)
    ("GET", "/api/v1/identity-verifications/{verification_id}"): NOBODY,
    ("POST", "/api/v1/identity-verifications/{verification_id}/review"): NOBODY,
    ("GET", "/api/v1/identity-verifications/{verification_id}/pictures/{kind}"): NOBODY,
    ("GET", "/api/v1/courses"): SIGNED_IN,
    ("POST", "/api/v1/courses"): STAFF,
    ("GET", "/api/v1/courses/{course_id}"): COURSE_PEOPLE,
    ("PATCH", "/api/v1/courses/{course_id}"): COURSE_STAFF,
    ("DELETE", "/api/v1/courses/{course_id}"): COURSE_STAFF,
    ("GET", "/api/v1/courses/{course_id}/terms"): COURSE_PEOPLE,
    ("POST", "/api/v1/courses/{course_id}/terms"): COURSE_STAFF,
    ("GET", "/api/v1/terms/{term_id}"): COURSE_PEOPLE,
    ("PATCH", "/api/v1/terms/{term_id}"): COURSE_STAFF,
    ("DELETE", "/api/v1/terms/{term_id}"): COURSE_STAFF,
    ("GET", "/api/v1/terms/{term_id}/members"): COURSE_STAFF,
    ("POST", "/api/v1/terms/{term_id}/members"): COURSE_STAFF,
    ("DELETE", "/api/v1/terms/{term_id}/members/{user_id}"): COURSE_STAFF,
    ("GET", "/api/v1/lessons"): SIGNED_IN,
    ("POST", "/api/v1/lessons"): COURSE_STAFF,
    ("GET", "/api/v1/lessons/{lesson_id}"): COURSE_PEOPLE,
    ("PATCH", "/api/v1/lessons/{lesson_id}"): COURSE_STAFF,
    ("DELETE", "/api/v1/lessons/{lesson_id}"): COURSE_STAFF,
    ("POST", "/api/v1/lessons/{lesson_id}/start"): TEACHER_ONLY,
    ("POST", "/api/v1/lessons/{lesson_id}/stop"): TEACHER_ONLY,
    ("POST", "/api/v1/terms/{term_id}/lessons/import"): COURSE_STAFF,
    ("POST", "/api/v1/lessons/{lesson_id}/join"): ENROLLED_STUDENT,
    ("GET", "/api/v1/lessons/{lesson_id}/challenges/next"): ENROLLED_STUDENT,
    ("GET", "/api/v1/lessons/{lesson_id}/checks"): ENROLLED_STUDENT,
    ("POST", "/api/v1/lessons/{lesson_id}/captures"): ENROLLED_STUDENT,
    ("GET", "/api/v1/captures/{capture_id}"): NOBODY,  # no such capture: nobody sees one
    ("GET", "/api/v1/lessons/{lesson_id}/roster"): COURSE_STAFF,
    ("GET", "/api/v1/lessons/{lesson_id}/attendance"): COURSE_PEOPLE,
    ("POST", "/api/v1/lessons/{lesson_id}/attendance/{user_id}"): COURSE_STAFF,
    ("GET", "/api/v1/lessons/{lesson_id}/attendance/{user_id}/certificate"): OWNER_OR_REVIEWERS,
    ("GET", "/api/v1/terms/{term_id}/attendance/{user_id}/certificate"): OWNER_OR_REVIEWERS,
    ("GET", "/api/v1/reviews"): STAFF,
    ("POST", "/api/v1/captures/{capture_id}/review"): NOBODY,
    ("GET", "/api/v1/courses/{course_id}/policy"): COURSE_PEOPLE,  # students see the rules
    ("PUT", "/api/v1/courses/{course_id}/policy"): COURSE_STAFF,
    ("DELETE", "/api/v1/courses/{course_id}/policy"): COURSE_STAFF,
}

# Authorized, then refused for an object of the body that does not exist (not the path's).
PAST_AUTHORIZATION = {
    ("POST", "/api/v1/lessons/{lesson_id}/captures"): "No such challenge.",
    ("GET", "/api/v1/evidence/checkpoint"): "no signed checkpoint yet",
    ("GET", "/api/v1/users/{user_id}/identity"): "No identity record yet",
    (
        "GET",
        "/api/v1/lessons/{lesson_id}/attendance/{user_id}/certificate",
    ): "no attendance decision",
    ("GET", "/api/v1/terms/{term_id}/attendance/{user_id}/certificate"): "no attendance decision",
}
DESTRUCTIVE = {"DELETE"}
DESTRUCTIVE_ROUTES = {("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/lessons/{lesson_id}/join")}


@dataclass
class World:
    people: dict[str, Person]
    course: dict[str, Any]
    term: dict[str, Any]
    lesson: dict[str, Any]
    template: str = ""

    def path(self, template: str) -> str:
        self.template = template
        return template.format(
            user_id=self.people["student"].id,
            course_id=self.course["id"],
            term_id=self.term["id"],
            lesson_id=self.lesson["id"],
            capture_id=MISSING_CAPTURE,
            verification_id=MISSING_CAPTURE,
            kind="document",
        )

    def secrets_of_course_a(self) -> list[str]:
        student = self.people["student"].user
        return [self.course["name"], self.lesson["title"], student.email, student.full_name]


@cache
def password_hash() -> str:
    return hash_password_sync(PASSWORD)


async def quick_person(runtime: Runtime, role: Role, label: str) -> Person:
    """An account with a ready-made hash and an open session: worlds are built often."""
    number = next(_numbers)
    now = runtime.clock()
    async with transaction(runtime.session_factory) as db:
        user = User(
            email=f"{label}{number}@matrix.example", username=f"{label}{number}",
            full_name=f"{label.title()} {number}", role=role, is_active=True,
            password_hash=password_hash(), created_at=now, updated_at=now,
        )  # fmt: skip
        db.add(user)
        await db.flush()
        opened = await runtime.session_store.open(db, user_id=user.id, now=now)
    return Person(user=user, headers={"Authorization": f"Bearer {opened.token}"})


async def build_world(client: httpx.AsyncClient, runtime: Runtime) -> World:
    roles = {"student": Role.STUDENT, "other_student": Role.STUDENT, "admin": Role.ADMIN,
             "instructor": Role.INSTRUCTOR, "other_instructor": Role.INSTRUCTOR,
             "co_instructor": Role.INSTRUCTOR, "member_instructor": Role.INSTRUCTOR}  # fmt: skip
    people = {label: await quick_person(runtime, role, label) for label, role in roles.items()}
    courses = []
    for teacher, learner in (("instructor", "student"), ("other_instructor", "other_student")):
        number = next(_numbers)
        course = await make_course(client, people[teacher], name=f"Course {teacher} {number}")
        term = await make_term(client, people[teacher], course["id"])
        await enrol(client, people[teacher], term["id"], people[learner])
        lesson = await make_lesson(
            client, people[teacher], term["id"], title=f"Secret lesson {number}"
        )
        courses.append((course, term, lesson))
    course, term, lesson = courses[0]
    await enrol(client, people["instructor"], term["id"], people["co_instructor"], "INSTRUCTOR")
    await enrol(client, people["instructor"], term["id"], people["member_instructor"], "STUDENT")
    return World(people=people, course=course, term=term, lesson=lesson)


def request_for(method: str, template: str, world: World) -> dict[str, Any]:
    """A plausible request: valid where a route checks access only after reading the body."""
    number = next(_numbers)
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/api/v1/auth/login"): {
            "email": world.people["student"].user.email, "password": PASSWORD,
        },
        ("POST", "/api/v1/auth/register"): {
            "email": f"new{number}@matrix.example", "password": PASSWORD,
            "full_name": "New Person", "username": f"new{number}",
        },
        ("PATCH", "/api/v1/users/me"): {"full_name": "Renamed Person"},
        ("POST", "/api/v1/users"): {
            "email": f"made{number}@matrix.example", "password": PASSWORD,
            "full_name": "Made Person", "username": f"made{number}", "role": "STUDENT",
        },
        ("PATCH", "/api/v1/users/{user_id}"): {"full_name": "Renamed Person"},
        ("POST", "/api/v1/users/{user_id}/consent"): {},
        ("POST", "/api/v1/courses"): {"name": f"New course {number}"},
        ("PATCH", "/api/v1/courses/{course_id}"): {"description": "changed"},
        ("POST", "/api/v1/courses/{course_id}/terms"): {},
        ("PATCH", "/api/v1/terms/{term_id}"): {"status": "RUNNING"},
        ("POST", "/api/v1/terms/{term_id}/members"): {
            "email": world.people["other_student"].user.email, "role": "STUDENT",
        },
        ("POST", "/api/v1/lessons"): {
            "term_id": world.term["id"], "title": "Another lesson", "duration_min": 45,
            "start_date": datetime(2026, 3, 9, 9, 0, tzinfo=UTC).isoformat(),
        },
        ("PATCH", "/api/v1/lessons/{lesson_id}"): {"title": "Renamed lesson"},
        ("POST", "/api/v1/captures/{capture_id}/review"): {"decision": "ACCEPT", "reason": "ok"},
        ("POST", "/api/v1/identity-verifications/{verification_id}/review"): {
            "decision": "VERIFIED", "reason": "ok",
        },
        ("PUT", "/api/v1/courses/{course_id}/policy"): {},
        ("POST", "/api/v1/lessons/{lesson_id}/attendance/{user_id}"): {
            "decision": "ATTENDED", "reason": "seen in the video call",
        },
        ("PUT", "/api/v1/users/{user_id}/identity"): {
            "document_number": "L898902C3", "document_type": "PASSPORT",
            "full_name": "Anna Maria Eriksson", "parent_full_name": "Erik Eriksson",
        },
        ("POST", "/api/v1/evidence/verify"): {"type": ["VerifiableCredential"]},
    }  # fmt: skip
    multipart = {"/api/v1/users/{user_id}/face-enrolment", "/api/v1/lessons/{lesson_id}/captures",
                 "/api/v1/terms/{term_id}/lessons/import",
                 "/api/v1/users/{user_id}/identity/verifications"}  # fmt: skip
    if (method, template) in bodies:
        return {"json": bodies[(method, template)]}
    if (method, template) == ("POST", "/api/v1/lessons/{lesson_id}/captures"):
        form = {"challenge_id": str(MISSING_CAPTURE), "nonce": "n" * 16}
        return {"data": form, "files": {"image": ("face.jpg", b"\xff\xd8\xff", "image/jpeg")}}
    if method == "POST" and template in multipart:
        return {"files": {"unrelated": ("note.txt", b"not what is asked for", "text/plain")}}
    return {}


def schema_routes(app: FastAPI) -> set[tuple[str, str]]:
    document = app.openapi()
    return {(m.upper(), p) for p, operations in document["paths"].items() for m in operations}


def test_the_matrix_has_a_row_for_every_route_and_no_other(app: FastAPI) -> None:
    routes = schema_routes(app)

    assert sorted(routes - MATRIX.keys()) == [], "routes missing from the matrix"
    assert sorted(MATRIX.keys() - routes) == [], "matrix rows for routes that do not exist"
    assert all(len(cells) == len(ROLES) for cells in MATRIX.values())


def verdict(expected: str, response: httpx.Response, world: World) -> str | None:
    status = response.status_code
    route = (response.request.method, world.template)
    if status == 404 and expected == "ok" and route in PAST_AUTHORIZATION:
        return None if PAST_AUTHORIZATION[route] in response.text else "404, expected access"
    if status >= 500:
        return f"server error {status}"
    if expected == "401":
        return None if status == 401 else f"{status}, expected 401"
    if expected == "no":
        if status not in (403, 404):
            return f"{status}, expected 403 or 404"
        leaked = [s for s in world.secrets_of_course_a() if s in response.text]
        return f"refused but the body holds {leaked}" if leaked else None
    return f"{status}, expected access" if status in (401, 403, 404) else None


async def call(
    client: httpx.AsyncClient, world: World, role: str, method: str, template: str
) -> httpx.Response:
    headers = world.people[role].headers if role != "anonymous" else {}
    arguments = request_for(method, template, world)
    return await client.request(method, world.path(template), headers=headers, **arguments)


@pytest.mark.parametrize(
    ("method", "template"), sorted(MATRIX), ids=[" ".join(r) for r in sorted(MATRIX)]
)
async def test_each_role_gets_what_the_matrix_says(
    client: httpx.AsyncClient, runtime: Runtime, method: str, template: str
) -> None:
    destructive = method in DESTRUCTIVE or (method, template) in DESTRUCTIVE_ROUTES
    world = await build_world(client, runtime)
    wrong = []

    for role, expected in zip(ROLES, MATRIX[(method, template)], strict=True):
        if destructive and role != ROLES[0]:
            world = await build_world(client, runtime)
        response = await call(client, world, role, method, template)
        problem = verdict(expected, response, world)
        if problem:
            wrong.append(f"{role}: {problem} ({response.text[:120]})")

    assert wrong == []
