"""The authorization matrix's world, and how each role calls it: as an API client or a browser.

Two courses: A (taught by `instructor`, with `student` enrolled, a `co_instructor` who is an
INSTRUCTOR member of its term and a `member_instructor`, an instructor account enrolled in it
as a STUDENT) and B (taught by `other_instructor`, with `other_student`). In course A's lesson
`student` answered a head-turn check with a burst of two frames (a capture with its pictures
stored), and `student` sent an identity verification that waits for a reviewer. Course A has
a second lesson, taught and stopped through the API: `student` passed its one check, so the
stop decided their attendance and their lesson and term certificates can be issued; paths to
a certificate name that lesson (the first stays planned, so its joins and checks still work).
`{decision_id}` is `student`'s decision there (ATTENDED: nothing to appeal, a 409 for them);
`member_instructor`, absent from that lesson, appealed their own decision: `{appeal_id}`.
Course B's course, term and lesson are kept too: a query may name them (`other_term`).
"""

import io
import itertools
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

import httpx
from PIL import Image

from tests.identity.stories import ANNA, read_by_worker, ready_to_verify, verify
from tests.support.factories import PASSWORD, Person
from tests.support.presence import add_timeline
from tests.support.school import enrol, make_course, make_lesson, make_term
from trust_lesson.auth.passwords import hash_password_sync
from trust_lesson.db import transaction
from trust_lesson.evidence.keys import PublishedKeys
from trust_lesson.models import Capture, CaptureStatus, Challenge, ChallengeStatus, Role, User
from trust_lesson.presence.verdicts import ChallengeKind, TurnDirection, Verdict
from trust_lesson.runtime import Runtime
from trust_lesson.web.browser_session import COOKIE, CSRF_HEADER, csrf_token

ROLES = (
    "anonymous", "student", "other_student", "instructor", "other_instructor", "admin",
    "co_instructor", "member_instructor",
)  # fmt: skip
_numbers = itertools.count(1)
# `{lesson_id}` in these paths is the decided lesson, the one lesson a certificate is for.
OF_THE_DECIDED_LESSON = frozenset({"/api/v1/lessons/{lesson_id}/attendance/{user_id}/certificate"})


def next_number() -> int:
    """A number no other account, course or lesson of the run has used."""
    return next(_numbers)


@dataclass
class World:
    people: dict[str, Person]
    course: dict[str, Any]
    term: dict[str, Any]
    lesson: dict[str, Any]
    capture_id: int
    verification_id: int
    decided_lesson: dict[str, Any]
    decision_id: int
    appeal_id: int
    appeal_reason: str
    school_keys: PublishedKeys  # to check a certificate with, as anyone can
    other_course: dict[str, Any]
    other_term: dict[str, Any]
    other_lesson: dict[str, Any]
    template: str = ""

    def path(self, template: str, files: dict[str, str], *, decided: bool = False) -> str:
        """The template with course A's objects; `{path}` of a static mount: one of its files.
        `{lesson_id}` is the decided lesson for a certificate, or when `decided` asks for it."""
        self.template = template
        decided = decided or template in OF_THE_DECIDED_LESSON
        lesson = self.decided_lesson if decided else self.lesson
        return template.format(
            user_id=self.people["student"].id,
            course_id=self.course["id"],
            term_id=self.term["id"],
            lesson_id=lesson["id"],
            capture_id=self.capture_id,
            verification_id=self.verification_id,
            decision_id=self.decision_id,
            appeal_id=self.appeal_id,
            kind="document",
            number=1,
            path=files.get(template, ""),
        )

    def secrets_of_course_a(self) -> list[str]:
        titles = [self.lesson["title"], self.decided_lesson["title"]]
        return [self.course["name"], *titles, self.appeal_reason, *self.people_of_course_a()]

    def secrets_of_course_b(self) -> list[str]:
        other = self.people["other_student"].user
        titles = [self.other_course["name"], self.other_lesson["title"]]
        return [*titles, other.email, other.full_name]

    def people_of_course_a(self) -> list[str]:
        student = self.people["student"].user
        return [student.email, student.full_name]

    def identity_of(self, role: str) -> list[str]:
        """The email and name of the person acting as ``role`` (none for anonymous)."""
        if role == "anonymous":
            return []
        person = self.people[role].user
        return [person.email, person.full_name]

    def api_headers(self, role: str) -> dict[str, str]:
        return self.people[role].headers if role != "anonymous" else {}

    def browser_headers(self, role: str, secret_key: str) -> dict[str, str]:
        """A browser on this site: the session in its cookie, the CSRF token its forms carry."""
        headers = {"Accept": "text/html", "Sec-Fetch-Site": "same-origin"}
        if role == "anonymous":
            return headers
        token = self.people[role].headers["Authorization"].removeprefix("Bearer ")
        return {
            **headers,
            "Cookie": f"{COOKIE}={token}",
            CSRF_HEADER: csrf_token(secret_key, token),
        }


