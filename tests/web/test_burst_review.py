"""A reviewer settling a head-turn check sees every frame of the burst in process: the side the
student was asked to turn to, in words, each frame with the yaw and the faces the worker
measured, and each frame served (re-encoded, never cached) to the reviewer alone."""

import html
import io
import re
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.presence.live import (
    LiveLesson,
    join,
    live_lesson,
    load_capture,
    small_jpeg,
    upload_burst,
)
from tests.presence.test_liveness_verdicts import CONCHITA, faces_towards
from tests.presence.verdict_support import enrol_face, judge_now
from tests.support.clock import FakeClock
from tests.support.factories import make_user
from tests.support.pages import inline_code
from tests.support.presence import add_check
from tests.vision.bursts import OTHER_SIDE, head_turn, one_way_clip
from tests.web.page_forms import SAME_SITE, page_sign_in
from trust_lesson.models import Role, User
from trust_lesson.presence.verdicts import ChallengeKind, Verdict
from trust_lesson.runtime import Runtime
from trust_lesson.vision import decode_image
from trust_lesson.vision.faces import largest_face_embedding

SIDE_WORDS = {"LEFT": "turn the head to their left", "RIGHT": "turn the head to their right"}


@pytest.mark.slow
async def test_a_reviewer_sees_every_frame_of_a_failed_turn_and_nobody_else_gets_one(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, testdata: Path
) -> None:
    live = await live_lesson(client, runtime, clock, liveness_checks=None)
    challenge = (await join(client, live, live.student))["challenge"]
    asked = challenge["liveness"]["direction"]
    frontal, turned = faces_towards(testdata, CONCHITA, OTHER_SIDE[asked])  # the wrong way
    template = largest_face_embedding(frontal)
    assert template is not None
    await enrol_face(runtime, live.student, template)
    burst = head_turn(frontal, turned, seed=2)
    sent = await upload_burst(client, live, live.student, challenge, burst)
    capture_id = sent.json()["capture_id"]
    assert await judge_now(runtime, capture_id) is Verdict.LIVENESS_FAILED
    measured = (await load_capture(runtime, capture_id)).scores["liveness"]
    stranger = await make_user(runtime, Role.INSTRUCTOR)

    await page_sign_in(client, live.instructor.user)
    queue = await client.get("/reviews", headers=SAME_SITE)
    page = await client.get(f"/captures/{capture_id}", headers=SAME_SITE)
    served = [await client.get(f"/captures/{capture_id}/frames/{n}") for n in range(7)]
    refused = {
        person.username: await frames_as(client, person, capture_id, count=5)
        for person in (live.student.user, stranger)
    }

    assert (
        f'<a href="/captures/{capture_id}?back=queue&amp;pictures_page=1&amp;appeals_page=1"'
        " data-open-check>See every frame of the head turn</a>"
    ) in queue.text
    assert page.status_code == 200
    shown = frames_shown(page.text)
    assert shown == [(n + 1, measured["yaw"][n], measured["faces"][n]) for n in range(len(burst))]
    assert all(yaw is not None for _, yaw, _ in shown)
    text = html.unescape(page.text)
    assert f'data-asked="{asked}">{SIDE_WORDS[asked]}</dd>' in text
    for number, yaw, faces in shown:
        assert f"Frame {number}: yaw {yaw:+.2f}, {faces} face" in text
        assert f"Frame {number} of 5 of {live.student.user.full_name}'s head turn" in text
    assert f"{measured['turn']:+.2f} towards the asked side" in text
    assert f"/captures/{capture_id}/picture" not in text  # frame 1 is shown with the others
    assert inline_code(page.text) == []
    assert [answer.status_code for answer in served] == [404, 200, 200, 200, 200, 200, 404]
    assert "there is no frame 0" in served[0].text and "there is no frame 6" in served[6].text
    for answer in served[1:6]:
        assert answer.headers["content-type"] == "image/jpeg"
        assert answer.headers["cache-control"] == "no-store"
        assert b"Exif" not in answer.content
    assert [closest(answer.content, burst) for answer in served[1:6]] == [0, 1, 2, 3, 4]
    assert refused == {live.student.user.username: [403] * 5, stranger.username: [404] * 5}


