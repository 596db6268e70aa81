"""The student's pages in process (no browser): consent, home and the room's shell."""

import re

import httpx
import numpy as np
from sqlalchemy import func, select

from tests.presence.live import join, live_lesson
from tests.presence.verdict_support import enrol_face
from tests.support.clock import FakeClock
from tests.support.factories import make_user
from tests.support.school import make_lesson
from tests.web.test_browser_sessions import SAME_SITE, browser_sign_in
from trust_lesson.biometrics import service as biometrics
from trust_lesson.db import transaction
from trust_lesson.models import BiometricConsent, FaceTemplate
from trust_lesson.runtime import Runtime

HTML = {"Accept": "text/html"}
CALL = "https://meet.school.example/right-of-way"


async def test_consent_is_given_with_the_version_read_and_withdrawn_with_the_templates(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await make_user(runtime)
    csrf = await browser_sign_in(client, student.email)

    page = await client.get("/consent", headers=HTML)
    given = await client.post(
        "/consent", data={"csrf_token": csrf, "text_version": "2026-03"}, headers=SAME_SITE
    )
    await _face_templates(runtime, student.id)
    templates_before = await _count(runtime, FaceTemplate)
    withdrawn = await client.post("/consent/withdraw", data={"csrf_token": csrf}, headers=SAME_SITE)

    assert "version <strong>2026-03</strong>" in page.text
    assert "I consent" in page.text
    assert given.status_code == 303
    assert templates_before == 1
    assert withdrawn.status_code == 303
    assert await _count(runtime, FaceTemplate) == 0
    after = await client.get("/consent", headers=HTML)
    assert 'data-consent="none"' in after.text


async def test_a_consent_posted_without_the_token_is_refused_and_records_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await make_user(runtime)
    await browser_sign_in(client, student.email)

    refused = await client.post(
        "/consent",
        data={"text_version": "2026-03"},
        headers={"Sec-Fetch-Site": "cross-site", "Accept": "text/html"},
    )

    assert refused.status_code == 403
    assert await _count(runtime, BiometricConsent) == 0


async def test_a_consent_to_a_version_never_published_is_refused_422_with_the_reason(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await make_user(runtime)
    csrf = await browser_sign_in(client, student.email)

    tampered = await client.post(
        "/consent", data={"csrf_token": csrf, "text_version": "2099-01"}, headers=SAME_SITE
    )
    malformed = await client.post(
        "/consent", data={"csrf_token": csrf, "text_version": "no such!"}, headers=SAME_SITE
    )

    assert tampered.status_code == 422
    assert "Consent text version: 2099-01 is not a published consent text" in tampered.text
    assert malformed.status_code == 422
    assert "Consent text version: " in malformed.text
    assert await _count(runtime, BiometricConsent) == 0


async def test_consenting_twice_to_the_same_version_is_a_409_in_words(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    student = await make_user(runtime)
    csrf = await browser_sign_in(client, student.email)
    form = {"csrf_token": csrf, "text_version": "2026-03"}

    first = await client.post("/consent", data=form, headers=SAME_SITE)
    again = await client.post("/consent", data=form, headers=SAME_SITE)

    assert first.status_code == 303
    assert again.status_code == 409
    assert "Consent to text version 2026-03 is already given." in again.text


async def test_home_says_the_next_step_then_leads_into_a_running_lesson(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(client, runtime, clock)
    await browser_sign_in(client, live.student.user.email)

    before = (await client.get("/home", headers=HTML)).text
    await enrol_face(runtime, live.student, np.ones(128, dtype=np.float32))
    after = (await client.get("/home", headers=HTML)).text

    assert 'href="/consent">Give consent</a>' in before
    assert "Before your next lesson" in before  # also true after a withdrawal, unlike "first"
    assert f'href="/lessons/{live.lesson_id}/room">Enter the lesson room</a>' in before
    assert "Give consent</a>" not in after
    assert "Face enrolled (1 picture)" in after


async def test_home_does_not_promise_a_room_for_a_lesson_whose_time_is_over(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(client, runtime, clock)
    planned = await make_lesson(
        client, live.instructor, live.term_id, start=clock.now, duration_min=30, title="Signs"
    )
    clock.advance(hours=2)  # the instructor never started it
    await browser_sign_in(client, live.student.user.email)

    home = (await client.get("/home", headers=HTML)).text

    item = re.search(rf'<li data-lesson-id="{planned["id"]}">(.*?)</li>', home, re.S)
    assert item is not None
    assert "its planned time is over" in item.group(1)
    assert "the room opens when the instructor starts the lesson" not in item.group(1)


async def test_home_shows_own_attendance_with_its_reasons(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(client, runtime, clock)
    await join(client, live, live.student)
    clock.advance(minutes=5)
    stopped = await client.post(live.url("stop"), headers=live.instructor.headers)
    assert stopped.status_code == 200
    await browser_sign_in(client, live.student.user.email)

    home = (await client.get("/home", headers=HTML)).text

    assert 'data-decision="ABSENT"' in home
    assert "0 of 1 check verified" in home


async def test_the_room_is_for_the_lessons_students_and_embeds_its_meeting(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(client, runtime, clock)
    linked = await client.patch(
        f"/api/v1/lessons/{live.lesson_id}",
        json={"meeting_url": CALL},
        headers=live.instructor.headers,
    )
    assert linked.status_code == 200, linked.text
    room = f"/lessons/{live.lesson_id}/room"
    outsider = await make_user(runtime)

    anonymous = await client.get(room, headers=HTML)
    await browser_sign_in(client, live.student.user.email)
    student = await client.get(room, headers=HTML)
    await browser_sign_in(client, live.instructor.user.email)
    instructor = await client.get(room, headers=HTML)
    await browser_sign_in(client, outsider.email)
    stranger = await client.get(room, headers=HTML)

    assert anonymous.status_code == 303
    assert student.status_code == 200
    assert f'data-lesson-id="{live.lesson_id}"' in student.text
    assert f'<iframe src="{CALL}"' in student.text
    assert 'src="/static/js/room.js"' in student.text
    assert instructor.status_code == 403
    assert stranger.status_code == 404


async def test_the_rooms_checks_are_read_out_as_their_verdicts_arrive(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    """A screen reader hears "Verified" or "No face found" without leaving the camera."""
    live = await live_lesson(client, runtime, clock)
    await browser_sign_in(client, live.student.user.email)

    room = await client.get(f"/lessons/{live.lesson_id}/room", headers=HTML)

    assert '<ol id="checks" class="checks" aria-live="polite">' in room.text


async def test_a_username_with_a_space_is_refused_with_what_it_takes_and_the_typing_stays(
    client: httpx.AsyncClient,
) -> None:
    typed = {"email": "sam@school.example", "full_name": "Sam Doe", "username": "sam doe"}

    refused = await client.post(
        "/register", data={**typed, "password": "a long and unusual passphrase"}, headers=SAME_SITE
    )

    assert refused.status_code == 422
    problem = re.search(r'id="f-username-problem">([^<]*)<', refused.text)
    assert problem is not None
    assert problem.group(1) == (
        "Not valid here: use 3 to 64 letters, digits, dots, dashes or underscores (no spaces)."
    )
    assert 'value="sam doe"' in refused.text and 'value="Sam Doe"' in refused.text


async def _face_templates(runtime: Runtime, user_id: int) -> None:
    async with transaction(runtime.session_factory) as db:
        faces = [(np.ones(128, dtype=np.float32), "0" * 64)]
        await biometrics.replace_templates(db=db, user_id=user_id, faces=faces, now=runtime.clock())


async def _count(runtime: Runtime, model: type) -> int:
    async with transaction(runtime.session_factory) as db:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)
