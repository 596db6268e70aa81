"""The appeal forms in process (no browser): a refused appeal or answer comes back on the
same page with the reason said beside the form and what was typed kept."""

import httpx
from markupsafe import escape

from tests.attendance.test_appeals import REASON, appeal, stopped_lesson
from tests.support.clock import FakeClock
from tests.web.test_browser_sessions import SAME_SITE, browser_sign_in
from trust_lesson.runtime import Runtime

FORM = {**SAME_SITE, "Accept": "text/html"}


async def test_a_refused_appeal_says_why_on_the_home_page_and_keeps_the_words(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    lesson = await stopped_lesson(client, runtime, clock)
    absence = await lesson.decision_of(client, lesson.absent)
    attendance = await lesson.decision_of(client, lesson.present)
    csrf = await browser_sign_in(client, lesson.absent.user.email)

    blank = await client.post(
        f"/decisions/{absence['id']}/appeal", data={"csrf_token": csrf, "reason": "  "},
        headers=FORM,
    )  # fmt: skip
    sent = await client.post(
        f"/decisions/{absence['id']}/appeal", data={"csrf_token": csrf, "reason": REASON},
        headers=FORM,
    )  # fmt: skip
    home = await client.get("/home", headers=FORM)
    csrf = await browser_sign_in(client, lesson.present.user.email)
    not_theirs = await client.post(
        f"/decisions/{absence['id']}/appeal", data={"csrf_token": csrf, "reason": "Mine?"},
        headers=FORM,
    )  # fmt: skip
    attended = await client.post(
        f"/decisions/{attendance['id']}/appeal", data={"csrf_token": csrf, "reason": "Why not"},
        headers=FORM,
    )  # fmt: skip

    assert blank.status_code == 422
    assert 'aria-invalid="true"' in blank.text and "at least 1 character" in blank.text
    assert (sent.status_code, sent.headers["location"]) == (303, "/home#attended-title")
    assert str(escape(REASON)) in home.text and 'data-appeal-outcome="OPEN"' in home.text
    assert not_theirs.status_code == 404 and str(escape(REASON)) not in not_theirs.text
    assert attended.status_code == 409
    assert "there is nothing to appeal" in attended.text and "Why not" not in attended.text


async def test_granting_an_uncorrected_decision_is_refused_beside_the_appeal_reply_kept(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    lesson = await stopped_lesson(client, runtime, clock)
    absence = await lesson.decision_of(client, lesson.absent)
    filed = (await appeal(client, lesson.absent, absence["id"])).json()
    csrf = await browser_sign_in(client, lesson.teacher.user.email)
    url = f"/appeals/{filed['id']}/answer"

    queue = await client.get("/reviews", headers=FORM)
    granted = await client.post(
        url, data={"csrf_token": csrf, "outcome": "GRANTED", "reply": "Fine by me."}, headers=FORM
    )
    upheld = await client.post(
        url, data={"csrf_token": csrf, "outcome": "UPHELD", "reply": "It stands."}, headers=FORM
    )
    again = await client.post(
        url, data={"csrf_token": csrf, "outcome": "UPHELD", "reply": "Twice."}, headers=FORM
    )

    assert f'data-appeal-id="{filed["id"]}"' in queue.text and str(escape(REASON)) in queue.text
    for check in lesson.absent_checks:
        assert f'href="/captures/{check.capture_id}"' in queue.text
    assert granted.status_code == 409
    assert "Correct the decision first" in granted.text and "Fine by me." in granted.text
    assert (upheld.status_code, upheld.headers["location"]) == (303, "/reviews#appeals")
    assert again.status_code == 409
    assert "This appeal has already been answered." in again.text