@pytest.mark.slow
async def test_a_two_step_check_reads_both_sides_and_each_step_of_a_one_way_clip(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, testdata: Path
) -> None:
    policy = {"liveness_two_step": True}
    live = await live_lesson(client, runtime, clock, policy=policy, liveness_checks=None)
    challenge = (await join(client, live, live.student))["challenge"]
    first, then = challenge["liveness"]["direction"].split("_THEN_")
    frontal, turned = faces_towards(testdata, CONCHITA, first)
    template = largest_face_embedding(frontal)
    assert template is not None
    await enrol_face(runtime, live.student, template)
    sent = await upload_burst(client, live, live.student, challenge, one_way_clip(frontal, turned))
    capture_id = sent.json()["capture_id"]
    assert await judge_now(runtime, capture_id) is Verdict.LIVENESS_FAILED
    measured = (await load_capture(runtime, capture_id)).scores["liveness"]

    await page_sign_in(client, live.instructor.user)
    page = await client.get(f"/captures/{capture_id}", headers=SAME_SITE)

    asked = f"turn the head to their {first.lower()}, then to their {then.lower()}"
    assert f">{asked}</dd>" in page.text
    assert [yaw for _, yaw, _ in frames_shown(page.text)] == measured["yaw"]
    assert len(measured["yaw"]) == 8
    first_step, second_step = measured["steps"]
    assert (
        f'Step 1: to their {first.lower()}</dt><dd data-step="1">turned '
        f"{first_step['turn']:+.2f}, done at frame {first_step['done_at_frame']}</dd>"
    ) in page.text
    assert second_step["done_at_frame"] is None
    assert f'Step 2: to their {then.lower()}</dt><dd data-step="2">' in page.text
    assert re.search(r'data-step="2">[^<]*, not done</dd>', page.text)


async def test_an_unmeasured_burst_shows_its_frames_until_purged_and_one_picture_has_none(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(client, runtime, clock, liveness_checks=None)
    challenge = (await join(client, live, live.student))["challenge"]
    asked = challenge["liveness"]["direction"]
    frames = [small_jpeg((40 * n, 90, 150), size=200) for n in range(4)]
    sent = await upload_burst(client, live, live.student, challenge, frames)
    burst_id = sent.json()["capture_id"]
    assert await judge_now(runtime, burst_id) is Verdict.NEEDS_REVIEW  # no enrolment: unmeasured
    ordinary = await ordinary_check(runtime, live)

    await page_sign_in(client, live.instructor.user)
    unmeasured = await client.get(f"/captures/{burst_id}", headers=SAME_SITE)
    kept = await client.get(f"/captures/{burst_id}/frames/4")
    one_picture = await client.get(f"/captures/{ordinary}/frames/1")
    ordinary_page = await client.get(f"/captures/{ordinary}", headers=SAME_SITE)
    clock.advance(days=181)
    assert runtime.worker.tasks["retention"].call_local() == 1
    await page_sign_in(client, live.instructor.user)
    purged = await client.get(f"/captures/{burst_id}", headers=SAME_SITE)
    gone = await client.get(f"/captures/{burst_id}/frames/1")

    assert frames_shown(unmeasured.text) == [(n, None, None) for n in range(1, 5)]
    assert f'data-asked="{asked}">{SIDE_WORDS[asked]}</dd>' in unmeasured.text
    assert "Frame 2: yaw not measured, faces not counted" in unmeasured.text
    assert kept.status_code == 200 and kept.headers["content-type"] == "image/jpeg"
    assert one_picture.status_code == 404
    assert "answered with one picture, not a burst of frames" in one_picture.text
    assert "data-frame" not in ordinary_page.text and "data-asked" not in ordinary_page.text
    assert f"/captures/{ordinary}/picture" not in ordinary_page.text  # its picture is purged
    assert "The picture is no longer kept." in ordinary_page.text
    assert "The frames are no longer kept." in purged.text
    assert "/frames/" not in purged.text
    assert gone.status_code == 404 and "no longer kept" in gone.text


async def frames_as(
    client: httpx.AsyncClient, person: User, capture_id: int, *, count: int
) -> list[int]:
    """The status of every frame's URL for ``person``, signed in through the pages."""
    client.cookies.clear()
    await page_sign_in(client, person)
    answers = [await client.get(f"/captures/{capture_id}/frames/{n}") for n in range(1, count + 1)]
    assert all(b"\xff\xd8" not in answer.content for answer in answers)  # no JPEG in a refusal
    return [answer.status_code for answer in answers]


def frames_shown(page: str) -> list[tuple[int, float | None, int | None]]:
    """(number, yaw, faces) of each frame of the page, in the page's order."""
    found = re.findall(r'data-frame="(\d+)" data-yaw="([^"]*)" data-faces="([^"]*)"', page)
    return [
        (
            int(number),
            None if yaw == "null" else float(yaw),
            None if faces == "null" else int(faces),
        )
        for number, yaw, faces in found
    ]


def closest(served: bytes, sent: list[bytes]) -> int:
    """Which sent frame a served (re-encoded) frame shows: the one it differs from least."""
    pixels = np.asarray(Image.open(io.BytesIO(served)).convert("RGB"), np.float32)
    differences = [np.abs(pixels - decode_image(frame).rgb).mean() for frame in sent]
    return int(np.argmin(differences))


async def ordinary_check(runtime: Runtime, live: LiveLesson) -> int:
    """An ordinary check (one picture, already purged) of the same student, awaiting review."""
    ids = await add_check(
        runtime,
        lesson_id=live.lesson_id,
        user_id=live.student.id,
        kind=ChallengeKind.RANDOM,
        issued_at=runtime.clock(),
        verdict=Verdict.NEEDS_REVIEW,
    )
    assert ids.capture_id is not None
    return ids.capture_id
