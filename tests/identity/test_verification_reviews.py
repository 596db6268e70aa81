"""Who sees a verification, the reviewers' queue and their decisions, the pictures (R11, R19)."""

import io
from dataclasses import dataclass

import httpx
import numpy as np
from PIL import Image

from tests.biometrics.conftest import jpeg
from tests.identity.stories import (
    ANNA,
    read_by_worker,
    ready_to_verify,
    verification_url,
    verify,
)
from tests.support.factories import Person, signed_in
from tests.support.school import enrol, make_course, make_term
from trust_lesson.identity import queue
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime

QUEUE = "/api/v1/identity-verifications?status=NEEDS_REVIEW"


def with_gps(rgb: np.ndarray) -> bytes:
    """A JPEG carrying EXIF with a GPS block, as a phone writes it."""
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


@dataclass
class School:
    student: Person
    teacher: Person
    other_teacher: Person
    other_student: Person
    admin: Person


async def school(client: httpx.AsyncClient, runtime: Runtime) -> School:
    people = School(
        student=await signed_in(client, runtime),
        teacher=await signed_in(client, runtime, Role.INSTRUCTOR),
        other_teacher=await signed_in(client, runtime, Role.INSTRUCTOR),
        other_student=await signed_in(client, runtime),
        admin=await signed_in(client, runtime, Role.ADMIN),
    )
    course = await make_course(client, people.teacher)
    term = await make_term(client, people.teacher, course["id"])
    await enrol(client, people.teacher, term["id"], people.student)
    return people


async def waiting_verification(client: httpx.AsyncClient, runtime: Runtime, s: School) -> int:
    await ready_to_verify(client, s.student, ANNA)
    page = np.full((600, 900, 3), 200, dtype=np.uint8)
    verification_id = await verify(client, s.student, with_gps(page), jpeg(page[:400, :400]))
    await read_by_worker(runtime, verification_id)
    return verification_id


async def test_the_student_and_their_reviewers_see_it_nobody_else(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    s = await school(client, runtime)
    verification_id = await waiting_verification(client, runtime, s)

    seen = {
        name: (await client.get(verification_url(verification_id), headers=p.headers))
        for name, p in vars(s).items()
    }

    assert {name: r.status_code for name, r in seen.items()} == {
        "student": 200, "teacher": 200, "admin": 200, "other_teacher": 404, "other_student": 404,
    }  # fmt: skip
    assert seen["other_teacher"].json() == {"detail": "No such identity verification.",
                                            "code": "not_found"}  # fmt: skip
    body = seen["teacher"].json()
    assert body["status"] == "NEEDS_REVIEW" and body["portrait_similarity"] == 87.0
    assert "portrait_embedding" not in body and "document_key" not in body


async def test_the_queue_lists_only_the_reviewers_people(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    s = await school(client, runtime)
    verification_id = await waiting_verification(client, runtime, s)

    queues = {
        name: await client.get(QUEUE, headers=getattr(s, name).headers)
        for name in ("teacher", "admin", "other_teacher", "student")
    }

    assert [v["id"] for v in queues["teacher"].json()] == [verification_id]
    assert [v["id"] for v in queues["admin"].json()] == [verification_id]
    assert queues["other_teacher"].json() == []
    assert queues["student"].status_code == 403


async def test_a_reviewer_decides_with_a_reason_and_every_decision_is_kept(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    s = await school(client, runtime)
    verification_id = await waiting_verification(client, runtime, s)
    url = f"{verification_url(verification_id)}/review"

    by_student = await client.post(
        url, json={"decision": "VERIFIED", "reason": "it is me"}, headers=s.student.headers
    )
    no_reason = await client.post(url, json={"decision": "VERIFIED"}, headers=s.teacher.headers)
    first = await client.post(
        url, json={"decision": "REJECTED", "reason": "photo too dark"}, headers=s.teacher.headers
    )
    second = await client.post(
        url, json={"decision": "VERIFIED", "reason": "checked in person"}, headers=s.admin.headers
    )
    queue = await client.get(QUEUE, headers=s.teacher.headers)

    assert (by_student.status_code, no_reason.status_code) == (403, 422)
    assert first.status_code == 200 and first.json()["status"] == "REJECTED"
    body = second.json()
    assert (body["status"], body["machine_status"]) == ("VERIFIED", "NEEDS_REVIEW")
    assert [(r["decision"], r["reason"]) for r in body["reviews"]] == [
        ("REJECTED", "photo too dark"), ("VERIFIED", "checked in person"),
    ]  # fmt: skip
    assert queue.json() == []


async def test_a_verification_still_being_read_cannot_be_decided(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    s = await school(client, runtime)
    await ready_to_verify(client, s.student, ANNA)
    page = np.full((600, 900, 3), 200, dtype=np.uint8)
    verification_id = await verify(client, s.student, jpeg(page), jpeg(page[:400, :400]))

    early = await client.post(
        f"{verification_url(verification_id)}/review",
        json={"decision": "VERIFIED", "reason": "looks fine"},
        headers=s.teacher.headers,
    )

    assert early.status_code == 409


async def test_the_pictures_go_only_to_reviewers_and_without_metadata(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    s = await school(client, runtime)
    verification_id = await waiting_verification(client, runtime, s)
    url = f"{verification_url(verification_id)}/pictures/document"

    to_teacher = await client.get(url, headers=s.teacher.headers)
    to_student = await client.get(url, headers=s.student.headers)
    to_stranger = await client.get(url, headers=s.other_teacher.headers)
    no_back = await client.get(
        f"{verification_url(verification_id)}/pictures/document_back", headers=s.teacher.headers
    )

    assert to_teacher.status_code == 200 and to_teacher.headers["content-type"] == "image/jpeg"
    served = Image.open(io.BytesIO(to_teacher.content))
    assert served.size == (900, 600) and len(served.getexif()) == 0
    assert (to_student.status_code, to_stranger.status_code, no_back.status_code) == (
        403, 404, 404,
    )  # fmt: skip


async def test_the_list_shows_each_verification_with_its_own_decisions(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """The reviews of a whole page are read at once and handed to their own verification."""
    s = await school(client, runtime)
    decided = await waiting_verification(client, runtime, s)
    for decision, reason in (("REJECTED", "photo too dark"), ("VERIFIED", "checked in person")):
        await client.post(
            f"{verification_url(decided)}/review",
            json={"decision": decision, "reason": reason},
            headers=s.teacher.headers,
        )
    page = np.full((600, 900, 3), 200, dtype=np.uint8)
    waiting = await verify(client, s.student, with_gps(page), jpeg(page[:400, :400]))
    await read_by_worker(runtime, waiting)
    async with runtime.session_factory() as db:
        counted = {
            person: await queue.waiting_count(db=db, caller=getattr(s, person).user)
            for person in ("teacher", "admin", "other_teacher", "student")
        }

    listed = await client.get("/api/v1/identity-verifications", headers=s.teacher.headers)

    assert {v["id"]: [r["reason"] for r in v["reviews"]] for v in listed.json()} == {
        decided: ["photo too dark", "checked in person"], waiting: [],
    }  # fmt: skip
    assert counted == {"teacher": 1, "admin": 1, "other_teacher": 0, "student": 0}
