"""Issue 8/14: a student removed from the term no longer sees, or answers, its checks."""

import httpx

from tests.presence.live import join, live_lesson, small_jpeg, upload
from tests.support.clock import FakeClock
from trust_lesson.runtime import Runtime


async def test_a_student_removed_mid_lesson_gets_no_more_challenges(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock, students=1)
    challenge = (await join(api, live, live.student))["challenge"]
    before = await api.get(live.url("challenges/next"), headers=live.student.headers)

    removed = await api.delete(
        f"/api/v1/terms/{live.term_id}/members/{live.student.id}", headers=live.instructor.headers
    )
    after = await api.get(live.url("challenges/next"), headers=live.student.headers)
    answer = await upload(api, live, live.student, challenge, small_jpeg())

    assert before.status_code == 200 and before.json()["challenge"]["id"] == challenge["id"]
    assert removed.status_code == 204
    assert after.status_code in (403, 404)
    assert "challenge" not in after.json() and challenge["nonce"] not in after.text
    assert answer.status_code in (403, 404)
