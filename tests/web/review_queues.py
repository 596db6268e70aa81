"""The reviewers' queues, long: pictures and appeals for /reviews, identities for
/identity-reviews; and their forms sent as the page shows them (hidden fields and all)."""

import re
from dataclasses import dataclass

import httpx

from tests.identity.test_verification_reviews import School, waiting_verification
from tests.support.factories import make_user
from tests.support.presence import add_check
from tests.web.page_forms import SAME_SITE, lesson_of, page_sign_in
from trust_lesson.db import transaction
from trust_lesson.models import (
    AttendanceAppeal,
    AttendanceDecision,
    IdentityVerification,
    Role,
)
from trust_lesson.presence.verdicts import AttendancePath, ChallengeKind, Decision, Verdict
from trust_lesson.runtime import Runtime

REVIEWED = {"decision": "VERIFIED", "reason": "Same face as the enrolment."}
UPHELD = {"outcome": "UPHELD", "reply": "The decision stands."}
DECIDED = {"decision": "VERIFIED", "reason": "the portrait is her"}


@dataclass
class ReviewQueue:
    """A reviewer signed in through the pages, with pictures and appeals waiting, oldest first."""

    csrf: str
    captures: list[int]
    appeals: list[int]


async def long_review_queue(
    client: httpx.AsyncClient, runtime: Runtime, *, pictures: int, appeals: int
) -> ReviewQueue:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    student = await make_user(runtime, Role.STUDENT)
    appellant = await make_user(runtime, Role.STUDENT)
    csrf = await page_sign_in(client, teacher)
    lesson_id = await lesson_of(client, runtime, csrf, student=student, title="Parking")
    return ReviewQueue(
        csrf,
        await doubtful_pictures(runtime, lesson_id, student.id, pictures),
        await open_appeals(runtime, lesson_id, appellant.id, appeals),
    )


async def doubtful_pictures(
    runtime: Runtime, lesson_id: int, user_id: int, count: int
) -> list[int]:
    """`count` pictures of the student waiting for a reviewer, taken at once: their ids."""
    now = runtime.clock()
    found = [
        (await add_check(runtime, lesson_id=lesson_id, user_id=user_id, kind=ChallengeKind.RANDOM,
                         issued_at=now, verdict=Verdict.NEEDS_REVIEW)).capture_id
        for _ in range(count)
    ]  # fmt: skip
    return [capture_id for capture_id in found if capture_id is not None]


async def open_appeals(runtime: Runtime, lesson_id: int, user_id: int, count: int) -> list[int]:
    """`count` absences of the student, each appealed at once: the appeals' ids."""
    now = runtime.clock()
    async with transaction(runtime.session_factory) as db:
        decisions = [
            AttendanceDecision(lesson_id=lesson_id, user_id=user_id, decision=Decision.ABSENT,
                               reasons=[], checks_total=0, checks_verified=0, decided_at=now,
                               path=AttendancePath.BIOMETRIC)
            for _ in range(count)
        ]  # fmt: skip
        db.add_all(decisions)
        await db.flush()
        filed = [
            AttendanceAppeal(decision_id=decision.id, lesson_id=lesson_id, user_id=user_id,
                             reason="I was there.", filed_at=now)
            for decision in decisions
        ]  # fmt: skip
        db.add_all(filed)
        await db.flush()
        return [appeal.id for appeal in filed]


async def more_waiting_identities(runtime: Runtime, first_id: int, count: int) -> list[int]:
    """`count` more verifications like `first_id`, sent at the same moment: their ids."""
    async with transaction(runtime.session_factory) as db:
        sent = await db.get_one(IdentityVerification, first_id)
        copies = [
            IdentityVerification(user_id=sent.user_id, record_id=sent.record_id,
                                 status=sent.status, machine_status=sent.machine_status,
                                 created_at=sent.created_at)
            for _ in range(count)
        ]  # fmt: skip
        db.add_all(copies)
        await db.flush()
        return [copy.id for copy in copies]


async def long_identity_queue(
    client: httpx.AsyncClient, runtime: Runtime, s: School, *, waiting: int
) -> list[int]:
    """`waiting` verifications of `s.student` waiting for their teacher, oldest first."""
    first_id = await waiting_verification(client, runtime, s)
    return [first_id] + await more_waiting_identities(runtime, first_id, waiting - 1)


def form_fields(page: str, action: str) -> dict[str, str]:
    """What the page's form posting to `action` sends of itself: its hidden fields."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', page, re.S)
    assert form is not None, action
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(0)))


async def send_form(
    client: httpx.AsyncClient, page: str, action: str, typed: dict[str, str]
) -> httpx.Response:
    """The form posting to `action` sent as the page shows it, with what the person typed."""
    data = form_fields(page, action) | typed
    return await client.post(action, data=data, headers=SAME_SITE)


def shown(page: str, row: str) -> list[int]:
    """The `row` attribute (say `data-capture-id`) of each item the page lists, in order."""
    return [int(found) for found in re.findall(rf'<li [^>]*?\b{row}="(\d+)"', page)]
