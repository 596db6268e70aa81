"""The reviewers' queues in process keep the reviewer where they were: a review, an answer or a
decision sent from a later page comes back to that page (the last one there is, if it emptied
it), and a refused one is shown again on the page it was sent from, with what was typed."""

import html
import re

import httpx

from tests.identity.test_verification_reviews import school
from tests.web.page_forms import SAME_SITE
from tests.web.review_queues import (
    DECIDED,
    REVIEWED,
    UPHELD,
    form_fields,
    long_identity_queue,
    long_review_queue,
    send_form,
    shown,
)
from tests.web.test_browser_sessions import browser_sign_in
from tests.web.test_staff_forms import selected_option
from trust_lesson.runtime import Runtime
from trust_lesson.web.paging import ROWS_PER_PAGE

BOTH_SECOND_PAGES = "/reviews?pictures_page=2&appeals_page=2"
NOT_A_PAGE = ("0", "-1", "x", "10001")


async def test_a_review_saved_on_a_later_page_of_pictures_comes_back_to_that_page(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    queue = await long_review_queue(
        client, runtime, pictures=ROWS_PER_PAGE + 2, appeals=ROWS_PER_PAGE + 1
    )
    first, last = queue.captures[-2:]

    page = (await client.get(BOTH_SECOND_PAGES, headers=SAME_SITE)).text
    saved = await send_form(client, page, f"/captures/{first}/review", REVIEWED)
    back = await client.get(saved.headers["location"], headers=SAME_SITE)
    emptied = await send_form(client, back.text, f"/captures/{last}/review", REVIEWED)
    landed = await client.get(emptied.headers["location"], headers=SAME_SITE)

    assert form_fields(page, f"/captures/{first}/review") == {
        "csrf_token": queue.csrf, "back": "queue", "pictures_page": "2", "appeals_page": "2",
    }  # fmt: skip
    assert (saved.status_code, saved.headers["location"]) == (303, BOTH_SECOND_PAGES)
    assert shown(back.text, "data-capture-id") == [last]
    assert f"Rows {ROWS_PER_PAGE + 1} to {ROWS_PER_PAGE + 1}" in back.text
    # the last picture of the last page is settled: the last page there is, not an empty one
    assert (emptied.status_code, emptied.headers["location"]) == (303, "/reviews?appeals_page=2")
    assert shown(landed.text, "data-capture-id") == queue.captures[:ROWS_PER_PAGE]
    assert shown(landed.text, "data-appeal-id") == [queue.appeals[-1]]


async def test_an_appeal_answered_on_a_later_page_comes_back_to_that_page_of_appeals(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    queue = await long_review_queue(
        client, runtime, pictures=ROWS_PER_PAGE + 1, appeals=ROWS_PER_PAGE + 2
    )
    first, last = queue.appeals[-2:]

    page = (await client.get(BOTH_SECOND_PAGES, headers=SAME_SITE)).text
    answered = await send_form(client, page, f"/appeals/{first}/answer", UPHELD)
    back = await client.get(answered.headers["location"], headers=SAME_SITE)
    emptied = await send_form(client, back.text, f"/appeals/{last}/answer", UPHELD)
    landed = await client.get(emptied.headers["location"], headers=SAME_SITE)

    assert form_fields(page, f"/appeals/{first}/answer") == {
        "csrf_token": queue.csrf, "pictures_page": "2", "appeals_page": "2",
    }  # fmt: skip
    assert answered.status_code == 303
    assert answered.headers["location"] == f"{BOTH_SECOND_PAGES}#appeals"
    assert shown(back.text, "data-appeal-id") == [last]
    assert shown(back.text, "data-capture-id") == [queue.captures[-1]]
    assert emptied.headers["location"] == "/reviews?pictures_page=2#appeals"
    assert shown(landed.text, "data-appeal-id") == queue.appeals[:ROWS_PER_PAGE]
    assert shown(landed.text, "data-capture-id") == [queue.captures[-1]]


async def test_on_the_first_pages_the_queue_answers_as_it_always_did(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    queue = await long_review_queue(client, runtime, pictures=2, appeals=2)

    page = (await client.get("/reviews", headers=SAME_SITE)).text
    saved = await send_form(client, page, f"/captures/{queue.captures[0]}/review", REVIEWED)
    answered = await send_form(client, page, f"/appeals/{queue.appeals[0]}/answer", UPHELD)

    assert form_fields(page, f"/appeals/{queue.appeals[0]}/answer")["appeals_page"] == "1"
    assert (saved.status_code, saved.headers["location"]) == (303, "/reviews")
    assert (answered.status_code, answered.headers["location"]) == (303, "/reviews#appeals")


async def test_a_refused_review_or_answer_is_shown_again_on_the_pages_it_was_sent_from(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    queue = await long_review_queue(
        client, runtime, pictures=ROWS_PER_PAGE + 1, appeals=ROWS_PER_PAGE + 1
    )
    capture, appeal = queue.captures[-1], queue.appeals[-1]
    review, answer = f"/captures/{capture}/review", f"/appeals/{appeal}/answer"

    page = (await client.get(BOTH_SECOND_PAGES, headers=SAME_SITE)).text
    no_reason = await send_form(client, page, review, {"decision": "WRONG_PERSON", "reason": ""})
    not_corrected = await send_form(
        client, page, answer, {"outcome": "GRANTED", "reply": "Fine by me."}
    )
    saved = await send_form(client, no_reason.text, review, REVIEWED)

    assert no_reason.status_code == 422
    assert shown(no_reason.text, "data-capture-id") == [capture]
    assert shown(no_reason.text, "data-appeal-id") == [appeal]
    assert f'id="reason-{capture}-problem"' in no_reason.text
    assert selected_option(no_reason.text, f"verdict-{capture}") == ["WRONG_PERSON"]
    assert not_corrected.status_code == 409
    assert shown(not_corrected.text, "data-capture-id") == [capture]
    assert shown(not_corrected.text, "data-appeal-id") == [appeal]
    assert "Correct the decision first" in not_corrected.text
    assert ">Fine by me.</textarea>" in not_corrected.text
    # the form shown again still knows its pages
    assert (saved.status_code, saved.headers["location"]) == (303, "/reviews?appeals_page=2")


async def test_a_page_a_review_form_sends_back_that_names_no_page_is_refused_in_words(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """A page number is refused as the address's is (422 in words, nothing saved); a page the
    queue no longer reaches (it was shorter when it came back) is its last page."""
    queue = await long_review_queue(client, runtime, pictures=2, appeals=2)
    review, answer = f"/captures/{queue.captures[0]}/review", f"/appeals/{queue.appeals[0]}/answer"
    page = (await client.get("/reviews", headers=SAME_SITE)).text

    refused = {
        (action, field, value): await send_form(client, page, action, typed | {field: value})
        for action, typed in ((review, REVIEWED), (answer, UPHELD))
        for field in ("pictures_page", "appeals_page")
        for value in NOT_A_PAGE
    }
    untouched = await client.get("/reviews", headers=SAME_SITE)
    far = {"pictures_page": "9999", "appeals_page": "10000"}
    saved = await send_form(client, page, review, REVIEWED | far)
    answered = await send_form(client, page, answer, UPHELD | far)

    assert {key: answer.status_code for key, answer in refused.items()} == {
        key: 422 for key in refused
    }
    for (_, field, _), answer in refused.items():
        assert "Something in the form or address is not valid" in answer.text
        assert f"{field}: Write " in html.unescape(answer.text)
        assert "Input should be" not in answer.text
    assert shown(untouched.text, "data-capture-id") == queue.captures
    assert shown(untouched.text, "data-appeal-id") == queue.appeals
    assert (saved.status_code, saved.headers["location"]) == (303, "/reviews")
    assert (answered.status_code, answered.headers["location"]) == (303, "/reviews#appeals")


async def test_an_identity_decided_on_a_later_page_comes_back_to_that_page(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    s = await school(client, runtime)
    waiting = await long_identity_queue(client, runtime, s, waiting=ROWS_PER_PAGE + 2)
    first, last = waiting[-2:]
    csrf = await browser_sign_in(client, s.teacher.user.email)

    page = (await client.get("/identity-reviews?page=2", headers=SAME_SITE)).text
    no_reason = await send_form(
        client, page, f"/identity-reviews/{first}", {"decision": "REJECTED", "reason": " "}
    )
    decided = await send_form(client, no_reason.text, f"/identity-reviews/{first}", DECIDED)
    back = await client.get(decided.headers["location"], headers=SAME_SITE)
    emptied = await send_form(client, back.text, f"/identity-reviews/{last}", DECIDED)
    landed = await client.get(emptied.headers["location"], headers=SAME_SITE)

    assert form_fields(page, f"/identity-reviews/{first}") == {"csrf_token": csrf, "page": "2"}
    assert no_reason.status_code == 422
    assert shown(no_reason.text, "data-verification-id") == [first, last]
    assert f'id="reason-{first}-problem"' in no_reason.text
    assert '<option value="REJECTED" selected>' in no_reason.text
    assert decided.headers["location"] == f"/identity-reviews?page=2&decided={first}"
    assert f"Your decision on verification {first} is saved." in back.text
    assert shown(back.text, "data-verification-id") == [last]
    assert f"Rows {ROWS_PER_PAGE + 1} to {ROWS_PER_PAGE + 1}" in back.text
    # the last identity of the last page is decided: the last page there is
    assert emptied.headers["location"] == f"/identity-reviews?decided={last}"
    assert f"Your decision on verification {last} is saved." in landed.text
    assert shown(landed.text, "data-verification-id") == waiting[:ROWS_PER_PAGE]


async def test_a_page_an_identity_form_sends_back_that_names_no_page_is_refused_in_words(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    s = await school(client, runtime)
    [waiting] = await long_identity_queue(client, runtime, s, waiting=1)
    action = f"/identity-reviews/{waiting}"
    await browser_sign_in(client, s.teacher.user.email)
    page = (await client.get("/identity-reviews", headers=SAME_SITE)).text

    refused = [
        await send_form(client, page, action, DECIDED | {"page": value}) for value in NOT_A_PAGE
    ]
    untouched = await client.get("/identity-reviews", headers=SAME_SITE)
    decided = await send_form(client, page, action, DECIDED | {"page": "10000"})

    assert [answer.status_code for answer in refused] == [422] * len(NOT_A_PAGE)
    for answer in refused:
        assert "page: Write " in html.unescape(answer.text)
        assert "Input should be" not in answer.text
    assert shown(untouched.text, "data-verification-id") == [waiting]
    assert decided.headers["location"] == f"/identity-reviews?decided={waiting}"


async def test_a_check_opened_from_a_later_page_of_the_queue_leads_back_to_that_page(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """The reviewer opens a check from the queue's second pages to see it whole: its page
    links back to them, a refused override is shown again there, and a saved one goes back to
    the queue on those pages."""
    queue = await long_review_queue(
        client, runtime, pictures=ROWS_PER_PAGE + 2, appeals=ROWS_PER_PAGE + 1
    )
    capture = queue.captures[-1]
    review = f"/captures/{capture}/review"
    listed = (await client.get(BOTH_SECOND_PAGES, headers=SAME_SITE)).text
    opened = html.unescape(re.search(rf'href="(/captures/{capture}\?[^"]*)"', listed).group(1))

    check = (await client.get(opened, headers=SAME_SITE)).text
    no_reason = await send_form(client, check, review, {"decision": "VERIFIED", "reason": ""})
    saved = await send_form(client, no_reason.text, review, REVIEWED)

    assert opened == f"/captures/{capture}?back=queue&pictures_page=2&appeals_page=2"
    assert f'href="{html.escape(BOTH_SECOND_PAGES)}" data-back-to-queue' in check
    assert form_fields(check, review) == {
        "csrf_token": queue.csrf, "back": "check", "pictures_page": "2", "appeals_page": "2",
    }  # fmt: skip
    assert no_reason.status_code == 422
    assert "<h1>Check of" in no_reason.text  # still the check's own page, the queue's way back
    assert form_fields(no_reason.text, review)["back"] == "check"
    assert (saved.status_code, saved.headers["location"]) == (303, BOTH_SECOND_PAGES)


async def test_a_check_opened_from_the_lesson_page_stays_on_its_page_after_a_review(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    queue = await long_review_queue(client, runtime, pictures=1, appeals=0)
    capture = queue.captures[0]

    check = (await client.get(f"/captures/{capture}", headers=SAME_SITE)).text
    saved = await send_form(client, check, f"/captures/{capture}/review", REVIEWED)

    assert "data-back-to-queue" not in check
    assert "back" not in form_fields(check, f"/captures/{capture}/review")
    assert (saved.status_code, saved.headers["location"]) == (303, f"/captures/{capture}")
