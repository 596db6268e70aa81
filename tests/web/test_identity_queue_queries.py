"""The reviewers' identity queue costs the same number of database statements for a page of 2
identities as for a page of 40 (it read each verification's reviews on its own: ~200 a page)."""

import httpx

from tests.identity.test_verification_reviews import school
from tests.support.statements import statements
from tests.web.page_forms import SAME_SITE
from tests.web.review_queues import long_identity_queue, more_waiting_identities
from tests.web.test_browser_sessions import browser_sign_in
from trust_lesson.runtime import Runtime


async def queue_statements(client: httpx.AsyncClient, runtime: Runtime, waiting: int) -> int:
    with statements(runtime.engine.sync_engine) as seen:
        answer = await client.get("/identity-reviews", headers=SAME_SITE)
    assert answer.status_code == 200
    assert answer.text.count("data-verification-id=") == waiting
    return len(seen)


async def test_the_identity_queue_does_not_ask_more_of_the_database_for_a_longer_page(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    s = await school(client, runtime)
    first, _ = await long_identity_queue(client, runtime, s, waiting=2)
    await browser_sign_in(client, s.teacher.user.email)

    small = await queue_statements(client, runtime, waiting=2)
    await more_waiting_identities(runtime, first, 38)
    large = await queue_statements(client, runtime, waiting=40)

    assert small == large
    assert small <= 6  # the session and its person, a page of verifications, their reviews, names
