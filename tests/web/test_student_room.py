"""The student's side in a real browser whose fake webcam plays real face pictures: consent,
enrolment through the webcam page, the lesson room answering its checks with the real models
(embedded worker), a liveness check answered by a clip of a head turn, and a camera that is
denied."""

import io
import re
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from PIL import Image
from playwright.async_api import Browser, Playwright, Route, expect
from sqlalchemy import func, select

from tests.presence.verdict_support import enrol_face, face_template
from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    turn_video,
    two_step_video,
    warming_up_video,
)
from tests.support.databases import SuiteDatabases
from tests.support.factories import PASSWORD, Person
from tests.support.live_server import LiveService, live_service
from tests.vision.bursts import mirrored, picture
from tests.web.classroom import FACES, Browsers, Classroom, classroom
from tests.web.conftest import CameraBrowser
from trust_lesson.db import transaction
from trust_lesson.models.presence import Capture
from trust_lesson.runtime import Runtime
from trust_lesson.vision.faces import largest_face_embedding

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]
VERDICT_WAIT_MS = 90_000  # the first verdict loads the models in the worker
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def live(
    databases: SuiteDatabases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """The service with worker threads in this process (they share the test's clock; `serve`
    runs them in a process of its own), judging with the real models."""
    with live_service(databases, tmp_path_factory.mktemp("var"), embedded_worker=False) as service:
        service.runtime.worker.start_embedded(workers=2)
        yield service


async def test_a_student_consents_enrols_and_is_verified_in_the_room(
    browser: Browser,
    camera_browser: CameraBrowser,
    face_videos: Callable[[Path], Path],
    testdata: Path,
    live: LiveService,
    http: httpx.AsyncClient,
    browsers: Browsers,
) -> None:
    lesson = await classroom(live, http, students=1)
    camera = await camera_browser(face_videos(testdata / FACES / "obama.jpg"))
    page = await browsers.student_page(camera, lesson.students[0])

    await page.get_by_role("link", name="Give consent").click()
    await expect(page.get_by_text("Consent text, version")).to_be_visible()
    await page.get_by_role("button", name="I consent").click()
    await expect(page.get_by_text("your consent is recorded")).to_be_visible()
    await page.get_by_role("link", name="Next: enrol your face").click()
    # A lit face in a dark suit, on black bars: the hint judges the face's light, as the server.
    await expect(page.locator("#enrolment-hint")).to_have_attribute("data-hint", "")
    await expect(page.locator("#enrolment-hint")).to_contain_text("Look straight at the camera")
    await page.get_by_role("button", name="Take picture").click()
    result = page.locator("#enrolment-result")
    await expect(result).to_have_attribute("data-state", "enrolled", timeout=VERDICT_WAIT_MS)
    state = page.locator("#enrolment-state")  # the page's status line no longer says "not yet"
    await expect(state).to_have_text("You are enrolled with 1 picture.")
    # Later, at the lesson: the camera sees the student again, in another picture of them (a
    # frame identical to the enrolment one would rightly be judged a replay).
    await lesson.start()
    later = await camera_browser(face_videos(testdata / FACES / "obama2.jpg"))
    page = await browsers.student_page(later, lesson.students[0])
    await page.get_by_role("link", name="Enter the lesson room").click()

    check = page.locator("#checks .check").first
    await expect(check).to_have_attribute("data-verdict", "VERIFIED", timeout=VERDICT_WAIT_MS)
    await expect(check).to_contain_text("Entry check")
    # Its time as every page and the decision's reasons write it ("entry at 14:00 UTC").
    await expect(check.locator(".check-time")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d UTC$"))
    await expect(check).to_contain_text("Verified: it\u2019s you")
    await expect(page.locator("#camera-problem")).to_be_hidden()
    # The instructor's live roster shows the same verdict in the student's row.
    roster = await browsers.page_of(browser, lesson.instructor)
    await roster.goto(f"/lessons/{lesson.lesson_id}")
    row = roster.locator(f'tr[data-student-id="{lesson.students[0].id}"]')
    await expect(row.locator('[data-verdict="VERIFIED"]')).to_have_count(1)
    await page.set_viewport_size({"width": 1000, "height": 620})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = Image.open(io.BytesIO(await page.screenshot()))
    shot.convert("RGB").quantize(colors=96).save(SCREENSHOTS / "lesson-room.png", optimize=True)


async def test_another_person_at_the_camera_is_wrong_person(
    camera_browser: CameraBrowser,
    face_videos: Callable[[Path], Path],
    testdata: Path,
    live: LiveService,
    http: httpx.AsyncClient,
    browsers: Browsers,
) -> None:
    lesson = await classroom(live, http, students=1)
    student = lesson.students[0]
    await live.call(
        enrol_face(live.runtime, student, face_template(testdata, f"{FACES}/obama2.jpg"))
    )
    await lesson.start()
    camera = await camera_browser(face_videos(testdata / FACES / "biden.jpg"))
    page = await browsers.student_page(camera, student)

    await page.goto(lesson.room)

    check = page.locator("#checks .check").first
    await expect(check).to_have_attribute("data-verdict", "PENDING")
    await expect(check).to_have_attribute("data-verdict", "WRONG_PERSON", timeout=VERDICT_WAIT_MS)
    await expect(check).to_contain_text("Not recognised as you")


async def test_a_camera_that_starts_black_is_waited_for_and_the_face_is_verified(
    camera_browser: CameraBrowser,
    testdata: Path,
    tmp_path: Path,
    live: LiveService,
    http: httpx.AsyncClient,
    browsers: Browsers,
) -> None:
    """A webcam just switched on sends black pictures for a moment (and a busy browser can
    draw one before the first frame is painted): the room takes the picture again instead of
    sending a black one that the server would judge too dark."""
    lesson = await classroom(live, http, students=1)
    student = lesson.students[0]
    await live.call(
        enrol_face(live.runtime, student, face_template(testdata, f"{FACES}/obama2.jpg"))
    )
    await lesson.start()
    video = warming_up_video(testdata / FACES / "obama.jpg", tmp_path / "warming-up.y4m")
    page = await browsers.student_page(await camera_browser(video), student)

    await page.goto(lesson.room)

    check = page.locator("#checks .check").first
    await expect(check).to_have_attribute("data-verdict", "VERIFIED", timeout=VERDICT_WAIT_MS)


CAMERA_ON = "() => Boolean(document.getElementById('preview').srcObject)"


async def test_the_camera_is_switched_off_when_the_lesson_is_over(
    camera_browser: CameraBrowser,
    face_videos: Callable[[Path], Path],
    testdata: Path,
    live: LiveService,
    http: httpx.AsyncClient,
    browsers: Browsers,
) -> None:
    lesson = await classroom(live, http, students=1)
    await lesson.start()
    camera = await camera_browser(face_videos(testdata / FACES / "obama2.jpg"))
    page = await browsers.student_page(camera, lesson.students[0])
    await page.goto(lesson.room)
    await expect(page.locator("#room")).to_have_attribute("data-state", "in")
    await page.wait_for_function(CAMERA_ON)

    stopped = await http.post(
        f"/api/v1/lessons/{lesson.lesson_id}/stop", headers=lesson.instructor.headers
    )
    assert stopped.status_code == 200, stopped.text

    await expect(page.locator("#room")).to_have_attribute("data-state", "over", timeout=30_000)
    await expect(page.locator("#room-status")).to_contain_text("You can close this page")
    await expect(page.locator("[data-room-hint]")).to_be_hidden()  # "stay in front of the camera"
    await page.wait_for_function(f"() => !({CAMERA_ON})()")
    await page.reload()  # the room of a lesson already over opens, says so, and lets go too
    await expect(page.locator("#room-status")).to_have_text("This lesson is over.")
    await page.wait_for_timeout(1000)  # a camera still opening is closed when it opens
    assert not await page.evaluate(CAMERA_ON)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def camera_denied(playwright: Playwright) -> AsyncIterator[Browser]:
    """A camera is present but the browser's permission prompt is refused (no fake-UI flag)."""
    chromium = await playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--use-fake-device-for-media-stream"]
    )
    yield chromium
    await chromium.close()


async def test_a_denied_camera_is_explained_while_the_check_waits(
    camera_denied: Browser, live: LiveService, http: httpx.AsyncClient, browsers: Browsers
) -> None:
    lesson = await classroom(live, http, students=1)
    await lesson.start()
    page = await browsers.student_page(camera_denied, lesson.students[0])

    await page.goto(lesson.room)

    problem = page.locator("#camera-problem")
    await expect(problem).to_be_visible()
    await expect(problem).to_have_attribute("data-camera", "denied")
    await expect(problem).to_contain_text("Allow the camera for this site")
    check = page.locator("#checks .check").first
    await expect(check).to_have_attribute("data-verdict", "PENDING")
    await expect(check).to_contain_text("The camera is needed now")
    await expect(check).to_contain_text("s left to answer this check")


async def test_a_room_whose_session_ended_leads_to_sign_in_and_back_into_the_lesson(
    browser: Browser, live: LiveService, http: httpx.AsyncClient, browsers: Browsers
) -> None:
    lesson = await classroom(live, http, students=1)
    student = lesson.students[0]
    room = await browsers.student_page(browser, student)
    await room.goto(lesson.room)
    await expect(room.locator("#room")).to_have_attribute("data-state", "waiting")

    other_tab = await room.context.new_page()
    await other_tab.goto("/home")
    await other_tab.get_by_role("button", name="Sign out").click()

    await room.wait_for_url(f"**/login?next=%2Flessons%2F{lesson.lesson_id}%2Froom")
    await room.get_by_label("Email").fill(student.user.email)
    await room.get_by_label("Password").fill(PASSWORD)
    await room.get_by_role("button", name="Sign in").click()
    await room.wait_for_url(f"**{lesson.room}")
    await lesson.start()
    # The waiting room asks again every 5 s: one more ask, and its answer, on a busy machine.
    await expect(room.locator("#room")).to_have_attribute("data-state", "in", timeout=15_000)


async def test_a_lost_answer_is_retried_once_and_a_reload_keeps_the_verdict(
    camera_browser: CameraBrowser,
    face_videos: Callable[[Path], Path],
    testdata: Path,
    live: LiveService,
    http: httpx.AsyncClient,
    browsers: Browsers,
) -> None:
    """The picture reaches the server but its answer is lost on the way back (the network
    drops): the room sends it again, the server keeps the first one, and nothing is doubled."""
    lesson = await classroom(live, http, students=1)
    student = lesson.students[0]
    await live.call(
        enrol_face(live.runtime, student, face_template(testdata, f"{FACES}/obama2.jpg"))
    )
    await lesson.start()
    page = await browsers.student_page(
        await camera_browser(face_videos(testdata / FACES / "obama.jpg")), student
    )
    sent: list[str] = []

    async def lose_the_first_answer(route: Route) -> None:
        sent.append(route.request.method)
        if len(sent) == 1:
            await route.fetch()  # the server receives and keeps the picture...
            await route.abort("internetdisconnected")  # ...the page never hears back
        else:
            await route.continue_()

    await page.route("**/api/v1/lessons/*/captures", lose_the_first_answer)
    await page.goto(lesson.room)

    check = page.locator("#checks .check")
    await expect(check.first).to_have_attribute("data-verdict", "VERIFIED", timeout=VERDICT_WAIT_MS)
    assert sent == ["POST", "POST"]  # tried again; the second answer was refused as a repeat
    await page.reload()
    await expect(check.first).to_have_attribute("data-verdict", "VERIFIED")
    await expect(check).to_have_count(1)
    assert len(sent) == 2
    assert await live.call(captures_of(live.runtime, lesson.lesson_id)) == 1


async def captures_of(runtime: Runtime, lesson_id: int) -> int:
    async with transaction(runtime.session_factory) as db:
        query = select(func.count(Capture.id)).where(Capture.lesson_id == lesson_id)
        return int(await db.scalar(query) or 0)


KING = ("lfw/King_Abdullah_II_0001.jpg", "lfw/King_Abdullah_II_0005.jpg")
"""A frontal photo and one of the same man turned to his own left (tests/vision/bursts.py)."""


async def asked_to_turn(
    live: LiveService, http: httpx.AsyncClient, testdata: Path, policy: dict[str, object]
) -> tuple[Classroom, Person, str]:
    """A started lesson (a minute to answer a head turn, and ``policy``) whose one student
    joined and was asked for a head turn: the lesson, the student and the direction drawn.
    King Abdullah II's frontal photo is enrolled, mirrored when the first side is RIGHT (the
    clip is then mirrored too)."""
    lesson = await classroom(live, http, students=1, policy={"liveness_answer_s": 60, **policy})
    student = lesson.students[0]
    await lesson.start()
    joined = await http.post(f"/api/v1/lessons/{lesson.lesson_id}/join", headers=student.headers)
    direction: str = joined.json()["challenge"]["liveness"]["direction"]
    frontal = picture(testdata, KING[0])
    template = largest_face_embedding(
        frontal if direction.startswith("LEFT") else mirrored(frontal)
    )
    assert template is not None
    await live.call(enrol_face(live.runtime, student, template))
    return lesson, student, direction


async def test_a_liveness_check_shows_the_side_and_a_real_turn_is_verified(
    camera_browser: CameraBrowser,
    testdata: Path,
    tmp_path_factory: pytest.TempPathFactory,
    live: LiveService,
    http: httpx.AsyncClient,
    browsers: Browsers,
) -> None:
    """The fake webcam plays a clip of the student turning to the side the server drew (the
    turned photo, mirrored for a turn to the right); the room takes its burst and the worker's
    verdict reaches the room."""
    lesson, student, side = await asked_to_turn(live, http, testdata, {})
    pictures = [testdata / "face_verification" / relative for relative in KING]
    clip = turn_video(
        *pictures, tmp_path_factory.mktemp("turn") / "turn.y4m", mirror=side == "RIGHT"
    )
    page = await browsers.student_page(await camera_browser(clip), student)

    await page.goto(lesson.room)

    check = page.locator("#checks .check").first
    await expect(check).to_have_attribute("data-liveness", side)
    await expect(check).to_contain_text(f"turn your head to your {side.lower()}")
    await expect(check).to_have_attribute("data-verdict", "VERIFIED", timeout=VERDICT_WAIT_MS)
    await expect(check).to_contain_text(f"turned {side.lower()} by")
    await expect(page.locator("#liveness")).to_be_hidden()


SLOW_CAMERA = """
const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = (asked) =>
  new Promise((resolve) => setTimeout(resolve, 2000)).then(() => open(asked));
"""
"""A camera that takes two seconds to open (a real one often does), set before the page's
own scripts run."""


async def test_a_check_that_waited_for_the_camera_then_says_what_to_do_now(
    camera_browser: CameraBrowser,
    face_videos: Callable[[Path], Path],
    testdata: Path,
    live: LiveService,
    http: httpx.AsyncClient,
    browsers: Browsers,
) -> None:
    lesson, student, side = await asked_to_turn(live, http, testdata, {})
    page = await browsers.student_page(
        await camera_browser(face_videos(testdata / FACES / "obama2.jpg")), student
    )
    await page.add_init_script(SLOW_CAMERA)

    await page.goto(lesson.room)

    words = page.locator("#checks .check").first.locator(".check-words")
    await expect(words).to_contain_text("The camera is needed now")
    await expect(page.locator("#liveness")).to_be_visible(timeout=10_000)
    # While the student turns their head, the check no longer says the camera is missing.
    await expect(words).to_have_text(
        f"Look at the camera, then slowly turn your head to your {side.lower()} and hold it."
    )


async def test_a_two_step_check_asks_for_the_other_side_halfway_and_is_verified(
    camera_browser: CameraBrowser,
    testdata: Path,
    tmp_path_factory: pytest.TempPathFactory,
    live: LiveService,
    http: httpx.AsyncClient,
    browsers: Browsers,
) -> None:
    """A course asks for an ordered two-step: the room shows the first side, then the other
    one, sends eight frames, and the fake webcam's clip (frontal, turned, turned the other
    way) is verified with both steps."""
    two_step = {"liveness_two_step": True}
    lesson, student, direction = await asked_to_turn(live, http, testdata, two_step)
    first, then = (side.lower() for side in direction.split("_THEN_"))
    pictures = [testdata / "face_verification" / relative for relative in KING]
    clip = two_step_video(
        *pictures, tmp_path_factory.mktemp("two_step") / "two_step.y4m", mirror=first == "right"
    )
    page = await browsers.student_page(await camera_browser(clip), student)

    await page.goto(lesson.room)

    instruction = page.locator("#liveness")
    check = page.locator("#checks .check").first
    await expect(instruction).to_have_attribute("data-step", "2")
    await expect(instruction).to_contain_text(f"Now slowly turn your head to your {then}")
    await expect(check).to_have_attribute("data-liveness", direction)
    await expect(check).to_contain_text(f"turn your head to your {first}, then to your {then}")
    await expect(check).to_have_attribute("data-verdict", "VERIFIED", timeout=VERDICT_WAIT_MS)
    await expect(check).to_contain_text(f"turned {first} by")
    await expect(check).to_contain_text(f"then turned {then} by")


async def test_a_picture_the_server_refuses_is_missed_with_the_servers_words(
    camera_browser: CameraBrowser,
    face_videos: Callable[[Path], Path],
    testdata: Path,
    live: LiveService,
    http: httpx.AsyncClient,
    browsers: Browsers,
) -> None:
    """A student whose stored pictures fill their quota (R19): the check is missed and the
    room says why instead of a bare "missed"."""
    lesson = await classroom(live, http, students=1)
    await lesson.start()
    page = await browsers.student_page(
        await camera_browser(face_videos(testdata / FACES / "obama.jpg")), lesson.students[0]
    )
    settings = live.runtime.settings
    live.runtime.settings = settings.model_copy(update={"storage_quota_mb": 0})  # already full
    try:
        await page.goto(lesson.room)

        check = page.locator("#checks .check").first
        await expect(check).to_have_attribute("data-verdict", "MISSED", timeout=30_000)
        await expect(check).to_contain_text("reached the limit of 0 MiB per person")
    finally:
        live.runtime.settings = settings
