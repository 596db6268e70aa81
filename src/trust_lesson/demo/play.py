"""Play the lesson: each student's browser, as the real one behaves, against the real API.

A student joins, waits for its challenge with the held request (``challenges/next?wait=60``:
the server answers when one is issued, never saying when) and, when one is due, sends a
fresh webcam frame with the challenge's nonce; after its END check it is done (or when the
lesson stops). A watcher follows each
capture (``GET /captures/{id}``) until the worker's verdict is in. The present student always
shows their own face; the replaced one hands the camera to someone else halfway through; the
silent one joins but never answers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from trust_lesson.demo.pictures import FrameMaker
from trust_lesson.demo.school import API, School, Student, checked

VERDICT_WAIT_S = 180.0
Say = Callable[[str], None]


@dataclass
class StudentPlay:
    """What happened to one student: challenges seen, pictures sent, verdicts received."""

    student: Student
    challenges: int = 0
    sent: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)


@dataclass
class Stage:
    """The lesson being played: its school, the moment the camera changes hands, the output."""

    school: School
    halfway: datetime
    say: Say
    watchers: list[asyncio.Task[None]] = field(default_factory=list)

    def log(self, who: str, what: str) -> None:
        elapsed = (datetime.now(UTC) - self.school.started_at).total_seconds()
        self.say(f"[{elapsed:6.1f} s] {who:<20} {what}")


async def play_lesson(http: httpx.AsyncClient, stage: Stage) -> list[StudentPlay]:
    """Every student at once until none has a challenge to come; then every verdict is in."""
    plays = [StudentPlay(student) for student in stage.school.students]
    await asyncio.gather(*(play_student(http, stage, play, n) for n, play in enumerate(plays)))
    await asyncio.gather(*stage.watchers)
    return plays


async def play_student(http: httpx.AsyncClient, stage: Stage, play: StudentPlay, seed: int) -> None:
    student = play.student
    url = f"{API}/lessons/{stage.school.lesson_id}"
    headers = student.account.headers
    own, other = FrameMaker(student.face, seed=seed), None
    if student.stand_in is not None:
        other = FrameMaker(student.stand_in, seed=seed + 100)
    answer = checked(await http.post(f"{url}/join", headers=headers))
    stage.log(_who(student), "joined the lesson")
    seen: set[int] = set()
    while True:
        challenge = answer["challenge"]
        if challenge is not None and challenge["id"] not in seen:
            seen.add(challenge["id"])
            play.challenges += 1
            stage.log(_who(student), f"challenge {challenge['kind']} issued{_until(challenge)}")
            if student.role != "silent":
                camera = other if other is not None and _now() >= stage.halfway else own
                await send(http, stage, play, challenge, camera)
            else:
                stage.log(_who(student), "does not answer")
            if challenge["kind"] == "END":
                stage.log(_who(student), "end check seen: done")
                return
        elif answer["next_poll_after"] is None:
            stage.log(_who(student), "the lesson is over: done")
            return
        elif challenge is not None:  # seen, still open (not answered): wait for its deadline
            await asyncio.sleep(_seconds_until(answer["next_poll_after"]))
        answer = checked(await http.get(f"{url}/challenges/next?wait=60", headers=headers))


async def send(
    http: httpx.AsyncClient,
    stage: Stage,
    play: StudentPlay,
    challenge: dict[str, Any],
    camera: FrameMaker,
) -> None:
    """Upload a fresh frame for the challenge and start watching for its verdict."""
    student = play.student
    frame = await asyncio.to_thread(camera.next_jpeg)
    data = {"challenge_id": str(challenge["id"]), "nonce": challenge["nonce"]}
    files = {"image": ("frame.jpg", frame, "image/jpeg")}
    answer = await http.post(
        f"{API}/lessons/{stage.school.lesson_id}/captures",
        data=data,
        files=files,
        headers=student.account.headers,
    )
    capture = checked(answer, 202)
    play.sent += 1
    whose = (
        "their own face"
        if camera.person is student.face
        else f"{camera.person.display_name}'s face"
    )
    stage.log(_who(student), f"picture sent ({whose}): capture {capture['capture_id']}")
    watcher = asyncio.create_task(watch_verdict(http, stage, play, capture["capture_id"]))
    stage.watchers.append(watcher)


async def watch_verdict(
    http: httpx.AsyncClient, stage: Stage, play: StudentPlay, capture_id: int
) -> None:
    deadline = time.monotonic() + VERDICT_WAIT_S
    headers = play.student.account.headers
    while time.monotonic() < deadline:
        capture = checked(await http.get(f"{API}/captures/{capture_id}", headers=headers))
        if capture["status"] == "DONE":
            verdict = capture["verdict"]
            play.verdicts[verdict] = play.verdicts.get(verdict, 0) + 1
            reasons = "; ".join(capture["reasons"])
            stage.log(_who(play.student), f"verdict {verdict} for capture {capture_id}: {reasons}")
            return
        await asyncio.sleep(0.3)
    raise RuntimeError(f"capture {capture_id} got no verdict within {VERDICT_WAIT_S:.0f} s")


def _who(student: Student) -> str:
    return student.account.full_name


def _until(challenge: dict[str, Any]) -> str:
    left = _seconds_until(challenge["deadline"])
    return f" (answer within {left:.0f} s)"


def _seconds_until(moment: str) -> float:
    return max(0.05, (datetime.fromisoformat(moment) - _now()).total_seconds())


def _now() -> datetime:
    return datetime.now(UTC)