@cache
def password_hash() -> str:
    return hash_password_sync(PASSWORD)


async def quick_person(runtime: Runtime, role: Role, label: str) -> Person:
    """An account with a ready-made hash and an open session: worlds are built often."""
    number = next_number()
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
        number = next_number()
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
    capture_id = await answered_head_turn(
        runtime, lesson_id=lesson["id"], student=people["student"]
    )
    verification_id = await waiting_verification(client, runtime, people["student"])
    decided = await decided_lesson(
        client, runtime, teacher=people["instructor"], term_id=term["id"], student=people["student"]
    )
    decision_id = (await own_decision(client, decided, people["student"]))["id"]
    reason = f"Secret appeal {next_number()}: I was there."
    appeal_id = await appealed(client, decided, people["member_instructor"], reason)
    return World(
        people, course, term, lesson, capture_id, verification_id, decided, decision_id,
        appeal_id, reason, runtime.school_keys.public, *courses[1],
    )  # fmt: skip


async def own_decision(
    client: httpx.AsyncClient, lesson: dict[str, Any], person: Person
) -> dict[str, Any]:
    url = f"/api/v1/lessons/{lesson['id']}/attendance"
    [decision] = (await client.get(url, headers=person.headers)).json()
    return dict(decision)


async def appealed(
    client: httpx.AsyncClient, lesson: dict[str, Any], person: Person, reason: str
) -> int:
    """The person appeals their own decision of the lesson; the appeal's id."""
    decision = await own_decision(client, lesson, person)
    url = f"/api/v1/decisions/{decision['id']}/appeals"
    filed = await client.post(url, json={"reason": reason}, headers=person.headers)
    assert filed.status_code == 201, filed.text
    return int(filed.json()["id"])


async def decided_lesson(
    client: httpx.AsyncClient, runtime: Runtime, *, teacher: Person, term_id: int, student: Person
) -> dict[str, Any]:
    """A lesson started and stopped now by its teacher, `student` verified at its entry check:
    the stop decides every enrolled student (the member instructor, who never came, too)."""
    now = runtime.clock()
    title = f"Decided lesson {next_number()}"
    lesson = await make_lesson(client, teacher, term_id, start=now, title=title)
    url = f"/api/v1/lessons/{lesson['id']}"
    started = await client.post(f"{url}/start", headers=teacher.headers)
    assert started.status_code == 200, started.text
    await add_timeline(
        runtime, lesson_id=lesson["id"], user_id=student.id, start=now, verdicts=[Verdict.VERIFIED]
    )
    stopped = await client.post(f"{url}/stop", headers=teacher.headers)
    assert stopped.status_code == 200, stopped.text
    body: dict[str, Any] = stopped.json()
    return body


async def answered_head_turn(runtime: Runtime, *, lesson_id: int, student: Person) -> int:
    """A head-turn check answered with two stored frames, waiting for a reviewer."""
    now = runtime.clock()
    frames = [await runtime.blobs.put(jpeg(shade), kind="captures", now=now, suffix=".jpg")
              for shade in (60, 180)]  # fmt: skip
    async with transaction(runtime.session_factory) as db:
        challenge = Challenge(
            lesson_id=lesson_id, user_id=student.id, kind=ChallengeKind.ENTRY,
            nonce=secrets.token_urlsafe(16), issued_at=now, deadline=now + timedelta(minutes=1),
            status=ChallengeStatus.ANSWERED, liveness=TurnDirection.LEFT,
        )  # fmt: skip
        db.add(challenge)
        await db.flush()
        capture = Capture(
            lesson_id=lesson_id, user_id=student.id, challenge_id=challenge.id,
            blob_key=frames[0].key, frame_keys=[frame.key for frame in frames],
            sha256=secrets.token_hex(32), size=sum(frame.size for frame in frames),
            status=CaptureStatus.DONE, verdict=Verdict.NEEDS_REVIEW, reasons=[], scores={},
            created_at=now, analyzed_at=now,
        )  # fmt: skip
        db.add(capture)
        await db.flush()
        return capture.id


async def waiting_verification(client: httpx.AsyncClient, runtime: Runtime, person: Person) -> int:
    """The person's record, consent and pictures sent; the worker left it to a reviewer."""
    await ready_to_verify(client, person, ANNA)
    verification_id = await verify(client, person, jpeg(200, size=320), jpeg(120, size=160))
    await read_by_worker(runtime, verification_id)
    return verification_id


def jpeg(shade: int, size: int = 64) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (shade, shade, shade)).save(buffer, "JPEG")
    return buffer.getvalue()
