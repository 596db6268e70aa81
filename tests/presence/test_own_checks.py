"""The room's list: a student's own checks so far, each with the verdict name it shows."""

from datetime import timedelta

import httpx

from tests.presence.live import first_of, join, live_lesson, planned, small_jpeg, travel, upload
from tests.support.clock import FakeClock
from tests.support.presence import analyse
from trust_lesson.presence.verdicts import ChallengeKind, Verdict
from trust_lesson.runtime import Runtime


async def test_the_list_shows_issued_checks_with_their_verdicts_and_never_a_future_one(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock, students=2)
    entry = (await join(api, live, live.student))["challenge"]
    await join(api, live, live.students[1])
    sent = await upload(api, live, live.student, entry, small_jpeg())
    capture_id = sent.json()["capture_id"]
    pending = await api.get(live.url("checks"), headers=live.student.headers)
    await analyse(runtime, capture_id=capture_id, verdict=Verdict.NO_FACE, at=clock.now)
    random_check = first_of(await planned(runtime, live, live.student), ChallengeKind.RANDOM)
    await travel(api, clock, random_check.deadline + timedelta(seconds=1), live.student)

    later = (await api.get(live.url("checks"), headers=live.student.headers)).json()

    assert [(c["challenge_id"], c["verdict"]) for c in pending.json()] == [(entry["id"], "PENDING")]
    assert pending.json()[0]["capture_id"] == capture_id
    assert [c["verdict"] for c in later] == ["NO_FACE", "MISSED"]
    assert later[1]["challenge_id"] == random_check.id
    assert later[1]["capture_id"] is None
    assert "nonce" not in str(later)


async def test_only_the_lessons_students_see_their_own_checks(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    live = await live_lesson(api, runtime, clock, students=2)
    await join(api, live, live.student)

    other = await api.get(live.url("checks"), headers=live.students[1].headers)
    instructor = await api.get(live.url("checks"), headers=live.instructor.headers)

    assert other.json() == []
    assert instructor.status_code == 403
